"""Exports that describe themselves: file names, the CSV of a run, and a one-page offline HTML report.

A file taken away from the app must say what it is without the app beside it:

* :func:`export_name` names a download after the image, the degradation pipeline and the method
  (``mountain-lake__motion_blur-downsample-gaussian_noise__bm3d.png``), so runs no longer overwrite
  each other;
* :func:`export_table` is the CSV of a Restore run: the image, the pipeline text, the seed, the task and
  every parameter each method ran with, beside its metrics;
* :class:`RestoreReport` and :func:`benchmark_report_html` write a report for a stakeholder: one HTML file
  that opens offline (every image is a ``data:`` URI, the chart is inline SVG, the style sheet is inline,
  there is no script), with the metric table, the chart, the images, the survey comparison where one
  applies, and when, on which commit and with which package version it was made.

Pure Python, NumPy and pandas: no Streamlit here, so every function is testable on its own.
"""

from __future__ import annotations

import base64
import datetime as _dt
import functools
import html
import json
import math
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from restoration import FAMILIES, REGISTRY
from restoration.images import encode_png
from restoration.results import DEGRADED
from ui import compare, survey

__all__ = [
    "RestoreReport",
    "SurveyComparison",
    "bars_svg",
    "benchmark_file_name",
    "benchmark_report_html",
    "benchmark_survey_comparisons",
    "export_name",
    "export_table",
    "html_table",
    "pipeline_slug",
    "provenance",
    "restore_survey_comparison",
    "safe_part",
]

#: Suffixes taken off an image's name before it goes into a file name.
_IMAGE_SUFFIX = re.compile(r"\.(png|jpe?g|tiff?|bmp|webp|gif|ppm|pgm)$", re.IGNORECASE)
#: Columns of :func:`export_table`, in order.
EXPORT_COLUMNS: tuple[str, ...] = (
    "image", "pipeline", "seed", "task", "method", "title", "family", "PSNR (dB)", "SSIM", "gain (dB)", "seconds",
    "best", "parameters",
)


# --------------------------------------------------------------------------- names
def safe_part(text: Any, *, limit: int = 60, empty: str = "untitled") -> str:
    """One part of a file name: ASCII letters, digits, ``_``, ``.`` and ``-`` only.

    Accents are dropped (``é`` -> ``e``), every other character becomes ``-``, runs of ``-`` collapse,
    and the result is cut to ``limit`` characters.

    Parameters
    ----------
    text : Any
        The text (converted with ``str``; None gives ``empty``).
    limit : int
        Longest result, in characters (at least 1).
    empty : str
        What to return when nothing is left.

    Returns
    -------
    str
        A non-empty name part, e.g. ``"Mountain-lake"``.
    """
    value = "" if text is None else str(text)
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    value = re.sub(r"[^A-Za-z0-9_.-]+", "-", value)
    value = re.sub(r"-{2,}", "-", value).strip("-._")
    value = value[: max(1, int(limit))].strip("-._")
    return value or empty


def pipeline_slug(spec: str) -> str:
    """A pipeline in a file name: its step names joined by ``-``.

    Parameters
    ----------
    spec : str
        Pipeline text (``"motion_blur(length=9, angle=30) | downsample(scale=2)"``); ``""`` for a photo that
        came degraded.

    Returns
    -------
    str
        E.g. ``"motion_blur-downsample"``; ``"as-is"`` for an empty pipeline.
    """
    text = (spec or "").strip()
    if not text:
        return "as-is"
    names: list[str] = []
    from restoration import Pipeline, RestorationError

    try:
        names = [step.name for step in Pipeline.parse(text).steps]
    except (RestorationError, ValueError, TypeError):  # unreadable text still gets a name from its words
        names = [m.group(0) for part in text.split("|") if (m := re.match(r"\s*[A-Za-z_][A-Za-z0-9_]*", part))]
        names = [n.strip() for n in names]
    return safe_part("-".join(names), limit=80, empty="pipeline")


def export_name(image: str, pipeline: str, what: str, extension: str) -> str:
    """The file name of a download: image, pipeline and method (or content), sanitised.

    Parameters
    ----------
    image : str
        The image's display name (an upload's file name loses its suffix).
    pipeline : str
        Pipeline text of the degradation (``""`` for a photo that came degraded).
    what : str
        The method's registry name, or what the file holds (``"metrics"``, ``"report"``).
    extension : str
        File type, without the dot.

    Returns
    -------
    str
        E.g. ``"Mountain-lake__motion_blur-downsample-gaussian_noise__bm3d.png"``.
    """
    stem = _IMAGE_SUFFIX.sub("", str(image or "").strip())
    ext = safe_part(extension, limit=8, empty="bin").lower()
    return f"{safe_part(stem, empty='image')}__{pipeline_slug(pipeline)}__{safe_part(what, limit=40)}.{ext}"


