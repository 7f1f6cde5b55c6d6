"""The survey's reported numbers (its Tables 3-6) as data, and our measurements in the same layout.

Source: Wang, Shi, Liang, "Progress in image recovery technology based on deep neural
network", section 4 (summarised in ``/work/shared/SURVEY.md``). The numbers are copied
as printed (Table 4 has three rows, Table 6 five). The survey compares *kinds* of
method; :data:`GROUPS` says which of our families stand for each kind, and
:func:`representatives` picks, per kind, the best of our methods on the measured
benchmark. Tables 3-4 also get a fixed row (:data:`FIXED`): the survey's example of a
traditional method, BM3D, as it can be run on its degradation (``bm3d_bicubic``).
Measured values are rounded as the survey prints them (PSNR to 2 decimals, SSIM to 3).
The means and gains come from :mod:`restoration.results`; this module only lays them out.

The measured tables can start with the degraded input itself (``degraded=True``): the floor any
restoration has to beat. :func:`claims_vs_measured` sets each gain the survey claims beside the gain
we measure (with the number of images behind our means), :func:`conclusions` says it in one plain
sentence per table, and :data:`INCOMPLETE` names the tables the survey printed incomplete.
Pure pandas: no Streamlit here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from restoration.results import DEGRADED, category_means, for_degradation, method_means, percent_gain

__all__ = [
    "CLAIM_COLUMNS",
    "DEGRADED_ROW",
    "DIFFERENCES",
    "EXPERIMENTS",
    "FIXED",
    "GROUPS",
    "INCOMPLETE",
    "INCOMPLETE_LABEL",
    "SURVEY_METHODS",
    "SURVEY_STYLE",
    "TABLE3",
    "TABLE3_CLAIMS",
    "TABLE4",
    "TABLE5",
    "TABLE6",
    "TRADITIONAL_ROWS",
    "claims_vs_measured",
    "conclusions",
    "measured_table3",
    "measured_table4",
    "measured_table5",
    "measured_table6",
    "representatives",
]

#: Table 3 (section 4.1): mean over 500 test images, combined degradation.
TABLE3 = pd.DataFrame({
    "method": ["traditional method", "deep neural network"],
    "PSNR": [22.56, 30.28],
    "SSIM": [0.81, 0.92],
})
#: The percentage gains the survey states beside Table 3 (deep over traditional).
TABLE3_CLAIMS: dict[str, float] = {"PSNR": 34.2, "SSIM": 13.6}

#: Table 4 (section 4.1): per category, as printed (three rows).
TABLE4 = pd.DataFrame({
    "category": ["natural landscape", "natural landscape", "urban scene"],
    "method": ["traditional", "deep learning", "traditional"],
    "PSNR": [23.12, 31.05, 22.78],
    "SSIM": [0.83, 0.94, 0.80],
})

#: Table 5 (section 4.2): mean over 1,000 test images, noise and blur.
TABLE5 = pd.DataFrame({
    "method": ["traditional filters", "wavelet transform", "deep learning"],
    "PSNR": [25.02, 27.56, 30.28],
    "SSIM": [0.85, 0.90, 0.92],
})

#: Table 6 (section 4.2): five representative images, as printed.
TABLE6 = pd.DataFrame({
    "image type": ["natural landscape", "natural landscape", "urban scene", "urban scene", "portrait"],
    "metric": ["PSNR", "SSIM", "PSNR", "SSIM", "PSNR"],
    "degraded": [20.15, 0.65, 18.76, 0.61, 21.45],
    "traditional": [24.32, 0.83, 23.89, 0.82, 25.67],
    "wavelet": [26.78, 0.88, 26.12, 0.87, 28.34],
    "deep learning": [29.95, 0.93, 30.41, 0.94, 31.22],
})

#: The words that mark a table of the survey as incomplete as printed.
INCOMPLETE_LABEL = "incomplete as printed"
#: The survey's tables that are incomplete as printed, with what is missing (for captions).
INCOMPLETE: dict[str, str] = {
    "Table 4": (
        "Table 4 is incomplete as printed: three rows, so urban scenes have no deep-learning row and the indoor "
        "scenes the experiment names have no row at all; only natural landscapes give a claimed gain."
    ),
    "Table 6": (
        "Table 6 is incomplete as printed: five rows, so portraits have a PSNR row but no SSIM row."
    ),
}

#: Label of the degraded input's row in the measured tables (``degraded=True``).
DEGRADED_ROW = "degraded input (not restored)"

#: What each experiment of the survey did (for captions).
EXPERIMENTS: dict[str, str] = {
    "4.1": (
        "Section 4.1: a 20-layer residual CNN with attention trained on 10,000 images, tested on 500 images "
        "(natural landscapes, urban scenes, indoor scenes) degraded by Gaussian noise, motion blur and "
        "downsampling together; compared with a traditional method (e.g. BM3D). Tables 3 and 4."
    ),
    "4.2": (
        "Section 4.2: traditional filters, wavelet transform and deep learning on 1,000 test images with "
        "synthetic and real noise and blur. Tables 5 and 6."
    ),
}

#: Which of our families stand for each kind of method the survey names.
GROUPS: dict[str, tuple[str, ...]] = {
    "traditional": (
        "filter", "wavelet", "sparse", "variational", "nonlocal", "deconvolution", "interpolation", "inpainting",
        "chain",
    ),
    "traditional filters": ("filter",),
    "wavelet": ("wavelet",),
    "deep learning": ("deep", "pnp"),
}

#: The kind of method that stands for the survey's own "traditional method (e.g. BM3D)".
SURVEY_STYLE = "traditional, survey-style"
#: Kinds stood for by one fixed method, whatever else ran: BM3D cannot undo blur or resolution, so the
#: survey's baseline on its combined degradation is BM3D then bicubic enlargement (``bm3d_bicubic``).
FIXED: dict[str, str] = {SURVEY_STYLE: "bm3d_bicubic"}
#: Methods the survey view needs for a task beyond the usual default selection (Tables 3-4: both
#: traditional rows), so that a default benchmark fills them.
SURVEY_METHODS: dict[str, tuple[str, ...]] = {"combined": ("classic_chain", "bm3d_bicubic")}
#: Row labels of Tables 3 and 4, in the order shown: (Table 3 label, Table 4 label, kind).
_ROWS_41: tuple[tuple[str, str, str], ...] = (
    ("traditional method", "traditional", "traditional"),
    ("traditional, survey-style (BM3D then bicubic)", "traditional, survey-style (BM3D then bicubic)", SURVEY_STYLE),
    ("deep neural network", "deep learning", "deep learning"),
)

#: Plain words on the two traditional rows of Tables 3-4 (for a caption).
TRADITIONAL_ROWS = (
    "*Traditional, survey-style (BM3D then bicubic)* is `bm3d_bicubic`, what the survey's \"traditional method "
    "(e.g. BM3D)\" can do here: BM3D removes the noise but cannot undo blur or lost resolution, so the image is "
    "only denoised and enlarged. *Traditional (method)* is our best classic method in this run, normally "
    "`classic_chain` (BM3D, then TV super-resolution with the known blur), our strongest classic pipeline."
)

#: Plain words on why the two sets of numbers differ.
DIFFERENCES = """\
**Why our numbers differ from the survey's.** The survey publishes no code, data or exact degradation
parameters, so this is a like-for-like *layout*, not a reproduction:

