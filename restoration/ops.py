"""Low-level image operations shared by every family: blur kernels, convolution and MATLAB-style resizing.

This is a leaf module (numpy and scipy only): the degradation pipeline, the physics operators, the classic
methods and the deep models' training all build on it, so each operation has exactly one implementation.

Conventions
-----------
* Blur is a true convolution with an odd-sized, normalised kernel. The image is extended beyond its border by
  mirror reflection (``boundary="reflect"``, MATLAB's ``'symmetric'``) or periodically (``boundary="wrap"``, the
  assumption of FFT-based deconvolution).
* Resizing is MATLAB-compatible ``imresize`` (bicubic, a=-0.5, anti-aliased, symmetric border): the convention of
  published super-resolution numbers. :func:`resize_matrix` is the same operator along one axis as a matrix, and
  :func:`bicubic_taps` its interior taps for an integer downscaling factor.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

import numpy as np
from scipy import fft as _fft

from .errors import ImageValueError

__all__ = [
    "Boundary",
    "bicubic_taps",
    "blur",
    "box_kernel",
    "cubic",
    "disk_kernel",
    "fft_convolve",
    "gaussian_kernel",
    "imresize",
    "modcrop",
    "motion_kernel",
    "normalise_kernel",
    "resize_matrix",
]

Boundary = Literal["reflect", "wrap"]


# --------------------------------------------------------------------------- kernels
def normalise_kernel(kernel: np.ndarray) -> np.ndarray:
    """Scale a kernel to sum 1 (float32); raise :class:`ImageValueError` if it has no positive weight."""
    total = kernel.sum()
    if total <= 0:
        raise ImageValueError("blur kernel has no positive weight")
    return (kernel / total).astype(np.float32)


def motion_kernel(length: float, angle: float) -> np.ndarray:
    """Linear motion-blur kernel: a line of ``length`` pixels at ``angle`` degrees.

    The line is anti-aliased by splatting many sub-pixel samples bilinearly, like
    MATLAB's ``fspecial('motion')``. Angles are counter-clockwise from the x axis
    (image rows grow downwards).

    Parameters
    ----------
    length : float
        Length of the motion in pixels (>= 1; 1 gives the identity kernel).
    angle : float
        Direction of the motion in degrees.

    Returns
    -------
    numpy.ndarray
        Odd-sized square float32 kernel summing to 1.
    """
    if length < 1:
        raise ImageValueError(f"motion length must be >= 1, got {length}")
    half = (length - 1) / 2.0
    radius = math.ceil(half) + 1
    size = 2 * radius + 1
    kernel = np.zeros((size, size), dtype=np.float64)
    theta = math.radians(angle)
    n = max(2, math.ceil(length * 16))
    t = np.linspace(-half, half, n)
    xs = radius + t * math.cos(theta)
    ys = radius - t * math.sin(theta)
    x0, y0 = np.floor(xs).astype(int), np.floor(ys).astype(int)
    fx, fy = xs - x0, ys - y0
    for dx, dy, w in ((0, 0, (1 - fx) * (1 - fy)), (1, 0, fx * (1 - fy)), (0, 1, (1 - fx) * fy), (1, 1, fx * fy)):
        np.add.at(kernel, (y0 + dy, x0 + dx), w)
    return _crop_kernel(normalise_kernel(kernel))


def _crop_kernel(kernel: np.ndarray) -> np.ndarray:
    """Remove all-zero outer rings symmetrically (keeps the kernel odd and centred)."""
    while kernel.shape[0] > 1 and not (
        kernel[0].any() or kernel[-1].any() or kernel[:, 0].any() or kernel[:, -1].any()
    ):
        kernel = kernel[1:-1, 1:-1]
    return kernel


def gaussian_kernel(sigma: float) -> np.ndarray:
    """Isotropic Gaussian kernel of standard deviation ``sigma`` pixels, truncated at 3 sigma."""
    if sigma <= 0:
        return np.ones((1, 1), dtype=np.float32)
    radius = max(1, math.ceil(3 * sigma))
    x = np.arange(-radius, radius + 1, dtype=np.float64)
    g = np.exp(-0.5 * (x / sigma) ** 2)  # not x**2 / sigma**2: a tiny sigma would underflow to 0/0 = NaN
    return normalise_kernel(np.outer(g, g))


def box_kernel(size: int) -> np.ndarray:
    """Uniform (box) kernel of width ``size``; an even width gets half-weight edge taps so it stays centred."""
    if size < 1:
        raise ImageValueError(f"box size must be >= 1, got {size}")
    if size % 2 == 1:
        k1 = np.ones(size)
    else:
        k1 = np.ones(size + 1)
        k1[0] = k1[-1] = 0.5
    return normalise_kernel(np.outer(k1, k1))


def disk_kernel(radius: float) -> np.ndarray:
    """Defocus (pill-box) kernel: each tap is the area of its pixel inside a disk of ``radius``."""
    if radius <= 0:
        return np.ones((1, 1), dtype=np.float32)
    r = math.ceil(radius)
    sub = 8
    offs = (np.arange(sub) + 0.5) / sub - 0.5
    coords = np.arange(-r, r + 1)
    fine = (coords[:, None] + offs[None, :]).ravel()
    inside = (fine[:, None] ** 2 + fine[None, :] ** 2) <= radius**2
    area = inside.reshape(2 * r + 1, sub, 2 * r + 1, sub).mean(axis=(1, 3))
    if not area.any():  # a disk smaller than the sub-pixel grid: a point, i.e. no blur
        return np.ones((1, 1), dtype=np.float32)
    return _crop_kernel(normalise_kernel(area))


def blur(image: np.ndarray, kernel: np.ndarray, *, boundary: Boundary = "reflect") -> np.ndarray:
    """Convolve each channel of ``image`` with ``kernel``.

    Parameters
    ----------
    image : numpy.ndarray
        HxW or HxWxC float image.
    kernel : numpy.ndarray
        2-D odd-sized kernel (not flipped by the caller: this is a true convolution).
    boundary : {"reflect", "wrap"}
        Mirror extension (MATLAB 'symmetric') or periodic extension.

    Returns
    -------
    numpy.ndarray
        Blurred image, same shape, float32 (not clipped: a normalised non-negative
        kernel keeps [0, 1] data in [0, 1]).
    """
    kernel = np.asarray(kernel, dtype=np.float64)
    if kernel.ndim != 2 or kernel.shape[0] % 2 == 0 or kernel.shape[1] % 2 == 0:
        raise ImageValueError(f"kernel must be 2-D with odd sides, got shape {kernel.shape}")
    if boundary not in ("reflect", "wrap"):
        raise ImageValueError(f"boundary must be 'reflect' or 'wrap', got {boundary!r}")
    ph, pw = kernel.shape[0] // 2, kernel.shape[1] // 2
    mode = "symmetric" if boundary == "reflect" else "wrap"
    arr = np.asarray(image, dtype=np.float64)
    pad = ((ph, ph), (pw, pw)) + ((0, 0),) * (arr.ndim - 2)
    padded = np.pad(arr, pad, mode=mode)
    out = fft_convolve(padded, kernel, valid=True)
    if arr.size and kernel.min() >= 0:  # a non-negative kernel's exact bounds: drop FFT round-off (-4e-17 for 0)
        total = float(kernel.sum())
        out = np.clip(out, total * float(arr.min()), total * float(arr.max()))
    return out.astype(np.float32)


def fft_convolve(a: np.ndarray, kernel: np.ndarray, *, valid: bool) -> np.ndarray:
    """Linear 2-D convolution over the first two axes by FFT: ``valid`` part, or the ``full`` result."""
    kh, kw = kernel.shape
    if valid:
        shape = a.shape[:2]  # circular convolution of this size is exact on the valid region
    else:
        shape = (a.shape[0] + kh - 1, a.shape[1] + kw - 1)
    fa = _fft.rfft2(a, s=shape, axes=(0, 1))
    fk = _fft.rfft2(kernel, s=shape)
    if a.ndim == 3:
        fk = fk[:, :, None]
    out = _fft.irfft2(fa * fk, s=shape, axes=(0, 1))
    return out[kh - 1 :, kw - 1 :] if valid else out


# --------------------------------------------------------------------------- resizing
def cubic(x: np.ndarray) -> np.ndarray:
    """Keys' cubic convolution kernel with a = -0.5 (MATLAB's and Pillow's bicubic)."""
    ax = np.abs(x)
    ax2, ax3 = ax**2, ax**3
    return (1.5 * ax3 - 2.5 * ax2 + 1.0) * (ax <= 1) + (-0.5 * ax3 + 2.5 * ax2 - 4.0 * ax + 2.0) * (
        (ax > 1) & (ax <= 2)
    )


