"""The look-inside API of the Learn page's filter, deblurring, super-resolution and inpainting sections.

Everything here is classic numpy (no torch): fast on a small image, and a check that each view says what the
page claims it shows (the boundary frame, semi-convergence, the interpolation kernels, the sparse-SR patch).
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from restoration import Observation, ParameterError, degrade, explain, run_algorithm


@pytest.fixture(scope="module")
def clean() -> np.ndarray:
    """A 64x64 test scene with edges, a gradient and texture."""
    y, x = np.mgrid[0:64, 0:64].astype(np.float32)
    image = 0.2 + 0.5 * (x > 30) + 0.15 * np.sin(y / 3.0) * (y > 40) + 0.002 * x
    image[10:24, 8:20] = 0.9
    return np.clip(image, 0.0, 1.0).astype(np.float32)


def test_import_stays_light() -> None:
    code = ("import sys, restoration.explain; "
            "print(','.join(m for m in ('torch', 'streamlit', 'plotly') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


# --------------------------------------------------------------------------- filters
def test_filter_settings_give_each_filter_the_window() -> None:
    assert explain.filter_settings("mean", 5) == {"size": 5}
    assert explain.filter_settings("median", 7) == {"size": 7}
    assert explain.filter_settings("gaussian", 8 + 1) == {"sigma_spatial": 2.25}
    assert explain.filter_settings("bilateral", 3) == {"sigma_spatial": 0.75}
    assert explain.filter_settings("wiener_filter", 5, 25.0) == {"size": 5, "sigma": 25.0}
    assert explain.filter_settings("wiener_filter", 5) == {"size": 5}


@pytest.mark.parametrize(("name", "window"), [("tv", 5), ("mean", 4), ("mean", 1), ("mean", 17), ("mean", 2.5),
                                              ("mean", "five")])
def test_filter_settings_reject_bad_input(name: str, window: object) -> None:
    with pytest.raises(ParameterError):
        explain.filter_settings(name, window)  # type: ignore[arg-type]


def test_filter_window_curve_covers_the_five_filters(clean: np.ndarray) -> None:
    obs = degrade(clean, "gaussian_noise(sigma=25)", seed=1)
    curves = explain.filter_window_curve(obs, [3, 7, 15])
    assert list(curves) == list(explain.FILTERS) == ["mean", "median", "gaussian", "bilateral", "wiener_filter"]
    assert all(len(c) == 3 and all(np.isfinite(c)) for c in curves.values())
    assert curves["mean"][0] > curves["mean"][-1]  # a 15-pixel box blurs this small scene away
    with pytest.raises(ParameterError, match="clean image"):
        explain.filter_window_curve(Observation(degraded=obs.degraded, sigma=25.0), [3])


# --------------------------------------------------------------------------- deblurring
def test_blur_spectrum_is_centred_and_normalised() -> None:
    kernel = np.full((5, 5), 1 / 25, dtype=np.float32)
    spectrum = explain.blur_spectrum(kernel, 32)
    assert spectrum.shape == (32, 32)
    assert spectrum[16, 16] == pytest.approx(1.0) and spectrum.max() == pytest.approx(1.0)
    assert spectrum.min() < 1e-3  # a box blur wipes out whole frequencies
    np.testing.assert_allclose(spectrum[1:, 1:], spectrum[1:, 1:][::-1, ::-1], atol=1e-5)  # |K| is symmetric
    with pytest.raises(ParameterError):
        explain.blur_spectrum(np.ones(5))
    with pytest.raises(ParameterError):
        explain.blur_spectrum(np.full((3, 3), np.nan))


def test_wiener_boundary_shows_the_frame_and_its_cure(clean: np.ndarray) -> None:
    photo = degrade(clean, "gaussian_blur(sigma=1.6) | gaussian_noise(sigma=1)", seed=0)
    view = explain.wiener_boundary(photo, strength=0.1)
    assert view.periodic.shape == view.extended.shape == clean.shape
    frame_periodic, _ = explain.border_psnr(clean, view.periodic, 6)
    frame_extended, _ = explain.border_psnr(clean, view.extended, 6)
    assert frame_extended > frame_periodic + 5  # the plain FFT rings along the border of a photo
    periodic_blur = degrade(clean, "gaussian_blur(sigma=1.6, boundary=wrap) | gaussian_noise(sigma=1)", seed=0)
    view = explain.wiener_boundary(periodic_blur, strength=0.1)
    assert explain.border_psnr(clean, view.periodic, 6)[0] > explain.border_psnr(clean, view.extended, 6)[0]
    with pytest.raises(ParameterError, match="blurred"):
        explain.wiener_boundary(degrade(clean, "gaussian_noise(sigma=5)", seed=0))
    with pytest.raises(ParameterError):
        explain.wiener_boundary(photo, strength=0.0)
    with pytest.raises(ParameterError):
        explain.wiener_boundary(photo, regulariser="sharp")


def test_border_psnr_splits_frame_and_inside(clean: np.ndarray) -> None:
    assert explain.border_psnr(clean, clean, 4) == (float("inf"), float("inf"))
    spoiled = clean.copy()
    spoiled[:2] = 1.0 - spoiled[:2]
    frame, inside = explain.border_psnr(clean, spoiled, 4)
    assert inside == float("inf") and frame < 20
    with pytest.raises(ParameterError):
        explain.border_psnr(clean, clean[:10], 4)
    with pytest.raises(ParameterError):
        explain.border_psnr(clean, clean, 40)


def test_richardson_lucy_trace_semi_converges(clean: np.ndarray) -> None:
    obs = degrade(clean, "gaussian_blur(sigma=1.6) | gaussian_noise(sigma=8)", seed=0)
    trace = explain.richardson_lucy_trace(obs, [200, 1, 10, 10, 3])
    assert trace.steps == (1, 3, 10, 200)
    assert len(trace.images) == 4 and trace.psnr is not None and trace.residual is None
    best = int(np.argmax(trace.psnr))
    assert 0 < best < 3 and trace.psnr[-1] < trace.psnr[best]  # it rises, peaks, and the noise comes back
    np.testing.assert_allclose(np.clip(trace.images[2], 0, 1),
                               run_algorithm("richardson_lucy", obs, {"iterations": 10}), atol=1e-5)
    for bad in ([], [0], [2.5], [5000]):
        with pytest.raises(ParameterError):
            explain.richardson_lucy_trace(obs, bad)


# --------------------------------------------------------------------------- super-resolution
def test_interpolation_kernels_interpolate() -> None:
    x, kernels = explain.interpolation_kernels()
    assert list(kernels) == ["nearest", "bilinear", "bicubic", "lanczos"]
    step = x[1] - x[0]
    for name, weights in kernels.items():
        assert weights.shape == x.shape
        for offset in range(-3, 4):  # 1 at its own pixel, 0 at every other: the samples are kept
            assert weights[np.argmin(np.abs(x - offset))] == pytest.approx(float(offset == 0), abs=1e-6), name
        assert weights.sum() * step == pytest.approx(1.0, abs=0.02), name  # a weighted average
    assert kernels["bilinear"].min() >= 0 and kernels["bicubic"].min() < -0.05  # the negative lobe sharpens
    assert kernels["lanczos"].min() < kernels["bicubic"].min()
    with pytest.raises(ParameterError):
        explain.interpolation_kernels(["sinc"])


def test_back_projection_trace_fits_the_input(clean: np.ndarray) -> None:
    obs = degrade(clean, "downsample(scale=2)", seed=0)
    trace = explain.back_projection_trace(obs, iterations=8)
    assert trace.steps == tuple(range(9)) and len(trace.images) == 9
    np.testing.assert_allclose(np.clip(trace.images[0], 0, 1), run_algorithm("bicubic", obs), atol=1e-5)
    assert trace.residual is not None and trace.psnr is not None
    assert all(b <= a + 1e-6 for a, b in zip(trace.residual, trace.residual[1:], strict=False))
    assert trace.residual[-1] < 0.2 * trace.residual[0]
    assert trace.psnr[-1] > trace.psnr[0]
    np.testing.assert_allclose(np.clip(trace.images[5], 0, 1), run_algorithm("back_projection", obs,
                                                                             {"iterations": 5}), atol=1e-4)
    with pytest.raises(ParameterError, match="downsampled"):
        explain.back_projection_trace(degrade(clean, "gaussian_noise(sigma=5)", seed=0))
    with pytest.raises(ParameterError):
        explain.back_projection_trace(obs, iterations=-1)
    with pytest.raises(ParameterError):
        explain.back_projection_trace(obs, step=3.0)


def test_sr_correction_is_output_minus_bicubic(clean: np.ndarray) -> None:
    obs = degrade(clean, "downsample(scale=2)", seed=0)
    view = explain.sr_correction(obs, "sparse_sr")
    np.testing.assert_allclose(view.correction, view.output - view.bicubic)
    np.testing.assert_allclose(view.output, run_algorithm("sparse_sr", obs))
    assert np.abs(view.correction).max() > 0.01
    assert np.abs(explain.sr_correction(obs, "bicubic").correction).max() == 0


def test_sparse_sr_patch_matches_sparse_sr(clean: np.ndarray) -> None:
    from restoration.classic.sparse import omp
    from restoration.classic.superres import load_coupled_dictionary, sr_pairs
    from restoration.ops import imresize

    obs = degrade(clean, "downsample(scale=2)", seed=0)
    code = explain.sparse_sr_patch(obs, 20, 30)
    dico = load_coupled_dictionary(2)
    p = dico.patch_size
    assert code.scale == 2 and code.bicubic.shape == code.detail.shape == (p, p)
    assert code.atoms.shape == (len(code.indices), p, p) and 0 < len(code.indices) <= dico.atoms_per_patch
    mid = imresize(obs.degraded, output_shape=clean.shape).astype(np.float32)
    features, details, _rows, cols = sr_pairs(mid, p, 1, hr=clean)
    index = 20 * len(cols) + 30
    expected = omp(dico.low, features[index : index + 1] @ dico.projection, max_atoms=dico.atoms_per_patch)
    np.testing.assert_allclose(code.detail.ravel(), expected.reconstruct(dico.high)[0], atol=1e-5)
    assert code.true_detail is not None and details is not None
    np.testing.assert_allclose(code.true_detail.ravel(), details[index], atol=1e-6)
    np.testing.assert_allclose(code.atoms[0].ravel(), dico.high[:, code.indices[0]])
    for y, x in ((-1, 0), (0, 64), (2.5, 0)):
        with pytest.raises(ParameterError):
            explain.sparse_sr_patch(obs, y, x)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- inpainting
def test_hole_psnr_looks_only_at_the_holes(clean: np.ndarray) -> None:
    obs = degrade(clean, "random_mask(missing=0.3)", seed=0)
    assert explain.hole_psnr(obs, clean) == float("inf")
    filled = clean.copy()
    filled[~obs.mask] = 0.5
    spoiled_known = filled.copy()
    spoiled_known[obs.mask] = 0.0  # the known pixels do not count
    assert explain.hole_psnr(obs, filled) == pytest.approx(explain.hole_psnr(obs, spoiled_known))
    assert explain.hole_psnr(obs, run_algorithm("biharmonic", obs)) > explain.hole_psnr(obs, filled)
    with pytest.raises(ParameterError, match="mask"):
        explain.hole_psnr(degrade(clean, "gaussian_noise(sigma=5)", seed=0), clean)
    with pytest.raises(ParameterError):
        explain.hole_psnr(obs, clean[:10])


def test_zero_shot_trace_shows_the_pair_the_loss_and_the_result() -> None:
    from restoration import degrade, psnr
    from restoration.errors import ParameterError
    from restoration.explain import zero_shot_trace

    yy, xx = np.mgrid[0:32, 0:32]
    clean = (0.5 + 0.3 * np.sin(xx / 4.0) * np.cos(yy / 5.0)).astype(np.float32)
    obs = degrade(clean, "gaussian_noise(sigma=25)", seed=0)
    view = zero_shot_trace(obs, iterations=40)
    assert view.pair[0].shape == view.pair[1].shape == (16, 16)
    assert len(view.losses) == 40 and view.snapshots[-1][0] == 40
    assert psnr(clean, view.result) > psnr(clean, np.clip(obs.degraded, 0, 1))
    with pytest.raises(ParameterError):
        zero_shot_trace(obs, iterations=5)
