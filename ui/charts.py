"""Pure functions from result tables to plotly figures and display tables (no Streamlit here).

The benchmark functions take the tidy frame of :func:`restoration.benchmark.run_benchmark`
(one row per image x degradation x method, columns ``image, category, degradation,
task, method, family, psnr, ssim, seconds, error``); rows with an error are left out
of every mean. The means come from :mod:`restoration.results` (:func:`for_degradation`,
:func:`method_means` and :func:`category_means` are re-exported here); this module only
draws them. Figures use only plotly.js features that Streamlit bundles, so they render offline.
:func:`survey_gain_chart` returns a Vega-Lite spec (a plain dict with its data inline, drawn by
``st.vega_lite_chart`` with the Vega-Lite that Streamlit bundles), also offline.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from restoration.results import DEGRADED, category_means, for_degradation, method_means
from ui.compare import psnr_axis

__all__ = [
    "METRIC_LABELS",
    "SURVEY_SOURCES",
    "category_bars",
    "category_heatmap",
    "category_means",
    "flatten",
    "for_degradation",
    "method_means",
    "restore_bars",
    "runtime_scatter",
    "style_best",
    "survey_gain_chart",
]

#: Axis and column labels of the benchmark metrics.
METRIC_LABELS: dict[str, str] = {"psnr": "PSNR (dB)", "ssim": "SSIM", "seconds": "seconds"}
_DEGRADED_COLOUR = "#9e9e9e"


def _check_metric(metric: str) -> str:
    if metric not in METRIC_LABELS:
        raise ValueError(f"metric must be one of {', '.join(METRIC_LABELS)}, got {metric!r}")
    return METRIC_LABELS[metric]


def _empty_figure(message: str) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_layout(height=240, margin={"l": 10, "r": 10, "t": 30, "b": 10})
    return fig


def category_bars(results: pd.DataFrame, metric: str = "psnr", degradation: str | None = None) -> go.Figure:
    """Grouped bars: one group per category, one bar per method (the degraded input in grey).

    Parameters
    ----------
    results : pandas.DataFrame
        Tidy benchmark results.
    metric : {"psnr", "ssim", "seconds"}
        The measure on the y axis.
    degradation : str, optional
        Which degradation (default: the first).

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace per method.
    """
    label = _check_metric(metric)
    table = category_means(results, metric, degradation)
    if table.empty:
        return _empty_figure("No results to show")
    fig = go.Figure()
    for method in table.columns:
        fig.add_trace(go.Bar(
            name=method, x=list(table.index), y=table[method].to_numpy(),
            marker_color=_DEGRADED_COLOUR if method == DEGRADED else None,
            hovertemplate=f"{method}<br>%{{x}}: %{{y:.3f}}<extra></extra>",
        ))
    values = table.to_numpy(dtype=float)
    low, high = float(np.nanmin(values)), float(np.nanmax(values))
    fig.update_layout(
        barmode="group", title=f"Mean {label} per category", xaxis_title="category", yaxis_title=label,
        legend_title_text="method", margin={"l": 10, "r": 10, "t": 50, "b": 10}, height=420,
    )
    if metric == "psnr" and math.isfinite(low) and math.isfinite(high):
        start, stop, note = psnr_axis(low, high)
        fig.update_yaxes(range=[start, stop])
        if note:
            fig.update_yaxes(title_text=f"PSNR (dB{note})")
    return fig


def category_heatmap(results: pd.DataFrame, metric: str = "psnr", degradation: str | None = None) -> go.Figure:
    """Heat map of the mean ``metric`` per category (rows) and method (columns), values written in the cells.

    Parameters
    ----------
    results : pandas.DataFrame
        Tidy benchmark results.
    metric : {"psnr", "ssim", "seconds"}
        The measure.
    degradation : str, optional
        Which degradation (default: the first).

    Returns
    -------
    plotly.graph_objects.Figure
        A single heat-map trace.
    """
    label = _check_metric(metric)
    table = category_means(results, metric, degradation)
    if table.empty:
        return _empty_figure("No results to show")
    digits = 2 if metric == "psnr" else (4 if metric == "ssim" else 3)
    values = table.to_numpy(dtype=float)
    text = [[("" if math.isnan(v) else f"{v:.{digits}f}") for v in row] for row in values]
    fig = go.Figure(go.Heatmap(
        z=values, x=list(table.columns), y=list(table.index), text=text, texttemplate="%{text}",
        colorscale="Viridis", reversescale=metric == "seconds", colorbar={"title": {"text": label}},
        hovertemplate="%{y} · %{x}: %{z:.4f}<extra></extra>",
    ))
    fig.update_layout(
        title=f"{label}: category × method", margin={"l": 10, "r": 10, "t": 50, "b": 10},
        height=max(260, 60 * len(table.index) + 120),
    )
    fig.update_yaxes(autorange="reversed")
    return fig


def runtime_scatter(results: pd.DataFrame, degradation: str | None = None, metric: str = "psnr") -> go.Figure:
    """Quality against speed: mean ``metric`` (y) versus mean run time (x, log scale), one point per method.

    The degraded input (no run time) is drawn as a dashed horizontal line instead.

    Parameters
    ----------
    results : pandas.DataFrame
        Tidy benchmark results.
    degradation : str, optional
        Which degradation (default: the first).
    metric : {"psnr", "ssim"}
        The quality measure.

    Returns
    -------
    plotly.graph_objects.Figure
        One scatter trace per family.
    """
    label = _check_metric(metric)
    means = method_means(results, degradation)
    if means.empty:
        return _empty_figure("No results to show")
    fig = go.Figure()
    methods = means[means["method"] != DEGRADED]
    for family, group in methods.groupby("family", sort=False):
        fig.add_trace(go.Scatter(
            x=group["seconds"].clip(lower=1e-4), y=group[metric], mode="markers+text", name=str(family),
            text=group["method"], textposition="top center", marker={"size": 12},
            hovertemplate="%{text}<br>%{x:.3f} s · %{y:.3f}<extra>" + str(family) + "</extra>",
        ))
    base = means.loc[means["method"] == DEGRADED, metric]
    if not base.empty and math.isfinite(float(base.iloc[0])):
        fig.add_hline(
            y=float(base.iloc[0]), line_dash="dash", line_color=_DEGRADED_COLOUR,
            annotation_text="degraded input", annotation_position="bottom right",
        )
    fig.update_layout(
        title=f"{label} versus run time (mean per image)", xaxis_title="seconds per image (log scale)",
        yaxis_title=label, legend_title_text="family", margin={"l": 10, "r": 10, "t": 50, "b": 10}, height=420,
    )
    fig.update_xaxes(type="log")
    return fig


def restore_bars(table: pd.DataFrame) -> go.Figure:
    """Horizontal bars of PSNR per method from the Restore page's metric table (best on top).

    Bars are labelled by the method's title (:func:`ui.compare.title_of`: the registry spec's title,
    "Degraded input" for the input); the registry name is in each bar's hover text.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`ui.compare.metric_table` (columns ``method`` and ``PSNR (dB)``).

    Returns
    -------
    plotly.graph_objects.Figure
        A single bar trace, ``customdata`` holding each bar's registry name; the degraded input in grey.
        Without a finite PSNR (no ground truth), a figure with a message and no trace.
    """
    from ui.compare import title_of

    data = table.dropna(subset=["PSNR (dB)"])
    data = data[np.isfinite(data["PSNR (dB)"])].sort_values("PSNR (dB)")
    if data.empty:
        return _empty_figure("No PSNR to show (no ground truth)")
    names = [str(m) for m in data["method"]]
    titles = [title_of(n) for n in names]
    repeated = {t for t in titles if titles.count(t) > 1}  # one bar per label: a shared title gets its name
    titles = [f"{t} ({n})" if t in repeated else t for t, n in zip(titles, names, strict=True)]
    colours = [_DEGRADED_COLOUR if m == DEGRADED else "#ff4b4b" for m in names]
    fig = go.Figure(go.Bar(
        x=data["PSNR (dB)"], y=titles, orientation="h", marker_color=colours, customdata=[[n] for n in names],
        text=[f"{v:.2f}" for v in data["PSNR (dB)"]], textposition="outside", cliponaxis=False,
        hovertemplate="%{y} (%{customdata[0]}): %{x:.2f} dB<extra></extra>",
    ))
    low, high = float(data["PSNR (dB)"].min()), float(data["PSNR (dB)"].max())
    fig.update_layout(
        xaxis_title="PSNR (dB)", margin={"l": 10, "r": 10, "t": 10, "b": 10}, height=60 + 34 * len(data),
    )
    fig.update_xaxes(range=[max(0.0, math.floor(low) - 2.0), math.ceil(high) + 0.15 * (high - low) + 2.0])
    fig.update_yaxes(automargin=True)
    return fig


def tuning_figure(values: Sequence[float], losses: Sequence[float], best: float, automatic: float, *,
                  knob: str, title: str) -> go.Figure:
    """The self-supervised loss of every knob value tried, with the chosen and the automatic values marked.

    Parameters
    ----------
    values, losses : sequence of float
        The values tried (increasing) and their Noise2Self losses.
    best, automatic : float
        The value chosen (lowest loss) and the one the noise-level rule gives.
    knob, title : str
        Axis label and chart title.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    fig = go.Figure(go.Scatter(x=list(values), y=list(losses), mode="lines+markers", name="self-supervised loss"))
    fig.add_trace(go.Scatter(x=[best], y=[losses[list(values).index(best)]], mode="markers", name=f"chosen: {best:.4g}",
                             marker={"size": 14, "symbol": "star"}))
    fig.add_vline(x=automatic, line_dash="dash", annotation_text=f"automatic rule: {automatic:.4g}")
    fig.update_layout(title=title, xaxis_title=knob, yaxis_title="loss on the masked pixels (lower is better)",
                      xaxis_type="log", height=320, margin={"l": 10, "r": 10, "t": 50, "b": 10})
    return fig


