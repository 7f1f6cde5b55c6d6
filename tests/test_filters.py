"""Tests of the traditional local filters (restoration.classic.filters) and their registry entries."""

from __future__ import annotations

import numpy as np
import pytest
from scenes import synthetic_scene as synthetic
from scipy import signal

from restoration import degrade, get_algorithm, psnr, run_algorithm
from restoration.classic import filters
from restoration.noise import noise_level

# PSNR gain (dB) each filter must achieve over the noisy input (sigma 25) on the synthetic image;
# measured gains are roughly twice these (gray / colour): mean 3.9/5.4, gaussian 5.1/6.3,
# median 5.3/6.0, bilateral 7.6/9.4, local Wiener 6.2/8.0.
MARGINS = {"mean": 2.0, "gaussian": 3.0, "median": 3.0, "bilateral": 4.0, "wiener_filter": 4.0}


@pytest.fixture(scope="module", params=[False, True], ids=["gray", "colour"])
def noisy_obs(request):
    return degrade(synthetic(colour=request.param), "gaussian_noise(sigma=25)", seed=1)


@pytest.mark.parametrize("name", sorted(MARGINS))
def test_filter_beats_noisy_input(name, noisy_obs):
    out = run_algorithm(name, noisy_obs)
    assert out.shape == noisy_obs.output_shape
    assert out.dtype == np.float32
    gain = psnr(noisy_obs.clean, out) - psnr(noisy_obs.clean, noisy_obs.degraded)
    assert gain > MARGINS[name], f"{name}: only {gain:.2f} dB better than the noisy input"


@pytest.mark.parametrize("name", sorted(MARGINS))
def test_same_seed_same_output(name):
    a = run_algorithm(name, degrade(synthetic(48, colour=True), "gaussian_noise(sigma=20)", seed=3))
    b = run_algorithm(name, degrade(synthetic(48, colour=True), "gaussian_noise(sigma=20)", seed=3))
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "func, kwargs",
    [
        (filters.denoise_mean, {"size": 5}),
        (filters.denoise_gaussian, {"sigma_spatial": 1.2}),
        (filters.denoise_median, {"size": 3}),
        (filters.denoise_median, {"size": 5, "switching": True}),
        (filters.denoise_bilateral, {"sigma_spatial": 1.5, "sigma_range": 40.0}),
        (filters.denoise_local_wiener, {"size": 5, "sigma": 20.0}),
        (filters.denoise_local_wiener, {"size": 5, "sigma": 0.0, "colour": "rgb"}),
    ],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("colour", [False, True])
def test_functions_keep_shape_and_dtype(func, kwargs, dtype, colour):
    image = synthetic(33, colour=colour).astype(dtype)[:, :29]  # odd, non-square
    out = func(image, **kwargs)
    assert out.shape == image.shape
    assert out.dtype == dtype
    assert np.all(np.isfinite(out))


def test_linear_filters_preserve_constants():
    flat = np.full((20, 24, 3), 0.37, dtype=np.float32)
    for out in (filters.denoise_mean(flat, size=5), filters.denoise_gaussian(flat, sigma_spatial=2.0),
                filters.denoise_bilateral(flat), filters.denoise_local_wiener(flat, sigma=10.0)):
        np.testing.assert_allclose(out, flat, atol=1e-5)


def test_local_wiener_matches_scipy_wiener_inside():
    """Lee's filter is scipy.signal.wiener with the noise power given; scipy pads with zeros, so compare inside."""
    obs = degrade(synthetic(64), "gaussian_noise(sigma=20)", seed=2)
    ours = filters.denoise_local_wiener(obs.degraded.astype(np.float64), size=5, sigma=20.0)
    theirs = signal.wiener(obs.degraded.astype(np.float64), mysize=5, noise=(20.0 / 255.0) ** 2)
    np.testing.assert_allclose(ours[3:-3, 3:-3], theirs[3:-3, 3:-3], atol=1e-6)


def test_bilateral_matches_its_definition():
    """Compare with a direct, pixel-by-pixel evaluation of the bilateral sum on a small colour image."""
    rng = np.random.default_rng(0)
    image = rng.random((9, 11, 3)).astype(np.float64)
    ss, sr, r = 1.3, 60.0, 2
    ours = filters.denoise_bilateral(image, sigma_spatial=ss, sigma_range=sr, radius=r)
    padded = np.pad(image, ((r, r), (r, r), (0, 0)), mode="reflect")
    expected = np.empty_like(image)
    for i in range(9):
        for j in range(11):
            num, den = np.zeros(3), 0.0
            for dy in range(-r, r + 1):
                for dx in range(-r, r + 1):
                    if dy * dy + dx * dx > (r + 0.5) ** 2:
                        continue
                    q = padded[i + r + dy, j + r + dx]
                    dist2 = np.mean((q - image[i, j]) ** 2)
                    wgt = np.exp(-(dy * dy + dx * dx) / (2 * ss**2)) * np.exp(-dist2 / (2 * (sr / 255.0) ** 2))
                    num += wgt * q
                    den += wgt
            expected[i, j] = num / den
    np.testing.assert_allclose(ours, expected, atol=1e-5)


def test_bilateral_keeps_an_edge_better_than_gaussian():
    step = np.zeros((32, 32), dtype=np.float32)
    step[:, 16:] = 1.0
    bil = filters.denoise_bilateral(step, sigma_spatial=2.0, sigma_range=30.0)
    gau = filters.denoise_gaussian(step, sigma_spatial=2.0)
    assert np.abs(bil - step).max() < 0.01 < np.abs(gau - step).max()


def test_switching_median_for_salt_and_pepper():
    obs = degrade(synthetic(64), "salt_pepper(amount=0.2)", seed=4)
    params = get_algorithm("median").defaults_for(obs)
    assert params["switching"] is True
    adaptive = run_algorithm("median", obs)
    plain = run_algorithm("median", obs, {"switching": False, "size": 3})
    assert psnr(obs.clean, adaptive) > psnr(obs.clean, plain) + 3.0
    assert psnr(obs.clean, adaptive) > psnr(obs.clean, obs.degraded) + 10.0


def test_impulse_noise_is_detected_when_not_recorded():
    from restoration import Observation

    noisy = degrade(synthetic(64), "salt_pepper(amount=0.15)", seed=4).degraded
    gaussian = degrade(synthetic(64), "gaussian_noise(sigma=40)", seed=4).degraded  # clipped: many 0s and 1s
    spec = get_algorithm("median")
    assert spec.defaults_for(Observation.from_degraded(noisy))["switching"] is True
    assert spec.defaults_for(Observation.from_degraded(gaussian))["switching"] is False


def test_auto_params_follow_noise_level():
    img = synthetic(48)
    low = degrade(img, "gaussian_noise(sigma=10)", seed=0)
    high = degrade(img, "gaussian_noise(sigma=50)", seed=0)
    for name, key in (("gaussian", "sigma_spatial"), ("bilateral", "sigma_range"), ("mean", "size"),
                      ("wiener_filter", "size")):
        spec = get_algorithm(name)
        assert spec.defaults_for(low)[key] < spec.defaults_for(high)[key], name


def test_unknown_sigma_is_estimated():
    obs = degrade(synthetic(96), "gaussian_noise(sigma=20)", seed=5)
    obs.sigma = None  # as for an uploaded photo: the level is not known
    est = noise_level(obs)
    assert 15.0 < est < 25.0
    out = run_algorithm("wiener_filter", obs)
    assert psnr(obs.clean, out) > psnr(obs.clean, obs.degraded) + 3.0