- **Data** — the survey tested 500 / 1,000 images of its own; we measure the images you chose (by default a few
  bundled gallery images per category, shrunk to the working size).
- **Degradation** — the survey gives no noise level, blur length or scale factor; ours are the pipeline shown
  above (the survey preset is motion blur of 9 px at 30°, ×2 downsampling and Gaussian noise σ = 10).
- **Models** — the survey's network was trained on 10,000 images; ours is a small CNN trained by this project
  on far less data, and plug-and-play uses it as a prior for blur and low resolution. Its "traditional method"
  (only "e.g. BM3D") and "wavelet transform" are not specified; we show our best method of each kind (named in
  the table) and, in Tables 3-4, BM3D followed by bicubic enlargement as the survey-style baseline.
- **Metric conventions** — we compute PSNR/SSIM on RGB in [0, 1] with no border crop; the survey does not say.
"""


class _Means:
    """Mean PSNR / SSIM of one degradation per method, overall and per category (from :mod:`restoration.results`)."""

    def __init__(self, results: pd.DataFrame, degradation: str) -> None:
        self.overall = method_means(results, degradation).set_index("method")
        self.per_category = {metric: category_means(results, metric, degradation) for metric in ("psnr", "ssim")}
        self.categories = list(self.per_category["psnr"].index)
        rows = for_degradation(results, degradation)
        self.counts: dict[tuple[str, str | None], int] = {}
        if not rows.empty:
            for method, n in rows.groupby("method", sort=False)["image"].nunique().items():
                self.counts[(str(method), None)] = int(n)
            for (method, category), n in rows.groupby(["method", "category"], sort=False)["image"].nunique().items():
                self.counts[(str(method), str(category))] = int(n)

    def __call__(self, method: str | None, metric: str, category: str | None = None) -> float:
        """Mean ``metric`` of ``method`` (over all images, or over one ``category``); NaN when it did not run."""
        if method is None:
            return math.nan
        table = self.overall[metric] if category is None else self.per_category[metric].get(method)
        if table is None:
            return math.nan
        key = method if category is None else category
        return float(table[key]) if key in table.index else math.nan

    def images(self, method: str | None, category: str | None = None) -> int:
        """How many images the mean of ``method`` (over all images, or over one ``category``) is taken over."""
        return 0 if method is None else self.counts.get((method, category), 0)


def representatives(results: pd.DataFrame, degradation: str) -> dict[str, str | None]:
    """Our method standing for each kind in :data:`GROUPS`: the best by mean PSNR on ``degradation``.

    Parameters
    ----------
    results : pandas.DataFrame
        Tidy benchmark results (``restoration.benchmark.run_benchmark``).
    degradation : str
        A value of the ``degradation`` column.

    Returns
    -------
    dict of str to str or None
        Method name per kind (None when no method of that kind ran), plus ``"degraded"`` and
        the kinds of :data:`FIXED` (their fixed method, None when it did not run).
    """
    means = method_means(results, degradation).set_index("method")
    chosen: dict[str, str | None] = {"degraded": DEGRADED if DEGRADED in means.index else None}
    for kind, families in GROUPS.items():
        candidates = means[means["family"].isin(families)]
        chosen[kind] = None if candidates.empty else str(candidates["psnr"].idxmax())
    for kind, method in FIXED.items():
        chosen[kind] = method if method in means.index else None
    return chosen


def _rounded(table: pd.DataFrame) -> pd.DataFrame:
    """Round like the survey prints: PSNR to 2 decimals, SSIM to 3 (by column, or by the ``metric`` column)."""
    out = table.copy()
    if "metric" in out:
        numeric = out.select_dtypes("number").columns
        for metric, places in (("PSNR", 2), ("SSIM", 3)):
            rows = out["metric"] == metric
            out.loc[rows, numeric] = out.loc[rows, numeric].round(places)
    for column, places in (("PSNR", 2), ("SSIM", 3)):
        if column in out:
            out[column] = out[column].round(places)
    return out


def _name(method: str | None) -> str:
    return method if method is not None else "— (none ran)"


def _gain(deep: Mapping[str, Any], base: Mapping[str, Any]) -> dict[str, float]:
    """Percent gain of ``deep`` over ``base`` for PSNR and SSIM (NaN where either is missing)."""
    return {m: percent_gain(deep[m], base[m]) for m in ("PSNR", "SSIM")}


def _degraded_row(mean: _Means, reps: Mapping[str, str | None], category: str | None = None) -> dict[str, Any]:
    """The row of the degraded input (method :data:`DEGRADED_ROW`), over all images or one ``category``."""
    row: dict[str, Any] = {} if category is None else {"category": category}
    return {**row, "method": DEGRADED_ROW, "ours": _name(reps["degraded"]),
            "PSNR": mean(reps["degraded"], "psnr", category), "SSIM": mean(reps["degraded"], "ssim", category)}


def measured_table3(results: pd.DataFrame, degradation: str, *, degraded: bool = False) -> pd.DataFrame:
    """Our numbers in the layout of Table 3: traditional vs deep, mean over all images, with % gains.

    Parameters
    ----------
    results : pandas.DataFrame
        Tidy benchmark results.
    degradation : str
        The degradation to report.
    degraded : bool
        Start with a row for the degraded input itself (:data:`DEGRADED_ROW`), the floor every
        method has to beat (the survey prints none).

    Returns
    -------
    pandas.DataFrame
        Columns ``method, ours, PSNR, SSIM``. Rows: (the degraded input,) our best traditional
        method, the survey-style baseline (BM3D then bicubic), deep learning, then the gain of deep
        over each traditional row in percent (the survey states +34.2% / +13.6%).
    """
    mean = _Means(results, degradation)
    reps = representatives(results, degradation)
    rows = []
    for label, _, kind in _ROWS_41:
        rows.append({
            "method": label, "ours": _name(reps[kind]),
            "PSNR": mean(reps[kind], "psnr"), "SSIM": mean(reps[kind], "ssim"),
        })
    traditional, survey_style, deep = rows
    rows.append({"method": "gain of deep over traditional (%)", "ours": "", **_gain(deep, traditional)})
    rows.append({"method": "gain of deep over survey-style (%)", "ours": "", **_gain(deep, survey_style)})
    if degraded:
        rows.insert(0, _degraded_row(mean, reps))
    return _rounded(pd.DataFrame(rows, columns=["method", "ours", "PSNR", "SSIM"]))


def measured_table4(results: pd.DataFrame, degradation: str, *, degraded: bool = False) -> pd.DataFrame:
    """Our numbers in the layout of Table 4: per category, traditional (ours and survey-style) and deep learning.

    Parameters
    ----------
    results : pandas.DataFrame
        Tidy benchmark results.
    degradation : str
        The degradation to report.
    degraded : bool
        Start each category with a row for the degraded input itself (:data:`DEGRADED_ROW`).

    Returns
    -------
    pandas.DataFrame
        Columns ``category, method, ours, PSNR, SSIM``, three rows per measured category
        (four with ``degraded``): (the degraded input,) our best traditional method, the
        survey-style baseline, deep learning.
    """
    mean = _Means(results, degradation)
    reps = representatives(results, degradation)
    rows = []
    for category in mean.categories:
        if degraded:
            rows.append(_degraded_row(mean, reps, category))
        for _, label, kind in _ROWS_41:
            rows.append({
                "category": category, "method": label, "ours": _name(reps[kind]),
                "PSNR": mean(reps[kind], "psnr", category), "SSIM": mean(reps[kind], "ssim", category),
            })
    return _rounded(pd.DataFrame(rows, columns=["category", "method", "ours", "PSNR", "SSIM"]))


def measured_table5(results: pd.DataFrame, degradation: str, *, degraded: bool = False) -> pd.DataFrame:
    """Our numbers in the layout of Table 5: traditional filters, wavelet transform, deep learning.

    Parameters
    ----------
    results : pandas.DataFrame
        Tidy benchmark results.
    degradation : str
        The degradation to report.
    degraded : bool
        Start with a row for the degraded input itself (:data:`DEGRADED_ROW`).

    Returns
    -------
    pandas.DataFrame
        Columns ``method, ours, PSNR, SSIM``.
    """
    mean = _Means(results, degradation)
    reps = representatives(results, degradation)
    rows = [_degraded_row(mean, reps)] if degraded else []
    for label, kind in (("traditional filters", "traditional filters"), ("wavelet transform", "wavelet"),
                        ("deep learning", "deep learning")):
        rows.append({
            "method": label, "ours": _name(reps[kind]),
            "PSNR": mean(reps[kind], "psnr"), "SSIM": mean(reps[kind], "ssim"),
        })
    return _rounded(pd.DataFrame(rows, columns=["method", "ours", "PSNR", "SSIM"]))


def measured_table6(results: pd.DataFrame, degradation: str) -> pd.DataFrame:
    """Our numbers in the layout of Table 6: per category, PSNR and SSIM rows, one column per kind.

    Parameters
    ----------
    results : pandas.DataFrame
        Tidy benchmark results.
    degradation : str
        The degradation to report.

    Returns
    -------
    pandas.DataFrame
        Columns ``image type, metric, degraded, traditional, wavelet, deep learning``.
    """
    mean = _Means(results, degradation)
    reps = representatives(results, degradation)
    kinds: Mapping[str, str] = {
        "degraded": "degraded", "traditional": "traditional filters", "wavelet": "wavelet",
        "deep learning": "deep learning",
    }
    rows = []
    for category in mean.categories:
        for metric in ("psnr", "ssim"):
            row: dict[str, object] = {"image type": category, "metric": metric.upper()}
            for column, kind in kinds.items():
                row[column] = mean(reps[kind], metric, category)
            rows.append(row)
    return _rounded(pd.DataFrame(rows, columns=list(TABLE6.columns)))


# --------------------------------------------------------------------------- claimed vs measured
#: Columns of :func:`claims_vs_measured`.
CLAIM_COLUMNS: tuple[str, ...] = (
    "table", "comparison", "category", "metric", "base_kind",
    "claimed_base", "claimed", "claimed_gain",
    "base_method", "method", "measured_base", "measured", "measured_gain", "measured_degraded", "n",
)
_METRICS: tuple[str, ...] = ("PSNR", "SSIM")


def _reported(table: pd.DataFrame, key: str, category: str, method_column: str | None, metric: str,
              base: str, deep: str) -> tuple[float, float]:
    """The survey's (base, deep) values of ``metric`` for one category of Table 4 or 6 (NaN where not printed)."""
    rows = table[table[key] == category]
    if method_column is None:  # Table 6: one row per metric, one column per kind
        rows = rows[rows["metric"] == metric]
        if rows.empty:
            return math.nan, math.nan
        return float(rows[base].iloc[0]), float(rows[deep].iloc[0])
    values = dict(zip(rows[method_column], rows[metric], strict=True))
    return float(values.get(base, math.nan)), float(values.get(deep, math.nan))