def flatten(table: pd.DataFrame, *, digits: int | None = None) -> pd.DataFrame:
    """A summary table as a flat frame: index levels become columns, column names become text.

    Parameters
    ----------
    table : pandas.DataFrame
        E.g. the output of :func:`restoration.results.category_table`.
    digits : int, optional
        Round numeric columns.

    Returns
    -------
    pandas.DataFrame
        With a plain RangeIndex (good for ``st.dataframe`` and CSV).
    """
    out = table.copy()
    if isinstance(out.columns, pd.MultiIndex):
        out.columns = [" ".join(str(p) for p in col if str(p)) for col in out.columns]
    names = [n if n is not None else (f"level_{i}" if out.index.nlevels > 1 else "index")
             for i, n in enumerate(out.index.names)]
    if out.index.nlevels > 1 or out.index.name is not None or not isinstance(out.index, pd.RangeIndex):
        out.index.names = names
        out = out.reset_index()
    out.columns = [str(c) for c in out.columns]
    if digits is not None:
        numeric = out.select_dtypes("number").columns
        out[numeric] = out[numeric].round(digits)
    return out


def style_best(
    frame: pd.DataFrame,
    columns: Sequence[str] | None = None,
    *,
    axis: int = 0,
    lower_is_better: Sequence[str] = ("seconds",),
    skip: Sequence[str] = (DEGRADED,),
    digits: Mapping[str, int | str] | int | None = None,
) -> Any:
    """A pandas Styler that marks the best value in bold on a light green background.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table to show.
    columns : sequence of str, optional
        Columns to consider (default: every numeric column).
    axis : {0, 1}
        0: best per column (e.g. the metric table); 1: best per row across ``columns``
        (e.g. a category x method table).
    lower_is_better : sequence of str
        Columns (axis 0) where the smallest value is the best.
    skip : sequence of str
        Values of the first column (axis 0) or column names (axis 1) never marked best,
        such as the degraded input.
    digits : mapping of str to int or str, or int, optional
        Decimals shown per column, or a format spec such as ``"+.2f"`` (an int alone: for every
        numeric column); missing values show as "—".

    Returns
    -------
    pandas.io.formats.style.Styler
        Styled table (values unchanged).
    """
    columns = list(columns) if columns is not None else list(frame.select_dtypes("number").columns)
    style = "font-weight: bold; background-color: rgba(33, 195, 84, 0.18)"
    mask = pd.DataFrame("", index=frame.index, columns=frame.columns)
    if axis == 0:
        keep = ~frame.iloc[:, 0].isin(list(skip)) if len(frame.columns) else pd.Series(True, index=frame.index)
        for column in columns:
            values = pd.to_numeric(frame.loc[keep, column], errors="coerce").replace([np.inf, -np.inf], np.nan)
            if values.notna().any():
                best = values.min() if column in lower_is_better else values.max()
                mask.loc[values.index[values == best], column] = style
    else:
        candidates = [c for c in columns if c not in skip]
        for index, row in frame[candidates].apply(pd.to_numeric, errors="coerce").iterrows():
            if row.notna().any():
                mask.loc[index, row.index[row == row.max()]] = style
    styler = frame.style.apply(lambda _: mask, axis=None)
    if digits is not None:
        if isinstance(digits, int):
            digits = {c: digits for c in frame.select_dtypes("number").columns}
        formats = {c: f"{{:{d}}}" if isinstance(d, str) else f"{{:.{d}f}}" for c, d in digits.items()}
        styler = styler.format({c: f for c, f in formats.items() if c in frame.columns}, na_rep="—")
    return styler