# --------------------------------------------------------------------------- the CSV
def _json_value(value: Any) -> Any:
    """A parameter value as JSON can hold it (NumPy scalars as Python numbers, the rest as text)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def export_table(
    table: pd.DataFrame,
    params: Mapping[str, Mapping[str, Any]],
    *,
    image: str,
    pipeline: str,
    seed: int,
    task: str,
) -> pd.DataFrame:
    """The CSV of a Restore run: every row of the metric table with what it was measured on and with.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`ui.compare.metric_table`.
    params : mapping of str to mapping
        Every parameter each method ran with, by registry name (:func:`ui.compare.resolved_params`).
    image : str
        The image's name.
    pipeline : str
        Pipeline text of the degradation (``""``: a photo that came degraded).
    seed : int
        Seed of the degradation and of randomised methods.
    task : str
        The observation's task.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`EXPORT_COLUMNS`; ``parameters`` is a JSON object (sorted keys; empty for the degraded
        input). Missing columns of ``table`` come out empty.
    """
    rows = []
    for _, row in (table if table is not None else pd.DataFrame()).iterrows():
        method = str(row.get("method", ""))
        used = params.get(method)
        rows.append({
            "image": image, "pipeline": pipeline, "seed": int(seed), "task": task, "method": method,
            "title": row.get("title", compare.title_of(method)), "family": row.get("family", ""),
            "PSNR (dB)": row.get("PSNR (dB)", math.nan), "SSIM": row.get("SSIM", math.nan),
            "gain (dB)": row.get("gain (dB)", math.nan), "seconds": row.get("seconds", math.nan),
            "best": row.get("best", ""),
            "parameters": "" if used is None else json.dumps(
                {str(k): _json_value(v) for k, v in sorted(used.items())}, sort_keys=True),
        })
    return pd.DataFrame(rows, columns=list(EXPORT_COLUMNS))


# --------------------------------------------------------------------------- provenance
@functools.lru_cache(maxsize=1)
def _commit() -> str:
    """:func:`restoration.provenance.git_commit`, looked up once per process.

    The cache matters: the Restore page builds its report on every rerun (a download button needs its bytes
    up front), and each uncached look-up starts two ``git`` processes. The price: a commit made while the app
    runs shows in its reports after a restart.
    """
    from restoration.provenance import git_commit

    return git_commit()  # "unknown" outside a git checkout or without git


def provenance(created: str | None = None) -> dict[str, str]:
    """When, on which commit and with which package version a report is made.

    Parameters
    ----------
    created : str, optional
        The date to state (default: now, local time, ISO 8601 to the second).

    Returns
    -------
    dict of str to str
        Keys ``created``, ``commit`` (short hash, ``" + uncommitted changes"`` when the checkout differs,
        ``"unknown"`` outside git; looked up once per process) and ``version`` (of ``restoration``).
    """
    from restoration import __version__

    when = created or _dt.datetime.now().astimezone().isoformat(timespec="seconds")
    return {"created": when, "commit": _commit(), "version": __version__}


# --------------------------------------------------------------------------- HTML pieces
def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _markdown(text: str) -> str:
    """Escaped text with ``**bold**`` and ```code``` turned into HTML (all the markdown the app's sentences use)."""
    out = _e(text)
    out = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", out)
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    return re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<em>\1</em>", out)


def _number(value: Any, spec: str) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return _e(value) if value not in (None, "") else "—"
    if math.isnan(number):
        return "—"
    if math.isinf(number):
        return "∞" if number > 0 else "−∞"
    return format(number, spec)


def _data_uri(image: np.ndarray | bytes) -> str:
    """An image as a ``data:image/png;base64`` URI (float [0, 1] or uint8 arrays, or PNG bytes)."""
    if isinstance(image, (bytes, bytearray)):
        data = bytes(image)
    else:
        arr = np.asarray(image)
        if arr.dtype == np.uint8:
            arr = arr.astype(np.float32) / 255.0
        data = encode_png(np.clip(np.nan_to_num(arr.astype(np.float32)), 0.0, 1.0))
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def html_table(
    frame: pd.DataFrame,
    *,
    formats: Mapping[str, str | Callable[[Any], str]] | None = None,
    headers: Mapping[str, str] | None = None,
    tooltips: Mapping[str, Callable[[Any], str]] | None = None,
    best: Mapping[str, str] | None = None,
    skip: Sequence[str] = (DEGRADED,),
    key: str | None = None,
    table_id: str | None = None,
) -> str:
    """A DataFrame as an escaped HTML table (NaN shows as a dash, best values in bold).

    Parameters
    ----------
    frame : pandas.DataFrame
        The rows to show, columns in order.
    formats : mapping, optional
        Per column: a format spec for numbers (``".2f"``, ``"+.2f"``) or a function value -> text
        (its result is escaped).
    headers : mapping of str to str, optional
        Header text per column (default: the column name).
    tooltips : mapping of str to callable, optional
        Per column: value -> hover text of the cell.
    best : mapping of str to {"max", "min"}, optional
        Columns whose best value is marked (bold, ``class="best"``).
    skip : sequence of str
        Values of the ``key`` column never marked best (the degraded input).
    key : str, optional
        Column whose value identifies a row (``data-key`` attribute; used with ``skip``).
    table_id : str, optional
        ``id`` of the table element.

    Returns
    -------
    str
        A ``<table>`` element.
    """
    formats, headers, tooltips, best = formats or {}, headers or {}, tooltips or {}, best or {}
    if frame is None or frame.empty:
        return '<p class="note">No rows.</p>'
    eligible = ~frame[key].astype(str).isin(list(skip)) if key in frame else pd.Series(True, index=frame.index)
    marked: dict[str, set[Any]] = {}
    for column, direction in best.items():
        if column not in frame:
            continue
        values = pd.to_numeric(frame.loc[eligible, column], errors="coerce").replace([np.inf, -np.inf], np.nan)
        if values.notna().any():
            target = values.min() if direction == "min" else values.max()
            marked[column] = set(values.index[values == target])
    head = "".join(f'<th scope="col">{_e(headers.get(c, c))}</th>' for c in frame.columns)
    body = []
    for index, row in frame.iterrows():
        cells = []
        for column in frame.columns:
            value = row[column]
            fmt = formats.get(column)
            if callable(fmt):
                text = _e(fmt(value))
            elif isinstance(fmt, str):
                text = _number(value, fmt)
            elif isinstance(value, (float, np.floating)):
                text = _number(value, ".4g")
            else:
                text = _e(value) if value is not None and not (isinstance(value, float) and math.isnan(value)) \
                    else "—"
            tip = tooltips.get(column)
            attrs = f' title="{_e(tip(value))}"' if tip is not None else ""
            if index in marked.get(column, ()):
                attrs += ' class="best"'
                text = f"<strong>{text}</strong>"
            numeric = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
            cells.append(f'<td{attrs}{" data-num" if numeric else ""}>{text}</td>')
        data_key = f' data-key="{_e(row[key])}"' if key in frame else ""
        body.append(f"<tr{data_key}>{''.join(cells)}</tr>")
    ident = f' id="{_e(table_id)}"' if table_id else ""
    return f"<table{ident}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def bars_svg(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    grey: Sequence[bool] | None = None,
    tooltips: Sequence[str] | None = None,
    unit: str = "dB",
    width: int = 720,
) -> str:
    """A horizontal bar chart as inline SVG, highest value on top (the report's PSNR chart).

    Parameters
    ----------
    labels : sequence of str
        Bar labels (method titles).
    values : sequence of float
        Bar lengths; non-finite values are left out.
    grey : sequence of bool, optional
        Bars drawn grey (the degraded input); the others red.
    tooltips : sequence of str, optional
        Hover text of each bar (e.g. the registry name).
    unit : str
        Unit after each value and on the axis.
    width : int
        Width of the drawing in pixels.

    Returns
    -------
    str
        An ``<svg>`` element, or a short paragraph when there is nothing to draw.
    """
    grey = list(grey) if grey is not None else [False] * len(labels)
    tips = list(tooltips) if tooltips is not None else list(labels)
    bars = []
    for i, (label, value) in enumerate(zip(labels, values, strict=False)):
        try:
            number = float(value)
        except (TypeError, ValueError):
            continue
        if math.isfinite(number):
            bars.append((str(label), number, bool(grey[i]) if i < len(grey) else False,
                         str(tips[i]) if i < len(tips) else str(label)))
    if not bars:
        return '<p class="note">No PSNR to chart (no ground truth).</p>'
    bars.sort(key=lambda b: b[1], reverse=True)
    start, stop, where = compare.psnr_axis(min(b[1] for b in bars), max(b[1] for b in bars))
    longest = min(max(len(b[0]) for b in bars), 46)
    label_w = 14 + 6.6 * longest
    width = max(int(width), int(label_w) + 200)
    plot_l, plot_r, row_h, top = label_w, width - 70, 26, 8
    height = top + row_h * len(bars) + 34

    def x_of(v: float) -> float:
        return plot_l + (plot_r - plot_l) * (v - start) / max(stop - start, 1e-9)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="Bar chart of {_e(unit)} per method" class="chart" font-family="sans-serif" '
        'font-size="12" fill="#31333f">'
    ]
    step = 1 if stop - start <= 12 else 2 if stop - start <= 24 else 5
    tick = math.ceil(start / step) * step
    while tick <= stop + 1e-9:
        x = x_of(tick)
        parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + row_h * len(bars)}" stroke="#e6e6e6"/>'
                     f'<text x="{x:.1f}" y="{top + row_h * len(bars) + 14}" text-anchor="middle">{tick:g}</text>')
        tick += step
    for i, (label, value, is_grey, tip) in enumerate(bars):
        y = top + i * row_h
        shown = label if len(label) <= 46 else label[:45] + "…"
        colour = "#a3a8b8" if is_grey else "#ff4b4b"
        parts.append(
            f'<g><title>{_e(label)} ({_e(tip)}): {value:.2f} {_e(unit)}</title>'
            f'<text x="{plot_l - 8:.1f}" y="{y + row_h / 2 + 4:.1f}" text-anchor="end">{_e(shown)}</text>'
            f'<rect x="{plot_l:.1f}" y="{y + 4}" width="{max(x_of(value) - plot_l, 1.0):.1f}" height="{row_h - 8}" '
            f'fill="{colour}"/>'
            f'<text x="{x_of(value) + 4:.1f}" y="{y + row_h / 2 + 4:.1f}">{value:.2f}</text></g>'
        )
    parts.append(f'<text x="{(plot_l + plot_r) / 2:.1f}" y="{height - 4}" text-anchor="middle">'
                 f'{"PSNR" if unit == "dB" else "value"} ({_e(unit)}{where})</text></svg>')
    return "".join(parts)


