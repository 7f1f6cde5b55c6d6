"""Result tables: the aggregations of a tidy benchmark frame, in one place.

A tidy frame has one row per image x degradation x method, with the columns of
:func:`restoration.benchmark.run_benchmark` (``image, category, degradation, task, method,
family, psnr, ssim, seconds, error, niqe, sharpness, noise_sigma``); the degraded input itself is method
:data:`DEGRADED`, the baseline of every table. Rows with an error are left out of every mean.

Survey layout, every degradation at once (the command line's tables):

* :func:`method_table` -- mean PSNR/SSIM/time per method, with the gain over the degraded input
  (the survey's Tables 3 and 5);
* :func:`category_table` -- per category x method, the degraded input first, with a mean row
  per degradation (its Tables 4 and 6);
* :func:`improvement_table` -- percentage gain over the degraded input, per category.

Without ground truth (photos benchmarked as they are: the ``"as-is"`` degradation), the rows carry
no-reference scores instead of PSNR/SSIM:

* :func:`no_reference_rows` -- the rows that carry them;
* :func:`no_reference_table` -- mean NIQE, sharpness, noise level and time per method, ranked by NIQE
  (lower = closer to clean natural photos); :func:`category_table` and :func:`category_means` also take
  ``metric="niqe"`` (and the other two).

One degradation at a time (the app's charts and survey view):

* :func:`for_degradation` -- the rows of one degradation, without errors;
* :func:`method_means` -- mean PSNR/SSIM/time per method, degraded input first;
* :func:`category_means` -- per category x method, degraded input first.

:func:`ok_rows` filters the error rows, :func:`method_order` puts the degraded input
first, and :func:`percent_gain` is the survey's "+34.2%". Pure pandas (imported on first use, so that
``import restoration.results`` stays light): no Streamlit, no torch.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported by the functions that need it: importing this module stays light
    import pandas as pd

__all__ = [
    "DEGRADED",
    "METRICS",
    "NO_REFERENCE_METRICS",
    "NO_REFERENCE_NOTE",
    "category_means",
    "category_table",
    "for_degradation",
    "improvement_table",
    "method_means",
    "method_order",
    "method_table",
    "no_reference_rows",
    "no_reference_table",
    "ok_rows",
    "percent_gain",
]

#: Name of the degraded input's own rows (the baseline of every table).
DEGRADED = "degraded"
#: The measures a table can show.
METRICS: tuple[str, ...] = ("psnr", "ssim", "seconds")
#: The no-reference scores of a result (:func:`restoration.quality.quality_report`): NIQE (lower = more natural),
#: the variance of the Laplacian (falls with blur, rises with noise) and the estimated noise level (0-255 scale).
NO_REFERENCE_METRICS: tuple[str, ...] = ("niqe", "sharpness", "noise_sigma")
#: What a no-reference ranking can and cannot say, in one paragraph (for the command line and reports).
NO_REFERENCE_NOTE = (
    "No clean original, so these scores judge the pictures by themselves. NIQE (lower = closer to the statistics "
    "of clean natural photos; fitted here on clean training photos) ranks versions of the same photo fairly, "
    "but it cannot tell whether a detail is real or invented, and it calls text, drawings and very dark scenes "
    "unnatural even when clean. Sharpness falls with blur but rises with noise; the noise level is estimated "
    "from the finest wavelet details. Look at the pictures before trusting a ranking."
)
#: Row label of the mean over all images in :func:`category_table` and :func:`improvement_table`.
_ALL_IMAGES = "mean (all images)"


# --------------------------------------------------------------------------- rows
def ok_rows(results: pd.DataFrame) -> pd.DataFrame:
    """The rows without an error (all of them when there is no ``error`` column).

    Parameters
    ----------
    results : pandas.DataFrame
        Tidy benchmark results.

    Returns
    -------
    pandas.DataFrame
        The rows whose ``error`` is empty or missing, index kept.
    """
    if "error" not in results:
        return results
    return results[results["error"].fillna("") == ""]


def for_degradation(results: pd.DataFrame, degradation: str | None = None) -> pd.DataFrame:
    """The rows of one degradation, without errors (the first degradation present when ``degradation`` is None).

    Parameters
    ----------
    results : pandas.DataFrame
        Tidy benchmark results.
    degradation : str, optional
        A value of the ``degradation`` column.

    Returns
    -------
    pandas.DataFrame
        The matching rows without errors (empty when there are none).
    """
    ok = ok_rows(results)
    if ok.empty:
        return ok
    if degradation is None:
        degradation = str(ok["degradation"].iloc[0])
    return ok[ok["degradation"] == degradation]


def method_order(frame: pd.DataFrame) -> list[str]:
    """The methods of ``frame`` in order of appearance, the degraded input first.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows with a ``method`` column.

    Returns
    -------
    list of str
        Method names, each once.
    """
    methods = list(dict.fromkeys(frame["method"]))
    return ([DEGRADED] if DEGRADED in methods else []) + [m for m in methods if m != DEGRADED]


def _check_metric(metric: str) -> None:
    known = (*METRICS, *NO_REFERENCE_METRICS)
    if metric not in known:
        raise ValueError(f"metric must be one of {', '.join(known)}, got {metric!r}")


def percent_gain(value: float, base: float) -> float:
    """``100 * (value - base) / base``: the survey's "+34.2%" (NaN when ``base`` is 0 or NaN).

    Parameters
    ----------
    value : float
        The measure of a method.
    base : float
        The measure it is compared with (e.g. the degraded input's, or a traditional method's).

    Returns
    -------
    float
        The gain in percent.
    """
    return 100.0 * (value - base) / base if base else math.nan


# --------------------------------------------------------------------------- every degradation (survey layout)
def method_table(results: pd.DataFrame) -> pd.DataFrame:
    """Mean PSNR, SSIM and seconds per method, with the degraded input first (survey Tables 3 and 5).

    Parameters
    ----------
    results : pandas.DataFrame
        Output of :func:`restoration.benchmark.run_benchmark`.

    Returns
    -------
    pandas.DataFrame
        Indexed by (degradation, method) when several degradations were run, else by method;
        columns ``psnr``, ``ssim``, ``seconds``, ``images`` and ``psnr_gain`` (dB over degraded).
    """
    ok = ok_rows(results)
    keys = ["degradation", "method"]
    table = ok.groupby(keys, sort=False).agg(
        psnr=("psnr", "mean"), ssim=("ssim", "mean"), seconds=("seconds", "mean"), images=("image", "nunique")
    )
    base = table.xs(DEGRADED, level="method")["psnr"] if DEGRADED in table.index.get_level_values(1) else None
    if base is not None:
        table["psnr_gain"] = table["psnr"] - base.reindex(table.index.get_level_values(0)).to_numpy()
    if results["degradation"].nunique() == 1:
        table = table.droplevel("degradation")
    return table


def _pivot(ok: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Mean ``metric`` per (degradation, category) x method, with a mean row over all images per degradation."""
    import pandas as pd

    methods = list(dict.fromkeys(ok["method"]))
    table = ok.pivot_table(index=["degradation", "category"], columns="method", values=metric, aggfunc="mean",
                           sort=False)
    table = table.reindex(columns=[m for m in methods if m in table.columns])
    overall = ok.groupby(["degradation", "method"], sort=False)[metric].mean().unstack("method")
    overall = overall.reindex(columns=table.columns)
    overall.index = pd.MultiIndex.from_tuples([(d, _ALL_IMAGES) for d in overall.index])
    combined = pd.concat([table, overall]).sort_index(level=0, sort_remaining=False)
    combined.columns.name = None
    return combined


