"""Typed parameter descriptions shared by degradation steps and algorithms.

A :class:`ParamSpec` says everything a user interface needs to build a widget
(type, default, range, step, choices, help text) and everything the command line
needs to turn ``key=value`` text into a checked Python value.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .errors import ParameterError

__all__ = ["ParamKind", "ParamSpec", "lam_param", "parse_value", "resolve_params", "sigma_param", "tuning_param"]

ParamKind = Literal["float", "int", "bool", "choice"]

_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


def parse_value(text: str) -> Any:
    """Turn the text of a ``key=value`` pair into a Python literal where possible.

    Numbers, booleans (``true``/``false`` in any case) and quoted strings are
    converted; anything else is returned as the stripped string itself.

    Parameters
    ----------
    text : str
        The value as typed by a user.

    Returns
    -------
    Any
        An int, float, bool or str.
    """
    text = text.strip()
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return text
    if isinstance(value, (int, float, str, bool)):
        return value
    return text


@dataclass(frozen=True)
class ParamSpec:
    """Description of one tunable parameter.

    Parameters
    ----------
    name : str
        Keyword name passed to the function.
    kind : {"float", "int", "bool", "choice"}
        Value type; ``choice`` takes one of ``choices``.
    default : Any
        Value used when the user sets nothing.
    low, high : float, optional
        Inclusive bounds for numeric kinds.
    step : float, optional
        Suggested slider step for a user interface.
    choices : tuple, optional
        Allowed values for ``choice``.
    help : str
        One sentence saying what the knob does and which way it pushes.
    label : str, optional
        Human-readable label; defaults to the name.
    """

    name: str
    kind: ParamKind
    default: Any
    low: float | None = None
    high: float | None = None
    step: float | None = None
    choices: tuple[Any, ...] = field(default_factory=tuple)
    help: str = ""
    label: str = ""

    def __post_init__(self) -> None:
        if self.kind not in ("float", "int", "bool", "choice"):
            raise ValueError(f"unknown parameter kind {self.kind!r}")
        if self.kind == "choice" and not self.choices:
            raise ValueError(f"choice parameter {self.name!r} needs choices")
        # The default must itself be valid: a spec that contradicts itself is a bug.
        self.coerce(self.default)

    @property
    def title(self) -> str:
        """The label shown to users."""
        return self.label or self.name.replace("_", " ")

    def coerce(self, value: Any) -> Any:
        """Convert ``value`` (possibly text) to this parameter's type and check its range.

        Raises
        ------
        ParameterError
            If the value has the wrong type, is not finite, or lies outside the range.
        """
        if isinstance(value, str) and self.kind != "choice":
            value = parse_value(value)
        if self.kind == "bool":
            if isinstance(value, bool):
                return value
            if isinstance(value, (int, float)) and value in (0, 1):
                return bool(value)
            if isinstance(value, str) and value.lower() in _TRUE | _FALSE:
                return value.lower() in _TRUE
            raise ParameterError(f"parameter '{self.name}' must be true or false, got {value!r}")
        if self.kind == "choice":
            for choice in self.choices:
                if value == choice or (isinstance(value, str) and str(choice) == value.strip()):
                    return choice
            allowed = ", ".join(str(c) for c in self.choices)
            raise ParameterError(f"parameter '{self.name}' must be one of {allowed}; got {value!r}")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ParameterError(f"parameter '{self.name}' must be a number, got {value!r}")
        try:
            finite = math.isfinite(value)
        except OverflowError:  # an int too large for a float: finite, but outside every range
            raise ParameterError(f"parameter '{self.name}' is far outside its range (too many digits)") from None
        if not finite:
            raise ParameterError(f"parameter '{self.name}' must be finite, got {value!r}")
        if self.kind == "int":
            if float(value) != int(value):
                raise ParameterError(f"parameter '{self.name}' must be a whole number, got {value!r}")
            value = int(value)
        else:
            value = float(value)
        if self.low is not None and value < self.low:
            raise ParameterError(f"parameter '{self.name}' must be >= {self.low:g}, got {value:g}")
        if self.high is not None and value > self.high:
            raise ParameterError(f"parameter '{self.name}' must be <= {self.high:g}, got {value:g}")
        return value

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly description (for listings and user interfaces)."""
        return {
            "name": self.name,
            "kind": self.kind,
            "default": self.default,
            "low": self.low,
            "high": self.high,
            "step": self.step,
            "choices": list(self.choices),
            "help": self.help,
            "label": self.title,
        }


