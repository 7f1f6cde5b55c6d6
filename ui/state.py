"""Session-state keys of the app and :func:`init_state`, which every page calls first.

Keys are namespaced ``"<page>.<name>"`` so that pages never collide. Widget keys
(e.g. :data:`HOME_PRESET`) are listed here too, so that pages and tests refer to one
constant, but they get no default in :func:`init_state`: Streamlit warns when a widget
has both a default value and a value set through the Session State API.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

__all__ = [
    "DEFAULTS",
    "HOME_DEMO",
    "HOME_PRESET",
    "HOME_RESULTS",
    "HOME_RUN",
    "HOME_SAMPLE",
    "HOME_SEED",
    "init_state",
]

# --- home page widgets
#: Select box of the sample image.
HOME_SAMPLE = "home.sample"
#: Select box of the degradation preset.
HOME_PRESET = "home.preset"
#: Number input of the degradation seed.
HOME_SEED = "home.seed"
#: The "Run quick demo" button.
HOME_RUN = "home.run"

# --- home page data
#: Metric table of the last quick demo (a pandas DataFrame), None before the first run.
HOME_RESULTS = "home.results"
#: The last :class:`ui.demo.DemoResult` (images and table), None before the first run.
HOME_DEMO = "home.demo"

#: Non-widget keys and their initial values.
DEFAULTS: dict[str, Any] = {
    HOME_RESULTS: None,
    HOME_DEMO: None,
}


def init_state() -> None:
    """Give every non-widget session-state key its initial value, once per session.

    Call it at the top of every page, before reading ``st.session_state``. Values
    already present (from an earlier run or another page) are left untouched.
    """
    for key, value in DEFAULTS.items():
        if key not in st.session_state:
            st.session_state[key] = value
