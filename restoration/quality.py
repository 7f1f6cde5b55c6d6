"""No-reference image quality: scores for a photo that has no clean original.

* :func:`niqe` -- the Natural Image Quality Evaluator (Mittal, Soundararajan and Bovik, IEEE Signal Processing
  Letters 20(3), 2013): how far the local statistics of an image lie from those of clean natural photos. Lower is
  more natural. The "natural" model -- a multivariate Gaussian of 36 patch features -- is fitted by this project on
  the clean training photos of ``../shared/datasets`` (``scripts/fit_niqe.py``; only the 36 means and the 36x36
  covariance ship, in ``restoration/data/niqe_model.npz``, never an image), not downloaded.
* :func:`sharpness` -- the variance of the Laplacian of the luma: it falls with blur (and rises with noise).
* :func:`restoration.noise.estimate_noise_sigma` -- the noise level.

What such scores can and cannot say: they rank versions of *the same* scene reasonably (a noisier or blurrier
version of a photo scores worse), but they compare different scenes poorly, they know nothing of what the photo
should show (a smooth, plausible hallucination can score well), and NIQE was fitted on photos like the training
set (outdoor and object photos): text documents, drawings or very dark scenes score "unnatural" even when clean.

The features follow the paper: the image's luma on the 0-255 scale is normalised into MSCN coefficients (the local
mean subtracted and divided by the local standard deviation, Gaussian window 7x7 with sigma 7/6); for every
96x96 patch a generalised Gaussian is fitted to the coefficients (shape, variance) and an asymmetric generalised
Gaussian to their products with the four neighbours (horizontal, vertical, two diagonals: shape, mean, left and
right variances), at the full and at half resolution: 2 x 18 = 36 features. The natural model uses only the
sharpest patches of each training photo (sharpness over 0.75 of the photo's sharpest), the test image all of its
patches; the score is the Mahalanobis-like distance between the two Gaussians.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import numpy as np
from scipy import ndimage
from scipy.special import gamma

from .colour import LUMA_WEIGHTS
from .errors import ImageValueError, RestorationError
from .ops import imresize

__all__ = ["MODEL_FILE", "PATCH", "NiqeModel", "fit_niqe", "niqe", "niqe_features", "quality_report", "sharpness"]

#: Side of the patches whose statistics are compared (the paper's choice).
PATCH = 96
#: The shipped natural-scene model.
MODEL_FILE = Path(__file__).resolve().parent / "data" / "niqe_model.npz"
_SHARP_FRACTION = 0.75
_ALPHAS = np.arange(0.2, 10.0, 0.001)
_RHO = gamma(2.0 / _ALPHAS) ** 2 / (gamma(1.0 / _ALPHAS) * gamma(3.0 / _ALPHAS))


def _luma255(image: np.ndarray) -> np.ndarray:
    arr = np.asarray(image, dtype=np.float64)
    if arr.ndim == 3:
        if arr.shape[2] != 3:
            raise ImageValueError(f"quality scores need a gray or RGB image, got shape {arr.shape}")
        arr = arr @ LUMA_WEIGHTS.astype(np.float64)
    elif arr.ndim != 2:
        raise ImageValueError(f"quality scores need a gray or RGB image, got shape {arr.shape}")
    return np.clip(arr, 0.0, 1.0) * 255.0


def _mscn(luma: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean-subtracted, contrast-normalised coefficients and the local standard deviation."""
    sigma = 7.0 / 6.0
    mu = ndimage.gaussian_filter(luma, sigma, mode="nearest", truncate=3.0 / sigma)
    var = ndimage.gaussian_filter(luma * luma, sigma, mode="nearest", truncate=3.0 / sigma) - mu * mu
    std = np.sqrt(np.abs(var))
    return (luma - mu) / (std + 1.0), std


def _ggd(x: np.ndarray) -> tuple[float, float]:
    """Shape and variance of a zero-mean generalised Gaussian, by moment matching."""
    var = float(np.mean(x * x))
    mean_abs = float(np.mean(np.abs(x)))
    if var <= 0 or mean_abs <= 0:
        return 10.0, 0.0
    rho = mean_abs**2 / var
    alpha = float(_ALPHAS[np.argmin((_RHO - rho) ** 2)])
    return alpha, var