def category_table(results: pd.DataFrame, metric: str = "psnr") -> pd.DataFrame:
    """Mean ``metric`` per category (rows) and method (columns), degraded input first (survey Tables 4 and 6).

    A last row per degradation gives the mean over all images.

    Parameters
    ----------
    results : pandas.DataFrame
        Output of :func:`restoration.benchmark.run_benchmark`.
    metric : {"psnr", "ssim", "seconds", "niqe", "sharpness", "noise_sigma"}
        The measure (the last three for rows scored without a reference).

    Returns
    -------
    pandas.DataFrame
        Indexed by (degradation, category) when several degradations were run, else by category.

    Raises
    ------
    ValueError
        For another ``metric``.
    """
    _check_metric(metric)
    table = _pivot(ok_rows(results), metric)
    if results["degradation"].nunique() == 1:
        table = table.droplevel(0)
    return table


def improvement_table(results: pd.DataFrame, metric: str = "psnr") -> pd.DataFrame:
    """Percentage improvement of each method over the degraded input, per category.

    ``100 * (method - degraded) / degraded`` of the category means, as the survey
    quotes (+34.2% PSNR). Requires the ``"degraded"`` rows.

    Parameters
    ----------
    results : pandas.DataFrame
        Output of :func:`restoration.benchmark.run_benchmark`.
    metric : str
        The measure (a numeric column of ``results``).

    Returns
    -------
    pandas.DataFrame
        Laid out like :func:`category_table`, without the degraded column.

    Raises
    ------
    ValueError
        When ``results`` has no degraded rows.
    """
    table = _pivot(ok_rows(results), metric)
    if DEGRADED not in table.columns:
        raise ValueError("the results have no 'degraded' rows to compare with")
    base = table[DEGRADED]
    out = table.drop(columns=[DEGRADED]).sub(base, axis=0).div(base, axis=0) * 100.0
    if results["degradation"].nunique() == 1:
        out = out.droplevel(0)
    return out