#: Legend entries of :func:`survey_gain_chart`, in order, with their colours.
SURVEY_SOURCES: dict[str, str] = {"claimed by the survey": "#7f8c9a", "measured here": "#ff4b4b"}


def _finite_or_none(value: Any) -> float | None:
    """A float for a Vega-Lite data value, or None (JSON has no NaN)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def survey_gain_chart(claims: pd.DataFrame, metric: str = "PSNR") -> dict[str, Any]:
    """Grouped horizontal bars: per survey table and comparison, the gain the survey claims and the one we measure.

    Parameters
    ----------
    claims : pandas.DataFrame
        Output of :func:`ui.survey.claims_vs_measured` (columns ``table, category, metric, base_kind,
        claimed_base, claimed, claimed_gain, base_method, method, measured_base, measured,
        measured_gain, n``).
    metric : {"PSNR", "SSIM"}
        Which metric's gains to draw (case-insensitive).

    Returns
    -------
    dict
        A Vega-Lite spec with its data inline, for ``st.vega_lite_chart(spec=...)``: one bar per
        source (:data:`SURVEY_SOURCES`) per comparison, the gain in percent written beside each bar,
        and "not printed" / "not measured" where a value is missing. Comparisons with neither
        value are left out.

    Raises
    ------
    ValueError
        For a metric other than PSNR or SSIM.
    """
    metric = str(metric).upper()
    if metric not in ("PSNR", "SSIM"):
        raise ValueError(f"metric must be PSNR or SSIM, got {metric!r}")
    claimed_label, measured_label = SURVEY_SOURCES
    unit = " dB" if metric == "PSNR" else ""
    digits = 2 if metric == "PSNR" else 3
    values: list[dict[str, Any]] = []
    rows = claims[claims["metric"] == metric] if "metric" in claims else claims.iloc[:0]
    for row in rows.to_dict("records"):
        claimed, measured = _finite_or_none(row["claimed_gain"]), _finite_or_none(row["measured_gain"])
        if claimed is None and measured is None:
            continue
        label = f"{row['table']}: vs {row['base_kind']}" + (f" · {row['category']}" if row["category"] else "")
        for source, gain, base, value, who, missing in (
            (claimed_label, claimed, row["claimed_base"], row["claimed"], "the survey", "not printed"),
            (measured_label, measured, row["measured_base"], row["measured"],
             f"{row['method']} over {row['base_method']} (n = {int(row['n'])})", "not measured"),
        ):
            detail = "" if gain is None else f"{float(base):.{digits}f} → {float(value):.{digits}f}{unit}"
            values.append({
                "label": label, "source": source, "gain": gain, "at": max(gain, 0.0) if gain is not None else 0.0,
                "text": missing if gain is None else f"{gain:+.1f} %", "values": detail, "who": who,
            })
    if not values:
        return {
            "data": {"values": [{"text": "No gains to compare"}]}, "mark": {"type": "text", "fontSize": 14},
            "encoding": {"text": {"field": "text"}}, "height": 60,
        }
    y = {"field": "label", "type": "nominal", "sort": None, "title": None, "axis": {"labelLimit": 360}}
    y_offset = {"field": "source", "sort": list(SURVEY_SOURCES)}
    color = {
        "field": "source", "type": "nominal", "title": None, "legend": {"orient": "top"},
        "scale": {"domain": list(SURVEY_SOURCES), "range": list(SURVEY_SOURCES.values())},
    }
    x_title = f"gain of deep learning in {metric} (%)"
    return {
        "title": f"Deep learning's gain in {metric}: claimed by the survey vs measured here",
        "data": {"values": values},
        "height": {"step": 36},
        "layer": [
            {
                "transform": [{"filter": "isValid(datum.gain)"}],
                "mark": {"type": "bar", "tooltip": True},
                "encoding": {
                    "y": y, "yOffset": y_offset, "color": color,
                    "x": {"field": "gain", "type": "quantitative", "title": x_title},
                    "tooltip": [
                        {"field": "label", "title": "comparison"}, {"field": "source", "title": "source"},
                        {"field": "gain", "title": "gain (%)", "format": "+.1f"},
                        {"field": "values", "title": metric}, {"field": "who", "title": "from"},
                    ],
                },
            },
            {
                "mark": {"type": "text", "align": "left", "dx": 4, "fontSize": 11},
                "encoding": {
                    "y": y, "yOffset": y_offset, "text": {"field": "text"},
                    "x": {"field": "at", "type": "quantitative", "title": x_title},
                    "color": {"value": "#555"},
                },
            },
            {
                "data": {"values": [{"zero": 0.0}]},
                "mark": {"type": "rule", "color": "#888"},
                "encoding": {"x": {"field": "zero", "type": "quantitative"}},
            },
        ],
    }