def _triangle(x: np.ndarray) -> np.ndarray:
    ax = np.abs(x)
    return (1.0 - ax) * (ax <= 1)


def _box(x: np.ndarray) -> np.ndarray:
    return ((x >= -0.5) & (x < 0.5)).astype(np.float64)


def _lanczos3(x: np.ndarray) -> np.ndarray:
    ax = np.abs(x)
    return np.sinc(x) * np.sinc(x / 3.0) * (ax < 3)


_RESIZE_KERNELS: dict[str, tuple[Callable[[np.ndarray], np.ndarray], float]] = {
    "nearest": (_box, 1.0),
    "bilinear": (_triangle, 2.0),
    "bicubic": (cubic, 4.0),
    "lanczos": (_lanczos3, 6.0),
}


def _contributions(in_len: int, out_len: int, scale: float, method: str, antialias: bool):
    """Weights and source indices of a 1-D resize, following MATLAB's imresize."""
    func, width = _RESIZE_KERNELS[method]
    if scale < 1 and antialias and method != "nearest":
        kernel = lambda x: scale * func(scale * x)  # noqa: E731 - a stretched kernel
        width = width / scale
    else:
        kernel = func
    x = np.arange(1, out_len + 1, dtype=np.float64)
    u = x / scale + 0.5 * (1.0 - 1.0 / scale)
    left = np.floor(u - width / 2.0)
    taps = math.ceil(width) + 2
    idx = left[:, None] + np.arange(taps)[None, :]
    weights = kernel(u[:, None] - idx)
    if method == "nearest":
        # one tap: the source pixel whose centre is nearest (ties to the right, as MATLAB)
        weights = np.zeros_like(weights)
        nearest = np.clip(np.floor(u + 0.5), 1, in_len)
        weights[np.arange(out_len), (nearest - left).astype(int)] = 1.0
    sums = weights.sum(axis=1, keepdims=True)
    weights = weights / np.where(sums == 0, 1.0, sums)
    mirror = np.concatenate([np.arange(in_len), np.arange(in_len - 1, -1, -1)])
    idx = mirror[np.mod(idx.astype(np.int64) - 1, 2 * in_len)]
    keep = np.any(weights != 0, axis=0)
    return weights[:, keep], idx[:, keep]


