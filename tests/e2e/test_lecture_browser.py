"""A lecture in a real browser: a teacher walks through every section of the Learn page, in order.

Uses the fixtures of ``conftest.py`` (a live ``streamlit run app.py`` and headless Chromium that records console
errors and every request leaving the app server). Each section must render its maths and its look inside without
an error; the pictures must have loaded, sit at one width per row, and never be enlarged by the browser (which
would smooth them). A few of the new sections' widgets are used the way a lecture would, and the deblurring,
super-resolution and inpainting sections are saved to ``artifacts/screenshots/learn-*.png``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

try:
    from playwright.sync_api import Page, expect
except ImportError:  # same rule as a missing Chromium (see conftest.py)
    if os.environ.get("RESTORATION_REQUIRE_BROWSER") == "1":
        raise
    pytest.skip("the playwright Python package is not installed", allow_module_level=True)

import driver

from ui import learn

if TYPE_CHECKING:
    from conftest import BrowserPage

pytestmark = pytest.mark.browser
expect.set_options(timeout=30_000)  # a busy 2-core runner needs more than the default 5 s

RUN_TIMEOUT_MS = 120_000
MAX_SCREENSHOT_HEIGHT = 9000
#: Sections saved as screenshots (the ones this lecture adds to the page).
SHOTS = ("deblur", "sr", "inpaint")

#: For every picture: its row of columns (-1 outside columns), its box on screen, its column's box (or null) and
#: its width in pixels.
PICTURES = """() => {
    const rows = Array.from(document.querySelectorAll('[data-testid="stHorizontalBlock"]'));
    return Array.from(document.querySelectorAll('[data-testid="stImage"] img')).map((img) => {
        const row = img.closest('[data-testid="stHorizontalBlock"]');
        const column = img.closest('[data-testid="stColumn"]');
        const box = img.getBoundingClientRect();
        const col = column ? column.getBoundingClientRect() : null;
        return {row: row ? rows.indexOf(row) : -1, shown: box.width, left: box.left, right: box.right,
                colLeft: col ? col.left : null, colRight: col ? col.right : null, natural: img.naturalWidth};
    });
}"""


def _wait_idle(page: Page) -> None:
    driver.wait_idle(page, RUN_TIMEOUT_MS)


def _assert_clean(browser_page: BrowserPage) -> None:
    browser_page.console_errors[:] = [e for e in browser_page.console_errors if not driver.BASE_PATH_PROBE.search(e)]
    assert browser_page.page_errors == []
    assert browser_page.console_errors == []
    assert browser_page.external_requests == []


def _no_alerts(page: Page, where: str) -> None:
    assert driver.alerts(page) == [], f"{where}: {driver.alerts(page)}"


def _check_pictures(page: Page, key: str) -> int:
    """Every picture loaded, shown no wider than its pixels, inside its column, and one width per row.

    Returns how many pictures the section shows.
    """
    pictures: list[dict[str, Any]] = page.evaluate(PICTURES)
    rows: dict[int, list[float]] = {}
    for picture in pictures:
        assert picture["natural"] > 0, f"{key}: a picture did not load"
        assert picture["shown"] <= picture["natural"] + 1, f"{key}: the browser enlarges a picture: {picture}"
        if picture["colRight"] is not None:  # no picture spills over its column onto the next one
            inside = picture["colLeft"] - 1 <= picture["left"] and picture["right"] <= picture["colRight"] + 1
            assert inside, f"{key}: a picture overflows its column: {picture}"
        if picture["row"] >= 0:
            rows.setdefault(picture["row"], []).append(picture["shown"])
    for row, widths in rows.items():
        assert max(widths) - min(widths) <= 1, f"{key}: row {row} shows pictures at widths {widths}"
    return len(pictures)


def _open_section(page: Page, section: learn.Section) -> None:
    """Click the section in the page's first radio (the family/task chooser) and wait for its look inside."""
    chooser = page.get_by_test_id("stRadio").first
    chooser.get_by_text(section.title, exact=True).click()
    expect(page.get_by_role("heading", name=section.title, exact=True)).to_be_visible(timeout=RUN_TIMEOUT_MS)
    _wait_idle(page)
    expect(page.get_by_role("heading", name="A look inside")).to_be_visible()


def _lecture_steps(page: Page, key: str) -> None:
    """What a teacher changes in the new sections while explaining them."""
    if key == "deblur":
        driver.pick(page, "Blur kernel k", "Gauss", "Gaussian, sigma 1.6 px", timeout_ms=RUN_TIMEOUT_MS)
        page.get_by_text("the image repeats (periodic)", exact=True).click()
        _wait_idle(page)
        expect(page.get_by_text("now the periodic model is the true one", exact=False)).to_be_visible()
        page.get_by_text("the scene goes on (a photo)", exact=True).click()
        _wait_idle(page)
    elif key == "pnp":  # the unfolded network's card: opened, it shows where the weights come from
        page.get_by_text("cnn_combined: combined task", exact=False).first.click()
        expect(page.get_by_text("Checkpoint chosen on", exact=False).first).to_be_visible(timeout=RUN_TIMEOUT_MS)
        expect(page.get_by_text("# run 1 of", exact=False).first).to_be_visible()
    elif key == "inpaint":
        driver.pick(page, "Missing pixels", "text", "text", timeout_ms=RUN_TIMEOUT_MS)
        expect(page.get_by_text("on the holes", exact=False).first).to_be_visible()


def test_lecture_walks_every_learn_section(browser_page: BrowserPage, screenshot_dir: Path) -> None:
    page = browser_page.page
    started = time.monotonic()
    page.goto(f"{browser_page.base_url}/Learn", wait_until="domcontentloaded")
    expect(page.get_by_role("heading", name="Learn how the algorithms work")).to_be_visible(timeout=RUN_TIMEOUT_MS)
    _wait_idle(page)
    seen = []
    for section in learn.SECTIONS:
        _open_section(page, section)
        _lecture_steps(page, section.key)
        _no_alerts(page, section.key)
        assert page.locator(".katex").count() >= len(section.maths), f"{section.key}: maths missing"
        if section.key != "nonlocal":  # BM3D's look inside is a chart
            page.wait_for_function(driver.IMAGES_LOADED, arg=1, timeout=RUN_TIMEOUT_MS)
        pictures = _check_pictures(page, section.key)
        assert section.key == "nonlocal" or pictures >= 2, f"{section.key}: {pictures} pictures"
        if section.key in SHOTS:
            driver.screenshot(page, screenshot_dir / f"learn-{section.key}.png", max_height=MAX_SCREENSHOT_HEIGHT)
        seen.append(section.key)
    assert seen == [s.key for s in learn.SECTIONS]
    for key in SHOTS:
        assert (screenshot_dir / f"learn-{key}.png").stat().st_size > 10_000
    _assert_clean(browser_page)
    assert time.monotonic() - started < 420, "a walk through the Learn page should stay under 7 minutes"
