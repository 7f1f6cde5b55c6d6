"""Registry entries: traditional local filters."""

from ..algorithm import AlgorithmSpec
from ..params import ParamSpec

SPECS: tuple[AlgorithmSpec, ...] = (
    AlgorithmSpec(
        name="median",
        title="Median filter",
        family="filter",
        tasks=frozenset({"denoise"}),
        entry="restoration.classic.filters:run_median",
        params=(
            ParamSpec("size", "int", 3, 1, 15, 1,
                      help="Width of the square window; larger removes more noise and more detail."),
        ),
        reference="J. W. Tukey, Exploratory Data Analysis, 1977; T. Huang et al., IEEE TASSP 1979.",
        explanation=(
            "Replaces each pixel by the median of its neighbourhood. Isolated outliers (salt-and-pepper "
            "noise) vanish while edges stay sharp, but fine texture is flattened."
        ),
    ),
)