def _resize_axis(arr: np.ndarray, axis: int, out_len: int, scale: float, method: str, antialias: bool):
    weights, idx = _contributions(arr.shape[axis], out_len, scale, method, antialias)
    moved = np.moveaxis(arr, axis, 0)
    gathered = moved[idx]  # (out, taps, ...)
    w = weights.reshape(weights.shape + (1,) * (moved.ndim - 1))
    return np.moveaxis((gathered * w).sum(axis=1), 0, axis)


def imresize(
    image: np.ndarray,
    scale: float | None = None,
    *,
    output_shape: tuple[int, int] | None = None,
    method: Literal["nearest", "bilinear", "bicubic", "lanczos"] = "bicubic",
    antialias: bool = True,
) -> np.ndarray:
    """Resize like MATLAB's ``imresize`` (the convention of published SR numbers).

    The kernel is centred on ``u = x / s + (1 - 1/s) / 2`` (pixel centres aligned),
    the border is mirrored (``'symmetric'``), and when shrinking the kernel is
    stretched by ``1/s`` so that it also low-pass filters (anti-aliasing). On float
    input this reproduces MATLAB's arithmetic; MATLAB additionally rounds to uint8
    when its input is uint8 -- published SR results use that 8-bit LR image, which
    differs from ours by at most half a grey level. Pillow's ``BICUBIC`` uses the
    same kernel and support but renormalises at the border instead of mirroring, so
    the two agree away from the border (tested).

    Parameters
    ----------
    image : numpy.ndarray
        HxW or HxWxC float image.
    scale : float, optional
        Output size / input size (0.5 halves each side). Give this or ``output_shape``.
    output_shape : (int, int), optional
        Exact output height and width.
    method : {"nearest", "bilinear", "bicubic", "lanczos"}
        Interpolation kernel.
    antialias : bool
        Stretch the kernel when shrinking (MATLAB's default).

    Returns
    -------
    numpy.ndarray
        float32 image, not clipped (bicubic and Lanczos overshoot slightly at edges).
    """
    if method not in _RESIZE_KERNELS:
        raise ImageValueError(f"unknown resize method {method!r}")
    arr = np.asarray(image, dtype=np.float64)
    h, w = arr.shape[:2]
    if output_shape is None:
        if scale is None or scale <= 0:
            raise ImageValueError("imresize needs a positive scale or an output_shape")
        out_h, out_w = max(1, math.ceil(h * scale)), max(1, math.ceil(w * scale))
        sh = sw = float(scale)
    else:
        out_h, out_w = int(output_shape[0]), int(output_shape[1])
        if out_h < 1 or out_w < 1:
            raise ImageValueError(f"output shape must be positive, got {output_shape}")
        sh, sw = out_h / h, out_w / w
    # MATLAB resizes the dimension with the smaller scale first.
    order = (0, 1) if sh <= sw else (1, 0)
    sizes, scales = (out_h, out_w), (sh, sw)
    for axis in order:
        arr = _resize_axis(arr, axis, sizes[axis], scales[axis], method, antialias)
    return arr.astype(np.float32)


