"""Shared fixtures, and the CI guard that browser tests really ran."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
# The one sys.path edit of the project: ``restoration`` is installed (``pip install -e .``), but the app's ``ui``
# package is not (it is no library), so the repository root goes first for it and for the page scripts AppTest
# runs in this process; ``tests/`` for the helpers the suites share (``scenes``, ``apptools``, ``malformed``).
for _p in (ROOT, ROOT / "tests"):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

from scenes import make_scene  # noqa: E402

# Time estimates that do not depend on the machine running the tests: the machine factor is fixed
# (tests/test_budget.py measures it on purpose), and every test starts with no observed runs.
os.environ.setdefault("RESTORATION_MACHINE_FACTOR", "1")


@pytest.fixture(autouse=True)
def _no_observed_runs() -> None:
    from restoration import costs

    costs.clear_observed()


_browser_outcomes: dict[str, int] = {"passed": 0, "skipped": 0, "failed": 0}


@pytest.fixture
def gray_image() -> np.ndarray:
    return make_scene()


@pytest.fixture
def rgb_image() -> np.ndarray:
    return make_scene(colour=True)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "browser" not in report.keywords:
        return
    if report.when == "call":
        _browser_outcomes[report.outcome] = _browser_outcomes.get(report.outcome, 0) + 1
    elif report.skipped:
        _browser_outcomes["skipped"] += 1


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """With RESTORATION_REQUIRE_BROWSER=1 (set by CI), fail unless browser tests ran and none skipped."""
    if os.environ.get("RESTORATION_REQUIRE_BROWSER") != "1":
        return
    ran_e2e = any("e2e" in str(item.fspath) for item in session.items)
    if not ran_e2e:
        return  # a targeted run of other tests
    if _browser_outcomes["skipped"] or not _browser_outcomes["passed"] + _browser_outcomes["failed"]:
        print(f"\nCI guard: browser tests did not all run ({_browser_outcomes}); failing the session.")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
