"""A small run of ``scripts/load_test.py``: 2 concurrent browser sessions x 1 degrade -> restore run.

The script starts its own ``streamlit run app.py`` and Chromium; it runs as a subprocess
(its asyncio loop stays apart from the sync Playwright of the other e2e tests). Skips
without Chromium exactly as the other browser tests do (the ``chromium_path`` fixture).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "load_test.py"
STEP_TIMEOUT_S = 180  # per step, inside the script: the runner may be busy
TOTAL_TIMEOUT_S = 900


def test_two_sessions_stay_isolated(chromium_path: Path, tmp_path: Path) -> None:
    out, figures = tmp_path / "load.md", tmp_path / "load.json"
    command = [
        sys.executable, str(SCRIPT), "--sessions", "2", "--runs", "1", "--timeout", str(STEP_TIMEOUT_S),
        "--chromium", str(chromium_path), "--out", str(out), "--json", str(figures),
    ]
    proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=TOTAL_TIMEOUT_S)
    log = f"exit code {proc.returncode}\n{proc.stdout[-6000:]}\n{proc.stderr[-6000:]}"
    assert figures.exists(), log
    summary = json.loads(figures.read_text())
    assert summary["errors"] == 0, summary["error_messages"]
    assert summary["isolation_ok"], summary["isolation_failures"]
    assert summary["completed_runs"] == 2, log
    assert len({run["image"] for run in summary["runs"]}) == 2, "the two sessions must use different images"
    assert summary["rss_peak_mib"] > 0 and summary["latency_s"]["max"] > 0
    assert proc.returncode == 0, log
    assert "| completed runs | 2 / 2 |" in out.read_text()