def claims_vs_measured(results: pd.DataFrame, degradation_41: str, degradation_42: str) -> pd.DataFrame:
    """Each gain of deep learning the survey claims (Tables 3-6) beside the gain we measure.

    The survey's gains are worked out from its printed numbers (Table 3's +34.2% PSNR and
    +13.6% SSIM, as it states); ours from the means of the representative methods
    (:func:`representatives`) that the measured tables show, so the two always agree.

    Parameters
    ----------
    results : pandas.DataFrame
        Tidy benchmark results.
    degradation_41 : str
        The degradation standing for section 4.1 (Tables 3-4: noise, motion blur and downsampling).
    degradation_42 : str
        The degradation standing for section 4.2 (Tables 5-6: noise and blur).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CLAIM_COLUMNS`, one row per table x comparison x category x metric:
        ``category`` is ``""`` for a mean over all images; ``base_kind`` names the kind deep
        learning is compared with; ``claimed_*`` are the survey's numbers (NaN where it printed
        none: Tables 4 and 6 are incomplete); ``measured_*`` ours (NaN where a kind did not run),
        ``measured_degraded`` the degraded input's mean on the same images, and ``n`` the number
        of images behind our means (the fewer of the two methods', 0 when either did not run).
        Gains are in percent.
    """
    rows: list[dict[str, Any]] = []

    def add(table: str, comparison: str, category: str, metric: str, base_kind: str, claimed: tuple[float, float],
            mean: _Means, reps: Mapping[str, str | None], base: str) -> None:
        base_method, method = reps[base], reps["deep learning"]
        scope = category or None
        measured_base, measured = mean(base_method, metric.lower(), scope), mean(method, metric.lower(), scope)
        both = base_method is not None and method is not None
        rows.append({
            "table": table, "comparison": comparison, "category": category, "metric": metric,
            "base_kind": base_kind, "claimed_base": claimed[0], "claimed": claimed[1],
            "claimed_gain": percent_gain(claimed[1], claimed[0]),
            "base_method": base_method or "", "method": method or "",
            "measured_base": measured_base, "measured": measured,
            "measured_gain": percent_gain(measured, measured_base),
            "measured_degraded": mean(reps["degraded"], metric.lower(), scope),
            "n": min(mean.images(base_method, scope), mean.images(method, scope)) if both else 0,
        })

    mean41, reps41 = _Means(results, degradation_41), representatives(results, degradation_41)
    mean42, reps42 = _Means(results, degradation_42), representatives(results, degradation_42)
    t3 = dict(zip(TABLE3["method"], TABLE3.index, strict=True))
    t5 = dict(zip(TABLE5["method"], TABLE5.index, strict=True))
    for metric in _METRICS:
        claimed3 = (float(TABLE3.loc[t3["traditional method"], metric]),
                    float(TABLE3.loc[t3["deep neural network"], metric]))
        add("Table 3", "deep learning over the traditional method", "", metric, "traditional method", claimed3,
            mean41, reps41, "traditional")
        add("Table 3", "deep learning over BM3D then bicubic (survey-style)", "", metric, "BM3D then bicubic",
            claimed3, mean41, reps41, SURVEY_STYLE)
    for category in dict.fromkeys([*TABLE4["category"], *mean41.categories]):
        for metric in _METRICS:
            claimed = _reported(TABLE4, "category", category, "method", metric, "traditional", "deep learning")
            add("Table 4", "deep learning over traditional", category, metric, "traditional method", claimed,
                mean41, reps41, "traditional")
    for metric in _METRICS:
        deep = float(TABLE5.loc[t5["deep learning"], metric])
        add("Table 5", "deep learning over traditional filters", "", metric, "traditional filter",
            (float(TABLE5.loc[t5["traditional filters"], metric]), deep), mean42, reps42, "traditional filters")
        add("Table 5", "deep learning over the wavelet transform", "", metric, "wavelet method",
            (float(TABLE5.loc[t5["wavelet transform"], metric]), deep), mean42, reps42, "wavelet")
    for category in dict.fromkeys([*TABLE6["image type"], *mean42.categories]):
        for metric in _METRICS:
            claimed = _reported(TABLE6, "image type", category, None, metric, "traditional", "deep learning")
            add("Table 6", "deep learning over traditional filters", category, metric, "traditional filter", claimed,
                mean42, reps42, "traditional filters")
    return pd.DataFrame(rows, columns=list(CLAIM_COLUMNS))


