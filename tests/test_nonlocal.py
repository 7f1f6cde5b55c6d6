"""Tests of the non-local methods: NL-means and our own BM3D (restoration.classic)."""

import subprocess
import sys

import numpy as np
import pytest
from scenes import make_scene

from restoration.classic import bm3d as ours
from restoration.classic.nonlocal_means import denoise_nlm, nlm_settings
from restoration.degradations import Observation, degrade
from restoration.metrics import psnr
from restoration.registry import get_algorithm, run_algorithm

# Smallest PSNR gain (dB) over the noisy input at sigma = 25 on the 64x80 synthetic scene.
# Measured gains: NL-means 7.4 (gray) / 7.5 (colour); BM3D 8.3 / 8.5.
MIN_GAIN = {"nlm": 6.5, "bm3d": 7.5}


def _noisy(colour: bool, sigma: float = 25, size: tuple[int, int] = (64, 80)) -> Observation:
    return degrade(make_scene(*size, colour=colour, seed=3), f"gaussian_noise(sigma={sigma}, clip=false)", seed=5)


@pytest.mark.parametrize("name", ["nlm", "bm3d"])
@pytest.mark.parametrize("colour", [False, True], ids=["gray", "rgb"])
def test_beats_noisy_input_and_is_deterministic(name, colour):
    obs = _noisy(colour)
    out = run_algorithm(name, obs)
    assert out.shape == obs.degraded.shape
    assert out.dtype == np.float32
    gain = psnr(obs.clean, out) - psnr(obs.clean, np.clip(obs.degraded, 0, 1))
    assert gain > MIN_GAIN[name], f"{name} gained only {gain:.2f} dB"
    np.testing.assert_array_equal(out, run_algorithm(name, obs))


@pytest.mark.parametrize("colour", [False, True], ids=["gray", "rgb"])
def test_functions_keep_shape_and_dtype(colour):
    obs = _noisy(colour, size=(40, 52))
    for dtype in (np.float32, np.float64):
        image = obs.degraded.astype(dtype)
        for func in (ours.denoise_bm3d, denoise_nlm):
            out = func(image, sigma=25)
            assert out.shape == image.shape
            assert out.dtype == dtype


def test_nlm_is_scikit_image_with_chosen_parameters():
    from skimage.restoration import denoise_nl_means

    obs = _noisy(colour=True)
    s = 25 / 255
    expected = denoise_nl_means(obs.degraded.astype(np.float64), patch_size=5, patch_distance=6, h=0.7 * s, sigma=s,
                                fast_mode=True, channel_axis=-1)
    ours_out = denoise_nlm(obs.degraded, sigma=25, patch_size=5, patch_distance=6, h_factor=0.7)
    np.testing.assert_allclose(ours_out, expected, atol=1e-5)


def test_nlm_settings_follow_sigma():
    low, high = nlm_settings(10), nlm_settings(60)
    assert low["patch_size"] <= high["patch_size"]
    assert low["patch_distance"] <= high["patch_distance"]
    assert nlm_settings(25, colour=True)["h_factor"] <= nlm_settings(25)["h_factor"]


def test_unknown_noise_is_estimated():
    obs = _noisy(colour=False, size=(96, 96))
    blind = Observation.from_degraded(np.clip(obs.degraded, 0, 1))  # sigma = 0: unknown
    for name in ("nlm", "bm3d"):
        guessed = get_algorithm(name).defaults_for(blind)["sigma"]
        assert 18 < guessed < 34, guessed  # the scene's own texture adds a little
        out = run_algorithm(name, blind)
        assert psnr(obs.clean, out) > psnr(obs.clean, blind.degraded) + MIN_GAIN[name] - 1


def test_bm3d_close_to_reference_wheel():
    bm3d_ref = pytest.importorskip("bm3d")  # the reference implementation, not a dependency (licence)
    for colour in (False, True):
        obs = _noisy(colour)
        mine = ours.denoise_bm3d(obs.degraded, sigma=25)
        if colour:
            theirs = bm3d_ref.bm3d_rgb(obs.degraded.astype(np.float64), 25 / 255)
        else:
            theirs = bm3d_ref.bm3d(obs.degraded.astype(np.float64), 25 / 255)
        p_mine = psnr(obs.clean, np.clip(mine, 0, 1))
        p_theirs = psnr(obs.clean, np.clip(theirs, 0, 1).astype(np.float32))
        assert abs(p_mine - p_theirs) < 0.5, (colour, p_mine, p_theirs)


def test_bm3d_wiener_step_helps_and_sigma_zero_is_identity():
    obs = _noisy(colour=False)
    basic = ours.denoise_bm3d(obs.degraded, sigma=25, two_step=False)
    final = ours.denoise_bm3d(obs.degraded, sigma=25)
    assert psnr(obs.clean, final) > psnr(obs.clean, basic)
    np.testing.assert_array_equal(ours.denoise_bm3d(obs.degraded, sigma=0), obs.degraded)


@pytest.mark.parametrize("shape", [(5, 5), (1, 30), (9, 70), (13, 17, 3)])
def test_bm3d_tiny_and_thin_images(shape):
    image = np.random.default_rng(0).random(shape).astype(np.float32)
    out = ours.denoise_bm3d(image, sigma=20)
    assert out.shape == shape
    assert np.all(np.isfinite(out))


