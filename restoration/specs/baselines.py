"""Registry entries: baselines."""

from ..algorithm import ALL_TASKS, AlgorithmSpec
from ..costs import measured_cost

SPECS: tuple[AlgorithmSpec, ...] = (
    AlgorithmSpec(
        name="identity",
        title="Degraded input (no restoration)",
        family="baseline",
        tasks=ALL_TASKS,
        undoes=frozenset(),  # the reference every method must beat: it repairs nothing
        entry="restoration.classic.baselines:run_identity",
        cost=measured_cost("identity"),
        reference="-",
        explanation=(
            "Returns the observation unchanged (enlarged by pixel repetition when it is smaller than the "
            "target). It is the baseline every method must beat: the 'degraded' column of the tables."
        ),
    ),
)