def _aggd(x: np.ndarray) -> tuple[float, float, float, float]:
    """Shape, mean, left and right variances of an asymmetric generalised Gaussian, by moment matching."""
    left, right = x[x < 0], x[x > 0]
    if left.size == 0 or right.size == 0:
        return 10.0, 0.0, 0.0, 0.0
    sl, sr = float(np.sqrt(np.mean(left * left))), float(np.sqrt(np.mean(right * right)))
    g = sl / sr
    r_hat = float(np.mean(np.abs(x))) ** 2 / float(np.mean(x * x))
    big_r = r_hat * (g**3 + 1.0) * (g + 1.0) / (g * g + 1.0) ** 2
    alpha = float(_ALPHAS[np.argmin((_RHO - big_r) ** 2)])
    eta = (sr - sl) * gamma(2.0 / alpha) / gamma(1.0 / alpha) * np.sqrt(gamma(1.0 / alpha) / gamma(3.0 / alpha))
    return alpha, float(eta), sl * sl, sr * sr


def _patch_features(mscn: np.ndarray) -> list[float]:
    """18 features of one patch: GGD of the coefficients, AGGD of the products with 4 neighbours."""
    feats = list(_ggd(mscn))
    pairs = (
        (mscn[:, :-1], mscn[:, 1:]),  # horizontal
        (mscn[:-1, :], mscn[1:, :]),  # vertical
        (mscn[:-1, :-1], mscn[1:, 1:]),  # main diagonal
        (mscn[:-1, 1:], mscn[1:, :-1]),  # anti-diagonal
    )
    for a, b in pairs:
        feats.extend(_aggd((a * b).ravel()))
    return feats


