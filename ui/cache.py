"""Every ``st.cache_data`` / ``st.cache_resource`` wrapper of the app lives here.

Pages call these instead of decorating functions themselves, so cache sizes and
lifetimes are set in one place. ``st.cache_data`` returns a fresh copy on every
call, so callers may modify what they get without corrupting the cache.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from ui import demo

__all__ = ["load_sample", "sample_catalog"]


@st.cache_data(ttl="10m", max_entries=4, show_spinner=False)
def sample_catalog() -> list[tuple[str, str]]:
    """Sample images for the pickers, as ``(key, title)`` pairs (gallery first, then synthetic).

    Returns
    -------
    list of tuple of (str, str)
        Never empty. Refreshed every ten minutes so that new gallery files appear.
    """
    return [(s.key, s.title) for s in demo.list_samples()]


@st.cache_data(max_entries=16, show_spinner="Loading the sample image...")
def load_sample(key: str, max_pixels: int | None = demo.DEMO_MAX_PIXELS) -> np.ndarray:
    """Load a sample image (see :func:`ui.demo.load_sample`), keeping the 16 most recent.

    Images are shrunk to ``max_pixels`` *before* they enter the cache, so a large
    gallery photo costs the cache no more than the demo needs.

    Parameters
    ----------
    key : str
        A key from :func:`sample_catalog`.
    max_pixels : int or None
        Shrink larger images to at most this many pixels; ``None`` keeps the full size.

    Returns
    -------
    numpy.ndarray
        float32 image in [0, 1].

    Raises
    ------
    restoration.RestorationError
        For an unknown key or an unreadable file (errors are not cached).
    """
    return demo.load_sample(key, max_pixels)
