"""Colour transforms: the only home of the colour matrices every family uses.

A leaf module (numpy only). Three conventions appear in image restoration, each for a reason:

* **Opponent colour** (:func:`to_opponent`): an orthonormal rotation to one luminance and two colour-difference
  channels. Orthonormal, so white Gaussian noise of standard deviation ``sigma`` in RGB stays white with the same
  ``sigma`` in every new channel; the RGB channels of natural images are strongly correlated, so most of the
  signal lands in the luminance. Colour BM3D, wavelet shrinkage, sparse coding and the median filter denoise here.
* **YCbCr of ITU-R BT.601, studio swing** (:func:`to_ycbcr`, :func:`rgb_to_y`), as MATLAB's ``rgb2ycbcr``
  computes it: the luma on which super-resolution papers report PSNR, and the channel SR methods enlarge.
* **BT.601 luma weights, full range** (:data:`LUMA_WEIGHTS`): turning an RGB photo into a gray one for display
  and for the gray models (:func:`restoration.images.to_gray`).
"""

from __future__ import annotations

import numpy as np

from .errors import ImageValueError

__all__ = [
    "LUMA_WEIGHTS",
    "OPPONENT",
    "YCBCR",
    "YCBCR_OFFSET",
    "from_opponent",
    "from_ycbcr",
    "rgb_to_y",
    "to_opponent",
    "to_ycbcr",
]

#: Rows: luminance (R+G+B)/sqrt(3), red-blue (R-B)/sqrt(2), green-magenta (R-2G+B)/sqrt(6). Orthonormal.
OPPONENT = np.array(
    [
        [1 / np.sqrt(3), 1 / np.sqrt(3), 1 / np.sqrt(3)],
        [1 / np.sqrt(2), 0.0, -1 / np.sqrt(2)],
        [1 / np.sqrt(6), -2 / np.sqrt(6), 1 / np.sqrt(6)],
    ]
)

#: MATLAB ``rgb2ycbcr`` for RGB in [0, 1] (ITU-R BT.601, studio swing): ``ycc = rgb @ YCBCR.T + YCBCR_OFFSET``.
YCBCR = np.array([[65.481, 128.553, 24.966], [-37.797, -74.203, 112.0], [112.0, -93.786, -18.214]]) / 255.0
#: Offsets of Y, Cb, Cr on the [0, 1] scale.
YCBCR_OFFSET = np.array([16.0, 128.0, 128.0]) / 255.0

#: Full-range BT.601 luma weights of R, G, B (sum 1): a gray image with the range kept in [0, 1].
LUMA_WEIGHTS = np.array([0.299, 0.587, 0.114], dtype=np.float32)


def to_opponent(image: np.ndarray) -> np.ndarray:
    """Rotate an RGB image into the orthonormal luminance/opponent colour space.

    The three new channels are ``(R+G+B)/sqrt(3)`` (luminance), ``(R-B)/sqrt(2)`` and ``(R-2G+B)/sqrt(6)`` (two
    chroma differences). The matrix is orthonormal, so white Gaussian noise of standard deviation ``sigma`` in RGB
    is still white Gaussian noise of standard deviation ``sigma`` in each new channel, and the rotation is undone
    exactly by :func:`from_opponent`.

    Parameters
    ----------
    image : numpy.ndarray
        HxWx3 float image.

    Returns
    -------
    numpy.ndarray
        HxWx3 float64 array (the chroma channels are centred on 0).
    """
    return np.asarray(image, dtype=np.float64) @ OPPONENT.T


def from_opponent(image: np.ndarray) -> np.ndarray:
    """Inverse of :func:`to_opponent` (the transpose of the orthonormal matrix).

    Parameters
    ----------
    image : numpy.ndarray
        HxWx3 array in the opponent space.

    Returns
    -------
    numpy.ndarray
        HxWx3 float64 RGB array.
    """
    return np.asarray(image, dtype=np.float64) @ OPPONENT


def to_ycbcr(image: np.ndarray) -> np.ndarray:
    """RGB in [0, 1] -> YCbCr in [0, 1] (MATLAB ``rgb2ycbcr``; Y in [16/255, 235/255]).

    Parameters
    ----------
    image : numpy.ndarray
        HxWx3 RGB image in [0, 1].

    Returns
    -------
    numpy.ndarray
        HxWx3 float64 array: Y, Cb, Cr.
    """
    return np.asarray(image, dtype=np.float64) @ YCBCR.T + YCBCR_OFFSET


def from_ycbcr(image: np.ndarray) -> np.ndarray:
    """Inverse of :func:`to_ycbcr`.

    Parameters
    ----------
    image : numpy.ndarray
        HxWx3 Y, Cb, Cr array.

    Returns
    -------
    numpy.ndarray
        HxWx3 float64 RGB array (not clipped).
    """
    return (np.asarray(image, dtype=np.float64) - YCBCR_OFFSET) @ np.linalg.inv(YCBCR).T


def rgb_to_y(image: np.ndarray) -> np.ndarray:
    """Luma Y of ITU-R BT.601 (MATLAB ``rgb2ycbcr``) for an RGB image in [0, 1]; result in [16/255, 235/255].

    Parameters
    ----------
    image : numpy.ndarray
        HxWx3 RGB image.

    Returns
    -------
    numpy.ndarray
        HxW float64 luma, the channel super-resolution papers report PSNR on.

    Raises
    ------
    ImageValueError
        If the image is not HxWx3.
    """
    arr = np.asarray(image, dtype=np.float64)
    if arr.ndim != 3 or arr.shape[2] != 3:
        raise ImageValueError(f"rgb_to_y needs an HxWx3 image, got shape {arr.shape}")
    return YCBCR_OFFSET[0] + arr @ YCBCR[0]
