"""Regenerate the README's screenshots from the current app, in one headless Chromium against one app server.

Starts ``streamlit run app.py`` on a free port (the browser tests' :class:`tests.e2e.driver.AppServer`), opens
one page in Debian's headless Chromium and walks one session through the app, taking a screenshot at each stop:

==============================  ===================================================================================
``home-results.jpg``            Home after the quick demo ran (default sample, preset and seed)
``pages-degrade.jpg``           Degrade with its defaults (the first gallery image, the default preset)
``pages-restore.jpg``           Restore after running its pre-selected methods on that image: the winner sentence,
                                the metric table and the chart
``restore-report.jpg``          the Restore page's downloaded HTML report, opened from disk in the same browser
``pages-benchmark-charts.jpg``  Benchmark, the *Charts* tab of the run below
``pages-benchmark-survey.jpg``  Benchmark, *Survey vs measured* for the survey's **combined** preset (motion blur +
                                x2 downsampling + noise): methods ``tv_sr``, ``classic_chain``, ``cnn_combined``,
                                ``bm3d_bicubic`` on one 256 × 256 image per gallery category (the page's defaults)
``pages-learn.jpg``             Learn, the *Deep CNNs* section
``learn-deblur.jpg``            Learn, the *Deblurring and deconvolution* section
==============================  ===================================================================================

Each shot is the full page at 1280 px wide, shrunk to 900 px wide and cut at 1800 px tall (the bottom goes), and
saved as JPEG (quality 80). The survey view starts at the result tabs and the deblurring section at the Learn
page's section chooser, rather than at the top of the page, so that what they are about fits in the cut.

Nothing is written until every shot has been taken: the images are made in a temporary folder and copied into
``docs/screenshots/`` (``--out``) at the end, so a failed run leaves the old ones in place. A step that fails
(a widget that never appears, a Streamlit error box, a run that does not finish in ``--timeout`` seconds) stops
the script with a message naming the step, a picture of the page at that moment (a PNG in the temporary folder),
the tail of the server's log and the exit code 1. The app runs offline: any request to another host is refused
and reported.

Usage (from the repository root; it imports the browser tests' ``tests/e2e/driver.py`` and the ``ui`` package)::

    python -m scripts.readme_screenshots
    python -m scripts.readme_screenshots --out /tmp/shots --timeout 600

Needs Debian's ``/usr/bin/chromium`` (``--chromium``), the ``playwright`` package and Pillow. Takes a few minutes
on a busy two-core machine (the quick demo, which runs every denoiser, and the benchmark run are the slow parts).
"""

from __future__ import annotations

import argparse
import io
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:  # the browser tests' driver and the app's ui package, found from the repository root
    from tests.e2e import driver  # the server, selectors and page helpers of the browser tests
    from ui import learn, widgets
except ModuleNotFoundError as exc:  # pragma: no cover - a usage error
    raise SystemExit(f"{exc}: run this from the repository root as `python -m scripts.readme_screenshots`") from None

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "docs" / "screenshots"
WIDTH = 900  # px of the saved image
MAX_HEIGHT = 1800  # px of the saved image; the bottom of a longer page is cut off
QUALITY = 80  # JPEG quality
TOP_MARGIN = 24  # px of the page kept above the element a shot starts at
STEP_TIMEOUT_S = 300.0  # a run (demo, restore, benchmark) may take this long on a loaded machine
STARTUP_TIMEOUT_S = 180.0  # for the server's health check
FAILURE_SHOT = "readme-screenshots-failure.png"  # what the page showed when a step failed (in the temp folder)
#: The survey's combined degradation and the methods of its Tables 3-4 (traditional chains, TV, the unfolded CNN).
SURVEY_PRESET = "combined"
SURVEY_METHODS = ("tv_sr", "classic_chain", "cnn_combined", "bm3d_bicubic")
#: Every <img> of a standalone page (the report) has decoded real pixels (argument: the least number of pictures).
DOCUMENT_IMAGES_LOADED = """(minimum) => {
    const imgs = Array.from(document.images);
    return imgs.length >= minimum && imgs.every((img) => img.complete && img.naturalWidth > 0);
}"""
#: Two animation frames: the layout (and the data grids' canvases) settled after a resize.
TWO_FRAMES = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
#: Every Plotly chart on the page has drawn its SVG.
PLOTS_DRAWN = """(minimum) => {
    const plots = Array.from(document.querySelectorAll('[data-testid="stPlotlyChart"]'));
    return plots.length >= minimum && plots.every((p) => p.querySelector('.main-svg'));
}"""
#: Every Vega-Lite chart on the page has drawn (an SVG or a canvas inside its container).
VEGA_DRAWN = """(minimum) => {
    const charts = Array.from(document.querySelectorAll('[data-testid="stVegaLiteChart"]'));
    return charts.length >= minimum && charts.every((c) => c.querySelector('svg, canvas'));
}"""


