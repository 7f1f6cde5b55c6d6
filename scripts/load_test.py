"""Load test: many concurrent browser sessions through Degrade -> Restore against one ``streamlit run app.py``.

Starts the app (XSRF protection on, as shipped) on a free port, opens ``--sessions``
separate browser contexts (separate cookies, so separate Streamlit sessions) in one
headless Chromium, and drives them all at once. With ``--client ws`` there is no browser:
each session is a light websocket client speaking Streamlit's own protocol (the BackMsg /
ForwardMsg protobufs the frontend exchanges; ``scripts/load_ws.py``), all of them in one
asyncio loop, so that the figures measure the server rather than the browsers (in a class,
each student's browser runs on their own laptop). Each session, ``--runs`` times:

1. on the Degrade page, picks its own image (gallery image number *i* for session *i*;
   sessions beyond the gallery, or all of them with ``--source upload``, upload a distinct
   generated image), chooses the Gaussian-noise preset and sets the seed to the run number;
2. follows "Next: restore it", runs two fast methods (``median`` and ``wavelet``) and waits
   for the metric table.

Session isolation is checked on every run: the Restore page must name the session's own
image (and no other session's), and every PSNR of its metric table must equal the value
computed here, before the load starts, for *that* image, preset and seed (the degraded
input's PSNR is about the same for every image; the restored ones are not). The expected
tables of different sessions are checked to differ from one another (beyond the 0.01 dB
rounding) first, so a leak (another session's image, observation or cached result)
cannot go unnoticed; a mismatch reports which other session's values it matches, if any.

Any Streamlit exception box, error alert, uncaught JavaScript error or console error
counts as an error (with ``--client ws``: any exception or error-alert element, a closed
websocket, a timeout, a media URL that does not answer 200). The report (client, sessions,
completed runs, errors, latency p50/p95/max of a run, wall time, the server's peak RSS) is
printed and written as markdown to ``--out``; the exit code is 0 only without errors and
with every isolation check passed.

Usage::

    python -m scripts.load_test                                   # 8 sessions x 2 runs
    python -m scripts.load_test --sessions 2 --runs 1 --out /tmp/load.md
    python -m scripts.load_test --sessions 20 --timeout 300       # 18 gallery images, then uploads
    python -m scripts.load_test --sessions 16 && python -m scripts.load_test --sessions 32 --append  # a class
    python -m scripts.load_test --client ws --sessions 32         # the server alone, no browsers

Run it from the repository root (``python -m``): it imports the app's ``ui`` package and the browser
tests' ``tests/e2e/driver.py`` from there; ``restoration`` is the installed package (``pip install -e .``).

The browser client needs Debian's ``/usr/bin/chromium`` (``--chromium``) and the ``playwright`` package;
the ws client needs only what Streamlit installs (``websockets``, ``pyarrow``).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import io
import json
import math
import os
import platform
import re
import shlex
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from restoration import PRESETS, degrade, get_algorithm, psnr, run_algorithm
from restoration.provenance import report_stamp

try:  # the app's ui package and the browser tests' driver, found from the repository root (python -m scripts...)
    from tests.e2e import driver  # the server, selectors and page helpers of the browser tests
    from ui import demo  # free of streamlit
except ModuleNotFoundError as exc:  # pragma: no cover - a usage error
    raise SystemExit(f"{exc}: run this from the repository root as `python -m scripts.load_test`") from None

if __name__ == "__main__":  # `python -m scripts.load_test`: scripts.load_ws imports this very module, not a copy
    sys.modules.setdefault("scripts.load_test", sys.modules[__name__])

ROOT = Path(__file__).resolve().parents[1]

DEFAULT_OUT = ROOT / "docs" / "benchmarks" / "load_test.md"
ARTIFACTS = ROOT / "artifacts" / "load_test"
PRESET = "noise25"  # the Gaussian-noise preset (also the app's default)
METHODS = ("median", "wavelet")
WORK_PIXELS = 512 * 512  # the Degrade page's default working size (ui.widgets.DEFAULT_WORK_PIXELS)
STARTUP_TIMEOUT = 180.0  # seconds for the server to answer its health check on a busy machine
SAMPLE_EVERY = 0.2  # seconds between two memory samples
PSNR_TOLERANCE = 0.011  # the table shows 2 decimals
MIB = 1024 * 1024
#: The kinds of client (``--client``), as the report names them.
CLIENTS = {
    "browser": "browser (headless Chromium, one context per session)",
    "ws": "ws (Streamlit's websocket protocol, no browser; scripts/load_ws.py)",
}
#: Expected PSNRs (method -> dB) by (session, run).
Expected = dict[tuple[int, int], dict[str, float]]


# --------------------------------------------------------------------------- what each session does
@dataclass(frozen=True)
class Job:
    """The image of one session: a gallery sample, or a generated upload.

    Attributes
    ----------
    session : int
        Session number (0-based).
    name : str
        What the app calls the image: the gallery title, or the uploaded file name.
    key : str
        Gallery key (empty for an upload).
    category : str
        Gallery category (empty for an upload).
    """

    session: int
    name: str
    key: str = ""
    category: str = ""

    @property
    def upload(self) -> bool:
        """Whether the session uploads a generated image instead of picking a gallery one."""
        return not self.key

    def png(self) -> bytes:
        """The generated upload, unique to the session: a gallery photo turned, mirrored and cropped its own way.

        Natural content keeps the sessions' PSNRs apart (synthetic patterns of one kind gave two sessions the same
        table to 0.01 dB, which the isolation check cannot tell apart); the transform makes each image new.
        """
        from PIL import Image

        photos = [s for s in demo.list_samples() if s.key != demo.SYNTHETIC_KEY]
        rng = np.random.default_rng(1000 + self.session)
        base = demo.load_sample(photos[self.session % len(photos)].key, 3 * WORK_PIXELS)
        base = np.rot90(base, 1 + self.session // len(photos) % 3)  # never the gallery's own orientation
        if rng.integers(2):
            base = base[:, ::-1]
        h, w = base.shape[:2]
        ch, cw = int(h * rng.uniform(0.6, 0.8)), int(w * rng.uniform(0.6, 0.8))
        top, left = int(rng.integers(0, h - ch + 1)), int(rng.integers(0, w - cw + 1))
        image = base[top : top + ch, left : left + cw]
        if image.ndim == 3:
            image = image[..., rng.permutation(3)]
        buffer = io.BytesIO()
        Image.fromarray((np.clip(image, 0.0, 1.0) * 255 + 0.5).astype(np.uint8)).save(buffer, format="PNG")
        return buffer.getvalue()

    def clean(self) -> np.ndarray:
        """The working image the app derives from this job (what its PSNRs are measured against)."""
        if self.upload:
            from restoration.images import DEFAULT_MAX_PIXELS, downscale_to_max_pixels, load_image

            image = load_image(self.png(), max_pixels=DEFAULT_MAX_PIXELS)  # as ui.uploads.decode_upload
            return downscale_to_max_pixels(image, WORK_PIXELS)
        return demo.load_sample(self.key, WORK_PIXELS)


def run_coroutine(coroutine: Any) -> Any:
    """``asyncio.run(coroutine)``, in a thread of its own when this thread already runs an event loop.

    Playwright's sync API (the browser tests' session fixture) keeps a loop running in the main thread for as
    long as its browser is open, and ``asyncio.run`` refuses to start a second one there.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = asyncio.run(coroutine)
        except BaseException as exc:  # handed back to the caller's thread
            outcome["error"] = exc

    worker = threading.Thread(target=target, name="load-test-loop")
    worker.start()
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def plan_jobs(sessions: int, source: str = "gallery", first: int = 0) -> list[Job]:
    """One distinct image per session: gallery samples in order, then generated uploads.

    Parameters
    ----------
    sessions : int
        Number of sessions.
    source : {"gallery", "upload"}
        ``"upload"`` makes every session upload a generated image.
    first : int
        Index of the first gallery image used (session 0's).

    Returns
    -------
    list of Job
    """
    samples = demo.list_samples()[first:] if source == "gallery" else []
    jobs = []
    for i in range(sessions):
        if i < len(samples):
            jobs.append(Job(i, samples[i].title, samples[i].key, samples[i].category))
        else:
            jobs.append(Job(i, f"load-session-{i:02d}.png"))
    return jobs


