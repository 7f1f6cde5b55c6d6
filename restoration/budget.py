"""Time budget: estimate how long a method will take on an image, and refuse runs that would hang a page.

Every registry entry carries a measured :class:`~restoration.algorithm.RunCost` (seconds per
megapixel of output, gray and colour, on the reference machine of ``restoration/data/costs.json``).
Before a page runs a method it asks :func:`estimate`, which scales that cost to the machine at hand
(:func:`machine_factor`, measured once per process; see :mod:`restoration.costs`) and never goes below
what the method was just seen to take here. A method whose estimate exceeds the budget is not run
(the page says which, how long it would take and what to do: crop, choose a smaller working size, or
run it anyway), while the other methods still run.

The budget is :data:`DEFAULT_BUDGET_S` seconds per method and image, or the value of the
environment variable :data:`BUDGET_ENV` (seconds; ``0``, ``off`` or ``none`` switch the check off),
read on every call so that a server can be configured at start-up and tests can lower it.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .algorithm import AlgorithmSpec
from .costs import machine_factor, observed_seconds
from .errors import RestorationError

__all__ = [
    "ADVICE",
    "BUDGET_ENV",
    "DEFAULT_BUDGET_S",
    "Estimate",
    "estimate",
    "machine_factor",
    "split_by_budget",
    "time_budget",
]

#: Seconds one method may take on one image before a page refuses to run it unasked.
DEFAULT_BUDGET_S = 30.0
#: Environment variable overriding :data:`DEFAULT_BUDGET_S` (seconds; 0 / off / none: no limit).
BUDGET_ENV = "RESTORATION_TIME_BUDGET"
#: What :meth:`Estimate.message` tells the user to do by default.
ADVICE = ("Crop a region or choose a smaller working size on the Degrade page, or tick "
          "*Run slow methods anyway*.")


def time_budget() -> float:
    """The time budget in seconds (``math.inf`` when switched off).

    Returns
    -------
    float
        :data:`DEFAULT_BUDGET_S`, or the value of :data:`BUDGET_ENV` when it is set.

    Raises
    ------
    RestorationError
        When :data:`BUDGET_ENV` is set to something that is not a number of seconds.
    """
    text = os.environ.get(BUDGET_ENV, "").strip().lower()
    if not text:
        return DEFAULT_BUDGET_S
    if text in ("0", "off", "none", "inf"):
        return math.inf
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not value > 0:  # also NaN
        raise RestorationError(f"{BUDGET_ENV} must be a number of seconds (or 'off'), got {text!r}")
    return value


@dataclass(frozen=True)
class Estimate:
    """How long one method should take on one image, against the budget.

    Attributes
    ----------
    method : str
        Registry name.
    title : str
        Display name of the method.
    seconds : float
        Estimated run time (NaN when the method's cost was never measured).
    budget : float
        The budget it is held to (``math.inf``: no limit).
    shape : tuple of int
        Output shape the estimate is for.
    """

    method: str
    title: str
    seconds: float
    budget: float
    shape: tuple[int, ...]

    @property
    def over(self) -> bool:
        """Whether the estimate exceeds the budget (an unknown cost never does)."""
        return math.isfinite(self.seconds) and self.seconds > self.budget

    @property
    def megapixels(self) -> float:
        """Megapixels of the output."""
        return self.shape[0] * self.shape[1] / 1e6

    def message(self, advice: str = ADVICE, *, image: str = "this") -> str:
        """A sentence for the user: the method, the estimate, the budget and what to do.

        Parameters
        ----------
        advice : str
            What to do about it (default :data:`ADVICE`, fit for the Restore page).
        image : str
            How to name the image: ``"on this 512×384 colour image"`` by default.

        Returns
        -------
        str
        """
        h, w = self.shape[:2]
        kind = "colour" if len(self.shape) == 3 and self.shape[2] > 1 else "gray"
        return (
            f"{self.title} is held back: it would take about {_duration(self.seconds)} on {image} {w}×{h} {kind} image "
            f"({self.megapixels:.1f} megapixels), over the time budget of {_duration(self.budget)} per method. "
            + advice
        )


def _duration(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "an unknown time"
    if seconds < 1:
        return f"{seconds:.2g} s"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def estimate(method: AlgorithmSpec, shape: Sequence[int], *, budget: float | None = None) -> Estimate:
    """Estimate the run time of ``method`` for an output of ``shape``.

    Parameters
    ----------
    method : AlgorithmSpec
        The registry entry (its ``cost``).
    shape : sequence of int
        Output shape: ``(H, W)`` gray or ``(H, W, C)`` colour (``Observation.output_shape``).
    budget : float, optional
        Seconds allowed; default :func:`time_budget`.

    Returns
    -------
    Estimate
        The measured cost times :func:`machine_factor` (the torch one for a method that
        ``uses_torch``: the first such estimate imports torch), or what the method took lately here
        at default parameters when that is longer (:func:`restoration.costs.observed_seconds`).
        NaN seconds when the method has no measured cost (it is then never refused).
    """
    shape = tuple(int(s) for s in shape)
    if method.cost is None:
        seconds = math.nan
    else:
        seconds = method.cost.seconds(shape) * machine_factor(torch=method.uses_torch)
        seen = observed_seconds(method.name, shape)
        if seen > seconds:  # False for NaN: never observed
            seconds = seen
    return Estimate(method.name, method.title, seconds, time_budget() if budget is None else float(budget), shape)


def split_by_budget(
    methods: Iterable[AlgorithmSpec], shape: Sequence[int], *, budget: float | None = None, run_anyway: bool = False
) -> tuple[list[Estimate], list[Estimate]]:
    """Sort methods into those that fit the budget and those that would take too long.

    Parameters
    ----------
    methods : iterable of AlgorithmSpec
        The methods chosen, in order.
    shape : sequence of int
        Output shape of the image they would run on (the largest one, for several images).
    budget : float, optional
        Seconds allowed per method; default :func:`time_budget`.
    run_anyway : bool
        The user asked for slow methods too: nothing is held back.

    Returns
    -------
    to_run : list of Estimate
        Methods to run, in the given order.
    held_back : list of Estimate
        Methods over the budget (empty when ``run_anyway``); show :meth:`Estimate.message`.
    """
    limit = time_budget() if budget is None else float(budget)
    estimates = [estimate(m, shape, budget=limit) for m in methods]
    if run_anyway:
        return estimates, []
    return [e for e in estimates if not e.over], [e for e in estimates if e.over]
