"""Registry entries: inpainting by interpolation (biharmonic)."""

from ..algorithm import AlgorithmSpec
from ..costs import measured_cost
from ..params import ParamSpec

SPECS: tuple[AlgorithmSpec, ...] = (
    AlgorithmSpec(
        name="biharmonic",
        title="Biharmonic inpainting",
        family="inpainting",
        tasks=frozenset({"inpaint"}),
        undoes=frozenset({"mask"}),
        entry="restoration.classic.inpainting:run_biharmonic",
        cost=measured_cost("biharmonic"),
        params=(
            ParamSpec("solver", "choice", "multigrid", choices=("multigrid", "direct"),
                      help="Coarse-to-fine conjugate gradients (fast) or scikit-image's exact sparse solve (slow "
                           "when much is missing)."),
            ParamSpec("iterations", "int", 40, 5, 500, 5,
                      help="Conjugate-gradient steps of the fast solver; more matters only for very large holes."),
        ),
        reference=(
            "S. B. Damelin and N. S. Hoang, On surface completion and image inpainting by biharmonic functions: "
            "numerical aspects, Int. J. Math. Math. Sci. 2018 (scikit-image's inpaint_biharmonic)."
        ),
        explanation=(
            "Fills the holes like a thin elastic plate pinned at the known pixels: the surface that bends the "
            "least. Smooth shading and gradients continue seamlessly into the holes; texture and sharp edges "
            "across large holes cannot be recovered and come out blurred."
        ),
        needs=frozenset({"mask"}),
    ),
)
