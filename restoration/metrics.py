"""Full-reference quality metrics: PSNR and SSIM, with the super-resolution conventions.

Both functions take ``(reference, estimate)`` and the same keyword options:

* ``data_range`` -- the span of the pixel scale (1.0 for our float images, 255 for uint8);
* ``y_channel`` -- compare only the luma Y of ITU-R BT.601 as MATLAB's ``rgb2ycbcr``
  computes it (``Y = 16 + 65.481 R + 128.553 G + 24.966 B`` for R, G, B in [0, 1], on
  the 0-255 scale, so Y lies in [16, 235]), the convention of published
  super-resolution tables; ignored for gray images;
* ``crop_border`` -- ignore ``n`` pixels at each border (SR papers crop ``scale`` pixels).

Colour SSIM is the mean of the per-channel SSIMs, exactly as scikit-image computes
it with ``channel_axis=-1`` (7x7 uniform window, K1=0.01, K2=0.03, sample covariance).
"""

from __future__ import annotations

import math

import numpy as np

from .colour import rgb_to_y
from .errors import ImageValueError

__all__ = ["compare", "psnr", "rgb_to_y", "ssim"]

def _prepare(
    reference: np.ndarray, estimate: np.ndarray, y_channel: bool, crop_border: int
) -> tuple[np.ndarray, np.ndarray]:
    ref = np.asarray(reference)
    est = np.asarray(estimate)
    if ref.shape != est.shape:
        raise ImageValueError(f"reference and estimate differ in shape: {ref.shape} vs {est.shape}")
    if ref.ndim not in (2, 3):
        raise ImageValueError(f"images must be HxW or HxWxC, got shape {ref.shape}")
    if ref.size == 0:
        raise ImageValueError(f"images are empty (shape {ref.shape})")
    if isinstance(crop_border, bool) or not isinstance(crop_border, (int, np.integer)):
        raise ImageValueError(f"crop_border must be a whole number of pixels, got {crop_border!r}")
    if crop_border < 0:
        raise ImageValueError(f"crop_border must be >= 0, got {crop_border}")
    if not all(np.issubdtype(a.dtype, np.number) or a.dtype == bool for a in (ref, est)):
        raise ImageValueError(f"images must hold numbers, got dtypes {ref.dtype} and {est.dtype}")
    ref = ref.astype(np.float64)
    est = est.astype(np.float64)
    if not (np.all(np.isfinite(ref)) and np.all(np.isfinite(est))):
        raise ImageValueError("images contain NaN or infinite values")
    if y_channel and ref.ndim == 3 and ref.shape[2] == 3:
        ref, est = rgb_to_y(ref), rgb_to_y(est)
    if crop_border:
        h, w = ref.shape[:2]
        if 2 * crop_border >= min(h, w):
            raise ImageValueError(f"crop_border={crop_border} leaves nothing of a {w}x{h} image")
        ref = ref[crop_border:-crop_border, crop_border:-crop_border]
        est = est[crop_border:-crop_border, crop_border:-crop_border]
    return ref, est


def _check_data_range(data_range: float) -> float:
    """``data_range`` as a float, refused unless finite and positive (a zero span has no PSNR)."""
    if isinstance(data_range, bool) or not isinstance(data_range, (int, float, np.number)):
        raise ImageValueError(f"data_range must be a number, got {data_range!r}")
    value = float(data_range)
    if not (math.isfinite(value) and value > 0):
        raise ImageValueError(f"data_range must be finite and > 0, got {data_range!r}")
    return value


def psnr(
    reference: np.ndarray,
    estimate: np.ndarray,
    *,
    data_range: float = 1.0,
    y_channel: bool = False,
    crop_border: int = 0,
) -> float:
    """Peak signal-to-noise ratio in dB: ``10 log10(data_range^2 / MSE)``.

    The MSE is taken over all pixels and channels together (as scikit-image does).
    Identical images give ``inf``.

    Parameters
    ----------
    reference, estimate : numpy.ndarray
        Same-shaped HxW or HxWxC arrays.
    data_range : float
        Span of the pixel scale (1.0 for float images in [0, 1]).
    y_channel : bool
        Compare the BT.601 luma only (SR convention); gray images are used as they are.
    crop_border : int
        Pixels ignored at each border.

    Returns
    -------
    float
        PSNR in decibels; higher is better.

    Raises
    ------
    ImageValueError
        For different shapes, empty or non-numeric arrays, NaN/inf, a ``crop_border``
        that is not a whole number >= 0 or leaves nothing, or a ``data_range`` that is
        not finite and positive.
    """
    data_range = _check_data_range(data_range)
    ref, est = _prepare(reference, estimate, y_channel, crop_border)
    mse = float(np.mean((ref - est) ** 2))
    if mse == 0.0:
        return math.inf
    return 10.0 * math.log10(data_range**2 / mse)


def ssim(
    reference: np.ndarray,
    estimate: np.ndarray,
    *,
    data_range: float = 1.0,
    y_channel: bool = False,
    crop_border: int = 0,
    gaussian_weights: bool = False,
) -> float:
    """Structural similarity index (Wang et al., IEEE TIP 2004), mean over the image.

    Computed by :func:`skimage.metrics.structural_similarity`; colour images give the
    mean of the per-channel values (``channel_axis=-1``). With ``gaussian_weights=True``
    the window is a Gaussian of sigma 1.5 with population covariance, as in the
    original paper's MATLAB code. Images too small for the 7x7 window use the largest
    odd window that fits; images under 3x3 give NaN (SSIM is undefined there).

    Parameters
    ----------
    reference, estimate : numpy.ndarray
        Same-shaped HxW or HxWxC arrays.
    data_range : float
        Span of the pixel scale.
    y_channel : bool
        Compare the BT.601 luma only.
    crop_border : int
        Pixels ignored at each border.
    gaussian_weights : bool
        Use the paper's Gaussian window instead of scikit-image's 7x7 uniform window.

    Returns
    -------
    float
        SSIM in [-1, 1]; 1 means identical.

    Raises
    ------
    ImageValueError
        As :func:`psnr`.
    """
    from skimage.metrics import structural_similarity

    data_range = _check_data_range(data_range)
    ref, est = _prepare(reference, estimate, y_channel, crop_border)
    side = min(ref.shape[:2])
    if side < 3:
        return math.nan
    kwargs: dict = {"data_range": data_range}
    if gaussian_weights:
        kwargs.update(gaussian_weights=True, sigma=1.5, use_sample_covariance=False)
        if side < 11:
            kwargs["win_size"] = side if side % 2 else side - 1
    elif side < 7:
        kwargs["win_size"] = side if side % 2 else side - 1
    if ref.ndim == 3:
        kwargs["channel_axis"] = -1
    return float(structural_similarity(ref, est, **kwargs))


def compare(
    reference: np.ndarray,
    estimate: np.ndarray,
    *,
    data_range: float = 1.0,
    y_channel: bool = False,
    crop_border: int = 0,
) -> dict[str, float]:
    """Both metrics at once: ``{"psnr": ..., "ssim": ...}`` with the same conventions."""
    opts = {"data_range": data_range, "y_channel": y_channel, "crop_border": crop_border}
    return {"psnr": psnr(reference, estimate, **opts), "ssim": ssim(reference, estimate, **opts)}
