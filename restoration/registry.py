"""The algorithm registry: one explicit entry per restoration method.

Each :class:`AlgorithmSpec` says what a method is (name, family, tasks), how to
tune it (a list of :class:`~restoration.params.ParamSpec`, enough for a user
interface to build widgets), where it comes from (reference) and what it does in
plain words (explanation). The implementation is named by an import path
(``"module:function"``) and imported only when the method first runs, so that
``import restoration`` stays light (no torch, no streamlit).

A runner has the signature ``runner(observation, **params) -> ndarray`` (plus a
keyword ``rng`` when the spec says ``seeded=True``) and returns the restored image
on the output grid of the observation. :func:`run_algorithm` checks the parameters
going in and the image coming out.

Adding a method = writing its runner and adding one :class:`AlgorithmSpec` to
:data:`_SPECS` below; every page and the command line pick it up with no other change.
"""

from __future__ import annotations

import difflib
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import specs as _specs
from .algorithm import FAMILIES, AlgorithmSpec, Denoiser
from .costs import record_run
from .errors import ParameterError, RestorationError, TaskMismatchError, UnknownMethodError
from .observation import STEP_KINDS, TASKS, Observation, task_for

__all__ = [
    "FAMILIES",
    "PRESELECT",
    "REGISTRY",
    "AlgorithmSpec",
    "TaskRule",
    "algorithm_names",
    "denoiser",
    "get_algorithm",
    "list_algorithms",
    "preselect",
    "run_algorithm",
    "task_rule",
]

# Every family keeps its entries in its own light module under restoration/specs/
# (text and numbers only, no heavy imports); this tuple lists them explicitly.
_SPECS: tuple[AlgorithmSpec, ...] = (
    *_specs.baselines.SPECS,
    *_specs.filters.SPECS,
    *_specs.wavelet.SPECS,
    *_specs.sparse.SPECS,
    *_specs.variational.SPECS,
    *_specs.deconvolution.SPECS,
    *_specs.nonlocal_methods.SPECS,
    *_specs.interpolation.SPECS,
    *_specs.superres.SPECS,
    *_specs.inpainting.SPECS,
    *_specs.chain.SPECS,
    *_specs.deep.SPECS,
)
_names = [s.name for s in _SPECS]
if len(_names) != len(set(_names)):  # pragma: no cover - a packaging bug
    raise RuntimeError(f"duplicate algorithm names: {sorted(n for n in _names if _names.count(n) > 1)}")

#: All registered algorithms by name.
REGISTRY: dict[str, AlgorithmSpec] = {spec.name: spec for spec in _SPECS}


def get_algorithm(name: str) -> AlgorithmSpec:
    """Look up a method by name.

    Raises
    ------
    UnknownMethodError
        With the closest known names as a hint.
    """
    try:
        return REGISTRY[name]
    except (KeyError, TypeError):
        close = difflib.get_close_matches(str(name), REGISTRY, n=3)
        hint = f" -- did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise UnknownMethodError(
            f"unknown method {name!r}{hint} (run 'python -m restoration methods' for the list)"
        ) from None


def denoiser(name: str) -> Denoiser:
    """A registered denoiser as a prior ``f(image, sigma) -> image``, for plug-and-play and the classic chain.

    Solvers that alternate a data step with a denoising step take their denoiser by registry name through this
    one protocol (:data:`~restoration.algorithm.Denoiser`), so every denoiser whose spec names a ``prior``
    works in every such solver.

    Parameters
    ----------
    name : str
        A registry name whose spec has a ``prior`` (see :data:`restoration.specs.PRIORS`).

    Returns
    -------
    Denoiser
        ``f(image, sigma)``: ``image`` HxW or HxWxC float, ``sigma`` on the 0-255 scale.

    Raises
    ------
    UnknownMethodError, ParameterError
        For an unknown name, or a method that is not a denoiser.
    """
    spec = get_algorithm(name)
    if spec.prior is None:
        usable = ", ".join(s.name for s in REGISTRY.values() if s.prior is not None)
        raise ParameterError(f"{name!r} cannot serve as a prior (it is not a denoiser); use one of: {usable}")
    return spec.load_prior()


def algorithm_names() -> list[str]:
    """Names of all registered methods."""
    return list(REGISTRY)


def list_algorithms(task: str | None = None, family: str | None = None) -> list[AlgorithmSpec]:
    """Registered methods, optionally only those solving ``task`` and/or in ``family``.

    Raises
    ------
    RestorationError
        For an unknown task or family name.
    """
    if task is not None and task not in TASKS:
        raise RestorationError(f"unknown task {task!r} (tasks: {', '.join(TASKS)})")
    if family is not None and family not in FAMILIES:
        raise RestorationError(f"unknown family {family!r} (families: {', '.join(FAMILIES)})")
    return [
        s for s in REGISTRY.values()
        if (task is None or task in s.tasks) and (family is None or s.family == family)
    ]


#: Most methods pre-selected for a comparison (one per family).
PRESELECT = 4


def preselect(names: Sequence[str], k: int = PRESELECT) -> list[str]:
    """A default selection to compare: the ``k`` best-ranked methods of ``names``, at most one per family.

    Ranks are the specs' ``default_rank`` (0 first; unranked methods after every ranked one, in the order of
    ``names``). The identity baseline is never chosen: the degraded input is always shown anyway.

    Parameters
    ----------
    names : sequence of str
        Registry names to choose from (unknown names are ignored).
    k : int
        Most methods chosen.

    Returns
    -------
    list of str
        The chosen names, in the order of ``names``.
    """
    def rank(name: str) -> int:
        r = REGISTRY[name].default_rank
        return 999 if r is None else r

    candidates = sorted((n for n in dict.fromkeys(names) if n in REGISTRY and n != "identity"), key=rank)
    chosen: list[str] = []
    families: set[str] = set()
    for name in candidates:
        family = REGISTRY[name].family
        if family not in families and len(chosen) < k:
            chosen.append(name)
            families.add(family)
    return [n for n in dict.fromkeys(names) if n in chosen]