def sigma_param(
    default: float = 0.0, *, high: float = 255.0, step: float = 1.0, effect: str = "", label: str = ""
) -> ParamSpec:
    """The noise-level knob ``sigma`` as every method states it (one meaning everywhere).

    ``sigma`` is the standard deviation of the noise on the 0-255 scale; 0 means "the known level of the
    observation, or an estimate from the image" (:func:`restoration.noise.noise_level`).

    Parameters
    ----------
    default : float
        Default value (often replaced by the observation's level through the method's ``auto_params``).
    high, step : float
        Upper bound and slider step.
    effect : str
        One sentence on what a larger value does for this method.
    label : str
        Display label (default: the name).

    Returns
    -------
    ParamSpec
    """
    text = "Noise level on the 0-255 scale (0 = the known level, or an estimate from the image)."
    return ParamSpec("sigma", "float", default, 0.0, high, step, help=f"{text} {effect}".strip(), label=label)


def lam_param(
    default: float, *, low: float = 0.0, high: float = 1.0, step: float = 0.0005, effect: str = ""
) -> ParamSpec:
    """The regularisation weight ``lam`` (lambda) of a variational energy ``data + lam * prior``.

    Parameters
    ----------
    default : float
        Default weight (often tuned to the noise level through the method's ``auto_params``).
    low, high, step : float
        Range and slider step.
    effect : str
        One sentence on what a larger weight does for this method.

    Returns
    -------
    ParamSpec
    """
    text = "Weight of the prior against the data (intensities in [0, 1])."
    return ParamSpec("lam", "float", default, low, high, step, help=f"{text} {effect}".strip())


def tuning_param(knob: str) -> ParamSpec:
    """The ``tuning`` choice of a self-tunable denoiser: its strength from rules, or from the noisy image alone.

    Parameters
    ----------
    knob : str
        The parameter that ``"self"`` chooses (e.g. ``"lam"`` or ``"sigma"``).

    Returns
    -------
    ParamSpec
    """
    return ParamSpec(
        "tuning", "choice", "auto", choices=("auto", "self"),
        help=(f"How {knob} is chosen: 'auto' uses the noise-level rule (or your value); 'self' picks it from the "
              "noisy image alone, by the self-supervised (Noise2Self) loss, overriding the value above -- no "
              "clean image, no known sigma. Slower: the method runs once per value tried."),
        label="tuning",
    )


def resolve_params(
    specs: Iterable[ParamSpec], given: Mapping[str, Any] | None, *, owner: str
) -> dict[str, Any]:
    """Merge user-given values with defaults, checking names, types and ranges.

    Parameters
    ----------
    specs : iterable of ParamSpec
        The parameters the owner accepts.
    given : mapping, optional
        Values supplied by the user (text or typed).
    owner : str
        Name of the step or algorithm, used in error messages.

    Returns
    -------
    dict
        Every parameter with a checked value.

    Raises
    ------
    ParameterError
        For an unknown name or a bad value.
    """
    specs = list(specs)
    by_name = {s.name: s for s in specs}
    given = dict(given or {})
    unknown = sorted(set(given) - set(by_name))
    if unknown:
        known = ", ".join(by_name) or "none"
        raise ParameterError(f"'{owner}' has no parameter {', '.join(map(repr, unknown))} (it takes: {known})")
    return {s.name: s.coerce(given[s.name]) if s.name in given else s.default for s in specs}