def niqe_features(image: np.ndarray, *, sharp_only: bool = False) -> np.ndarray:
    """The 36 NIQE features of every 96x96 patch of an image.

    Parameters
    ----------
    image : numpy.ndarray
        HxW or HxWx3 image in [0, 1] (RGB is turned into its luma).
    sharp_only : bool
        Keep only the patches whose sharpness (mean local standard deviation) exceeds 0.75 of the sharpest
        patch's, as the natural model is fitted.

    Returns
    -------
    numpy.ndarray
        (patches, 36) array: 18 features at full resolution, then 18 at half resolution.

    Raises
    ------
    ImageValueError
        For an image smaller than two patches in either direction (at least 192x192 pixels).
    """
    luma = _luma255(image)
    h, w = luma.shape
    if h < 2 * PATCH or w < 2 * PATCH:
        raise ImageValueError(f"NIQE needs an image of at least {2 * PATCH}x{2 * PATCH} pixels, got {w}x{h}")
    rows, cols = h // PATCH, w // PATCH
    luma = luma[: rows * PATCH, : cols * PATCH]
    half = imresize(luma, output_shape=(rows * PATCH // 2, cols * PATCH // 2)).astype(np.float64)
    full_mscn, full_std = _mscn(luma)
    half_mscn, _ = _mscn(half)
    features, sharpness_of = [], []
    for i in range(rows):
        for j in range(cols):
            p, q = PATCH, PATCH // 2
            f1 = _patch_features(full_mscn[i * p : (i + 1) * p, j * p : (j + 1) * p])
            f2 = _patch_features(half_mscn[i * q : (i + 1) * q, j * q : (j + 1) * q])
            features.append(f1 + f2)
            sharpness_of.append(float(full_std[i * p : (i + 1) * p, j * p : (j + 1) * p].mean()))
    feats = np.asarray(features, dtype=np.float64)
    if sharp_only:
        sharp = np.asarray(sharpness_of)
        feats = feats[sharp > _SHARP_FRACTION * sharp.max()] if sharp.max() > 0 else feats[:0]
    return feats


class NiqeModel:
    """The multivariate Gaussian of the features of natural-photo patches.

    Parameters
    ----------
    mean : numpy.ndarray
        (36,) feature means.
    cov : numpy.ndarray
        (36, 36) feature covariance.
    info : dict, optional
        Where it came from (images, patches, command).
    """

    def __init__(self, mean: np.ndarray, cov: np.ndarray, info: dict[str, Any] | None = None) -> None:
        self.mean = np.asarray(mean, dtype=np.float64)
        self.cov = np.asarray(cov, dtype=np.float64)
        self.info = dict(info or {})

    def save(self, path: str | Path) -> None:
        """Write the model (means, covariance and provenance text) to an ``.npz`` file."""
        import json

        np.savez(path, mean=self.mean, cov=self.cov, info=np.array(json.dumps(self.info, sort_keys=True)))

    @classmethod
    def load(cls, path: str | Path = MODEL_FILE) -> NiqeModel:
        """Read a model written by :meth:`save` (the shipped one by default)."""
        import json

        try:
            with np.load(path, allow_pickle=False) as data:
                return cls(data["mean"], data["cov"], json.loads(str(data["info"])))
        except (OSError, KeyError, ValueError) as exc:
            raise RestorationError(f"cannot read the NIQE model {path}: {exc} (rebuild it with "
                                   "scripts/fit_niqe.py)") from None


@functools.lru_cache(maxsize=1)
def _shipped_model() -> NiqeModel:
    return NiqeModel.load(MODEL_FILE)


def fit_niqe(images: list[np.ndarray], info: dict[str, Any] | None = None) -> NiqeModel:
    """Fit the natural-scene model on clean photos (their sharpest patches).

    Parameters
    ----------
    images : list of numpy.ndarray
        Clean natural photos in [0, 1], each at least 192x192.
    info : dict, optional
        Provenance stored with the model.

    Returns
    -------
    NiqeModel
    """
    feats = [niqe_features(img, sharp_only=True) for img in images]
    stacked = np.concatenate([f for f in feats if len(f)], axis=0)
    stacked = stacked[np.all(np.isfinite(stacked), axis=1)]
    if len(stacked) < 40:
        raise RestorationError(f"too few sharp patches to fit NIQE ({len(stacked)})")
    meta = {"images": len(images), "patches": len(stacked), **(info or {})}
    return NiqeModel(stacked.mean(axis=0), np.cov(stacked, rowvar=False), meta)


def niqe(image: np.ndarray, model: NiqeModel | None = None) -> float:
    """NIQE of an image: lower means closer to the statistics of clean natural photos.

    Parameters
    ----------
    image : numpy.ndarray
        HxW or HxWx3 in [0, 1], at least 192x192.
    model : NiqeModel, optional
        The natural-scene model (default: the shipped one).

    Returns
    -------
    float
        The distance between the image's feature Gaussian and the natural one (typically 3-6 for clean photos,
        rising with noise, blur and compression).
    """
    model = model or _shipped_model()
    feats = niqe_features(image)
    feats = feats[np.all(np.isfinite(feats), axis=1)]
    if len(feats) < 2:
        raise ImageValueError("NIQE found too few usable patches in this image")
    mu = feats.mean(axis=0)
    cov = np.cov(feats, rowvar=False)
    diff = model.mean - mu
    pooled = (model.cov + cov) / 2.0
    return float(np.sqrt(max(float(diff @ np.linalg.pinv(pooled) @ diff), 0.0)))


def sharpness(image: np.ndarray) -> float:
    """Variance of the Laplacian of the luma (0-255 scale): larger is sharper (noise raises it too).

    Parameters
    ----------
    image : numpy.ndarray
        HxW or HxWx3 in [0, 1].

    Returns
    -------
    float
    """
    return float(np.var(ndimage.laplace(_luma255(image), mode="reflect")))


def quality_report(image: np.ndarray, reference: np.ndarray | None = None) -> dict[str, float]:
    """Every score of one image: NIQE (when it is large enough), sharpness, noise level, and PSNR/SSIM if a
    reference is given.

    Parameters
    ----------
    image : numpy.ndarray
        The image, in [0, 1].
    reference : numpy.ndarray, optional
        A clean original of the same shape.

    Returns
    -------
    dict
        ``niqe`` (None below 192x192), ``sharpness``, ``noise_sigma`` (0-255 scale), and ``psnr``/``ssim``.
    """
    from .metrics import psnr, ssim
    from .noise import estimate_noise_sigma

    h, w = image.shape[:2]
    report: dict[str, Any] = {
        "niqe": round(niqe(image), 4) if min(h, w) >= 2 * PATCH else None,
        "sharpness": round(sharpness(image), 2),
        "noise_sigma": round(estimate_noise_sigma(image), 2),
    }
    if reference is not None:
        report["psnr"] = round(psnr(reference, np.clip(image, 0, 1)), 4)
        report["ssim"] = round(ssim(reference, np.clip(image, 0, 1)), 4)
    return report
