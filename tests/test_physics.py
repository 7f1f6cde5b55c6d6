"""The physics layer: every forward operator has an exact adjoint, and every data step solves its normal equations.

One parametrised test per property, over every operator the solvers use (total variation, plug-and-play, the
classic chain, the unfolded network): ``<A x, r> = <x, A^T r>`` for random ``x`` and ``r``, and the data step
``x = argmin 1/2 ||A x - y||^2 + ||x - v||^2 / (2 tau)`` satisfies ``A^T (A x - y) + (x - v) / tau = 0``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
from scenes import make_scene

from restoration import degrade
from restoration.ops import blur, gaussian_kernel, imresize, motion_kernel
from restoration.physics import (
    ConvOperator,
    PeriodicBlurDecimate,
    ValidBlurTerm,
    data_term_for,
    extend_and_taper,
    image_to_planes,
    planes_to_image,
    transfer_function,
)


@dataclass
class Case:
    """An operator as the tests see it: A, A^T, the shapes they act on, and a data step (or None)."""

    forward: Callable[[np.ndarray], np.ndarray]
    adjoint: Callable[[np.ndarray], np.ndarray]
    x_shape: tuple[int, ...]
    y_shape: tuple[int, ...]
    y: np.ndarray | None = None
    # step(v, tau) -> argmin_x 1/2 ||A x - y||^2 + ||x - v||^2 / (2 tau)
    step: Callable[[np.ndarray, float], np.ndarray] | None = None


def _scene(colour: bool) -> np.ndarray:
    img = make_scene(40, 48)
    return np.dstack([img, img[::-1], img[:, ::-1]]) if colour else img


def _term_case(spec: str, colour: bool = False) -> Case:
    obs = degrade(_scene(colour), spec, seed=0)
    data = data_term_for(obs)
    c = data.y.shape[0]
    x_shape = data.x0.shape
    return Case(data.forward, data.adjoint, x_shape, (c, *data.y.shape[1:]), data.y,
                lambda v, tau: data.data_step(v, tau, iterations=200))


def _conv_case(boundary: str) -> Case:
    op = ConvOperator(motion_kernel(9, 30), (24, 29), boundary)
    return Case(op.forward, op.adjoint, (2, 24, 29), (2, 24, 29))


def _valid_case() -> Case:
    term = ValidBlurTerm(make_scene(40, 50)[None], motion_kernel(7, 30))

    def step(v: np.ndarray, tau: float) -> np.ndarray:
        return term.solve(v, 1.0 / tau, v, iterations=80)

    return Case(term.forward, term.adjoint, (1, *term.shape), (1, 40, 50), term.y, step)


def _periodic_case(kernel: np.ndarray | None) -> Case:
    op = PeriodicBlurDecimate(kernel, (32, 40), 2)
    y = np.random.default_rng(5).random((16, 20))
    return Case(op.forward, op.adjoint, (32, 40), (16, 20), y, lambda v, tau: op.data_step(v, y, 1.0 / tau))


CASES: dict[str, Callable[[], Case]] = {
    "denoise": lambda: _term_case("gaussian_noise(sigma=10)"),
    "denoise colour": lambda: _term_case("gaussian_noise(sigma=10)", colour=True),
    "inpaint": lambda: _term_case("random_mask(missing=0.4)"),
    "deblur mirror": lambda: _term_case("motion_blur(length=7, angle=30)"),
    "deblur periodic": lambda: _term_case("motion_blur(length=7, angle=30, boundary=wrap)"),
    "sr": lambda: _term_case("downsample(scale=2)"),
    "blur + sr colour": lambda: _term_case("motion_blur(length=7, angle=20) | downsample(scale=2)", colour=True),
    "blur + mask": lambda: _term_case("gaussian_blur(sigma=1.2) | random_mask(missing=0.3)"),
    "blur + sr + mask": lambda: _term_case("motion_blur(length=5, angle=0) | downsample(scale=2) | "
                                           "random_mask(missing=0.2)"),
    "conv mirror": lambda: _conv_case("reflect"),
    "conv periodic": lambda: _conv_case("wrap"),
    "valid blur (pnp)": _valid_case,
    "periodic blur + decimate (unfolded)": lambda: _periodic_case(motion_kernel(7, 20)),
    "periodic decimate": lambda: _periodic_case(None),
}


@pytest.mark.parametrize("name", list(CASES))
def test_adjoint_identity(name: str) -> None:
    case = CASES[name]()
    rng = np.random.default_rng(0)
    x = rng.standard_normal(case.x_shape).astype(np.float32)
    r = rng.standard_normal(case.y_shape).astype(np.float32)
    ax = case.forward(x)
    assert ax.shape == case.y_shape
    lhs, rhs = float(np.vdot(ax, r)), float(np.vdot(x, case.adjoint(r)))
    assert lhs == pytest.approx(rhs, rel=1e-4, abs=1e-3), (lhs, rhs)


@pytest.mark.parametrize("name", [n for n in CASES if not n.startswith("conv")])
def test_data_step_solves_its_normal_equations(name: str) -> None:
    case = CASES[name]()
    assert case.step is not None and case.y is not None
    v = np.random.default_rng(1).random(case.x_shape).astype(np.float32)
    tau = 3.0
    x = case.step(v, tau)
    grad = case.adjoint(case.forward(x) - case.y) + (x - v) / tau
    scale = float(np.abs(case.adjoint(case.y)).max() + np.abs(v).max() / tau)
    assert np.abs(grad).max() < 1e-3 * scale, float(np.abs(grad).max())


def test_operators_reproduce_the_degradation() -> None:
    """Before noise, each operator is the pipeline's own degradation (the physics and the pipeline agree)."""
    clean = _scene(colour=True)
    obs = degrade(clean, "motion_blur(length=7, angle=20) | downsample(scale=2)", seed=0)
    data = data_term_for(obs)
    np.testing.assert_allclose(planes_to_image(data.forward(image_to_planes(obs.clean)), False), obs.degraded,
                               atol=1e-5)
    plain = data_term_for(degrade(clean, "downsample(scale=2)", seed=0))
    np.testing.assert_allclose(planes_to_image(plain.forward(image_to_planes(clean)), False),
                               imresize(clean, output_shape=(20, 24)), atol=1e-5)
    for boundary in ("reflect", "wrap"):
        k = gaussian_kernel(1.5)
        op = ConvOperator(k, clean.shape[:2], boundary)
        np.testing.assert_allclose(op.forward(image_to_planes(clean))[1], blur(clean[..., 1], k, boundary=boundary),
                                   atol=1e-5)
    term = ValidBlurTerm(clean[..., 0][None], motion_kernel(7, 30))
    np.testing.assert_allclose(term.forward(term.x0)[0], blur(clean[..., 0], motion_kernel(7, 30)), atol=1e-5)


