"""The time budget on the Restore and Benchmark pages: a slow method is held back with a message, the others run."""

from __future__ import annotations

from pathlib import Path

import pytest
from apptools import ROOT, TIMEOUT, no_exception
from streamlit.testing.v1 import AppTest

from restoration.budget import BUDGET_ENV
from ui import cache
from ui.keys import (
    BENCH_CATEGORIES,
    BENCH_METHODS,
    BENCH_PER_CATEGORY,
    BENCH_PRESETS,
    BENCH_RESULTS,
    BENCH_RUN,
    BENCH_RUN_ANYWAY,
    BENCH_SIZE,
    BENCH_SPECS,
    RESTORE_METHODS,
    RESTORE_RESULTS,
    RESTORE_RUN,
    RESTORE_RUN_ANYWAY,
)

WAVELET = "Wavelet shrinkage (BayesShrink / VisuShrink)"


def _held_back(at: AppTest) -> list[str]:
    return [w.value for w in at.warning if "is held back" in w.value]


def test_restore_holds_back_a_method_over_the_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    # the default image is 512x384 colour: the mean filter needs ~0.003 s, wavelet shrinkage ~0.3 s
    monkeypatch.setenv(BUDGET_ENV, "0.05")
    at = AppTest.from_file(str(ROOT / "pages" / "2_Restore.py"), default_timeout=TIMEOUT)
    at.run()
    at.multiselect(key=RESTORE_METHODS).set_value(["mean", "wavelet"]).run()
    no_exception(at)
    held = _held_back(at)
    assert len(held) == 1 and held[0].startswith(f"{WAVELET} is held back: it would take about 0.3")
    assert "512×384 colour image" in held[0] and "time budget of 0.05 s" in held[0] and "anyway" in held[0]
    assert at.button(key=RESTORE_RUN).label == "Run 1 method"

    at.button(key=RESTORE_RUN).click().run()
    no_exception(at)
    assert set(at.session_state[RESTORE_RESULTS].images) == {"mean"}  # the other method still ran
    assert _held_back(at)  # and the page still says why wavelet did not

    at.checkbox(key=RESTORE_RUN_ANYWAY).check().run()
    assert not _held_back(at) and at.button(key=RESTORE_RUN).label == "Run 2 methods"
    at.button(key=RESTORE_RUN).click().run()
    no_exception(at)
    assert set(at.session_state[RESTORE_RESULTS].images) == {"mean", "wavelet"}


def test_restore_default_budget_holds_nothing_back_on_the_default_image(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(BUDGET_ENV, raising=False)
    at = AppTest.from_file(str(ROOT / "pages" / "2_Restore.py"), default_timeout=TIMEOUT)
    at.run()
    no_exception(at)
    assert not _held_back(at) and RESTORE_RUN_ANYWAY not in [c.key for c in at.checkbox]  # no box: nothing slow
    assert any(c.value.startswith("Estimated time: about") for c in at.caption)


def test_benchmark_holds_back_a_method_over_the_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "BENCH_CACHE_DIR", tmp_path / "rows")
    monkeypatch.setenv(BUDGET_ENV, "0.05")
    at = AppTest.from_file(str(ROOT / "pages" / "3_Benchmark.py"), default_timeout=TIMEOUT)
    at.run()
    at.multiselect(key=BENCH_CATEGORIES).set_value(at.multiselect(key=BENCH_CATEGORIES).options[:1])
    at.number_input(key=BENCH_PER_CATEGORY).set_value(1)
    at.selectbox(key=BENCH_SIZE).set_value(256 * 256)  # wavelet ~0.1 s, the mean filter ~0.001 s
    at.multiselect(key=BENCH_PRESETS).set_value(["noise25"])
    at.text_area(key=BENCH_SPECS).input("")
    at.run()
    at.multiselect(key=BENCH_METHODS).set_value(["mean", "wavelet"]).run()
    no_exception(at)
    held = _held_back(at)
    assert len(held) == 1 and held[0].startswith(f"{WAVELET} is held back") and "on the largest" in held[0]
    at.button(key=BENCH_RUN).click().run()
    no_exception(at)
    assert set(at.session_state[BENCH_RESULTS]["method"]) == {"degraded", "mean"}

    at.checkbox(key=BENCH_RUN_ANYWAY).check().run()
    at.button(key=BENCH_RUN).click().run()
    no_exception(at)
    assert set(at.session_state[BENCH_RESULTS]["method"]) == {"degraded", "mean", "wavelet"}