def _finite(value: Any) -> bool:
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def _percent(value: float) -> str:
    return f"{value:+.1f} %"


def _value(value: float, metric: str) -> str:
    return f"{value:.2f} dB" if metric == "PSNR" else f"{value:.3f}"


def _arrow(base: float, value: float, metric: str) -> str:
    """``"22.56 → 30.28 dB"`` (PSNR) or ``"0.810 → 0.920"`` (SSIM)."""
    return f"{_value(base, metric).removesuffix(' dB')} → {_value(value, metric)}"


def _images(n: int) -> str:
    return f"n = {n} image" + ("" if n == 1 else "s")


def _join(parts: list[str]) -> str:
    """``"a"``, ``"a and b"``, ``"a, b and c"``."""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _missing(row: Mapping[str, Any]) -> str:
    """What did not run, for a row without a measured gain."""
    if not row["method"]:
        return "no deep-learning method"
    if not row["base_method"]:
        return f"no {row['base_kind']}"
    return "no method with a result"


def _measured(row: Mapping[str, Any], over: str = "") -> str:
    """Our gain on one row: ``"+0.2 % (pnp over classic_chain: 27.10 → 27.15 dB, n = 12 images)"``."""
    if not _finite(row["measured_gain"]):
        return f"nothing to compare{over} ({_missing(row)} ran on this degradation)"
    return (f"{_percent(row['measured_gain'])}{over} ({row['method']} over {row['base_method']}: "
            f"{_arrow(row['measured_base'], row['measured'], row['metric'])}, {_images(int(row['n']))})")


