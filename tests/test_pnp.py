"""Plug-and-play: the boundary-free deblurring data step is exact, and the learned prior beats TV."""

import numpy as np
import pytest
import torch  # noqa: F401  (pinned: a missing torch fails these tests instead of skipping them)
from scenes import make_scene

from restoration import degrade, psnr, run_algorithm
from restoration.deep.pnp import DENOISERS, _ValidBlurTerm, pnp_hqs
from restoration.degradations import blur, motion_kernel
from restoration.gallery import load_gallery_image


def test_valid_blur_term_matches_the_degradation_and_its_adjoint():
    rng = np.random.default_rng(0)
    k = motion_kernel(7, 30)
    img = make_scene(40, 50)
    term = _ValidBlurTerm(img[None], k)
    # forward on the mirror-extended image reproduces the mirror-boundary blur of the degradation
    np.testing.assert_allclose(term._forward(term.x0)[0], blur(img, k, boundary="reflect"), atol=1e-5)
    x = rng.standard_normal((1, *term.shape)).astype(np.float32)
    r = rng.standard_normal((1, 40, 50)).astype(np.float32)
    assert np.vdot(term._forward(x), r) == pytest.approx(np.vdot(x, term._adjoint(r)), rel=1e-4)
    # the data step solves its normal equations
    z = rng.random((1, *term.shape)).astype(np.float32)
    sol = term.solve(z, 0.05, z, iterations=60)
    grad = term._adjoint(term._forward(sol) - term.y) + 0.05 * (sol - z)
    assert np.abs(grad).max() < 1e-3


def test_pnp_deblurring_beats_tv_and_records_iterates():
    img = load_gallery_image("coffee_cup").mean(axis=2)[100:228, 200:328]  # a photo: texture, not a cartoon
    obs = degrade(img, "motion_blur(length=9, angle=30) | gaussian_noise(sigma=2.55)", seed=0)
    res = pnp_hqs(obs, DENOISERS["cnn"], iterations=8, record=True)
    assert res.image.shape == img.shape and len(res.iterates) == 8 and res.iterates[0].shape == img.shape
    base = psnr(obs.clean, np.clip(obs.degraded, 0, 1))
    tv = psnr(obs.clean, run_algorithm("tv_deconv", obs))
    ours = psnr(obs.clean, res.image)
    assert ours > base + 3.0 and ours > tv + 1.0, (base, tv, ours)
