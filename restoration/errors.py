"""Exception types of the package.

Every error that bad *input* can cause is a :class:`RestorationError`, so that the
command line and the pages can catch one type and show its message as one clear
line, while programming errors still surface as ordinary tracebacks in tests.
"""

from __future__ import annotations

__all__ = [
    "ImageDecodeError",
    "ImageTooLargeError",
    "ImageValueError",
    "ParameterError",
    "RestorationError",
    "SpecError",
    "TaskMismatchError",
    "UnknownMethodError",
]


class RestorationError(ValueError):
    """Base class of all errors caused by bad input (files, arrays, specs, parameters)."""


class ImageDecodeError(RestorationError):
    """The bytes are empty, truncated, corrupted or not an image Pillow can decode."""


class ImageTooLargeError(RestorationError):
    """The image has more pixels than the configured limit (checked before decoding)."""


class ImageValueError(RestorationError):
    """An array is not a valid image (wrong shape, dtype, NaN/inf, out of range)."""


class SpecError(RestorationError):
    """A degradation pipeline specification cannot be parsed or names an unknown step."""


class ParameterError(RestorationError):
    """A parameter value is of the wrong type or outside its allowed range."""


class UnknownMethodError(RestorationError):
    """No algorithm of that name is registered."""


class TaskMismatchError(RestorationError):
    """The algorithm does not solve the task of the observation it was given."""