class StepFailed(RuntimeError):
    """A step of the walk through the app did not reach the state its screenshot needs."""


@dataclass
class Shooter:
    """One browser page walked through the app, and the screenshots taken on the way.

    Attributes
    ----------
    page : playwright.sync_api.Page
        The page (one Streamlit session for the whole walk).
    base_url : str
        Base URL of the app server.
    folder : Path
        Where the JPEGs are written (a temporary folder, moved into place at the end).
    timeout_ms : float
        Longest wait for one run or one element.
    written : dict of str to Path
        The shots taken so far, by file name.
    outside : list of str
        Requests to other hosts, refused (the app must work offline).
    page_errors : list of str
        Uncaught JavaScript exceptions of the app's page.
    console_errors : list of str
        Console messages of type error of the app's page (the harmless URL probes left out).
    """

    page: Any
    base_url: str
    folder: Path
    timeout_ms: float
    written: dict[str, Path] = field(default_factory=dict)
    outside: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def on_console(self, message: Any) -> None:
        """Record a console error, but not the harmless probes of a page opened by its URL.

        Parameters
        ----------
        message : playwright.sync_api.ConsoleMessage
            The message.
        """
        if message.type != "error":
            return
        url = (message.location or {}).get("url", "?")
        text = f"{message.text} ({url}:{(message.location or {}).get('lineNumber', '?')})"
        if not driver.BASE_PATH_PROBE.search(text):
            self.console_errors.append(text)

    # ------------------------------------------------------------------ waiting
    def idle(self) -> None:
        """Wait until Streamlit has run no script for a settling period (:func:`tests.e2e.driver.wait_idle`)."""
        driver.wait_idle(self.page, self.timeout_ms)

    def visible(self, locator: Any, what: str) -> Any:
        """Wait for ``locator`` to be visible.

        Parameters
        ----------
        locator : playwright.sync_api.Locator
            What to wait for.
        what : str
            Its description, for the error message.

        Returns
        -------
        playwright.sync_api.Locator
            ``locator``.

        Raises
        ------
        StepFailed
            When it is not visible within the timeout.
        """
        from playwright.sync_api import Error

        try:
            locator.wait_for(state="visible", timeout=self.timeout_ms)
        except Error as exc:
            raise StepFailed(f"{what} did not appear within {self.timeout_ms / 1000:.0f} s "
                             f"({_first_line(exc)})") from None
        return locator

    def until(self, script: str, arg: Any, what: str, page: Any = None) -> None:
        """Wait until the JavaScript predicate ``script(arg)`` holds on the page.

        Parameters
        ----------
        script : str
            A JavaScript function of one argument returning a truthy value when ready.
        arg : Any
            Its argument.
        what : str
            What it waits for, for the error message.
        page : playwright.sync_api.Page, optional
            Another page than the app's (the opened report).

        Raises
        ------
        StepFailed
            When it does not hold within the timeout.
        """
        from playwright.sync_api import Error

        try:
            (page or self.page).wait_for_function(script, arg=arg, timeout=self.timeout_ms, polling=200)
        except Error as exc:
            raise StepFailed(f"{what} did not happen within {self.timeout_ms / 1000:.0f} s "
                             f"({_first_line(exc)})") from None

    def no_alerts(self, where: str) -> None:
        """Fail when the page shows a Streamlit exception box or an error alert.

        Parameters
        ----------
        where : str
            The step, for the error message.

        Raises
        ------
        StepFailed
            With the texts of the boxes.
        """
        found = driver.alerts(self.page)
        if found:
            raise StepFailed(f"{where}: the page shows an error: " + " | ".join(found))

    # ------------------------------------------------------------------ moving around
    def open_page(self, link: str, heading: str) -> None:
        """Follow the sidebar's link ``link`` (same session) and wait for the page's title ``heading``.

        Parameters
        ----------
        link : str
            The link's text in the sidebar's navigation.
        heading : str
            The page's title.
        """
        self.visible(self.page.get_by_test_id("stSidebarNav").get_by_role("link", name=link, exact=True),
                     f"the sidebar link {link!r}").click()
        self.visible(self.page.get_by_role("heading", name=heading, exact=True), f"the {heading!r} page's title")
        self.idle()

    def pick(self, box: str | re.Pattern[str], typed: str, option: str) -> None:
        """Choose ``option`` in a select box (:func:`tests.e2e.driver.pick`).

        Parameters
        ----------
        box : str or re.Pattern
            The select box's label.
        typed : str
            Text typed to filter the options.
        option : str
            The option's exact label.

        Raises
        ------
        StepFailed
            When the box does not show ``option`` after the driver's retries.
        """
        try:
            driver.pick(self.page, box, typed, option, timeout_ms=self.timeout_ms)
        except AssertionError as exc:
            raise StepFailed(f"could not choose {option!r} in {box!r}: {_first_line(exc)}") from None

    def choose(self, box: str | re.Pattern[str], options: list[tuple[str, str]]) -> None:
        """Make a multiselect hold exactly ``options`` (:func:`tests.e2e.driver.choose`).

        Parameters
        ----------
        box : str or re.Pattern
            The multiselect's label.
        options : list of (str, str)
            ``(typed filter, option label)`` pairs.

        Raises
        ------
        StepFailed
            When the chips still differ after the driver's retries.
        """
        try:
            driver.choose(self.page, box, options, timeout_ms=self.timeout_ms)
        except AssertionError as exc:
            raise StepFailed(f"could not set {box!r}: {_first_line(exc)}") from None

    # ------------------------------------------------------------------ the shots
    def shoot(self, name: str, *, top: Any = None, margin: int = TOP_MARGIN, page: Any = None) -> None:
        """Screenshot the whole page and save it as ``name`` (900 px wide, at most 1800 px tall, JPEG).

        Streamlit scrolls inside its main block, not the document, so the viewport is grown to the content's height
        for the shot (as :func:`tests.e2e.driver.screenshot` does) and restored afterwards.

        Parameters
        ----------
        name : str
            File name, e.g. ``"home-results.jpg"``.
        top : playwright.sync_api.Locator, optional
            Start the image a little above this element instead of at the top of the page.
        margin : int
            Page pixels kept above ``top``.
        page : playwright.sync_api.Page, optional
            Another page than the app's (the opened report: a plain document).
        """
        target = page or self.page
        # no focus ring on the button just clicked
        target.evaluate("() => document.activeElement && document.activeElement.blur && document.activeElement.blur()")
        original = target.viewport_size or driver.VIEWPORT
        height = min(max(int(target.evaluate(driver.CONTENT_HEIGHT)), original["height"]), 12_000)
        target.set_viewport_size({"width": original["width"], "height": height})
        try:
            # and no hover: the pointer rests in the empty bottom-right corner of the main area, not on the sidebar
            target.mouse.move(original["width"] - 8, height - 8)
            target.evaluate("() => document.fonts.ready.then(() => true)")
            target.evaluate(TWO_FRAMES)
            target.wait_for_timeout(500)
            start = 0
            if top is not None:
                box = top.bounding_box()
                if box is None:
                    raise StepFailed(f"{name}: the element the shot starts at is not on the page")
                start = max(int(box["y"]) - margin, 0)
            png = target.screenshot(full_page=True, animations="disabled")
        finally:
            target.set_viewport_size(original)
        self.written[name] = save_jpeg(png, self.folder / name, start=start)
        print(f"  {name}", flush=True)


