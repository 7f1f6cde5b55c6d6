"""Interpolation-based super-resolution."""

from __future__ import annotations

import numpy as np

from ..degradations import Observation, imresize


def upsample(image: np.ndarray, scale: int, *, method: str = "bicubic") -> np.ndarray:
    """Enlarge ``image`` by an integer ``scale`` with MATLAB-compatible interpolation.

    Parameters
    ----------
    image : numpy.ndarray
        HxW or HxWxC float image.
    scale : int
        Enlargement factor per side.
    method : {"nearest", "bilinear", "bicubic", "lanczos"}
        Interpolation kernel.

    Returns
    -------
    numpy.ndarray
        float32 image of shape ``(scale * H, scale * W[, C])``, clipped to [0, 1].
    """
    h, w = image.shape[:2]
    out = imresize(image, output_shape=(h * scale, w * scale), method=method)  # type: ignore[arg-type]
    return np.clip(out, 0.0, 1.0).astype(np.float32)


def run_bicubic(observation: Observation) -> np.ndarray:
    """Registry adapter: bicubic enlargement of the observation by its scale factor."""
    return upsample(observation.degraded, observation.scale, method="bicubic")
