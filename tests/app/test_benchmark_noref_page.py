"""The Benchmark page without ground truth: already degraded photos, scored and ranked by NIQE (AppTest)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from apptools import ROOT, TIMEOUT, no_exception
from streamlit.testing.v1 import AppTest

from restoration.benchmark import AS_IS
from restoration.images import encode_png
from ui import cache, widgets
from ui.bench_keys import BENCH_MODE, BENCH_NR_FILES, BENCH_NR_METHODS, BENCH_NR_SOURCE, MODE_AS_IS
from ui.keys import BENCH_RESULTS, BENCH_RUN, BENCH_SIZE, BENCH_ZIP

BENCHMARK = "pages/3_Benchmark.py"


def _noisy_photo(height: int, width: int, seed: int) -> bytes:
    """A smooth colour scene with Gaussian noise (sigma 20 of 255): an "already degraded" photo."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    clean = np.stack([0.5 + 0.3 * np.sin(x / 11.0 + seed), 0.5 + 0.3 * np.cos(y / 13.0), (x + y) / (height + width)],
                     axis=-1)
    noisy = clean + np.random.default_rng(seed).normal(0.0, 20.0 / 255.0, clean.shape)
    return encode_png(np.clip(noisy, 0.0, 1.0).astype(np.float32))


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _as_is_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setattr(cache, "BENCH_CACHE_DIR", tmp_path / "rows")
    at = AppTest.from_file(str(ROOT / BENCHMARK), default_timeout=TIMEOUT)
    at.run()
    no_exception(at)
    at.radio(key=BENCH_MODE).set_value(MODE_AS_IS).run()
    no_exception(at)
    assert not at.error
    return at


def test_zip_of_degraded_photos_gives_the_no_reference_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _as_is_page(tmp_path, monkeypatch)
    assert not any(m.label == "Presets" for m in at.multiselect)  # no pipeline is chosen in this mode
    at.radio(key=BENCH_NR_SOURCE).set_value("zip").run()
    at.selectbox(key=BENCH_SIZE).set_value(256 * 256).run()
    archive = _zip({"mine/a.png": _noisy_photo(208, 224, 1), "mine/b.png": _noisy_photo(224, 200, 2)})
    at.file_uploader(key=BENCH_ZIP).upload("photos.zip", archive, "application/zip").run()
    no_exception(at)
    assert any("2 images" in c.value for c in at.caption), [c.value for c in at.caption]
    denoisers = widgets.methods_for("denoise")  # the methods offered: those that solve the as-is task
    assert at.multiselect(key=BENCH_NR_METHODS).options == [widgets.method_label(m) for m in denoisers]
    assert {"median", "tv"} <= set(denoisers) and "bicubic" not in denoisers
    at.multiselect(key=BENCH_NR_METHODS).set_value(["median", "tv"]).run()
    at.button(key=BENCH_RUN).click().run()
    no_exception(at)
    assert not at.error, [e.value for e in at.error]

    results = at.session_state[BENCH_RESULTS]
    assert isinstance(results, pd.DataFrame) and len(results) == 2 * 3
    assert set(results["degradation"]) == {AS_IS} and (results["error"] == "").all()
    assert results["psnr"].isna().all() and results["niqe"].notna().all()
    assert [t.label for t in at.tabs] == ["No-reference scores", "Raw data and downloads"]  # no PSNR charts/survey
    table = at.dataframe[0].value
    assert table["method"].iloc[0] == "degraded" and set(table["method"]) == {"degraded", "median", "tv"}
    assert {"niqe", "sharpness", "noise_sigma", "rank"} <= set(table.columns)
    ranks = dict(zip(table["method"], table["rank"], strict=True))
    assert ranks["degraded"] == "—" and sorted([ranks["median"], ranks["tv"]]) == ["1", "2"]
    niqe = dict(zip(table["method"], table["niqe"], strict=True))
    assert niqe["degraded"] > min(niqe["median"], niqe["tv"])  # denoising makes noisy photos look more natural
    assert any("No clean original" in c.value for c in at.caption)  # the caveat
    assert any("need the clean original" in i.value for i in at.info)
    assert not at.get("plotly_chart")


def test_photos_with_a_broken_file_and_the_switch_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _as_is_page(tmp_path, monkeypatch)
    at.radio(key=BENCH_NR_SOURCE).set_value("files").run()
    at.file_uploader(key=BENCH_NR_FILES).set_value([
        ("a.png", _noisy_photo(200, 200, 3), "image/png"), ("broken.png", b"not a png", "image/png"),
    ]).run()
    no_exception(at)
    assert any("1 files skipped" in e.label for e in at.expander)
    assert any("1 images" in c.value for c in at.caption), [c.value for c in at.caption]
    at.multiselect(key=BENCH_NR_METHODS).set_value(["median"]).run()
    at.button(key=BENCH_RUN).click().run()
    no_exception(at)
    assert len(at.session_state[BENCH_RESULTS]) == 2
    at.radio(key=BENCH_MODE).set_value("clean").run()  # the last results stay, still shown without PSNR
    no_exception(at)
    assert not at.error
