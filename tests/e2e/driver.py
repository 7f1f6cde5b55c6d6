"""Driving the app in a real browser: the server, the selectors and the page helpers, in one place.

Used by the browser tests (``tests/e2e``: sync Playwright) and by ``scripts/load_test.py``
(async Playwright, many sessions at once). The page helpers therefore come in twins with the
same name and behaviour: ``wait_idle`` / ``wait_idle_async``, ``pick`` / ``pick_async``,
``choose`` / ``choose_async``, ``alerts`` / ``alerts_async``. Whatever they do is decided
by the shared pieces above them (selectors, JavaScript probes, retry limits), so a fix made
here reaches every caller.

The helpers are written for a busy machine, where a rerun can start late, redraw a widget
while it is being used, or be cut short by the next interaction:

* :func:`wait_idle` waits until Streamlit reports no script run for a settling period
  (one "notRunning" sample can come before the rerun a click asked for has started);
* :func:`pick` chooses a select-box option by typing a filter, clicking the option by its
  exact name and then checking the box shows it, retrying a bounded number of times;
* :func:`choose` makes a multiselect hold exactly the wanted options (clearing it first
  when it holds others) and checks the chips, retrying likewise. It never presses Enter:
  Streamlit's dropdown offers "Select all" / "Select N matches" first, and Enter or a
  click that lands after a redraw could pick that.

Needs Debian's ``/usr/bin/chromium`` and the ``playwright`` package (no browser downloads).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS: tuple[str, ...] = (
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
IDLE_SETTLE_MS = 400  # Streamlit must report "not running" this long before the page counts as idle
ACTION_DELAY_MS = 150  # a widget change starts its rerun a moment later
ATTEMPTS = 4  # tries of one pick / choose before giving up
OPTION_TIMEOUT_MS = 15_000  # wait for one dropdown option before trying again

# --------------------------------------------------------------------------- JavaScript probes
#: True once Streamlit is connected and no script run is in progress (attributes Streamlit sets for tests).
APP_IDLE = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return !!app && app.dataset.testConnectionState === "CONNECTED"
        && app.dataset.testScriptState === "notRunning";
}"""
#: True once :data:`APP_IDLE` has held for ``settleMs`` milliseconds in a row (polled; reset before each wait).
APP_SETTLED = """(settleMs) => {
    const app = document.querySelector('[data-testid="stApp"]');
    const idle = !!app && app.dataset.testConnectionState === "CONNECTED"
        && app.dataset.testScriptState === "notRunning";
    const now = performance.now();
    if (!idle) { window.__restorationIdleSince = undefined; return false; }
    if (window.__restorationIdleSince === undefined) { window.__restorationIdleSince = now; }
    return now - window.__restorationIdleSince >= settleMs;
}"""
_RESET_SETTLED = "() => { window.__restorationIdleSince = undefined; }"
#: Every st.image picture has finished loading with real pixels (argument: the least number of pictures).
IMAGES_LOADED = """(minimum) => {
    const imgs = Array.from(document.querySelectorAll('[data-testid="stImage"] img'));
    return imgs.length >= minimum && imgs.every((img) => img.complete && img.naturalWidth > 0);
}"""
#: Height of the page's content (Streamlit scrolls inside stMain, not the document).
CONTENT_HEIGHT = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    return Math.ceil(Math.max(main ? main.scrollHeight : 0, document.documentElement.scrollHeight));
}"""
#: The accessible table that Streamlit's data grid keeps next to its canvas: header names and cell texts.
READ_TABLE = """(el) => {
    const heads = Array.from(el.querySelectorAll('[role="columnheader"]')).map((th) => th.textContent.trim());
    const rows = Array.from(el.querySelectorAll('tr'))
        .map((tr) => Array.from(tr.querySelectorAll('td[role="gridcell"]')).map((td) => td.textContent.trim()))
        .filter((row) => row.length > 0);
    return {heads, rows};
}"""
#: Opening a page by its URL makes Streamlit's client probe "<page>/_stcore/..." first: two harmless 404s.
BASE_PATH_PROBE = re.compile(r"404 \(Not Found\) \(http://127\.0\.0\.1:\d+/\w+/_stcore/(health|host-config):")
#: Test ids of what counts as an error shown on a page.
ALERT_TEST_IDS = ("stException", "stAlertContentError")
#: The chips of a multiselect are known by their "Remove <option>" buttons; "Clear all" removes them all.
REMOVE_CHIP = re.compile(r"^Remove ")
CLEAR_ALL = re.compile("clear all", re.IGNORECASE)
_CHIP_LABELS = """(buttons) => buttons.map((b) => (b.getAttribute("aria-label") || "").replace(/^Remove /, ""))"""


def method_label(name: str) -> str:
    """The Restore page's label of a method in its multiselect (``ui.widgets.method_label``, without Streamlit)."""
    from restoration import get_algorithm

    spec = get_algorithm(name)
    return f"{spec.title} · {spec.family_title}"


