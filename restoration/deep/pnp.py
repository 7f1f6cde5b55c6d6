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
(:func:`restoration.physics.data_term_for`), so the variational and the deep parts of
the app literally share the physics.

One exception: deblurring with a mirror boundary. The Fourier data step needs a periodic
image, which the TV model gets by extending and tapering the observation -- fine for a TV prior,
but the learned prior then keeps "explaining" the made-up border. Here the image is instead
estimated on a domain larger than the observation by the kernel's radius, and the data term
only compares the *valid* part of its blur with the observation: the unknown border is left to
the prior (a boundary-free model, as Almeida and Figueiredo, IEEE TIP 2013). That data step has
no closed form; preconditioned conjugate gradients with the periodic solution as the
preconditioner solve it in a few iterations.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..algorithm import Denoiser
from ..noise import noise_level
from ..observation import Observation
from ..physics import ValidBlurTerm, data_term_for

__all__ = ["PnPResult", "pnp_defaults", "pnp_hqs", "run_pnp"]

#: Smallest noise level (0-255) plug-and-play assumes when it has to *estimate* the level from the image.
ESTIMATED_FLOOR = 5.0


@dataclass
class PnPResult:
    """Restored image and the solver's history (for the teaching page's animation)."""

    image: np.ndarray
    iterates: list[np.ndarray] = field(default_factory=list)
    sigmas: list[float] = field(default_factory=list)


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
    denoiser : Denoiser
        ``denoiser(image, sigma)`` with ``sigma`` on the 0-255 scale, e.g.
        :func:`restoration.registry.denoiser` of a registry name.
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
    # An *estimated* level is floored at ESTIMATED_FLOOR: the estimator reads low after JPEG and camera noise, and a
    # prior run at too small a sigma then amplifies the noise. Six held-out CBSD432 crops, PSNR (dB) of input /
    # no floor / floor 3 / floor 5: blur + JPEG 80 27.1 / 26.7 / 29.4 / 29.1; blur + camera noise 26.1 / 22.7 /
    # 23.7 / 28.5. Only the floor 5 beats the input in both. A stated level is used as given.
    sigma = max(noise_level(observation, noise_free="zero", floor=ESTIMATED_FLOOR), noise_floor)
    sigmas = np.geomspace(max(sigma_start, sigma), sigma, iterations)
    result = PnPResult(image=np.empty(0), sigmas=[float(s) for s in sigmas])

    def to_image(planes: np.ndarray) -> np.ndarray:
        return planes[0] if planes.shape[0] == 1 else np.moveaxis(planes, 0, -1)

    def to_planes(image: np.ndarray) -> np.ndarray:
        return image[None] if image.ndim == 2 else np.moveaxis(image, -1, 0)

    kernel = observation.kernel
    if (kernel is not None and kernel.size > 1 and observation.scale == 1 and observation.mask is None
            and observation.boundary != "wrap"):
        valid = ValidBlurTerm(to_planes(np.asarray(observation.degraded, np.float32)), np.asarray(kernel))
        z = valid.x0.copy()
        x = z.copy()
        for sigma_k in sigmas:
            alpha = float(lam * (sigma / 255.0) ** 2 / (sigma_k / 255.0) ** 2)
            x = valid.solve(z, alpha, x)
            z = to_planes(np.asarray(denoiser(np.ascontiguousarray(to_image(x)), float(sigma_k)), np.float32))
            if record:
                result.iterates.append(np.clip(to_image(z[(slice(None), *valid.crop)]), 0.0, 1.0))
        result.image = np.clip(to_image(z[(slice(None), *valid.crop)]), 0.0, 1.0).astype(np.float32)
        return result

    data = data_term_for(observation)
    z = data.x0.astype(np.float32).copy()
    x = z.copy()
    for sigma_k in sigmas:
        tau = float((sigma_k / 255.0) ** 2 / (lam * (sigma / 255.0) ** 2))
        x = data.data_step(z, tau, start=x, iterations=cg_iterations)
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
    """Registry adapter: HQS plug-and-play with the denoiser of that registry name as the prior."""
    from ..registry import denoiser as as_prior

    return pnp_hqs(observation, as_prior(denoiser), iterations=iterations, lam=lam, sigma_start=sigma_start).image
