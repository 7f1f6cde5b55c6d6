"""The zero-shot denoiser: it learns from the noisy image alone, reports its progress, and stays in its budget."""

from __future__ import annotations

import numpy as np
import pytest
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


def test_neighbour_pairs_are_neighbours_in_the_same_block() -> None:
    """Every pixel of the second half image is a horizontal or vertical neighbour of the first's, in its 2x2 block."""
    import torch

    from restoration.deep.zeroshot import neighbour_pair

    h, w = 8, 10
    rows, cols = np.mgrid[0:h, 0:w].astype(np.float32)
    coords = torch.from_numpy(np.stack([rows, cols])[None])  # channel 0: row, channel 1: column
    first, second, _, _ = neighbour_pair(coords, torch.Generator().manual_seed(0))
    r1, c1, r2, c2 = first[0, 0], first[0, 1], second[0, 0], second[0, 1]
    assert first.shape == (1, 2, h // 2, w // 2)
    assert torch.all((r1 // 2 == r2 // 2) & (c1 // 2 == c2 // 2))  # the same block
    assert torch.all((r1 - r2).abs() + (c1 - c2).abs() == 1)  # neighbours, never the same pixel or a diagonal
    again, _, _, _ = neighbour_pair(coords, torch.Generator().manual_seed(1))
    assert not torch.equal(first, again)  # drawn afresh


def test_zero_shot_refuses_a_tiny_image_with_a_message() -> None:
    from restoration.deep.zeroshot import MIN_SIDE, zs_denoise
    from restoration.errors import ParameterError

    tiny = np.full((MIN_SIDE - 1, 30), 0.5, np.float32)
    with pytest.raises(ParameterError, match="at least"):
        zs_denoise(tiny, iterations=10)