def run_seed(run: int) -> int:
    """Degradation seed of run ``run`` (0-based): a new seed per run, so no run is a pure cache hit."""
    return run + 1


def expected_psnr(job: Job, seed: int, methods: Sequence[str] = METHODS) -> dict[str, float]:
    """PSNRs the Restore page must show for this job: the degraded input and each method, default parameters.

    Computed with the library exactly as the pages do (working size, preset, seed,
    ``defaults_for`` the observation), independently of the server.
    """
    observation = degrade(job.clean(), PRESETS[PRESET].spec, seed=seed)
    assert observation.clean is not None and observation.scale == 1
    values = {"degraded": psnr(observation.clean, np.clip(observation.degraded, 0.0, 1.0).astype(np.float32))}
    for name in methods:
        params = get_algorithm(name).defaults_for(observation)
        values[name] = psnr(observation.clean, run_algorithm(name, observation, params, seed=seed))
    return {k: round(float(v), 2) for k, v in values.items()}


def _matches(shown: dict[str, float], expected: dict[str, float]) -> bool:
    return shown.keys() == expected.keys() and all(
        math.isfinite(shown[k]) and abs(shown[k] - expected[k]) <= PSNR_TOLERANCE for k in expected
    )


# --------------------------------------------------------------------------- the server and its memory
def _proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (bytes) of a process from /proc; empty once it is gone."""
    out = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return out


def _descendants(pid: int) -> Iterator[int]:
    """``pid`` and every process below it (from /proc/<pid>/task/*/children)."""
    stack, seen = [pid], set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        yield current
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                stack.extend(int(c) for c in (task / "children").read_text().split())
            except (OSError, ValueError):
                pass


class MemorySampler(threading.Thread):
    """Samples the summed RSS of a process and its children every :data:`SAMPLE_EVERY` seconds.

    Uses psutil when it is installed, else ``/proc/<pid>/status``.
    """

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.first = 0
        self.last = 0
        self.hwm = 0  # the kernel's own peak RSS of the server process (VmHWM)
        self.samples = 0
        self._stop_event = threading.Event()
        try:
            import psutil

            self._psutil: Any = psutil
        except ImportError:
            self._psutil = None

    def sample(self) -> int:
        """Current RSS of the tree in bytes (0 once the server is gone)."""
        if self._psutil is not None:
            try:
                root = self._psutil.Process(self.pid)
                procs = [root, *root.children(recursive=True)]
            except self._psutil.Error:
                return 0
            total = 0
            for proc in procs:
                try:
                    total += proc.memory_info().rss
                except self._psutil.Error:
                    pass
            self.hwm = max(self.hwm, _proc_status(self.pid).get("VmHWM", 0))
            return total
        total = 0
        for pid in _descendants(self.pid):
            status = _proc_status(pid)
            total += status.get("VmRSS", 0)
            if pid == self.pid:
                self.hwm = max(self.hwm, status.get("VmHWM", 0))
        return total

    def run(self) -> None:
        while not self._stop_event.is_set():
            rss = self.sample()
            if rss:
                self.first = self.first or rss
                self.last = rss
                self.peak = max(self.peak, rss)
                self.samples += 1
            self._stop_event.wait(SAMPLE_EVERY)

    def stop(self) -> None:
        """Take a last sample and stop."""
        self._stop_event.set()
        self.join(timeout=5)


# --------------------------------------------------------------------------- one browser session
@dataclass
class RunResult:
    """One degrade -> restore run of one session."""

    session: int
    run: int
    image: str
    ok: bool = False
    seconds: float = math.nan  # from the start of the Degrade step to the checked metric table
    restore_seconds: float = math.nan  # from pressing Run to the metric table
    shown: dict[str, float] = field(default_factory=dict)  # method -> PSNR in the page's metric table
    header: str = ""  # the Restore page's line naming the image, pipeline and seed
    mentions: list[str] = field(default_factory=list)  # other sessions' image names found on the page
    errors: list[str] = field(default_factory=list)
    isolation: list[str] = field(default_factory=list)


def isolation_problems(result: RunResult, seed: int, expected: Expected) -> list[str]:
    """Everything on a run's Restore page that is not its own session's (empty: isolated).

    The page must name the session's image and seed, mention no other session's image, and
    show exactly the PSNRs expected for its own (image, seed); PSNRs that match another
    (session, run) are reported as theirs.

    Parameters
    ----------
    result : RunResult
        The run, with what its page showed (``header``, ``mentions``, ``shown``).
    seed : int
        The seed the run set.
    expected : dict
        Expected PSNRs of every (session, run) of the load test.

    Returns
    -------
    list of str
    """
    problems = []
    if not result.header.startswith(f"{result.image} — pipeline"):
        problems.append(f"header names another image: {result.header[:200]!r}")
    if f"seed {seed};" not in result.header:
        problems.append(f"header shows another seed (expected {seed}): {result.header[:200]!r}")
    problems += [f"the page mentions another session's image {other!r}" for other in result.mentions]
    own = expected[(result.session, result.run)]
    if not _matches(result.shown, own):
        whose = [f"session {s} run {r}" for (s, r), values in expected.items()
                 if (s, r) != (result.session, result.run) and _matches(result.shown, values)]
        theirs = f": they are those of {', '.join(whose)}" if whose else ""
        problems.append(f"PSNRs {result.shown} are not this image's {own}{theirs}")
    return problems


class Session:
    """A browser context driving the app; collects JavaScript and console errors as they come."""

    def __init__(self, job: Job, base_url: str, timeout_s: float, others: Sequence[str]) -> None:
        self.job = job
        self.base_url = base_url
        self.timeout_ms = timeout_s * 1000
        self.others = [o for o in others if o != job.name and o not in job.name]
        self.js_errors: list[str] = []

    def on_console(self, message: Any) -> None:
        if message.type == "error" and not driver.BASE_PATH_PROBE.search(
            f"{message.text} ({message.location.get('url')}:"
        ):
            self.js_errors.append(f"console: {message.text[:300]}")

    async def wait_idle(self, page: Any) -> None:
        await driver.wait_idle_async(page, self.timeout_ms)

    async def pick(self, page: Any, combobox: Any, typed: str, option: str) -> None:
        """Choose a select-box option (see ``driver.pick``: filtered, clicked, checked, retried)."""
        await driver.pick_async(page, combobox, typed, option, timeout_ms=self.timeout_ms)

    async def alerts(self, page: Any) -> list[str]:
        """Texts of Streamlit exception boxes and error alerts on the page."""
        return await driver.alerts_async(page)

    async def degrade_step(self, page: Any, fresh: bool, seed: int, degraded_psnr: float | None = None) -> None:
        from playwright.async_api import expect

        if fresh:
            await page.goto(f"{self.base_url}/Degrade", wait_until="domcontentloaded")
        else:
            await page.get_by_role("link", name="Change the image or the degradation").click()
        await expect(page.get_by_role("heading", name="Degrade", exact=True)).to_be_visible(timeout=self.timeout_ms)
        await self.wait_idle(page)
        job = self.job
        if job.upload:
            if fresh:
                await page.get_by_text("Upload a file", exact=True).click()
                await self.wait_idle(page)
                await page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
                    files=[{"name": job.name, "mimeType": "image/png", "buffer": job.png()}]
                )
                await self.wait_idle(page)
        else:
            await self.pick(page, "Category", job.category, job.category)
            await self.pick(page, "Image", job.name, job.name)
        caption = page.get_by_test_id("stCaptionContainer").filter(has_text="working image").first
        await expect(caption).to_contain_text(f"{job.name} — working image", timeout=self.timeout_ms)
        preset = PRESETS[PRESET]
        await self.pick(page, "Preset", preset.label, f"{preset.task} · {preset.label}")
        await expect(page.get_by_role("textbox", name="Pipeline text")).to_have_value(
            re.compile(r"^gaussian_noise\(sigma=25\b"), timeout=self.timeout_ms
        )
        seed_box = page.get_by_role("spinbutton", name="Seed", exact=True)
        if await seed_box.input_value() != str(seed):
            await seed_box.fill(str(seed))
            await seed_box.press("Enter")
            await self.wait_idle(page)
        await expect(seed_box).to_have_value(str(seed))
        # wait until the page has re-run with this seed (a busy server re-runs late)
        await expect(page.get_by_text(f"(seed {seed})", exact=False).first).to_be_visible(timeout=self.timeout_ms)
        if degraded_psnr is not None:
            metric = page.get_by_test_id("stMetricValue").first
            await expect(metric).to_have_text(f"{degraded_psnr:.2f} dB", timeout=self.timeout_ms)
        await page.wait_for_function(driver.IMAGES_LOADED, arg=2, timeout=self.timeout_ms)

    async def restore_step(self, page: Any, result: RunResult, seed: int) -> None:
        from playwright.async_api import expect

        await page.get_by_role("link", name="Next: restore it").click()
        await expect(page.get_by_role("heading", name="Restore", exact=True)).to_be_visible(timeout=self.timeout_ms)
        await self.wait_idle(page)
        # exactly these methods, whatever the page chose by default (checked chip by chip, retried)
        wanted = [(get_algorithm(m).title.split()[0], driver.method_label(m)) for m in METHODS]
        await driver.choose_async(page, re.compile("Methods for denoise"), wanted, timeout_ms=self.timeout_ms)
        run = page.get_by_role("button", name=f"Run {len(METHODS)} methods")
        await expect(run).to_be_enabled(timeout=self.timeout_ms)
        started = time.perf_counter()
        await run.click()
        await expect(page.get_by_text(f"Ran {len(METHODS)} of {len(METHODS)} methods", exact=False)).to_be_visible(
            timeout=self.timeout_ms
        )
        table = page.get_by_test_id("stDataFrame").first
        await expect(table).to_be_visible(timeout=self.timeout_ms)
        await expect(table.locator('td[role="gridcell"]')).not_to_have_count(0, timeout=self.timeout_ms)
        result.restore_seconds = time.perf_counter() - started
        await self.wait_idle(page)

        # ---- what the page says about whose image this is (checked by isolation_problems)
        header = page.get_by_test_id("stMarkdownContainer").filter(has_text="; task ").first
        result.header = " ".join((await header.inner_text()).split())
        body = await page.get_by_test_id("stMain").inner_text()
        result.mentions = [other for other in self.others if other in body]
        # ---- the metric table
        data = await table.evaluate(driver.READ_TABLE)
        heads = data["heads"]
        method_col = heads.index("method") if "method" in heads else 0
        psnr_col = heads.index("PSNR (dB)") if "PSNR (dB)" in heads else 1
        shown = {}
        for row in data["rows"]:
            try:
                shown[row[method_col]] = float(row[psnr_col])
            except (IndexError, ValueError):
                result.errors.append(f"unreadable table row {row!r} (columns {heads!r})")
        result.shown = shown

    async def drive(self, browser: Any, runs: int, expected: Expected) -> list[RunResult]:
        """All runs of this session in a fresh browser context."""
        context = await browser.new_context(viewport=driver.VIEWPORT, service_workers="block")
        page = await context.new_page()
        page.set_default_timeout(self.timeout_ms)
        page.on("console", self.on_console)
        page.on("pageerror", lambda error: self.js_errors.append(f"pageerror: {str(error)[:300]}"))
        results = []
        fresh = True
        try:
            for run in range(runs):
                result = RunResult(self.job.session, run, self.job.name)
                results.append(result)
                seed = run_seed(run)
                started = time.perf_counter()
                try:
                    degraded_psnr = expected.get((self.job.session, run), {}).get("degraded")
                    await self.degrade_step(page, fresh, seed, degraded_psnr)
                    result.errors += await self.alerts(page)
                    await self.restore_step(page, result, seed)
                    result.errors += await self.alerts(page)
                    result.seconds = time.perf_counter() - started
                    fresh = False
                except Exception as exc:
                    result.errors.append(f"{type(exc).__name__}: {' '.join(str(exc).split())[:400]}")
                    result.errors += await self.alerts(page)
                    ARTIFACTS.mkdir(parents=True, exist_ok=True)
                    try:
                        await page.screenshot(path=str(ARTIFACTS / f"session{self.job.session:02d}-run{run}.png"))
                    except Exception as shot_error:  # a screenshot is a courtesy; never mask the real error
                        result.errors.append(f"(no screenshot: {type(shot_error).__name__})")
                    fresh = True  # start again from a new page (a new Streamlit session)
                result.errors += self.js_errors
                self.js_errors.clear()
                if result.shown:
                    result.isolation = isolation_problems(result, seed, expected)
                elif not result.errors:
                    result.errors.append("no metric table was read")
                result.ok = not result.errors and not result.isolation
        finally:
            await context.close()
        return results


# --------------------------------------------------------------------------- the whole test
@dataclass
class Report:
    """Figures of one load test (everything :func:`to_markdown` writes)."""

    command: str
    sessions: int
    runs: int
    timeout_s: float
    date: str
    cores: int | None
    load_start: tuple[float, float, float]
    load_end: tuple[float, float, float] = (math.nan, math.nan, math.nan)
    wall_s: float = math.nan
    rss_start: int = 0
    rss_peak: int = 0
    rss_end: int = 0
    rss_hwm: int = 0
    memory_source: str = ""
    results: list[RunResult] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # errors outside any run (start-up, browser)
    discriminating: bool = True
    client: str = "browser"  # a key of CLIENTS
    traffic: dict[str, int] = field(default_factory=dict)  # what the ws client exchanged (empty for browsers)

    @property
    def completed(self) -> int:
        return sum(r.ok for r in self.results)

    @property
    def all_errors(self) -> list[str]:
        return self.errors + [f"session {r.session} run {r.run}: {e}" for r in self.results for e in r.errors]

    @property
    def isolation_failures(self) -> list[str]:
        return [f"session {r.session} run {r.run} ({r.image}): {m}" for r in self.results for m in r.isolation]

    @property
    def isolation_ok(self) -> bool:
        checked = [r for r in self.results if r.shown]
        return self.discriminating and not self.isolation_failures and len(checked) == self.sessions * self.runs

    @property
    def passed(self) -> bool:
        return not self.all_errors and self.isolation_ok and self.completed == self.sessions * self.runs

    def latency(self, attribute: str = "seconds") -> dict[str, float]:
        """p50, p95 and max of a per-run duration over the runs that finished."""
        values = np.array([getattr(r, attribute) for r in self.results if math.isfinite(getattr(r, attribute))])
        if not values.size:
            return {"p50": math.nan, "p95": math.nan, "max": math.nan}
        return {"p50": float(np.percentile(values, 50)), "p95": float(np.percentile(values, 95)),
                "max": float(values.max())}

    def summary(self) -> dict[str, Any]:
        """The figures as plain data (for ``--json`` and the tests)."""
        return {
            "sessions": self.sessions, "runs_per_session": self.runs, "completed_runs": self.completed,
            "errors": len(self.all_errors), "error_messages": self.all_errors,
            "isolation_ok": self.isolation_ok, "isolation_failures": self.isolation_failures,
            "latency_s": self.latency(), "restore_latency_s": self.latency("restore_seconds"),
            "wall_s": self.wall_s, "rss_peak_mib": self.rss_peak / MIB, "rss_start_mib": self.rss_start / MIB,
            "rss_hwm_mib": self.rss_hwm / MIB, "passed": self.passed, "client": self.client, "traffic": self.traffic,
            "runs": [asdict(r) for r in self.results],
        }


def _versions(chromium: Path, client: str = "browser") -> str:
    import streamlit

    python = f"Python {platform.python_version()}, Streamlit {streamlit.__version__}"
    if client == "ws":
        import websockets

        return f"{python}, websockets {websockets.__version__}"
    try:
        browser = subprocess.run([str(chromium), "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        browser = ""
    return f"{python}, {browser.strip() or 'Chromium'}"


def _seconds(values: dict[str, float]) -> str:
    return " / ".join(f"{values[k]:.1f}" for k in ("p50", "p95", "max")) + " s"


def _traffic_lines(report: Report) -> list[str]:
    """What the ws client exchanged, as a paragraph (nothing for the browser client)."""
    if not report.traffic:
        return []
    figures = ", ".join(f"{name.replace('_', ' ')} {value}" for name, value in report.traffic.items())
    return ["", f"Client traffic, all sessions: {figures}. Run → table ends when the table's message arrives."]


def to_markdown(report: Report, versions: str = "") -> str:
    """The report as a markdown section."""
    expected_runs = report.sessions * report.runs
    load = lambda values: " / ".join(f"{v:.2f}" for v in values)  # noqa: E731
    lines = [
        f"## {report.sessions} concurrent sessions × {report.runs} runs (Degrade → Restore), {report.client} client",
        "",
        f"Command: `{report.command}`  ",
        f"{report_stamp(ROOT)}  ",
        f"Date: {report.date}; machine: {platform.machine()}, {report.cores} CPU cores; load average (1/5/15 min) "
        f"{load(report.load_start)} at the start, {load(report.load_end)} at the end.  ",
        f"{versions}; " + (
            "one headless Chromium, one browser context (own cookies, own Streamlit session) per session.  "
            if report.client == "browser" else
            "no browser: one websocket client per session (own XSRF cookie, own Streamlit session) speaking "
            "Streamlit's BackMsg / ForwardMsg protocol, every session in one asyncio loop of one process.  "
        ),
        f"Each run: a distinct image per session on the Degrade page, preset `{PRESETS[PRESET].spec}`, seed = run "
        f"number + 1; then the Restore page runs `{'`, `'.join(METHODS)}` with their default parameters and waits for "
        f"the metric table. Per-run timeout {report.timeout_s:.0f} s.",
        "",
        "| figure | value |",
        "|---|---|",
        f"| client | {CLIENTS.get(report.client, report.client)} |",
        f"| sessions | {report.sessions} |",
        f"| completed runs | {report.completed} / {expected_runs} |",
        f"| errors | {len(report.all_errors)} |",
        f"| session isolation | {'OK' if report.isolation_ok else 'FAILED'} "
        f"({sum(1 for r in report.results if r.shown)} tables checked) |",
        f"| latency of a degrade → restore run, p50 / p95 / max | {_seconds(report.latency())} |",
        f"| of which Run → metric table, p50 / p95 / max | {_seconds(report.latency('restore_seconds'))} |",
        f"| total wall time (all sessions) | {report.wall_s:.1f} s |",
        f"| server RSS: after start / peak / at the end | {report.rss_start / MIB:.0f} / {report.rss_peak / MIB:.0f} "
        f"/ {report.rss_end / MIB:.0f} MiB |",
        f"| server peak RSS by the kernel (VmHWM) | {report.rss_hwm / MIB:.0f} MiB |",
        "",
        f"Memory: {report.memory_source}. Latency counts from the start of the Degrade step (picking the image) to "
        "the checked metric table, so it includes every rerun of both pages while the other sessions compete for "
        "the same cores.",
        *_traffic_lines(report),
        "",
        "| session | image | run | seconds | Run → table | PSNR shown (degraded / "
        + " / ".join(METHODS) + ") | ok |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in report.results:
        shown = " / ".join(f"{r.shown[k]:.2f}" if k in r.shown else "–" for k in ("degraded", *METHODS))
        lines.append(f"| {r.session} | {r.image} | {r.run} | {r.seconds:.1f} | {r.restore_seconds:.1f} | {shown} "
                     f"| {'yes' if r.ok else 'NO'} |")
    if report.all_errors:
        lines += ["", "Errors:", ""] + [f"- {e}" for e in report.all_errors]
    if report.isolation_failures or not report.discriminating:
        lines += ["", "Isolation failures:", ""] + [f"- {m}" for m in report.isolation_failures]
        if not report.discriminating:
            lines.append("- the expected tables of two sessions match each other: the check could not tell them apart")
    return "\n".join(lines) + "\n"


async def _drive_all(
    base_url: str, chromium: Path, jobs: Sequence[Job], runs: int, timeout_s: float,
    expected: Expected,
) -> list[RunResult]:
    from playwright.async_api import async_playwright

    others = [job.name for job in jobs]
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(chromium), args=list(driver.CHROMIUM_ARGS), headless=True
        )
        try:
            sessions = [Session(job, base_url, timeout_s, others) for job in jobs]
            done = await asyncio.gather(*(s.drive(browser, runs, expected) for s in sessions), return_exceptions=True)
        finally:
            await browser.close()
    results: list[RunResult] = []
    for job, outcome in zip(jobs, done, strict=True):
        if isinstance(outcome, BaseException):
            results.append(RunResult(job.session, 0, job.name, errors=[f"session crashed: {outcome!r}"]))
        else:
            results.extend(outcome)
    return results


def run_load_test(
    sessions: int = 8, runs: int = 2, *, timeout_s: float = 180.0, source: str = "gallery", first_image: int = 0,
    chromium: Path = driver.CHROMIUM, command: str = "", log: Callable[[str], object] = print,
    client: str = "browser",
) -> Report:
    """Start the app, drive ``sessions`` concurrent sessions ``runs`` times each, and measure.

    Parameters
    ----------
    sessions, runs : int
        Concurrent browser sessions, and degrade -> restore runs per session.
    timeout_s : float
        Longest wait for any one step (a page, a rerun, the restore).
    source : {"gallery", "upload"}
        Where the sessions' images come from (see :func:`plan_jobs`).
    first_image : int
        Gallery index of session 0's image.
    chromium : Path
        The Chromium executable.
    command : str
        The command line, for the report.
    log : callable
        Progress messages.
    client : {"browser", "ws"}
        What drives each session: a context of headless Chromium, or a websocket client speaking
        Streamlit's protocol (``scripts/load_ws.py``).

    Returns
    -------
    Report
        Server start-up failures are reported in ``Report.errors``, not raised.
    """
    report = Report(
        command=command, sessions=sessions, runs=runs, timeout_s=timeout_s,
        date=datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"), cores=os.cpu_count(),
        load_start=os.getloadavg(), client=client,
    )
    if client not in CLIENTS:
        raise ValueError(f"unknown client {client!r}; choose one of {sorted(CLIENTS)}")
    jobs = plan_jobs(sessions, source, first_image)
    log(f"computing the expected tables of {sessions} images x {runs} seeds ...")
    expected = {(job.session, run): expected_psnr(job, run_seed(run)) for job in jobs for run in range(runs)}
    # the check can only tell sessions apart if no two sessions' expected tables match each other
    report.discriminating = not any(
        a[0] != b[0] and _matches(expected[a], expected[b]) for a in expected for b in expected
    )
    with tempfile.TemporaryDirectory(prefix="load-test-") as tmp:
        log("starting streamlit ...")
        server = driver.AppServer(Path(tmp), startup_timeout=STARTUP_TIMEOUT)
        try:
            server.start()
        except RuntimeError as exc:
            report.errors.append(str(exc))
            return report
        try:  # from here on the server is stopped whatever happens
            assert server.proc is not None
            sampler = MemorySampler(server.proc.pid)
            report.memory_source = (
                f"RSS of the server process and its children summed, sampled every {SAMPLE_EVERY} s "
                + ("with psutil" if sampler._psutil is not None else "from /proc/<pid>/status")
            )
            sampler.start()
            log(f"server at {server.url}; driving {sessions} sessions x {runs} runs ({client} client) ...")
            started = time.perf_counter()
            try:
                if client == "ws":
                    from scripts import load_ws

                    report.results, traffic = run_coroutine(
                        load_ws.drive_all(server.url, jobs, runs, timeout_s, expected)
                    )
                    report.traffic = asdict(traffic)
                else:
                    report.results = run_coroutine(_drive_all(server.url, chromium, jobs, runs, timeout_s, expected))
            except Exception as exc:  # the browser (or the client's event loop) itself failed: report it
                report.errors.append(f"{client}: {type(exc).__name__}: {exc}")
            report.wall_s = time.perf_counter() - started
            sampler.stop()
            report.rss_start, report.rss_peak, report.rss_end, report.rss_hwm = (
                sampler.first, sampler.peak, sampler.last, sampler.hwm
            )
        finally:
            server.stop()
        if report.all_errors:
            log(f"server log (tail):\n{driver.tail(server.log_path, 3000)}")
    report.load_end = os.getloadavg()
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=8, help="concurrent sessions (default 8)")
    parser.add_argument("--runs", type=int, default=2, help="degrade -> restore runs per session (default 2)")
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds allowed for any one step (default 180)")
    parser.add_argument("--source", choices=("gallery", "upload"), default="gallery",
                        help="gallery images (uploads beyond the gallery), or generated uploads for every session")
    parser.add_argument("--first-image", type=int, default=0,
                        help="gallery index of session 0's image (default 0; sessions take the next ones)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"markdown report (default {DEFAULT_OUT})")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--append", action="store_true", help="add this run's section to --out instead of replacing it")
    parser.add_argument("--chromium", type=Path, default=driver.CHROMIUM,
                        help=f"Chromium executable (default {driver.CHROMIUM}; browser client only)")
    parser.add_argument("--client", choices=tuple(CLIENTS), default="browser",
                        help="what drives each session: a headless Chromium context (browser, the default), or a "
                        "light websocket client speaking Streamlit's own protocol (ws: no browser, many sessions "
                        "in one process; supports both --source kinds)")
    args = parser.parse_args(argv)
    if args.sessions < 1 or args.runs < 1:
        parser.error("--sessions and --runs must be at least 1")
    if args.client == "browser" and not (args.chromium.is_file() and os.access(args.chromium, os.X_OK)):
        print(f"{args.chromium} is missing: no browser to drive", file=sys.stderr)
        return 2
    try:
        if args.client == "browser":
            import playwright.async_api  # noqa: F401
    except ImportError:
        print("the playwright Python package is not installed", file=sys.stderr)
        return 2

    shown_argv = sys.argv[1:] if argv is None else list(argv)
    command = shlex.join(["python", "-m", "scripts.load_test", *shown_argv])
    report = run_load_test(args.sessions, args.runs, timeout_s=args.timeout, source=args.source,
                           first_image=args.first_image, chromium=args.chromium, command=command, client=args.client)
    text = to_markdown(report, _versions(args.chromium, args.client))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if args.append and args.out.is_file():  # one report, one section per class size
        args.out.write_text(args.out.read_text().rstrip("\n") + "\n\n" + text)
    else:
        args.out.write_text("# Load test: many users at once\n\n" + text)
    if args.json:
        args.json.write_text(json.dumps(report.summary(), indent=1, default=str) + "\n")
    print(text)
    print(f"wrote {args.out}")
    print("PASSED" if report.passed else "FAILED")
    return 0 if report.passed else 1


if __name__ == "__main__":
    sys.exit(main())
