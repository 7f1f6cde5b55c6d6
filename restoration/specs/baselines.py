"""Registry entries: baselines."""

from ..algorithm import ALL_TASKS, AlgorithmSpec, RunCost

SPECS: tuple[AlgorithmSpec, ...] = (
    AlgorithmSpec(
        name="identity",
        title="Degraded input (no restoration)",
        family="baseline",
        tasks=ALL_TASKS,
        entry="restoration.classic.baselines:run_identity",
        cost=RunCost(gray=0.0016, colour=0.0049),
        reference="-",
        explanation=(
            "Returns the observation unchanged (enlarged by pixel repetition when it is smaller than the "
            "target). It is the baseline every method must beat: the 'degraded' column of the tables."
        ),
    ),
)
