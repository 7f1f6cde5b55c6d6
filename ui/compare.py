"""Comparing restored images: the metric table, the winner in words, a before/after slider, zoomed crops,
error maps and their colour scale.

Everything here but :func:`show_slider` is plain NumPy/pandas (testable without
Streamlit). The slider is a small self-contained HTML/JS component: both images
travel inside the page as base64 PNG ``data:`` URIs, with no external script,
style sheet or font, so it works offline.
"""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import html
import json
import math
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from restoration import REGISTRY, Observation, psnr, ssim
from restoration.images import encode_png, to_rgb, to_uint8
from restoration.results import NO_REFERENCE_NOTE

__all__ = [
    "DEGRADED",
    "DEGRADED_TITLE",
    "METRIC_COLUMNS",
    "VISIBILITY_RULE",
    "RestoreRun",
    "colour_map",
    "colour_scale_svg",
    "crop_box",
    "degraded_on_grid",
    "draw_box",
    "error_map",
    "kernel_image",
    "metric_table",
    "params_text",
    "resolved_params",
    "show_slider",
    "slider_html",
    "time_text",
    "title_of",
    "to_data_uri",
    "visibility",
    "winner_summary",
    "zoom",
]

#: Name of the degraded input's row in the metric table.
DEGRADED = "degraded"
#: Columns of :func:`metric_table`, in display order.
METRIC_COLUMNS: tuple[str, ...] = (
    "method", "title", "family", "PSNR (dB)", "SSIM", "gain (dB)", "seconds", "time (s)", "best",
)
#: Title of the degraded input wherever a method's title would stand.
DEGRADED_TITLE = "Degraded input"

# Anchors of a perceptually ordered dark-to-bright colour scale (after matplotlib's "magma").
_MAGMA = np.array(
    [[0, 0, 4], [28, 16, 68], [79, 18, 123], [129, 37, 129], [181, 54, 122], [229, 80, 100], [251, 135, 97],
     [254, 194, 135], [252, 253, 191]],
    dtype=np.float64,
)


@dataclass
class RestoreRun:
    """The outcome of one click on "Run" on the Restore page.

    Attributes
    ----------
    token : str
        Identity of the observation the methods ran on (see ``ui.state.SHARED_TOKEN``).
    images : dict of str to numpy.ndarray
        Restored image of every method that ran, by registry name, in run order.
    seconds : dict of str to float
        Run time of every method that ran.
    params : dict of str to dict
        Parameters each method ran with.
    errors : dict of str to str
        Methods that refused the input, with the package's message.
    started : str
        When the run started (local time, ISO 8601 to the second): the date of its report.
    """

    token: str
    images: dict[str, np.ndarray] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    started: str = field(default_factory=lambda: _dt.datetime.now().astimezone().isoformat(timespec="seconds"))


def psnr_axis(low: float, high: float) -> tuple[float, float, str]:
    """The axis of a PSNR bar chart whose values run from ``low`` to ``high`` dB: start, stop and a note.

    Bars from 0 dB would all look alike, so the axis starts 2 dB below the lowest whole value; the note
    (``"; the axis starts at 18, not 0"``, empty when it starts at 0) goes into the axis title after the
    unit, so that a bar twice as tall is never read as twice the quality.
    """
    start = max(0.0, math.floor(low) - 2.0)
    note = f"; the axis starts at {start:g}, not 0" if start > 0 else ""
    return start, math.ceil(high) + 1.0, note


def title_of(name: str) -> str:
    """Display title of a method (the registry spec's), ``"Degraded input"`` for the degraded row.

    Parameters
    ----------
    name : str
        Registry name, or :data:`DEGRADED`.

    Returns
    -------
    str
        The title; an unknown name is returned as it is.
    """
    if name == DEGRADED:
        return DEGRADED_TITLE
    spec = REGISTRY.get(name)
    return spec.title if spec is not None else str(name)


def time_text(seconds: float) -> str:
    """A run time as table text: ``"0.123"``, or a dash when there is none (the degraded input).

    Parameters
    ----------
    seconds : float
        Seconds, NaN or None when the row took no time.

    Returns
    -------
    str
        Three decimals, or ``"—"``.
    """
    try:
        value = float(seconds)
    except (TypeError, ValueError):
        return "—"
    return f"{value:.3f}" if math.isfinite(value) else "—"


