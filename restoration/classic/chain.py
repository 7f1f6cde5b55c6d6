"""The traditional chain for combined degradations: denoise, then invert blur and downsampling at once.

The survey's main experiment degrades an image by motion blur, downsampling and
Gaussian noise together (``motion_blur(length=9, angle=30) | downsample(scale=2) |
gaussian_noise(sigma=10)``). Its "traditional method" column stands for the best that
the classic toolbox can do on that problem; this module is our version of it:

1. **denoise on the low-resolution grid** with BM3D (:mod:`restoration.classic.bm3d`),
   where the noise is still white and of known level -- after enlargement or
   deconvolution it would be correlated and amplified;
2. **super-resolve and deblur in one step** with total variation
   (:func:`restoration.classic.variational.tv_restore`): find the high-resolution image
   ``x`` minimising ``1/2 ||D (k * x) - y_denoised||^2 + lam TV(x)`` with the known
   kernel ``k`` and the exact bicubic downsampling ``D``. Modelling the blur and the
   downsampling together avoids the artefacts of a bicubic enlargement followed by a
   separate deconvolution (which has to undo the bicubic blur too).

``lam`` plays the role of the leftover noise level after BM3D. We compared, on the
gallery (see ``docs/benchmarks/classic_more.md``): TV-SR directly on the noisy input,
BM3D -> bicubic -> Wiener or TV deconvolution, BM3D -> back-projection, wavelet
shrinkage instead of BM3D; BM3D followed by TV-SR was best on every category.

The survey's own "traditional method (e.g. BM3D)" is a denoiser: it cannot undo blur or
recover resolution. :func:`restore_bm3d_bicubic` is that baseline as the survey could
have run it -- BM3D on the small image, then a plain bicubic enlargement, no deblurring --
so that the app can show it beside ``classic_chain`` and both gaps stay visible.

References
----------
K. Dabov et al., "Image denoising by sparse 3-D transform-domain collaborative filtering",
IEEE TIP 16(8), 2007; A. Marquina and S. J. Osher, "Image super-resolution by
TV-regularization and Bregman iteration", J. Sci. Comput. 37, 2008; A. Chambolle and
T. Pock, JMIV 40, 2011.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..noise import noise_level
from ..observation import Observation
from ..ops import imresize

__all__ = [
    "auto_bm3d_bicubic",
    "auto_classic_chain",
    "restore_bm3d_bicubic",
    "restore_chain",
    "run_bm3d_bicubic",
    "run_classic_chain",
]



def _denoise(image: np.ndarray, sigma: float, denoiser: str) -> np.ndarray:
    """The chain's first step: the named registered denoiser at level ``sigma`` (none at 0)."""
    if sigma <= 0 or denoiser == "none":
        return image
    from ..registry import denoiser as as_prior

    return as_prior(denoiser)(image, sigma)


def restore_chain(
    observation: Observation,
    *,
    denoiser: str = "bm3d",
    sigma: float = 0.0,
    lam: float = 6e-4,
    iterations: int = 100,
) -> np.ndarray:
    """Denoise the observation on its own grid, then solve TV super-resolution with the known operator.

    The energy of the second step is ``1/2 ||M D (k * x) - y_d||^2 + lam TV(x)``,
    where ``y_d`` is the denoised observation and ``k`` (blur), ``D`` (downsampling)
    and ``M`` (mask) are whatever the observation records. With a mask the denoising
    step is skipped (a patch denoiser would see the fill value as data).

    Parameters
    ----------
    observation : Observation
        The degraded image and its degradation (kernel, scale, mask, noise level).
    denoiser : str
        First step: the registry name of a denoiser usable as a prior (:data:`restoration.specs.PRIORS`:
        BM3D, the best classic one, a few seconds; the CNN; wavelet shrinkage, fast; non-local means) or
        ``"none"``.
    sigma : float
        Noise level for the denoiser on the 0-255 scale (0 = the observation's, or an
        estimate); larger removes more noise and more detail.
    lam : float
        TV weight of the second step (intensities in [0, 1]): larger gives flatter,
        cleaner results; smaller keeps more texture and leftover noise.
    iterations : int
        Most primal-dual iterations of the TV step.

    Returns
    -------
    numpy.ndarray
        float32 image of ``observation.output_shape``.
    """
    from .variational import tv_restore

    y = np.asarray(observation.degraded, dtype=np.float32)
    level = float(sigma) if sigma > 0 else noise_level(observation, noise_free="zero")
    if observation.mask is None:
        y = _denoise(y, level, denoiser).astype(np.float32)
    cleaned = replace(observation, degraded=y, clean=None)
    restored, _ = tv_restore(cleaned, lam=float(lam), iterations=int(iterations))
    return restored.astype(np.float32)


