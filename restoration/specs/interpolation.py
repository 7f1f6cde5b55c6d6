"""Registry entries: interpolation and classic super-resolution."""

from ..algorithm import AlgorithmSpec

SPECS: tuple[AlgorithmSpec, ...] = (
    AlgorithmSpec(
        name="bicubic",
        title="Bicubic interpolation",
        family="interpolation",
        tasks=frozenset({"sr", "combined"}),
        entry="restoration.classic.interpolation:run_bicubic",
        reference="R. Keys, Cubic convolution interpolation for digital image processing, IEEE TASSP 1981.",
        explanation=(
            "Enlarges the image by fitting a smooth cubic curve through each 4x4 neighbourhood. It invents no "
            "detail, so edges look soft: the standard baseline of super-resolution."
        ),
        needs=frozenset({"scale"}),
    ),
)
