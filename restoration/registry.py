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
from collections.abc import Mapping
from typing import Any

import numpy as np

from . import specs as _specs
from .algorithm import FAMILIES, AlgorithmSpec, Denoiser
from .costs import record_run
from .errors import ParameterError, RestorationError, TaskMismatchError, UnknownMethodError
from .observation import TASKS, Observation

__all__ = [
    "FAMILIES",
    "REGISTRY",
    "AlgorithmSpec",
    "algorithm_names",
    "denoiser",
    "get_algorithm",
    "list_algorithms",
    "run_algorithm",
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
