"""Registry entries: non-local methods (NL-means, BM3D).

Text and numbers only: the runners and their noise-dependent defaults live in
:mod:`restoration.classic.nonlocal_means` and :mod:`restoration.classic.bm3d` and are
imported only when a method runs or its defaults are asked for an observation.
"""

from ..algorithm import AlgorithmSpec
from ..costs import measured_cost
from ..params import ParamSpec, sigma_param, tuning_param

_SIGMA = sigma_param(0.0, high=100.0, step=0.5, label="noise sigma",
                     effect="Larger removes more noise and more detail.")

SPECS: tuple[AlgorithmSpec, ...] = (
    AlgorithmSpec(
        name="nlm",
        prior="restoration.classic.nonlocal_means:nlm_prior",
        default_rank=12,
        title="Non-local means",
        family="nonlocal",
        tasks=frozenset({"denoise"}),
        undoes=frozenset({"noise"}),
        entry="restoration.classic.nonlocal_means:run_nlm",
        cost=measured_cost("nlm"),
        params=(
            _SIGMA,
            ParamSpec("patch_size", "int", 5, 3, 15, 2,
                      help="Side of the patches compared; larger is more robust to noise but blurs fine texture."),
            ParamSpec("patch_distance", "int", 5, 2, 21, 1,
                      help="Search radius in pixels; larger finds more similar patches but is slower."),
            ParamSpec("h_factor", "float", 0.7, 0.1, 2.0, 0.05,
                      help="Filtering strength h relative to sigma; larger averages more (smoother, less detail).",
                      label="h / sigma"),
            tuning_param("sigma"),
        ),
        reference='A. Buades, B. Coll and J.-M. Morel, "A non-local algorithm for image denoising", CVPR 2005.',
        explanation=(
            "Each pixel becomes a weighted average of pixels anywhere in a search window whose surrounding "
            "patches look alike, so repeated structure (edges, textures) is averaged along itself instead of "
            "across it. Weights fall off with the patch distance, at a rate set by h."
        ),
        needs=frozenset({"sigma"}),
        auto_params="restoration.classic.nonlocal_means:nlm_auto_params",
    ),
    AlgorithmSpec(
        name="bm3d",
        prior="restoration.classic.bm3d:bm3d_prior",
        default_rank=0,
        title="BM3D (block matching and 3-D filtering)",
        family="nonlocal",
        tasks=frozenset({"denoise"}),
        undoes=frozenset({"noise"}),
        entry="restoration.classic.bm3d:run_bm3d",
        cost=measured_cost("bm3d"),
        params=(
            _SIGMA,
            ParamSpec("two_step", "bool", True,
                      help="Run the Wiener step after hard thresholding: about 0.3-0.5 dB better, twice the time.",
                      label="Wiener step"),
            ParamSpec("lambda_3d", "float", 2.7, 1.5, 5.0, 0.1,
                      help="Step-1 hard threshold in units of sigma; larger removes more noise and more detail.",
                      label="threshold (x sigma)"),
            ParamSpec("step", "int", 3, 1, 8, 1,
                      help="Spacing of the reference blocks; smaller is slower and slightly better."),
            ParamSpec("search_window", "int", 39, 9, 75, 2,
                      help="Side of the square window searched for similar blocks; larger finds more, slower."),
            ParamSpec("max_group", "choice", 16, choices=(2, 4, 8, 16, 32),
                      help="Most blocks stacked in a step-1 group (step 2 takes twice as many); more = stronger "
                           "averaging, slower."),
            tuning_param("sigma"),
        ),
        reference=(
            'K. Dabov, A. Foi, V. Katkovnik and K. Egiazarian, "Image denoising by sparse 3-D transform-domain '
            'collaborative filtering", IEEE Trans. Image Processing 16(8), 2007 (CBM3D for colour: ICIP 2007).'
        ),
        explanation=(
            "Similar 8x8 blocks are found and stacked into 3-D groups; a 3-D transform of a group packs what "
            "the blocks share into a few large coefficients, so setting the small ones to zero removes noise "
            "but keeps detail. A second pass repeats this on the first result with a gentler Wiener filter, "
            "and the overlapping filtered blocks are averaged back into the image."
        ),
        needs=frozenset({"sigma"}),
        auto_params="restoration.classic.bm3d:bm3d_auto_params",
    ),
)
