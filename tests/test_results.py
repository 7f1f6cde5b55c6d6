"""restoration.results: the result-table aggregations shared by the command line, the charts and the survey view.

``method_table``, ``category_table`` and ``improvement_table`` must give exactly the tables of
``restoration.benchmark`` (the command line's), so that moving the command line onto this module
changes nothing it prints.
"""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from restoration import benchmark, results

METHODS = {"degraded": "input", "median": "filter", "wavelet": "wavelet", "bm3d": "nonlocal", "cnn_denoise": "deep"}


def _frame(degradations: tuple[str, ...] = ("gaussian_noise(sigma=25)", "motion_blur(length=9)"), seed: int = 0,
           *, errors: bool = True) -> pd.DataFrame:
    """A synthetic tidy frame: 3 categories x 3 images x the methods, random values, a few failed rows and gaps."""
    rng = np.random.default_rng(seed)
    rows = []
    for degradation in degradations:
        for category in ("portrait", "urban scene", "landscape"):
            for i in range(3):
                for method, family in METHODS.items():
                    if method != "degraded" and rng.random() < 0.1:
                        continue  # a method that did not run on this image
                    failed = errors and method != "degraded" and rng.random() < 0.1
                    rows.append({
                        "image": f"{category[:3]}{i}", "category": category, "degradation": degradation,
                        "task": "denoise", "method": method, "family": family,
                        "psnr": math.nan if failed else float(rng.normal(25, 3)),
                        "ssim": math.nan if failed else float(rng.uniform(0.4, 0.95)),
                        "seconds": math.nan if failed else float(rng.uniform(0.0, 2.0)),
                        "error": "boom" if failed else "",
                    })
    return pd.DataFrame(rows, columns=list(benchmark.COLUMNS))


FRAMES = {
    "two-degradations": _frame(),
    "one-degradation": _frame(("gaussian_noise(sigma=25)",), seed=1),
    "no-errors": _frame(seed=2, errors=False),
    "no-error-column": _frame(seed=3).drop(columns=["error"]),
}


def _by_degradation(table: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """The tables drop the degradation level when there is only one; put it back for uniform checks."""
    if isinstance(table.index, pd.MultiIndex):
        return table
    only = frame["degradation"].unique()
    assert len(only) == 1
    return pd.concat({only[0]: table})


def _mean(frame: pd.DataFrame, metric: str, **where: str) -> float:
    """Mean of ``metric`` over the successful rows matching ``where``, computed the long way."""
    ok = frame if "error" not in frame else frame[frame["error"].fillna("") == ""]
    values = [row[metric] for _, row in ok.iterrows()
              if all(row[k] == v for k, v in where.items()) and not math.isnan(row[metric])]
    return float(np.mean(values)) if values else math.nan  # (pandas means skip missing values too)


@pytest.mark.parametrize("name", list(FRAMES))
def test_method_table_holds_the_means_of_the_successful_rows(name: str) -> None:
    frame = FRAMES[name]
    table = _by_degradation(results.method_table(frame), frame)
    for (degradation, method), row in table.iterrows():
        for metric in ("psnr", "ssim", "seconds"):
            assert row[metric] == pytest.approx(_mean(frame, metric, degradation=degradation, method=method))
        base = _mean(frame, "psnr", degradation=degradation, method="degraded")
        assert row["psnr_gain"] == pytest.approx(row["psnr"] - base)
    for degradation in frame["degradation"].unique():
        assert table.loc[degradation].index[0] == "degraded"  # the baseline leads every block


@pytest.mark.parametrize("metric", ["psnr", "ssim", "seconds"])
@pytest.mark.parametrize("name", list(FRAMES))
def test_category_and_improvement_tables(name: str, metric: str) -> None:
    frame = FRAMES[name]
    table = _by_degradation(results.category_table(frame, metric), frame)
    gains = _by_degradation(results.improvement_table(frame, metric), frame)
    assert table.columns[0] == "degraded"
    for (degradation, category), row in table.iterrows():
        where = {"degradation": degradation} if category == "mean (all images)" else {
            "degradation": degradation, "category": category}
        for method, value in row.items():
            expected = _mean(frame, metric, method=method, **where)
            assert (math.isnan(value) and math.isnan(expected)) or value == pytest.approx(expected)
            if method != "degraded" and not math.isnan(value):
                base = row["degraded"]
                assert gains.loc[(degradation, category), method] == pytest.approx(100.0 * (value - base) / base)


def test_the_tables_refuse_bad_requests() -> None:
    frame = FRAMES["two-degradations"]
    with pytest.raises(ValueError, match="metric must be"):
        results.category_table(frame, "mse")
    with pytest.raises(ValueError, match="no 'degraded' rows"):
        results.improvement_table(frame[frame["method"] != "degraded"])
    assert benchmark.method_table is results.method_table  # the command line's tables are these


def test_rows_and_order() -> None:
    frame = FRAMES["two-degradations"]
    ok = results.ok_rows(frame)
    assert (ok["error"] == "").all() and len(ok) == (frame["error"] == "").sum()
    assert results.ok_rows(FRAMES["no-error-column"]) is FRAMES["no-error-column"]
    first = results.for_degradation(frame)
    assert set(first["degradation"]) == {"gaussian_noise(sigma=25)"} and (first["error"] == "").all()
    assert results.for_degradation(frame, "motion_blur(length=9)")["degradation"].nunique() == 1
    assert results.for_degradation(frame, "nothing").empty and results.for_degradation(frame.iloc[0:0]).empty
    shuffled = frame.iloc[::-1]
    assert results.method_order(shuffled)[0] == "degraded"
    assert sorted(results.method_order(shuffled)) == sorted(METHODS)


def test_one_degradation_means() -> None:
    frame = FRAMES["two-degradations"]
    means = results.method_means(frame, "motion_blur(length=9)")
    assert list(means.columns) == ["method", "family", "psnr", "ssim", "seconds", "images"]
    assert means["method"].iloc[0] == "degraded"
    ok = results.for_degradation(frame, "motion_blur(length=9)")
    median = ok[ok["method"] == "median"]
    assert means.set_index("method").loc["median", "psnr"] == pytest.approx(median["psnr"].mean())
    # the category x method table of one degradation holds the command line's values for that degradation
    table = results.category_means(frame, "ssim", "motion_blur(length=9)")
    full = results.category_table(frame, "ssim").loc["motion_blur(length=9)"]
    expected = full.loc[list(table.index), list(table.columns)]
    np.testing.assert_allclose(table.to_numpy(float), expected.to_numpy(float), rtol=1e-12)
    assert results.method_means(frame.iloc[0:0]).empty and results.category_means(frame.iloc[0:0]).empty
    with pytest.raises(ValueError, match="metric must be"):
        results.category_means(frame, "mse")


def test_percent_gain() -> None:
    assert results.percent_gain(30.28, 22.56) == pytest.approx(34.2, abs=0.05)
    assert math.isnan(results.percent_gain(1.0, 0.0)) and math.isnan(results.percent_gain(1.0, math.nan))


def test_import_is_light() -> None:
    code = "import sys, restoration.results; print([m for m in ('pandas', 'torch', 'streamlit') if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