def degraded_on_grid(observation: Observation) -> np.ndarray:
    """The degraded input on the output grid (nearest-neighbour enlargement for super-resolution).

    Parameters
    ----------
    observation : Observation
        The observation.

    Returns
    -------
    numpy.ndarray
        float32 image of shape ``observation.output_shape``, clipped to [0, 1].
    """
    image = np.clip(observation.degraded, 0.0, 1.0).astype(np.float32)
    s = int(observation.scale)
    if s > 1:
        image = np.repeat(np.repeat(image, s, axis=0), s, axis=1)
    return image


def metric_table(
    images: Mapping[str, np.ndarray],
    seconds: Mapping[str, float],
    *,
    clean: np.ndarray | None,
    degraded: np.ndarray,
) -> pd.DataFrame:
    """Metric table of a run: one row for the degraded input, then one per method.

    Parameters
    ----------
    images : mapping of str to numpy.ndarray
        Restored images by method name, all on the grid of ``clean``.
    seconds : mapping of str to float
        Run time by method name.
    clean : numpy.ndarray or None
        Ground truth; without it PSNR, SSIM and gain are NaN and nothing is marked best.
    degraded : numpy.ndarray
        The degraded input on the output grid (:func:`degraded_on_grid`).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`METRIC_COLUMNS`. ``gain (dB)`` is the PSNR gain over the degraded
        input; ``seconds`` is NaN for the degraded row and ``time (s)`` the same time as
        text with a dash there (what a table shows: a grid draws a missing number as
        "None"); ``best`` is ``"PSNR, SSIM"``, ``"PSNR"``, ``"SSIM"`` or ``""`` for the
        method(s) with the highest value (the degraded row is never best).
    """
    rows: list[dict[str, Any]] = []
    base = math.nan
    entries: list[tuple[str, np.ndarray, float]] = [(DEGRADED, degraded, math.nan)]
    entries += [(name, image, float(seconds.get(name, math.nan))) for name, image in images.items()]
    for name, image, secs in entries:
        spec = REGISTRY.get(name)
        value_psnr = value_ssim = math.nan
        if clean is not None:
            value_psnr, value_ssim = psnr(clean, image), ssim(clean, image)
        if name == DEGRADED:
            base = value_psnr
        rows.append({
            "method": name,
            "title": spec.title if spec else DEGRADED_TITLE,
            "family": spec.family_title if spec else "input",
            "PSNR (dB)": value_psnr,
            "SSIM": value_ssim,
            "gain (dB)": value_psnr - base if math.isfinite(value_psnr) and math.isfinite(base) else math.nan,
            "seconds": secs,
            "time (s)": time_text(secs),
            "best": "",
        })
    table = pd.DataFrame(rows, columns=list(METRIC_COLUMNS))
    methods = table["method"] != DEGRADED
    marks: dict[int, list[str]] = {}
    for column, label in (("PSNR (dB)", "PSNR"), ("SSIM", "SSIM")):
        values = table.loc[methods, column].replace([np.inf], 1e9)
        if values.notna().any():
            top = values.max()
            for index in values.index[values == top]:
                marks.setdefault(int(index), []).append(label)
    for index, labels in marks.items():
        table.loc[index, "best"] = ", ".join(labels)
    return table


# --------------------------------------------------------------------------- the winner in words
#: Where the PSNR gaps of :func:`visibility` change their word (dB): (upper bound, word), increasing.
_VISIBILITY: tuple[tuple[float, str], ...] = (
    (0.1, "invisible"),
    (0.5, "barely visible side by side"),
    (1.0, "visible when you look closely"),
    (math.inf, "clearly visible"),
)
#: The rule of :func:`visibility`, in words (shown beside every sentence that uses it).
VISIBILITY_RULE = (
    "Rule of thumb for a PSNR gap between two versions of the same image: under 0.1 dB invisible; 0.1-0.5 dB "
    "barely visible side by side; 0.5-1 dB visible when you look closely; over 1 dB clearly visible. It is a "
    "rule of thumb, not a law: where the error sits (edges, flat areas, faces) matters as much as its size, so "
    "check the zoomed crops and the error maps."
)