def test_bm3d_large_images_go_in_bands_without_seams(monkeypatch):
    obs = _noisy(colour=False, size=(400, 48))
    whole = ours.denoise_bm3d(obs.degraded, sigma=25)
    monkeypatch.setattr(ours, "_BAND_PIXELS", 48 * 40)  # bands of 108 rows (twice the margin) + margins
    assert len(ours._bands(400, 48, *ours.bm3d_settings(25))) == 4
    banded = ours.denoise_bm3d(obs.degraded, sigma=25)
    assert abs(psnr(obs.clean, banded) - psnr(obs.clean, whole)) < 0.05
    assert np.abs(banded - whole).max() < 0.03


def test_bm3d_rejects_bad_input():
    with pytest.raises(ValueError, match="HxW or HxWx3"):
        ours.denoise_bm3d(np.zeros((8, 8, 2), np.float32), sigma=10)
    with pytest.raises(ValueError, match="float"):
        ours.denoise_bm3d(np.zeros((8, 8), np.uint8), sigma=10)


def _brute_force_group(lum: np.ndarray, ref: tuple[int, int], n: int, radius: int, keep: int) -> list:
    """The reference block and its nearest blocks in its (shifted) search window, by plain loops."""
    h, w = lum.shape
    hp, wp = h - n + 1, w - n + 1
    win = 2 * radius + 1
    y0 = min(max(ref[0] - radius, 0), hp - win)
    x0 = min(max(ref[1] - radius, 0), wp - win)
    block = lum[ref[0]:ref[0] + n, ref[1]:ref[1] + n]
    found = []
    for y in range(y0, y0 + win):
        for x in range(x0, x0 + win):
            d = float(np.sum((lum[y:y + n, x:x + n] - block) ** 2))
            found.append((-1.0 if (y, x) == ref else d, y, x))
    found.sort()
    return [(y, x) for _, y, x in found[:keep]]


def test_match_group_starts_with_the_reference_and_matches_brute_force():
    image = make_scene(80, 96, seed=4)
    noisy = degrade(image, "gaussian_noise(sigma=15, clip=false)", seed=1).degraded
    for row, col in [(40, 50), (0, 0), (79, 95)]:
        group = ours.match_group(noisy, row, col, sigma=15)
        n = group.block_size
        ref = (min(max(row - n // 2, 0), 80 - n), min(max(col - n // 2, 0), 96 - n))
        assert tuple(group.coords[0]) == ref
        assert group.distances[0] == 0
        assert np.all(np.diff(group.distances) >= 0)
        hard, _ = ours.bm3d_settings(15)
        assert np.all(group.distances <= hard.tau_match)
        assert len(group.coords) in (1, 2, 4, 8, 16)
        expected = _brute_force_group(noisy, ref, n, hard.search_window // 2, len(group.coords))
        assert [tuple(c) for c in group.coords] == expected
        top, left, bottom, right = group.search_box
        assert np.all(group.coords[:, 0] >= top) and np.all(group.coords[:, 0] + n <= bottom)
        assert np.all(group.coords[:, 1] >= left) and np.all(group.coords[:, 1] + n <= right)


def test_match_group_step_two_and_colour():
    obs = _noisy(colour=True)
    basic = ours.denoise_bm3d(obs.degraded, sigma=25, two_step=False)
    group = ours.match_group(obs.degraded, 20, 30, sigma=25, step=2, basic=basic)
    assert group.distances[0] == 0 and len(group.coords) >= 1
    assert len(group.coords) <= ours.bm3d_settings(25)[1].max_group


def test_haar_cascade_equals_the_matrix():
    groups = np.random.default_rng(1).random((3, 32, 7, 5)).astype(np.float32)
    for k in (1, 2, 4, 8, 16, 32):
        spectrum = ours._haar_forward(groups[:, :k])
        expected = np.einsum("ij,cj...->ci...", ours._haar_matrix(k), groups[:, :k])
        np.testing.assert_allclose(spectrum, expected, atol=1e-5)
        np.testing.assert_allclose(ours._haar_inverse(spectrum), groups[:, :k], atol=1e-5)


def test_smallest_matches_a_full_sort_with_ties():
    rng = np.random.default_rng(0)
    dist = rng.integers(0, 50, size=(37, 1521)).astype(np.float32)  # many ties
    for k in (1, 16, 32):
        cols, vals = ours._smallest(dist, k)
        order = np.argsort(dist, axis=1, kind="stable")[:, :k]
        np.testing.assert_array_equal(cols, order)
        np.testing.assert_array_equal(vals, np.take_along_axis(dist, order, axis=1))


def test_blas_threads_are_restored():
    controls = ours._openblas_controls()
    before = [get() for get, _ in controls]
    with ours._single_threaded_blas():
        assert all(get() == 1 for get, _ in controls)
    assert [get() for get, _ in controls] == before


def test_spec_module_stays_light():
    code = (
        "import sys, restoration.specs.nonlocal_methods as m; "
        "heavy = [k for k in ('skimage', 'restoration.classic.bm3d', 'restoration.classic.nonlocal_means') "
        "if k in sys.modules]; print(heavy); assert not heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