def _clean(text: str) -> str:
    return " ".join(text.split())


# --------------------------------------------------------------------------- the server
def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def healthy(url: str) -> bool:
    """Whether the Streamlit server at ``url`` answers its health check."""
    # An explicit empty ProxyHandler: a proxy set in the environment must not see localhost.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200 and response.read().strip() == b"ok"
    except (urllib.error.URLError, OSError):
        return False


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Terminate a server's whole process group (SIGTERM, then SIGKILL)."""
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


def tail(path: Path, chars: int = 4000) -> str:
    """The end of a log file."""
    return path.read_text(errors="replace")[-chars:] if path.exists() else "(no log)"


class AppServer:
    """``streamlit run app.py`` on a free port of 127.0.0.1, as shipped (XSRF protection on); a context manager.

    Parameters
    ----------
    log_dir : Path
        Folder for the server's log (``streamlit-<port>.log``).
    startup_timeout : float
        Seconds to wait for the health check (a busy machine needs more than an idle one).

    Attributes
    ----------
    url : str
        Base URL, e.g. ``http://127.0.0.1:8501`` (set once started).
    proc : subprocess.Popen or None
        The server process (leader of its own process group).
    log_path : Path
        The log of the current (or last) attempt.
    """

    def __init__(self, log_dir: Path, *, startup_timeout: float = STARTUP_TIMEOUT) -> None:
        self.log_dir = Path(log_dir)
        self.startup_timeout = startup_timeout
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = ""
        self.log_path = self.log_dir / "streamlit.log"

    def start(self) -> AppServer:
        """Start the server and wait for its health check.

        Raises
        ------
        RuntimeError
            When it does not answer in time (with the log's tail); a port taken meanwhile is retried.
        """
        problems: list[str] = []
        for _ in range(PORT_ATTEMPTS):
            port = free_port()
            self.url = f"http://127.0.0.1:{port}"
            self.log_path = self.log_dir / f"streamlit-{port}.log"
            command = [
                sys.executable, "-m", "streamlit", "run", "app.py",
                "--server.port", str(port),
                "--server.address", "127.0.0.1",
                "--server.headless", "true",
                "--server.enableXsrfProtection", "true",
                "--browser.gatherUsageStats", "false",
                "--server.fileWatcherType", "none",  # no file watcher: less CPU on a 2-core runner
                "--server.runOnSave", "false",
            ]
            with self.log_path.open("wb") as log:
                self.proc = subprocess.Popen(
                    # MALLOC_ARENA_MAX as README's start command sets it (the sessions' threads share two malloc
                    # arenas: 16 sessions peaked about 190 MiB lower in the load test)
                    command, cwd=ROOT, env={"MALLOC_ARENA_MAX": "2", **os.environ, "PYTHONUNBUFFERED": "1"},
                    stdout=log,
                    stderr=subprocess.STDOUT, start_new_session=True,
                )
            deadline = time.monotonic() + self.startup_timeout
            while time.monotonic() < deadline and self.proc.poll() is None:
                if healthy(self.url):
                    return self
                time.sleep(0.25)
            stop(self.proc)
            problems.append(f"port {port}: exit code {self.proc.returncode}\n{tail(self.log_path)}")
            if "address already in use" not in tail(self.log_path).lower():
                break  # a crash or a hang: retrying on another port will not help
        raise RuntimeError(
            f"streamlit did not answer within {self.startup_timeout:.0f} s.\n" + "\n\n".join(problems)
        )

    def stop(self) -> None:
        """Stop the server (nothing happens when it is not running)."""
        if self.proc is not None:
            stop(self.proc)

    def __enter__(self) -> AppServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def chromium_available(path: Path = CHROMIUM) -> str | None:
    """Why the browser tests cannot run here (None when Chromium and playwright are both there)."""
    if not (path.is_file() and os.access(path, os.X_OK)):
        return f"{path} is missing"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed"
    return None


