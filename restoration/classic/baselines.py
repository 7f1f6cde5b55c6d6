"""Baselines that every method is measured against."""

from __future__ import annotations

import numpy as np

from ..observation import Observation


def upsample_nearest(image: np.ndarray, scale: int) -> np.ndarray:
    """Enlarge by pixel repetition (each pixel becomes a ``scale`` x ``scale`` block)."""
    if scale == 1:
        return image
    return np.repeat(np.repeat(image, scale, axis=0), scale, axis=1)


def run_identity(observation: Observation) -> np.ndarray:
    """The observation itself, on the output grid (nearest-neighbour enlargement when ``scale > 1``)."""
    return upsample_nearest(np.clip(observation.degraded, 0.0, 1.0), observation.scale).astype(np.float32)
