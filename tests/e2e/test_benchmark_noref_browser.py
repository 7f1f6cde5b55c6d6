"""The Benchmark page without ground truth, in a real headless Chromium.

A user with noisy photos and no clean originals switches the page to "already degraded", uploads two photos,
runs two quick denoisers and reads the no-reference table (NIQE, sharpness, noise level, ranked by NIQE) with its
caveat; the PSNR charts and the survey view are not offered. The screenshot goes to
``artifacts/screenshots/benchmark-no-reference.png``. Uses the fixtures of ``conftest.py``.
"""

from __future__ import annotations

import io
import os
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


def _wait_idle(page: Page) -> None:
    driver.wait_idle(page, RUN_TIMEOUT_MS)


def _noisy_photo_png(height: int, width: int, seed: int) -> bytes:
    """A colour scene with Gaussian noise (sigma 20 of 255): a photo that came degraded, larger than 192x192."""
    from PIL import Image

    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    clean = np.stack([0.5 + 0.3 * np.sin(x / 11.0 + seed), 0.5 + 0.3 * np.cos(y / 13.0), (x + y) / (height + width)],
                     axis=-1)
    clean[height // 3 : 2 * height // 3, width // 3 : 2 * width // 3] = (0.9, 0.8, 0.2)
    noisy = clean + np.random.default_rng(seed).normal(0.0, 20.0 / 255.0, clean.shape)
    buffer = io.BytesIO()
    Image.fromarray((np.clip(noisy, 0.0, 1.0) * 255 + 0.5).astype(np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_benchmark_of_photos_without_ground_truth(browser_page: BrowserPage, screenshot_dir: Path) -> None:
    page = browser_page.page
    page.goto(f"{browser_page.base_url}/Benchmark", wait_until="domcontentloaded")
    expect(page.get_by_role("heading", name="Benchmark", exact=True)).to_be_visible(timeout=RUN_TIMEOUT_MS)
    _wait_idle(page)

    page.get_by_text("My images are already degraded (no ground truth)", exact=True).click()
    _wait_idle(page)
    expect(page.get_by_role("combobox", name="Presets")).to_have_count(0)  # no pipeline to choose
    page.get_by_text("Upload photos", exact=True).click()
    _wait_idle(page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(files=[
        {"name": "night.png", "mimeType": "image/png", "buffer": _noisy_photo_png(220, 240, 1)},
        {"name": "street.png", "mimeType": "image/png", "buffer": _noisy_photo_png(240, 220, 2)},
    ])
    expect(page.get_by_text("2 images: all (2)", exact=False)).to_be_visible(timeout=RUN_TIMEOUT_MS)
    _wait_idle(page)
    driver.choose(page, "Methods", [("Median", driver.method_label("median")),
                                    ("Total", driver.method_label("tv"))], timeout_ms=RUN_TIMEOUT_MS)
    run = page.get_by_role("button", name="Run benchmark")
    expect(run).to_be_enabled()
    run.click()
    expect(page.get_by_text("Done:", exact=False)).to_be_visible(timeout=RUN_TIMEOUT_MS)
    _wait_idle(page)

    expect(page.get_by_role("tab", name="No-reference scores")).to_be_visible()
    expect(page.get_by_role("tab", name="Charts")).to_have_count(0)  # PSNR charts need a clean original
    expect(page.get_by_role("tab", name="Survey vs measured")).to_have_count(0)
    table = page.get_by_test_id("stDataFrame").first
    expect(table.locator('td[role="gridcell"]')).not_to_have_count(0)
    data = table.evaluate(driver.READ_TABLE)
    heads, rows = data["heads"], data["rows"]
    assert {"rank", "title", "NIQE", "sharpness", "noise sigma", "method"} <= set(heads), heads
    methods = [row[heads.index("method")] for row in rows]
    assert methods[0] == "degraded" and set(methods) == {"degraded", "median", "tv"}, methods
    ranks = {row[heads.index("method")]: row[heads.index("rank")] for row in rows}
    assert ranks["degraded"] == "—" and sorted([ranks["median"], ranks["tv"]]) == ["1", "2"], ranks
    expect(page.get_by_text("No clean original, so these scores judge the pictures", exact=False)).to_be_visible()
    expect(page.get_by_text("need the clean original", exact=False)).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
    driver.screenshot(page, screenshot_dir / "benchmark-no-reference.png", max_height=9000)

    browser_page.console_errors[:] = [e for e in browser_page.console_errors if not driver.BASE_PATH_PROBE.search(e)]
    assert browser_page.page_errors == []
    assert browser_page.console_errors == []
    assert browser_page.external_requests == []