# --------------------------------------------------------------------------- one degradation (the app)
def method_means(results: pd.DataFrame, degradation: str | None = None) -> pd.DataFrame:
    """Mean PSNR, SSIM and seconds per method for one degradation, degraded input first.

    Parameters
    ----------
    results : pandas.DataFrame
        Tidy benchmark results.
    degradation : str, optional
        Which degradation (default: the first).

    Returns
    -------
    pandas.DataFrame
        Columns ``method, family, psnr, ssim, seconds, images`` (``family``: the method's first).
    """
    import pandas as pd

    frame = for_degradation(results, degradation)
    columns = ["method", "family", "psnr", "ssim", "seconds", "images"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    table = frame.groupby("method", sort=False).agg(
        family=("family", "first"), psnr=("psnr", "mean"), ssim=("ssim", "mean"), seconds=("seconds", "mean"),
        images=("image", "nunique"),
    )
    return table.reindex(method_order(frame)).reset_index()[columns]


def category_means(results: pd.DataFrame, metric: str = "psnr", degradation: str | None = None) -> pd.DataFrame:
    """Mean ``metric`` per category (rows) and method (columns) for one degradation.

    Parameters
    ----------
    results : pandas.DataFrame
        Tidy benchmark results.
    metric : {"psnr", "ssim", "seconds", "niqe", "sharpness", "noise_sigma"}
        The measure.
    degradation : str, optional
        Which degradation (default: the first).

    Returns
    -------
    pandas.DataFrame
        Indexed by category (in order of appearance), the degraded input first among the columns;
        empty when there are no rows.

    Raises
    ------
    ValueError
        For another ``metric``.
    """
    import pandas as pd

    _check_metric(metric)
    frame = for_degradation(results, degradation)
    if frame.empty:
        return pd.DataFrame()
    table = frame.pivot_table(index="category", columns="method", values=metric, aggfunc="mean", sort=False)
    table = table.reindex(index=list(dict.fromkeys(frame["category"])), columns=method_order(frame))
    table.columns.name = None
    return table


# --------------------------------------------------------------------------- no ground truth
def no_reference_rows(results: pd.DataFrame) -> pd.DataFrame:
    """The rows without an error that carry a no-reference score (photos benchmarked as they are).

    Parameters
    ----------
    results : pandas.DataFrame
        Tidy benchmark results.

    Returns
    -------
    pandas.DataFrame
        The rows with any of :data:`NO_REFERENCE_METRICS` set (empty when the frame has none of those columns).
    """
    ok = ok_rows(results)
    present = [c for c in NO_REFERENCE_METRICS if c in ok]
    if not present:
        return ok.iloc[0:0]
    return ok[ok[present].notna().any(axis=1)]


def no_reference_table(results: pd.DataFrame) -> pd.DataFrame:
    """Mean no-reference scores per method, ranked by NIQE (lower is better), the degraded input first.

    Only the rows scored without a reference count (:func:`no_reference_rows`); a NIQE that could not be
    computed (an image under 192x192 pixels) is left out of its mean.

    Parameters
    ----------
    results : pandas.DataFrame
        Output of :func:`restoration.benchmark.run_benchmark` with the ``"as-is"`` degradation.

    Returns
    -------
    pandas.DataFrame
        Indexed by (degradation, method) when several degradations carry such scores, else by method; columns
        ``family``, ``niqe``, ``sharpness``, ``noise_sigma``, ``seconds``, ``images`` and ``rank`` (1 = the lowest
        mean NIQE of its degradation; ties share a rank; the degraded input and methods without a NIQE are not
        ranked). Within a degradation the degraded input comes first, then the methods by rank. Empty (with
        those columns) when no row carries a no-reference score.
    """
    import pandas as pd

    columns = ["family", *NO_REFERENCE_METRICS, "seconds", "images", "rank"]
    rows = no_reference_rows(results)
    if rows.empty:
        return pd.DataFrame(columns=columns, index=pd.Index([], name="method"))
    parts = {}
    for degradation, frame in rows.groupby("degradation", sort=False):
        table = frame.groupby("method", sort=False).agg(
            family=("family", "first"), niqe=("niqe", "mean"), sharpness=("sharpness", "mean"),
            noise_sigma=("noise_sigma", "mean"), seconds=("seconds", "mean"), images=("image", "nunique"),
        )
        ranked = table["niqe"].drop(index=DEGRADED, errors="ignore").rank(method="min")
        table["rank"] = ranked.reindex(table.index)
        methods = sorted((m for m in table.index if m != DEGRADED),
                         key=lambda m: (math.isnan(table.at[m, "rank"]), table.at[m, "rank"]))
        parts[degradation] = table.reindex(([DEGRADED] if DEGRADED in table.index else []) + methods)[columns]
    if len(parts) == 1:
        return next(iter(parts.values()))
    return pd.concat(parts, names=["degradation", "method"])