def visibility(gap_db: float) -> str:
    """Whether a person can see a PSNR gap between two versions of an image (:data:`VISIBILITY_RULE`).

    Parameters
    ----------
    gap_db : float
        The PSNR difference in dB (its sign is ignored).

    Returns
    -------
    str
        ``"invisible"`` (< 0.1 dB), ``"barely visible side by side"`` (0.1-0.5 dB), ``"visible when you
        look closely"`` (0.5-1 dB) or ``"clearly visible"`` (> 1 dB); ``""`` for NaN.
    """
    try:
        gap = abs(float(gap_db))
    except (TypeError, ValueError):
        return ""
    if math.isnan(gap):
        return ""
    return next(word for bound, word in _VISIBILITY if gap < bound or bound == math.inf)


def _seconds_phrase(mine: float, theirs: float) -> str:
    """How ``mine`` compares with ``theirs`` (seconds), e.g. ``"12x as long as"``; "" when unknown."""
    if not (math.isfinite(mine) and math.isfinite(theirs)) or mine <= 0 or theirs <= 0:
        return ""
    ratio = mine / theirs
    if ratio >= 1.5:
        return f"{ratio:.0f}× as long as" if ratio >= 10 else f"{ratio:.1f}× as long as"
    if ratio <= 1 / 1.5:
        inverse = 1 / ratio
        return f"{inverse:.0f}× faster than" if inverse >= 10 else f"{inverse:.1f}× faster than"
    return "about as long as"


def winner_summary(table: pd.DataFrame) -> str | None:
    """The winner of a run in words: its PSNR gaps, whether a person can see them, and its time.

    The gaps are to the runner-up and to the degraded input, each with its word from :func:`visibility`;
    the time is set against the runner-up's; when another method leads by SSIM, the paragraph says so.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`metric_table` (columns ``method``, ``title``, ``PSNR (dB)``, ``SSIM``, ``seconds``).

    Returns
    -------
    str or None
        Markdown (titles in bold), e.g. ``"**BM3D** wins with 31.20 dB: 0.37 dB above the runner-up
        **Wavelet shrinkage** (barely visible side by side) and 6.12 dB above the degraded input (clearly
        visible). It took 2.31 s, 12× as long as the runner-up (0.19 s)."``; None when no method has a
        PSNR (no ground truth, or nothing ran).
    """
    needed = {"method", "PSNR (dB)"}
    if table is None or not needed <= set(table.columns):
        return None
    psnrs = pd.to_numeric(table["PSNR (dB)"], errors="coerce")
    with_psnr = table.assign(_psnr=psnrs)
    methods = with_psnr[(with_psnr["method"] != DEGRADED) & psnrs.notna()]
    if methods.empty:
        return None
    ranked = methods.sort_values("_psnr", ascending=False, kind="stable")
    first = ranked.iloc[0]

    def title(row: pd.Series) -> str:
        value = row.get("title")
        return str(value) if isinstance(value, str) and value else title_of(str(row["method"]))

    def seconds(row: pd.Series) -> float:
        try:
            return float(row.get("seconds", math.nan))
        except (TypeError, ValueError):
            return math.nan

    def gap_words(gap: float, what: str) -> str:
        if not math.isfinite(gap):
            return ""
        if abs(gap) < 0.005:
            return f"level with {what} (invisible)"
        return f"{abs(gap):.2f} dB {'above' if gap > 0 else 'below'} {what} ({visibility(gap)})"

    best = float(first["_psnr"])
    name = f"**{title(first)}**"
    runner = ranked.iloc[1] if len(ranked) > 1 else None
    tied = runner is not None and abs(best - float(runner["_psnr"])) < 0.005
    if math.isinf(best):
        head = f"{name} reproduces the clean image exactly (infinite PSNR)"
    elif tied:
        head = f"{name} and **{title(runner)}** share the highest PSNR, {best:.2f} dB"
    else:
        head = f"{name} wins with {best:.2f} dB" if runner is not None else f"{name} reaches {best:.2f} dB"
    parts: list[str] = []
    if runner is not None and not tied:
        parts.append(gap_words(best - float(runner["_psnr"]), f"the runner-up **{title(runner)}**"))
    base = math.nan
    degraded_rows = table[table["method"] == DEGRADED]
    if not degraded_rows.empty:
        value = pd.to_numeric(degraded_rows["PSNR (dB)"], errors="coerce").iloc[0]
        base = float(value) if pd.notna(value) else math.nan
        parts.append(gap_words(best - base, "the degraded input"))
    parts = [p for p in parts if p]
    sentences = [head + (": " + " and ".join(parts) if parts else "") + "."]
    if math.isfinite(base) and best < base - 0.005:
        sentences.append("No method improved on the degraded input here.")
    mine = seconds(first)
    if math.isfinite(mine):
        if runner is not None:
            theirs = seconds(runner)
            phrase = _seconds_phrase(mine, theirs)
            who, other = (name, f"**{title(runner)}**") if tied else ("It", "the runner-up")  # a tie has no runner-up
            sentences.append(f"{who} took {mine:.2f} s" + (f", {phrase} {other} ({theirs:.2f} s)." if phrase
                                                         else "."))
        else:
            sentences.append(f"It took {mine:.2f} s; run more methods to compare.")
    if "SSIM" in table.columns and len(ranked) > 1:
        ssims = pd.to_numeric(ranked["SSIM"], errors="coerce")
        if ssims.notna().any():
            top = ranked.loc[ssims.idxmax()]
            if top["method"] != first["method"] and float(ssims.max()) > float(ssims.loc[first.name]) + 5e-4:
                sentences.append(f"By SSIM, **{title(top)}** is ahead ({float(ssims.max()):.4f} against "
                                 f"{float(ssims.loc[first.name]):.4f}).")
    return " ".join(sentences)


