"""Benchmarks without ground truth: photos used "as-is", scored without a reference and ranked by NIQE."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scenes import make_scene

from restoration import benchmark
from restoration.benchmark import (
    AS_IS,
    COLUMNS,
    DEGRADED,
    BenchmarkImage,
    as_is,
    as_is_scale,
    degradation_task,
    run_benchmark,
)
from restoration.errors import SpecError
from restoration.images import save_image
from restoration.results import (
    NO_REFERENCE_METRICS,
    category_table,
    method_table,
    no_reference_rows,
    no_reference_table,
)

ROOT = Path(__file__).resolve().parents[1]
OLD_COLUMNS = ("image", "category", "degradation", "task", "method", "family", "psnr", "ssim", "seconds", "error")


def _noisy(h: int, w: int, *, seed: int, sigma: float = 20.0, colour: bool = False) -> np.ndarray:
    clean = make_scene(h, w, colour=colour, seed=seed)
    noise = np.random.default_rng(seed).normal(0.0, sigma / 255.0, clean.shape)
    return np.clip(clean + noise, 0.0, 1.0).astype(np.float32)


@pytest.fixture(scope="module")
def photos() -> list[BenchmarkImage]:
    """Two already degraded photos, large enough for NIQE (192x192), in two categories."""
    return [
        BenchmarkImage("p1", "night", pixels=_noisy(200, 208, seed=1)),
        BenchmarkImage("p2", "day", pixels=_noisy(208, 200, seed=2, colour=True)),
    ]


@pytest.fixture(scope="module")
def as_is_run(photos: list[BenchmarkImage]) -> pd.DataFrame:
    return run_benchmark(photos, [AS_IS], ["median", "tv", "bicubic"], workers=1)


# --------------------------------------------------------------------------- the degradation text
def test_as_is_text_scale_and_task() -> None:
    assert as_is() == AS_IS == "as-is" and as_is(3) == "as-is(scale=3)"
    assert as_is_scale("as-is") == 1 and as_is_scale(" AS_IS(scale=2) ") == 2
    assert as_is_scale("gaussian_noise(sigma=25)") is None and as_is_scale("") is None
    assert degradation_task(AS_IS) == "denoise" and degradation_task("as-is(scale=2)") == "sr"
    assert degradation_task("gaussian_blur(sigma=2)") == "deblur"
    for bad in ("as-is(scale=9)", "as-is(scale=0)", "as-is(sigma=2)", "as-is(scale=two)"):
        with pytest.raises(SpecError):
            as_is_scale(bad)
    with pytest.raises(SpecError):
        as_is(1.5)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- rows
def test_as_is_rows_have_no_reference_scores_and_no_psnr(as_is_run: pd.DataFrame) -> None:
    assert list(as_is_run.columns) == list(COLUMNS)
    assert tuple(COLUMNS[: len(OLD_COLUMNS)]) == OLD_COLUMNS  # the old order kept, the new columns appended
    assert tuple(COLUMNS[len(OLD_COLUMNS):]) == NO_REFERENCE_METRICS
    # bicubic does not denoise: skipped; the photo itself is the "degraded" row
    assert len(as_is_run) == 2 * 3 and set(as_is_run["method"]) == {DEGRADED, "median", "tv"}
    assert (as_is_run["error"] == "").all() and set(as_is_run["task"]) == {"denoise"}
    assert set(as_is_run["degradation"]) == {AS_IS}
    assert as_is_run["psnr"].isna().all() and as_is_run["ssim"].isna().all()
    assert as_is_run[list(NO_REFERENCE_METRICS)].notna().all().all()
    by = as_is_run.set_index(["image", "method"])
    for image in ("p1", "p2"):  # denoising lowers the noise level left and makes the photo look more natural
        assert by.loc[(image, "median"), "noise_sigma"] < by.loc[(image, DEGRADED), "noise_sigma"]
        assert by.loc[(image, "tv"), "niqe"] < by.loc[(image, DEGRADED), "niqe"]


def test_ordinary_rows_leave_the_new_columns_empty(photos: list[BenchmarkImage], monkeypatch) -> None:
    def refuse(image: np.ndarray) -> dict[str, float]:
        raise AssertionError("an ordinary run must not compute no-reference scores")

    monkeypatch.setattr(benchmark, "_no_reference_scores", refuse)
    res = run_benchmark(photos[:1], ["gaussian_noise(sigma=15)"], ["median"], workers=1)
    assert list(res.columns) == list(COLUMNS)
    assert res["psnr"].notna().all() and res[list(NO_REFERENCE_METRICS)].isna().all().all()
    assert no_reference_rows(res).empty and no_reference_table(res).empty


def test_as_is_upscaling_is_super_resolution(photos: list[BenchmarkImage]) -> None:
    small = [BenchmarkImage("s", "all", pixels=_noisy(100, 104, seed=3, sigma=5.0))]
    res = run_benchmark(small, ["as-is(scale=2)"], ["bicubic", "median"], workers=1)
    assert set(res["method"]) == {DEGRADED, "bicubic"} and set(res["task"]) == {"sr"}
    assert res["niqe"].notna().all()  # 200x208 after enlarging: NIQE can be computed


def test_small_photos_have_no_niqe_but_the_other_scores(photos: list[BenchmarkImage]) -> None:
    tiny = [BenchmarkImage("t", "all", pixels=_noisy(64, 80, seed=4))]
    res = run_benchmark(tiny, [AS_IS], ["median"], workers=1)
    assert (res["error"] == "").all() and res["niqe"].isna().all()
    assert res["sharpness"].notna().all() and res["noise_sigma"].notna().all()
    table = no_reference_table(res)
    assert table["rank"].isna().all()  # nothing to rank by


def test_bad_input_gives_error_rows_or_an_error(photos: list[BenchmarkImage], tmp_path: Path) -> None:
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not an image")
    res = run_benchmark([BenchmarkImage("broken", "all", path=broken)], [AS_IS], ["median"], workers=1)
    assert (res["error"] != "").all() and res[["psnr", *NO_REFERENCE_METRICS]].isna().all().all()
    huge = [BenchmarkImage("big", "all", pixels=np.zeros((2000, 2000), np.float32))]
    res = run_benchmark(huge, ["as-is(scale=8)"], ["bicubic"], workers=1)  # the enlarged image is over the limit
    assert (res["error"] != "").all() and res["error"].str.contains("pixels").all()
    with pytest.raises(SpecError):
        run_benchmark(photos, ["as-is(scale=12)"], ["median"])


# --------------------------------------------------------------------------- cache
def test_cache_key_includes_the_as_is_mode(photos: list[BenchmarkImage], tmp_path: Path) -> None:
    job = benchmark._Job(photos[0], "hash", AS_IS, ("median",), {}, 0, False, 0)
    keys = {benchmark._row_key(job, "median")}
    keys.add(benchmark._row_key(benchmark._Job(photos[0], "hash", "as-is(scale=2)", ("median",), {}, 0, False, 0),
                                "median"))
    keys.add(benchmark._row_key(benchmark._Job(photos[0], "hash", "", ("median",), {}, 0, False, 0), "median"))
    assert len(keys) == 3  # as-is, as-is x2 and the empty pipeline (the same pixels unchanged) differ

    cache = tmp_path / "rows"
    first = run_benchmark(photos[:1], [AS_IS], ["median"], workers=1, cache_dir=cache)
    seen: list[dict | None] = []
    again = run_benchmark(photos[:1], [AS_IS], ["median"], workers=1, cache_dir=cache,
                          progress=lambda d, t, r: seen.append(r))
    assert seen == [None]  # every row from the cache, scores included
    cols = ["image", "method", *NO_REFERENCE_METRICS]
    pd.testing.assert_frame_equal(first[cols], again[cols])
    ordinary = run_benchmark(photos[:1], [""], ["median"], workers=1, cache_dir=cache)
    assert ordinary[list(NO_REFERENCE_METRICS)].isna().all().all()  # not served the as-is rows of the same pixels


# --------------------------------------------------------------------------- tables
def test_no_reference_table_ranks_by_niqe(as_is_run: pd.DataFrame) -> None:
    table = no_reference_table(as_is_run)
    assert list(table.columns) == ["family", "niqe", "sharpness", "noise_sigma", "seconds", "images", "rank"]
    assert table.index[0] == DEGRADED and math.isnan(table.loc[DEGRADED, "rank"])
    ranked = table.drop(index=DEGRADED)
    assert list(ranked["rank"]) == [1.0, 2.0] and ranked["niqe"].is_monotonic_increasing
    for method in ("median", "tv"):
        assert table.loc[method, "niqe"] == pytest.approx(
            as_is_run.loc[as_is_run["method"] == method, "niqe"].mean())
    assert (table["images"] == 2).all()
    per_category = category_table(as_is_run, "niqe")
    assert list(per_category.index) == ["day", "night", "mean (all images)"]  # rows sorted by category
    assert per_category.loc["night", "tv"] == pytest.approx(
        as_is_run.query("category == 'night' and method == 'tv'")["niqe"].iloc[0])
    with pytest.raises(ValueError, match="metric must be one of"):
        category_table(as_is_run, "brisque")


def test_ties_share_a_rank_and_errors_are_left_out() -> None:
    rows = []
    for image in ("a", "b"):
        for method, niqe in ((DEGRADED, 9.0), ("m1", 4.0), ("m2", 4.0), ("m3", 6.0), ("bad", math.nan)):
            rows.append({"image": image, "category": "all", "degradation": AS_IS, "task": "denoise",
                         "method": method, "family": "x", "psnr": math.nan, "ssim": math.nan, "seconds": 0.1,
                         "error": "boom" if method == "bad" else "", "niqe": niqe, "sharpness": 1.0,
                         "noise_sigma": 2.0})
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    table = no_reference_table(frame)
    assert list(table.index) == [DEGRADED, "m1", "m2", "m3"]
    assert list(table["rank"].iloc[1:]) == [1.0, 1.0, 3.0]
    mixed = pd.concat([frame, frame.assign(degradation="gaussian_noise(sigma=5)", niqe=math.nan,
                                           sharpness=math.nan, noise_sigma=math.nan, psnr=20.0, ssim=0.5)])
    assert no_reference_table(mixed).index.equals(table.index)  # only the rows scored without a reference
    assert method_table(mixed).loc[("gaussian_noise(sigma=5)", "m1"), "psnr"] == 20.0


# --------------------------------------------------------------------------- command line
def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "restoration", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def test_cli_prints_the_no_reference_table(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    for i in (1, 2):
        save_image(_noisy(200, 200, seed=i), folder / f"photo{i}.png")
    out = tmp_path / "r.csv"
    res = _cli("benchmark", "--images", str(folder), "--degrade", "as-is", "--methods", "median,tv",
               "--out", str(out), "--quiet", "--workers", "1")
    assert res.returncode == 0, res.stderr
    assert "ranked by NIQE" in res.stdout and "niqe" in res.stdout and "noise_sigma" in res.stdout
    assert "PSNR (dB) per category" not in res.stdout  # nothing to compare with
    assert "No clean original" in res.stdout  # the caveat
    lines = [line.split() for line in res.stdout.splitlines()]
    ranked = [line[0] for line in lines if line and line[-1] in ("1", "2") and line[0] in ("median", "tv")]
    assert sorted(ranked) == ["median", "tv"]
    table = pd.read_csv(out)
    assert list(table.columns) == list(COLUMNS) and table["psnr"].isna().all() and table["niqe"].notna().all()

    bad = _cli("benchmark", "--images", str(folder), "--degrade", "as-is(scale=zero)", "--methods", "median",
               "--out", str(tmp_path / "bad.csv"), "--quiet")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert bad.stderr.strip().splitlines()[-1].startswith("error:") and "as-is" in bad.stderr
