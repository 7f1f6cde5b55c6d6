import numpy as np
import pytest
from PIL import Image

from restoration.degradations import (
    PRESETS,
    STEPS,
    Observation,
    Pipeline,
    blur,
    box_kernel,
    degrade,
    disk_kernel,
    gaussian_kernel,
    imresize,
    motion_kernel,
)
from restoration.errors import ImageValueError, SpecError
from restoration.metrics import psnr


def test_parse_and_canonical_text():
    p = Pipeline.parse(" motion_blur(length=9, angle=30) |downsample(scale=2)| gaussian_noise(sigma=10) ")
    assert [s.name for s in p.steps] == ["motion_blur", "downsample", "gaussian_noise"]
    assert p.to_text() == "motion_blur(length=9, angle=30) | downsample(scale=2) | gaussian_noise(sigma=10)"
    assert "boundary=reflect" in p.to_text(full=True)
    assert Pipeline.parse(p.to_text(full=True)) == Pipeline.parse(p.to_text(full=True))
    assert p.scale == 2
    assert Pipeline.parse("").steps == ()
    assert Pipeline.parse("jpeg").steps[0].params["quality"] == 30
    assert Pipeline.parse("gaussian_noise(clip=false)").steps[0].params["clip"] is False


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("gausian_noise(sigma=25)", "did you mean 'gaussian_noise'"),
        ("gaussian_noise(25)", "by name"),
        ("gaussian_noise(sigma=25", "cannot parse"),
        ("gaussian_noise(sigma=-1)", ">= 0"),
        ("gaussian_noise(sigma=1e9)", "<= 255"),
        ("gaussian_noise(sigma=25) || jpeg", "empty step"),
        ("downsample(scale=2.5)", "whole number"),
        ("gaussian_noise(sigma=1, sigma=2)", "given twice|cannot parse"),
        ("gaussian_noise(sigma=__import__('os'))", "must be a number"),
        ("gaussian_noise(foo=1)", "no parameter 'foo'"),
        ("random_mask | downsample(scale=2)", "before any mask"),
    ],
)
def test_bad_specs_give_clear_errors(spec, message, gray_image):
    with pytest.raises(SpecError, match=message):
        degrade(gray_image, spec)


def test_every_step_runs_gray_and_colour(gray_image, rgb_image):
    for name in STEPS:
        for img in (gray_image, rgb_image):
            obs = degrade(img, name, seed=3)
            assert obs.degraded.dtype == np.float32
            assert obs.degraded.ndim == img.ndim
            assert np.all(np.isfinite(obs.degraded))


def test_seeded_and_independent_streams(gray_image):
    a = degrade(gray_image, "gaussian_noise(sigma=20) | salt_pepper(amount=0.1)", seed=7)
    b = degrade(gray_image, "gaussian_noise(sigma=20) | salt_pepper(amount=0.1)", seed=7)
    c = degrade(gray_image, "gaussian_noise(sigma=20) | salt_pepper(amount=0.1)", seed=8)
    assert np.array_equal(a.degraded, b.degraded)
    assert not np.array_equal(a.degraded, c.degraded)
    # changing the second step's parameters leaves the first step's noise untouched
    d = degrade(gray_image, "gaussian_noise(sigma=20) | salt_pepper(amount=0.0)", seed=7)
    e = degrade(gray_image, "gaussian_noise(sigma=20)", seed=7)
    assert np.array_equal(d.degraded, e.degraded)


def test_gaussian_noise_statistics():
    flat = np.full((256, 256), 0.5, np.float32)
    obs = degrade(flat, "gaussian_noise(sigma=25, clip=false)", seed=0)
    assert np.std(obs.degraded - flat) * 255 == pytest.approx(25, rel=0.02)
    assert obs.sigma == 25 and obs.noise == ("gaussian",) and obs.task == "denoise"
    clipped = degrade(np.zeros((64, 64), np.float32), "gaussian_noise(sigma=25)", seed=0)
    assert clipped.degraded.min() >= 0
    two = degrade(flat, "gaussian_noise(sigma=3) | gaussian_noise(sigma=4)")
    assert two.sigma == pytest.approx(5.0)


