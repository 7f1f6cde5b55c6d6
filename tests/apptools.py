"""What the AppTest suites share: the repository root, the script timeout and the no-exception check.

``restoration`` is installed (``pip install -e .``) and ``tests/conftest.py`` puts the repository root on
``sys.path``, so the pages that AppTest runs in this process import ``restoration`` and ``ui`` without a
preamble of their own.
"""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 120.0  # seconds per script run: generous for a loaded 2-core CI machine


def no_exception(at: AppTest) -> None:
    """Fail with the page's own tracebacks when a script run raised."""
    assert not at.exception, "\n\n".join(str(e.value) for e in at.exception)
