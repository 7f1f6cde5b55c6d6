"""Plug-and-play restoration: a learned denoiser used as the prior inside a variational solver.

Half-quadratic splitting (HQS) turns the MAP problem

    min_x  1/(2 sigma^2) ||A x - y||^2 + lam R(x)

into alternating two easy steps with an auxiliary image ``z``:

1. **data step** -- ``x_k = argmin_x 1/2 ||A x - y||^2 + 1/(2 tau_k) ||x - z_{k-1}||^2``: a
   least-squares problem with the *physics* (blur, downsampling, mask) of the observation,
   solved exactly in the Fourier domain or per pixel when possible, else by conjugate gradients;
2. **prior step** -- ``z_k = D(x_k, sigma_k)``: denoising at noise level ``sigma_k``. This is the
   proximal operator of the prior, and a denoiser *learned* from data can stand in for it
   (Venkatakrishnan et al. 2013; Zhang et al., DPIR, IEEE TPAMI 2021).

The denoiser level ``sigma_k`` falls geometrically from a large value to the noise level, and
``tau_k = sigma_k^2 / (lam sigma^2)`` ties the two steps together: early iterations trust the
prior, late ones the data. The data terms are the same ones the TV models use
(:func:`restoration.classic.variational.data_term_for`), so the variational and the deep parts of
the app literally share the physics.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..degradations import Observation

__all__ = ["DENOISERS", "PnPResult", "pnp_defaults", "pnp_hqs", "run_pnp"]

Denoiser = Callable[[np.ndarray, float], np.ndarray]


def _cnn(image: np.ndarray, sigma: float) -> np.ndarray:
    from .runners import denoise_cnn

    return denoise_cnn(image, sigma=sigma)


def _bm3d(image: np.ndarray, sigma: float) -> np.ndarray:
    from ..classic.bm3d import denoise_bm3d

    return denoise_bm3d(np.clip(image, 0.0, 1.0).astype(np.float32), sigma=max(sigma, 0.5))


#: Denoisers the solver can plug in, by name: ``f(image, sigma_0_255) -> image``.
DENOISERS: dict[str, Denoiser] = {"cnn": _cnn, "bm3d": _bm3d}


@dataclass
class PnPResult:
    """Restored image and the solver's history (for the teaching page's animation)."""

    image: np.ndarray
    iterates: list[np.ndarray] = field(default_factory=list)
    sigmas: list[float] = field(default_factory=list)


def _cg(apply: Callable[[np.ndarray], np.ndarray], rhs: np.ndarray, x0: np.ndarray, iterations: int) -> np.ndarray:
    """Conjugate gradients for a symmetric positive-definite operator."""
    x = x0.copy()
    r = rhs - apply(x)
    p = r.copy()
    rs = float(np.vdot(r, r))
    for _ in range(iterations):
        if rs < 1e-12:
            break
        ap = apply(p)
        alpha = rs / float(np.vdot(p, ap))
        x += alpha * p
        r -= alpha * ap
        rs_new = float(np.vdot(r, r))
        p = r + (rs_new / rs) * p
        rs = rs_new
    return x


def pnp_hqs(
    observation: Observation,
    denoiser: Denoiser,
    *,
    iterations: int = 8,
    lam: float = 0.23,
    sigma_start: float = 49.0,
    noise_floor: float = 1.0,
    cg_iterations: int = 15,
    record: bool = False,
) -> PnPResult:
    """Restore an observation by half-quadratic splitting with a plug-in denoiser.

    Parameters
    ----------
    observation : Observation
        Degraded image with its physics (kernel, scale, mask, sigma on the 0-255 scale).
    denoiser : callable
        ``denoiser(image, sigma)`` with ``sigma`` on the 0-255 scale.
    iterations : int
        Number of HQS iterations (data step + denoiser step).
    lam : float
        Weight of the prior; larger trusts the denoiser more (smoother results).
    sigma_start : float
        Denoiser level of the first iteration (0-255); it decreases geometrically to the noise level.
    noise_floor : float
        Smallest noise level assumed (0-255), so noise-free problems stay well conditioned.
    cg_iterations : int
        Conjugate-gradient steps of the data step when it has no closed form (super-resolution).
    record : bool
        Keep every iterate ``z_k`` as an image.

    Returns
    -------
    PnPResult
        The estimate on the output grid, with the iterates when recorded.
    """
    from ..classic.variational import data_term_for

    data = data_term_for(observation)
    sigma = max(float(observation.sigma), noise_floor)
    sigmas = np.geomspace(max(sigma_start, sigma), sigma, iterations)
    z = data.x0.astype(np.float32).copy()
    x = z.copy()
    result = PnPResult(image=np.empty(0), sigmas=[float(s) for s in sigmas])

    def to_image(planes: np.ndarray) -> np.ndarray:
        return planes[0] if planes.shape[0] == 1 else np.moveaxis(planes, 0, -1)

    def to_planes(image: np.ndarray) -> np.ndarray:
        return image[None] if image.ndim == 2 else np.moveaxis(image, -1, 0)

    for sigma_k in sigmas:
        tau = float((sigma_k / 255.0) ** 2 / (lam * (sigma / 255.0) ** 2))
        if data.prox is not None:
            x = data.prox(z.copy(), tau)
        else:
            fwd, adj = data.forward, data.adjoint
            assert fwd is not None and adj is not None
            rhs = adj(data.y) + z / tau
            x = _cg(lambda v, fwd=fwd, adj=adj, tau=tau: adj(fwd(v)) + v / tau, rhs, x, cg_iterations)
        z = to_planes(np.asarray(denoiser(np.ascontiguousarray(to_image(x)), float(sigma_k)), dtype=np.float32))
        if record:
            result.iterates.append(np.clip(data.to_image(z), 0.0, 1.0).astype(np.float32))
    result.image = np.clip(data.to_image(z), 0.0, 1.0).astype(np.float32)
    return result


def pnp_defaults(observation: Observation) -> dict[str, object]:
    """More iterations for super-resolution and inpainting, whose data steps fix less per iteration."""
    if observation.scale > 1 or observation.mask is not None:
        return {"iterations": 16}
    return {"iterations": 8}


def run_pnp(observation: Observation, *, denoiser: str, iterations: int, lam: float, sigma_start: float) -> np.ndarray:
    """Registry adapter: HQS plug-and-play with the chosen denoiser."""
    return pnp_hqs(observation, DENOISERS[denoiser], iterations=iterations, lam=lam, sigma_start=sigma_start).image