def test_poisson_and_salt_pepper():
    flat = np.full((200, 200), 0.5, np.float32)
    obs = degrade(flat, "poisson_noise(peak=100)", seed=0)
    # variance of Poisson(50)/100 is 50/100^2
    assert np.var(obs.degraded) == pytest.approx(50 / 100**2, rel=0.1)
    sp = degrade(flat, "salt_pepper(amount=0.2, salt_ratio=1)", seed=0)
    hit = sp.degraded != 0.5
    assert hit.mean() == pytest.approx(0.2, abs=0.01)
    assert np.all(sp.degraded[hit] == 1.0)


def test_kernels_are_normalised_and_centred():
    for k in (motion_kernel(9, 30), motion_kernel(1, 0), gaussian_kernel(1.5), box_kernel(4), box_kernel(5),
              disk_kernel(3.2)):
        assert k.sum() == pytest.approx(1.0, abs=1e-6)
        assert k.shape[0] % 2 == 1 and k.shape[1] % 2 == 1
        ys, xs = np.mgrid[: k.shape[0], : k.shape[1]]
        c = k.shape[0] // 2
        assert (k * ys).sum() == pytest.approx(c, abs=1e-6) and (k * xs).sum() == pytest.approx(c, abs=1e-6)
    assert motion_kernel(1, 45).shape == (1, 1)
    horiz = motion_kernel(5, 0)
    assert np.count_nonzero(horiz.sum(axis=1) > 1e-6) == 1  # a horizontal line
    assert np.count_nonzero(horiz.sum(axis=0) > 1e-6) == 5
    vert = motion_kernel(5, 90)
    np.testing.assert_allclose(vert, horiz.T, atol=1e-6)


def test_blur_is_true_convolution_and_boundaries():
    img = np.zeros((21, 21), np.float32)
    img[10, 10] = 1.0
    k = np.zeros((3, 3), np.float32)
    k[0, 0] = 1.0  # a point spreads to p + offset: convolution moves it up-left, correlation down-right
    out = blur(img, k)
    assert out[9, 9] == pytest.approx(1.0)
    ramp = np.tile(np.linspace(0, 1, 30, dtype=np.float32), (10, 1))
    refl = blur(ramp, box_kernel(5), boundary="reflect")
    wrap = blur(ramp, box_kernel(5), boundary="wrap")
    assert abs(refl[:, 0].mean() - ramp[:, 0].mean()) < 0.05  # mirror keeps the dark edge dark
    assert wrap[:, 0].mean() > 0.2  # wrap-around brings the bright right edge in
    with pytest.raises(ImageValueError):
        blur(img, np.ones((2, 2)))


def test_imresize_matches_pillow_away_from_border():
    rng = np.random.default_rng(0)
    img = rng.random((48, 64)).astype(np.float32)
    for shape in [(24, 32), (16, 21), (96, 128)]:
        ours = imresize(img, output_shape=shape)
        pil = np.asarray(Image.fromarray(img, "F").resize(shape[::-1], Image.BICUBIC))
        np.testing.assert_allclose(ours[4:-4, 4:-4], pil[4:-4, 4:-4], atol=1e-5)


def test_imresize_properties():
    flat = np.full((30, 40, 3), 0.3, np.float32)
    np.testing.assert_allclose(imresize(flat, 0.5), 0.3, atol=1e-6)
    assert imresize(flat, 0.5).shape == (15, 20, 3)
    assert imresize(flat, 1 / 3).shape == (10, 14, 3)  # ceil, as MATLAB
    img = np.random.default_rng(1).random((12, 12)).astype(np.float32)
    np.testing.assert_allclose(imresize(img, 1.0), img, atol=1e-6)
    nn = imresize(img, 2, method="nearest")
    np.testing.assert_array_equal(nn[::2, ::2], img)


def test_downsample_records_scale_and_modcrops(rgb_image):
    obs = degrade(rgb_image[:63, :79], "downsample(scale=3)")
    assert obs.clean.shape == (63, 78, 3)
    assert obs.degraded.shape == (21, 26, 3)
    assert obs.output_shape == obs.clean.shape
    assert obs.scale == 3 and obs.task == "sr"
    obs2 = degrade(rgb_image, "downsample(scale=2) | downsample(scale=2)")
    assert obs2.scale == 4
    with pytest.raises(ImageValueError, match="smaller"):
        degrade(np.zeros((2, 2), np.float32), "downsample(scale=4)")