def auto_classic_chain(observation: Observation) -> dict[str, object]:
    """Defaults: the noise level, and ``lam = max(1e-4, 0.015 sigma / 255)``.

    Gallery sweep on the survey's combined degradation (sigma 10): after BM3D the best
    TV weight was 0.01-0.02 sigma / 255 (both ends within 0.1 dB of 0.015); with no
    noise the TV-SR default 1e-4 of :func:`restoration.classic.variational.auto_tv_sr`.
    """
    sig = noise_level(observation, noise_free="zero")
    return {"sigma": round(sig, 2), "lam": round(float(max(1e-4, 0.015 * sig / 255.0)), 6)}


def run_classic_chain(
    observation: Observation,
    *,
    denoiser: str,
    sigma: float,
    lam: float,
    iterations: int,
) -> np.ndarray:
    """Registry adapter for :func:`restore_chain`."""
    return restore_chain(observation, denoiser=denoiser, sigma=sigma, lam=lam, iterations=iterations)


# --------------------------------------------------------------------------- the survey's traditional baseline
#: Largest noise level the ``bm3d_bicubic`` entry accepts (that of the ``bm3d`` entry).
_BM3D_SIGMA_MAX = 100.0


def restore_bm3d_bicubic(observation: Observation, *, sigma: float = 0.0) -> np.ndarray:
    """BM3D on the low-resolution observation, then bicubic enlargement: the survey's traditional baseline.

    The survey compares its network with "a traditional method (e.g. BM3D)" on blur +
    downsampling + noise. BM3D only removes noise, so the best such a baseline can do is
    ``x = U(BM3D(y))``: denoise the small image ``y`` where the noise is still white, then
    enlarge it with MATLAB-style bicubic interpolation ``U`` (the ``bicubic`` method) to the
    observation's output shape. Nothing undoes the blur or recovers lost detail: that is the
    point of this baseline; :func:`restore_chain` is the classic pipeline that does.

    Parameters
    ----------
    observation : Observation
        The degraded image and what is known about it (scale, noise level). A blur kernel
        or a mask is ignored: this baseline neither deblurs nor fills missing pixels.
    sigma : float
        Noise level given to BM3D on the 0-255 scale (0 = the observation's, estimated when
        unknown); larger removes more noise and more detail.

    Returns
    -------
    numpy.ndarray
        float32 image of ``observation.output_shape``, clipped to [0, 1].

    References
    ----------
    K. Dabov et al., "Image denoising by sparse 3-D transform-domain collaborative filtering",
    IEEE TIP 16(8), 2007; R. Keys, "Cubic convolution interpolation for digital image
    processing", IEEE TASSP 29(6), 1981.
    """
    from .bm3d import denoise_bm3d

    y = np.asarray(observation.degraded, dtype=np.float32)
    level = float(sigma) if sigma > 0 else noise_level(observation)
    denoised = denoise_bm3d(y, sigma=level)
    out = imresize(denoised, output_shape=observation.output_shape[:2], method="bicubic")
    return np.clip(out, 0.0, 1.0).astype(np.float32)


def auto_bm3d_bicubic(observation: Observation) -> dict[str, object]:
    """Default: the noise level BM3D will assume (the observation's, or an estimate), shown so it can be changed."""
    return {"sigma": round(min(noise_level(observation), _BM3D_SIGMA_MAX), 2)}


def run_bm3d_bicubic(observation: Observation, *, sigma: float) -> np.ndarray:
    """Registry adapter for :func:`restore_bm3d_bicubic`."""
    return restore_bm3d_bicubic(observation, sigma=sigma)
