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


def synthetic_scene(size: int = 80, colour: bool = False) -> np.ndarray:
    """Smooth ramps, a disk, a striped rectangle and a bar pattern: flat regions, edges and texture."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64) / size
    base = 0.25 + 0.35 * xx + 0.15 * yy
    disk = (xx - 0.35) ** 2 + (yy - 0.4) ** 2 < 0.2**2
    rect = (xx > 0.55) & (xx < 0.9) & (yy > 0.15) & (yy < 0.7)
    bars = (yy > 0.78) & (yy < 0.92)
    gray = base.copy()
    gray[disk] = 0.85
    gray[rect] = 0.15 + 0.1 * np.sin(12 * np.pi * xx[rect])
    gray[bars] = 0.6 + 0.25 * np.sign(np.sin(10 * np.pi * xx[bars]))
    if not colour:
        return gray.astype(np.float32)
    rgb = np.stack([gray, base * 0.8 + 0.1, 1.0 - gray * 0.7], axis=2)
    rgb[disk] = (0.9, 0.3, 0.2)
    rgb[rect, 0] = 0.2 + 0.1 * np.sin(12 * np.pi * xx[rect])
    rgb[rect, 1] = 0.6
    rgb[rect, 2] = 0.3
    return np.clip(rgb, 0.0, 1.0).astype(np.float32)
