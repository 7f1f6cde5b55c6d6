"""Headless tests of the Streamlit pages with ``streamlit.testing.v1.AppTest`` (no browser)."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from apptools import ROOT, TIMEOUT, no_exception
from streamlit.testing.v1 import AppTest

from ui import demo
from ui.keys import HOME_PRESET, HOME_RESULTS, HOME_RUN, HOME_SAMPLE, HOME_SEED

PAGES = sorted(ROOT.glob("pages/*.py"))


def _app(script: Path) -> AppTest:
    at = AppTest.from_file(str(script), default_timeout=TIMEOUT)
    at.run()
    return at


def test_home_renders() -> None:
    at = _app(ROOT / "app.py")
    no_exception(at)
    assert at.title[0].value == "Image Restoration Workbench"
    assert at.button(key=HOME_RUN).label == "Run quick demo"
    assert at.selectbox(key=HOME_PRESET).value == "noise25"
    assert at.selectbox(key=HOME_SAMPLE).options  # never empty: the synthetic pattern is always there
    assert at.number_input(key=HOME_SEED).value == 0
    assert at.session_state[HOME_RESULTS] is None
    assert not at.dataframe  # no table before the first run


def test_home_quick_demo_flow() -> None:
    at = _app(ROOT / "app.py")
    at.selectbox(key=HOME_SAMPLE).set_value(_first_sample_key()).run()
    at.selectbox(key=HOME_PRESET).set_value("noise25").run()
    at.number_input(key=HOME_SEED).set_value(7).run()
    at.button(key=HOME_RUN).click().run()
    no_exception(at)
    assert not at.error, [e.value for e in at.error]

    assert len(at.dataframe) == 1
    shown = at.dataframe[0].value
    assert list(shown.columns) == list(demo.COLUMNS)
    assert shown["method"].iloc[0] == demo.BASELINE
    assert shown["PSNR (dB)"].map(math.isfinite).all()
    assert (shown["PSNR (dB)"] > 10).all()

    results = at.session_state[HOME_RESULTS]
    assert isinstance(results, pd.DataFrame)
    pd.testing.assert_frame_equal(results.reset_index(drop=True), shown.reset_index(drop=True))
    # sigma-25 noise on our samples: the degraded input measures well under 30 dB
    assert results.loc[results["method"] == demo.BASELINE, "PSNR (dB)"].item() < 30

    # the table survives an unrelated rerun (e.g. touching a widget)
    at.run()
    assert isinstance(at.session_state[HOME_RESULTS], pd.DataFrame)
    assert len(at.dataframe) == 1


def _first_sample_key() -> str:
    return demo.list_samples()[0].key


def test_home_shows_restoration_error_without_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    from restoration import RestorationError

    def refuse(*args: object, **kwargs: object) -> demo.DemoResult:
        raise RestorationError("the image is smaller than the total downsampling factor 4")

    at = _app(ROOT / "app.py")
    monkeypatch.setattr(demo, "run_demo", refuse)  # the page calls ui.demo.run_demo at click time
    at.button(key=HOME_RUN).click().run()
    no_exception(at)
    assert [e.value for e in at.error] == ["the image is smaller than the total downsampling factor 4"]
    assert at.session_state[HOME_RESULTS] is None
    assert not at.dataframe


@pytest.mark.parametrize("page", PAGES or [None], ids=[p.name for p in PAGES] or ["no-pages"])
def test_page_renders(page: Path | None) -> None:
    if page is None:
        pytest.skip("pages/ holds no .py files yet")
    at = _app(page)
    no_exception(at)


def test_navigation_lists_every_page_at_its_address() -> None:
    """app.py's st.navigation is the one list of pages: every file of pages/ is in it, at the address it always had."""
    import ast

    listed: dict[str, str | None] = {}
    for node in ast.walk(ast.parse((ROOT / "app.py").read_text())):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "Page":
            keywords = {k.arg: ast.literal_eval(k.value) for k in node.keywords}
            listed[ast.literal_eval(node.args[0])] = None if keywords.get("default") else keywords["url_path"]
    assert sorted(listed) == sorted(f"pages/{p.name}" for p in PAGES)
    assert [path for path, url in listed.items() if url is None] == ["pages/0_Home.py"]  # Home is at /
    for path, url in listed.items():
        if url is not None:
            assert url == Path(path).stem.split("_", 1)[1]  # /Degrade, /Restore, /Benchmark, /Learn