# --------------------------------------------------------------------------- sync helpers (the e2e tests)
def wait_idle(page: Any, timeout_ms: float = 120_000) -> None:
    """Wait until no script run is in progress, and none has been for :data:`IDLE_SETTLE_MS`."""
    page.wait_for_timeout(ACTION_DELAY_MS)
    page.evaluate(_RESET_SETTLED)
    page.wait_for_function(APP_SETTLED, arg=IDLE_SETTLE_MS, timeout=timeout_ms, polling=100)


def alerts(page: Any) -> list[str]:
    """Texts of Streamlit exception boxes and error alerts on the page."""
    return [f"{test_id}: {_clean(text)[:300]}" for test_id in ALERT_TEST_IDS
            for text in page.get_by_test_id(test_id).all_inner_texts()]


def _box(page: Any, name: str | re.Pattern[str]) -> Any:
    return page.get_by_role("combobox", name=name, exact=isinstance(name, str))


def pick(page: Any, name: str | re.Pattern[str], typed: str, option: str, *, timeout_ms: float = 120_000) -> None:
    """Choose ``option`` in the select box ``name``: type ``typed`` to filter, click the option, check the box.

    Does nothing when the box already shows ``option`` (no needless rerun).

    Raises
    ------
    AssertionError
        When the box does not show ``option`` after :data:`ATTEMPTS` tries.
    """
    from playwright.sync_api import Error, expect

    box = _box(page, name)
    for _ in range(ATTEMPTS):
        wait_idle(page, timeout_ms)
        if box.input_value() == option:
            return
        try:
            box.click()
            box.fill(typed)
            choice = page.get_by_role("option", name=option, exact=True)
            expect(choice).to_be_visible(timeout=OPTION_TIMEOUT_MS)
            choice.click()
        except (AssertionError, Error):
            pass
        page.keyboard.press("Escape")
    wait_idle(page, timeout_ms)
    expect(box).to_have_value(option, timeout=OPTION_TIMEOUT_MS)


def _multiselect(page: Any, name: str | re.Pattern[str]) -> Any:
    return page.get_by_test_id("stMultiSelect").filter(has=_box(page, name))


def chips(page: Any, name: str | re.Pattern[str]) -> list[str]:
    """Labels of the options a multiselect holds, in order."""
    buttons = _multiselect(page, name).get_by_role("button", name=REMOVE_CHIP)
    return [_clean(t) for t in buttons.evaluate_all(_CHIP_LABELS)]


def choose(
    page: Any, name: str | re.Pattern[str], options: Sequence[tuple[str, str]], *, timeout_ms: float = 120_000
) -> None:
    """Make the multiselect ``name`` hold exactly ``options`` (``(typed filter, option label)`` pairs).

    Raises
    ------
    AssertionError
        When the chips still differ after :data:`ATTEMPTS` tries (the message lists them).
    """
    from playwright.sync_api import Error, expect

    wanted = [label for _, label in options]
    box = _box(page, name)
    problem = ""
    for _ in range(ATTEMPTS):
        wait_idle(page, timeout_ms)
        held = chips(page, name)
        if sorted(held) == sorted(wanted):
            return
        try:
            if any(label not in wanted for label in held):
                _multiselect(page, name).get_by_role("button", name=CLEAR_ALL).last.click()
                wait_idle(page, timeout_ms)
                held = chips(page, name)
            for typed, label in options:
                if label in held:
                    continue
                box.click()
                box.fill(typed)
                choice = page.get_by_role("option", name=label, exact=True)
                expect(choice).to_be_visible(timeout=OPTION_TIMEOUT_MS)
                choice.click()
                page.keyboard.press("Escape")
                wait_idle(page, timeout_ms)
                held = chips(page, name)
        except (AssertionError, Error) as exc:
            problem = f" (last problem: {_clean(str(exc))[:300]})"
            page.keyboard.press("Escape")
    wait_idle(page, timeout_ms)
    held = chips(page, name)
    assert sorted(held) == sorted(wanted), f"the multiselect holds {held}, not {wanted}{problem}"