def test_periodic_operator_is_the_degradation_inside() -> None:
    """The Fourier model of blur + bicubic x2 equals the app's degradation away from the borders."""
    x = np.random.default_rng(0).random((64, 80))
    for spec, kernel in (("motion_blur(length=9, angle=30) | downsample(scale=2)", motion_kernel(9, 30)),
                         ("downsample(scale=2)", None)):
        y = degrade(x, spec).degraded
        model = PeriodicBlurDecimate(kernel, x.shape, 2).forward(x)
        np.testing.assert_allclose(model, np.real(np.fft.ifft2(np.fft.fft2(x) * transfer_function(kernel, x.shape, 2)))
                                   [::2, ::2])
        assert np.abs(model - y)[8:-8, 8:-8].max() < 1e-6
        assert np.abs(model - y).max() > 1e-3  # (the borders differ: the app mirrors, the model wraps)


def test_extend_and_taper() -> None:
    image = _scene(colour=True)
    ext, crop = extend_and_taper(image, motion_kernel(9, 30))
    np.testing.assert_array_equal(ext[crop], image)
    assert ext.shape[0] >= 40 + 32 and ext.shape[1] >= 48 + 32
    # the periodic extension wraps around smoothly: no jump between the last and first row/column
    assert np.abs(ext[0] - ext[-1]).max() < 0.05 and np.abs(ext[:, 0] - ext[:, -1]).max() < 0.05
