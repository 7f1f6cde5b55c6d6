"""Registry entries: classic super-resolution beyond interpolation (back-projection, sparse coding)."""

from ..algorithm import AlgorithmSpec
from ..costs import measured_cost
from ..params import ParamSpec

_SR = "restoration.classic.superres"

SPECS: tuple[AlgorithmSpec, ...] = (
    AlgorithmSpec(
        name="back_projection",
        title="Iterative back-projection",
        family="interpolation",
        tasks=frozenset({"sr", "combined"}),
        undoes=frozenset({"downsample", "blur"}),
        entry=f"{_SR}:run_back_projection",
        cost=measured_cost("back_projection"),
        params=(
            ParamSpec("iterations", "int", 10, 0, 200, 1,
                      help="Back-projection steps: more fits the low-resolution input more closely (sharper), "
                           "but also amplifies noise and aliasing. 0 = the bicubic enlargement. Automatic: 10 "
                           "without noise; with noise, fewer -- 3 damped steps when a blur is known, and none from "
                           "noise sigma 6.4 up when there is no blur (every step would only feed the noise back)."),
            ParamSpec("step", "float", 1.0, 0.05, 2.0, 0.05,
                      help="Fraction of the enlarged error added back at each step; smaller is slower and steadier. "
                           "Automatic: 1, or smaller as the noise grows when a blur is known."),
        ),
        reference="M. Irani and S. Peleg, Improving resolution by image registration, CVGIP: GMIP 53(3), 1991.",
        explanation=(
            "Starts from the bicubic enlargement, shrinks it again exactly as the camera did (with the known blur, "
            "if any) and compares with the real low-resolution image. The difference is enlarged and added back, "
            "over and over, until the estimate explains the observation. Noise is fed back too, so noisy inputs "
            "get a few damped steps when a blur is known, and none when there is only noise to fight: the result "
            "is then the bicubic enlargement, and the automatic parameters say so (0 iterations)."
        ),
        needs=frozenset({"scale", "kernel", "sigma"}),
        auto_params=f"{_SR}:auto_back_projection",
    ),
    AlgorithmSpec(
        name="sparse_sr",
        assets=("dictionaries/sr_coupled_x2.npz", "dictionaries/sr_coupled_x3.npz", "dictionaries/sr_coupled_x4.npz"),
        title="Sparse-coding super-resolution (coupled dictionaries)",
        family="sparse",
        tasks=frozenset({"sr"}),
        undoes=frozenset({"downsample"}),
        entry=f"{_SR}:run_sparse_sr",
        cost=measured_cost("sparse_sr"),
        params=(
            ParamSpec("stride", "int", 2, 1, 8, 1,
                      help="Distance between coded patches on the large grid: smaller averages more overlapping "
                           "guesses (better, slower)."),
            ParamSpec("atoms", "int", 3, 1, 10, 1,
                      help="Dictionary atoms per patch: more follows the low-resolution features more closely, "
                           "fewer gives safer, smoother detail."),
            ParamSpec("back_projection", "int", 10, 0, 50, 1,
                      help="Back-projection steps afterwards, making the result shrink back to the input exactly "
                           "(0 = none)."),
        ),
        reference=(
            "J. Yang, J. Wright, T. Huang and Y. Ma, Image super-resolution via sparse representation, IEEE TIP "
            "19(11), 2010; R. Zeyde, M. Elad and M. Protter, On single image scale-up using sparse-representations, "
            "Curves and Surfaces 2010."
        ),
        explanation=(
            "Two dictionaries were learned together from pairs of blurry (bicubic) and sharp patches, so that one "
            "sparse code describes both. Each patch of the bicubic enlargement is coded with a few atoms of the "
            "blurry dictionary, and the same code applied to the sharp dictionary predicts the detail that "
            "interpolation lost."
        ),
        needs=frozenset({"scale"}),
        auto_params=f"{_SR}:auto_sparse_sr",
    ),
)
