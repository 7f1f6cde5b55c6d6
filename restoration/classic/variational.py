"""Total-variation (TV) restoration with one primal-dual (Chambolle-Pock) solver.

Every method here minimises an energy of the same shape,

``E(x) = 1/2 ||A x - y||^2 + lam * TV(x)``,

a *data term* saying "once degraded by ``A``, the estimate should look like the
observation ``y``" plus a *regulariser* saying "the image should have a small total
variation" -- the sum over pixels of the length of the gradient,

``TV(x) = sum_i sqrt( sum_c (dx x_ic)^2 + (dy x_ic)^2 )``,

with forward differences and, for colour, the channels ``c`` under one square root
(vectorial TV: an edge is shared by the three channels, so no colour fringes). TV
is small for images made of flat regions separated by sharp edges, and it does not
penalise a jump more than a ramp of the same height, which is why TV keeps edges.
``lam`` sets the balance (intensities on the [0, 1] scale): larger ``lam`` is
smoother; a good ``lam`` grows with the noise level.

Only the operator ``A`` changes between the tasks:

==============  =============================================  ==========================
registry name   ``A``                                          how the solver uses it
==============  =============================================  ==========================
``tv``          identity (denoising, the ROF model)            exact prox, accelerated
``tv_inpaint``  keep the known pixels (mask)                   exact prox (per pixel)
``tv_deconv``   convolution with the known kernel              exact prox by FFT
``tv_sr``       blur (if known), bicubic downsampling, mask    dualised (matrix-free)
==============  =============================================  ==========================

The solver (:func:`tv_solve`) is written once. It alternates a gradient *ascent* on
dual variables (one per pixel gradient, bounded by ``lam``; plus one per observed
pixel when the data term is dualised) with a proximal *descent* on the image, and
extrapolates the image between the two. It records the energy after every iteration
so that its decrease can be plotted.

Boundaries: for deconvolution the image is extended by mirroring and the padding is
tapered into a smooth periodic band (:func:`~restoration.classic.deconvolution.extend_and_taper`),
so the FFT's wrap-around creates no ringing frame; the energy is then that of the
extended image. The super-resolution operator uses the observation's own boundary
rule (mirror or periodic) and MATLAB's bicubic ``imresize`` exactly, with its adjoint.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import fft as sfft
from scipy import ndimage, sparse

from ..degradations import Observation, imresize
from .deconvolution import extend_and_taper, kernel_spectrum
from .wavelet import estimate_noise_sigma

# Colour planes are transformed in parallel (scipy.fft threads over the leading axis).
_FFT_WORKERS = max(1, min(3, os.cpu_count() or 1))

__all__ = [
    "DataTerm",
    "auto_tv",
    "auto_tv_deconv",
    "auto_tv_inpaint",
    "auto_tv_sr",
    "data_term_for",
    "deconv_tv",
    "denoise_tv",
    "divergence",
    "gradient",
    "inpaint_tv",
    "run_tv",
    "run_tv_deconv",
    "run_tv_inpaint",
    "run_tv_sr",
    "sr_tv",
    "total_variation",
    "tv_restore",
    "tv_solve",
]


# --------------------------------------------------------------------------- finite differences
def gradient(x: np.ndarray) -> np.ndarray:
    """Forward-difference gradient with a zero difference past the last row/column (Neumann).

    Parameters
    ----------
    x : numpy.ndarray
        HxW or HxWxC image.

    Returns
    -------
    numpy.ndarray
        Array of shape ``(2, *x.shape)``: vertical differences ``x[i+1, j] - x[i, j]``
        then horizontal ones ``x[i, j+1] - x[i, j]``.
    """
    g = np.zeros((2, *x.shape), dtype=x.dtype)
    np.subtract(x[1:], x[:-1], out=g[0, :-1])
    np.subtract(x[:, 1:], x[:, :-1], out=g[1, :, :-1])
    return g


def divergence(p: np.ndarray) -> np.ndarray:
    """Discrete divergence, the negative adjoint of :func:`gradient`: ``<grad x, p> = -<x, div p>``.

    Parameters
    ----------
    p : numpy.ndarray
        Vector field of shape ``(2, *image_shape)``.

    Returns
    -------
    numpy.ndarray
        Image of shape ``p.shape[1:]``.
    """
    p0, p1 = p[0], p[1]
    d = np.zeros(p.shape[1:], dtype=p.dtype)
    d[:-1] += p0[:-1]
    d[1:] -= p0[:-1]
    d[:, :-1] += p1[:, :-1]
    d[:, 1:] -= p1[:, :-1]
    return d


def total_variation(x: np.ndarray) -> float:
    """Isotropic total variation ``sum_i |grad x_i|`` (vectorial: channels share one norm).

    Parameters
    ----------
    x : numpy.ndarray
        HxW or HxWxC image.

    Returns
    -------
    float
        The total variation (same intensity units as ``x``).
    """
    g = gradient(np.asarray(x, dtype=np.float64))
    sq = (g**2).sum(axis=0)
    if sq.ndim == 3:
        sq = sq.sum(axis=2)
    return float(np.sqrt(sq).sum())


# The solver works on channel-first stacks (C x H x W, C = 1 for gray): each channel is
# then a contiguous plane, which makes every array operation much faster for colour.
def _to_planes(image: np.ndarray) -> np.ndarray:
    x = np.asarray(image, dtype=np.float32)
    return np.ascontiguousarray(x[None] if x.ndim == 2 else np.moveaxis(x, 2, 0))


def _from_planes(planes: np.ndarray, gray: bool) -> np.ndarray:
    return np.ascontiguousarray(planes[0] if gray else np.moveaxis(planes, 0, 2))


def _grad_planes(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Gradient of a C x H x W stack into a 2 x C x H x W array (Neumann boundary)."""
    g = np.empty((2, *x.shape), dtype=x.dtype) if out is None else out
    np.subtract(x[:, 1:], x[:, :-1], out=g[0, :, :-1])
    g[0, :, -1] = 0.0
    np.subtract(x[:, :, 1:], x[:, :, :-1], out=g[1, :, :, :-1])
    g[1, :, :, -1] = 0.0
    return g


