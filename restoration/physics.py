"""Physics: the forward operator of every degradation, with its adjoint and its data step.

The degradation pipeline (:mod:`restoration.degradations`) records what it did in an
:class:`~restoration.observation.Observation` -- the blur kernel and its boundary rule, the scale, the mask of known
pixels. This module turns that record into the linear operator ``A`` of ``y = A x + n`` and the pieces every
solver needs: ``A``, its adjoint ``A^T``, and the *data step* (the proximal operator of ``1/2 ||A x - y||^2``).
Total variation, plug-and-play, the classic chain, the unfolded network and the Learn page all build on it, and one
test (``tests/test_physics.py``) checks the adjoint identity and the data step's normal equations of every operator.

Operators
---------
:func:`data_term_for`
    The data term of an observation: identity (denoising), a mask (inpainting), a circular blur on a tapered
    extension (deconvolution; exact Fourier data step), or blur + MATLAB-bicubic downsampling + mask under the
    observation's own boundary rule (super-resolution and every combination; dualised or solved by CG).
:class:`ConvOperator`
    Convolution under the mirror or periodic boundary rule of :func:`restoration.ops.blur`, with its exact adjoint.
:class:`ValidBlurTerm`
    ``valid(k * x)`` for an unknown ``x`` on a domain grown by the kernel radius (no boundary assumption at all),
    with a preconditioned CG data step.
:func:`transfer_function`
    The Fourier transfer function of blur followed by bicubic decimation on a periodic grid, for closed-form data
    steps (the unfolded network's).

Images inside the solvers are channel-first stacks ``C x H x W`` (:func:`image_to_planes`).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import fft as sfft
from scipy import ndimage, sparse

from .observation import Observation
from .ops import bicubic_taps, imresize, resize_matrix

__all__ = [
    "ConvOperator",
    "DataTerm",
    "PeriodicBlurDecimate",
    "ValidBlurTerm",
    "blur_downsample_mask",
    "conjugate_gradient",
    "data_term_for",
    "denoise_term",
    "extend_and_taper",
    "fill_missing",
    "fourier_blur_term",
    "image_to_planes",
    "kernel_spectrum",
    "masked_term",
    "operator_term",
    "planes_to_image",
    "squared_norm",
    "transfer_function",
]

# Colour planes are transformed in parallel (scipy.fft threads over the leading axis).
_FFT_WORKERS = max(1, min(3, os.cpu_count() or 1))


# --------------------------------------------------------------------------- channel-first stacks
# Solvers work on C x H x W stacks: a colour image's channels as contiguous planes makes every array
# operation faster than on interleaved H x W x C data.
def image_to_planes(image: np.ndarray) -> np.ndarray:
    """HxW or HxWxC image -> contiguous C x H x W float32 stack (C = 1 for gray)."""
    x = np.asarray(image, dtype=np.float32)
    return np.ascontiguousarray(x[None] if x.ndim == 2 else np.moveaxis(x, 2, 0))


def planes_to_image(planes: np.ndarray, gray: bool) -> np.ndarray:
    """Inverse of :func:`image_to_planes`."""
    return np.ascontiguousarray(planes[0] if gray else np.moveaxis(planes, 0, 2))


# --------------------------------------------------------------------------- boundary handling and spectra
def extend_and_taper(
    image: np.ndarray, kernel: np.ndarray, *, margin: int = 0
) -> tuple[np.ndarray, tuple[slice, slice]]:
    """Extend an image so that FFT-based deconvolution shows no ringing at its border.

    The image is mirrored outwards by ``margin`` pixels on every side (plus a few
    more to reach a fast FFT size). The outer half of the margin is then blended
    (with a raised-cosine weight) into a copy blurred circularly by a wide Gaussian,
    which removes the jump between the last and the first row/column of the
    periodic extension -- the job of MATLAB's ``edgetaper``, done on the padding
    instead of on the image itself, so no observed pixel is altered.

    Parameters
    ----------
    image : numpy.ndarray
        HxW or HxWxC float image (the blurred observation).
    kernel : numpy.ndarray
        The blur kernel (only its size matters: it sets the default margin).
    margin : int
        Width of the mirrored band; 0 picks ``max(16, 3 * kernel radius)``.

    Returns
    -------
    extended : numpy.ndarray
        The extended float32 image.
    crop : (slice, slice)
        Where the original image lies inside ``extended``.
    """
    x = np.asarray(image, dtype=np.float32)
    h, w = x.shape[:2]
    radius = max(kernel.shape) // 2
    m = int(margin) if margin > 0 else max(16, 3 * radius)
    hh = sfft.next_fast_len(h + 2 * m, real=True)
    ww = sfft.next_fast_len(w + 2 * m, real=True)
    top, left = (hh - h) // 2, (ww - w) // 2
    pads = ((top, hh - h - top), (left, ww - w - left)) + ((0, 0),) * (x.ndim - 2)
    mode = "symmetric" if min(h, w) >= max(top, left, hh - h - top, ww - w - left) else "edge"
    ext = np.pad(x, pads, mode=mode)
    # a smooth, exactly periodic copy: circular Gaussian blur of width ~ margin / 2
    s = max(2.0, m / 2.0)
    fy = sfft.fftfreq(hh)[:, None]
    fx = sfft.rfftfreq(ww)[None, :]
    gauss = np.exp(-2.0 * (math.pi * s) ** 2 * (fy**2 + fx**2)).astype(np.float32)
    if x.ndim == 3:
        gauss = gauss[..., None]
    smooth = sfft.irfft2(sfft.rfft2(ext, axes=(0, 1)) * gauss, s=(hh, ww), axes=(0, 1)).astype(np.float32)

    def ramp(n: int, pad_lo: int, pad_hi: int) -> np.ndarray:
        """0 at the wrap-around seam, rising (raised cosine) to 1 over half of the thinner padding."""
        idx = np.arange(n, dtype=np.float64)
        dist = np.minimum(idx, n - 1 - idx)
        t = np.clip(dist / max(1.0, min(pad_lo, pad_hi) / 2.0), 0.0, 1.0)
        return (0.5 - 0.5 * np.cos(np.pi * t)).astype(np.float32)

    wgt = ramp(hh, top, hh - h - top)[:, None] * ramp(ww, left, ww - w - left)[None, :]
    if x.ndim == 3:
        wgt = wgt[..., None]
    ext = wgt * ext + (1.0 - wgt) * smooth
    return ext.astype(np.float32), (slice(top, top + h), slice(left, left + w))


def kernel_spectrum(kernel: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Real-FFT transfer function of a centred kernel for circular convolution on ``shape``.

    The kernel is zero-padded to ``shape`` and rolled so that its centre sits at
    pixel (0, 0); then ``irfft2(rfft2(x) * K)`` is ``x`` convolved with the kernel,
    wrapping around the border.

    Parameters
    ----------
    kernel : numpy.ndarray
        Odd-sized 2-D kernel.
    shape : (int, int)
        Size of the periodic domain (at least the kernel's size).

    Returns
    -------
    numpy.ndarray
        complex64 array of shape ``(shape[0], shape[1] // 2 + 1)``.
    """
    k = np.asarray(kernel, dtype=np.float64)
    big = np.zeros(shape, dtype=np.float64)
    big[: k.shape[0], : k.shape[1]] = k
    big = np.roll(big, (-(k.shape[0] // 2), -(k.shape[1] // 2)), axis=(0, 1))
    return sfft.rfft2(big).astype(np.complex64)


def transfer_function(kernel: np.ndarray | None, shape: tuple[int, int], scale: int) -> np.ndarray:
    """Fourier transform of the total kernel (blur, then bicubic anti-aliasing) on an ``shape`` grid.

    With ``F = fft2(x) * transfer_function(...)``, ``real(ifft2(F))[::scale, ::scale]`` equals
    ``imresize(blur(x, kernel), 1 / scale)`` for a periodic image (and in the interior otherwise).

    Parameters
    ----------
    kernel : numpy.ndarray or None
        Odd-sized, centred blur kernel (convolution, as :func:`restoration.ops.blur`); None
        for no blur.
    shape : tuple of int
        High-resolution grid (H, W), multiples of ``scale``.
    scale : int
        Downsampling factor.

    Returns
    -------
    numpy.ndarray
        complex128 array of ``shape``.
    """
    h, w = shape
    offsets, weights = bicubic_taps(scale)
    row = np.zeros(h)
    col = np.zeros(w)
    # y_i = sum_m b_m x[s i + m]: a correlation, i.e. a convolution with b at -m
    np.add.at(row, (-offsets) % h, weights)
    np.add.at(col, (-offsets) % w, weights)
    spectrum = np.fft.fft(row)[:, None] * np.fft.fft(col)[None, :]
    if kernel is not None and kernel.size > 1:
        k = np.asarray(kernel, np.float64)
        kh, kw = k.shape
        circ = np.zeros((h, w))
        ys = (np.arange(kh) - kh // 2) % h
        xs = (np.arange(kw) - kw // 2) % w
        np.add.at(circ, (ys[:, None], xs[None, :]), k)
        spectrum = spectrum * np.fft.fft2(circ)
    return spectrum


# --------------------------------------------------------------------------- data terms
@dataclass
class DataTerm:
    """The data term ``1/2 ||A x - y||^2`` of a TV energy, in the form the solver needs.

    ``forward``/``adjoint`` (``A`` and ``A^T``) are always given. When ``prox`` is given too, a
    solver handles the data term implicitly, which converges fastest; otherwise it *dualises* it
    (one more dual variable, only matrix-vector products needed, ``norm_sq`` sets the steps).
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
    forward, adjoint : callable
        ``A`` and its adjoint ``A^T``.
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
    forward: Callable[[np.ndarray], np.ndarray]
    adjoint: Callable[[np.ndarray], np.ndarray]
    prox: Callable[[np.ndarray, float], np.ndarray] | None = None
    norm_sq: float = 1.0
    strong_convexity: float = 0.0
    box_exact: bool = False
    crop: tuple[slice, slice] | None = None
    gray: bool = True

    def to_image(self, x: np.ndarray) -> np.ndarray:
        """Turn a solver iterate back into an HxW / HxWxC image (cropped when extended)."""
        if self.crop is not None:
            x = x[:, self.crop[0], self.crop[1]]
        return planes_to_image(x, self.gray)

    def data_step(self, v: np.ndarray, tau: float, *, start: np.ndarray | None = None,
                  iterations: int = 30) -> np.ndarray:
        """``argmin_x 1/2 ||A x - y||^2 + ||x - v||^2 / (2 tau)``: the proximal step of the data term.

        Exact through :attr:`prox` when the term has one; otherwise ``iterations`` steps of conjugate
        gradients on the normal equations ``(A^T A + I / tau) x = A^T y + v / tau``, from ``start``
        (default ``v``).

        Parameters
        ----------
        v : numpy.ndarray
            The proximal centre, C x H x W (not modified).
        tau : float
            Step: larger trusts the observation more.
        start : numpy.ndarray, optional
            Where CG starts (e.g. the previous solution).
        iterations : int
            CG iterations (ignored when the step is exact).

        Returns
        -------
        numpy.ndarray
            The minimiser, C x H x W float32.
        """
        if self.prox is not None:
            return self.prox(np.array(v, dtype=np.float32, copy=True), tau)
        rhs = self.adjoint(self.y) + v / np.float32(tau)
        x0 = np.asarray(v if start is None else start, dtype=np.float32)
        return conjugate_gradient(lambda u: self.adjoint(self.forward(u)) + u / np.float32(tau), rhs, x0,
                                  iterations)


def squared_norm(r: np.ndarray) -> float:
    """``||r||^2`` of any array (one dot product over the flattened data)."""
    flat = r.ravel()
    return float(np.dot(flat, flat))


def denoise_term(image: np.ndarray) -> DataTerm:
    """``1/2 ||x - y||^2``: the prox is a weighted average of ``v`` and ``y``."""
    y = image_to_planes(image)

    def prox(v: np.ndarray, tau: float) -> np.ndarray:
        v += np.float32(tau) * y
        v *= np.float32(1.0 / (1.0 + tau))
        return v

    def energy(x: np.ndarray, ax: np.ndarray | None) -> float:
        return 0.5 * squared_norm(x - y)

    def identity(x: np.ndarray) -> np.ndarray:
        return x

    return DataTerm(y=y, x0=y.copy(), energy=energy, prox=prox, forward=identity, adjoint=identity,
                    strong_convexity=1.0, box_exact=True, gray=image.ndim == 2)


def fill_missing(y: np.ndarray, mask: np.ndarray) -> np.ndarray:
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


def masked_term(image: np.ndarray, mask: np.ndarray) -> DataTerm:
    """``1/2 ||M (x - y)||^2`` with ``M`` the 0/1 mask of known pixels: the prox works per pixel."""
    y = image_to_planes(image)
    m = np.broadcast_to(mask.astype(np.float32), y.shape)
    my = m * y

    def prox(v: np.ndarray, tau: float) -> np.ndarray:
        v += np.float32(tau) * my
        v /= 1.0 + np.float32(tau) * m
        return v

    def energy(x: np.ndarray, ax: np.ndarray | None) -> float:
        return 0.5 * squared_norm(m * (x - y))

    def select(x: np.ndarray) -> np.ndarray:
        return m * x

    return DataTerm(y=y, x0=fill_missing(y, mask), energy=energy, prox=prox, forward=select, adjoint=select,
                    box_exact=True, gray=image.ndim == 2)


def fourier_blur_term(image: np.ndarray, kernel: np.ndarray, boundary: str = "reflect") -> DataTerm:
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
    planes = image_to_planes(ext)
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

    def forward(x: np.ndarray) -> np.ndarray:
        return sfft.irfft2(sfft.rfft2(x, workers=_FFT_WORKERS) * k_hat, s=size, workers=_FFT_WORKERS).astype(np.float32)

    def adjoint(r: np.ndarray) -> np.ndarray:
        return sfft.irfft2(sfft.rfft2(r, workers=_FFT_WORKERS) * np.conj(k_hat), s=size,
                           workers=_FFT_WORKERS).astype(np.float32)

    return DataTerm(y=planes, x0=planes.copy(), energy=energy, prox=prox, forward=forward, adjoint=adjoint,
                    norm_sq=float(k2.max()), crop=crop, gray=image.ndim == 2)


class ConvOperator:
    """Convolution of a C x H x W stack under the observation's boundary rule, with its exact adjoint.

    Mirror ("reflect") boundary: ``A x = valid(k (*) pad_sym(x))`` as in
    :func:`restoration.ops.blur`; the adjoint correlates with the kernel
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


def _sparse_resize_matrix(n_in: int, n_out: int) -> sparse.csr_matrix:
    """:func:`restoration.ops.resize_matrix` as a float32 sparse matrix."""
    return sparse.csr_matrix(resize_matrix(n_in, n_out).astype(np.float32))


def blur_downsample_mask(
    shape: tuple[int, int], kernel: np.ndarray | None, scale: int, mask: np.ndarray | None, boundary: str = "reflect",
) -> tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]:
    """``A x = M D (k (*) x)`` and its adjoint, on C x H x W stacks: the pipeline's blur, resize and mask.

    Blur under the observation's boundary rule (:class:`ConvOperator`), MATLAB-bicubic downsampling by
    ``scale`` as two sparse matrices (:func:`restoration.ops.resize_matrix`), then the 0/1 mask of known
    pixels; each part is skipped when absent.

    Parameters
    ----------
    shape : tuple of int
        (H, W) of the high-resolution unknown.
    kernel : numpy.ndarray or None
        Blur kernel (None or 1x1: no blur).
    scale : int
        Downsampling factor (1: none).
    mask : numpy.ndarray or None
        (h, w) boolean mask on the observed grid (None: every pixel observed).
    boundary : {"reflect", "wrap"}
        Border rule of the blur.

    Returns
    -------
    forward, adjoint : callable
        ``A`` and ``A^T`` (float32 stacks).
    """
    hh, ww = shape
    h, w = (hh // scale, ww // scale) if scale > 1 else (hh, ww)
    conv = ConvOperator(kernel, (hh, ww), boundary) if kernel is not None and kernel.size > 1 else None
    rows = _sparse_resize_matrix(hh, h) if scale > 1 else None
    cols_t = _sparse_resize_matrix(ww, w).T.tocsr() if scale > 1 else None
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

    return forward, adjoint


def operator_term(
    image: np.ndarray, shape: tuple[int, int], kernel: np.ndarray | None, scale: int, mask: np.ndarray | None,
    boundary: str,
) -> DataTerm:
    """``1/2 ||M D (k (*) x) - y||^2`` for any mix of blur, downsampling and mask, dualised.

    ``shape`` is the (H, W) of the unknown high-resolution image (:func:`blur_downsample_mask`).
    """
    y = image_to_planes(image)
    hh, ww = shape
    forward, adjoint = blur_downsample_mask(shape, kernel, scale, mask, boundary)

    def energy(x: np.ndarray, ax: np.ndarray | None) -> float:
        return 0.5 * squared_norm((forward(x) if ax is None else ax) - y)

    # ||A||^2 by power iteration on A^T A (a few steps, then a safety margin); A acts on every
    # channel alike, so one channel is enough
    v = np.random.default_rng(0).standard_normal((1, hh, ww)).astype(np.float32)
    norm_sq = 1.0
    for _ in range(30):
        v /= np.linalg.norm(v) + 1e-12
        v = adjoint(forward(v))
        norm_sq = float(np.linalg.norm(v))
    filled = fill_missing(y, mask) if mask is not None else y
    if scale > 1:
        up = imresize(planes_to_image(filled, filled.shape[0] == 1), output_shape=(hh, ww))
        x0 = image_to_planes(np.clip(up, 0.0, 1.0))
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
        return operator_term(y, observation.output_shape[:2], kernel if blurred else None,  # type: ignore[arg-type]
                              observation.scale, observation.mask, observation.boundary)
    if blurred:
        return fourier_blur_term(y, np.asarray(kernel, dtype=np.float32), observation.boundary)
    if observation.mask is not None:
        return masked_term(y, observation.mask)
    return denoise_term(y)


# --------------------------------------------------------------------------- a data step with no boundary assumption
def conjugate_gradient(
    apply: Callable[[np.ndarray], np.ndarray],
    rhs: np.ndarray,
    x0: np.ndarray,
    iterations: int,
    precondition: Callable[[np.ndarray], np.ndarray] | None = None,
    tol: float = 1e-12,
) -> np.ndarray:
    """(Preconditioned) conjugate gradients for ``apply(x) = rhs`` with a symmetric positive-definite ``apply``.

    Parameters
    ----------
    apply : callable
        The operator, e.g. ``x -> A^T A x + x / tau``.
    rhs : numpy.ndarray
        Right-hand side.
    x0 : numpy.ndarray
        Starting point (not modified).
    iterations : int
        Maximum number of iterations.
    precondition : callable, optional
        An approximate inverse of ``apply``.
    tol : float
        Stop when the (preconditioned) squared residual falls below it.

    Returns
    -------
    numpy.ndarray
        The approximate solution.
    """
    x = x0.copy()
    r = rhs - apply(x)
    u = precondition(r) if precondition else r
    p = u.copy()
    ru = float(np.vdot(r, u))
    for _ in range(iterations):
        if ru <= tol:
            break
        ap = apply(p)
        alpha = ru / float(np.vdot(p, ap))
        x += alpha * p
        r -= alpha * ap
        u = precondition(r) if precondition else r
        ru_new = float(np.vdot(r, u))
        p = u + (ru_new / ru) * p
        ru = ru_new
    return x


class ValidBlurTerm:
    """``1/2 ||valid(k * x) - y||^2`` for ``x`` on the observation's domain grown by the kernel radius.

    ``valid(k * x)`` is computed as the centre of a circular convolution on the grown domain (the
    wrapped-around values fall in the discarded margin), so products with ``A`` and ``A^T`` are
    two real FFTs each.
    """

    def __init__(self, y: np.ndarray, kernel: np.ndarray) -> None:
        self.y = y.astype(np.float32)  # C x H x W
        ph, pw = kernel.shape[0] // 2, kernel.shape[1] // 2
        _, h, w = y.shape
        self.shape = (h + 2 * ph, w + 2 * pw)
        self.crop = (slice(ph, ph + h), slice(pw, pw + w))
        self.k_hat = kernel_spectrum(kernel, self.shape)
        self.k2 = (np.abs(self.k_hat) ** 2).astype(np.float32)
        self.x0 = np.pad(self.y, ((0, 0), (ph, ph), (pw, pw)), mode="symmetric")
        self.aty = self.adjoint(self.y)

    def forward(self, x: np.ndarray) -> np.ndarray:
        return sfft.irfft2(sfft.rfft2(x) * self.k_hat, s=self.shape)[(slice(None), *self.crop)]

    def adjoint(self, r: np.ndarray) -> np.ndarray:
        big = np.zeros((r.shape[0], *self.shape), np.float32)
        big[(slice(None), *self.crop)] = r
        return sfft.irfft2(sfft.rfft2(big) * np.conj(self.k_hat), s=self.shape).astype(np.float32)

    def solve(self, z: np.ndarray, alpha: float, x: np.ndarray, iterations: int = 12) -> np.ndarray:
        """``argmin_x 1/2 ||valid(k * x) - y||^2 + alpha/2 ||x - z||^2`` by preconditioned CG from ``x``."""
        inv = (1.0 / (self.k2 + alpha)).astype(np.float32)

        def apply(v: np.ndarray) -> np.ndarray:
            return self.adjoint(self.forward(v)) + alpha * v

        def precondition(v: np.ndarray) -> np.ndarray:
            return sfft.irfft2(sfft.rfft2(v) * inv, s=self.shape).astype(np.float32)

        return conjugate_gradient(apply, self.aty + alpha * z, x.astype(np.float32), iterations, precondition,
                                  tol=1e-14)


# --------------------------------------------------------------------------- periodic blur + decimation
class PeriodicBlurDecimate:
    """``A x = S (k * x)``: circular blur with the *total* kernel, then keeping every ``scale``-th pixel.

    The total kernel is the motion blur followed by MATLAB's bicubic anti-aliasing filter
    (:func:`transfer_function`), so on a periodic image ``A`` equals ``imresize(blur(x, k), 1 / scale)``, and in
    the interior of any image. Its data step has a closed form in the Fourier domain (Zhao et al., IEEE TIP 2016):
    ``S^T S`` folds the spectrum into ``scale x scale`` aliased copies, so with ``d = A^T y + alpha z``,
    ``x = (d - conj(K) . fold(K d) / (fold(|K|^2) + alpha)) / alpha``. The unfolded network runs the same step in
    torch (:func:`restoration.deep.archs.unfolded.data_step`), differentiably; this is its numpy reference.

    Parameters
    ----------
    kernel : numpy.ndarray or None
        Odd-sized, centred blur kernel; None for no blur.
    shape : tuple of int
        High-resolution grid (H, W), multiples of ``scale``.
    scale : int
        Decimation factor.
    """

    def __init__(self, kernel: np.ndarray | None, shape: tuple[int, int], scale: int) -> None:
        self.shape, self.scale = shape, int(scale)
        self.otf = transfer_function(kernel, shape, self.scale)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """``S (k * x)`` of an H x W array (or a C x H x W stack)."""
        s = self.scale
        return np.real(np.fft.ifft2(np.fft.fft2(x) * self.otf))[..., ::s, ::s]

    def adjoint(self, r: np.ndarray) -> np.ndarray:
        """``k^T * (S^T r)``: zero-filled upsampling, then the flipped blur."""
        s = self.scale
        up = np.zeros((*r.shape[:-2], *self.shape))
        up[..., ::s, ::s] = r
        return np.real(np.fft.ifft2(np.fft.fft2(up) * np.conj(self.otf)))

    def data_step(self, z: np.ndarray, y: np.ndarray, alpha: float) -> np.ndarray:
        """Exact ``argmin_x ||A x - y||^2 + alpha ||x - z||^2``.

        Parameters
        ----------
        z : numpy.ndarray
            Proximal centre on the high-resolution grid.
        y : numpy.ndarray
            Observation on the low-resolution grid.
        alpha : float
            Weight of the proximal term (> 0).

        Returns
        -------
        numpy.ndarray
            The minimiser on the high-resolution grid (float64).
        """
        s = self.scale
        h, w = self.shape

        def fold(a: np.ndarray) -> np.ndarray:
            return a.reshape(*a.shape[:-2], s, h // s, s, w // s).mean(axis=(-4, -2))

        d = np.fft.fft2(self.adjoint(y) + alpha * z)
        k = self.otf
        ratio = fold(k * d) / (fold(np.abs(k) ** 2) + alpha)
        x_hat = (d - np.conj(k) * np.tile(ratio, (s, s))) / alpha
        return np.real(np.fft.ifft2(x_hat))