def modcrop(image: np.ndarray, scale: int) -> np.ndarray:
    """Crop the bottom/right so that height and width are multiples of ``scale``."""
    if scale <= 1:
        return image
    h, w = image.shape[:2]
    return image[: h - h % scale, : w - w % scale]


def resize_matrix(n_in: int, n_out: int) -> np.ndarray:
    """The ``(n_out, n_in)`` matrix of MATLAB-style bicubic resizing along one axis.

    Obtained by resizing the identity with :func:`imresize` (resizing is linear and separable, and a scale of 1
    leaves the other axis alone), so it is exactly the operator the degradation pipeline applies. Entries below
    1e-9 in magnitude (round-off) are set to zero.

    Parameters
    ----------
    n_in, n_out : int
        Input and output lengths.

    Returns
    -------
    numpy.ndarray
        Dense float64 matrix; ``resize_matrix(h, h2) @ x @ resize_matrix(w, w2).T`` equals
        ``imresize(x, output_shape=(h2, w2))`` for a gray ``x``.
    """
    mat = imresize(np.eye(n_in, dtype=np.float64), output_shape=(n_out, n_in)).astype(np.float64)
    mat[np.abs(mat) < 1e-9] = 0.0
    return mat


def bicubic_taps(scale: int) -> tuple[np.ndarray, np.ndarray]:
    """Offsets ``m`` and weights ``b_m`` of MATLAB's bicubic downsampling by an integer ``scale``.

    Away from the borders, output pixel ``i`` of ``imresize(x, 1/scale)`` is ``sum_m b_m x[s i + m]``: the cubic
    kernel stretched by ``scale`` and centred at ``s i + (s - 1) / 2``.

    Parameters
    ----------
    scale : int
        Downscaling factor.

    Returns
    -------
    offsets : numpy.ndarray
        Integer offsets ``m`` (non-zero taps only).
    weights : numpy.ndarray
        Their weights, summing to 1.
    """
    centre = (scale - 1) / 2.0
    offsets = np.arange(math.floor(centre - 2 * scale) + 1, math.ceil(centre + 2 * scale))
    weights = cubic((offsets - centre) / scale) / scale
    keep = weights != 0
    offsets, weights = offsets[keep], weights[keep]
    return offsets, weights / weights.sum()
