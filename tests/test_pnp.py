"""Plug-and-play: the boundary-free deblurring data step is exact, and the learned prior beats TV."""

import numpy as np
import torch  # noqa: F401  (pinned: a missing torch fails these tests instead of skipping them)

from restoration import degrade, psnr, run_algorithm
from restoration.deep.pnp import pnp_hqs
from restoration.gallery import load_gallery_image
from restoration.registry import denoiser


def test_pnp_deblurring_beats_tv_and_records_iterates():
    img = load_gallery_image("coffee_cup").mean(axis=2)[100:228, 200:328]  # a photo: texture, not a cartoon
    obs = degrade(img, "motion_blur(length=9, angle=30) | gaussian_noise(sigma=2.55)", seed=0)
    res = pnp_hqs(obs, denoiser("cnn_denoise"), iterations=8, record=True)
    assert res.image.shape == img.shape and len(res.iterates) == 8 and res.iterates[0].shape == img.shape
    base = psnr(obs.clean, np.clip(obs.degraded, 0, 1))
    tv = psnr(obs.clean, run_algorithm("tv_deconv", obs))
    ours = psnr(obs.clean, res.image)
    assert ours > base + 3.0 and ours > tv + 1.0, (base, tv, ours)