def _div_planes(p: np.ndarray) -> np.ndarray:
    """Divergence of a 2 x C x H x W field (negative adjoint of :func:`_grad_planes`).

    Assumes, as holds for every field the solver builds, that the last row of ``p[0]``
    and the last column of ``p[1]`` are zero; then ``div p = p0 - p0(shifted down) +
    p1 - p1(shifted right)``, three array passes.
    """
    p0, p1 = p[0], p[1]
    d = p0 + p1
    d[:, 1:] -= p0[:, :-1]
    d[:, :, 1:] -= p1[:, :, :-1]
    return d


def _pointwise_norm(g: np.ndarray) -> np.ndarray:
    """Length of a 2 x C x H x W field at each pixel (both directions, all channels): H x W."""
    return np.sqrt(np.einsum("kchw,kchw->hw", g, g))


# --------------------------------------------------------------------------- data terms
@dataclass
class DataTerm:
    """The data term ``1/2 ||A x - y||^2`` of a TV energy, in the form the solver needs.

    Either ``prox`` is given -- the solver then handles the data term implicitly,
    which converges fastest -- or ``forward``/``adjoint``/``norm_sq`` are, and the
    solver *dualises* it (one more dual variable, only matrix-vector products needed).
    Images are channel-first stacks ``C x H x W`` (``C = 1`` for gray).

    Attributes
    ----------
    y : numpy.ndarray
        The observation the data term compares with (C x h x w).
    x0 : numpy.ndarray
        Starting image (C x H x W), e.g. the observation or a bicubic enlargement.
    energy : callable
        ``energy(x, ax)`` returns ``1/2 ||A x - y||^2``; ``ax`` is ``A x`` when the
        solver already has it (dualised terms), else None.
    prox : callable or None
        ``prox(v, tau) = argmin_x 1/2 ||A x - y||^2 + ||x - v||^2 / (2 tau)`` (may
        overwrite ``v``).
    forward, adjoint : callable or None
        ``A`` and its adjoint ``A^T`` (dualised terms).
    norm_sq : float
        An upper bound of ``||A||^2`` (dualised terms; sets the step sizes).
    strong_convexity : float
        ``mu`` with ``A^T A >= mu I`` (1 for denoising: enables the accelerated variant).
    box_exact : bool
        Whether clipping the prox output to [0, 1] is the exact prox of data + box
        (true for per-pixel data terms).
    crop : tuple of slice or None
        Where the image lies in ``x`` (rows, columns) when ``x`` lives on an extended domain.
    gray : bool
        Whether the image was HxW (so results are returned without a channel axis).
    """

    y: np.ndarray
    x0: np.ndarray
    energy: Callable[[np.ndarray, np.ndarray | None], float]
    prox: Callable[[np.ndarray, float], np.ndarray] | None = None
    forward: Callable[[np.ndarray], np.ndarray] | None = None
    adjoint: Callable[[np.ndarray], np.ndarray] | None = None
    norm_sq: float = 1.0
    strong_convexity: float = 0.0
    box_exact: bool = False
    crop: tuple[slice, slice] | None = None
    gray: bool = True

    def to_image(self, x: np.ndarray) -> np.ndarray:
        """Turn a solver iterate back into an HxW / HxWxC image (cropped when extended)."""
        if self.crop is not None:
            x = x[:, self.crop[0], self.crop[1]]
        return _from_planes(x, self.gray)


def _sq_norm(r: np.ndarray) -> float:
    flat = r.ravel()
    return float(np.dot(flat, flat))


def _denoise_term(image: np.ndarray) -> DataTerm:
    """``1/2 ||x - y||^2``: the prox is a weighted average of ``v`` and ``y``."""
    y = _to_planes(image)

    def prox(v: np.ndarray, tau: float) -> np.ndarray:
        v += np.float32(tau) * y
        v *= np.float32(1.0 / (1.0 + tau))
        return v

    def energy(x: np.ndarray, ax: np.ndarray | None) -> float:
        return 0.5 * _sq_norm(x - y)

    return DataTerm(y=y, x0=y.copy(), energy=energy, prox=prox, strong_convexity=1.0, box_exact=True,
                    gray=image.ndim == 2)


