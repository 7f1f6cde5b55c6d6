"""Headless tests of the Degrade, Restore and Benchmark pages with ``streamlit.testing.v1.AppTest``."""

from __future__ import annotations

import io
import math
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from apptools import ROOT, TIMEOUT, no_exception
from streamlit.testing.v1 import AppTest

from restoration import Observation
from restoration.images import encode_png
from ui import cache
from ui.keys import (
    BENCH_CATEGORIES,
    BENCH_METHODS,
    BENCH_PER_CATEGORY,
    BENCH_PRESETS,
    BENCH_RESULTS,
    BENCH_RUN,
    BENCH_SIZE,
    BENCH_SOURCE,
    BENCH_SPECS,
    BENCH_ZIP,
    DEGRADE_ADD,
    DEGRADE_ADD_STEP,
    DEGRADE_AS_DEGRADED,
    DEGRADE_ASSUMED_SIGMA,
    DEGRADE_CROP,
    DEGRADE_PRESET,
    DEGRADE_SIZE,
    DEGRADE_SOURCE,
    DEGRADE_SPEC_TEXT,
    DEGRADE_STEPS,
    DEGRADE_UPLOAD,
    RESTORE_METHODS,
    RESTORE_NR_TABLE,
    RESTORE_RESULTS,
    RESTORE_RUN,
    RESTORE_TABLE,
    SHARED_CLEAN,
    SHARED_METHODS,
    SHARED_NAME,
    SHARED_OBSERVATION,
    SHARED_SPEC,
)

DEGRADE, RESTORE, BENCHMARK = "pages/1_Degrade.py", "pages/2_Restore.py", "pages/3_Benchmark.py"


def _app(script: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / script), default_timeout=TIMEOUT)
    at.run()
    no_exception(at)
    return at


def _errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def _png(height: int, width: int) -> bytes:
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    image = np.stack([x / width, y / height, 0.5 + 0.4 * np.sin(x / 7.0) * np.cos(y / 9.0)], axis=-1)
    return encode_png(np.clip(image, 0.0, 1.0))


