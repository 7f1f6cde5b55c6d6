"""Where a page rerun's server time goes: time each page's cheap interactions, and profile them.

A Streamlit page reruns from the top on every widget change. A change that touches only one part of a
page (a zoom slider, a colour-scale level, a left/right pick, a metric switch) must not redo the
heavy work of the whole page. This script drives each page through Streamlit's ``AppTest`` (the
script run on the server, without the browser), makes the expensive run once, then repeats cheap
interactions and reports their server time (median of ``--repeats``), with the top functions of a
profile of one of them (``--profile``).

Scenarios (the sample image and methods fixed so that runs compare):

* **Restore** after running ``median`` and ``tv`` on the 512x512 working image with the ``noise25``
  preset: move the zoom slider; change the error maps' colour scale; pick another image for the
  right of the comparison slider; an idle rerun.
* **Degrade**: an idle rerun; change the seed (real work: the pipeline runs again).
* **Learn**: an idle rerun of the default section; switch section.
* **Home**: an idle rerun after the quick demo.

Usage::

    python -m scripts.profile_reruns                    # table on stdout
    python -m scripts.profile_reruns --profile --out docs/benchmarks/reruns.md
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from restoration.provenance import report_stamp  # noqa: E402
from ui import keys  # noqa: E402

TIMEOUT = 300.0


def _app(page: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    if page:
        at.switch_page(page).run()
    _check(at)
    return at


def _check(at: AppTest) -> None:
    if at.exception:
        raise RuntimeError("\n".join(str(e.value) for e in at.exception))


#: The profiler of the script thread while one interaction is profiled (the script runs in its own thread).
_PROFILER: list[cProfile.Profile | None] = [None]


def _profile_script_thread() -> None:
    """Wrap the script runner so that the script's own thread runs under :data:`_PROFILER` when one is set."""
    from streamlit.runtime.scriptrunner import script_runner

    original = script_runner.ScriptRunner._run_script

    def run_script(self: object, *args: object, **kwargs: object) -> object:
        prof = _PROFILER[0]
        if prof is not None:
            prof.enable()
        try:
            return original(self, *args, **kwargs)
        finally:
            if prof is not None:
                prof.disable()

    script_runner.ScriptRunner._run_script = run_script  # type: ignore[method-assign]


def _timed(action: Callable[[], object], repeats: int, profile: bool) -> tuple[float, str]:
    """Median seconds of ``action`` over ``repeats`` calls, and a profile of one more call."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    text = ""
    if profile:
        prof = cProfile.Profile()
        _PROFILER[0] = prof
        try:
            action()
        finally:
            _PROFILER[0] = None
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(25)
        text = out.getvalue()
    return statistics.median(times), text


def scenarios(repeats: int, profile: bool) -> list[tuple[str, str, float, str]]:
    """Run every scenario: (page, interaction, median seconds, profile text)."""
    rows: list[tuple[str, str, float, str]] = []

    def add(page: str, what: str, action: Callable[[], object]) -> None:
        seconds, prof = _timed(action, repeats, profile)
        rows.append((page, what, seconds, prof))
        print(f"{page:10s} {what:48s} {seconds:6.2f} s", flush=True)

    # Restore
    at = _app("pages/1_Degrade.py")
    at.selectbox(key=keys.DEGRADE_PRESET).set_value("noise25").run()
    at.switch_page("pages/2_Restore.py").run()
    at.multiselect(key=keys.RESTORE_METHODS).set_value(["median", "tv"]).run()
    start = time.perf_counter()
    at.button(key=keys.RESTORE_RUN).click().run()
    _check(at)
    rows.append(("Restore", "run median and tv (the heavy run, once)", time.perf_counter() - start, ""))
    zoom = [30, 60]
    add("Restore", "idle rerun (no change)", lambda: at.run())
    add("Restore", "move the zoom slider", lambda: at.slider(key=keys.RESTORE_ZOOM_X).set_value(
        zoom.__setitem__(0, 90 - zoom[0]) or zoom[0]).run())
    levels = at.select_slider(key=keys.RESTORE_ERROR_MAX).options
    pick = [0]
    add("Restore", "change the error maps' colour scale", lambda: at.select_slider(key=keys.RESTORE_ERROR_MAX)
        .set_value(levels[pick.__setitem__(0, 1 - pick[0]) or pick[0]]).run())
    right = at.selectbox(key=keys.RESTORE_RIGHT).options
    side = [0]
    add("Restore", "pick another image right of the slider", lambda: at.selectbox(key=keys.RESTORE_RIGHT)
        .set_value(right[side.__setitem__(0, (side[0] + 1) % len(right)) or side[0]]).run())
    _check(at)

    # Degrade
    at = _app("pages/1_Degrade.py")
    add("Degrade", "idle rerun (no change)", lambda: at.run())
    seed = [0]
    add("Degrade", "change the seed (the pipeline runs again)", lambda: at.number_input(key=keys.DEGRADE_SEED)
        .set_value(seed.__setitem__(0, seed[0] + 1) or seed[0]).run())
    _check(at)

    # Learn
    at = _app("pages/4_Learn.py")
    add("Learn", "idle rerun (no change)", lambda: at.run())
    _check(at)

    # Home
    at = _app("")
    add("Home", "idle rerun (no change)", lambda: at.run())
    _check(at)
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="add the top functions of each interaction")
    parser.add_argument("--out", default="", help="write the Markdown report here")
    parser.add_argument("--json", default="", help="also write the times as JSON (for --before of a later run)")
    parser.add_argument("--before", default="", help="JSON of a run on an earlier commit: shown beside these times")
    args = parser.parse_args(argv)
    if args.profile:
        _profile_script_thread()
    rows = scenarios(args.repeats, args.profile)
    if args.json:
        Path(args.json).write_text(json.dumps({"stamp": report_stamp(ROOT), "rows": [r[:3] for r in rows]}))
    before: dict[tuple[str, str], float] = {}
    before_stamp = ""
    if args.before:
        data = json.loads(Path(args.before).read_text())
        before = {(page, what): seconds for page, what, seconds in data["rows"]}
        before_stamp = data["stamp"]
    lines = [
        "# Server time of page reruns",
        "",
        f"Generated by `python -m scripts.profile_reruns {' '.join(argv if argv is not None else sys.argv[1:])}`: "
        "each page driven by Streamlit's AppTest (the script run on the server, no browser or network), the "
        f"median of {args.repeats} repeats of each interaction.",
        "",
        ("Before (`--before`): " + before_stamp) if before else "",
        "",
        ("After: " if before else "") + report_stamp(ROOT),
        "",
        "| page | interaction | " + ("before (s) | after (s) |" if before else "server time (s) |"),
        "|---|---|---|" + ("---|" if before else ""),
        *[f"| {page} | {what} | " + (f"{before.get((page, what), float('nan')):.2f} | " if before else "")
          + f"{seconds:.2f} |" for page, what, seconds, _ in rows],
        "",
    ]
    if args.profile:
        for page, what, _, prof in rows:
            if prof:
                lines += [f"## {page}: {what}", "", "```", prof.strip()[:6000], "```", ""]
    text = "\n".join(lines)
    if args.out:
        Path(args.out).write_text(text)
    print(text if args.profile else "")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