def _fill_missing(y: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Fill the unknown pixels of a C x H x W stack by normalised Gaussian averaging of the known ones.

    The averaging width doubles until every hole is reached, so small holes get local
    values and large holes smooth ones: a good starting point for inpainting.
    """
    m = mask.astype(np.float32)
    known = y * m
    out = known.copy()
    todo = ~mask
    s = 1.0
    while todo.any() and s < 4 * max(y.shape[1:]):
        den = ndimage.gaussian_filter(m, s, mode="mirror")
        ok = todo & (den > 1e-3)
        for c in range(y.shape[0]):
            num = ndimage.gaussian_filter(known[c], s, mode="mirror")
            out[c][ok] = num[ok] / den[ok]
        todo &= ~ok
        s *= 2.0
    if todo.any():
        out[:, todo] = float(y[:, mask].mean()) if mask.any() else 0.5
    return out


def _masked_term(image: np.ndarray, mask: np.ndarray) -> DataTerm:
    """``1/2 ||M (x - y)||^2`` with ``M`` the 0/1 mask of known pixels: the prox works per pixel."""
    y = _to_planes(image)
    m = np.broadcast_to(mask.astype(np.float32), y.shape)
    my = m * y

    def prox(v: np.ndarray, tau: float) -> np.ndarray:
        v += np.float32(tau) * my
        v /= 1.0 + np.float32(tau) * m
        return v

    def energy(x: np.ndarray, ax: np.ndarray | None) -> float:
        return 0.5 * _sq_norm(m * (x - y))

    return DataTerm(y=y, x0=_fill_missing(y, mask), energy=energy, prox=prox, box_exact=True,
                    gray=image.ndim == 2)


def _fourier_blur_term(image: np.ndarray, kernel: np.ndarray, boundary: str = "reflect") -> DataTerm:
    """``1/2 ||k (*) x - y_ext||^2`` on the mirrored, tapered extension, with a circular convolution.

    Its prox is diagonal in the Fourier domain:
    ``X = (V + tau conj(K) Y) / (1 + tau |K|^2)``. The data energy comes for free from
    the same spectra (Parseval), so recording it costs no extra FFT. A periodic blur
    (``boundary="wrap"``) needs no extension: the model is then exact on the image itself.
    """
    if boundary == "wrap":
        ext, crop = np.asarray(image, dtype=np.float32), None
    else:
        ext, crop = extend_and_taper(image, kernel)
    planes = _to_planes(ext)
    size = planes.shape[1:]
    k_hat = kernel_spectrum(kernel, size)
    y_hat = sfft.rfft2(planes)
    kty = np.conj(k_hat) * y_hat
    k2 = (np.abs(k_hat) ** 2).astype(np.float32)
    n_pixels = size[0] * size[1]
    cache: dict[str, object] = {}

    def residual_energy(x_hat: np.ndarray) -> float:
        """``1/2 ||k (*) x - y||^2`` from half spectra (Parseval): columns 0 and N/2 count once, others twice."""
        r = k_hat * x_hat
        r -= y_hat
        total = 2.0 * np.vdot(r, r).real - np.vdot(r[..., 0], r[..., 0]).real
        if size[1] % 2 == 0:
            total -= np.vdot(r[..., -1], r[..., -1]).real
        return 0.5 * float(total) / n_pixels

    def prox(v: np.ndarray, tau: float) -> np.ndarray:
        if cache.get("tau") != tau:  # the step is constant here: precompute the filter once
            inv = (1.0 / (1.0 + np.float32(tau) * k2)).astype(np.float32)
            cache["tau"], cache["inv"], cache["shift"] = tau, inv, (np.float32(tau) * kty * inv).astype(np.complex64)
        x_hat = sfft.rfft2(v, workers=_FFT_WORKERS)
        x_hat *= cache["inv"]  # type: ignore[misc]
        x_hat += cache["shift"]  # type: ignore[misc]
        x = sfft.irfft2(x_hat, s=size, workers=_FFT_WORKERS).astype(np.float32, copy=False)
        cache["x"], cache["energy"] = x, residual_energy(x_hat)
        return x

    def energy(x: np.ndarray, ax: np.ndarray | None) -> float:
        if cache.get("x") is x:
            return float(cache["energy"])  # type: ignore[arg-type]
        return residual_energy(sfft.rfft2(x, workers=_FFT_WORKERS))

    return DataTerm(y=planes, x0=planes.copy(), energy=energy, prox=prox, crop=crop, gray=image.ndim == 2)


class _ConvOperator:
    """Convolution of a C x H x W stack under the observation's boundary rule, with its exact adjoint.

    Mirror ("reflect") boundary: ``A x = valid(k (*) pad_sym(x))`` as in
    :func:`restoration.degradations.blur`; the adjoint correlates with the kernel
    (a "full" correlation) and folds the padding back onto the pixels it copied.
    Periodic ("wrap") boundary: a circular convolution by FFT.
    """

    def __init__(self, kernel: np.ndarray, shape: tuple[int, int], boundary: str) -> None:
        self.k = np.asarray(kernel, dtype=np.float32)
        self.ph, self.pw = self.k.shape[0] // 2, self.k.shape[1] // 2
        self.h, self.w = shape
        self.wrap = boundary == "wrap"
        if self.wrap:
            self.size = (self.h, self.w)
            self.k_hat = kernel_spectrum(self.k, self.size)
        else:
            self.size = (sfft.next_fast_len(self.h + 4 * self.ph, real=True),
                         sfft.next_fast_len(self.w + 4 * self.pw, real=True))
            self.k_hat = sfft.rfft2(self.k, s=self.size)

    def _spectral(self, planes: np.ndarray, conj: bool) -> np.ndarray:
        k_hat = np.conj(self.k_hat) if conj else self.k_hat
        spectrum = sfft.rfft2(planes, s=self.size, workers=_FFT_WORKERS) * k_hat
        return sfft.irfft2(spectrum, s=self.size, workers=_FFT_WORKERS)

    def forward(self, planes: np.ndarray) -> np.ndarray:
        """Blur a C x H x W stack."""
        if self.wrap:
            return self._spectral(planes, conj=False).astype(np.float32)
        ph, pw, h, w = self.ph, self.pw, self.h, self.w
        padded = np.pad(planes, ((0, 0), (ph, ph), (pw, pw)), mode="symmetric")
        full = self._spectral(padded, conj=False)
        return full[:, 2 * ph : 2 * ph + h, 2 * pw : 2 * pw + w].astype(np.float32)

    def adjoint(self, planes: np.ndarray) -> np.ndarray:
        """Adjoint of :meth:`forward` on a C x H x W stack."""
        if self.wrap:
            return self._spectral(planes, conj=True).astype(np.float32)
        ph, pw, h, w = self.ph, self.pw, self.h, self.w
        big = np.zeros((planes.shape[0], *self.size), dtype=np.float32)
        big[:, 2 * ph : 2 * ph + h, 2 * pw : 2 * pw + w] = planes
        u = self._spectral(big, conj=True)[:, : h + 2 * ph, : w + 2 * pw]
        if ph > h or pw > w:  # tiny image: the padding mirrors more than once; fold through index maps
            rows_idx = np.pad(np.arange(h), ph, mode="symmetric")
            cols_idx = np.pad(np.arange(w), pw, mode="symmetric")
            rows_sum = np.zeros((u.shape[0], h, u.shape[2]))
            np.add.at(rows_sum, (slice(None), rows_idx), u)
            folded = np.zeros((u.shape[0], h, w))
            np.add.at(folded, (slice(None), slice(None), cols_idx), rows_sum)
            return folded.astype(np.float32)
        # fold the symmetric padding back (the adjoint of np.pad(mode="symmetric"))
        rows = u[:, ph : ph + h].copy()
        if ph:
            rows[:, :ph] += u[:, :ph][:, ::-1]
            rows[:, h - ph :] += u[:, ph + h :][:, ::-1]
        out = rows[:, :, pw : pw + w].copy()
        if pw:
            out[:, :, :pw] += rows[:, :, :pw][:, :, ::-1]
            out[:, :, w - pw :] += rows[:, :, pw + w :][:, :, ::-1]
        return out.astype(np.float32)


def _resize_matrix(n_in: int, n_out: int) -> sparse.csr_matrix:
    """The ``n_out x n_in`` matrix of MATLAB-style bicubic resizing along one axis.

    Obtained by resizing the identity with :func:`restoration.degradations.imresize`
    (resizing is linear and separable, and a scale of 1 leaves the other axis alone),
    so it is exactly the operator the degradation pipeline applied.
    """
    mat = imresize(np.eye(n_in, dtype=np.float64), output_shape=(n_out, n_in)).astype(np.float64)
    mat[np.abs(mat) < 1e-9] = 0.0
    return sparse.csr_matrix(mat.astype(np.float32))


def _operator_term(
    image: np.ndarray, shape: tuple[int, int], kernel: np.ndarray | None, scale: int, mask: np.ndarray | None,
    boundary: str,
) -> DataTerm:
    """``1/2 ||M D (k (*) x) - y||^2`` for any mix of blur, downsampling and mask, dualised.

    ``shape`` is the (H, W) of the unknown high-resolution image.
    """
    y = _to_planes(image)
    hh, ww = shape
    h, w = y.shape[1:]
    conv = _ConvOperator(kernel, (hh, ww), boundary) if kernel is not None and kernel.size > 1 else None
    rows = _resize_matrix(hh, h) if scale > 1 else None
    cols_t = _resize_matrix(ww, w).T.tocsr() if scale > 1 else None
    rows_t = rows.T.tocsr() if rows is not None else None
    cols = cols_t.T.tocsr() if cols_t is not None else None
    m = mask.astype(np.float32)[None] if mask is not None else None

    def forward(x: np.ndarray) -> np.ndarray:
        p = conv.forward(x) if conv is not None else x
        if rows is not None and cols_t is not None:
            p = np.stack([(rows @ plane) @ cols_t for plane in p]).astype(np.float32)
        if m is not None:
            p = p * m
        return p

    def adjoint(z: np.ndarray) -> np.ndarray:
        p = z * m if m is not None else z
        if rows_t is not None and cols is not None:
            p = np.stack([(rows_t @ plane) @ cols for plane in p]).astype(np.float32)
        if conv is not None:
            p = conv.adjoint(np.ascontiguousarray(p))
        return p

    def energy(x: np.ndarray, ax: np.ndarray | None) -> float:
        return 0.5 * _sq_norm((forward(x) if ax is None else ax) - y)

    # ||A||^2 by power iteration on A^T A (a few steps, then a safety margin); A acts on every
    # channel alike, so one channel is enough
    v = np.random.default_rng(0).standard_normal((1, hh, ww)).astype(np.float32)
    norm_sq = 1.0
    for _ in range(30):
        v /= np.linalg.norm(v) + 1e-12
        v = adjoint(forward(v))
        norm_sq = float(np.linalg.norm(v))
    filled = _fill_missing(y, mask) if mask is not None else y
    if scale > 1:
        up = imresize(_from_planes(filled, filled.shape[0] == 1), output_shape=(hh, ww))
        x0 = _to_planes(np.clip(up, 0.0, 1.0))
    else:
        x0 = filled.copy()
    return DataTerm(y=y, x0=x0, energy=energy, forward=forward, adjoint=adjoint, norm_sq=1.1 * norm_sq,
                    gray=image.ndim == 2)


def data_term_for(observation: Observation) -> DataTerm:
    """Build the data term that matches an observation's degradation.

    Parameters
    ----------
    observation : Observation
        The degraded image with its kernel, scale and mask.

    Returns
    -------
    DataTerm
        Denoising (identity), masked (inpainting), Fourier blur (deconvolution) or a
        dualised operator (super-resolution and every combination).
    """
    y = np.asarray(observation.degraded, dtype=np.float32)
    kernel = observation.kernel
    blurred = kernel is not None and kernel.size > 1
    if observation.scale > 1 or (blurred and observation.mask is not None):
        return _operator_term(y, observation.output_shape[:2], kernel if blurred else None,  # type: ignore[arg-type]
                              observation.scale, observation.mask, observation.boundary)
    if blurred:
        return _fourier_blur_term(y, np.asarray(kernel, dtype=np.float32), observation.boundary)
    if observation.mask is not None:
        return _masked_term(y, observation.mask)
    return _denoise_term(y)


# --------------------------------------------------------------------------- the solver
def tv_solve(
    data: DataTerm,
    lam: float,
    *,
    iterations: int = 200,
    tol: float = 1e-4,
    box: bool = True,
    x0: np.ndarray | None = None,
    step: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Minimise ``E(x) = 1/2 ||A x - y||^2 + lam TV(x)`` with the Chambolle-Pock algorithm.

    The energy is written as ``G(x) + F(K x)`` with ``K x = grad x`` (and ``A x`` when
    the data term is dualised) and the primal-dual iteration is

    * dual ascent: ``p <- proj_{|p_i| <= lam}(p + s grad xbar)`` (and
      ``q <- (q + s (A xbar - y)) / (1 + s)`` for a dualised data term);
    * primal descent: ``x_new <- prox_{t G}(x + t div p - t A^T q)``;
    * extrapolation: ``xbar <- x_new + theta (x_new - x)``.

    With a strongly convex data term (denoising) the accelerated variant is used
    (``theta = 1 / sqrt(1 + 2 mu t)``, ``t <- theta t``, ``s <- s / theta``), which
    converges like ``1/n^2``; otherwise ``theta = 1`` with ``s t ||K||^2 <= 1``.
    Gradients of the iterates are computed once and reused for the extrapolation,
    so recording the energy costs almost nothing.

    Parameters
    ----------
    data : DataTerm
        The data term (see :func:`data_term_for`).
    lam : float
        Weight of the total variation, for intensities in [0, 1]: larger gives a
        smoother, more cartoon-like image; smaller keeps more detail and noise.
    iterations : int
        Maximum number of iterations.
    tol : float
        Stop when the relative change ``||x_new - x|| / ||x_new||`` falls below ``tol``.
    box : bool
        Also constrain ``x`` to [0, 1] (applied where it is an exact prox: per-pixel
        data terms and dualised ones).
    x0 : numpy.ndarray, optional
        Starting image (C x H x W); defaults to ``data.x0``.
    step : float, optional
        First primal step ``t``; the dual steps follow from ``s t ||K||^2 <= 1`` (split
        half-half between the gradient and ``A`` when the data term is dualised). The
        default, about ``0.01 / lam`` (``0.03 / lam`` when dualised, 5 when accelerated),
        was tuned on Set12 for speed. It changes the speed, not the minimiser.

    Returns
    -------
    x : numpy.ndarray
        The minimiser as a C x H x W float32 stack (``data.to_image(x)`` gives the
        image, cropped when the data term lives on an extended domain).
    energies : numpy.ndarray
        ``E(x)`` of the starting image and after each iteration (float64, length
        ``iterations + 1`` unless it stopped early), for plotting the convergence.
        Primal-dual iterations need not lower the energy at every step (the image
        and its dual move together), but it falls overall to the minimum.

    References
    ----------
    A. Chambolle and T. Pock, "A first-order primal-dual algorithm for convex problems
    with applications to imaging", J. Math. Imaging Vis. 40, 2011. L. Rudin, S. Osher
    and E. Fatemi, "Nonlinear total variation based noise removal algorithms",
    Physica D 60, 1992.
    """
    lam = float(max(lam, 1e-8))
    x = np.array(data.x0 if x0 is None else x0, dtype=np.float32, copy=True)
    dualised = data.prox is None
    if dualised and (data.forward is None or data.adjoint is None):
        raise ValueError("a data term needs either a prox or a forward operator and its adjoint")
    l2 = 8.0 + (data.norm_sq if dualised else 0.0)
    mu = data.strong_convexity
    if step is not None:
        tau = float(step)
    elif mu > 0:  # accelerated: start with a large primal step, it shrinks like 1/n
        tau = 5.0
    elif dualised:  # dualised data term: also a large primal step for a small lam (Set12 sweep)
        tau = min(max(0.03 / lam, 1.0), 30.0)
    else:  # implicit data term: a primal step ~ 1/lam balances the two halves (Set12 timing sweep)
        tau = min(max(0.01 / lam, 1.0 / math.sqrt(l2)), 20.0)
    sigma = 1.0 / (tau * l2)
    sigma_q = sigma
    if dualised:  # block steps: half of the budget s t ||K||^2 <= 1 for grad, half for A (Pock & Chambolle 2011)
        sigma = 0.5 / (tau * 8.0)
        sigma_q = 0.5 / (tau * data.norm_sq)
    use_box = box and (data.box_exact or dualised)
    p = np.zeros((2, *x.shape), dtype=np.float32)
    q = np.zeros_like(data.y) if dualised else None
    g = _grad_planes(x)
    gbar = g.copy()
    g_new = np.empty_like(g)
    ax = data.forward(x) if dualised and data.forward is not None else None
    axbar = ax.copy() if ax is not None else None
    # energies[0] is the energy of the starting image, energies[n] the one after n iterations
    energies = [data.energy(x, ax) + lam * float(_pointwise_norm(g).sum(dtype=np.float64))]
    for _ in range(int(iterations)):
        # dual ascent on p (bounded by lam at each pixel) and, if dualised, on q
        gbar *= np.float32(sigma)
        p += gbar
        norm = _pointwise_norm(p)
        norm *= np.float32(1.0 / lam)
        np.maximum(norm, 1.0, out=norm)
        p /= norm
        if q is not None and axbar is not None:
            q += np.float32(sigma_q) * (axbar - data.y)
            q *= np.float32(1.0 / (1.0 + sigma_q))
        # primal descent
        v = _div_planes(p)
        v *= np.float32(tau)
        v += x
        if q is not None and data.adjoint is not None:
            v -= np.float32(tau) * data.adjoint(q)
            x_new = v
        else:
            x_new = data.prox(v, tau)  # type: ignore[misc]
        if use_box:
            np.clip(x_new, 0.0, 1.0, out=x_new)
        # step sizes (accelerated variant) and extrapolation, reusing the gradients
        theta = 1.0
        if mu > 0:
            theta = 1.0 / math.sqrt(1.0 + 2.0 * mu * tau)
            tau *= theta
            sigma /= theta
        _grad_planes(x_new, out=g_new)
        np.subtract(g_new, g, out=gbar)
        if theta != 1.0:
            gbar *= np.float32(theta)
        gbar += g_new
        ax_new = None
        if dualised and data.forward is not None and ax is not None:
            ax_new = data.forward(x_new)
            axbar = ax_new + np.float32(theta) * (ax_new - ax)
        energies.append(data.energy(x_new, ax_new) + lam * float(_pointwise_norm(g_new).sum(dtype=np.float64)))
        change = math.sqrt(_sq_norm(x_new - x)) / max(math.sqrt(_sq_norm(x_new)), 1e-12)
        x, ax = x_new, ax_new
        g, g_new = g_new, g
        if change < tol:
            break
    return x, np.asarray(energies, dtype=np.float64)


# --------------------------------------------------------------------------- image-level functions
def denoise_tv(image: np.ndarray, *, lam: float = 0.075, iterations: int = 300, tol: float = 3e-4) -> np.ndarray:
    """TV denoising (the ROF model): ``min_x 1/2 ||x - y||^2 + lam TV(x)``.

    Parameters
    ----------
    image : numpy.ndarray
        HxW or HxWxC noisy float image.
    lam : float
        TV weight for intensities in [0, 1]; larger is smoother (about ``0.9 sigma/255``
        is a good start for Gaussian noise of standard deviation ``sigma``).
    iterations, tol
        Solver budget and stopping tolerance (see :func:`tv_solve`).

    Returns
    -------
    numpy.ndarray
        Denoised image, same shape and dtype.

    References
    ----------
    L. Rudin, S. Osher and E. Fatemi, Physica D 60, 1992; A. Chambolle and T. Pock, JMIV 40, 2011.
    """
    data = _denoise_term(np.asarray(image, dtype=np.float32))
    x, _ = tv_solve(data, lam, iterations=iterations, tol=tol, box=False)
    return data.to_image(x).astype(image.dtype, copy=False)


def inpaint_tv(
    image: np.ndarray, mask: np.ndarray, *, lam: float = 0.001, iterations: int = 300, tol: float = 3e-4
) -> np.ndarray:
    """TV inpainting: ``min_x 1/2 ||M (x - y)||^2 + lam TV(x)``, data only on known pixels.

    The missing pixels are filled by the surface of least total variation that
    agrees with the known ones: edges are continued straight across small holes,
    large holes get flat, cartoon-like fills.

    Parameters
    ----------
    image : numpy.ndarray
        HxW or HxWxC image (values in the missing pixels are ignored).
    mask : numpy.ndarray
        HxW boolean array, True where the pixel is known.
    lam : float
        TV weight: small keeps the known pixels (almost) exactly; larger also
        denoises them.
    iterations, tol
        Solver budget and stopping tolerance (see :func:`tv_solve`).

    Returns
    -------
    numpy.ndarray
        Inpainted image, same shape and dtype.

    References
    ----------
    T. F. Chan and J. Shen, "Mathematical models for local nontexture inpaintings",
    SIAM J. Appl. Math. 62(3), 2002.
    """
    data = _masked_term(np.asarray(image, dtype=np.float32), np.asarray(mask, dtype=bool))
    x, _ = tv_solve(data, lam, iterations=iterations, tol=tol)
    return data.to_image(x).astype(image.dtype, copy=False)


def deconv_tv(
    image: np.ndarray,
    kernel: np.ndarray,
    *,
    lam: float = 0.0015,
    iterations: int = 300,
    tol: float = 3e-4,
    boundary: str = "reflect",
) -> np.ndarray:
    """TV deconvolution: ``min_x 1/2 ||k * x - y||^2 + lam TV(x)`` with a known kernel.

    Solved on the mirrored, tapered extension of the image with a circular
    convolution, whose proximal step is exact in the Fourier domain; the result is
    cropped back, so there is no ringing frame. A blur known to be periodic
    (``boundary="wrap"``) is solved on the image itself, where that model is exact.

    Parameters
    ----------
    image : numpy.ndarray
        HxW or HxWxC blurred, noisy float image.
    kernel : numpy.ndarray
        The blur kernel (odd-sized, summing to 1).
    lam : float
        TV weight: larger suppresses noise and ringing but flattens texture.
    iterations, tol
        Solver budget and stopping tolerance (see :func:`tv_solve`).
    boundary : {"reflect", "wrap"}
        How the blur treated the border (see above).

    Returns
    -------
    numpy.ndarray
        Deblurred image, same shape and dtype.

    References
    ----------
    T. F. Chan and C.-K. Wong, "Total variation blind deconvolution", IEEE TIP 7(3),
    1998; A. Chambolle and T. Pock, JMIV 40, 2011.
    """
    data = _fourier_blur_term(np.asarray(image, dtype=np.float32), np.asarray(kernel, dtype=np.float32), boundary)
    x, _ = tv_solve(data, lam, iterations=iterations, tol=tol)
    return data.to_image(x).astype(image.dtype, copy=False)


def sr_tv(
    image: np.ndarray,
    scale: int,
    *,
    kernel: np.ndarray | None = None,
    boundary: str = "reflect",
    lam: float = 1e-4,
    iterations: int = 100,
    tol: float = 3e-4,
) -> np.ndarray:
    """TV-regularised super-resolution: ``min_x 1/2 ||D (k * x) - y||^2 + lam TV(x)``.

    ``D`` is the bicubic, anti-aliased downsampling of MATLAB's ``imresize`` (exactly
    :func:`restoration.degradations.imresize`, as a sparse matrix per axis, with its
    transpose as adjoint) and ``k`` an optional blur applied before it. Among all
    high-resolution images consistent with the low-resolution one, TV prefers the one
    with sharp, straight edges -- sharper than bicubic interpolation, but flat
    (cartoon-like) in textured areas.

    Parameters
    ----------
    image : numpy.ndarray
        hxw or hxwxC low-resolution float image.
    scale : int
        Enlargement factor (the output is ``scale`` times larger per side).
    kernel : numpy.ndarray, optional
        Blur applied on the high-resolution grid before downsampling (None = none).
    boundary : {"reflect", "wrap"}
        Boundary rule of that blur.
    lam : float
        TV weight: larger gives flatter regions and crisper edges, smaller stays closer
        to the data (and its noise).
    iterations, tol
        Solver budget and stopping tolerance (see :func:`tv_solve`).

    Returns
    -------
    numpy.ndarray
        float32 image of shape ``(scale * h, scale * w[, C])``.

    References
    ----------
    A. Marquina and S. J. Osher, "Image super-resolution by TV-regularization and
    Bregman iteration", J. Sci. Comput. 37, 2008.
    """
    y = np.asarray(image, dtype=np.float32)
    data = _operator_term(y, (y.shape[0] * scale, y.shape[1] * scale), kernel, int(scale), None, boundary)
    x, _ = tv_solve(data, lam, iterations=iterations, tol=tol)
    return data.to_image(x)


def tv_restore(
    observation: Observation, *, lam: float, iterations: int = 300, tol: float = 3e-4
) -> tuple[np.ndarray, np.ndarray]:
    """Restore any observation with TV and return the image *and* the energy per iteration.

    The data term is chosen from what the observation says about its degradation
    (:func:`data_term_for`); this is what the four TV runners call, and what a page
    plotting the convergence of the solver can call.

    Parameters
    ----------
    observation : Observation
        The degraded image and its degradation parameters.
    lam : float
        TV weight for intensities in [0, 1] (larger is smoother).
    iterations, tol
        Solver budget and stopping tolerance (see :func:`tv_solve`). The default
        tolerance stops once the image changes by less than 0.03 % per iteration: on
        Set12 and Kodak the PSNR has reached its plateau by then (within 0.02 dB),
        although the energy is still creeping down.

    Returns
    -------
    image : numpy.ndarray
        float32 restored image on ``observation.output_shape``.
    energies : numpy.ndarray
        The energy after each iteration.
    """
    data = data_term_for(observation)
    x, energies = tv_solve(data, lam, iterations=iterations, tol=tol, box=True)
    return data.to_image(x), energies


# --------------------------------------------------------------------------- auto parameters and adapters
def _noise_level(observation: Observation, *, always: bool) -> float:
    """Known sigma; else an estimate when the task is denoising (``always``) or noise is recorded; else 0."""
    if observation.sigma > 0:
        return float(observation.sigma)
    if always or observation.noise:
        return estimate_noise_sigma(observation.degraded)
    return 0.0


def auto_tv(observation: Observation) -> dict[str, object]:
    """Tuned TV weight for denoising: ``lam = (0.62 + 0.0055 sigma) sigma / 255``.

    Set12 sweep (sigma 15/25/50, converged solutions): the best factor in front of
    ``sigma / 255`` was 0.70 / 0.78 / 0.88 -- heavier noise wants relatively more TV.
    """
    sig = _noise_level(observation, always=True)
    return {"lam": round(float((0.62 + 0.0055 * sig) * sig / 255.0), 5), "iterations": 300}


def auto_tv_deconv(observation: Observation) -> dict[str, object]:
    """Tuned TV weight for deconvolution: ``lam = (0.13 + 0.005 sigma) sigma / 255`` (>= 1e-4).

    Set12 sweep with a 9-pixel motion blur at sigma 1 / 2.55 / 5 / 10: best factors
    0.2 / 0.12 / 0.15 / 0.2, all within 0.05 dB of this rule.
    """
    sig = _noise_level(observation, always=True)
    return {"lam": round(float(max((0.13 + 0.005 * sig) * sig / 255.0, 1e-4)), 6), "iterations": 300}


def auto_tv_inpaint(observation: Observation) -> dict[str, object]:
    """Tuned TV weight for inpainting: ``0.001`` without noise, ``0.5 sigma / 255`` with noise.

    Set12 sweep: noise-free random (50 %) and text masks are best for lam in
    [0.0005, 0.002]; with sigma 15 the best factor was 0.5 (the data term only covers
    the known pixels, so less TV is needed than for denoising).
    """
    sig = _noise_level(observation, always=False)
    return {"lam": round(float(max(0.5 * sig / 255.0, 0.001)), 5), "iterations": 300}


def auto_tv_sr(observation: Observation) -> dict[str, object]:
    """Tuned TV weight for super-resolution: ``max(1e-4, 0.15 sigma / 255)``.

    Set12 sweep of converged solutions: noise-free x2 and x4 are best at lam = 1e-4
    (x2: +1.4 dB over bicubic); x2 + sigma 5 at 0.2 sigma / 255, motion blur + x2 + sigma 10
    at 0.1 sigma / 255. 100 iterations bring every case within 0.06 dB of the minimiser.
    """
    sig = _noise_level(observation, always=False)
    return {"lam": round(float(max(0.15 * sig / 255.0, 1e-4)), 6), "iterations": 100}


def run_tv(observation: Observation, *, lam: float, iterations: int) -> np.ndarray:
    """Registry adapter: TV denoising of the observation (see :func:`tv_restore`)."""
    return tv_restore(observation, lam=lam, iterations=iterations)[0]


def run_tv_deconv(observation: Observation, *, lam: float, iterations: int) -> np.ndarray:
    """Registry adapter: TV deconvolution with the observation's kernel (see :func:`tv_restore`)."""
    return tv_restore(observation, lam=lam, iterations=iterations)[0]


def run_tv_inpaint(observation: Observation, *, lam: float, iterations: int) -> np.ndarray:
    """Registry adapter: TV inpainting of the observation's missing pixels (see :func:`tv_restore`)."""
    return tv_restore(observation, lam=lam, iterations=iterations)[0]


def run_tv_sr(observation: Observation, *, lam: float, iterations: int) -> np.ndarray:
    """Registry adapter: TV super-resolution / combined restoration (see :func:`tv_restore`)."""
    return tv_restore(observation, lam=lam, iterations=iterations)[0]