# --------------------------------------------------------------------------- defaults
def test_degrade_renders_with_defaults() -> None:
    at = _app(DEGRADE)
    assert not _errors(at)
    assert at.selectbox(key=DEGRADE_PRESET).value == "noise25"
    assert at.text_input(key=DEGRADE_SPEC_TEXT).value == "gaussian_noise(sigma=25)"
    observation = at.session_state[SHARED_OBSERVATION]
    assert isinstance(observation, Observation) and observation.task == "denoise"
    assert at.session_state[SHARED_CLEAN] is not None
    assert len(at.image) >= 2  # clean and degraded side by side
    assert [m.label for m in at.metric][:2] == ["PSNR (degraded)", "SSIM (degraded)"]
    height, width = observation.clean.shape[:2]
    at.checkbox(key=DEGRADE_CROP).check().run()  # the default crop keeps the middle half each way
    no_exception(at)
    assert at.session_state[SHARED_OBSERVATION].clean.shape[:2] == (height // 2, width // 2)


def test_restore_renders_with_defaults() -> None:
    from restoration import get_algorithm

    at = _app(RESTORE)
    assert not _errors(at)
    chosen = at.multiselect(key=RESTORE_METHODS).value
    assert 1 <= len(chosen) <= 4 and "identity" not in chosen
    assert len({get_algorithm(m).family for m in chosen}) == len(chosen)  # one per family
    assert at.session_state[SHARED_OBSERVATION].task == "denoise"  # the default observation was built
    assert not at.dataframe  # nothing ran yet


def test_benchmark_renders_with_defaults() -> None:
    at = _app(BENCHMARK)
    assert not _errors(at)
    assert "combined" in at.multiselect(key=BENCH_PRESETS).value  # a default degradation: the survey's
    chosen = at.multiselect(key=BENCH_METHODS).value
    assert {"classic_chain", "bm3d_bicubic"} <= set(chosen)  # both traditional rows of the survey view get data
    assert not at.button(key=BENCH_RUN).disabled


# --------------------------------------------------------------------------- the flow
def test_degrade_then_restore_two_methods() -> None:
    at = _app("app.py")
    at.switch_page(DEGRADE).run()
    no_exception(at)
    at.selectbox(key=DEGRADE_PRESET).set_value("saltpepper").run()
    no_exception(at)
    assert at.text_input(key=DEGRADE_SPEC_TEXT).value == "salt_pepper(amount=0.1, salt_ratio=0.5)"
    assert at.session_state[SHARED_SPEC] == "salt_pepper(amount=0.1, salt_ratio=0.5)"
    observation = at.session_state[SHARED_OBSERVATION]

    at.switch_page(RESTORE).run()
    no_exception(at)
    assert at.session_state[SHARED_OBSERVATION] is observation  # the degradation flowed to the next page
    at.multiselect(key=RESTORE_METHODS).set_value(["identity", "median"]).run()
    at.button(key=RESTORE_RUN).click().run()
    no_exception(at)
    assert not _errors(at)

    table = at.session_state[RESTORE_TABLE]
    assert isinstance(table, pd.DataFrame)
    assert list(table["method"]) == ["degraded", "identity", "median"]
    psnr = dict(zip(table["method"], table["PSNR (dB)"], strict=True))
    assert all(math.isfinite(v) for v in psnr.values())
    assert psnr["identity"] == pytest.approx(psnr["degraded"])
    assert psnr["median"] > psnr["identity"] + 3  # the median filter's home ground
    assert table.loc[table["method"] == "median", "best"].item() == "PSNR, SSIM"
    assert table["gain (dB)"].iloc[0] == 0
    shown = at.dataframe[0].value
    pd.testing.assert_frame_equal(shown.reset_index(drop=True), table.reset_index(drop=True))
    assert set(at.session_state[RESTORE_RESULTS].images) == {"identity", "median"}
    assert at.session_state[SHARED_METHODS] == ["identity", "median"]
    assert len(at.get("plotly_chart")) == 1

    at.run()  # an unrelated rerun keeps the results
    assert isinstance(at.session_state[RESTORE_TABLE], pd.DataFrame)
    assert at.dataframe


def test_degrade_pipeline_text_steps_and_errors() -> None:
    at = _app(DEGRADE)
    at.text_input(key=DEGRADE_SPEC_TEXT).input("gaussian_blur(sigma=2) | gaussian_noise(sigma=5)").run()
    no_exception(at)
    assert not _errors(at)
    assert [s["name"] for s in at.session_state[DEGRADE_STEPS]] == ["gaussian_blur", "gaussian_noise"]
    assert at.session_state[SHARED_OBSERVATION].task == "deblur"

    at.text_input(key=DEGRADE_SPEC_TEXT).input("gaussian_blurr(sigma=2)").run()
    no_exception(at)
    assert len(_errors(at)) == 1 and "did you mean 'gaussian_blur'" in _errors(at)[0]
    assert at.session_state[SHARED_OBSERVATION].task == "deblur"  # the last valid pipeline stays in effect

    at.selectbox(key=DEGRADE_ADD_STEP).set_value("downsample").run()
    at.button(key=DEGRADE_ADD).click().run()
    no_exception(at)
    assert not _errors(at)
    assert at.session_state[SHARED_OBSERVATION].task == "combined"
    assert at.text_input(key=DEGRADE_SPEC_TEXT).value.endswith("| downsample(scale=2)")

    first = at.session_state[DEGRADE_STEPS][0]["uid"]
    at.button(key=f"degrade.remove.{first}").click().run()
    no_exception(at)
    assert [s["name"] for s in at.session_state[DEGRADE_STEPS]] == ["gaussian_noise", "downsample"]


def test_upload_bad_file_large_file_and_no_ground_truth() -> None:
    at = _app("app.py")
    at.switch_page(DEGRADE).run()
    at.radio(key=DEGRADE_SOURCE).set_value("upload").run()
    no_exception(at)
    at.file_uploader(key=DEGRADE_UPLOAD).upload("broken.png", b"this is not an image", "image/png").run()
    no_exception(at)
    assert any("broken.png" in e and "not an image" in e for e in _errors(at)), _errors(at)

    at.selectbox(key=DEGRADE_SIZE).set_value(128 * 128).run()
    at.file_uploader(key=DEGRADE_UPLOAD).upload("wide.png", _png(200, 300), "image/png").run()
    no_exception(at)
    assert not _errors(at)
    assert any("shrunk" in i.value and "300×200" in i.value for i in at.info), [i.value for i in at.info]
    clean = at.session_state[SHARED_CLEAN]
    assert clean.shape[0] * clean.shape[1] <= 128 * 128 and at.session_state[SHARED_NAME] == "wide.png"

    at.checkbox(key=DEGRADE_AS_DEGRADED).check().run()
    at.number_input(key=DEGRADE_ASSUMED_SIGMA).set_value(20.0).run()
    no_exception(at)
    assert at.session_state[SHARED_CLEAN] is None
    observation = at.session_state[SHARED_OBSERVATION]
    assert observation.clean is None and observation.sigma == 20.0 and observation.task == "denoise"

    at.switch_page(RESTORE).run()
    at.multiselect(key=RESTORE_METHODS).set_value(["identity", "median", "tv"]).run()
    tuning = [w for w in at.selectbox if w.key and w.key.startswith("restore.param.tv.") and "tuning" in w.key]
    assert len(tuning) == 1
    tuning[0].set_value("self").run()
    at.button(key=RESTORE_RUN).click().run()
    no_exception(at)
    table = at.session_state[RESTORE_TABLE]
    assert table["PSNR (dB)"].isna().all()  # no ground truth, no metrics
    assert list(at.dataframe[0].value.columns) == ["method", "title", "family", "seconds"]
    assert set(at.session_state[RESTORE_RESULTS].images) == {"identity", "median", "tv"}
    # ... but scores that need no reference, ranked, with their caveat
    scores = at.session_state[RESTORE_NR_TABLE]
    assert scores["method"].iloc[0] == "degraded"
    assert set(scores["method"]) == {"degraded", "identity", "median", "tv"}
    assert (scores["noise sigma"] >= 0).all() and (scores["sharpness"] > 0).all()
    assert scores["NIQE"].isna().all()  # the picture was shrunk to 128x128: too small for NIQE, not ranked
    assert any("No clean original" in c.value for c in at.caption), [c.value for c in at.caption]
    # self-tuning shows the value it chose and its loss curve
    assert any("chosen from the noisy image alone" in e.label for e in at.expander), [e.label for e in at.expander]


# --------------------------------------------------------------------------- benchmark
def test_benchmark_two_images_one_degradation_two_methods(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "BENCH_CACHE_DIR", tmp_path / "rows")
    at = _app(BENCHMARK)
    categories = at.multiselect(key=BENCH_CATEGORIES).options[:2]
    at.multiselect(key=BENCH_CATEGORIES).set_value(categories)
    at.number_input(key=BENCH_PER_CATEGORY).set_value(1)
    at.selectbox(key=BENCH_SIZE).set_value(128 * 128)
    at.multiselect(key=BENCH_PRESETS).set_value(["noise25"])
    at.text_area(key=BENCH_SPECS).input("")
    at.run()
    at.multiselect(key=BENCH_METHODS).set_value(["identity", "median"]).run()
    no_exception(at)
    at.button(key=BENCH_RUN).click().run()
    no_exception(at)
    assert not _errors(at)

    results = at.session_state[BENCH_RESULTS]
    assert isinstance(results, pd.DataFrame)
    assert len(results) == 2 * 3 and results["image"].nunique() == 2  # 2 images x (degraded, identity, median)
    assert (results["error"] == "").all()
    assert set(results["method"]) == {"degraded", "identity", "median"}
    assert [t.label for t in at.tabs] == ["Tables", "Charts", "Survey vs measured", "Raw data and downloads"]
    means = at.dataframe[0].value
    assert list(means["method"]) == ["degraded", "identity", "median"]
    assert means.loc[2, "psnr"] > means.loc[0, "psnr"]
    per_category = at.dataframe[1].value
    assert list(per_category.columns) == ["category", "degraded", "identity", "median"]
    assert list(per_category["category"]) == [*categories, "mean (all images)"]
    assert len(at.get("plotly_chart")) == 3
    assert len(at.dataframe) >= 3 + 8  # our tables, then the survey's four tables beside ours

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a repeated benchmark must come from the cache")

    monkeypatch.setattr(cache, "run_benchmark", refuse)
    at.button(key=BENCH_RUN).click().run()
    no_exception(at)
    pd.testing.assert_frame_equal(at.session_state[BENCH_RESULTS], results)


def test_benchmark_survey_view_shows_both_traditional_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "BENCH_CACHE_DIR", tmp_path / "rows")
    at = _app(BENCHMARK)
    at.multiselect(key=BENCH_CATEGORIES).set_value(at.multiselect(key=BENCH_CATEGORIES).options[:1])
    at.number_input(key=BENCH_PER_CATEGORY).set_value(1)
    at.selectbox(key=BENCH_SIZE).set_value(128 * 128)
    at.multiselect(key=BENCH_PRESETS).set_value(["combined"])
    at.text_area(key=BENCH_SPECS).input("")
    at.run()
    at.multiselect(key=BENCH_METHODS).set_value(["bicubic", "classic_chain", "bm3d_bicubic"]).run()
    at.button(key=BENCH_RUN).click().run()
    no_exception(at)
    assert not _errors(at)
    table3 = next(d.value for d in at.dataframe
                  if "gain of deep over survey-style (%)" in set(d.value.get("method", pd.Series(dtype=str))))
    rows = dict(zip(table3["method"], table3["ours"], strict=True))
    assert rows["traditional method"] == "classic_chain"
    assert rows["traditional, survey-style (BM3D then bicubic)"] == "bm3d_bicubic"
    psnr = dict(zip(table3["method"], table3["PSNR"], strict=True))
    assert psnr["traditional method"] > psnr["traditional, survey-style (BM3D then bicubic)"]
    assert any("cannot undo blur" in c.value for c in at.caption)


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_benchmark_zip_upload() -> None:
    at = _app(BENCHMARK)
    at.radio(key=BENCH_SOURCE).set_value("zip").run()
    unsafe = _zip({"../evil.png": _png(32, 32)})
    at.file_uploader(key=BENCH_ZIP).upload("bad.zip", unsafe, "application/zip").run()
    no_exception(at)
    assert any("'..'" in e for e in _errors(at)), _errors(at)

    good = _zip({
        "set/faces/a.png": _png(40, 48), "set/faces/b.png": _png(48, 40), "set/text/c.png": _png(32, 64),
        "set/text/readme.txt": b"not an image", "set/text/d.png": b"broken",
    })
    at.file_uploader(key=BENCH_ZIP).upload("good.zip", good, "application/zip").run()
    no_exception(at)
    assert not _errors(at)
    assert any("3 images: faces (2), text (1)" in c.value for c in at.caption), [c.value for c in at.caption]
    assert any("1 files skipped" in e.label for e in at.expander)


@pytest.mark.parametrize("family", ["deep", "pnp", "variational", "selfsup"])
def test_learn_page_families(family: str) -> None:
    """The Learn page opens each family's look inside without errors (deep: the CNN and cnn_sr)."""
    at = _app("pages/4_Learn.py")
    at.radio(key="learn.family").set_value(family).run()
    no_exception(at)
    assert not _errors(at)
    captions = " ".join(str(c.value) for c in at.caption)
    if family == "deep":
        texts = " ".join(str(m.value) for m in at.markdown)
        assert "enlarging x4" in texts and "Channel-attention" in captions
    if family == "pnp":
        texts = " ".join(str(m.value) for m in at.markdown)
        assert "Unfolded and trained end to end" in texts and "The data step undoes" in captions
        at.slider(key="learn.unfolded_stage").set_value(1).run()
        no_exception(at)
        assert not _errors(at)
    if family == "selfsup":
        assert "never sees" in captions
        assert len(at.get("plotly_chart")) == 1