_STYLE = """
  :root { color-scheme: light; }
  body { font: 14px/1.45 -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: #262730;
         max-width: 1100px; margin: 24px auto; padding: 0 20px; }
  h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 22px 0 8px; border-bottom: 1px solid #ddd; }
  h3 { font-size: 15px; margin: 16px 0 6px; }
  .meta, .note { color: #5c6170; font-size: 12.5px; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0; }
  dt { font-weight: 600; } dd { margin: 0; }
  code { background: #f3f4f6; padding: 1px 4px; border-radius: 3px; font-size: 12.5px; word-break: break-word; }
  table { border-collapse: collapse; margin: 4px 0 8px; font-size: 13px; }
  th, td { border: 1px solid #d9dbe1; padding: 3px 8px; text-align: left; vertical-align: top; }
  th { background: #f5f6f8; } td[data-num] { text-align: right; font-variant-numeric: tabular-nums; }
  td.best { background: rgba(33, 195, 84, 0.18); }
  .verdict { background: #eef8f1; border-left: 4px solid #21c354; padding: 8px 12px; }
  .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 10px; }
  figure { margin: 0; } figure img { width: 100%; height: auto; image-rendering: pixelated; display: block;
                                     border: 1px solid #d9dbe1; }
  figcaption { font-size: 12px; color: #3d4150; margin-top: 2px; }
  .pair { display: grid; grid-template-columns: 1fr 1fr; gap: 14px; }
  svg.chart { max-width: 100%; height: auto; }
  footer { margin-top: 28px; color: #808495; font-size: 12px; }
  @media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; }
                 figure, table { break-inside: avoid; } }
"""