def _floor(row: Mapping[str, Any], survey_kind: str) -> str:
    """A clause when our un-restored input already measures above the survey's traditional mean (else "")."""
    if _finite(row["measured_degraded"]) and _finite(row["claimed_base"]) \
            and row["measured_degraded"] > row["claimed_base"]:
        return (f", and our un-restored input alone measures {_value(row['measured_degraded'], row['metric'])}, "
                f"above the survey's {survey_kind} ({_value(row['claimed_base'], row['metric'])})")
    return ""


def _per_category(rows: pd.DataFrame) -> str:
    """Our per-category gains: ``"(for pnp over classic_chain) +1.0 % on portrait (n = 1 image) and ..."``."""
    measured = rows[rows["measured_gain"].map(_finite)]
    if measured.empty:
        return "no category in which both a traditional and a deep-learning method ran"
    first = measured.iloc[0]
    parts = [f"{_percent(r.measured_gain)} on {r.category} ({_images(int(r.n))})" for r in measured.itertuples()]
    return f"(for {first['method']} over {first['base_method']}) {_join(parts)}"


def _a(metric: str) -> str:
    """The metric with its article: "a PSNR", "an SSIM"."""
    return ("an " if metric.startswith("S") else "a ") + metric


def _claimed_per_category(rows: pd.DataFrame) -> list[str]:
    claimed = rows[rows["claimed_gain"].map(_finite)]
    return [f"{_percent(r.claimed_gain)} on {r.category} ({_arrow(r.claimed_base, r.claimed, r.metric)})"
            for r in claimed.itertuples()]


