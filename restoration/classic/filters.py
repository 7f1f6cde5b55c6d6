"""Traditional local filters: mean, Gaussian, median, bilateral and the adaptive (Lee) Wiener filter.

Every filter here replaces a pixel by some average of its neighbourhood. They are
fast and easy to understand, and they show the basic trade-off of denoising: a
larger neighbourhood averages away more noise but also more detail. The later ones
try to escape that trade-off by adapting the average to the image:

* mean and Gaussian filters treat every pixel the same (linear, shift-invariant);
* the median ignores outliers, so it removes impulse noise and keeps edges;
* the bilateral filter only averages pixels of *similar value*, so it does not
  average across edges;
* the local Wiener filter smooths flat areas strongly and busy areas weakly, using
  the local variance as the measure of "busy".

Colour: mean and Gaussian filters are linear and identical on every channel, so any
colour space gives the same result (per channel). The median works channel by
channel. The bilateral filter measures similarity on the whole colour vector (one
weight per neighbour, shared by the three channels) so that it never averages
across an edge that is visible in only one channel. The local Wiener filter works in
the orthonormal luminance/opponent space (:func:`~restoration.classic.wavelet.to_opponent`),
where the chroma channels have little local variance and are smoothed hard.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy import ndimage

from ..colour import from_opponent, to_opponent
from ..noise import estimate_noise_sigma, noise_level
from ..observation import Observation

__all__ = [
    "auto_bilateral",
    "auto_gaussian",
    "auto_mean",
    "auto_median",
    "auto_wiener_filter",
    "denoise_bilateral",
    "denoise_gaussian",
    "denoise_local_wiener",
    "denoise_mean",
    "denoise_median",
    "run_bilateral",
    "run_gaussian",
    "run_mean",
    "run_median",
    "run_wiener_filter",
]


def _per_channel_size(image: np.ndarray, size: int) -> tuple[int, ...]:
    return (size, size) if image.ndim == 2 else (size, size, 1)


# --------------------------------------------------------------------------- mean and Gaussian
def denoise_mean(image: np.ndarray, *, size: int = 3) -> np.ndarray:
    """Mean (box) filter: each pixel becomes the average of a ``size`` x ``size`` window.

    Averaging ``n = size**2`` pixels of independent noise divides the noise standard
    deviation by ``size``, but it also blurs every edge over ``size`` pixels. It is
    the simplest linear low-pass filter and the baseline of local smoothing.

    Parameters
    ----------
    image : numpy.ndarray
        HxW or HxWxC float image.
    size : int
        Window width in pixels (1 leaves the image unchanged); larger removes more
        noise and more detail.

    Returns
    -------
    numpy.ndarray
        Filtered image, same shape and dtype (the border is mirrored).

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., 2018, sec. 3.5.
    """
    out = ndimage.uniform_filter(image.astype(np.float32, copy=False), size=_per_channel_size(image, size),
                                 mode="mirror")
    return out.astype(image.dtype, copy=False)


def denoise_gaussian(image: np.ndarray, *, sigma_spatial: float = 1.0) -> np.ndarray:
    """Gaussian filter: a weighted average whose weights fall off as a Gaussian bell.

    Computes ``(g * x)`` with ``g(u) ~ exp(-|u|^2 / (2 sigma_spatial^2))``, truncated
    at 4 standard deviations. Compared with the mean filter, nearer pixels count
    more, so there are no ringing side lobes in the frequency response: it is the
    smoothest linear low-pass filter.

    Parameters
    ----------
    image : numpy.ndarray
        HxW or HxWxC float image.
    sigma_spatial : float
        Standard deviation of the bell in *pixels* (not the noise level); larger
        removes more noise and blurs more.

    Returns
    -------
    numpy.ndarray
        Filtered image, same shape and dtype (the border is mirrored).

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., 2018, sec. 3.5.
    """
    sig = (sigma_spatial, sigma_spatial) if image.ndim == 2 else (sigma_spatial, sigma_spatial, 0.0)
    out = ndimage.gaussian_filter(image.astype(np.float32, copy=False), sigma=sig, mode="mirror", truncate=4.0)
    return out.astype(image.dtype, copy=False)


# --------------------------------------------------------------------------- median
def _switching_median(image: np.ndarray, max_size: int) -> np.ndarray:
    """Replace only impulse pixels (exactly 0 or 1) by the median of the non-impulse neighbours.

    The window grows from 3x3 to ``max_size`` until it holds at least one clean pixel.
    """
    out = image.astype(np.float32, copy=True)
    planes = out[..., None] if out.ndim == 2 else out
    for c in range(planes.shape[2]):
        plane = planes[..., c]
        noisy = (plane <= 0.0) | (plane >= 1.0)
        todo = noisy.copy()
        clean_vals = np.where(noisy, np.nan, plane).astype(np.float32)
        size = 3
        while todo.any() and size <= max(3, max_size):
            r = size // 2
            padded = np.pad(clean_vals, r, mode="reflect") if min(plane.shape) > r else np.pad(
                clean_vals, r, mode="edge"
            )
            windows = sliding_window_view(padded, (size, size))
            ys, xs = np.nonzero(todo)
            patch = windows[ys, xs].reshape(len(ys), -1)
            has_clean = ~np.all(np.isnan(patch), axis=1)
            if has_clean.any():
                med = np.nanmedian(patch[has_clean], axis=1)
                plane[ys[has_clean], xs[has_clean]] = med
                todo[ys[has_clean], xs[has_clean]] = False
            size += 2
        if todo.any():  # nothing clean nearby at all: fall back to the plain median
            plane[todo] = ndimage.median_filter(planes[..., c], size=3, mode="mirror")[todo]
    return out


def denoise_median(image: np.ndarray, *, size: int = 3, switching: bool = False) -> np.ndarray:
    """Median filter over a ``size`` x ``size`` window, channel by channel.

    The border is extended by mirror reflection. A larger window removes more noise
    (and more detail); it is robust to impulse noise because a median ignores outliers:
    it solves ``min_m sum_i |x_i - m|`` over the window (the L1 analogue of the mean).

    With ``switching=True`` it becomes a *switching* (adaptive) median for
    salt-and-pepper noise: only pixels that sit exactly at 0 or 1 -- the values
    impulse noise writes -- are replaced, by the median of the non-impulse pixels
    in a window that grows from 3x3 up to ``size`` until it finds some. Clean pixels
    are left exactly as they are, so detail survives even at high noise densities.

    Parameters
    ----------
    image : numpy.ndarray
        HxW or HxWxC float image.
    size : int
        Window width in pixels (1 leaves the image unchanged); in switching mode the
        largest window tried.
    switching : bool
        Only replace impulse pixels (salt-and-pepper noise); leave the others untouched.

    Returns
    -------
    numpy.ndarray
        Filtered image, same shape and dtype.

    References
    ----------
    J. W. Tukey, *Exploratory Data Analysis*, 1977. H. Hwang and R. A. Haddad,
    "Adaptive median filters: new algorithms and results", IEEE TIP 4(4), 1995.
    """
    if switching:
        return _switching_median(image, size).astype(image.dtype, copy=False)
    footprint = _per_channel_size(image, size)
    return ndimage.median_filter(image, size=footprint, mode="mirror").astype(image.dtype, copy=False)


# --------------------------------------------------------------------------- bilateral
def denoise_bilateral(
    image: np.ndarray, *, sigma_spatial: float = 2.0, sigma_range: float = 40.0, radius: int = 0
) -> np.ndarray:
    """Bilateral filter: average only the neighbours that are both close *and* similar.

    Each output pixel is ``sum_j w_ij x_j / sum_j w_ij`` with

    ``w_ij = exp(-|p_i - p_j|^2 / (2 sigma_spatial^2)) * exp(-||x_i - x_j||^2 / (2 sigma_range^2))``,

    a spatial Gaussian times a *range* Gaussian on the difference of values. Across
    an edge the values differ a lot, the range weight is tiny, and the edge is not
    blurred. For colour images ``||x_i - x_j||^2`` is the mean over the three
    channels of the squared difference, so one weight is shared by all channels and
    ``sigma_range`` means the same for gray and colour.

    Parameters
    ----------
    image : numpy.ndarray
        HxW or HxWxC float image in [0, 1].
    sigma_spatial : float
        Spatial standard deviation in pixels: larger averages over a wider area.
    sigma_range : float
        Range standard deviation on the 0-255 intensity scale: larger averages
        across bigger differences (at infinity it is a Gaussian filter); it should
        be a bit above the noise level, or noise spikes are kept as "edges".
    radius : int
        Radius of the (round) window in pixels; 0 picks ``ceil(2 sigma_spatial)``.

    Returns
    -------
    numpy.ndarray
        Filtered image, same shape and dtype (the border is mirrored).

    References
    ----------
    C. Tomasi and R. Manduchi, "Bilateral filtering for gray and color images", ICCV 1998.
    """
    dtype = image.dtype
    x = np.asarray(image, dtype=np.float32)
    gray = x.ndim == 2
    planes = x[None] if gray else np.ascontiguousarray(np.moveaxis(x, 2, 0))  # channel-first: C x H x W
    c, h, w = planes.shape
    r = int(radius) if radius > 0 else max(1, math.ceil(2.0 * sigma_spatial))
    r = min(r, max(1, min(h, w) - 1))
    mode = "reflect" if min(h, w) > r else "edge"
    padded = np.pad(planes, ((0, 0), (r, r), (r, r)), mode=mode)
    inv_range = np.float32(-1.0 / (2.0 * (max(sigma_range, 1e-3) / 255.0) ** 2 * c))
    num = np.zeros_like(planes)
    den = np.zeros((h, w), dtype=np.float32)
    diff = np.empty((h, w), dtype=np.float32)
    weight = np.empty((h, w), dtype=np.float32)
    for dy in range(-r, r + 1):
        for dx in range(-r, r + 1):
            d2 = dy * dy + dx * dx
            if d2 > (r + 0.5) ** 2:  # a round window
                continue
            spatial = np.float32(math.exp(-d2 / (2.0 * sigma_spatial**2)))
            shifted = padded[:, r + dy : r + dy + h, r + dx : r + dx + w]
            weight.fill(0.0)
            for k in range(c):  # squared colour distance, summed over channels
                np.subtract(shifted[k], planes[k], out=diff)
                np.square(diff, out=diff)
                weight += diff
            weight *= inv_range
            np.exp(weight, out=weight)
            weight *= spatial
            den += weight
            for k in range(c):
                np.multiply(weight, shifted[k], out=diff)
                num[k] += diff
    out = num / den
    out = out[0] if gray else np.moveaxis(out, 0, 2)
    return np.ascontiguousarray(out).astype(dtype, copy=False)


# --------------------------------------------------------------------------- local Wiener (Lee) filter
def denoise_local_wiener(
    image: np.ndarray, *, size: int = 5, sigma: float = 0.0, colour: str = "opponent"
) -> np.ndarray:
    """Adaptive local Wiener filter (Lee's filter, MATLAB's ``wiener2``).

    In a ``size`` x ``size`` window around each pixel, estimate the local mean ``mu``
    and variance ``s^2`` of the noisy image. With noise variance ``n^2``, the clean
    signal's local variance is about ``max(s^2 - n^2, 0)``, and the linear
    minimum-mean-square-error estimate of the pixel is

    ``x_hat = mu + max(s^2 - n^2, 0) / max(s^2, n^2) * (x - mu)``.

    In flat areas (``s^2 ~ n^2``) the gain is ~0 and the pixel becomes the local
    mean; on edges and texture (``s^2 >> n^2``) the gain is ~1 and the pixel is kept.

    Parameters
    ----------
    image : numpy.ndarray
        HxW or HxWx3 float image.
    size : int
        Window width for the local statistics: larger gives steadier estimates and
        smoother flat areas, but mixes statistics across edges.
    sigma : float
        Noise standard deviation on the 0-255 scale; 0 estimates it (MAD of the
        finest diagonal wavelet subband; MATLAB's wiener2 instead uses the mean of the
        local variances, which over-estimates on textured images).
    colour : {"opponent", "rgb"}
        Colour images: filter in the orthonormal opponent space (default) or per RGB channel.

    Returns
    -------
    numpy.ndarray
        Filtered image, same shape and dtype.

    References
    ----------
    J.-S. Lee, "Digital image enhancement and noise filtering by use of local
    statistics", IEEE TPAMI 2(2), 1980. J. S. Lim, *Two-Dimensional Signal and Image
    Processing*, 1990, eq. 9.26 (MATLAB ``wiener2``).
    """
    dtype = image.dtype
    x = np.asarray(image, dtype=np.float64)
    opponent = x.ndim == 3 and x.shape[2] == 3 and colour == "opponent"
    if opponent:
        x = to_opponent(x)
    sig = sigma if sigma > 0 else estimate_noise_sigma(image)
    noise_var = (sig / 255.0) ** 2
    footprint = _per_channel_size(x, size)
    mu = ndimage.uniform_filter(x, size=footprint, mode="mirror")
    var = ndimage.uniform_filter(x * x, size=footprint, mode="mirror") - mu * mu
    gain = np.maximum(var - noise_var, 0.0) / np.maximum(np.maximum(var, noise_var), 1e-12)
    out = mu + gain * (x - mu)
    if opponent:
        out = from_opponent(out)
    return out.astype(dtype, copy=False)


# --------------------------------------------------------------------------- auto parameters and registry adapters
def _looks_like_impulse_noise(image: np.ndarray) -> bool:
    """Guess whether an image carries salt-and-pepper noise (for observations that do not say).

    Impulse noise writes many pixels at exactly 0 or 1, and nearly all of the image's
    fine-scale "noise" disappears once those pixels are replaced by a local median.
    Gaussian noise clipped at 0/1 also produces extreme pixels, but replacing them
    leaves its noise level almost unchanged.
    """
    x = np.asarray(image, dtype=np.float32)
    extreme = (x <= 0.0) | (x >= 1.0)
    if extreme.mean() < 0.005:
        return False
    med = ndimage.median_filter(x, size=_per_channel_size(x, 3), mode="mirror")
    before = estimate_noise_sigma(x)
    after = estimate_noise_sigma(np.where(extreme, med, x))
    return after < 0.6 * before


def auto_mean(observation: Observation) -> dict[str, object]:
    """Tuned window for the mean filter: 3 below sigma 37, then 5.

    Fitted on Set12; confirmed within 0.1 dB on Train400's held-out split
    (scripts/sweep_defaults.py, docs/benchmarks/defaults_sweep.md).
    """
    sig = noise_level(observation)
    return {"size": 3 if sig < 37 else 5}


def auto_gaussian(observation: Observation) -> dict[str, object]:
    """Tuned bell width for the Gaussian filter: ``0.3 + 0.022 sigma`` pixels.

    Fitted on Set12; confirmed within 0.1 dB on Train400's held-out split
    (scripts/sweep_defaults.py, docs/benchmarks/defaults_sweep.md).
    """
    sig = noise_level(observation)
    return {"sigma_spatial": round(float(np.clip(0.3 + 0.022 * sig, 0.3, 3.0)), 2)}


def auto_median(observation: Observation) -> dict[str, object]:
    """Switching median for impulse noise; otherwise 3x3 below sigma 30, then 5x5.

    The windows were fitted on Set12 and confirmed within 0.1 dB on Train400's held-out split
    (scripts/sweep_defaults.py, docs/benchmarks/defaults_sweep.md).
    """
    if "salt_pepper" in observation.noise or (
        not observation.noise and _looks_like_impulse_noise(observation.degraded)
    ):
        return {"size": 7, "switching": True}
    sig = noise_level(observation)
    return {"size": 3 if sig < 30 else 5, "switching": False}


def auto_bilateral(observation: Observation) -> dict[str, object]:
    """Tuned bilateral widths (Set12 gray, Kodak crops colour).

    ``sigma_spatial = 1 + 0.016 sigma`` pixels and ``sigma_range = (2.2 + 0.025 sigma) sigma``
    for gray; colour takes 0.75 of that range width, because the colour distance
    averages three channels and so fluctuates less with the noise.
    """
    sig = noise_level(observation)
    k = 2.2 + 0.025 * sig
    if not observation.is_gray:
        k *= 0.75
    return {
        "sigma_range": round(float(np.clip(k * sig, 2.0, 255.0)), 1),
        "sigma_spatial": round(float(np.clip(1.0 + 0.016 * sig, 1.0, 3.0)), 2),
    }


def auto_wiener_filter(observation: Observation) -> dict[str, object]:
    """Tuned window of the local Wiener filter: 5 below sigma 38, then 7.

    Fitted on Set12; confirmed within 0.1 dB on Train400's held-out split
    (scripts/sweep_defaults.py, docs/benchmarks/defaults_sweep.md).
    """
    sig = noise_level(observation)
    return {"sigma": round(sig, 2), "size": 5 if sig < 38 else 7}


def run_mean(observation: Observation, *, size: int) -> np.ndarray:
    """Registry adapter for :func:`denoise_mean`."""
    return denoise_mean(observation.degraded.astype(np.float32), size=size)


def run_gaussian(observation: Observation, *, sigma_spatial: float) -> np.ndarray:
    """Registry adapter for :func:`denoise_gaussian`."""
    return denoise_gaussian(observation.degraded.astype(np.float32), sigma_spatial=sigma_spatial)


def run_median(observation: Observation, *, size: int, switching: bool) -> np.ndarray:
    """Registry adapter for :func:`denoise_median`."""
    return denoise_median(observation.degraded.astype(np.float32), size=size, switching=switching)


def run_bilateral(observation: Observation, *, sigma_spatial: float, sigma_range: float) -> np.ndarray:
    """Registry adapter for :func:`denoise_bilateral`."""
    return denoise_bilateral(
        observation.degraded.astype(np.float32), sigma_spatial=sigma_spatial, sigma_range=sigma_range
    )


def run_wiener_filter(observation: Observation, *, size: int, sigma: float) -> np.ndarray:
    """Registry adapter for :func:`denoise_local_wiener` (``sigma`` 0 = estimate)."""
    return denoise_local_wiener(observation.degraded.astype(np.float32), size=size, sigma=sigma)
