"""Synthetic test images generated on the fly (tests never use dataset files)."""

import numpy as np


def make_scene(h: int = 64, w: int = 80, colour: bool = False, seed: int = 0) -> np.ndarray:
    """A small synthetic test image with smooth regions, edges and some texture."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    img = 0.25 + 0.4 * xx / w + 0.2 * np.sin(yy / 7.0)
    img[(yy - h / 2) ** 2 + (xx - w / 3) ** 2 < (min(h, w) / 5) ** 2] = 0.85
    img[h // 5 : h // 2, int(0.6 * w) : int(0.85 * w)] = 0.1
    img += 0.03 * rng.standard_normal((h, w))
    img = np.clip(img, 0, 1)
    if colour:
        img = np.stack([img, np.clip(img[::-1] * 0.9 + 0.05, 0, 1), np.clip(1 - img, 0, 1)], axis=2)
    return img.astype(np.float32)
