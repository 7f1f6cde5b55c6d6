"""Traditional local filters."""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from ..degradations import Observation


def denoise_median(image: np.ndarray, *, size: int = 3) -> np.ndarray:
    """Median filter over a ``size`` x ``size`` window, channel by channel.

    The border is extended by mirror reflection. A larger window removes more noise
    (and more detail); it is robust to impulse noise because a median ignores outliers.

    Parameters
    ----------
    image : numpy.ndarray
        HxW or HxWxC float image.
    size : int
        Window width in pixels (1 leaves the image unchanged).

    Returns
    -------
    numpy.ndarray
        Filtered image, same shape and dtype.
    """
    footprint = (size, size) if image.ndim == 2 else (size, size, 1)
    return ndimage.median_filter(image, size=footprint, mode="mirror").astype(image.dtype, copy=False)


def run_median(observation: Observation, *, size: int) -> np.ndarray:
    """Registry adapter for :func:`denoise_median`."""
    return denoise_median(observation.degraded.astype(np.float32), size=size)