def resolved_params(name: str, params: Mapping[str, Any], observation: Observation | None = None) -> dict[str, Any]:
    """Every parameter a method ran with: the values given, the defaults for the rest, a self-tuned knob's choice.

    Parameters
    ----------
    name : str
        Registry name.
    params : mapping
        The parameters the run passed (the page's widget values).
    observation : Observation, optional
        The input (defaults that follow it, and the self-tuned value, need it).

    Returns
    -------
    dict
        Parameter name to value, sorted by name. When ``tuning`` is ``"self"`` the tuned knob holds the
        value the self-supervised search chose (the one the method used). An unknown method or a parameter
        the registry refuses gives back ``params`` as they are.
    """
    from restoration import RestorationError

    spec = REGISTRY.get(name)
    resolved: dict[str, Any] = dict(params)
    if spec is not None:
        try:
            resolved = spec.resolve(params, observation)
        except (RestorationError, ValueError, TypeError, ImportError):
            resolved = dict(params)
    if resolved.get("tuning") == "self" and observation is not None:
        from restoration.tuning import TUNABLE, self_tune

        if name in TUNABLE:
            try:
                resolved[TUNABLE[name][0]] = float(self_tune(name, observation).best)
            except (RestorationError, ValueError):
                pass
    return dict(sorted(resolved.items()))


# --------------------------------------------------------------------------- zoom and error maps
#: What a no-reference score can and cannot say, shown beside every such table.
NO_REFERENCE_CAVEAT = NO_REFERENCE_NOTE  # one text for the pages, the report and the command line


def no_reference_table(images: Mapping[str, np.ndarray], degraded: np.ndarray) -> pd.DataFrame:
    """No-reference scores of the degraded input and every result, ranked by NIQE (best first).

    Parameters
    ----------
    images : mapping of str to numpy.ndarray
        Restored images by method name.
    degraded : numpy.ndarray
        The degraded input on the output grid.

    Returns
    -------
    pandas.DataFrame
        Columns ``method``, ``title``, ``NIQE``, ``sharpness``, ``noise sigma``, ``rank`` (1 = lowest NIQE among
        the methods; the degraded input is not ranked). NIQE is NaN for images under 192x192 pixels.
    """
    from restoration.quality import quality_report

    rows = []
    for name, image in [(DEGRADED, degraded), *images.items()]:
        report = quality_report(np.clip(image, 0.0, 1.0))
        spec = REGISTRY.get(name)
        rows.append({
            "method": name, "title": spec.title if spec else DEGRADED_TITLE,
            "NIQE": math.nan if report["niqe"] is None else report["niqe"],
            "sharpness": report["sharpness"], "noise sigma": report["noise_sigma"],
        })
    table = pd.DataFrame(rows)
    ranked = table[table["method"] != DEGRADED]["NIQE"].rank(method="min")
    table["rank"] = ranked.reindex(table.index)
    order = [0, *sorted(range(1, len(table)), key=lambda i: (math.isnan(table.loc[i, "NIQE"]), table.loc[i, "NIQE"]))]
    return table.iloc[order].reset_index(drop=True)