def screenshot(page: Any, path: Path, *, max_height: int = 9000) -> None:
    """Full-page screenshot (Streamlit scrolls inside stMain: grow the viewport for the shot, then restore it)."""
    original = page.viewport_size or VIEWPORT
    height = min(max(int(page.evaluate(CONTENT_HEIGHT)), original["height"]), max_height)
    page.set_viewport_size({"width": original["width"], "height": height})
    try:
        page.evaluate("() => document.fonts.ready.then(() => true)")
        # let the layout (and the data grid's canvas) settle at the new size: two animation frames
        page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
        page.wait_for_timeout(300)
        page.screenshot(path=str(path), full_page=True, animations="disabled")
    finally:
        page.set_viewport_size(original)


# --------------------------------------------------------------------------- async twins (the load test)
async def wait_idle_async(page: Any, timeout_ms: float = 120_000) -> None:
    """:func:`wait_idle` for an async Playwright page."""
    await page.wait_for_timeout(ACTION_DELAY_MS)
    await page.evaluate(_RESET_SETTLED)
    await page.wait_for_function(APP_SETTLED, arg=IDLE_SETTLE_MS, timeout=timeout_ms, polling=100)


async def alerts_async(page: Any) -> list[str]:
    """:func:`alerts` for an async Playwright page."""
    return [f"{test_id}: {_clean(text)[:300]}" for test_id in ALERT_TEST_IDS
            for text in await page.get_by_test_id(test_id).all_inner_texts()]


async def pick_async(
    page: Any, name: str | re.Pattern[str], typed: str, option: str, *, timeout_ms: float = 120_000
) -> None:
    """:func:`pick` for an async Playwright page."""
    from playwright.async_api import Error, expect

    box = _box(page, name)
    for _ in range(ATTEMPTS):
        await wait_idle_async(page, timeout_ms)
        if await box.input_value() == option:
            return
        try:
            await box.click()
            await box.fill(typed)
            choice = page.get_by_role("option", name=option, exact=True)
            await expect(choice).to_be_visible(timeout=OPTION_TIMEOUT_MS)
            await choice.click()
        except (AssertionError, Error):
            pass
        await page.keyboard.press("Escape")
    await wait_idle_async(page, timeout_ms)
    await expect(box).to_have_value(option, timeout=OPTION_TIMEOUT_MS)


async def chips_async(page: Any, name: str | re.Pattern[str]) -> list[str]:
    """:func:`chips` for an async Playwright page."""
    buttons = _multiselect(page, name).get_by_role("button", name=REMOVE_CHIP)
    return [_clean(t) for t in await buttons.evaluate_all(_CHIP_LABELS)]


async def choose_async(
    page: Any, name: str | re.Pattern[str], options: Sequence[tuple[str, str]], *, timeout_ms: float = 120_000
) -> None:
    """:func:`choose` for an async Playwright page."""
    from playwright.async_api import Error, expect

    wanted = [label for _, label in options]
    box = _box(page, name)
    problem = ""
    for _ in range(ATTEMPTS):
        await wait_idle_async(page, timeout_ms)
        held = await chips_async(page, name)
        if sorted(held) == sorted(wanted):
            return
        try:
            if any(label not in wanted for label in held):
                await _multiselect(page, name).get_by_role("button", name=CLEAR_ALL).last.click()
                await wait_idle_async(page, timeout_ms)
                held = await chips_async(page, name)
            for typed, label in options:
                if label in held:
                    continue
                await box.click()
                await box.fill(typed)
                choice = page.get_by_role("option", name=label, exact=True)
                await expect(choice).to_be_visible(timeout=OPTION_TIMEOUT_MS)
                await choice.click()
                await page.keyboard.press("Escape")
                await wait_idle_async(page, timeout_ms)
                held = await chips_async(page, name)
        except (AssertionError, Error) as exc:
            problem = f" (last problem: {_clean(str(exc))[:300]})"
            await page.keyboard.press("Escape")
    await wait_idle_async(page, timeout_ms)
    held = await chips_async(page, name)
    assert sorted(held) == sorted(wanted), f"the multiselect holds {held}, not {wanted}{problem}"