def _document(title: str, meta: Mapping[str, str], sections: Sequence[str]) -> str:
    stamp = (f"Made {_e(meta.get('created', ''))} · commit <code>{_e(meta.get('commit', 'unknown'))}</code> · "
             f"<code>restoration</code> {_e(meta.get('version', ''))} · Image Restoration Workbench")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>"
        f'<header><h1>{_e(title)}</h1><p class="meta" id="provenance">{stamp}</p></header>'
        + "".join(sections)
        + "<footer>A self-contained file: every image, the chart and the style are inside it; nothing is loaded "
        "from the network.</footer></body></html>\n"
    )


# --------------------------------------------------------------------------- the survey
@dataclass
class SurveyComparison:
    """One of the survey's tables beside ours, with the conclusion in one sentence.

    Attributes
    ----------
    section : str
        The survey's section (``"4.1"`` or ``"4.2"``).
    title : str
        Which of its tables, in words (``"Table 3 — traditional method vs deep neural network"``).
    reported, measured : pandas.DataFrame
        The survey's numbers as printed, and ours in the same layout (:mod:`ui.survey`; the measured
        tables start with the degraded input, the floor every method has to beat).
    conclusion : str
        Claimed gain against measured gain with the number of images behind our mean
        (:func:`ui.survey.conclusions`, in PSNR).
    degradation : str
        Our pipeline the measured numbers come from.
    table : str
        The table's name (``"Table 3"`` to ``"Table 6"``).
    """

    section: str
    title: str
    reported: pd.DataFrame
    measured: pd.DataFrame
    conclusion: str
    degradation: str = ""
    table: str = ""


#: The survey's tables a report can show: name -> (section, title).
_SURVEY_TABLES: dict[str, tuple[str, str]] = {
    "Table 3": ("4.1", "Table 3 — traditional method vs deep neural network"),
    "Table 4": ("4.1", "Table 4 — per category"),
    "Table 5": ("4.2", "Table 5 — filters, wavelets and deep learning"),
    "Table 6": ("4.2", "Table 6 — per image type"),
}
#: The tables of the survey's section that fit a task (a Restore run: one image, so no per-category table).
_RESTORE_TABLES: dict[str, str] = {"combined": "Table 3", "denoise": "Table 5", "deblur": "Table 5"}


