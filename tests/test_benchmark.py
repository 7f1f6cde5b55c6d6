import numpy as np
import pandas as pd
import pytest
from scenes import make_scene

from restoration.benchmark import (
    COLUMNS,
    DEGRADED,
    BenchmarkImage,
    category_table,
    collect_images,
    improvement_table,
    method_table,
    run_benchmark,
)
from restoration.errors import ParameterError, RestorationError, SpecError, UnknownMethodError
from restoration.images import save_image


@pytest.fixture
def images():
    return [
        BenchmarkImage("a", "cat1", pixels=make_scene(40, 48, seed=1)),
        BenchmarkImage("b", "cat1", pixels=make_scene(40, 48, colour=True, seed=2)),
        BenchmarkImage("c", "cat2", pixels=make_scene(40, 48, seed=3)),
    ]


def test_tidy_table_and_aggregates(images):
    calls = []
    res = run_benchmark(images, ["salt_pepper(amount=0.1)"], ["median", "bicubic"], workers=1,
                        progress=lambda d, t, r: calls.append((d, t)))
    assert list(res.columns) == list(COLUMNS)
    # bicubic does not solve denoising: skipped; one degraded + one median row per image
    assert len(res) == 6 and set(res["method"]) == {DEGRADED, "median"}
    assert calls[0] == (0, 6) and calls[-1] == (6, 6)
    assert (res["error"] == "").all()
    per_method = method_table(res)
    assert per_method.loc["median", "psnr"] > per_method.loc[DEGRADED, "psnr"] + 5
    assert per_method.loc["median", "psnr_gain"] == pytest.approx(
        per_method.loc["median", "psnr"] - per_method.loc[DEGRADED, "psnr"])
    cat = category_table(res)
    assert list(cat.columns) == [DEGRADED, "median"]
    assert list(cat.index) == ["cat1", "cat2", "mean (all images)"]
    cat1 = res[(res.category == "cat1") & (res.method == "median")]["psnr"].mean()
    assert cat.loc["cat1", "median"] == pytest.approx(cat1)
    imp = improvement_table(res)
    expected = 100 * (cat.loc["cat2", "median"] - cat.loc["cat2", DEGRADED]) / cat.loc["cat2", DEGRADED]
    assert imp.loc["cat2", "median"] == pytest.approx(expected)


def test_parallel_equals_serial_and_cache_resumes(images, tmp_path):
    specs = ["gaussian_noise(sigma=15)", "downsample(scale=2)"]
    serial = run_benchmark(images, specs, ["median", "bicubic"], workers=1)
    cache = tmp_path / "cache"
    par = run_benchmark(images, specs, ["median", "bicubic"], workers=2, cache_dir=cache)
    cols = ["image", "degradation", "method", "psnr", "ssim"]
    pd.testing.assert_frame_equal(serial[cols], par[cols])
    assert len(list(cache.rglob("*.json"))) == len(par)
    seen = []
    again = run_benchmark(images, specs, ["median", "bicubic"], cache_dir=cache,
                          progress=lambda d, t, r: seen.append(r))
    assert seen == [None]  # everything came from the cache, nothing recomputed
    pd.testing.assert_frame_equal(again[cols], par[cols])
    # a changed parameter is a different row: recomputed
    seen.clear()
    run_benchmark(images, specs[:1], ["median"], params={"median": {"size": 5}}, cache_dir=cache, workers=1,
                  progress=lambda d, t, r: seen.append(r))
    assert sum(r is not None and r["method"] == "median" for r in seen) == 3
    table = category_table(par)
    assert table.index.nlevels == 2  # degradation x category when several degradations


def test_bad_requests(images):
    with pytest.raises(UnknownMethodError):
        run_benchmark(images, ["jpeg"], ["nope"])
    with pytest.raises(SpecError):
        run_benchmark(images, ["jpeg("], ["median"])
    with pytest.raises(ParameterError):
        run_benchmark(images, ["jpeg"], ["median"], params={"median": {"size": 100}})
    with pytest.raises(RestorationError):
        run_benchmark([], ["jpeg"], ["median"])


def test_errors_become_rows_not_crashes():
    tiny = [BenchmarkImage("t", "all", pixels=np.zeros((3, 3), np.float32))]
    res = run_benchmark(tiny, ["downsample(scale=4)"], ["bicubic"], workers=1)
    assert (res["error"] != "").all() and res["psnr"].isna().all()


