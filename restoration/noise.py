"""Noise level: one estimator and one rule for what a non-blind method assumes.

A leaf module. Every method that needs the noise standard deviation ``sigma`` (on the 0-255 scale of the
literature) asks :func:`noise_level`, so the rule is the same in every family:

* ``Observation.sigma`` states the level of the additive Gaussian noise when it is known (a degradation
  pipeline records it; a user may type it); ``None`` means unknown (an uploaded photo). ``0.0`` means the
  pipeline added no Gaussian noise.
* A stated positive level is used as given. Otherwise the level is estimated from the pixels with
  :func:`estimate_noise_sigma`; a method whose inverse needs a positive level asks for a ``floor``.
* Methods for which "no noise" is a valid answer (the data term of an inverse problem without noise) pass
  ``noise_free="zero"``: an observation that records no noise of any kind then gets 0.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np

if TYPE_CHECKING:
    from .observation import Observation

__all__ = ["estimate_noise_sigma", "noise_level"]


def estimate_noise_sigma(image: np.ndarray) -> float:
    """Estimate the standard deviation of white Gaussian noise, on the 0-255 scale.

    Uses Donoho's robust MAD estimator on the finest diagonal (HH) subband of a
    Daubechies-2 wavelet transform: natural images have few large coefficients
    there, so ``median(|HH|) / 0.6745`` is close to the noise level (0.6745 is the
    median of ``|z|`` for a standard normal ``z``). It over-estimates a little on
    very textured images. Colour images give the mean of the per-channel estimates.

    Parameters
    ----------
    image : numpy.ndarray
        HxW or HxWxC float image in [0, 1] (values outside are fine).

    Returns
    -------
    float
        Estimated noise standard deviation on the 0-255 scale (>= 0).

    References
    ----------
    D. L. Donoho and I. M. Johnstone, "Ideal spatial adaptation by wavelet
    shrinkage", Biometrika 81(3), 1994.
    """
    arr = np.asarray(image, dtype=np.float64)
    if arr.ndim == 2:
        arr = arr[..., None]
    if min(arr.shape[:2]) < 4:
        return 0.0
    import pywt  # here, not at the top: the deep models' training imports this module where PyWavelets may not be

    _, (_, _, hh) = pywt.dwt2(arr, "db2", mode="symmetric", axes=(0, 1))
    per_channel = np.median(np.abs(hh), axis=(0, 1)) / 0.6745
    return float(np.mean(per_channel) * 255.0)


def noise_level(
    observation: Observation, *, noise_free: Literal["estimate", "zero"] = "estimate", floor: float = 0.0
) -> float:
    """The noise level, on the 0-255 scale, that a non-blind method should assume for ``observation``.

    Parameters
    ----------
    observation : Observation
        The degraded image and what is known about its degradation.
    noise_free : {"estimate", "zero"}
        What to assume when the observation records no noise at all (``sigma == 0`` and no Poisson, impulse
        or JPEG noise): ``"estimate"`` (the default) measures the pixels anyway -- a "clean" image still has
        quantisation and compression noise, and a denoiser run on it should do little; ``"zero"`` returns 0,
        for methods whose data term is exact without noise.
    floor : float
        Lower bound applied to an *estimated* level (e.g. 0.5 for methods that divide by sigma). A stated
        level is used as given.

    Returns
    -------
    float
        ``observation.sigma`` when it is known and positive; 0 for a noise-free observation with
        ``noise_free="zero"``; otherwise ``max(estimate_noise_sigma(observation.degraded), floor)``.
    """
    sigma = observation.sigma
    if sigma is not None and sigma > 0:
        return float(sigma)
    if noise_free == "zero" and sigma is not None and not observation.noise:
        return 0.0
    return float(max(estimate_noise_sigma(observation.degraded), floor))