def _measured(results: pd.DataFrame, name: str, degradation: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The survey's table ``name`` as printed and ours on ``degradation`` (the degraded input first)."""
    if name == "Table 3":
        return survey.TABLE3, survey.measured_table3(results, degradation, degraded=True)
    if name == "Table 4":
        return survey.TABLE4, survey.measured_table4(results, degradation, degraded=True)
    if name == "Table 5":
        return survey.TABLE5, survey.measured_table5(results, degradation, degraded=True)
    return survey.TABLE6, survey.measured_table6(results, degradation)  # its "degraded" column is the floor


def _comparisons(
    results: pd.DataFrame, for_41: str | None, for_42: str | None, tables: Sequence[str],
) -> list[SurveyComparison]:
    """``tables`` of the survey beside ours, each with its sentence from :func:`ui.survey.conclusions`.

    ``for_41`` / ``for_42`` are the degradations standing for sections 4.1 and 4.2; a missing one takes the
    other's place in :func:`ui.survey.claims_vs_measured` (its tables are not asked for then).
    """
    first = for_41 if for_41 is not None else for_42
    if first is None:
        return []
    second = for_42 if for_42 is not None else first
    sentences = survey.conclusions(survey.claims_vs_measured(results, first, second), "PSNR")
    out = []
    for name in tables:
        section, title = _SURVEY_TABLES[name]
        degradation = first if section == "4.1" else second
        reported, measured = _measured(results, name, degradation)
        out.append(SurveyComparison(section, title, reported, measured, sentences.get(name, ""), degradation, name))
    return out


def _tidy(table: pd.DataFrame, *, image: str, pipeline: str, task: str) -> pd.DataFrame:
    """A Restore run's metric table as tidy benchmark rows (one image, category "this image")."""
    rows = []
    for _, row in table.iterrows():
        method = str(row["method"])
        spec = REGISTRY.get(method)
        rows.append({
            "image": image, "category": "this image", "degradation": pipeline or "as-is", "task": task,
            "method": method, "family": spec.family if spec is not None else "input",
            "psnr": float(row["PSNR (dB)"]), "ssim": float(row["SSIM"]), "seconds": float(row["seconds"]),
            "error": "",
        })
    return pd.DataFrame(rows)


def restore_survey_comparison(table: pd.DataFrame, *, image: str, pipeline: str, task: str) -> SurveyComparison | None:
    """The survey comparison of a Restore run, when the survey measured its task.

    The run is one image on one degradation, so that degradation stands for the survey's section that fits
    the task, and only that section's mean table is shown (its per-category table would have one row).

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`ui.compare.metric_table` (with a ground truth).
    image : str
        The image's name.
    pipeline : str
        Pipeline text of the degradation.
    task : str
        The observation's task: ``combined`` gives the survey's Table 3, ``denoise`` and ``deblur`` its Table 5.

    Returns
    -------
    SurveyComparison or None
        None for another task, without a ground truth, or when the table cannot be read.
    """
    name = _RESTORE_TABLES.get(task)
    try:
        if name is None or table is None or table.empty \
                or pd.to_numeric(table["PSNR (dB)"], errors="coerce").isna().all():
            return None
        results = _tidy(table, image=image, pipeline=pipeline, task=task)
        degradation = pipeline or "as-is"
        found = _comparisons(results, degradation, degradation, (name,))
    except (KeyError, ValueError, TypeError, IndexError, AttributeError):
        return None
    return found[0] if found else None


def benchmark_survey_comparisons(frame: pd.DataFrame) -> list[SurveyComparison]:
    """The survey comparisons of a benchmark: Tables 3-4 and Tables 5-6 where their tasks were measured.

    Tables 3-4 (section 4.1) use the first combined degradation, Tables 5-6 (section 4.2) the first
    denoising one, else the first deblurring one: the Benchmark page's layout, without its choice.

    Parameters
    ----------
    frame : pandas.DataFrame
        Tidy benchmark results (``image, category, degradation, task, method, family, psnr, ...``).

    Returns
    -------
    list of SurveyComparison
        Zero, two or four comparisons, in the order of the survey's tables.
    """
    try:
        tasks = frame.groupby("degradation", sort=False)["task"].first()

        def first(*wanted: str) -> str | None:
            return next((str(d) for t in wanted for d, task in tasks.items() if task == t), None)

        for_41, for_42 = first("combined"), first("denoise", "deblur")
        tables = [*(("Table 3", "Table 4") if for_41 is not None else ()),
                  *(("Table 5", "Table 6") if for_42 is not None else ())]
        return _comparisons(frame, for_41, for_42, tables)
    except (KeyError, ValueError, TypeError, IndexError, AttributeError):
        return []


def _ours(value: Any) -> str:
    """A method in the survey tables' ``ours`` column by its title (the registry name is the cell's tooltip)."""
    if isinstance(value, str) and (value in REGISTRY or value == DEGRADED):
        return compare.title_of(value)
    return "" if value is None else str(value)


_SURVEY_FORMATS: dict[str, str | Callable[[Any], str]] = {
    "PSNR": ".2f", "SSIM": ".3f", "degraded": ".3g", "traditional": ".3g", "wavelet": ".3g", "deep learning": ".3g",
    "ours": _ours,
}


def _survey_section(comparisons: Sequence[SurveyComparison]) -> str:
    if not comparisons:
        return ""
    parts = ['<section id="survey"><h2>The survey\'s claims beside our measurements</h2>',
             '<p class="note">Wang, Shi, Liang, "Progress in image recovery technology based on deep neural network", '
             "section 4. The survey publishes no code, data or degradation parameters: this is its layout, not a "
             "reproduction. Our rows name the method that stands for each kind.</p>"]
    tips = {"ours": lambda v: "" if v is None else str(v)}
    for c in comparisons:
        incomplete = c.table in survey.INCOMPLETE
        badge = f' <span class="note">({_e(survey.INCOMPLETE_LABEL)})</span>' if incomplete else ""
        parts.append(f'<h3 data-table="{_e(c.table)}">{_e(c.title)}{badge}</h3>')
        if c.conclusion:
            parts.append(f'<p class="verdict">{_e(c.conclusion)}</p>')
        parts.append(f'<p class="note">{_e(survey.EXPERIMENTS.get(c.section, ""))}</p>')
        if incomplete:
            parts.append(f'<p class="note">{_e(survey.INCOMPLETE[c.table])}</p>')
        if c.table == "Table 3":
            parts.append(f'<p class="note">{_markdown(survey.TRADITIONAL_ROWS)}</p>')
        floor = {"Table 4": "the first row of each category", "Table 6": "the <em>degraded</em> column"}.get(
            c.table, "the first row")
        layout = "pair" if c.table in ("Table 3", "Table 5") else "stack"  # wide tables go one above the other
        parts.append(f'<div class="{layout}"><div><p class="note">Reported by the survey</p>'
                     + html_table(c.reported, formats=_SURVEY_FORMATS)
                     + f'</div><div><p class="note">Measured here — <code>{_e(c.degradation)}</code>; {floor} is '
                     "the degraded input itself, not restored</p>"
                     + html_table(c.measured, formats=_SURVEY_FORMATS, tooltips=tips) + "</div></div>")
    parts.append("</section>")
    return "".join(parts)


# --------------------------------------------------------------------------- the Restore report
_METRIC_FORMATS: dict[str, str | Callable[[Any], str]] = {
    "PSNR (dB)": ".2f", "SSIM": ".4f", "gain (dB)": "+.2f", "seconds": ".3f",
}
_METRIC_HEADERS = {"title": "method", "method": "registry name", "seconds": "seconds"}


@dataclass
class RestoreReport:
    """Everything a one-page report of a Restore run shows; :meth:`to_html` writes it.

    Attributes
    ----------
    image : str
        The image's name.
    pipeline : str
        Pipeline text of the degradation (``""`` for a photo that came degraded).
    seed : int
        Seed of the degradation and of randomised methods.
    task : str
        The observation's task.
    table : pandas.DataFrame
        Output of :func:`ui.compare.metric_table`.
    images : mapping of str to numpy.ndarray or bytes
        The pictures in display order: ``"clean"`` (when known), ``"degraded"``, then each method by registry
        name; float [0, 1] or uint8 arrays, or PNG bytes.
    params : mapping of str to mapping
        Every parameter each method ran with.
    summary : str or None
        The winner in words (:func:`ui.compare.winner_summary`; markdown bold allowed).
    error_maps : mapping of str to numpy.ndarray or bytes
        Colour-mapped error of each image (:func:`ui.compare.error_map`), by the same names.
    error_top : float
        Error at the top of the maps' colour scale, in grey levels of 255.
    survey : SurveyComparison or None
        The survey comparison, where the survey measured the task.
    errors : mapping of str to str
        Methods that did not run, with the reason.
    created, commit, version : str
        Provenance (:func:`provenance` fills what is empty).
    size : tuple of int, optional
        Height and width of the results (default: read from the first image when it is an array).
    """

    image: str
    pipeline: str
    seed: int
    task: str
    table: pd.DataFrame
    images: Mapping[str, np.ndarray | bytes] = field(default_factory=dict)
    params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    summary: str | None = None
    error_maps: Mapping[str, np.ndarray | bytes] = field(default_factory=dict)
    error_top: float = 25.0
    survey: SurveyComparison | None = None
    errors: Mapping[str, str] = field(default_factory=dict)
    created: str = ""
    commit: str = ""
    version: str = ""
    size: tuple[int, int] | None = None

    def title(self) -> str:
        """The report's heading."""
        return f"Restoration report: {self.image or 'image'}"

    def file_name(self) -> str:
        """The report's download name (:func:`export_name`)."""
        return export_name(self.image, self.pipeline, "report", "html")

    def _caption(self, name: str) -> str:
        if name == "clean":
            return "Clean (ground truth)"
        psnr = math.nan
        if self.table is not None and "method" in self.table and "PSNR (dB)" in self.table:
            hit = self.table.loc[self.table["method"] == name, "PSNR (dB)"]
            psnr = float(pd.to_numeric(hit, errors="coerce").iloc[0]) if len(hit) else math.nan
        title = compare.title_of(name)
        return f"{title} — {psnr:.2f} dB" if math.isfinite(psnr) else title

    def _figures(self, pictures: Mapping[str, np.ndarray | bytes], kind: str) -> str:
        out = []
        for name, picture in pictures.items():
            try:
                uri = _data_uri(picture)
            except (ValueError, TypeError, OSError) as exc:
                out.append(f'<figure><p class="note">{_e(name)}: cannot be shown ({_e(exc)})</p></figure>')
                continue
            caption = self._caption(name)
            registry = f' <span class="note">({_e(name)})</span>' if name in REGISTRY else ""
            out.append(f'<figure data-kind="{kind}" data-name="{_e(name)}"><img src="{uri}" alt="{_e(caption)}">'
                       f"<figcaption>{_e(caption)}{registry}</figcaption></figure>")
        return '<div class="grid">' + "".join(out) + "</div>"

    def to_html(self) -> str:
        """The report as one self-contained HTML document.

        Returns
        -------
        str
            The document: provenance, what was done, the verdict, the metric table, the PSNR chart, the
            images, the error maps, the survey comparison (when there is one) and every parameter.
        """
        meta = provenance(self.created or None)
        meta = {k: (getattr(self, k) or v) for k, v in meta.items()}
        table = self.table if self.table is not None else pd.DataFrame(columns=list(compare.METRIC_COLUMNS))
        shape = ""
        first = next(iter(self.images.values()), None)
        if self.size is not None and len(self.size) >= 2:
            shape = f"{int(self.size[1])}×{int(self.size[0])} px"
        elif isinstance(first, np.ndarray) and first.ndim >= 2:
            shape = f"{first.shape[1]}×{first.shape[0]} px"
        setup = [
            ("Image", _e(self.image)),
            ("Degradation", f"<code>{_e(self.pipeline)}</code>" if self.pipeline
             else "none applied here: the photo came degraded (no ground truth)"),
            ("Task", _e(self.task)),
            ("Seed", _e(self.seed)),
        ]
        if shape:
            setup.append(("Result size", shape))
        sections = ['<section id="setup"><h2>What was done</h2><dl>'
                    + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in setup) + "</dl></section>"]
        if self.summary:
            sections.append(f'<section id="verdict"><h2>Verdict</h2><p class="verdict">{_markdown(self.summary)}</p>'
                            f'<p class="note">{_e(compare.VISIBILITY_RULE)}</p></section>')
        has_truth = "PSNR (dB)" in table and pd.to_numeric(table["PSNR (dB)"], errors="coerce").notna().any()
        columns = [c for c in ("title", "method", "family", "PSNR (dB)", "SSIM", "gain (dB)", "seconds", "best")
                   if c in table and (has_truth or c not in ("PSNR (dB)", "SSIM", "gain (dB)", "best"))]
        shown = table[columns]
        if not has_truth and "method" in shown:
            shown = shown[shown["method"] != DEGRADED]
        sections.append(
            '<section id="metrics"><h2>Metrics</h2>'
            + html_table(shown, formats=_METRIC_FORMATS, headers=_METRIC_HEADERS, key="method",
                         best={"PSNR (dB)": "max", "SSIM": "max", "gain (dB)": "max", "seconds": "min"},
                         table_id="metric-table")
            + '<p class="note">'
            + ("PSNR and SSIM against the clean image (RGB in [0, 1], no border crop); <em>gain</em> is the PSNR "
               "gain over the degraded input; best values in bold. " if has_truth
               else "No clean original, so no PSNR or SSIM. ")
            + "Seconds are those of the first run of each method (results are cached); the degraded input took "
            "none.</p></section>"
        )
        if has_truth:
            names = [str(m) for m in table["method"]]
            sections.append(
                '<section id="chart"><h2>PSNR per method</h2>'
                + bars_svg([compare.title_of(n) for n in names], list(table["PSNR (dB)"]),
                           grey=[n == DEGRADED for n in names], tooltips=names)
                + "</section>"
            )
        if self.images:
            sections.append('<section id="images"><h2>Images</h2>' + self._figures(self.images, "image")
                            + '<p class="note">Shown at the result\'s size; pixels are not smoothed.</p></section>')
        if self.error_maps:
            sections.append(
                '<section id="error-maps"><h2>Error maps</h2>'
                + f'<p class="note">|result − clean|, averaged over the colour channels: black = exact, pale yellow = '
                f"{self.error_top:g} grey levels (of 255) or more. Structure in a map is detail lost or "
                "invented.</p>"
                + compare.colour_scale_svg(self.error_top)
                + self._figures(self.error_maps, "error") + "</section>"
            )
        sections.append(_survey_section([self.survey] if self.survey is not None else []))
        if self.params:
            rows = pd.DataFrame([
                {"title": compare.title_of(n), "method": n,
                 "parameters": ", ".join(f"{k}={v}" for k, v in sorted(p.items())) or "(none)"}
                for n, p in self.params.items()
            ])
            sections.append('<section id="parameters"><h2>Parameters</h2>'
                            + html_table(rows, headers=_METRIC_HEADERS) + "</section>")
        if self.errors:
            sections.append('<section id="errors"><h2>Methods that did not run</h2><ul>'
                            + "".join(f"<li><strong>{_e(compare.title_of(n))}</strong> ({_e(n)}): {_e(m)}</li>"
                                      for n, m in self.errors.items()) + "</ul></section>")
        return _document(self.title(), meta, sections)


