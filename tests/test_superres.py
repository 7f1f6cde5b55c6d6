"""Tests of the super-resolution baselines: interpolation, back-projection and sparse-coding SR."""

from __future__ import annotations

import numpy as np
import pytest
from scenes import make_scene

from restoration import degrade, psnr, run_algorithm
from restoration.classic import superres as srm
from restoration.classic.interpolation import upsample
from restoration.degradations import imresize
from restoration.specs import interpolation, superres

SPECS = {s.name: s for s in (*interpolation.SPECS, *superres.SPECS)}
COMBINED = "motion_blur(length=9, angle=30) | downsample(scale=2) | gaussian_noise(sigma=10)"


def detailed_scene(size: int = 96, colour: bool = False) -> np.ndarray:
    """Edges at several orientations, a disk and smooth shading: what SR methods differ on."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64) / size
    gray = 0.3 + 0.3 * xx
    gray[(xx - 0.3) ** 2 + (yy - 0.35) ** 2 < 0.15**2] = 0.85
    gray[(xx + 0.6 * yy > 0.9) & (xx + 0.6 * yy < 1.1)] = 0.15
    gray[yy > 0.75] = 0.5 + 0.3 * np.sign(np.sin(14 * np.pi * xx[yy > 0.75]))
    if not colour:
        return gray.astype(np.float32)
    return np.stack([gray, 0.8 - 0.5 * gray, 0.2 + 0.6 * yy], axis=2).astype(np.float32)


@pytest.mark.parametrize("name", ["nearest", "bilinear", "bicubic", "lanczos"])
@pytest.mark.parametrize("colour", [False, True], ids=["gray", "colour"])
def test_interpolators_keep_shape_and_reproduce_smooth_images(name, colour):
    obs = degrade(make_scene(48, 56, colour=colour), "downsample(scale=2)", seed=0)
    out = run_algorithm(SPECS[name], obs)
    assert out.shape == obs.clean.shape and out.dtype == np.float32
    np.testing.assert_array_equal(out, upsample(obs.degraded, 2, method=name))


def test_interpolators_rank_as_expected_on_smooth_content():
    yy, xx = np.mgrid[0:96, 0:96]
    smooth = (0.5 + 0.4 * np.sin(xx / 5.0) * np.cos(yy / 7.0)).astype(np.float32)
    obs = degrade(smooth, "downsample(scale=3)")
    scores = {n: psnr(obs.clean, run_algorithm(SPECS[n], obs)) for n in ("nearest", "bilinear", "bicubic", "lanczos")}
    assert scores["nearest"] < scores["bilinear"] < scores["bicubic"] <= scores["lanczos"] + 0.2
    assert scores["bicubic"] > scores["nearest"] + 5


@pytest.mark.parametrize("colour", [False, True], ids=["gray", "colour"])
def test_back_projection_beats_bicubic(colour):
    obs = degrade(detailed_scene(colour=colour), "downsample(scale=2)", seed=0)
    out = run_algorithm(SPECS["back_projection"], obs)
    assert out.shape == obs.clean.shape and out.dtype == np.float32
    # measured: +0.62 / +0.62 dB (gray / colour)
    assert psnr(obs.clean, out) > psnr(obs.clean, run_algorithm("bicubic", obs)) + 0.4


def test_back_projection_fits_the_observation_and_uses_the_kernel():
    obs = degrade(detailed_scene(), "motion_blur(length=7, angle=30) | downsample(scale=2)", seed=0)
    x0 = srm.back_projection(obs.degraded, 2, kernel=obs.kernel, iterations=0)
    x = srm.back_projection(obs.degraded, 2, kernel=obs.kernel, iterations=30)
    from restoration.degradations import blur

    def misfit(img):
        return float(np.abs(imresize(blur(img, obs.kernel), output_shape=obs.degraded.shape) - obs.degraded).mean())

    assert misfit(x) < 0.2 * misfit(x0)
    assert psnr(obs.clean, x) > psnr(obs.clean, x0) + 1.0


@pytest.mark.parametrize("colour", [False, True], ids=["gray", "colour"])
def test_back_projection_with_a_known_kernel_and_early_stopping(colour):
    spec = SPECS["back_projection"]
    obs = degrade(detailed_scene(colour=colour), "motion_blur(length=9, angle=30) | downsample(scale=2) | "
                  "gaussian_noise(sigma=2)", seed=1)
    assert spec.defaults_for(obs)["iterations"] == 10
    out = run_algorithm(spec, obs)
    assert psnr(obs.clean, out) > psnr(obs.clean, run_algorithm("bicubic", obs)) + 1.0  # measured +2.3 / +2.2


@pytest.mark.parametrize("colour", [False, True], ids=["gray", "colour"])
def test_back_projection_with_noise_says_what_it_does(colour):
    """Issue 14: at sigma >= 5 it silently ran 0 steps and equalled bicubic. Now: damped steps when a blur is
    known (they still undo part of it), and 0 steps -- stated in its automatic parameters -- when there is none."""
    spec = SPECS["back_projection"]
    blurred = degrade(detailed_scene(colour=colour), COMBINED, seed=1)  # blur + x2 + sigma 10
    auto = spec.defaults_for(blurred)
    assert auto["iterations"] == 3 and 0.05 <= auto["step"] < 1.0  # (4 / 10)^2 = 0.16
    out = run_algorithm(spec, blurred)
    bicubic = run_algorithm("bicubic", blurred)
    assert np.abs(out - bicubic).max() > 1e-3  # it does something
    assert psnr(blurred.clean, out) > psnr(blurred.clean, bicubic) - 0.05  # and does not make it worse
    plain = degrade(detailed_scene(colour=colour), "downsample(scale=2) | gaussian_noise(sigma=10)", seed=1)
    assert spec.defaults_for(plain) == {"iterations": 0, "step": 1.0}  # every step would only re-fit the noise
    np.testing.assert_allclose(run_algorithm(spec, plain), run_algorithm("bicubic", plain), atol=1e-6)
    iterations = next(p for p in spec.params if p.name == "iterations")
    assert "0 = the bicubic enlargement" in iterations.help and "6.4" in iterations.help
    assert "bicubic enlargement" in spec.explanation
    steps = [spec.defaults_for(degrade(detailed_scene(), f"motion_blur(length=9) | downsample(scale=2) | "
                                       f"gaussian_noise(sigma={s})"))["step"] for s in (2, 5, 10, 20)]
    assert steps[0] == 1.0 and steps == sorted(steps, reverse=True)  # damped more as the noise grows


@pytest.mark.parametrize("colour", [False, True], ids=["gray", "colour"])
@pytest.mark.parametrize("scale", [2, 3])
def test_sparse_sr_beats_bicubic(scale, colour):
    obs = degrade(detailed_scene(120, colour=colour), f"downsample(scale={scale})", seed=0)
    out = run_algorithm(SPECS["sparse_sr"], obs)
    assert out.shape == obs.clean.shape and out.dtype == np.float32
    gain = psnr(obs.clean, out, y_channel=True, crop_border=scale) - psnr(
        obs.clean, run_algorithm("bicubic", obs), y_channel=True, crop_border=scale)
    assert gain > 0.4  # measured: x2 +3.0 / +2.6, x3 +1.8 / +0.7 dB (gray / colour)
    np.testing.assert_array_equal(out, run_algorithm(SPECS["sparse_sr"], obs))


def test_sparse_sr_untrained_scale_and_back_projection():
    obs = degrade(detailed_scene(100), "downsample(scale=5)", seed=0)
    out = run_algorithm(SPECS["sparse_sr"], obs, {"back_projection": 5})
    assert out.shape == obs.clean.shape
    assert psnr(obs.clean, out) > psnr(obs.clean, run_algorithm("bicubic", obs)) + 0.3  # measured +0.98


def test_coupled_dictionaries_are_shipped():
    for scale in srm.TRAINED_SCALES:
        dico = srm.load_coupled_dictionary(scale)
        assert dico.scale == scale
        assert dico.low.shape[1] == dico.high.shape[1]
        assert dico.high.shape[0] == dico.patch_size**2
        assert dico.projection.shape == (4 * dico.patch_size**2, dico.low.shape[0])
        np.testing.assert_allclose(np.linalg.norm(dico.low, axis=0), 1.0, atol=1e-4)
        assert "command" in dico.info and "cameraman" not in dico.info["training_images"]


def test_ycbcr_round_trip():
    rgb = make_scene(16, 20, colour=True)
    np.testing.assert_allclose(srm.from_ycbcr(srm.to_ycbcr(rgb)), rgb, atol=1e-6)
    from restoration.metrics import rgb_to_y

    np.testing.assert_allclose(srm.to_ycbcr(rgb)[..., 0], rgb_to_y(rgb), atol=1e-6)
