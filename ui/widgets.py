"""Widgets the pages share, generated from the package's own descriptions.

* :func:`param_widget` / :func:`param_widgets` build one widget per
  :class:`~restoration.params.ParamSpec` (slider, number box, check box or select
  box, with the spec's range, step and help text), so a new algorithm or
  degradation step appears in the app with no UI code.
* :func:`methods_for`, :func:`default_methods` and :func:`method_label` order and
  name the registry's methods for a task (families in :data:`restoration.FAMILIES` order).
* :func:`pipeline_editor` edits a degradation pipeline three ways that stay in
  step: a preset, a list of steps (add / move / remove, each with its parameter
  widgets) and the pipeline text.
* :func:`pipeline_task`, :func:`observation_from_degraded` and :func:`crop_percent`
  turn the pages' choices into what the library takes.

Decoding uploads (images and zip archives) lives in :mod:`ui.uploads`, free of Streamlit;
the names :func:`decode_upload`, :func:`safe_extract_zip` and :func:`images_from_zip` are
still importable from here.

Every widget is keyed (``"<page>.<name>"``, see :mod:`ui.keys`) and created
without a ``value`` argument: its first value is seeded into ``st.session_state``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from restoration import (
    FAMILIES,
    PRESETS,
    REGISTRY,
    STEPS,
    Observation,
    ParameterError,
    Pipeline,
    SpecError,
)
from restoration.degradations import Step
from restoration.observation import STEP_KINDS
from restoration.params import ParamSpec
from restoration.registry import PRESELECT, preselect, task_rule
from ui.keys import (
    DEGRADE_ADD,
    DEGRADE_ADD_STEP,
    DEGRADE_NEXT_UID,
    DEGRADE_PRESET,
    DEGRADE_SPEC_ERROR,
    DEGRADE_SPEC_TEXT,
    DEGRADE_STEP_PREFIX,
    DEGRADE_STEPS,
    PERSIST,
)
from ui.state import seed, seed_choice
from ui.uploads import UPLOAD_TYPES

__all__ = [
    "ASSUMED_TASKS",
    "DEFAULT_PRESET",
    "DEFAULT_WORK_PIXELS",
    "SLIDER_MAX_STEPS",
    "UPLOAD_TYPES",
    "WORK_SIZES",
    "auto_param_widgets",
    "crop_percent",
    "default_methods",
    "load_pipeline",
    "method_label",
    "methods_for",
    "methods_key",
    "nav_link",
    "observation_from_degraded",
    "offer_note",
    "param_key",
    "param_widget",
    "param_widgets",
    "pipeline_editor",
    "pipeline_task",
    "pipeline_text",
    "preset_label",
    "reset_widgets",
    "size_label",
    "task_rule_text",
    "unknown_noise_note",
    "upload_failed_note",
]

#: Preset used when nothing was chosen yet.
DEFAULT_PRESET = "noise25"
#: Working size (pixel budget) of an image when nothing was chosen yet.
DEFAULT_WORK_PIXELS = 512 * 512
#: A numeric parameter gets a slider when its range holds at most this many steps, else a number box.
SLIDER_MAX_STEPS = 600
#: Working sizes offered for speed: pixel budget -> label (0 = full size). A budget is a number of pixels, not a
#: shape: a larger image is shrunk, aspect ratio kept, until it has at most that many (a 3:2 photo under the
#: 512 × 512 budget becomes 627 × 418).
WORK_SIZES: dict[int, str] = {
    128 * 128: "up to 16 thousand pixels (128 × 128 or the same area) · instant",
    256 * 256: "up to 66 thousand pixels (256 × 256 or the same area) · fast",
    512 * 512: "up to 0.26 megapixels (512 × 512 or the same area)",
    1024 * 1024: "up to 1 megapixel (1024 × 1024 or the same area) · slow",
    0: "full size · slowest",
}


# --------------------------------------------------------------------------- parameter widgets
def _decimals(value: float | None, most: int = 4) -> int:
    """Number of decimals needed to write ``value`` (at most ``most``)."""
    if value is None or not math.isfinite(value):
        return 2
    text = f"{abs(value):.{most}f}".rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0


#: Suffix of the session-state flag that keeps a parameter's number box (see :func:`param_widget`).
_NUMBER_BOX = "#number-box"


def _on_grid(value: float, low: float, step: float) -> bool:
    """Whether a slider from ``low`` in steps of ``step`` can show ``value`` exactly."""
    steps = (float(value) - float(low)) / float(step)
    return abs(steps - round(steps)) < 1e-6


def _valid(spec: ParamSpec, value: Any) -> bool:
    try:
        coerced = spec.coerce(value)
    except ParameterError:
        return False
    return type(coerced) is type(value) or spec.kind == "choice"


def param_widget(
    spec: ParamSpec,
    key: str,
    default: Any,
    *,
    container: Any = None,
    on_change: Any = None,
    disabled: bool = False,
    explicit: bool = False,
) -> Any:
    """Draw the widget of one parameter and return its value.

    Booleans get a check box, choices a select box, numbers a slider when the range
    is short enough (:data:`SLIDER_MAX_STEPS`) and the value lies on the slider's steps,
    otherwise a number box. A value between the steps (the motion preset's noise sigma
    2.55 on a slider of whole numbers) would show rounded on a slider and could not be
    set back once moved; a number box shows it with all its decimals and takes any value
    typed. Once a key has needed a number box it keeps one (a flag beside it in session
    state, cleared with the key's other state by :func:`reset_widgets`), so typing a whole
    number into it does not turn it into a slider that cannot reach the old value again.
    Range, step and help text come from the spec. The widget's value persists across
    pages; a stored value that the spec no longer accepts is replaced by ``default``.

    Parameters
    ----------
    spec : ParamSpec
        The parameter.
    key : str
        Unique widget key.
    default : Any
        First value (e.g. from ``AlgorithmSpec.defaults_for(observation)``).
    container : DeltaGenerator, optional
        Where to draw (default: the main area).
    on_change : callable, optional
        Callback run when the user changes the value.
    disabled : bool
        Draw the widget greyed out.
    explicit : bool
        Give ``default`` to the widget itself (``value=`` / ``index=``) instead of seeding it
        into session state. The widget's own default is then ``default``, so a browser that
        mounts it without the server's value still shows (and sends back) ``default`` rather
        than Streamlit's fallback (a slider's minimum, a select box's first option). Use it
        with keys that change when ``default`` does (see :func:`auto_param_widgets`); the
        session-state value is never written, so no "default value and Session State" warning.

    Returns
    -------
    Any
        The current value, of the spec's type.
    """
    box = container if container is not None else st
    default = spec.coerce(default)
    state = st.session_state
    if key in state and not _valid(spec, state[key]):
        del state[key]
    common: dict[str, Any] = {
        "key": key, "help": spec.help or None, "on_change": on_change, "disabled": disabled, "persist_state": PERSIST,
    }
    if not explicit:
        seed(key, default)
    if spec.kind == "bool":
        return box.checkbox(spec.title, **({"value": default} if explicit else {}), **common)
    if spec.kind == "choice":
        choices = list(spec.choices)
        first = {"index": choices.index(default)} if explicit else {}
        return box.selectbox(spec.title, choices, format_func=str, **first, **common)
    is_int = spec.kind == "int"
    step: float = spec.step if spec.step else (1 if is_int else 0.01)
    shown = default if explicit else spec.coerce(state[key])  # the value the widget will show
    if is_int:
        step = max(1, int(step))
        fmt = "%d"
        cast: Any = int
    else:
        fmt = f"%.{max(_decimals(step), _decimals(default), _decimals(shown))}f"
        cast = float
    low = None if spec.low is None else cast(spec.low)
    high = None if spec.high is None else cast(spec.high)
    value = {"value": cast(default)} if explicit else {}
    short = low is not None and high is not None and (high - low) / step <= SLIDER_MAX_STEPS
    between = short and not (_on_grid(shown, low, step) and _on_grid(default, low, step))  # type: ignore[arg-type]
    boxed = f"{key}{_NUMBER_BOX}"
    if between and not explicit:  # an explicit widget's key holds its default: its kind never changes
        state[boxed] = True
    if short and not between and not state.get(boxed):
        return box.slider(spec.title, min_value=low, max_value=high, step=cast(step), format=fmt, **value, **common)
    return box.number_input(spec.title, min_value=low, max_value=high, step=cast(step), format=fmt, **value,
                            **common)


def param_widgets(
    params: Sequence[ParamSpec],
    key_prefix: str,
    defaults: Mapping[str, Any] | None = None,
    *,
    container: Any = None,
    columns: int = 2,
    on_change: Any = None,
) -> dict[str, Any]:
    """Draw the widgets of a parameter list in ``columns`` columns and return the values.

    Parameters
    ----------
    params : sequence of ParamSpec
        The parameters (an algorithm's ``spec.params`` or a step's).
    key_prefix : str
        Prefix of the widget keys; each key is ``key_prefix + param.name``.
    defaults : mapping, optional
        First values by name (missing names take ``param.default``).
    container : DeltaGenerator, optional
        Where to draw (default: the main area).
    columns : int
        Number of columns.
    on_change : callable, optional
        Callback run when any of the values changes.

    Returns
    -------
    dict
        Values by parameter name (empty for an empty list).
    """
    box = container if container is not None else st
    if not params:
        return {}
    defaults = defaults or {}
    cols = box.columns(min(columns, len(params))) if columns > 1 else [box]
    values: dict[str, Any] = {}
    for i, spec in enumerate(params):
        values[spec.name] = param_widget(
            spec, key_prefix + spec.name, defaults.get(spec.name, spec.default),
            container=cols[i % len(cols)], on_change=on_change,
        )
    return values


def param_key(prefix: str, name: str, default: Any) -> str:
    """Widget key of an automatically tuned parameter: its name and the default it starts from.

    Parameters
    ----------
    prefix : str
        Key prefix, e.g. ``"restore.param.wavelet.0."``.
    name : str
        Parameter name.
    default : Any
        The automatic value the widget starts from.

    Returns
    -------
    str
        ``f"{prefix}{name}={default!r}"``, e.g. ``"restore.param.wavelet.0.sigma=25.0"``.
    """
    return f"{prefix}{name}={default!r}"


def auto_param_widgets(
    params: Sequence[ParamSpec],
    key_prefix: str,
    defaults: Mapping[str, Any],
    *,
    forget_prefix: str | None = None,
    container: Any = None,
    columns: int = 3,
) -> dict[str, Any]:
    """Widgets of parameters whose defaults are tuned to the data (they follow it until the user edits them).

    Each widget's key holds the default it starts from (:func:`param_key`) and the widget
    is given that default itself (``explicit=True`` in :func:`param_widget`). So:

    * a parameter the user did not touch follows the data: when its automatic value
      changes (another noise level, scale, blur), the key changes and a new widget starts
      from the new value;
    * a value the user changed is kept (across reruns, page visits, new seeds or images)
      for as long as the automatic value it replaced stays the same;
    * the browser can never fall back to Streamlit's own default (a slider's minimum),
      and no value is pushed through session state, which a rerun racing with the
      browser could undo.

    Values kept under keys that are no longer drawn (older defaults) are forgotten, so
    session state stays bounded.

    Parameters
    ----------
    params : sequence of ParamSpec
        The parameters (an algorithm's ``spec.params``).
    key_prefix : str
        Prefix of the widget keys (see :func:`param_key`).
    defaults : mapping
        Automatic values by name (missing names take ``param.default``).
    forget_prefix : str, optional
        Keys starting with this that are not drawn now are deleted (default ``key_prefix``);
        give a shorter prefix when ``key_prefix`` carries a generation counter.
    container : DeltaGenerator, optional
        Where to draw (default: the main area).
    columns : int
        Number of columns.

    Returns
    -------
    dict
        Values by parameter name (empty for an empty list).
    """
    if not params:
        return {}
    box = container if container is not None else st
    firsts = {p.name: p.coerce(defaults.get(p.name, p.default)) for p in params}
    keys = {p.name: param_key(key_prefix, p.name, firsts[p.name]) for p in params}
    scope = forget_prefix if forget_prefix is not None else key_prefix
    current = set(keys.values())
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(scope) and k not in current]:
        del st.session_state[key]
    cols = box.columns(min(columns, len(params))) if columns > 1 else [box]
    return {
        p.name: param_widget(p, keys[p.name], firsts[p.name], container=cols[i % len(cols)], explicit=True)
        for i, p in enumerate(params)
    }


def reset_widgets(prefix: str) -> None:
    """Forget every widget value whose key starts with ``prefix`` (they are re-seeded when drawn).

    Parameters
    ----------
    prefix : str
        Key prefix, e.g. :data:`ui.keys.RESTORE_PARAM_PREFIX`.
    """
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(prefix)]:
        del st.session_state[key]


# --------------------------------------------------------------------------- methods
def methods_for(degradation: str | Observation) -> list[str]:
    """The methods to offer, grouped by family in FAMILIES order.

    Parameters
    ----------
    degradation : str or Observation
        An observation: the methods that undo *every* step of its degradation
        (:func:`restoration.registry.task_rule`; e.g. blur + noise + mask offers TV inpainting and plug-and-play,
        not bicubic interpolation or biharmonic inpainting). A task name (one of :data:`restoration.TASKS`):
        every method registered for the task, for pages that mix several pipelines of one task.

    Returns
    -------
    list of str
        Registry names (registry order within a family).
    """
    if isinstance(degradation, Observation):
        names = set(task_rule(degradation).methods)
        specs = [s for s in REGISTRY.values() if s.name in names]
    else:
        specs = [s for s in REGISTRY.values() if degradation in s.tasks]
    order = {family: i for i, family in enumerate(FAMILIES)}
    return [s.name for s in sorted(specs, key=lambda s: order.get(s.family, len(order)))]


def default_methods(names: Sequence[str], k: int = PRESELECT) -> list[str]:
    """A sensible default selection: up to ``k`` strong methods, each from a different family.

    The identity baseline is never chosen (the degraded input is always shown anyway). The ranks are the
    specs' ``default_rank`` (:func:`restoration.registry.preselect`).

    Parameters
    ----------
    names : sequence of str
        The methods to choose from (e.g. :func:`methods_for`).
    k : int
        Most methods chosen.

    Returns
    -------
    list of str
        Chosen names, in the order of ``names``.
    """
    return preselect(names, k)


def methods_key(observation: Observation) -> str:
    """A text that changes whenever the methods offered for ``observation`` change (its task and kinds of step).

    A page re-applies :func:`default_methods` when this key changes, e.g. from a plain mask (every inpainting
    method) to blur + noise + mask (only those that also deblur and denoise), though the task is the same.

    Parameters
    ----------
    observation : Observation
        The current observation.

    Returns
    -------
    str
        E.g. ``"inpaint: noise+blur+mask"``.
    """
    return task_rule(observation).key


_KIND_WORDS = {"noise": "the noise", "blur": "the blur", "downsample": "the lost resolution", "mask": "the holes"}


def offer_note(observation: Observation) -> str:
    """One sentence on which methods the task rule leaves out for ``observation`` and why ("" when none).

    Parameters
    ----------
    observation : Observation
        The current observation.

    Returns
    -------
    str
        E.g. ``"Not offered here, as each would leave part of the degradation in place: Bicubic interpolation
        (leaves the noise and the blur); ..."``; empty when every method registered for the task undoes all of it.
    """
    rule = task_rule(observation)
    if not rule.left_out:
        return ""
    parts = []
    for name in rule.left_out:
        spec = REGISTRY[name]
        missing = [_KIND_WORDS[k] for k in STEP_KINDS if k in rule.kinds and k not in spec.removes]
        words = missing[0] if len(missing) == 1 else f"{', '.join(missing[:-1])} and {missing[-1]}"
        parts.append(f"{spec.title} (leaves {words})")
    return "Not offered here, as each would leave part of the degradation in place: " + "; ".join(parts) + "."


def method_label(name: str) -> str:
    """Display label of a method: its title and family.

    Parameters
    ----------
    name : str
        Registry name (``"degraded"`` labels the degraded input).

    Returns
    -------
    str
        E.g. ``"Median filter · Traditional filters"``.
    """
    spec = REGISTRY.get(name)
    if spec is None:
        return "Degraded input" if name == "degraded" else name
    return f"{spec.title} · {spec.family_title}"


def preset_label(key: str) -> str:
    """Label of a degradation preset in a select box, with its task.

    Parameters
    ----------
    key : str
        A key of :data:`restoration.PRESETS`.

    Returns
    -------
    str
        E.g. ``"denoise · Gaussian noise, sigma 25"``.
    """
    preset = PRESETS[key]
    return f"{preset.task} · {preset.label}"


def size_label(pixels: int) -> str:
    """Label of a working size (:data:`WORK_SIZES`).

    Parameters
    ----------
    pixels : int
        A pixel budget; 0 means full size.

    Returns
    -------
    str
        Its label: a pixel budget (aspect ratio kept), e.g. ``"up to 0.26 megapixels (512 × 512 or the same
        area)"``.
    """
    return WORK_SIZES.get(pixels, f"up to {pixels:,} pixels")


# --------------------------------------------------------------------------- pipeline editor
def _step_key(uid: int, param: str) -> str:
    return f"{DEGRADE_STEP_PREFIX}{uid}.{param}"


def _new_step(name: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
    state = st.session_state
    uid = int(state.get(DEGRADE_NEXT_UID, 0))
    state[DEGRADE_NEXT_UID] = uid + 1
    values = dict(params or {})
    for spec in STEPS[name].params:
        state[_step_key(uid, spec.name)] = spec.coerce(values.get(spec.name, spec.default))
    return {"uid": uid, "name": name}


def load_pipeline(text: str) -> None:
    """Replace the edited pipeline by the one written in ``text`` (usable in a callback).

    Parameters
    ----------
    text : str
        Pipeline text, e.g. ``"motion_blur(length=9) | gaussian_noise(sigma=10)"``.

    Raises
    ------
    SpecError
        If the text does not parse; the edited pipeline is then left as it was.
    """
    pipeline = Pipeline.parse(text)
    reset_widgets(DEGRADE_STEP_PREFIX)
    st.session_state[DEGRADE_STEPS] = [_new_step(step.name, step.params) for step in pipeline.steps]
    st.session_state[DEGRADE_SPEC_ERROR] = None


def pipeline_text() -> str:
    """The edited pipeline as text (numbers always written; switches and choices when not the default).

    Returns
    -------
    str
        Canonical pipeline text; empty for no steps.
    """
    state = st.session_state
    steps = []
    for step in state.get(DEGRADE_STEPS) or []:
        spec = STEPS[step["name"]]
        params = {p.name: state.get(_step_key(step["uid"], p.name), p.default) for p in spec.params}
        given = tuple(p.name for p in spec.params if p.kind in ("int", "float") or params[p.name] != p.default)
        steps.append(Step(spec.name, params, given))
    return Pipeline(tuple(steps)).to_text()


def _on_preset() -> None:
    load_pipeline(PRESETS[st.session_state[DEGRADE_PRESET]].spec)


def _on_text() -> None:
    try:
        load_pipeline(st.session_state[DEGRADE_SPEC_TEXT])
    except SpecError as exc:
        st.session_state[DEGRADE_SPEC_ERROR] = str(exc)


def _on_add() -> None:
    steps = list(st.session_state.get(DEGRADE_STEPS) or [])
    steps.append(_new_step(st.session_state[DEGRADE_ADD_STEP]))
    st.session_state[DEGRADE_STEPS] = steps
    st.session_state[DEGRADE_SPEC_ERROR] = None


def _on_remove(uid: int) -> None:
    st.session_state[DEGRADE_STEPS] = [s for s in st.session_state[DEGRADE_STEPS] if s["uid"] != uid]
    reset_widgets(f"{DEGRADE_STEP_PREFIX}{uid}.")
    st.session_state[DEGRADE_SPEC_ERROR] = None


def _on_up(uid: int) -> None:
    steps = list(st.session_state[DEGRADE_STEPS])
    i = next(i for i, s in enumerate(steps) if s["uid"] == uid)
    if i > 0:
        steps[i - 1], steps[i] = steps[i], steps[i - 1]
    st.session_state[DEGRADE_STEPS] = steps
    st.session_state[DEGRADE_SPEC_ERROR] = None


def _clear_error() -> None:
    st.session_state[DEGRADE_SPEC_ERROR] = None


def pipeline_editor(initial: str = "") -> str:
    """Edit a degradation pipeline: preset, steps with their parameters, and the text.

    The three views stay in step: choosing a preset loads its steps; editing a
    step's parameters, adding, moving or removing a step rewrites the text; typing
    a valid text loads its steps (an invalid one shows the package's message and
    leaves the steps as they were).

    Parameters
    ----------
    initial : str
        Pipeline text to start from when nothing is being edited yet (e.g. the
        pipeline chosen earlier in the session); default: :data:`DEFAULT_PRESET`.

    Returns
    -------
    str
        The pipeline text in effect (always valid; may be empty: no degradation).
    """
    state = st.session_state
    if state.get(DEGRADE_STEPS) is None:
        try:
            load_pipeline(initial or PRESETS[DEFAULT_PRESET].spec)
        except SpecError:
            load_pipeline(PRESETS[DEFAULT_PRESET].spec)
    preset_keys = list(PRESETS)
    text = pipeline_text()
    full = Pipeline.parse(text).to_text(full=True)
    matching = [k for k in preset_keys if Pipeline.parse(PRESETS[k].spec).to_text(full=True) == full]
    seed_choice(DEGRADE_PRESET, preset_keys, matching[0] if matching else DEFAULT_PRESET)
    st.selectbox(
        "Preset", preset_keys, format_func=preset_label, key=DEGRADE_PRESET, on_change=_on_preset,
        persist_state=PERSIST,
        help="Ready-made degradations for each task; the last one is the survey's combined experiment.",
    )
    preset = PRESETS[state[DEGRADE_PRESET]]
    if Pipeline.parse(preset.spec).to_text(full=True) == full:
        st.caption(preset.description)
    else:
        st.caption(f"Edited from the preset *{preset.label}*.")

    if state.get(DEGRADE_SPEC_ERROR) is None and state.get(DEGRADE_SPEC_TEXT) != text:
        state[DEGRADE_SPEC_TEXT] = text  # only when it changes: a write is pushed to the browser, over any typing
    st.text_input(
        "Pipeline text", key=DEGRADE_SPEC_TEXT, on_change=_on_text, persist_state=PERSIST,
        help="Steps separated by '|', e.g. motion_blur(length=9, angle=30) | gaussian_noise(sigma=10). "
             "Edit and press Enter to apply.",
    )
    if state.get(DEGRADE_SPEC_ERROR):
        st.error(f"{state[DEGRADE_SPEC_ERROR]} — still using: `{text or '(no degradation)'}`", icon=":material/error:")

    with st.expander(f"Steps ({len(state[DEGRADE_STEPS])})", expanded=True, icon=":material/tune:"):
        if not state[DEGRADE_STEPS]:
            st.caption("No steps: the image is not degraded.")
        for i, step in enumerate(state[DEGRADE_STEPS]):
            spec = STEPS[step["name"]]
            with st.container(border=True):
                head, up, remove = st.columns([8, 1, 1], vertical_alignment="center")
                head.markdown(f"**{i + 1}. `{spec.name}`** — {spec.help}")
                up.button(
                    "", icon=":material/arrow_upward:", key=f"degrade.up.{step['uid']}", help="Move this step up",
                    on_click=_on_up, args=(step["uid"],), disabled=i == 0,
                )
                remove.button(
                    "", icon=":material/delete:", key=f"degrade.remove.{step['uid']}", help="Remove this step",
                    on_click=_on_remove, args=(step["uid"],),
                )
                param_widgets(spec.params, f"{DEGRADE_STEP_PREFIX}{step['uid']}.", columns=3, on_change=_clear_error)
        names = list(STEPS)
        seed_choice(DEGRADE_ADD_STEP, names, "gaussian_noise")
        pick, add = st.columns([3, 1], vertical_alignment="bottom")
        pick.selectbox(
            "Step to add", names, key=DEGRADE_ADD_STEP, persist_state=PERSIST,
            format_func=lambda n: f"{n} ({STEPS[n].kind})", help="Its parameters can be set once it is added.",
        )
        add.button("Add", key=DEGRADE_ADD, icon=":material/add:", on_click=_on_add, width="stretch",
                   help="Add the chosen step at the end of the pipeline")
    return text


# --------------------------------------------------------------------------- navigation
def nav_link(page: str, label: str, icon: str | None = None, *, container: Any = None) -> None:
    """A link to another page of the app (plain text when the page is run on its own, as in tests).

    Parameters
    ----------
    page : str
        Page file relative to the entry point, e.g. ``"pages/2_Restore.py"`` (a page ``app.py`` lists).
    label : str
        Link text.
    icon : str, optional
        Material icon, e.g. ``":material/arrow_forward:"``.
    container : DeltaGenerator, optional
        Where to draw (default: the main area).
    """
    box = container if container is not None else st
    try:
        box.page_link(page, label=label, icon=icon)
    except StreamlitPageNotFoundError:
        shown = label if "**" in label else f"**{label}**"  # a label may bring its own bold part
        box.markdown(f"{shown} — open it from the navigation.")


# --------------------------------------------------------------------------- observations
#: Tasks an already-degraded upload can pose (inpainting needs a mask, which a photo does not carry).
ASSUMED_TASKS: tuple[str, ...] = ("denoise", "deblur", "sr")


def pipeline_task(spec: str) -> str:
    """The restoration task a benchmark degradation poses (:func:`restoration.benchmark.degradation_task`).

    A pipeline's task follows the kinds of step it applies (:attr:`restoration.Pipeline.task`); ``"as-is"``
    (photos that came degraded) is denoising.

    Parameters
    ----------
    spec : str
        Pipeline text.

    Returns
    -------
    str
        One of :data:`restoration.TASKS`.

    Raises
    ------
    SpecError
        If the text does not parse.
    """
    from restoration.benchmark import degradation_task

    return degradation_task(spec)


def observation_from_degraded(
    image: np.ndarray, task: str, *, sigma: float = 0.0, scale: int = 2, blur: str = ""
) -> Observation:
    """Wrap an already-degraded photo (no ground truth) with what the user says about it.

    Parameters
    ----------
    image : numpy.ndarray
        The degraded photo, float32 in [0, 1].
    task : {"denoise", "deblur", "sr"}
        What to undo.
    sigma : float
        Noise standard deviation on the 0-255 scale (0 = unknown / none; methods estimate it).
    scale : int
        Upscaling factor for ``"sr"``.
    blur : str
        For ``"deblur"``: the blur as pipeline text of blur steps only, e.g. ``"gaussian_blur(sigma=1.6)"``.

    Returns
    -------
    Observation
        With no ``clean`` image; ``kernel`` set for deblurring, ``scale`` for super-resolution.

    Raises
    ------
    SpecError
        For an unknown task, or a blur text that is not made of blur steps.
    """
    if task not in ASSUMED_TASKS:
        raise SpecError(f"an uploaded degraded photo can be restored for {', '.join(ASSUMED_TASKS)}; got {task!r}")
    base = Observation.from_degraded(image, scale=int(scale) if task == "sr" else 1,
                                     sigma=float(sigma) if sigma else None)  # 0: unknown, so estimated
    if task != "deblur":
        return base
    pipeline = Pipeline.parse(blur)
    if not pipeline.steps or any(step.spec.kind != "blur" for step in pipeline.steps):
        blurs = ", ".join(n for n, s in STEPS.items() if s.kind == "blur")
        raise SpecError(f"describe the blur with blur steps only ({blurs}), e.g. gaussian_blur(sigma=1.6)")
    probe = pipeline.apply(np.full((64, 64), 0.5, np.float32), seed=0)
    return replace(base, kernel=probe.kernel, boundary=probe.boundary, spec="")


_KIND_NAMES = {"noise": "noise", "blur": "blur", "downsample": "downsampling", "mask": "missing pixels"}


def task_rule_text(observation: Observation) -> str:
    """One or two sentences on what the degradation contains, the task it poses and the methods offered for it.

    Parameters
    ----------
    observation : Observation
        The current observation.

    Returns
    -------
    str
        Markdown, e.g. ``"It contains noise + blur + missing pixels, so the task is **inpaint**: the Restore page
        offers the methods that undo all of it -- Total-variation inpainting, Plug-and-play (...). Not offered
        here, ..."``.
    """
    rule = task_rule(observation)
    contains = " + ".join(_KIND_NAMES[k] for k in STEP_KINDS if k in rule.kinds) or "no degradation"
    offered = [REGISTRY[n].title for n in methods_for(observation) if REGISTRY[n].family != "baseline"]
    listed = ", ".join(offered) if len(offered) <= 6 else f"{len(offered)} methods"
    text = (f"It contains {contains}, so the task is **{rule.task}**: the Restore page offers the methods that "
            f"undo all of it — {listed}.")
    note = offer_note(observation)
    return f"{text} {note}" if note else text


def unknown_noise_note(observation: Observation) -> tuple[str, bool]:
    """What the methods will assume about a noise level the observation does not state.

    An uploaded photo with the noise level left at 0 (unknown), or a pipeline whose noise is not Gaussian (camera,
    Poisson, impulse, JPEG), leaves the methods to estimate the level from the pixels. The estimate reads low on
    JPEG and phone photos (compression hides the noise from it); methods that undo a blur or a lower resolution --
    plug-and-play above all, which has no noise-level knob of its own -- then amplify what is left.

    Parameters
    ----------
    observation : Observation
        The current observation.

    Returns
    -------
    message : str
        The estimated level and, when a blur or a lower resolution is to be undone, the risk and what to do
        (for an upload: state a level); empty when the level is known (or known to be zero).
    warn : bool
        True when the message is a warning (blur or downsampling to undo), False for a plain note.
    """
    from restoration.noise import estimate_noise_sigma

    sigma = observation.sigma
    if (sigma is not None and sigma > 0) or (sigma is not None and not observation.noise):
        return "", False
    estimate = estimate_noise_sigma(observation.degraded)
    what = "unknown" if sigma is None else "not recorded (the noise is not Gaussian)"
    text = f"Noise level {what}: the methods estimate it from the pixels — here σ ≈ {estimate:.1f}."
    if not observation.kinds & {"blur", "downsample"}:
        return text, False
    advice = ("If a result looks broken, enter a noise level above (5 is a safe start)." if observation.clean is None
              else "On the Restore page, Wiener deconvolution's sigma or a TV weight can be raised by hand; "
              "plug-and-play has no such knob.")
    return (f"{text} The estimate reads low on JPEG and phone photos (compression hides the noise from it), and "
            "methods that undo a blur or a lower resolution — plug-and-play above all — then amplify what is left "
            f"into ripples or blotches. {advice}"), True


def upload_failed_note(failed: str, kept: str | None) -> str:
    """What the Degrade page uses after an upload that could not be decoded.

    Parameters
    ----------
    failed : str
        Name of the file that failed.
    kept : str or None
        Name of the earlier upload still in use, or None when there is none.

    Returns
    -------
    str
        Markdown for a warning.
    """
    if kept is not None:
        return (f"The upload of **{failed}** failed (see above), so this page still uses the earlier upload "
                f"**{kept}**. Upload another file to replace it, or switch to the sample gallery.")
    return (f"The upload of **{failed}** failed (see above) and there is no earlier upload: showing the first "
            "sample image meanwhile.")


def crop_percent(image: np.ndarray, rows: tuple[float, float], cols: tuple[float, float]) -> np.ndarray:
    """Crop ``image`` to a band of rows and columns given in percent (at least 16 pixels each way).

    Parameters
    ----------
    image : numpy.ndarray
        HxW or HxWxC image.
    rows, cols : (float, float)
        First and last percent (0-100) of the height and the width to keep.

    Returns
    -------
    numpy.ndarray
        The crop (a view).
    """
    h, w = image.shape[:2]

    def span(lo: float, hi: float, n: int) -> tuple[int, int]:
        a, b = sorted((float(lo), float(hi)))
        start, stop = round(a / 100.0 * n), round(b / 100.0 * n)
        need = min(16, n)
        if stop - start < need:
            start = max(0, min(start, n - need))
            stop = start + need
        return start, stop

    r0, r1 = span(*rows, h)
    c0, c1 = span(*cols, w)
    return image[r0:r1, c0:c1]