# --------------------------------------------------------------------------- the Benchmark report
def benchmark_report_html(
    frame: pd.DataFrame,
    request: Mapping[str, Any] | None = None,
    *,
    created: str | None = None,
) -> str:
    """A one-page HTML report of a benchmark: per degradation its tables and chart, then the survey comparison.

    Each degradation gets the mean per method (table and PSNR chart) and the mean PSNR per category.

    Parameters
    ----------
    frame : pandas.DataFrame
        Tidy benchmark results (:data:`restoration.benchmark.COLUMNS`).
    request : mapping, optional
        What was asked (the Benchmark page's ``images``, ``degradations``, ``methods``, ``seed``, ``seconds``).
    created : str, optional
        The date to state (default: now).

    Returns
    -------
    str
        A self-contained HTML document (never raises on an empty or partial frame: it says what is missing).
    """
    from restoration.results import category_means, method_means, ok_rows

    request = dict(request or {})
    meta = provenance(created)
    sections: list[str] = []
    if frame is None or frame.empty or not {"degradation", "method", "psnr", "image"} <= set(frame.columns):
        sections.append('<section id="setup"><p class="note">No benchmark results to report.</p></section>')
        return _document("Benchmark report", meta, sections)
    ok = ok_rows(frame)
    failed = len(frame) - len(ok)
    categories = (frame.groupby("category")["image"].nunique() if "category" in frame
                  else pd.Series(dtype=int))
    methods = [m for m in dict.fromkeys(frame["method"]) if m != DEGRADED]
    setup = [
        ("Images", f"{frame['image'].nunique()} ("
         + ", ".join(f"{_e(c)}: {int(n)}" for c, n in categories.items()) + ")"),
        ("Degradations", "<br>".join(f"<code>{_e(d)}</code>" for d in dict.fromkeys(frame["degradation"]))),
        ("Methods", ", ".join(f'<span title="{_e(m)}">{_e(compare.title_of(m))}</span>' for m in methods)),
        ("Seed", _e(request.get("seed", "—"))),
        ("Measurements", f"{len(frame)}" + (f", {failed} failed (left out of every mean)" if failed else "")),
    ]
    sections.append('<section id="setup"><h2>What was measured</h2><dl>'
                    + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in setup) + "</dl></section>")
    formats: dict[str, str | Callable[[Any], str]] = {"psnr": ".2f", "ssim": ".4f", "seconds": ".3f", "images": ".0f"}
    for degradation in dict.fromkeys(frame["degradation"]):
        task = str(frame.loc[frame["degradation"] == degradation, "task"].iloc[0]) if "task" in frame else ""
        means = method_means(frame, degradation)
        part = [f'<section class="degradation"><h2>{_e(task)} · <code>{_e(degradation)}</code></h2>']
        if means.empty:
            part.append('<p class="note">Every measurement of this degradation failed.</p></section>')
            sections.append("".join(part))
            continue
        shown = means.assign(
            title=[compare.title_of(m) for m in means["method"]],
            family=[FAMILIES.get(str(f), str(f)) for f in means["family"]],
            seconds=[math.nan if m == DEGRADED else v for m, v in zip(means["method"], means["seconds"], strict=True)],
        )
        shown = shown[["title", "method", "family", "psnr", "ssim", "seconds", "images"]]
        part.append("<h3>Mean per method</h3>" + html_table(
            shown, formats=formats, headers={"title": "method", "method": "registry name", "psnr": "PSNR (dB)",
                                             "ssim": "SSIM"},
            best={"psnr": "max", "ssim": "max", "seconds": "min"}, key="method"))
        names = [str(m) for m in means["method"]]
        part.append(bars_svg([compare.title_of(n) for n in names], list(means["psnr"]),
                             grey=[n == DEGRADED for n in names], tooltips=names))
        per_category = category_means(frame, "psnr", degradation)
        if not per_category.empty:
            table = per_category.rename(columns=compare.title_of).rename_axis("category").reset_index()
            part.append("<h3>PSNR (dB) per category</h3>"
                        + html_table(table, formats={c: ".2f" for c in table.columns if c != "category"}))
        part.append("</section>")
        sections.append("".join(part))
    sections.append(_survey_section(benchmark_survey_comparisons(frame)))
    return _document("Benchmark report", meta, sections)


def benchmark_file_name(frame: pd.DataFrame) -> str:
    """The download name of a benchmark's report: how many images and which degradations.

    Parameters
    ----------
    frame : pandas.DataFrame
        Tidy benchmark results.

    Returns
    -------
    str
        E.g. ``"benchmark__6-images__gaussian_noise+motion_blur-downsample-gaussian_noise__report.html"``
        (one pipeline slug per degradation, cut to a sane length).
    """
    try:
        images = int(frame["image"].nunique())
        slugs = "+".join(pipeline_slug(str(d)) for d in dict.fromkeys(frame["degradation"]))
    except (KeyError, TypeError, AttributeError):
        images, slugs = 0, "none"
    return f"benchmark__{images}-images__{slugs[:100].strip('+-') or 'none'}__report.html"
