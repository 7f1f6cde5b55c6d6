"""The zero-shot denoiser: it learns from the noisy image alone, reports its progress, and stays in its budget."""

from __future__ import annotations

import numpy as np
from scenes import make_scene

from restoration import degrade, get_algorithm, psnr, run_algorithm
from restoration.budget import split_by_budget
from restoration.progress import listening, report


def test_zero_shot_denoises_from_the_noisy_image_alone() -> None:
    clean = make_scene(48, 48, colour=False, seed=3)
    obs = degrade(clean, "gaussian_noise(sigma=25)", seed=0)
    seen: list[tuple[int, int]] = []
    with listening(lambda done, total, text: seen.append((done, total))):
        out = run_algorithm("zs_denoise", obs, {"iterations": 150}, seed=1)
    again = run_algorithm("zs_denoise", obs, {"iterations": 150}, seed=1)
    assert out.shape == clean.shape and out.dtype == np.float32
    np.testing.assert_array_equal(out, again)  # seeded: the same network, the same result
    assert psnr(clean, out) > psnr(clean, np.clip(obs.degraded, 0, 1)) + 4
    assert seen[0] == (10, 150) and seen[-1] == (150, 150)  # the page's progress bar hears every 10 steps


def test_zero_shot_colour_and_no_listener() -> None:
    clean = make_scene(40, 48, colour=True, seed=4)
    obs = degrade(clean, "gaussian_noise(sigma=30)", seed=2)
    out = run_algorithm("zs_denoise", obs, {"iterations": 100})
    assert out.shape == clean.shape
    assert psnr(clean, out) > psnr(clean, np.clip(obs.degraded, 0, 1)) + 1
    report(1, 2, "nobody listens")  # a report without a listener is a no-op


def test_zero_shot_costs_its_training_even_on_a_small_image() -> None:
    """Its estimate has a fixed part (the training), so the quick demo's 5 s budget holds it back at any size."""
    spec = get_algorithm("zs_denoise")
    small = split_by_budget([spec], (64, 64), budget=float("inf"))[0][0].seconds
    large = split_by_budget([spec], (1024, 1024, 3), budget=float("inf"))[0][0].seconds
    assert 1.0 < small < large
    fits, slow = split_by_budget([spec], (64, 64), budget=small / 2)
    assert not fits and slow[0].method == "zs_denoise"