def _first_line(exc: BaseException) -> str:
    """The first line of an exception's message (Playwright's carry a long call log)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def save_jpeg(png: bytes, path: Path, *, start: int = 0, width: int = WIDTH, max_height: int = MAX_HEIGHT,
              quality: int = QUALITY) -> Path:
    """Save a screenshot as a JPEG: from ``start`` down, shrunk to ``width`` and cut at ``max_height``.

    Parameters
    ----------
    png : bytes
        The screenshot (PNG).
    path : Path
        Where to write the JPEG.
    start : int
        First row of the screenshot kept (page pixels).
    width : int
        Width of the saved image in pixels (the aspect ratio is kept).
    max_height : int
        The saved image's greatest height; the bottom of a taller one is cut off.
    quality : int
        JPEG quality.

    Returns
    -------
    Path
        ``path``.
    """
    from PIL import Image

    with Image.open(io.BytesIO(png)) as shot:
        image = shot.convert("RGB")
    start = min(start, max(image.height - 1, 0))
    image = image.crop((0, start, image.width, image.height))
    scale = width / image.width
    keep = min(image.height, round(max_height / scale))  # cut in page pixels first: less to resample
    image = image.crop((0, 0, image.width, keep))
    image = image.resize((width, min(round(keep * scale), max_height)), Image.Resampling.LANCZOS)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, format="JPEG", quality=quality, optimize=True, progressive=True)
    return path


# --------------------------------------------------------------------------- the steps
def home(shooter: Shooter) -> None:
    """Home: run the quick demo with its defaults and shoot the results.

    Parameters
    ----------
    shooter : Shooter
        The walk.
    """
    page = shooter.page
    page.goto(shooter.base_url + "/", wait_until="domcontentloaded")
    shooter.visible(page.get_by_role("heading", name="Image Restoration Workbench"), "the Home page's title")
    shooter.idle()
    shooter.visible(page.get_by_role("button", name="Run quick demo"), "the 'Run quick demo' button").click()
    shooter.visible(page.get_by_test_id("stDataFrame"), "the quick demo's table")
    shooter.idle()
    shooter.visible(page.get_by_text("Best here:", exact=False), "the quick demo's 'Best here' sentence")
    shooter.until(driver.IMAGES_LOADED, 3, "the quick demo's pictures loading")
    shooter.no_alerts("Home")
    shooter.shoot("home-results.jpg")


def degrade(shooter: Shooter) -> None:
    """Degrade: the page with its defaults (first gallery image, default preset).

    Parameters
    ----------
    shooter : Shooter
        The walk.
    """
    page = shooter.page
    shooter.open_page("Degrade", "Degrade")
    shooter.visible(page.get_by_role("heading", name="3. Result"), "the Degrade page's result")
    shooter.until(driver.IMAGES_LOADED, 2, "the Degrade page's pictures loading")
    shooter.idle()
    shooter.no_alerts("Degrade")
    shooter.shoot("pages-degrade.jpg")


def restore(shooter: Shooter, download_dir: Path) -> None:
    """Restore: run the pre-selected methods, shoot the results, then download the HTML report and shoot it.

    Parameters
    ----------
    shooter : Shooter
        The walk.
    download_dir : Path
        Where the report is saved before it is opened.
    """
    page = shooter.page
    shooter.open_page("Restore", "Restore")
    run = shooter.visible(page.get_by_role("button", name=re.compile(r"^Run \d+ methods?$")), "the Run button")
    label = " ".join(run.inner_text().split())
    found = re.search(r"Run (\d+) methods?", label)
    if found is None:
        raise StepFailed(f"Restore: the Run button reads {label!r}")
    count, label = int(found.group(1)), found.group(0)
    run.click()
    ran = shooter.visible(page.get_by_text(re.compile(rf"Ran \d+ of {count} methods")).first,
                          f"the end of the run ({label})").inner_text().strip()
    if not ran.startswith(f"Ran {count} of"):
        raise StepFailed(f"Restore: not every method ran ({ran})")
    shooter.idle()
    # "X wins with ...", or "X and Y share the highest PSNR ..." on a tie: the green box above the table
    shooter.visible(page.get_by_test_id("stAlertContentSuccess").filter(has_text="PSNR").first,
                    "the winner's sentence")
    shooter.visible(page.get_by_test_id("stDataFrame").first, "the metric table")
    shooter.until(PLOTS_DRAWN, 1, "the metric chart drawing")
    shooter.until(driver.IMAGES_LOADED, 3, "the result pictures loading")
    shooter.no_alerts("Restore")
    shooter.shoot("pages-restore.jpg")

    from playwright.sync_api import Error

    try:
        with page.expect_download(timeout=shooter.timeout_ms) as info:
            page.get_by_role("button", name="Report (HTML)").click()
        download = info.value
        path = download_dir / (download.suggested_filename or "report.html")
        download.save_as(path)
    except Error as exc:
        raise StepFailed(f"Restore: the HTML report did not download ({_first_line(exc)})") from None
    viewer = page.context.new_page()
    viewer.on("pageerror", lambda error: shooter.page_errors.append(f"report: {error}"))
    try:
        viewer.goto(path.as_uri(), wait_until="load")
        shooter.visible(viewer.get_by_role("heading", name=re.compile("^Restoration report")), "the report's title")
        shooter.visible(viewer.locator("#metric-table"), "the report's metric table")
        shooter.until(DOCUMENT_IMAGES_LOADED, 3, "the report's pictures loading", page=viewer)
        shooter.shoot("restore-report.jpg", page=viewer)
    finally:
        viewer.close()


def benchmark(shooter: Shooter) -> None:
    """Benchmark: the survey's combined preset and its four methods; shoot the Charts and Survey tabs.

    Parameters
    ----------
    shooter : Shooter
        The walk.
    """
    from restoration import get_algorithm

    page = shooter.page
    shooter.open_page("Benchmark", "Benchmark")
    source = page.get_by_test_id("stRadio").filter(has_text="Sample gallery")
    if source.count() and not source.get_by_role("radio", name="Sample gallery").is_checked():
        source.get_by_text("Sample gallery", exact=True).click()
        shooter.idle()
    shooter.choose("Presets", [("Survey", widgets.preset_label(SURVEY_PRESET))])
    shooter.choose("Methods", [(get_algorithm(m).title, driver.method_label(m)) for m in SURVEY_METHODS])
    shooter.idle()
    images = shooter.visible(page.get_by_text(re.compile(r"^\d+ images: ")).first, "the images chosen").inner_text()
    print(f"  benchmark on {images.strip()}", flush=True)
    run = page.get_by_role("button", name="Run benchmark")
    shooter.visible(run, "the 'Run benchmark' button")
    if not run.is_enabled():
        raise StepFailed("Benchmark: 'Run benchmark' is disabled (no images, degradation or method?)")
    run.click()
    shooter.visible(page.get_by_text("Done:", exact=False), "the end of the benchmark run")
    shooter.idle()
    shooter.no_alerts("Benchmark")
    failed = page.get_by_text(re.compile(r"^\d+ measurements failed"))
    if failed.count():
        raise StepFailed(f"Benchmark: {failed.first.inner_text().strip()}")
    shown = page.get_by_role("combobox", name="Degradation shown")
    if "combined" not in shown.input_value():
        raise StepFailed(f"Benchmark: the degradation shown is {shown.input_value()!r}, not the combined one")

    shooter.visible(page.get_by_role("tab", name="Charts"), "the Charts tab").click()
    shooter.until(PLOTS_DRAWN, 3, "the three benchmark charts drawing")
    shooter.idle()
    shooter.no_alerts("Benchmark charts")
    shooter.shoot("pages-benchmark-charts.jpg")

    shooter.visible(page.get_by_role("tab", name="Survey vs measured"), "the Survey vs measured tab").click()
    shooter.visible(page.get_by_text("Table 3 — mean over the test set", exact=False), "the survey's Table 3")
    shooter.until(VEGA_DRAWN, 1, "the survey chart drawing")
    for box in ("Degradation for Tables 3-4", "Degradation for Tables 5-6"):
        chosen = page.get_by_role("combobox", name=re.compile(re.escape(box))).input_value()
        if "combined" not in chosen:
            raise StepFailed(f"Benchmark survey view: {box} shows {chosen!r}, not the combined degradation")
    shooter.idle()
    shooter.no_alerts("Benchmark survey view")
    # from the tabs down: the chart is tall, and Table 3's sentences and tables must fit in the cut too
    shooter.shoot("pages-benchmark-survey.jpg", top=page.get_by_role("tablist").first, margin=10)


def learn_sections(shooter: Shooter) -> None:
    """Learn: the Deep CNNs section (``pages-learn.jpg``) and the deblurring section (``learn-deblur.jpg``).

    Parameters
    ----------
    shooter : Shooter
        The walk.
    """
    page = shooter.page
    shooter.open_page("Learn", "Learn how the algorithms work")
    titles = {s.key: s.title for s in learn.SECTIONS}
    for key, name, from_section in (("deep", "pages-learn.jpg", False), ("deblur", "learn-deblur.jpg", True)):
        chooser = shooter.visible(page.get_by_test_id("stRadio").first, "the Learn page's section chooser")
        chooser.get_by_text(titles[key], exact=True).click()
        shooter.visible(page.get_by_role("heading", name=titles[key], exact=True), f"the {titles[key]!r} section")
        shooter.idle()
        shooter.visible(page.get_by_role("heading", name="A look inside"), f"{titles[key]!r}: its look inside")
        shooter.until(driver.IMAGES_LOADED, 2, f"{titles[key]!r}: its pictures loading")
        shooter.idle()
        shooter.no_alerts(f"Learn, {titles[key]}")
        shooter.shoot(name, top=chooser if from_section else None, margin=10)  # the chooser names the section


#: The walk, in order: (step name, function of the shooter and the download folder).
STEPS: tuple[tuple[str, Callable[[Shooter, Path], None]], ...] = (
    ("Home: quick demo", lambda s, _: home(s)),
    ("Degrade", lambda s, _: degrade(s)),
    ("Restore and its report", restore),
    ("Benchmark: combined preset", lambda s, _: benchmark(s)),
    ("Learn: Deep CNNs and deblurring", lambda s, _: learn_sections(s)),
)


# --------------------------------------------------------------------------- the session
@contextmanager
def browser_page(chromium: Path, profile: Path, base_url: str) -> Iterator[Any]:
    """A page of a headless Chromium with a fresh profile, refusing requests to any other host than the app.

    Parameters
    ----------
    chromium : Path
        The Chromium executable.
    profile : Path
        An empty folder for the browser's profile.
    base_url : str
        The app server's base URL: everything else (but data:, blob:, file: and about: URLs) is refused.

    Yields
    ------
    tuple of (playwright.sync_api.Page, list of str)
        The page, and the URLs refused so far (filled as they come).
    """
    from playwright.sync_api import sync_playwright

    refused: list[str] = []
    local = (base_url, "data:", "blob:", "about:", "file:")

    def guard(route: Any) -> None:
        """Let a request to the app (or a local URL) through; refuse and record any other."""
        url = route.request.url
        if url.startswith(local):
            route.continue_()
        else:
            refused.append(url)
            route.abort()

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=str(chromium), args=list(driver.CHROMIUM_ARGS), headless=True,
            viewport=driver.VIEWPORT,  # type: ignore[arg-type]
            service_workers="block", accept_downloads=True,
        )
        try:
            context.route("**/*", guard)
            page = context.pages[0] if context.pages else context.new_page()
            yield page, refused
        finally:
            context.close()


def failure_shot(page: Any) -> str:
    """Save what the page shows after a failed step (a PNG in the temporary folder, kept) and say where.

    Parameters
    ----------
    page : playwright.sync_api.Page
        The app's page.

    Returns
    -------
    str
        A line naming the PNG, or saying why there is none.
    """
    path = Path(tempfile.gettempdir()) / FAILURE_SHOT
    try:
        driver.screenshot(page, path)  # the whole page (Streamlit scrolls inside its main block)
    except Exception as exc:  # the page may be gone: the message matters more than the picture
        return f"(no picture of the page: {_first_line(exc)})"
    return f"the page at that moment: {path}"


def take_all(out: Path, *, chromium: Path, timeout_s: float) -> dict[str, Path]:
    """Start the app, walk through it taking every screenshot, and copy them into ``out`` once all are taken.

    Parameters
    ----------
    out : Path
        Folder of the screenshots (created); existing files of the same names are overwritten.
    chromium : Path
        The Chromium executable.
    timeout_s : float
        Longest wait for one run or one element, in seconds.

    Returns
    -------
    dict of str to Path
        The images written, by file name.

    Raises
    ------
    StepFailed
        When a step fails; the message names the step and ends with the tail of the server's log.
    """
    with tempfile.TemporaryDirectory(prefix="readme-screenshots-") as tmp:
        work = Path(tmp)
        for sub in ("server", "profile", "shots", "downloads"):
            (work / sub).mkdir()
        server = driver.AppServer(work / "server", startup_timeout=STARTUP_TIMEOUT_S)
        print(f"starting streamlit run app.py (log in {work / 'server'})", flush=True)
        with server, browser_page(chromium, work / "profile", server.url) as (page, refused):
            print(f"app at {server.url}", flush=True)
            page.set_default_timeout(timeout_s * 1000)
            shooter = Shooter(page=page, base_url=server.url, folder=work / "shots", timeout_ms=timeout_s * 1000,
                              outside=refused)
            page.on("pageerror", lambda error: shooter.page_errors.append(str(error)))
            page.on("console", shooter.on_console)
            for step, run in STEPS:
                started = time.monotonic()
                print(f"{step}...", flush=True)
                try:
                    run(shooter, work / "downloads")
                except Exception as exc:  # a StepFailed, or a Playwright error the helpers did not catch
                    problem = str(exc) if isinstance(exc, StepFailed) else f"{type(exc).__name__}: {_first_line(exc)}"
                    raise StepFailed(f"step {step!r} failed: {problem}\n{failure_shot(page)}\n\n"
                                     f"server log (tail):\n{driver.tail(server.log_path, 3000)}") from None
                print(f"  done in {time.monotonic() - started:.0f} s", flush=True)
            for label, found in (("requests to other hosts (refused)", shooter.outside),
                                 ("uncaught JavaScript errors", shooter.page_errors),
                                 ("console errors", shooter.console_errors)):
                if found:
                    print(f"warning: {len(found)} {label}: " + "; ".join(dict.fromkeys(found))[:1000],
                          file=sys.stderr)
            shots = dict(shooter.written)
        out.mkdir(parents=True, exist_ok=True)
        written = {}
        for name, path in shots.items():
            written[name] = Path(shutil.copyfile(path, out / name))
        return written


def main(argv: list[str] | None = None) -> int:
    """Command line: take the README's screenshots and report what was written.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 when every screenshot was written, 1 when a step failed, 2 when the browser is missing.
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=OUT_DIR, help=f"folder of the images (default {OUT_DIR})")
    parser.add_argument("--timeout", type=float, default=STEP_TIMEOUT_S,
                        help=f"seconds to wait for one run or element (default {STEP_TIMEOUT_S:.0f})")
    parser.add_argument("--chromium", type=Path, default=driver.CHROMIUM,
                        help=f"Chromium executable (default {driver.CHROMIUM})")
    args = parser.parse_args(argv)
    problem = driver.chromium_available(args.chromium)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    started = time.monotonic()
    try:
        written = take_all(args.out, chromium=args.chromium, timeout_s=args.timeout)
    except (StepFailed, RuntimeError) as exc:  # RuntimeError: the server did not start
        print(f"error: {exc}\nno screenshot was replaced.", file=sys.stderr)
        return 1
    from PIL import Image

    print(f"wrote {len(written)} screenshots to {args.out} in {time.monotonic() - started:.0f} s:")
    for name, path in written.items():
        with Image.open(path) as image:
            print(f"  {name:28} {image.width}×{image.height} px, {path.stat().st_size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