def rank_as_text(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of a table whose ``rank`` column reads ``"1"``, ``"2"``, ... and ``"—"`` where there is none."""
    return table.assign(rank=[("—" if pd.isna(v) else f"{int(v)}") for v in table["rank"]])


def kernel_image(kernel: np.ndarray, target: int = 128) -> np.ndarray:
    """A blur kernel as a picture: scaled so its peak is white, enlarged by pixel repetition.

    Parameters
    ----------
    kernel : numpy.ndarray
        2-D non-negative kernel.
    target : int
        Approximate side of the picture in pixels.

    Returns
    -------
    numpy.ndarray
        float32 HxW image in [0, 1].
    """
    k = np.asarray(kernel, dtype=np.float32)
    k = k / max(float(k.max()), 1e-12)
    factor = max(1, int(target) // max(k.shape))
    return np.clip(np.repeat(np.repeat(k, factor, axis=0), factor, axis=1), 0.0, 1.0)


def crop_box(shape: Sequence[int], x_percent: float, y_percent: float, size: int) -> tuple[int, int, int, int]:
    """A square box of side ``size`` centred at a point given in percent of the width and height.

    The box is shrunk to fit a small image and shifted to stay inside it.

    Parameters
    ----------
    shape : sequence of int
        Image shape ``(H, W, ...)``.
    x_percent, y_percent : float
        Centre of the box, 0-100 from the left / top.
    size : int
        Side in pixels (at least 1).

    Returns
    -------
    (top, left, height, width) : tuple of int
    """
    h, w = int(shape[0]), int(shape[1])
    side_h, side_w = max(1, min(int(size), h)), max(1, min(int(size), w))
    cy = round(float(y_percent) / 100.0 * h)
    cx = round(float(x_percent) / 100.0 * w)
    top = int(np.clip(cy - side_h // 2, 0, h - side_h))
    left = int(np.clip(cx - side_w // 2, 0, w - side_w))
    return top, left, side_h, side_w


def zoom(image: np.ndarray, box: tuple[int, int, int, int], target: int = 256) -> np.ndarray:
    """Cut ``box`` out of ``image`` and enlarge it by pixel repetition (nearest neighbour).

    Parameters
    ----------
    image : numpy.ndarray
        HxW or HxWxC image.
    box : (top, left, height, width)
        The region (see :func:`crop_box`).
    target : int
        Approximate side of the result; the factor is the whole number that gets closest
        without exceeding it (at least 1).

    Returns
    -------
    numpy.ndarray
        The enlarged crop, same dtype as ``image``.
    """
    top, left, h, w = box
    crop = image[top : top + h, left : left + w]
    factor = max(1, int(target) // max(h, w, 1))
    return np.repeat(np.repeat(crop, factor, axis=0), factor, axis=1)


def draw_box(
    image: np.ndarray, box: tuple[int, int, int, int], colour: Sequence[float] = (1.0, 0.1, 0.1)
) -> np.ndarray:
    """A colour copy of ``image`` with the outline of ``box`` drawn on it (2 pixels wide where it fits).

    Parameters
    ----------
    image : numpy.ndarray
        HxW or HxWx3 float image in [0, 1].
    box : (top, left, height, width)
        The region to outline.
    colour : sequence of float
        RGB colour of the outline.

    Returns
    -------
    numpy.ndarray
        float32 HxWx3 image.
    """
    out = to_rgb(np.clip(np.asarray(image, dtype=np.float32), 0.0, 1.0)).copy()
    top, left, h, w = box
    bottom, right = top + h - 1, left + w - 1
    thick = 2 if min(h, w) > 8 else 1
    c = np.asarray(colour, dtype=np.float32)
    out[top : top + thick, left : right + 1] = c
    out[bottom - thick + 1 : bottom + 1, left : right + 1] = c
    out[top : bottom + 1, left : left + thick] = c
    out[top : bottom + 1, right - thick + 1 : right + 1] = c
    return out


def colour_map(values: np.ndarray) -> np.ndarray:
    """Map values in [0, 1] to RGB colours of a dark-to-bright scale (black, purple, orange, pale yellow).

    Parameters
    ----------
    values : numpy.ndarray
        Array of any shape; values are clipped to [0, 1].

    Returns
    -------
    numpy.ndarray
        uint8 array of shape ``values.shape + (3,)``.
    """
    v = np.clip(np.nan_to_num(np.asarray(values, dtype=np.float64)), 0.0, 1.0) * (len(_MAGMA) - 1)
    low = np.floor(v).astype(int)
    high = np.minimum(low + 1, len(_MAGMA) - 1)
    t = (v - low)[..., None]
    rgb = _MAGMA[low] * (1.0 - t) + _MAGMA[high] * t
    return (rgb + 0.5).astype(np.uint8)


def error_map(estimate: np.ndarray, reference: np.ndarray, vmax: float = 0.2) -> np.ndarray:
    """Colour-mapped absolute error ``|estimate - reference|`` (mean over colour channels).

    Parameters
    ----------
    estimate, reference : numpy.ndarray
        Same-shaped float images in [0, 1].
    vmax : float
        Error shown at the top of the colour scale (larger errors saturate); 0.2 is
        51 grey levels out of 255.

    Returns
    -------
    numpy.ndarray
        uint8 HxWx3 image: black where the images agree, pale yellow at ``vmax`` and above.
    """
    if estimate.shape != reference.shape:
        raise ValueError(f"shapes differ: {estimate.shape} vs {reference.shape}")
    diff = np.abs(np.asarray(estimate, dtype=np.float64) - np.asarray(reference, dtype=np.float64))
    if diff.ndim == 3:
        diff = diff.mean(axis=2)
    return colour_map(diff / max(float(vmax), 1e-9))


def colour_scale_svg(top: float, *, unit: str = "grey levels", ticks: int = 5, width: int = 360) -> str:
    """An SVG legend of the error maps' colour scale: the bar of :func:`colour_map` with tick labels.

    Parameters
    ----------
    top : float
        The value at the top of the scale (larger values saturate), in ``unit``.
    unit : str
        What the values are (shown after the last tick).
    ticks : int
        Number of tick labels, 0 and ``top`` included (at least 2).
    width : int
        Width of the drawing in pixels.

    Returns
    -------
    str
        A standalone ``<svg>`` element (no external reference; HTML-escaped text).
    """
    try:
        top = float(top)
    except (TypeError, ValueError):
        top = math.nan
    if not math.isfinite(top) or top <= 0:
        top = 1.0
    ticks = max(2, int(ticks))
    width = max(160, int(width))
    unit_w = 8 + 6 * len(unit)
    left, right, bar_top, bar_h = 8, width - unit_w - 14, 4, 16
    height = bar_top + bar_h + 22
    stops = "".join(
        f'<stop offset="{i / (len(_MAGMA) - 1):.4f}" stop-color="rgb({int(r)},{int(g)},{int(b)})"/>'
        for i, (r, g, b) in enumerate(_MAGMA)
    )
    labels = []
    for i in range(ticks):
        value = top * i / (ticks - 1)
        x = left + (right - left) * i / (ticks - 1)
        text = f"{value:.3g}" + ("+" if i == ticks - 1 else "")
        labels.append(
            f'<line x1="{x:.1f}" y1="{bar_top + bar_h}" x2="{x:.1f}" y2="{bar_top + bar_h + 4}" stroke="#555"/>'
            f'<text x="{x:.1f}" y="{bar_top + bar_h + 16}" text-anchor="middle">{html.escape(text)}</text>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{html.escape(f"Colour scale: black 0, pale yellow {top:.3g} {unit} or more")}" '
        'font-family="sans-serif" font-size="11" fill="#31333f">'
        f'<defs><linearGradient id="error-scale" x1="0" x2="1" y1="0" y2="0">{stops}</linearGradient></defs>'
        f'<rect x="{left}" y="{bar_top}" width="{right - left}" height="{bar_h}" fill="url(#error-scale)" '
        'stroke="#888" stroke-width="0.5"/>'
        + "".join(labels)
        + f'<text x="{right + 14}" y="{bar_top + bar_h - 4}">{html.escape(unit)}</text></svg>'
    )


# --------------------------------------------------------------------------- the slider
def to_data_uri(image: np.ndarray) -> str:
    """Encode an image as a ``data:image/png;base64,...`` URI (memoised, bounded).

    The pages show their pictures this way (``st.image`` passes a data URI through untouched) rather
    than as Streamlit media files: a media file is deleted when no session references it, which one
    session's finished run decides while another session's rerun has just dropped its references, so
    under a class's load a browser that fetched late got a 404 and a broken picture. A data URI
    travels inside the page's own message (which Streamlit's message cache then sends only once per
    browser), and cannot go missing.

    Parameters
    ----------
    image : numpy.ndarray
        float image in [0, 1] (HxW or HxWx3), or a uint8 array.

    Returns
    -------
    str
        The data URI.
    """
    arr = np.ascontiguousarray(image if image.dtype == np.uint8 else to_uint8(image))
    digest = hashlib.blake2b(arr.tobytes(), digest_size=16)
    digest.update(f"{arr.shape}".encode())
    key = digest.hexdigest()  # about a millisecond for a 512x512 colour image; the PNG encoding it saves, ~80 ms
    with _URI_LOCK:
        if key in _URIS:
            _URIS.move_to_end(key)
            return _URIS[key]
    uri = "data:image/png;base64," + base64.b64encode(encode_png(arr)).decode("ascii")
    with _URI_LOCK:
        if key not in _URIS:
            _URIS[key] = uri
            _URI_SIZE[0] += len(uri)
        while _URIS and (len(_URIS) > _URI_ENTRIES or _URI_SIZE[0] > _URI_BYTES):
            _, dropped = _URIS.popitem(last=False)
            _URI_SIZE[0] -= len(dropped)
    return uri


#: The last data URIs made, keyed by a hash of the pixels and shared by all sessions: a page shows the same
#: pictures on every rerun. Bounded by entries and by characters (a 512x512 colour PNG is about 1 MB as base64).
_URIS: OrderedDict[str, str] = OrderedDict()
_URI_SIZE = [0]  # characters held in _URIS
_URI_ENTRIES = 128
_URI_BYTES = 32 * 2**20
_URI_LOCK = threading.Lock()


_SLIDER_TEMPLATE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><style>
  html, body { margin: 0; padding: 0; background: transparent; font: 14px/1.4 sans-serif; color: #31333f; }
  .cmp { position: relative; width: 100%; max-width: __MAXW__px; margin: 0 auto; user-select: none;
         touch-action: none; cursor: ew-resize; outline: none; border-radius: 6px; overflow: hidden; }
  .cmp:focus-visible { box-shadow: 0 0 0 3px #ff4b4b; }
  .cmp img { display: block; width: 100%; height: auto; image-rendering: pixelated; pointer-events: none; }
  .cmp .top { position: absolute; inset: 0; }
  .bar { position: absolute; top: 0; bottom: 0; width: 2px; margin-left: -1px; background: #fff;
         box-shadow: 0 0 3px rgba(0,0,0,.7); pointer-events: none; }
  .knob { position: absolute; top: 50%; left: -15px; width: 28px; height: 28px; margin-top: -15px;
          border-radius: 50%; background: #fff; border: 1px solid #888; box-shadow: 0 1px 4px rgba(0,0,0,.5);
          display: flex; align-items: center; justify-content: center; font-size: 13px; color: #444; }
  .tag { position: absolute; top: 8px; padding: 2px 8px; border-radius: 4px; background: rgba(0,0,0,.6);
         color: #fff; font-size: 12px; pointer-events: none; max-width: 45%; overflow: hidden;
         text-overflow: ellipsis; white-space: nowrap; }
  .tag.left { left: 8px; } .tag.right { right: 8px; }
  .hint { text-align: center; font-size: 12px; color: #808495; margin-top: 4px; }
</style></head><body>
<div class="cmp" id="cmp" tabindex="0" role="slider" aria-label="Comparison position: __LABEL__"
     aria-valuemin="0" aria-valuemax="100" aria-valuenow="50" data-position="50">
  <img class="base" src="__RIGHT__" alt="__RIGHT_ALT__">
  <img class="top" id="top" src="__LEFT__" alt="__LEFT_ALT__" style="clip-path: inset(0 50% 0 0);">
  <div class="bar" id="bar" style="left: 50%;"><div class="knob">&#8596;</div></div>
  <span class="tag left">__LEFT_TAG__</span><span class="tag right">__RIGHT_TAG__</span>
</div>
<div class="hint">Drag, click, or focus and use the arrow keys (Shift for big steps, Home / End).</div>
<script>
(function () {
  var box = document.getElementById("cmp"), top = document.getElementById("top"), bar = document.getElementById("bar");
  var dragging = false;
  function set(p) {
    p = Math.max(0, Math.min(100, p));
    var r = Math.round(p * 10) / 10;
    top.style.clipPath = "inset(0 " + (100 - r) + "% 0 0)";
    bar.style.left = r + "%";
    box.setAttribute("aria-valuenow", String(Math.round(r)));
    box.dataset.position = String(r);
  }
  function fromEvent(e) {
    var rect = box.getBoundingClientRect();
    set((e.clientX - rect.left) / rect.width * 100);
  }
  box.addEventListener("pointerdown", function (e) {
    dragging = true; box.focus(); fromEvent(e);
    if (box.setPointerCapture) { try { box.setPointerCapture(e.pointerId); } catch (err) {} }
  });
  box.addEventListener("pointermove", function (e) { if (dragging) { fromEvent(e); } });
  box.addEventListener("pointerup", function () { dragging = false; });
  box.addEventListener("pointercancel", function () { dragging = false; });
  box.addEventListener("keydown", function (e) {
    var p = parseFloat(box.dataset.position), step = e.shiftKey ? 10 : 2;
    if (e.key === "ArrowLeft" || e.key === "ArrowDown") { set(p - step); }
    else if (e.key === "ArrowRight" || e.key === "ArrowUp") { set(p + step); }
    else if (e.key === "Home") { set(0); }
    else if (e.key === "End") { set(100); }
    else { return; }
    e.preventDefault();
  });
})();
</script>
</body></html>
"""


