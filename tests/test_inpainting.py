"""Tests of biharmonic inpainting (restoration.classic.inpainting)."""

from __future__ import annotations

import numpy as np
import pytest
from scenes import make_scene
from skimage.restoration import inpaint_biharmonic as sk_inpaint

from restoration import degrade, psnr, run_algorithm
from restoration.classic.inpainting import inpaint_biharmonic
from restoration.specs.inpainting import SPECS

BIHARMONIC = SPECS[0]


def smooth_scene(h: int = 96, w: int = 112, colour: bool = False) -> np.ndarray:
    """Smooth shading (what a thin plate interpolates well) plus one edge."""
    yy, xx = np.mgrid[0:h, 0:w] / max(h, w)
    gray = 0.5 + 0.3 * np.sin(3 * xx + 1) * np.cos(2 * yy) + 0.1 * (xx > 0.6)
    if not colour:
        return gray.astype(np.float32)
    return np.stack([gray, 1 - gray, 0.5 + 0.4 * (gray - 0.5) * yy], axis=2).astype(np.float32)


@pytest.mark.parametrize("colour", [False, True], ids=["gray", "colour"])
def test_close_to_scikit_image_direct_solve(colour):
    image = make_scene(80, 96, colour=colour, seed=1)
    known = np.random.default_rng(0).random(image.shape[:2]) >= 0.5
    ours = inpaint_biharmonic(image, known)
    ref = sk_inpaint(image, ~known, channel_axis=-1 if colour else None)
    # the same equations inside; only the treatment of the outermost two pixel rings differs
    assert psnr(ref, ours) > 50
    assert psnr(ref[3:-3, 3:-3], ours[3:-3, 3:-3]) > 70
    direct = inpaint_biharmonic(image, known, solver="direct")
    np.testing.assert_allclose(direct, ref, atol=1e-6)


@pytest.mark.parametrize("colour", [False, True], ids=["gray", "colour"])
@pytest.mark.parametrize("spec", ["random_mask(missing=0.5)", "text_mask(size=12)", "block_mask(size=12, count=3)"])
def test_beats_the_degraded_input(spec, colour):
    obs = degrade(smooth_scene(colour=colour), spec, seed=2)
    out = run_algorithm(BIHARMONIC, obs)
    assert out.shape == obs.clean.shape and out.dtype == np.float32
    # measured: +43 (random), +46 (text), +104 (small blocks on smooth shading) dB over the 0-filled input
    assert psnr(obs.clean, out) > psnr(obs.clean, obs.degraded) + 15
    np.testing.assert_array_equal(out[obs.mask], obs.degraded[obs.mask])  # known pixels untouched
    np.testing.assert_array_equal(out, run_algorithm(BIHARMONIC, obs))


def test_fully_missing_rows_and_columns():
    image = smooth_scene()
    known = np.ones(image.shape, bool)
    known[::3] = False  # every third row lost (interlacing)
    known[:6] = False  # a band at the top border: extrapolation
    known[:, 50:53] = False  # three full columns
    out = inpaint_biharmonic(image, known)
    ref = inpaint_biharmonic(image, known, solver="direct")
    assert np.all(np.isfinite(out))
    assert psnr(image, out) > 35
    assert psnr(ref, out) > 40


def test_large_hole_is_filled_smoothly():
    image = smooth_scene(128, 128)
    known = np.ones(image.shape, bool)
    known[30:100, 30:100] = False
    out = inpaint_biharmonic(image, known)
    assert psnr(image, out) > psnr(image, np.where(known, image, 0)) + 15


def test_edge_cases():
    image = smooth_scene(20, 24)
    np.testing.assert_array_equal(inpaint_biharmonic(image, np.ones(image.shape, bool)), image)
    np.testing.assert_array_equal(inpaint_biharmonic(image, np.zeros(image.shape, bool)), np.full_like(image, 0.5))
    with pytest.raises(ValueError, match="mask shape"):
        inpaint_biharmonic(image, np.ones((3, 3), bool))
    single = np.zeros(image.shape, bool)
    single[5, 5] = True
    np.testing.assert_allclose(inpaint_biharmonic(image, single), image[5, 5], atol=1e-6)