def test_combined_records_kernel_scale_sigma(gray_image):
    obs = degrade(gray_image, PRESETS["combined"].spec, seed=0)
    assert obs.task == "combined"
    assert obs.scale == 2 and obs.sigma == 10
    np.testing.assert_allclose(obs.kernel, motion_kernel(9, 30))
    summary = obs.summary()
    assert summary["task"] == "combined" and summary["kernel_shape"] == list(obs.kernel.shape)
    comp = degrade(gray_image, "gaussian_blur(sigma=1) | box_blur(size=3)")
    assert comp.kernel.sum() == pytest.approx(1.0, abs=1e-5) and comp.task == "deblur"
    after = degrade(gray_image, "downsample(scale=2) | gaussian_blur(sigma=1)")
    assert after.kernel is None and after.notes


@pytest.mark.parametrize("spec", ["random_mask(missing=0.3)", "block_mask(size=10, count=3)",
                                  "scribble_mask(strokes=5, width=4)", "text_mask(size=12)"])
def test_masks(spec, rgb_image):
    obs = degrade(rgb_image, spec, seed=1)
    assert obs.task == "inpaint"
    assert obs.mask.shape == rgb_image.shape[:2] and obs.mask.dtype == bool
    assert 0.01 < 1 - obs.mask.mean() < 0.9
    assert np.all(obs.degraded[~obs.mask] == 0.0)
    np.testing.assert_array_equal(obs.degraded[obs.mask], rgb_image[obs.mask])


def test_mask_extremes(gray_image):
    none_missing = degrade(gray_image, "random_mask(missing=0)")
    assert none_missing.mask.all()
    all_missing = degrade(gray_image, "random_mask(missing=1, fill=0.5)")
    assert not all_missing.mask.any() and np.all(all_missing.degraded == 0.5)


def test_jpeg_quality_monotone(rgb_image):
    errs = [psnr(rgb_image, degrade(rgb_image, f"jpeg(quality={q})").degraded) for q in (5, 30, 95)]
    assert errs[0] < errs[1] < errs[2]


def test_blur_longer_than_image():
    tiny = np.random.default_rng(0).random((5, 6)).astype(np.float32)
    obs = degrade(tiny, "motion_blur(length=41, angle=10)")
    assert obs.degraded.shape == tiny.shape and np.all(np.isfinite(obs.degraded))


def test_every_preset_parses_and_matches_its_task(gray_image):
    for preset in PRESETS.values():
        assert degrade(gray_image, preset.spec).task == preset.task, preset.key


def test_from_degraded():
    obs = Observation.from_degraded(np.full((8, 8), 0.5), scale=2, sigma=5)
    assert obs.clean is None and obs.output_shape == (16, 16) and obs.task == "combined"
    with pytest.raises(ImageValueError):
        Observation.from_degraded(np.full((8, 8), np.nan))


def test_input_validation():
    with pytest.raises(ImageValueError):
        degrade(np.zeros((8, 8), np.uint8), "jpeg")
    with pytest.raises(ImageValueError):
        degrade(np.full((8, 8), np.inf, np.float32), "jpeg")


@pytest.mark.parametrize("seed", [-1, 1.5, "3", True])
def test_bad_seed_is_a_clear_error(seed, gray_image):
    with pytest.raises(SpecError, match="seed"):
        degrade(gray_image, "gaussian_noise", seed=seed)


def test_camera_noise_is_signal_dependent_and_seeded():
    flat = np.concatenate([np.full((64, 64), 0.05, np.float32), np.full((64, 64), 0.6, np.float32)], axis=1)
    obs = degrade(flat, "camera_noise(gain=0.01, read=2)", seed=3)
    dark, bright = obs.degraded[:, :64] - 0.05, obs.degraded[:, 64:] - 0.6
    assert bright.std() > 2.5 * dark.std()  # shot noise grows with the signal
    assert abs(bright.std() - np.sqrt(0.01 * 0.6 + (2 / 255) ** 2)) < 0.005  # (no clipping this far from 1)
    assert obs.noise == ("camera",) and obs.sigma == 0.0 and obs.task == "denoise"
    np.testing.assert_array_equal(obs.degraded, degrade(flat, "camera_noise(gain=0.01, read=2)", seed=3).degraded)
    saved = degrade(flat, "camera_noise(gain=0.01, read=2, jpeg=50)", seed=3)
    assert saved.noise == ("camera", "jpeg") and not np.array_equal(saved.degraded, obs.degraded)
    assert "camera" in PRESETS and PRESETS["camera"].task == "denoise"
