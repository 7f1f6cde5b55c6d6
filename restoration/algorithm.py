"""What an algorithm is: :class:`AlgorithmSpec` and the list of families.

Kept apart from :mod:`restoration.registry` so that the light spec modules under
:mod:`restoration.specs` can build entries without importing the registry.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .observation import STEP_KINDS, TASK_KINDS, TASKS, Observation
from .params import ParamSpec, resolve_params

__all__ = ["ALL_TASKS", "FAMILIES", "AlgorithmSpec", "Denoiser", "RunCost"]

#: A denoiser as a prior: ``f(image, sigma)`` with ``image`` HxW or HxWxC float (values may leave [0, 1]) and
#: ``sigma`` the noise level on the 0-255 scale; returns an image of the same shape.
Denoiser = Callable[[np.ndarray, float], np.ndarray]

#: Shorthand for a method that applies to every task.
ALL_TASKS = frozenset(TASKS)

#: Algorithm families, in the order the app presents them, with display names.
FAMILIES: dict[str, str] = {
    "baseline": "Baselines",
    "filter": "Traditional filters",
    "wavelet": "Wavelet shrinkage",
    "sparse": "Sparse representation",
    "variational": "Variational models",
    "nonlocal": "Non-local methods",
    "deconvolution": "Deconvolution",
    "interpolation": "Interpolation and classic super-resolution",
    "inpainting": "Inpainting",
    "chain": "Classic chains (a denoiser, then the blur and resolution undone)",
    "deep": "Deep CNNs",
    "pnp": "Plug-and-play (learned prior in a variational solver)",
    "selfsup": "Self-supervised (learned from the noisy image alone)",
}


@dataclass(frozen=True)
class RunCost:
    """Measured run time of a method, in seconds per megapixel of its output.

    Taken on the project's reference machine (a 2-core x86_64 CPU; figures taken while other jobs
    shared it lean high) by ``scripts/bench_costs.py``: the method's slowest task, tuned defaults,
    after a warm-up. The figures live in ``restoration/data/costs.json`` with that machine and its
    calibration; the specs read them with :func:`restoration.costs.measured_cost`.
    :mod:`restoration.budget` multiplies them by the size of an image and by the speed of the
    machine at hand relative to the reference one to decide whether a run fits the time budget.

    Attributes
    ----------
    gray : float
        Seconds per megapixel on a gray image.
    colour : float
        Seconds per megapixel on an RGB image.
    fixed : float
        Seconds whatever the size (a method that trains a network on a fixed number of crops, say).
    """

    gray: float
    colour: float
    fixed: float = 0.0

    def __post_init__(self) -> None:
        if not (self.gray >= 0 and self.colour >= 0 and self.fixed >= 0):
            raise ValueError(f"run costs must be >= 0, got {self.gray!r} / {self.colour!r} / {self.fixed!r}")

    def seconds(self, shape: tuple[int, ...]) -> float:
        """Estimated seconds for an output of ``shape`` (HxW gray or HxWxC colour)."""
        megapixels = shape[0] * shape[1] / 1e6
        return self.fixed + megapixels * (self.colour if len(shape) == 3 and shape[2] > 1 else self.gray)


@dataclass(frozen=True)
class AlgorithmSpec:
    """Everything the app and the command line know about one algorithm.

    Attributes
    ----------
    name : str
        Registry key (fixed: benchmarks and docs refer to it).
    title : str
        Display name.
    family : str
        A key of :data:`FAMILIES`.
    tasks : frozenset of str
        Tasks (see :data:`~restoration.degradations.TASKS`) the method solves.
    entry : str
        ``"module:function"`` of the runner, imported on first use.
    params : tuple of ParamSpec
        Tunable parameters.
    reference : str
        The paper or book the method comes from.
    explanation : str
        Two or three plain sentences for students.
    needs : frozenset of str
        Facts about the degradation the method uses ("sigma", "kernel", "scale", "mask").
    seeded : bool
        The runner takes an ``rng`` keyword (randomised methods).
    uses_torch : bool
        The runner imports torch (slower first call).
    auto_params : str or None
        ``"module:function"`` returning parameter defaults tuned for an observation
        (e.g. a smoothing strength that follows the noise level); user values win.
    cost : RunCost or None
        Measured run time per megapixel (the time budget of the app's pages uses it);
        None when not measured yet.
    default_rank : int or None
        Where the method stands when the app pre-selects methods to compare (0 first; at most one method per
        family is pre-selected, so a family is represented by its strongest); None = after every ranked method.
    assets : tuple of str
        Files under ``assets/`` the method reads (weights, dictionaries), relative to it; their sha256 is part
        of every cached result's key (:mod:`restoration.provenance`).
    prior : str or None
        ``"module:function"`` of the method as a plain denoiser ``f(image, sigma) -> image`` (the
        :data:`Denoiser` protocol), for solvers that plug a denoiser in as their prior (plug-and-play, the
        classic chain); None for methods that are not denoisers.
    undoes : frozenset of str or None
        The kinds of degradation step (:data:`~restoration.observation.STEP_KINDS`: "noise", "blur",
        "downsample", "mask") the method removes. ``tasks`` says what it *runs* on (an output of the right
        size); ``undoes`` says what it *repairs*: bicubic interpolation runs on the combined task but undoes only
        the downsampling. The app offers a method for a pipeline only when it undoes every step of it
        (:func:`restoration.registry.task_rule`). None (for a new entry that does not say) stands for the plain
        kinds of its tasks (:data:`~restoration.observation.TASK_KINDS`); see :attr:`removes`.
    """

    name: str
    title: str
    family: str
    tasks: frozenset[str]
    entry: str
    params: tuple[ParamSpec, ...] = ()
    reference: str = ""
    explanation: str = ""
    needs: frozenset[str] = frozenset()
    seeded: bool = False
    uses_torch: bool = False
    auto_params: str | None = None
    cost: RunCost | None = None
    default_rank: int | None = None
    prior: str | None = None
    assets: tuple[str, ...] = ()
    undoes: frozenset[str] | None = None

    def __post_init__(self) -> None:
        if self.family not in FAMILIES:
            raise ValueError(f"{self.name}: unknown family {self.family!r}")
        unknown = set(self.tasks) - set(TASKS)
        if unknown or not self.tasks:
            raise ValueError(f"{self.name}: bad tasks {sorted(self.tasks)}")
        if ":" not in self.entry:
            raise ValueError(f"{self.name}: entry must be 'module:function'")
        if self.undoes is not None and not set(self.undoes) <= set(STEP_KINDS):
            raise ValueError(f"{self.name}: bad undoes {sorted(self.undoes)} (kinds: {', '.join(STEP_KINDS)})")

    @property
    def removes(self) -> frozenset[str]:
        """The kinds of step the method undoes: ``undoes``, or the plain kinds of its tasks when not stated."""
        if self.undoes is not None:
            return frozenset(self.undoes)
        return frozenset().union(*(TASK_KINDS[t] for t in self.tasks))

    @property
    def family_title(self) -> str:
        """Display name of the family."""
        return FAMILIES[self.family]

    def load(self) -> Callable[..., np.ndarray]:
        """Import and return the runner."""
        module, func = self.entry.split(":")
        return getattr(importlib.import_module(module), func)

    def load_prior(self) -> Denoiser:
        """Import and return the method as a :data:`Denoiser` (``ValueError`` if it is not one)."""
        if self.prior is None:
            raise ValueError(f"{self.name} is not a denoiser that can serve as a prior")
        module, func = self.prior.split(":")
        return getattr(importlib.import_module(module), func)

    def solves(self, observation: Observation) -> bool:
        """Whether this method applies to the observation's task."""
        return observation.task in self.tasks

    def defaults_for(self, observation: Observation | None) -> dict[str, Any]:
        """Default parameters, adapted to ``observation`` when the spec has ``auto_params``."""
        defaults = {p.name: p.default for p in self.params}
        if observation is not None and self.auto_params:
            module, func = self.auto_params.split(":")
            tuned = getattr(importlib.import_module(module), func)(observation)
            by_name = {p.name: p for p in self.params}
            defaults.update({k: by_name[k].coerce(v) for k, v in tuned.items() if k in by_name})
        return defaults

    def resolve(
        self,
        params: Mapping[str, Any] | None,
        observation: Observation | None = None,
        *,
        defaults: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Checked parameters: user values over (adapted) defaults.

        ``defaults`` are ``self.defaults_for(observation)`` when the caller already has them.

        Raises
        ------
        ParameterError
            For unknown names or values out of range.
        """
        resolved = resolve_params(self.params, params, owner=self.name)
        given = set(params or {})
        for key, value in (self.defaults_for(observation) if defaults is None else defaults).items():
            if key not in given:
                resolved[key] = value
        return resolved

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly description."""
        return {
            "name": self.name,
            "title": self.title,
            "family": self.family,
            "tasks": [t for t in TASKS if t in self.tasks],
            "params": [p.to_dict() for p in self.params],
            "reference": self.reference,
            "explanation": self.explanation,
            "needs": sorted(self.needs),
            "undoes": [k for k in STEP_KINDS if k in self.removes],
        }
