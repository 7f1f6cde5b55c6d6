"""Session state: :func:`init_state`, which every page calls first, and the helpers that write it.

The keys themselves live in :mod:`ui.keys` (constants only, the leaf of the ``ui`` import
graph). This module imports streamlit and :mod:`ui.keys`, nothing else of
the app, so every other ``ui`` module may import it. The default observation a page needs
when it opens first is built by :func:`ui.cache.ensure_observation`, which sits above the
caches and widgets it uses.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import streamlit as st

from ui import keys

__all__ = [*keys.__all__, "init_state", "seed", "seed_choice", "set_observation"]


def init_state() -> None:
    """Give every non-widget session-state key its initial value, once per session.

    Call it at the top of every page, before reading ``st.session_state``. Values
    already present (from an earlier run or another page) are left untouched.
    """
    state = st.session_state
    for key, value in keys.DEFAULTS.items():
        if key not in state:
            state[key] = copy.copy(value)  # a session must never share a mutable default with another


def seed(key: str, value: Any) -> None:
    """Give a widget key its first value (the widget is then created without ``value``).

    Parameters
    ----------
    key : str
        The widget's key.
    value : Any
        Initial value, used only when the key holds nothing yet.
    """
    if key not in st.session_state:
        st.session_state[key] = value


def seed_choice(key: str, options: Sequence[Any], default: Any) -> None:
    """Like :func:`seed` for a select box, and replace a value that is no longer an option.

    Parameters
    ----------
    key : str
        The select box's key.
    options : sequence
        The options it will be drawn with (not empty).
    default : Any
        Value to use when the key is empty or holds a value that is not in ``options``;
        the first option when ``default`` is not an option either.
    """
    if default not in options:
        default = options[0]
    if key not in st.session_state or st.session_state[key] not in options:
        st.session_state[key] = default


def set_observation(observation: Any, *, clean: Any, name: str, spec: str, seed_value: int, token: str) -> None:
    """Make ``observation`` the session's current one (what the Restore and Benchmark pages start from).

    Parameters
    ----------
    observation : restoration.Observation
        The degraded image.
    clean : numpy.ndarray or None
        The clean working image (None for an already-degraded upload).
    name : str
        Display name of the image.
    spec : str
        Pipeline text of the degradation ("" for an already-degraded upload).
    seed_value : int
        Seed of the degradation.
    token : str
        Identity of the observation: results computed for another token are not shown.
    """
    state = st.session_state
    state[keys.SHARED_OBSERVATION] = observation
    state[keys.SHARED_CLEAN] = clean
    state[keys.SHARED_NAME] = name
    state[keys.SHARED_SPEC] = spec
    state[keys.SHARED_SEED] = int(seed_value)
    state[keys.SHARED_TOKEN] = token
