"""Fixtures of the real-browser tests: a live ``streamlit run app.py`` and headless Chromium.

The browser is Debian's ``/usr/bin/chromium`` driven by the Python Playwright package
(``playwright install`` cannot download browsers here). Without it the tests skip,
unless ``RESTORATION_REQUIRE_BROWSER=1`` is set (as CI does): then they fail, so that
browser tests can never skip silently where they are supposed to run. The server, the
selectors and the page helpers live in ``driver.py``, shared with ``scripts/load_test.py``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import driver
import pytest

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, ConsoleMessage, Page, Request

ROOT = driver.ROOT
REQUIRE_ENV = "RESTORATION_REQUIRE_BROWSER"
SCREENSHOT_DIR = ROOT / "artifacts" / "screenshots"


def _unavailable(reason: str) -> None:
    """Skip, or fail when the environment demands the browser tests."""
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason}, and {REQUIRE_ENV}=1 forbids skipping the browser tests", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    """Path of Debian's Chromium; skips (or fails under RESTORATION_REQUIRE_BROWSER=1) without it."""
    problem = driver.chromium_available()
    if problem:
        _unavailable(problem)
    return driver.CHROMIUM


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    """``artifacts/screenshots/`` at the repository root (created; CI uploads it)."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR


@pytest.fixture(scope="session")
def app_server(chromium_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A live ``streamlit run app.py`` on 127.0.0.1 for the whole session; yields its base URL."""
    with driver.AppServer(tmp_path_factory.mktemp("streamlit")) as server:
        yield server.url


@pytest.fixture(scope="session")
def browser_context(chromium_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    """Headless Chromium with a fresh, temporary profile, shared by the session's tests."""
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(chromium_path),
            args=list(driver.CHROMIUM_ARGS),
            headless=True,
            viewport=driver.VIEWPORT,  # type: ignore[arg-type]
            service_workers="block",
        )
        try:
            yield context
        finally:
            context.close()


@dataclass
class BrowserPage:
    """A page plus everything it reported, collected from the moment it opened.

    Attributes
    ----------
    page : playwright.sync_api.Page
        The page.
    base_url : str
        Base URL of the app server (``http://127.0.0.1:<port>``).
    console_errors : list of str
        Console messages of type ``"error"``.
    page_errors : list of str
        Uncaught JavaScript exceptions.
    external_requests : list of str
        Requests to anything but the app server (the app must work offline).
    """

    page: Page
    base_url: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        """Record console errors with their source location."""
        if message.type == "error":
            location: dict[str, Any] = message.location or {}
            self.console_errors.append(f"{message.text} ({location.get('url', '?')}:{location.get('lineNumber', '?')})")

    def on_request(self, request: Request) -> None:
        """Record requests that leave the app server (data: and blob: URLs stay local)."""
        url = request.url
        if not (url.startswith(self.base_url) or url.startswith(("data:", "blob:", "about:"))):
            self.external_requests.append(url)


@pytest.fixture
def browser_page(browser_context: BrowserContext, app_server: str) -> Iterator[BrowserPage]:
    """A fresh page in the shared browser that records console errors and external requests."""
    page = browser_context.new_page()
    page.set_default_timeout(30_000)
    watched = BrowserPage(page=page, base_url=app_server)
    page.on("console", watched.on_console)
    page.on("pageerror", lambda error: watched.page_errors.append(str(error)))
    page.on("request", watched.on_request)
    try:
        yield watched
    finally:
        page.close()