def slider_html(
    left: np.ndarray, right: np.ndarray, left_label: str, right_label: str, *, max_width: int = 900
) -> str:
    """The HTML document of a before/after comparison slider.

    The left image shows to the left of the handle, the right image to its right.
    The handle moves with the mouse (drag or click), touch, or the keyboard (arrows,
    Shift+arrows, Home, End); its position is kept in ``data-position`` and
    ``aria-valuenow`` of the ``#cmp`` element (0-100). The images are enlarged with
    nearest-neighbour rendering, so pixels stay visible. Nothing is fetched: the
    images are embedded as ``data:`` URIs and the script is inline.

    Parameters
    ----------
    left, right : numpy.ndarray
        Images of the same height and width (float in [0, 1] or uint8).
    left_label, right_label : str
        Their captions (HTML-escaped here).
    max_width : int
        Widest the slider is drawn, in CSS pixels.

    Returns
    -------
    str
        A complete HTML document.
    """
    if left.shape[:2] != right.shape[:2]:
        raise ValueError(f"the two images differ in size: {left.shape[:2]} vs {right.shape[:2]}")
    lt, rt = html.escape(left_label), html.escape(right_label)
    replacements = {
        "__MAXW__": str(int(max_width)),
        "__LABEL__": f"{lt} left, {rt} right",
        "__LEFT__": to_data_uri(left),
        "__RIGHT__": to_data_uri(right),
        "__LEFT_ALT__": lt,
        "__RIGHT_ALT__": rt,
        "__LEFT_TAG__": f"&#9664; {lt}",
        "__RIGHT_TAG__": f"{rt} &#9654;",
    }
    out = _SLIDER_TEMPLATE
    for marker, value in replacements.items():
        out = out.replace(marker, value)
    return out