def conclusions(claims: pd.DataFrame, metric: str = "PSNR") -> dict[str, str]:
    """One plain sentence per survey table: the gain the survey claims for deep learning, and ours.

    Parameters
    ----------
    claims : pandas.DataFrame
        Output of :func:`claims_vs_measured`.
    metric : {"PSNR", "SSIM"}
        The measure the sentences speak of (case-insensitive).

    Returns
    -------
    dict of str to str
        Keys ``"Table 3"`` to ``"Table 6"``; each value one sentence (Markdown-safe plain text)
        stating the survey's claimed gain, our measured gain and the number of images behind our
        mean, or what did not run.

    Raises
    ------
    ValueError
        For a metric other than PSNR or SSIM.
    """
    metric = str(metric).upper()
    if metric not in _METRICS:
        raise ValueError(f"metric must be PSNR or SSIM, got {metric!r}")
    rows = claims[claims["metric"] == metric]

    def table(name: str) -> pd.DataFrame:
        return rows[rows["table"] == name]

    out: dict[str, str] = {}
    t3 = table("Table 3")
    if len(t3) == 2:
        ours, style = t3.iloc[0], t3.iloc[1]
        out["Table 3"] = (
            f"The survey claims deep learning beats the traditional method by {_percent(ours['claimed_gain'])} "
            f"{metric} ({_arrow(ours['claimed_base'], ours['claimed'], metric)}); we measure {_measured(ours)} "
            f"and {_measured(style, ' over the survey-style BM3D then bicubic')}"
            f"{_floor(ours, 'traditional method')}."
        )
    t4 = table("Table 4")
    claimed4 = _claimed_per_category(t4)
    out["Table 4"] = (
        f"Table 4 is incomplete as printed, so its only per-category claim is {_a(metric)} gain of deep learning over "
        f"the traditional method of {_join(claimed4) if claimed4 else 'nothing (no such row)'}; "
        f"we measure {_per_category(t4)}."
    )
    t5 = table("Table 5")
    if len(t5) == 2:
        filters, wavelet = t5.iloc[0], t5.iloc[1]
        out["Table 5"] = (
            f"The survey claims deep learning beats traditional filters by {_percent(filters['claimed_gain'])} "
            f"{metric} ({_arrow(filters['claimed_base'], filters['claimed'], metric)}) and the wavelet transform by "
            f"{_percent(wavelet['claimed_gain'])} ({_arrow(wavelet['claimed_base'], wavelet['claimed'], metric)}); "
            f"we measure {_measured(filters)} and {_measured(wavelet, ' over the wavelet transform')}"
            f"{_floor(filters, 'traditional filters')}."
        )
    t6 = table("Table 6")
    claimed6 = _claimed_per_category(t6)
    out["Table 6"] = (
        f"Table 6, incomplete as printed, claims {metric} gains of deep learning over traditional filters of "
        f"{_join(claimed6) if claimed6 else 'nothing (no such row)'}; we measure {_per_category(t6)}."
    )
    return {name: out[name] for name in ("Table 3", "Table 4", "Table 5", "Table 6") if name in out}
