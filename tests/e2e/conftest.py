"""Fixtures of the real-browser tests: a live ``streamlit run app.py`` and headless Chromium.

The browser is Debian's ``/usr/bin/chromium`` driven by the Python Playwright package
(``playwright install`` cannot download browsers here). Without it the tests skip,
unless ``RESTORATION_REQUIRE_BROWSER=1`` is set (as CI does): then they fail, so that
browser tests can never skip silently where they are supposed to run.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, ConsoleMessage, Page, Request

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
REQUIRE_ENV = "RESTORATION_REQUIRE_BROWSER"
SCREENSHOT_DIR = ROOT / "artifacts" / "screenshots"
CHROMIUM_ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)
VIEWPORT = {"width": 1280, "height": 900}
STARTUP_TIMEOUT = 60.0  # seconds for the server to answer its health check
SHUTDOWN_TIMEOUT = 10.0
PORT_ATTEMPTS = 3  # a free port can be taken between probing and binding: retry on another


def _unavailable(reason: str) -> None:
    """Skip, or fail when the environment demands the browser tests."""
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason}, and {REQUIRE_ENV}=1 forbids skipping the browser tests", pytrace=False)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(url: str) -> bool:
    # An explicit empty ProxyHandler: a proxy set in the environment must not see localhost.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200 and response.read().strip() == b"ok"
    except (urllib.error.URLError, OSError):
        return False


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Terminate the server's whole process group (SIGTERM, then SIGKILL)."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=SHUTDOWN_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=SHUTDOWN_TIMEOUT)
    except ProcessLookupError:
        pass


def _tail(path: Path, chars: int = 4000) -> str:
    return path.read_text(errors="replace")[-chars:] if path.exists() else "(no log)"


def _start_server(log_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Start ``streamlit run app.py`` on a free port; return the process and its base URL."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    problems: list[str] = []
    for _ in range(PORT_ATTEMPTS):
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        log_path = log_dir / f"streamlit-{port}.log"
        command = [
            sys.executable, "-m", "streamlit", "run", "app.py",
            "--server.port", str(port),
            "--server.address", "127.0.0.1",
            "--server.headless", "true",
            "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none",  # no file watcher: less CPU on a 2-core runner
            "--server.runOnSave", "false",
        ]
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline and proc.poll() is None:
            if _healthy(url):
                return proc, url
            time.sleep(0.25)
        _stop(proc)
        problems.append(f"port {port}: exit code {proc.returncode}\n{_tail(log_path)}")
        if "address already in use" not in _tail(log_path).lower():
            break  # a crash or a hang: retrying on another port will not help
    raise RuntimeError(
        f"streamlit did not become healthy within {STARTUP_TIMEOUT:.0f} s.\n" + "\n\n".join(problems)
    )


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    """Path of Debian's Chromium; skips (or fails under RESTORATION_REQUIRE_BROWSER=1) without it."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        _unavailable(f"{CHROMIUM} is missing")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("the playwright Python package is not installed")
    return CHROMIUM


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    """``artifacts/screenshots/`` at the repository root (created; CI uploads it)."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR


@pytest.fixture(scope="session")
def app_server(chromium_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A live ``streamlit run app.py`` on 127.0.0.1 for the whole session; yields its base URL."""
    proc, url = _start_server(tmp_path_factory.mktemp("streamlit"))
    try:
        yield url
    finally:
        _stop(proc)


@pytest.fixture(scope="session")
def browser_context(chromium_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    """Headless Chromium with a fresh, temporary profile, shared by the session's tests."""
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(chromium_path),
            args=list(CHROMIUM_ARGS),
            headless=True,
            viewport=VIEWPORT,  # type: ignore[arg-type]
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
