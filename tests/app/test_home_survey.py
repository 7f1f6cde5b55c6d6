"""AppTest: the home page's links, progress and cached rerun; the Benchmark page's survey story (issue 14)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from apptools import ROOT, TIMEOUT, no_exception
from streamlit.testing.v1 import AppTest

from restoration import REGISTRY
from ui import cache, demo, survey
from ui.keys import (
    BENCH_CATEGORIES,
    BENCH_METHODS,
    BENCH_PER_CATEGORY,
    BENCH_PRESETS,
    BENCH_RUN,
    BENCH_SIZE,
    BENCH_SPECS,
    HOME_RESULTS,
    HOME_RUN,
)


def _app(script: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / script), default_timeout=TIMEOUT)
    at.run()
    no_exception(at)
    return at


def _walk(node: Any) -> Iterator[Any]:
    for child in getattr(node, "children", {}).values():
        yield child
        yield from _walk(child)


# --------------------------------------------------------------------------- home
def test_home_is_named_home_and_links_all_four_pages() -> None:
    pages = {}
    for node in ast.walk(ast.parse((ROOT / "app.py").read_text())):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "Page":
            pages[ast.literal_eval(node.args[0])] = {k.arg: ast.literal_eval(k.value) for k in node.keywords}
    assert pages["pages/0_Home.py"]["title"] == "Home" and pages["pages/0_Home.py"]["default"] is True
    at = _app("app.py")
    links = at.get("page_link")
    assert [link.label for link in links] == ["Degrade", "Restore", "Benchmark", "Learn"]
    assert [link.proto.page for link in links] == ["Degrade", "Restore", "Benchmark", "Learn"]
    # short labels, each with its description beside it: nothing for the link to cut off
    assert all(len(link.label) <= 12 for link in links)


@pytest.fixture
def quick_methods(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Two methods instead of every denoiser, and an empty shared cache."""
    monkeypatch.setattr(demo, "list_algorithms", lambda task: [REGISTRY["median"], REGISTRY["gaussian"]])
    demo.DEMO_CACHE.clear()
    yield
    demo.DEMO_CACHE.clear()


def test_home_shows_progress_per_method_and_serves_a_rerun_from_the_cache(
    quick_methods: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _app("app.py")
    at.button(key=HOME_RUN).click().run()
    no_exception(at)
    status = [n for n in _walk(at.main) if getattr(n, "type", "") == "status"]
    assert len(status) == 1 and status[0].label.startswith("Done: 3 methods")
    logs = [m.value for m in _walk(status[0]) if getattr(m, "type", "") == "markdown"]
    lines = logs[0].split("  \n")
    assert len(logs) == 1 and len(lines) == 3, logs
    assert all(re.search(r"— \d+\.\d\d dB in \d+\.\d\d s$", line) for line in lines), lines
    assert [p.value for p in _walk(status[0]) if getattr(p, "type", "") == "progress"] == [100]
    first = at.session_state[HOME_RESULTS]
    assert first["method"].iloc[0] == "identity" and set(first["method"]) == {"identity", "median", "gaussian"}
    assert not any("From the cache" in c.value for c in at.caption)

    def refuse(*args: object, **kwargs: object) -> np.ndarray:
        raise AssertionError("a rerun with the same inputs must come from the cache")

    monkeypatch.setattr(demo, "run_algorithm", refuse)
    at.button(key=HOME_RUN).click().run()
    no_exception(at)
    assert not at.error
    status = [n for n in _walk(at.main) if getattr(n, "type", "") == "status"]
    assert status[0].label.startswith("Served from the cache")
    assert any("From the cache" in c.value for c in at.caption)
    pd.testing.assert_frame_equal(at.session_state[HOME_RESULTS], first)
    assert len(at.dataframe) == 1


def test_home_bad_sample_gives_a_message_not_a_traceback(quick_methods: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from restoration import RestorationError

    def broken(*args: object, **kwargs: object) -> np.ndarray:
        raise RestorationError("sample image 'x' cannot be decoded")

    at = _app("app.py")
    monkeypatch.setattr(cache, "load_sample", broken)
    at.button(key=HOME_RUN).click().run()
    no_exception(at)
    assert [e.value for e in at.error] == ["sample image 'x' cannot be decoded"]
    status = [n for n in _walk(at.main) if getattr(n, "type", "") == "status"]
    assert status[0].label == "The quick demo did not run"
    assert at.session_state[HOME_RESULTS] is None


# --------------------------------------------------------------------------- benchmark: survey vs measured
def test_survey_view_states_its_conclusions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "BENCH_CACHE_DIR", tmp_path / "rows")
    at = _app("pages/3_Benchmark.py")
    at.multiselect(key=BENCH_CATEGORIES).set_value(at.multiselect(key=BENCH_CATEGORIES).options[:2])
    at.number_input(key=BENCH_PER_CATEGORY).set_value(1)
    at.selectbox(key=BENCH_SIZE).set_value(128 * 128)
    at.multiselect(key=BENCH_PRESETS).set_value(["noise25"])
    at.text_area(key=BENCH_SPECS).input("")
    at.run()
    at.multiselect(key=BENCH_METHODS).set_value(["median", "wavelet"]).run()
    at.button(key=BENCH_RUN).click().run()
    no_exception(at)
    versus = at.tabs[2]
    assert versus.label == "Survey vs measured"
    texts = [m.value for m in _walk(versus) if getattr(m, "type", "") == "markdown"]
    # one sentence per table, right under its title
    for name in ("Table 3", "Table 4", "Table 5", "Table 6"):
        title = next(i for i, t in enumerate(texts) if t.startswith(f"**{name} —"))
        assert texts[title + 1].endswith("."), texts[title + 1]
    sentences = [t for t in texts if t.startswith(("The survey claims", "Table 4 is", "Table 6,"))]
    assert len(sentences) == 4
    assert any("+34.2 % PSNR" in s and "no deep-learning method ran" in s for s in sentences)
    # the incomplete tables are marked as printed
    marked = [t for t in texts if survey.INCOMPLETE_LABEL in t and t.startswith("**Table")]
    assert [t.split(" —")[0] for t in marked] == ["**Table 4", "**Table 6"]
    # the degraded input heads our tables
    measured = [d.value for d in _walk(versus) if getattr(d, "type", "") == "dataframe" and "ours" in d.value]
    assert all(table["method"].iloc[0] == survey.DEGRADED_ROW for table in measured) and len(measured) == 3
    assert measured[0].loc[0, "ours"] == "degraded"
    # and the chart of claimed vs measured
    charts = [n for n in _walk(versus) if getattr(n, "type", "") == "vega_lite_chart"]
    assert len(charts) == 1
    assert len(at.get("plotly_chart")) == 3  # the Charts tab keeps its three plotly figures