@dataclass(frozen=True)
class TaskRule:
    """What a degradation asks of the restoration methods: its task, the methods that undo it, the defaults.

    Attributes
    ----------
    kinds : frozenset of str
        The kinds of step of the degradation (:data:`~restoration.observation.STEP_KINDS`).
    task : str
        The task they pose (:func:`~restoration.observation.task_for`).
    methods : tuple of str
        The methods to offer, in registry order: those registered for the task that undo *every* kind of step
        (:attr:`AlgorithmSpec.removes`), plus the identity baseline (the reference, never pre-selected).
    defaults : tuple of str
        The methods to pre-select among them (:func:`preselect`): the best-ranked of each family, which brings
        in the survey's deep model of the task where it has one (``cnn_denoise``, ``cnn_sr``, ``cnn_combined``).
    left_out : tuple of str
        Methods registered for the task that run but leave some step undone (e.g. bicubic interpolation on
        blur + downsampling + noise), in registry order.
    """

    kinds: frozenset[str]
    task: str
    methods: tuple[str, ...]
    defaults: tuple[str, ...]
    left_out: tuple[str, ...]

    @property
    def key(self) -> str:
        """A short text naming the rule, e.g. ``"inpaint: noise+blur+mask"`` (changes when the offer changes)."""
        return f"{self.task}: {'+'.join(k for k in STEP_KINDS if k in self.kinds) or 'nothing'}"


def task_rule(degradation: Iterable[str] | Observation) -> TaskRule:
    """The task a degradation poses and the methods that can undo all of it.

    A pure function of the kinds of step (noise, blur, downsampling, mask) the degradation contains. The task
    follows :func:`~restoration.observation.task_for` (blur + noise + mask is inpainting, blur + downsampling +
    noise is the survey's combined task). A method is offered when it is registered for that task *and* undoes
    every kind of step present; so on blur + noise + mask, bicubic interpolation (which would return the input)
    and the classic chain (which leaves the holes) are not offered, and on a plain mask every inpainting method is.

    Parameters
    ----------
    degradation : iterable of str or Observation
        The kinds of step (each one of :data:`~restoration.observation.STEP_KINDS`), or an observation
        (its :attr:`~restoration.observation.Observation.kinds`).

    Returns
    -------
    TaskRule
        The task, the methods offered, the pre-selected ones and those left out.

    Raises
    ------
    ParameterError
        For an unknown kind of step.

    Examples
    --------
    >>> rule = task_rule({"blur", "noise", "mask"})
    >>> rule.task, "bicubic" in rule.methods, "pnp" in rule.methods
    ('inpaint', False, True)
    """
    kinds = degradation.kinds if isinstance(degradation, Observation) else frozenset(
        (degradation,) if isinstance(degradation, str) else degradation)
    task = task_for(kinds)
    registered = [s for s in REGISTRY.values() if task in s.tasks]
    offered = tuple(s.name for s in registered if s.family == "baseline" or kinds <= s.removes)
    left_out = tuple(s.name for s in registered if s.name not in offered)
    return TaskRule(kinds=frozenset(kinds), task=task, methods=offered, defaults=tuple(preselect(offered)),
                    left_out=left_out)


def run_algorithm(
    name: str | AlgorithmSpec,
    observation: Observation,
    params: Mapping[str, Any] | None = None,
    *,
    seed: int = 0,
) -> np.ndarray:
    """Run one registered method on an observation.

    Parameters
    ----------
    name : str or AlgorithmSpec
        The method.
    observation : Observation
        The degraded image and its degradation parameters.
    params : mapping, optional
        Parameter values (text or typed); missing ones take their (adapted) defaults.
    seed : int
        Seed for randomised methods.

    Returns
    -------
    numpy.ndarray
        The restored image: float32 in [0, 1], shaped ``observation.output_shape``.

    Raises
    ------
    UnknownMethodError, TaskMismatchError, ParameterError
        For a bad request (a message fit to show a user).
    """
    spec = name if isinstance(name, AlgorithmSpec) else get_algorithm(name)
    if not spec.solves(observation):
        fits = ", ".join(s.name for s in list_algorithms(observation.task)) or "none"
        raise TaskMismatchError(
            f"'{spec.name}' does not solve {observation.task!r} (it solves {', '.join(sorted(spec.tasks))}); "
            f"methods for {observation.task!r}: {fits}"
        )
    defaults = spec.defaults_for(observation)
    kwargs = spec.resolve(params, observation, defaults=defaults)
    at_defaults = kwargs == defaults  # the measured costs are for the defaults: only such runs are recorded
    if spec.seeded:
        kwargs["rng"] = np.random.default_rng(seed)
    runner = spec.load()
    start = time.perf_counter()
    result = np.asarray(runner(observation, **kwargs))
    seconds = time.perf_counter() - start
    if result.shape != observation.output_shape:
        raise RuntimeError(
            f"{spec.name} returned shape {result.shape}, expected {observation.output_shape}"
        )
    if not np.all(np.isfinite(result)):
        raise ParameterError(f"{spec.name} produced NaN or infinite values with these parameters")
    if at_defaults:
        record_run(spec.name, observation.output_shape, seconds)  # later estimates never promise less
    return np.clip(result, 0.0, 1.0).astype(np.float32, copy=False)
