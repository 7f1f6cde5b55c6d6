"""Registry entries: traditional local filters."""

from ..algorithm import AlgorithmSpec
from ..costs import measured_cost
from ..params import ParamSpec, sigma_param

_DENOISE = frozenset({"denoise"})
_NOISE = frozenset({"noise"})
_FILTERS = "restoration.classic.filters"

SPECS: tuple[AlgorithmSpec, ...] = (
    AlgorithmSpec(
        name="mean",
        default_rank=17,
        title="Mean (box) filter",
        family="filter",
        tasks=_DENOISE,
        undoes=_NOISE,
        entry=f"{_FILTERS}:run_mean",
        cost=measured_cost("mean"),
        params=(
            ParamSpec("size", "int", 3, 1, 15, 1,
                      help="Width of the square averaging window; larger removes more noise and blurs more."),
        ),
        reference="R. C. Gonzalez and R. E. Woods, Digital Image Processing, 4th ed., 2018, sec. 3.5.",
        explanation=(
            "Replaces each pixel by the plain average of its neighbourhood. Averaging n pixels divides the noise "
            "by the square root of n, but every edge is smeared over the window as well."
        ),
        needs=frozenset({"sigma"}),
        auto_params=f"{_FILTERS}:auto_mean",
    ),
    AlgorithmSpec(
        name="gaussian",
        default_rank=16,
        title="Gaussian filter",
        family="filter",
        tasks=_DENOISE,
        undoes=_NOISE,
        entry=f"{_FILTERS}:run_gaussian",
        cost=measured_cost("gaussian"),
        params=(
            ParamSpec("sigma_spatial", "float", 0.85, 0.1, 10.0, 0.05,
                      help="Width (standard deviation) of the Gaussian bell in pixels; larger is smoother."),
        ),
        reference="R. C. Gonzalez and R. E. Woods, Digital Image Processing, 4th ed., 2018, sec. 3.5.",
        explanation=(
            "A weighted average in which nearby pixels count more, with weights following a bell curve. It is "
            "the smoothest linear low-pass filter (no ringing), but like every linear filter it blurs edges as "
            "much as it removes noise."
        ),
        needs=frozenset({"sigma"}),
        auto_params=f"{_FILTERS}:auto_gaussian",
    ),
    AlgorithmSpec(
        name="median",
        default_rank=13,
        title="Median filter",
        family="filter",
        tasks=_DENOISE,
        undoes=_NOISE,
        entry=f"{_FILTERS}:run_median",
        cost=measured_cost("median"),
        params=(
            ParamSpec("size", "int", 3, 1, 15, 1,
                      help="Width of the square window; larger removes more noise and more detail."),
            ParamSpec("switching", "bool", False,
                      help="Only replace pixels stuck at black or white (salt-and-pepper noise), keep the others."),
        ),
        reference=(
            "J. W. Tukey, Exploratory Data Analysis, 1977; T. Huang et al., IEEE TASSP 1979; "
            "H. Hwang and R. A. Haddad, Adaptive median filters, IEEE TIP 1995."
        ),
        explanation=(
            "Replaces each pixel by the median of its neighbourhood. Isolated outliers (salt-and-pepper "
            "noise) vanish while edges stay sharp, but fine texture is flattened; the switching variant only "
            "touches the corrupted pixels and is the method of choice for impulse noise."
        ),
        needs=frozenset({"sigma"}),
        auto_params=f"{_FILTERS}:auto_median",
    ),
    AlgorithmSpec(
        name="bilateral",
        default_rank=14,
        title="Bilateral filter",
        family="filter",
        tasks=_DENOISE,
        undoes=_NOISE,
        entry=f"{_FILTERS}:run_bilateral",
        cost=measured_cost("bilateral"),
        params=(
            ParamSpec("sigma_spatial", "float", 1.4, 0.3, 10.0, 0.1,
                      help="Spatial width in pixels: how far away neighbours may still be averaged."),
            ParamSpec("sigma_range", "float", 70.0, 1.0, 255.0, 1.0,
                      help="Intensity width on the 0-255 scale: larger also averages across stronger edges."),
        ),
        reference="C. Tomasi and R. Manduchi, Bilateral filtering for gray and color images, ICCV 1998.",
        explanation=(
            "Averages only the neighbours that are both close in space and similar in value, so it does not "
            "average across edges. Noise spikes larger than the intensity width survive as speckles, and "
            "smooth ramps can turn into flat steps."
        ),
        needs=frozenset({"sigma"}),
        auto_params=f"{_FILTERS}:auto_bilateral",
    ),
    AlgorithmSpec(
        name="wiener_filter",
        default_rank=15,
        title="Adaptive local Wiener filter (Lee)",
        family="filter",
        tasks=_DENOISE,
        undoes=_NOISE,
        entry=f"{_FILTERS}:run_wiener_filter",
        cost=measured_cost("wiener_filter"),
        params=(
            ParamSpec("size", "int", 5, 3, 15, 2,
                      help="Window for the local mean and variance; larger gives smoother flat areas."),
            sigma_param(25.0, effect="Larger smooths more."),
        ),
        reference=(
            "J.-S. Lee, Digital image enhancement and noise filtering by use of local statistics, IEEE TPAMI 1980; "
            "J. S. Lim, Two-Dimensional Signal and Image Processing, 1990 (MATLAB wiener2)."
        ),
        explanation=(
            "Estimates the local mean and variance around each pixel and keeps only the part of the deviation "
            "from the mean that the noise cannot explain. Flat areas are smoothed strongly, edges and texture "
            "hardly at all; noise next to edges is left behind."
        ),
        needs=frozenset({"sigma"}),
        auto_params=f"{_FILTERS}:auto_wiener_filter",
    ),
)