def test_collect_images(tmp_path):
    flat = tmp_path / "flat"
    flat.mkdir()
    save_image(make_scene(16, 16), flat / "x.png")
    (flat / "notes.txt").write_text("not an image")
    assert [(i.name, i.category) for i in collect_images(flat)] == [("x", "all")]
    nested = tmp_path / "nested"
    for cat in ("portrait", "indoor"):
        (nested / cat).mkdir(parents=True)
        save_image(make_scene(16, 16), nested / cat / f"{cat}1.png")
    found = collect_images(nested)
    assert [i.category for i in found] == ["indoor", "portrait"]
    assert [i.category for i in collect_images(nested, categories=["portrait"])] == ["portrait"]
    with pytest.raises(RestorationError, match="no images in categories"):
        collect_images(nested, categories=["urban"])
    with pytest.raises(RestorationError, match="not found"):
        collect_images(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(RestorationError, match="no images found"):
        collect_images(tmp_path / "empty")


def _recomputed(images, cache, methods, **kwargs) -> list[str]:
    """Run with the cache and return the methods whose rows were computed (not read from the cache)."""
    seen = []
    run_benchmark(images, ["gaussian_noise(sigma=15)"], methods, cache_dir=cache, workers=1,
                  progress=lambda d, t, r: seen.append(r), **kwargs)
    return sorted({r["method"] for r in seen if r is not None})


def test_cache_misses_when_a_default_changes(images, tmp_path, monkeypatch):
    """A row is reused only while the method's resolved parameters are the same (a changed default is not)."""
    import dataclasses

    from restoration import registry

    cache = tmp_path / "cache"
    assert _recomputed(images, cache, ["wavelet", "bicubic"]) == ["degraded", "wavelet"]
    assert _recomputed(images, cache, ["wavelet"]) == []
    spec = registry.REGISTRY["wavelet"]  # "colour" is a static default (no auto rule sets it)
    params = tuple(dataclasses.replace(p, default="rgb") if p.name == "colour" else p for p in spec.params)
    monkeypatch.setitem(registry.REGISTRY, "wavelet", dataclasses.replace(spec, params=params))
    assert _recomputed(images, cache, ["wavelet"]) == ["wavelet"]  # the new default makes new rows


def test_cache_misses_when_weights_or_code_change(images, tmp_path, monkeypatch):
    """The sha256 of the weights a method reads, and the library's code and version, are in every row's key."""
    from restoration import provenance

    cache = tmp_path / "cache"
    small = [images[0]]
    assert _recomputed(small, cache, ["median", "cnn_denoise"]) == ["cnn_denoise", "degraded", "median"]
    assert _recomputed(small, cache, ["median", "cnn_denoise"]) == []
    real = provenance.file_sha256
    monkeypatch.setattr(provenance, "file_sha256",
                        lambda path: "retrained" if "cnn_denoise_gray" in str(path) else real(path))
    assert _recomputed(small, cache, ["median", "cnn_denoise"]) == ["cnn_denoise"]  # only the model that changed
    monkeypatch.setattr(provenance, "code_digest", lambda: "edited")
    assert _recomputed(small, cache, ["median"]) == ["degraded", "median"]


def test_every_shipped_asset_is_in_some_key():
    """Each weight and dictionary file is listed by the spec that reads it, so its sha256 reaches the keys."""
    from restoration.provenance import ASSETS_DIR
    from restoration.registry import REGISTRY

    listed = {a for spec in REGISTRY.values() for a in spec.assets}
    shipped = {str(p.relative_to(ASSETS_DIR)) for folder in ("weights", "dictionaries")
               for p in (ASSETS_DIR / folder).iterdir() if p.suffix in (".pt", ".npz")}
    assert listed == shipped


def test_cache_folder_is_pruned_by_age_and_size(images, tmp_path):
    import os
    import time

    from restoration.benchmark import prune_cache

    cache = tmp_path / "cache"
    run_benchmark(images, ["gaussian_noise(sigma=15)"], ["median"], cache_dir=cache, workers=1)
    rows = sorted(cache.rglob("*.json"))
    assert len(rows) == 6
    old = time.time() - 40 * 86400
    os.utime(rows[0], (old, old))  # unused for 40 days
    assert prune_cache(cache) == 1 and not rows[0].exists()
    size = rows[1].stat().st_size
    for i, path in enumerate(rows[1:]):  # distinct last-use times, rows[-1] the most recent
        t = time.time() - 100 + i
        os.utime(path, (t, t))
    assert prune_cache(cache, max_bytes=2 * size + size // 2) == 3
    assert sorted(cache.rglob("*.json")) == rows[-2:]  # the two most recently used stay
    # a run prunes its folder when it ends
    run_benchmark(images, ["gaussian_noise(sigma=15)"], ["median"], cache_dir=cache, workers=1, cache_max_bytes=0)
    assert list(cache.rglob("*.json")) == []


def test_cached_run_records_an_undecodable_image_as_error_rows(images, tmp_path):
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not an image")
    frame = run_benchmark([images[0], BenchmarkImage("broken", "cat1", path=broken)], ["gaussian_noise(sigma=15)"],
                          ["median"], cache_dir=tmp_path / "cache", workers=1)
    bad = frame[frame["image"] == "broken"]
    assert len(bad) == 2 and (bad["error"] != "").all()
    assert (frame[frame["image"] == "a"]["error"] == "").all()


def test_report_stamp_names_date_cpu_commit_and_load(tmp_path) -> None:
    """Every report section is stamped with when, on what and at which commit it ran."""
    import re

    from restoration.provenance import git_commit, report_stamp

    line = report_stamp()
    assert re.search(r"_Measured \d{4}-\d\d-\d\d \d\d:\d\d UTC on .+, \d+ cores, flags ", line)
    assert f"commit {git_commit()};" in line
    assert "load average" in line
    assert "commit unknown;" in report_stamp(tmp_path)  # outside a checkout it says so, it does not fail
