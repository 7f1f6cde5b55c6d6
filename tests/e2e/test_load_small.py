"""A small run of ``scripts/load_test.py``: 2 concurrent browser sessions x 1 degrade -> restore run.

The script starts its own ``streamlit run app.py`` and Chromium; it runs as a subprocess
(``python -m scripts.load_test`` from the repository root, as documented; its asyncio loop
stays apart from the sync Playwright of the other e2e tests). Skips
without Chromium exactly as the other browser tests do (the ``chromium_path`` fixture).
A second, browser-free test proves that the isolation check fails on a leak.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "load_test.py"
STEP_TIMEOUT_S = 180  # per step, inside the script: the runner may be busy
TOTAL_TIMEOUT_S = 900


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("load_test", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_isolation_check_catches_a_leak() -> None:
    load_test = _load_script()
    # the two sessions of a real run: same degraded PSNR (noise at sigma 25), different restored ones
    expected = {(0, 0): {"degraded": 20.41, "median": 27.51, "wavelet": 32.98},
                (1, 0): {"degraded": 20.41, "median": 27.46, "wavelet": 33.73}}
    own = load_test.RunResult(
        0, 0, "Mountain lake", shown=dict(expected[(0, 0)]),
        header="Mountain lake — pipeline gaussian_noise(sigma=25), seed 1; task denoise, result 512×384 px",
    )
    assert load_test.isolation_problems(own, 1, expected) == []
    assert load_test.isolation_problems(replace(own, shown={**expected[(0, 0)], "wavelet": 32.99}), 1, expected) == []

    leaked = load_test.isolation_problems(replace(own, shown=dict(expected[(1, 0)])), 1, expected)
    assert len(leaked) == 1 and "those of session 1 run 0" in leaked[0], leaked
    assert load_test.isolation_problems(replace(own, shown={"degraded": 20.41, "median": 27.51}), 1, expected)
    foreign = replace(own, header=own.header.replace("Mountain lake", "Misty ridges at sunset"),
                      mentions=["Misty ridges at sunset"])
    assert len(load_test.isolation_problems(foreign, 1, expected)) == 2
    assert load_test.isolation_problems(own, 2, expected), "another seed must not pass"


@pytest.mark.browser
@pytest.mark.slow
def test_two_sessions_stay_isolated(chromium_path: Path, tmp_path: Path) -> None:
    out, figures = tmp_path / "load.md", tmp_path / "load.json"
    command = [
        sys.executable, "-m", "scripts.load_test", "--sessions", "2", "--runs", "1", "--timeout", str(STEP_TIMEOUT_S),
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
