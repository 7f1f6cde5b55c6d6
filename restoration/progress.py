"""Progress of a long-running method, reported to whoever listens: a page's progress bar, a command's bar.

A method that trains or iterates for seconds (the zero-shot denoiser trains a network on the image) calls
:func:`report` as it goes; a caller that wants to show it wraps the call in :func:`listening`. The listener lives in
a :mod:`contextvars` variable, so concurrent sessions (threads) each hear only their own method, and a method
called with nobody listening pays one lookup per report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["Listener", "listening", "report"]

#: ``listener(done, total, text)``: ``done`` of ``total`` units of work, with a short text (may be empty).
Listener = Callable[[int, int, str], None]

_LISTENER: ContextVar[Listener | None] = ContextVar("restoration_progress_listener", default=None)


@contextmanager
def listening(listener: Listener | None) -> Iterator[None]:
    """Send the progress reports of the code run inside this block to ``listener`` (None: to nobody).

    Parameters
    ----------
    listener : callable or None
        Called as ``listener(done, total, text)``. It must be quick; an exception it raises is not caught.
    """
    token = _LISTENER.set(listener)
    try:
        yield
    finally:
        _LISTENER.reset(token)


def report(done: int, total: int, text: str = "") -> None:
    """Report that ``done`` of ``total`` units of work are finished (to the listener of :func:`listening`, if any).

    Parameters
    ----------
    done, total : int
        Progress so far and the whole.
    text : str
        What is being done, for a person.
    """
    listener = _LISTENER.get()
    if listener is not None:
        listener(int(done), int(total), text)
