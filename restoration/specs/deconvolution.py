"""Registry entries: non-blind deconvolution."""

from ..algorithm import AlgorithmSpec
from ..costs import measured_cost
from ..params import ParamSpec, sigma_param

_DECONV = "restoration.classic.deconvolution"

SPECS: tuple[AlgorithmSpec, ...] = (
    AlgorithmSpec(
        name="wiener_deconv",
        default_rank=9,
        title="Wiener deconvolution",
        family="deconvolution",
        tasks=frozenset({"deblur"}),
        undoes=frozenset({"blur", "noise"}),
        entry=f"{_DECONV}:run_wiener_deconv",
        cost=measured_cost("wiener_deconv"),
        params=(
            sigma_param(2.55, step=0.5, effect="Larger is smoother."),
            ParamSpec("regulariser", "choice", "gradient", choices=("gradient", "laplacian", "flat"),
                      help="Signal model: 1/f^2 spectrum (gradient), Laplacian smoothness, or a constant ratio."),
            ParamSpec("strength", "float", 0.1, 0.001, 100.0, 0.01,
                      help="Multiplies the noise-to-signal ratio: larger is smoother, smaller sharper and noisier."),
        ),
        reference=(
            "N. Wiener, Extrapolation, Interpolation, and Smoothing of Stationary Time Series, 1949; "
            "R. C. Gonzalez and R. E. Woods, Digital Image Processing, 2018, sec. 5.8-5.9."
        ),
        explanation=(
            "Divides the image's spectrum by the blur's spectrum, but only where the blur left more signal than "
            "noise; elsewhere it gives up instead of amplifying noise. One FFT does it all, so it is instant, "
            "at the price of some ringing next to strong edges."
        ),
        needs=frozenset({"kernel", "sigma"}),
        auto_params=f"{_DECONV}:auto_wiener_deconv",
    ),
    AlgorithmSpec(
        name="richardson_lucy",
        default_rank=10,
        title="Richardson-Lucy deconvolution",
        family="deconvolution",
        tasks=frozenset({"deblur"}),
        undoes=frozenset({"blur", "noise"}),
        entry=f"{_DECONV}:run_richardson_lucy",
        cost=measured_cost("richardson_lucy"),
        params=(
            ParamSpec("iterations", "int", 29, 1, 500, 1,
                      help="Number of iterations: more is sharper but amplifies the noise."),
        ),
        reference=(
            "W. H. Richardson, JOSA 1972; L. B. Lucy, AJ 1974; M. Bertero and P. Boccacci, A&A 2005 "
            "(boundary handling)."
        ),
        explanation=(
            "A multiplicative iteration that makes the re-blurred estimate match the observation, derived for "
            "photon-counting noise; it keeps the image positive. It recovers coarse detail first and noise "
            "later, so stopping early is what regularises it."
        ),
        needs=frozenset({"kernel", "sigma"}),
        auto_params=f"{_DECONV}:auto_richardson_lucy",
    ),
)
