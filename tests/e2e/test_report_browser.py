"""A stakeholder's take-away in a real headless Chromium: Restore -> the report download, opened and checked.

Runs two quick methods on the default observation, reads the winner's sentence and the metric table (titles
first, a dash for the input's time), downloads the CSV and the one-page HTML report, then opens the report from
disk in the same browser and checks that it holds the table, the chart and every image with nothing fetched
from the network. Screenshots of the page and of the report go to ``artifacts/screenshots/``.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

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
METHODS = re.compile("Methods for denoise")
#: Every picture of the opened report has decoded real pixels (argument: the least number of pictures).
REPORT_IMAGES_LOADED = """(minimum) => {
    const imgs = Array.from(document.images);
    return imgs.length >= minimum && imgs.every((img) => img.complete && img.naturalWidth > 0);
}"""


def _wait_idle(page: Page) -> None:
    driver.wait_idle(page, RUN_TIMEOUT_MS)


def test_restore_report_download_opens_offline(browser_page: BrowserPage, screenshot_dir: Path,
                                               tmp_path: Path) -> None:
    import pandas as pd

    from restoration import get_algorithm

    page = browser_page.page
    page.goto(f"{browser_page.base_url}/Restore", wait_until="domcontentloaded")
    expect(page.get_by_role("heading", name="Restore", exact=True)).to_be_visible(timeout=RUN_TIMEOUT_MS)
    _wait_idle(page)
    driver.choose(page, METHODS, [("Median", driver.method_label("median")),
                                  ("Wavelet", driver.method_label("wavelet"))], timeout_ms=RUN_TIMEOUT_MS)
    run = page.get_by_role("button", name="Run 2 methods")
    expect(run).to_be_enabled()
    run.click()
    expect(page.get_by_text("Ran 2 of 2 methods", exact=False)).to_be_visible(timeout=RUN_TIMEOUT_MS)
    _wait_idle(page)

    # ---------------------------------------------------------------- the page: the winner in words, titles first
    titles = {get_algorithm(m).title for m in ("median", "wavelet")}
    sentence = page.get_by_text("wins with", exact=False).first
    expect(sentence).to_be_visible()
    text = sentence.inner_text()
    assert "above the runner-up" in text and "the degraded input" in text and "It took" in text, text
    expect(page.get_by_text("Rule of thumb for a PSNR gap", exact=False)).to_be_visible()
    table = page.get_by_test_id("stDataFrame").first
    expect(table.locator('td[role="gridcell"]')).not_to_have_count(0)
    data = table.evaluate(driver.READ_TABLE)
    heads, rows = data["heads"], data["rows"]
    assert heads[0] == "title" and "method" in heads and "time (s)" in heads, heads
    assert {row[0] for row in rows} == titles | {"Degraded input"}, rows
    degraded_row = next(row for row in rows if row[0] == "Degraded input")
    assert degraded_row[heads.index("time (s)")] == "—", degraded_row  # a dash, never "None"
    assert {row[heads.index("method")] for row in rows} == {"degraded", "median", "wavelet"}
    expect(page.get_by_test_id("stException")).to_have_count(0)
    driver.screenshot(page, screenshot_dir / "restore-take-away.png", max_height=9000)

    # ---------------------------------------------------------------- the CSV
    with page.expect_download() as csv_info:
        page.get_by_role("button", name="Table (CSV)").click()
    csv_download = csv_info.value
    assert re.fullmatch(r".+__gaussian_noise__metrics\.csv", csv_download.suggested_filename), \
        csv_download.suggested_filename
    csv_path = tmp_path / csv_download.suggested_filename
    csv_download.save_as(csv_path)
    csv = pd.read_csv(io.BytesIO(csv_path.read_bytes()))
    assert {"image", "pipeline", "seed", "parameters"} <= set(csv.columns)
    assert list(csv["method"]) == ["degraded", "median", "wavelet"]

    # ---------------------------------------------------------------- the report, downloaded then opened
    with page.expect_download() as report_info:
        page.get_by_role("button", name="Report (HTML)").click()
    download = report_info.value
    assert re.fullmatch(r".+__gaussian_noise__report\.html", download.suggested_filename), download.suggested_filename
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert path.stat().st_size > 10_000

    viewer = page.context.new_page()
    outside: list[str] = []
    viewer.on("request", lambda request: None if request.url.startswith(("data:", "file:", "about:"))
              else outside.append(request.url))
    viewer_errors: list[str] = []
    viewer.on("pageerror", lambda error: viewer_errors.append(str(error)))
    try:
        viewer.goto(path.as_uri(), wait_until="load")
        expect(viewer.get_by_role("heading", name=re.compile("^Restoration report"))).to_be_visible()
        metric_table = viewer.locator("#metric-table")
        expect(metric_table).to_be_visible()
        expect(metric_table.locator("tbody tr")).to_have_count(3)
        shown_titles = set(metric_table.locator("tbody tr td:first-child").all_text_contents())
        assert shown_titles == titles | {"Degraded input"}, shown_titles
        expect(viewer.locator("#verdict")).to_contain_text("wins with")
        expect(viewer.locator("#chart svg")).to_be_visible()
        expect(viewer.locator("#images figure")).to_have_count(4)  # clean, degraded and the two results
        expect(viewer.locator("#error-maps figure")).to_have_count(3)
        expect(viewer.locator("#error-maps svg")).to_be_visible()  # the colour scale
        expect(viewer.locator("#survey")).to_contain_text("Table 5")
        expect(viewer.locator("#provenance")).to_contain_text("commit")
        viewer.wait_for_function(REPORT_IMAGES_LOADED, arg=7, timeout=RUN_TIMEOUT_MS)
        sources = viewer.locator("img").evaluate_all("imgs => imgs.map((img) => img.src.slice(0, 22))")
        assert set(sources) == {"data:image/png;base64,"}, sources
        viewer.screenshot(path=str(screenshot_dir / "restore-report.png"), full_page=True, animations="disabled")
    finally:
        viewer.close()
    assert outside == [], outside
    assert viewer_errors == [], viewer_errors

    assert browser_page.page_errors == []
    assert browser_page.console_errors == [e for e in browser_page.console_errors
                                           if driver.BASE_PATH_PROBE.search(e)]  # only the harmless URL probes
    assert browser_page.external_requests == []