def show_slider(
    left: np.ndarray, right: np.ndarray, left_label: str, right_label: str, *, max_width: int = 900
) -> None:
    """Draw the comparison slider of :func:`slider_html` in the page.

    Uses ``st.iframe`` (the successor of ``streamlit.components.v1.html``, which is
    deprecated in this Streamlit), falling back to the latter in older versions.
    The height is fixed from the images' aspect ratio, so the page does not jump.

    Parameters
    ----------
    left, right : numpy.ndarray
        Images of the same height and width.
    left_label, right_label : str
        Their captions.
    max_width : int
        Widest the slider is drawn, in CSS pixels.
    """
    import streamlit as st

    h, w = left.shape[:2]
    height = math.ceil(max_width * h / max(w, 1)) + 30
    document = slider_html(left, right, left_label, right_label, max_width=max_width)
    if hasattr(st, "iframe"):
        st.iframe(document, height="content")
    else:  # pragma: no cover - Streamlit before st.iframe
        import streamlit.components.v1 as components

        components.html(document, height=height)


def params_text(params: Mapping[str, Any]) -> str:
    """Short ``k=v, ...`` text of a parameter dict (for captions and CSV).

    Parameters
    ----------
    params : mapping
        Parameter values.

    Returns
    -------
    str
        E.g. ``"size=3, switching=False"``.
    """
    return json.dumps(dict(params), default=str)[1:-1].replace('"', "").replace(": ", "=")
