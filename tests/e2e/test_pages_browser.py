"""End-to-end test of the Degrade -> Restore -> Benchmark flow in a real headless Chromium.

Uses the fixtures of ``conftest.py`` (a live ``streamlit run app.py`` and a browser that
records console errors and every request leaving the app server).
"""

from __future__ import annotations

import io
import os
import re
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

try:
    from playwright.sync_api import Page, expect
except ImportError:  # same rule as a missing Chromium (see conftest.py)
    if os.environ.get("RESTORATION_REQUIRE_BROWSER") == "1":
        raise
    pytest.skip("the playwright Python package is not installed", allow_module_level=True)

import driver

if TYPE_CHECKING:
    from conftest import BrowserPage

pytestmark = pytest.mark.browser
expect.set_options(timeout=30_000)  # a busy 2-core runner needs more than the default 5 s

RUN_TIMEOUT_MS = 120_000
MAX_SCREENSHOT_HEIGHT = 9000
METHODS = re.compile("Methods for denoise")


def _wait_idle(page: Page) -> None:
    driver.wait_idle(page, RUN_TIMEOUT_MS)


def _screenshot(page: Page, path: Path) -> None:
    driver.screenshot(page, path, max_height=MAX_SCREENSHOT_HEIGHT)


def _photo_png(height: int = 600, width: int = 800) -> bytes:
    """A synthetic colour photo larger than the default working size (so the app shrinks it)."""
    from PIL import Image

    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    image = np.stack([
        0.5 + 0.4 * np.sin(x / 23.0), 0.5 + 0.4 * np.cos(y / 17.0), (x + y) / (height + width),
    ], axis=-1)
    image[height // 3 : 2 * height // 3, width // 3 : 2 * width // 3] = (0.9, 0.8, 0.2)
    buffer = io.BytesIO()
    Image.fromarray((np.clip(image, 0.0, 1.0) * 255 + 0.5).astype(np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


def _assert_clean(browser_page: BrowserPage) -> None:
    assert browser_page.page_errors == []
    assert browser_page.console_errors == []
    assert browser_page.external_requests == []


def test_degrade_restore_benchmark_flow(browser_page: BrowserPage, screenshot_dir: Path) -> None:
    page = browser_page.page
    started = time.monotonic()
    page.goto(browser_page.base_url + "/", wait_until="domcontentloaded")
    expect(page.get_by_role("heading", name="Image Restoration Workbench")).to_be_visible(timeout=RUN_TIMEOUT_MS)
    _wait_idle(page)

    # ---------------------------------------------------------------- Degrade: upload, preset
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Degrade").click()
    expect(page.get_by_role("heading", name="Degrade", exact=True)).to_be_visible()
    _wait_idle(page)
    page.get_by_text("Upload a file", exact=True).click()
    _wait_idle(page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        files=[{"name": "test-photo.png", "mimeType": "image/png", "buffer": _photo_png()}]
    )
    expect(page.get_by_text("test-photo.png is 800×600 pixels; it was shrunk", exact=False)).to_be_visible()
    _wait_idle(page)
    driver.pick(page, "Preset", "Salt", "denoise · Salt-and-pepper 10%", timeout_ms=RUN_TIMEOUT_MS)
    expect(page.get_by_role("textbox", name="Pipeline text")).to_have_value("salt_pepper(amount=0.1, salt_ratio=0.5)")
    expect(page.get_by_text("task denoise", exact=False)).to_be_visible()
    page.wait_for_function(driver.IMAGES_LOADED, arg=2, timeout=RUN_TIMEOUT_MS)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
    _screenshot(page, screenshot_dir / "pages-degrade.png")

    # ---------------------------------------------------------------- Restore: two quick methods
    page.get_by_role("link", name="Next: restore it").click()
    expect(page.get_by_role("heading", name="Restore", exact=True)).to_be_visible()
    _wait_idle(page)
    expect(page.get_by_text("test-photo.png", exact=False).first).to_be_visible()  # the upload flowed here
    driver.choose(page, METHODS, [("Median", driver.method_label("median")),
                                  ("no restoration", driver.method_label("identity"))], timeout_ms=RUN_TIMEOUT_MS)
    run = page.get_by_role("button", name="Run 2 methods")
    expect(run).to_be_enabled()
    run.click()
    table = page.get_by_test_id("stDataFrame").first
    expect(table).to_be_visible(timeout=RUN_TIMEOUT_MS)
    _wait_idle(page)
    expect(table.locator('td[role="gridcell"]')).not_to_have_count(0)
    data = table.evaluate(driver.READ_TABLE)  # titles come first; the registry name is the `method` column
    methods_shown = [row[data["heads"].index("method")] for row in data["rows"]]
    assert methods_shown[0] == "degraded" and set(methods_shown) == {"degraded", "median", "identity"}, methods_shown
    expect(page.get_by_text("Ran 2 of 2 methods", exact=False)).to_be_visible()

    # the comparison slider: a self-hosted component in an iframe; keyboard and pointer both move it
    frame = page.frame_locator('[data-testid="stIFrame"]')
    slider = frame.locator("#cmp")
    expect(slider).to_have_attribute("data-position", "50")
    expect(frame.locator("img")).to_have_count(2)
    slider.focus()
    for _ in range(5):
        slider.press("ArrowLeft")
    expect(slider).to_have_attribute("data-position", "40")
    expect(slider).to_have_attribute("aria-valuenow", "40")
    assert "inset(0px 60%" in frame.locator("#top").evaluate("el => getComputedStyle(el).clipPath")
    slider.scroll_into_view_if_needed()
    box = slider.bounding_box()
    assert box is not None and box["width"] > 100
    page.mouse.move(box["x"] + 0.3 * box["width"], box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + 0.8 * box["width"], box["y"] + box["height"] / 2, steps=5)
    page.mouse.up()
    position = float(slider.get_attribute("data-position") or "nan")
    assert 75 <= position <= 85, position
    assert frame.locator("#bar").evaluate("el => el.style.left") == f"{position:g}%"
    page.wait_for_function(driver.IMAGES_LOADED, arg=4, timeout=RUN_TIMEOUT_MS)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    _screenshot(page, screenshot_dir / "pages-restore.png")

    # ---------------------------------------------------------------- Benchmark: the same methods, charts
    page.get_by_role("link", name="Next: benchmark these methods on many images").click()
    expect(page.get_by_role("heading", name="Benchmark", exact=True)).to_be_visible()
    _wait_idle(page)
    run = page.get_by_role("button", name="Run benchmark")
    expect(run).to_be_enabled()
    run.click()
    expect(page.get_by_text("Done:", exact=False)).to_be_visible(timeout=RUN_TIMEOUT_MS)
    _wait_idle(page)
    expect(page.get_by_role("tab", name="Tables")).to_be_visible()
    _screenshot(page, screenshot_dir / "pages-benchmark.png")
    page.get_by_role("tab", name="Charts").click()
    charts = page.get_by_test_id("stPlotlyChart")
    expect(charts).to_have_count(3)
    expect(page.locator(".js-plotly-plot").first).to_be_visible()
    expect(page.locator(".js-plotly-plot .main-svg").first).to_be_visible()  # plotly.js drew it, offline
    _screenshot(page, screenshot_dir / "pages-benchmark-charts.png")
    page.get_by_role("tab", name="Survey vs measured").click()
    expect(page.get_by_text("Why our numbers differ from the survey's", exact=False)).to_be_visible()
    _screenshot(page, screenshot_dir / "pages-benchmark-survey.png")
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)

    _assert_clean(browser_page)
    assert time.monotonic() - started < 150, "the browser flow should stay under 2.5 minutes"


@pytest.mark.parametrize("path", ["Degrade", "Restore", "Benchmark"])
def test_page_opens_directly_by_url(browser_page: BrowserPage, path: str) -> None:
    page = browser_page.page
    page.goto(f"{browser_page.base_url}/{path}", wait_until="domcontentloaded")
    expect(page.get_by_role("heading", name=path, exact=True)).to_be_visible(timeout=RUN_TIMEOUT_MS)
    _wait_idle(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
    browser_page.console_errors[:] = [e for e in browser_page.console_errors if not driver.BASE_PATH_PROBE.search(e)]
    _assert_clean(browser_page)


def test_learn_page_looks_inside_the_cnn(browser_page: BrowserPage, screenshot_dir: Path) -> None:
    page = browser_page.page
    page.goto(f"{browser_page.base_url}/Learn", wait_until="domcontentloaded")
    expect(page.get_by_role("heading", name="Learn how the algorithms work")).to_be_visible(timeout=RUN_TIMEOUT_MS)
    _wait_idle(page)
    page.get_by_text("Deep CNNs", exact=True).click()
    expect(page.get_by_text("Channel-attention weights", exact=False)).to_be_visible(timeout=RUN_TIMEOUT_MS)
    expect(page.get_by_text("The same design, enlarging x4", exact=False)).to_be_visible(timeout=RUN_TIMEOUT_MS)
    _wait_idle(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
    _screenshot(page, screenshot_dir / "pages-learn.png")
    browser_page.console_errors[:] = [e for e in browser_page.console_errors if not driver.BASE_PATH_PROBE.search(e)]
    _assert_clean(browser_page)


def test_own_photo_without_original_gets_no_reference_scores(browser_page: BrowserPage, screenshot_dir: Path) -> None:
    """A user's photo with no clean original: the Restore page ranks the results by scores that need none."""
    page = browser_page.page
    page.goto(f"{browser_page.base_url}/Degrade", wait_until="domcontentloaded")
    expect(page.get_by_role("heading", name="Degrade", exact=True)).to_be_visible(timeout=RUN_TIMEOUT_MS)
    _wait_idle(page)
    page.get_by_text("Upload a file", exact=True).click()
    _wait_idle(page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        files=[{"name": "my-photo.png", "mimeType": "image/png", "buffer": _photo_png(300, 400)}]
    )
    _wait_idle(page)
    page.get_by_text("Already degraded (no clean original)", exact=True).click()
    _wait_idle(page)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Restore").click()
    expect(page.get_by_role("heading", name="Restore", exact=True)).to_be_visible(timeout=RUN_TIMEOUT_MS)
    _wait_idle(page)
    run = page.get_by_role("button", name=re.compile(r"^Run \d+ methods?$"))
    run.click()
    expect(page.get_by_text("No-reference scores", exact=False)).to_be_visible(timeout=RUN_TIMEOUT_MS)
    expect(page.get_by_text("No clean original, so these scores judge the pictures", exact=False)).to_be_visible()
    _wait_idle(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
    _screenshot(page, screenshot_dir / "pages-restore-no-reference.png")
    browser_page.console_errors[:] = [e for e in browser_page.console_errors if not driver.BASE_PATH_PROBE.search(e)]
    _assert_clean(browser_page)
