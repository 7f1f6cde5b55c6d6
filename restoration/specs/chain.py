"""Registry entries: traditional pipelines for the combined degradation.

``classic_chain`` is our strongest classic pipeline; ``bm3d_bicubic`` is the survey's
"traditional method (e.g. BM3D)" as it could be run on blur + downsampling + noise
(denoise, then enlarge; no deblurring). The app shows both beside the deep methods.
"""

from ..algorithm import AlgorithmSpec
from ..costs import measured_cost
from ..params import ParamSpec, lam_param, sigma_param
from .priors import PRIORS

SPECS: tuple[AlgorithmSpec, ...] = (
    AlgorithmSpec(
        name="classic_chain",
        default_rank=3,
        title="Traditional chain: BM3D, then TV super-resolution with the known blur",
        family="chain",
        tasks=frozenset({"combined"}),
        undoes=frozenset({"noise", "blur", "downsample"}),
        entry="restoration.classic.chain:run_classic_chain",
        cost=measured_cost("classic_chain"),
        params=(
            ParamSpec("denoiser", "choice", "bm3d", choices=(*PRIORS, "none"),
                      help="First step on the small noisy image, by method name: BM3D (best classic, a few "
                           "seconds), the CNN, wavelet shrinkage (fast), non-local means, or none."),
            sigma_param(10.0, effect="Given to the denoiser: larger removes more noise and more detail."),
            lam_param(6e-4, high=0.05, step=0.0001,
                      effect="Total-variation weight of the second step: larger is flatter and cleaner, smaller "
                             "keeps more texture and leftover noise."),
            ParamSpec("iterations", "int", 100, 10, 1000, 10,
                      help="Most iterations of the TV solver (it stops earlier once the image settles)."),
        ),
        reference=(
            "K. Dabov et al., BM3D, IEEE TIP 16(8), 2007; A. Marquina and S. J. Osher, Image super-resolution by "
            "TV-regularization and Bregman iteration, J. Sci. Comput. 2008; A. Chambolle and T. Pock, JMIV 2011."
        ),
        explanation=(
            "The best the classic toolbox does on blur + downsampling + noise: first remove the noise on the small "
            "image, where it is still plain white noise, with BM3D; then look for the sharp large image that, "
            "blurred by the known kernel and shrunk, gives the denoised small one, preferring flat regions with "
            "crisp edges (total variation)."
        ),
        needs=frozenset({"kernel", "scale", "sigma", "mask"}),
        auto_params="restoration.classic.chain:auto_classic_chain",
    ),
    AlgorithmSpec(
        name="bm3d_bicubic",
        title="BM3D, then bicubic enlargement (the survey's traditional baseline)",
        family="chain",
        tasks=frozenset({"combined"}),
        undoes=frozenset({"noise", "downsample"}),
        entry="restoration.classic.chain:run_bm3d_bicubic",
        cost=measured_cost("bm3d_bicubic"),  # measured by hand: see its note in restoration/data/costs.json
        params=(
            sigma_param(0.0, high=100.0, step=0.5, label="noise sigma",
                        effect="Given to BM3D: larger removes more noise and more detail."),
        ),
        reference=(
            "K. Dabov et al., BM3D, IEEE TIP 16(8), 2007; R. Keys, Cubic convolution interpolation for digital "
            "image processing, IEEE TASSP 1981. The baseline of Wang, Shi and Liang's survey (its Table 3)."
        ),
        explanation=(
            "What the survey's 'traditional method (e.g. BM3D)' can do on blur + downsampling + noise: remove "
            "the noise on the small image with BM3D, then enlarge it with bicubic interpolation. It does not "
            "deblur and invents no detail, so the result stays blurred and soft; classic_chain is the classic "
            "pipeline that also undoes the blur and the downsampling."
        ),
        needs=frozenset({"scale", "sigma"}),
        auto_params="restoration.classic.chain:auto_bm3d_bicubic",
    ),
)
