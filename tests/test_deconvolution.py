"""Tests of Wiener and Richardson-Lucy deconvolution (restoration.classic.deconvolution)."""

from __future__ import annotations

import numpy as np
import pytest
from scenes import synthetic_scene as synthetic

from restoration import degrade, get_algorithm, psnr, run_algorithm
from restoration.classic import deconvolution as dc
from restoration.degradations import blur, gaussian_kernel, motion_kernel
from restoration.physics import kernel_spectrum

BLUR = "motion_blur(length=9, angle=30) | gaussian_noise(sigma=2.55)"


def region_psnr(clean: np.ndarray, img: np.ndarray, where: np.ndarray) -> float:
    return float(10 * np.log10(1.0 / np.mean((clean[where] - np.clip(img[where], 0, 1)) ** 2)))


def border_band(shape: tuple[int, ...], width: int = 8) -> np.ndarray:
    band = np.zeros(shape[:2], dtype=bool)
    band[:width], band[-width:], band[:, :width], band[:, -width:] = True, True, True, True
    return band


@pytest.mark.parametrize("colour", [False, True], ids=["gray", "colour"])
@pytest.mark.parametrize("name", ["wiener_deconv", "richardson_lucy"])
def test_deconvolution_beats_blurred_input(name, colour):
    obs = degrade(synthetic(colour=colour), BLUR, seed=1)
    out = run_algorithm(name, obs)
    assert out.shape == obs.output_shape and out.dtype == np.float32
    # measured: wiener +2.9 / +3.0 dB, Richardson-Lucy +3.2 / +2.7 dB (gray / colour)
    assert psnr(obs.clean, out) > psnr(obs.clean, obs.degraded) + 1.5


@pytest.mark.parametrize("name", ["wiener_deconv", "richardson_lucy"])
def test_same_seed_same_output(name):
    a = run_algorithm(name, degrade(synthetic(48, True), BLUR, seed=3))
    b = run_algorithm(name, degrade(synthetic(48, True), BLUR, seed=3))
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(33, 41), (33, 41, 3)])
def test_shape_and_dtype_kept(dtype, shape):
    image = np.random.default_rng(0).random(shape).astype(dtype)
    k = motion_kernel(7, 45)
    for out in (dc.deconv_wiener(image, k, sigma=2.0), dc.deconv_richardson_lucy(image, k, iterations=5),
                dc.deconv_wiener(image, k, sigma=2.0, boundary="wrap", regulariser="laplacian")):
        assert out.shape == image.shape and out.dtype == dtype


@pytest.mark.parametrize("boundary", ["reflect", "wrap"])
@pytest.mark.parametrize("name", ["wiener_deconv", "richardson_lucy"])
def test_no_ringing_frame(name, boundary):
    """The border band is restored about as well as the interior, and better than the blurred input."""
    spec = f"motion_blur(length=9, angle=30, boundary={boundary}) | gaussian_noise(sigma=2.55)"
    obs = degrade(synthetic(96), spec, seed=5)
    out = run_algorithm(name, obs)
    band = border_band(obs.clean.shape)
    assert region_psnr(obs.clean, out, band) > region_psnr(obs.clean, out, ~band) - 3.0
    assert region_psnr(obs.clean, out, band) > region_psnr(obs.clean, obs.degraded, band) - 0.5


def test_naive_periodic_inverse_does_ring():
    """Control for the test above: the same Wiener filter without the extension leaves a ringing frame."""
    from scipy import fft as sfft

    obs = degrade(synthetic(96), BLUR, seed=5)
    k_hat = kernel_spectrum(obs.kernel, obs.degraded.shape)
    naive = sfft.irfft2(sfft.rfft2(obs.degraded) * np.conj(k_hat) / (np.abs(k_hat) ** 2 + 3e-3),
                        s=obs.degraded.shape)
    band = border_band(obs.clean.shape)
    ours = run_algorithm("wiener_deconv", obs)
    assert region_psnr(obs.clean, ours, band) > region_psnr(obs.clean, naive, band) + 5.0


def test_wiener_inverts_a_noise_free_periodic_blur():
    clean = synthetic(64)
    k = gaussian_kernel(1.0)
    blurred = blur(clean, k, boundary="wrap")
    out = dc.deconv_wiener(blurred, k, sigma=0.1, strength=1e-3, boundary="wrap")
    assert psnr(clean, np.clip(out, 0, 1)) > psnr(clean, blurred) + 10.0


def test_richardson_lucy_properties():
    obs = degrade(synthetic(64), BLUR, seed=6)
    out = dc.deconv_richardson_lucy(obs.degraded, obs.kernel, iterations=20)
    assert out.min() >= 0.0  # multiplicative updates keep the image positive
    delta = np.ones((1, 1), dtype=np.float32)
    np.testing.assert_allclose(dc.deconv_richardson_lucy(synthetic(32), delta, iterations=5), synthetic(32),
                               atol=1e-5)
    # the first iterations sharpen, later ones add noise: 20 beats 1
    one = dc.deconv_richardson_lucy(obs.degraded, obs.kernel, iterations=1)
    assert psnr(obs.clean, np.clip(out, 0, 1)) > psnr(obs.clean, np.clip(one, 0, 1))


def test_wiener_regularisers_order():
    obs = degrade(synthetic(96), BLUR, seed=7)
    k = obs.kernel
    grad = dc.deconv_wiener(obs.degraded, k, sigma=2.55, regulariser="gradient", strength=0.1)
    lap = dc.deconv_wiener(obs.degraded, k, sigma=2.55, regulariser="laplacian", strength=0.1)
    smooth = dc.deconv_wiener(obs.degraded, k, sigma=2.55, regulariser="gradient", strength=10.0)
    for out in (grad, lap):
        assert psnr(obs.clean, np.clip(out, 0, 1)) > psnr(obs.clean, obs.degraded) + 1.0
    # a larger strength is smoother
    assert np.abs(np.diff(smooth, axis=1)).mean() < np.abs(np.diff(grad, axis=1)).mean()


def test_auto_params_follow_noise():
    img = synthetic(48)
    rl, wiener = get_algorithm("richardson_lucy"), get_algorithm("wiener_deconv")
    low = degrade(img, "motion_blur | gaussian_noise(sigma=1)", seed=0)
    high = degrade(img, "motion_blur | gaussian_noise(sigma=10)", seed=0)
    assert rl.defaults_for(low)["iterations"] > rl.defaults_for(high)["iterations"]
    assert wiener.defaults_for(low)["sigma"] < wiener.defaults_for(high)["sigma"]
    unknown = degrade(img, "motion_blur | gaussian_noise(sigma=5)", seed=0)
    unknown.sigma = 0.0  # estimated from the image instead
    assert 2.0 < wiener.defaults_for(unknown)["sigma"] < 9.0
