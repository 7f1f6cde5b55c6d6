"""Degradations: noise, blur, downsampling, JPEG, inpainting masks, and pipelines of them.

Each degradation is a *step* with typed parameters (:class:`StepSpec`). A
:class:`Pipeline` is a sequence of steps, written as text such as::

    motion_blur(length=9, angle=30) | downsample(scale=2) | gaussian_noise(sigma=10)

Applying a pipeline to a clean image gives an :class:`Observation`: the degraded
pixels *plus* what non-blind restoration methods need -- the blur kernel, the
scale factor, the mask of known pixels and the noise level. This is the
"physics" of the problem, kept apart from the algorithms that invert it.

Conventions
-----------
* Noise levels ``sigma`` are standard deviations on the **0-255 scale** of the
  literature (sigma=25 means 25/255 on our [0, 1] images).
* Blur is a true convolution with an odd-sized, normalised kernel. The image is
  extended beyond its border by mirror reflection (``boundary="reflect"``, MATLAB's
  ``'symmetric'``) or periodically (``boundary="wrap"``, the assumption of FFT-based
  deconvolution).
* Downsampling is MATLAB-compatible ``imresize`` (bicubic, a=-0.5, anti-aliased,
  symmetric border). See :func:`imresize`.
* Every random step draws from its own stream derived from the pipeline seed
  (``numpy.random.SeedSequence``), so the same seed always gives the same pixels,
  and changing one step's parameters never changes another step's noise.
"""

from __future__ import annotations

import ast
import io
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from scipy import fft as _fft

from .errors import ImageTooLargeError, ImageValueError, ParameterError, SpecError
from .images import DEFAULT_MAX_PIXELS, validate_image
from .params import ParamSpec, resolve_params

__all__ = [
    "PRESETS",
    "STEPS",
    "TASKS",
    "Observation",
    "Pipeline",
    "Preset",
    "Step",
    "StepSpec",
    "add_gaussian_noise",
    "add_poisson_noise",
    "add_salt_pepper",
    "block_mask",
    "blur",
    "box_kernel",
    "degrade",
    "disk_kernel",
    "gaussian_kernel",
    "imresize",
    "jpeg_compress",
    "modcrop",
    "motion_kernel",
    "random_mask",
    "scribble_mask",
    "text_mask",
]

Task = Literal["denoise", "deblur", "sr", "inpaint", "combined"]
#: The restoration tasks, in the order the app presents them.
TASKS: tuple[str, ...] = ("denoise", "deblur", "sr", "inpaint", "combined")
Boundary = Literal["reflect", "wrap"]


# --------------------------------------------------------------------------- kernels
def _normalise(kernel: np.ndarray) -> np.ndarray:
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
    return _crop_kernel(_normalise(kernel))


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
    return _normalise(np.outer(g, g))


def box_kernel(size: int) -> np.ndarray:
    """Uniform (box) kernel of width ``size``; an even width gets half-weight edge taps so it stays centred."""
    if size < 1:
        raise ImageValueError(f"box size must be >= 1, got {size}")
    if size % 2 == 1:
        k1 = np.ones(size)
    else:
        k1 = np.ones(size + 1)
        k1[0] = k1[-1] = 0.5
    return _normalise(np.outer(k1, k1))


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
    return _crop_kernel(_normalise(area))


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
    out = _fft_convolve(padded, kernel, valid=True)
    if arr.size and kernel.min() >= 0:  # a non-negative kernel's exact bounds: drop FFT round-off (-4e-17 for 0)
        total = float(kernel.sum())
        out = np.clip(out, total * float(arr.min()), total * float(arr.max()))
    return out.astype(np.float32)


def _fft_convolve(a: np.ndarray, kernel: np.ndarray, *, valid: bool) -> np.ndarray:
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
def _cubic(x: np.ndarray) -> np.ndarray:
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
    "bicubic": (_cubic, 4.0),
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


# --------------------------------------------------------------------------- noise & artefacts
def add_gaussian_noise(
    image: np.ndarray, sigma: float, *, rng: np.random.Generator, clip: bool = True
) -> np.ndarray:
    """Add white Gaussian noise of standard deviation ``sigma`` on the 0-255 scale.

    ``clip=False`` keeps values outside [0, 1], as in the denoising literature's test
    protocol (DnCNN, BM3D); the default clips so the result is a displayable image.
    """
    noisy = image.astype(np.float64) + rng.standard_normal(image.shape) * (sigma / 255.0)
    if clip:
        noisy = np.clip(noisy, 0.0, 1.0)
    return noisy.astype(np.float32)


def add_poisson_noise(image: np.ndarray, peak: float, *, rng: np.random.Generator) -> np.ndarray:
    """Shot noise: photon counts ``Poisson(peak * x) / peak``; a smaller ``peak`` is noisier."""
    counts = rng.poisson(np.clip(image, 0.0, 1.0).astype(np.float64) * peak)
    return np.clip(counts / peak, 0.0, 1.0).astype(np.float32)


def add_salt_pepper(
    image: np.ndarray, amount: float, *, rng: np.random.Generator, salt_ratio: float = 0.5
) -> np.ndarray:
    """Impulse noise: a fraction ``amount`` of pixels (all channels) set to white or black."""
    out = image.astype(np.float32, copy=True)
    hit = rng.random(image.shape[:2]) < amount
    salt = rng.random(image.shape[:2]) < salt_ratio
    out[hit & salt] = 1.0
    out[hit & ~salt] = 0.0
    return out


def jpeg_compress(image: np.ndarray, quality: int) -> np.ndarray:
    """Round-trip through Pillow's JPEG encoder at ``quality`` (1 = worst, 95 = near lossless)."""
    from .images import to_uint8

    buf = io.BytesIO()
    Image.fromarray(to_uint8(image)).save(buf, format="JPEG", quality=int(quality))
    buf.seek(0)
    with Image.open(buf) as im:
        return (np.asarray(im, dtype=np.float32) / 255.0).astype(np.float32)


# --------------------------------------------------------------------------- masks (True = known pixel)
def random_mask(shape: tuple[int, int], missing: float, *, rng: np.random.Generator) -> np.ndarray:
    """Each pixel is missing independently with probability ``missing``."""
    return rng.random(shape) >= missing


def block_mask(shape: tuple[int, int], size: int, count: int, *, rng: np.random.Generator) -> np.ndarray:
    """``count`` missing squares of side ``size`` at random positions."""
    h, w = shape
    mask = np.ones(shape, dtype=bool)
    s_h, s_w = min(size, h), min(size, w)
    for _ in range(count):
        y = int(rng.integers(0, h - s_h + 1))
        x = int(rng.integers(0, w - s_w + 1))
        mask[y : y + s_h, x : x + s_w] = False
    return mask


def scribble_mask(shape: tuple[int, int], strokes: int, width: int, *, rng: np.random.Generator) -> np.ndarray:
    """Random free-hand strokes (smooth polylines) of the given pen ``width``."""
    h, w = shape
    canvas = Image.new("L", (w, h), 255)
    draw = ImageDraw.Draw(canvas)
    for _ in range(strokes):
        n = int(rng.integers(4, 9))
        x, y = float(rng.uniform(0, w)), float(rng.uniform(0, h))
        angle = float(rng.uniform(0, 2 * math.pi))
        points = [(x, y)]
        step = max(h, w) / 10.0
        for _ in range(n):
            angle += float(rng.normal(0, 0.6))
            x = float(np.clip(x + step * math.cos(angle), 0, w - 1))
            y = float(np.clip(y + step * math.sin(angle), 0, h - 1))
            points.append((x, y))
        draw.line(points, fill=0, width=int(width), joint="curve")
    return np.asarray(canvas) > 127


_LOREM = (
    "Restoration recovers a clean image from a degraded observation. "
    "Noise, blur, low resolution and missing pixels each hide part of the scene."
)


def text_mask(shape: tuple[int, int], size: int, *, rng: np.random.Generator, text: str = "") -> np.ndarray:
    """Lines of text written over the image (the classic "text removal" inpainting test)."""
    h, w = shape
    canvas = Image.new("L", (w, h), 255)
    draw = ImageDraw.Draw(canvas)
    try:
        font = ImageFont.load_default(size=int(size))
    except (TypeError, OSError):  # pragma: no cover - Pillow without FreeType
        font = ImageFont.load_default()
    words = (text or _LOREM).split()
    start = int(rng.integers(0, len(words)))
    words = words[start:] + words[:start]
    line_h = int(size * 1.6)
    y = int(rng.integers(0, max(1, line_h // 2)))
    i = 0
    while y < h and words:
        line = ""
        while i < 10_000 and draw.textlength(line + words[i % len(words)] + " ", font=font) < w:
            line += words[i % len(words)] + " "
            i += 1
        draw.text((2, y), line or words[0], fill=0, font=font)
        y += line_h
        if not line:
            break
    return np.asarray(canvas) > 127


# --------------------------------------------------------------------------- observations
@dataclass
class Observation:
    """A degraded image together with what is known about how it was degraded.

    Attributes
    ----------
    degraded : numpy.ndarray
        The observed pixels (float32; values may leave [0, 1] for unclipped noise).
    clean : numpy.ndarray or None
        Ground truth on the output grid (cropped to a multiple of ``scale``), if known.
    kernel : numpy.ndarray or None
        The blur kernel applied on the high-resolution grid (all blurs composed), if any.
    scale : int
        Total downsampling factor (1 = none); the restored image is ``scale`` times larger.
    mask : numpy.ndarray or None
        HxW boolean array, True where the pixel was observed (inpainting).
    sigma : float
        Standard deviation of the additive Gaussian noise, on the 0-255 scale (0 = none).
    noise : tuple of str
        Kinds of noise or artefact applied ("gaussian", "poisson", "salt_pepper", "jpeg").
    boundary : str
        Border extension used by the blur ("reflect" or "wrap").
    spec : str
        The canonical pipeline text that produced the observation.
    seed : int or None
        The seed of the random steps.
    notes : list of str
        Caveats found while applying the pipeline.
    """

    degraded: np.ndarray
    clean: np.ndarray | None = None
    kernel: np.ndarray | None = None
    scale: int = 1
    mask: np.ndarray | None = None
    sigma: float = 0.0
    noise: tuple[str, ...] = ()
    boundary: str = "reflect"
    spec: str = ""
    seed: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def task(self) -> str:
        """The restoration task this observation poses (one of :data:`TASKS`)."""
        blurred = self.kernel is not None and self.kernel.size > 1
        noisy = bool(self.noise)
        if self.scale > 1:
            return "combined" if (blurred or noisy or self.mask is not None) else "sr"
        if self.mask is not None:
            return "combined" if blurred else "inpaint"
        if blurred:
            return "deblur"
        return "denoise"

    @property
    def output_shape(self) -> tuple[int, ...]:
        """Shape of the restored image: the degraded shape times ``scale`` in H and W."""
        h, w = self.degraded.shape[:2]
        return (h * self.scale, w * self.scale, *self.degraded.shape[2:])

    @property
    def is_gray(self) -> bool:
        """True for a single-channel observation."""
        return self.degraded.ndim == 2

    @classmethod
    def from_degraded(cls, degraded: np.ndarray, *, scale: int = 1, sigma: float = 0.0) -> Observation:
        """Wrap an already degraded image (e.g. an uploaded photo) with no ground truth.

        Parameters
        ----------
        degraded : numpy.ndarray
            The photo, float in [0, 1].
        scale : int
            Upscaling factor, 1 to 8 (the range of the ``downsample`` step); the restored
            image may have at most :data:`~restoration.images.DEFAULT_MAX_PIXELS` pixels.
        sigma : float
            Known noise level on the 0-255 scale, 0 to 255 (0 = unknown or none).

        Raises
        ------
        ImageValueError, ParameterError, ImageTooLargeError
            For an invalid image, a scale or sigma out of range, or an output too large.
        """
        degraded = validate_image(degraded, name="degraded image")
        if isinstance(scale, bool) or not isinstance(scale, (int, np.integer)) or not 1 <= scale <= 8:
            raise ParameterError(f"the upscaling factor must be a whole number from 1 to 8, got {scale!r}")
        if isinstance(sigma, bool) or not isinstance(sigma, (int, float, np.number)) or not 0 <= sigma <= 255:
            raise ParameterError(f"the noise level sigma must be a number from 0 to 255, got {sigma!r}")
        out_pixels = degraded.shape[0] * degraded.shape[1] * int(scale) ** 2
        if scale > 1 and out_pixels > DEFAULT_MAX_PIXELS:
            raise ImageTooLargeError(
                f"upscaling a {degraded.shape[1]}x{degraded.shape[0]} image x{scale} gives {out_pixels:,} pixels, "
                f"over the limit of {DEFAULT_MAX_PIXELS:,}; use a smaller image or factor"
            )
        noise = ("gaussian",) if sigma > 0 else ()
        return cls(degraded=degraded, scale=int(scale), sigma=float(sigma), noise=noise, spec="")

    def summary(self) -> dict[str, Any]:
        """JSON-friendly description (no pixel arrays)."""
        return {
            "task": self.task,
            "spec": self.spec,
            "seed": self.seed,
            "scale": self.scale,
            "sigma": self.sigma,
            "noise": list(self.noise),
            "kernel_shape": None if self.kernel is None else list(self.kernel.shape),
            "missing_fraction": None if self.mask is None else float(1.0 - self.mask.mean()),
            "degraded_shape": list(self.degraded.shape),
            "output_shape": list(self.output_shape),
            "notes": list(self.notes),
        }


# --------------------------------------------------------------------------- steps
@dataclass
class _State:
    image: np.ndarray
    kernel: np.ndarray | None = None
    scale: int = 1
    mask: np.ndarray | None = None
    sigma2: float = 0.0
    noise: list[str] = field(default_factory=list)
    boundary: str = "reflect"
    notes: list[str] = field(default_factory=list)


StepFunc = Callable[[_State, np.random.Generator, dict[str, Any]], None]


@dataclass(frozen=True)
class StepSpec:
    """A degradation step that can appear in a pipeline.

    Attributes
    ----------
    name : str
        Name used in pipeline text.
    kind : str
        "noise", "blur", "resample", "compression" or "mask".
    params : tuple of ParamSpec
        Its parameters.
    help : str
        One-line description.
    apply : callable
        Internal function that updates the pipeline state.
    """

    name: str
    kind: str
    params: tuple[ParamSpec, ...]
    help: str
    apply: StepFunc


def _compose_kernel(state: _State, kernel: np.ndarray, boundary: str) -> None:
    if state.scale > 1:
        state.notes.append("a blur after downsampling is not part of the recorded high-resolution kernel")
    elif state.kernel is None:
        state.kernel = kernel
    else:
        state.kernel = _fft_convolve(state.kernel.astype(np.float64), kernel.astype(np.float64), valid=False)
        state.kernel = _normalise(np.clip(state.kernel, 0.0, None))
    if state.mask is not None:
        state.notes.append("blurring after masking spreads the fill value into the known pixels")
    state.boundary = boundary
    state.image = blur(state.image, kernel, boundary=boundary)  # type: ignore[arg-type]


def _blur_step(make: Callable[[dict[str, Any]], np.ndarray]) -> StepFunc:
    def run(state: _State, rng: np.random.Generator, p: dict[str, Any]) -> None:
        _compose_kernel(state, make(p), p["boundary"])

    return run


def _gaussian_noise(state: _State, rng: np.random.Generator, p: dict[str, Any]) -> None:
    if p["sigma"] > 0:
        state.image = add_gaussian_noise(state.image, p["sigma"], rng=rng, clip=p["clip"])
        state.sigma2 += p["sigma"] ** 2
        state.noise.append("gaussian")


def _poisson_noise(state: _State, rng: np.random.Generator, p: dict[str, Any]) -> None:
    state.image = add_poisson_noise(state.image, p["peak"], rng=rng)
    state.noise.append("poisson")


def _salt_pepper(state: _State, rng: np.random.Generator, p: dict[str, Any]) -> None:
    if p["amount"] > 0:
        state.image = add_salt_pepper(state.image, p["amount"], rng=rng, salt_ratio=p["salt_ratio"])
        state.noise.append("salt_pepper")


def _jpeg(state: _State, rng: np.random.Generator, p: dict[str, Any]) -> None:
    state.image = jpeg_compress(state.image, p["quality"])
    state.noise.append("jpeg")


def _downsample(state: _State, rng: np.random.Generator, p: dict[str, Any]) -> None:
    s = p["scale"]
    if s == 1:
        return
    if state.mask is not None:
        raise SpecError("downsample must come before any mask step (a mask is defined on the final grid)")
    h, w = state.image.shape[:2]
    if h < s or w < s:
        raise ImageValueError(f"the image ({w}x{h}) is smaller than the downsampling factor {s}")
    out = imresize(state.image, output_shape=(h // s, w // s), method=p["method"])
    state.image = np.clip(out, 0.0, 1.0).astype(np.float32)
    state.scale *= s


def _mask_step(make: Callable[[tuple[int, int], np.random.Generator, dict[str, Any]], np.ndarray]) -> StepFunc:
    def run(state: _State, rng: np.random.Generator, p: dict[str, Any]) -> None:
        mask = make(state.image.shape[:2], rng, p)
        state.mask = mask if state.mask is None else (state.mask & mask)
        out = state.image.copy()
        out[~state.mask] = p["fill"]
        state.image = out

    return run


_BOUNDARY = ParamSpec(
    "boundary", "choice", "reflect", choices=("reflect", "wrap"),
    help="How the image is extended past its border: mirrored, or periodic (wrap-around).",
)
_FILL = ParamSpec("fill", "float", 0.0, 0.0, 1.0, 0.05, help="Value written into the missing pixels.")

STEPS: dict[str, StepSpec] = {
    s.name: s
    for s in (
        StepSpec(
            "gaussian_noise", "noise",
            (
                ParamSpec("sigma", "float", 25.0, 0.0, 255.0, 1.0,
                          help="Noise standard deviation on the 0-255 scale; larger is noisier."),
                ParamSpec("clip", "bool", True,
                          help="Clip the noisy image to [0, 1] (off reproduces the literature's protocol)."),
            ),
            "Additive white Gaussian noise (sensor read noise).", _gaussian_noise,
        ),
        StepSpec(
            "poisson_noise", "noise",
            (ParamSpec("peak", "float", 30.0, 0.1, 10000.0, 1.0,
                       help="Photons at full white; smaller means darker light and stronger noise."),),
            "Signal-dependent shot noise (low light).", _poisson_noise,
        ),
        StepSpec(
            "salt_pepper", "noise",
            (
                ParamSpec("amount", "float", 0.05, 0.0, 1.0, 0.01, help="Fraction of pixels hit."),
                ParamSpec("salt_ratio", "float", 0.5, 0.0, 1.0, 0.05,
                          help="Share of hit pixels set to white (the rest to black)."),
            ),
            "Impulse noise: random pixels forced to black or white.", _salt_pepper,
        ),
        StepSpec(
            "motion_blur", "blur",
            (
                ParamSpec("length", "float", 9.0, 1.0, 101.0, 1.0, help="Length of the motion in pixels."),
                ParamSpec("angle", "float", 0.0, -180.0, 180.0, 5.0,
                          help="Direction of motion in degrees, counter-clockwise from horizontal."),
                _BOUNDARY,
            ),
            "Linear camera shake.", _blur_step(lambda p: motion_kernel(p["length"], p["angle"])),
        ),
        StepSpec(
            "gaussian_blur", "blur",
            (ParamSpec("sigma", "float", 1.6, 0.0, 20.0, 0.1, help="Kernel standard deviation in pixels."),
             _BOUNDARY),
            "Smooth out-of-focus or atmospheric blur.", _blur_step(lambda p: gaussian_kernel(p["sigma"])),
        ),
        StepSpec(
            "box_blur", "blur",
            (ParamSpec("size", "int", 5, 1, 101, 1, help="Width of the square averaging window in pixels."),
             _BOUNDARY),
            "Uniform averaging over a square window.", _blur_step(lambda p: box_kernel(p["size"])),
        ),
        StepSpec(
            "defocus_blur", "blur",
            (ParamSpec("radius", "float", 3.0, 0.0, 50.0, 0.5, help="Radius of the defocus disk in pixels."),
             _BOUNDARY),
            "Lens defocus: a uniform disk (pill-box) kernel.", _blur_step(lambda p: disk_kernel(p["radius"])),
        ),
        StepSpec(
            "downsample", "resample",
            (
                ParamSpec("scale", "int", 2, 1, 8, 1, help="Factor by which each side shrinks."),
                ParamSpec("method", "choice", "bicubic", choices=("bicubic", "bilinear", "nearest", "lanczos"),
                          help="Resampling kernel (bicubic is the super-resolution convention)."),
            ),
            "Anti-aliased downsampling, MATLAB imresize convention.", _downsample,
        ),
        StepSpec(
            "jpeg", "compression",
            (ParamSpec("quality", "int", 30, 1, 100, 1, help="JPEG quality; lower gives stronger artefacts."),),
            "JPEG compression artefacts (blocking, ringing).", _jpeg,
        ),
        StepSpec(
            "random_mask", "mask",
            (ParamSpec("missing", "float", 0.5, 0.0, 1.0, 0.05, help="Fraction of pixels removed."), _FILL),
            "Randomly missing pixels.",
            _mask_step(lambda shape, rng, p: random_mask(shape, p["missing"], rng=rng)),
        ),
        StepSpec(
            "block_mask", "mask",
            (
                ParamSpec("size", "int", 32, 1, 512, 1, help="Side of each missing square in pixels."),
                ParamSpec("count", "int", 4, 0, 100, 1, help="Number of missing squares."),
                _FILL,
            ),
            "Missing square blocks (lost packets, damaged film).",
            _mask_step(lambda shape, rng, p: block_mask(shape, p["size"], p["count"], rng=rng)),
        ),
        StepSpec(
            "scribble_mask", "mask",
            (
                ParamSpec("strokes", "int", 8, 0, 100, 1, help="Number of strokes."),
                ParamSpec("width", "int", 6, 1, 64, 1, help="Pen width in pixels."),
                _FILL,
            ),
            "Free-hand scribbles over the image.",
            _mask_step(lambda shape, rng, p: scribble_mask(shape, p["strokes"], p["width"], rng=rng)),
        ),
        StepSpec(
            "text_mask", "mask",
            (ParamSpec("size", "int", 14, 6, 128, 1, help="Font size in pixels."), _FILL),
            "Text written over the image.",
            _mask_step(lambda shape, rng, p: text_mask(shape, p["size"], rng=rng)),
        ),
    )
}


# --------------------------------------------------------------------------- pipelines
def _format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return value if value.isidentifier() else repr(value)
    return repr(value)


@dataclass(frozen=True)
class Step:
    """One configured step of a pipeline: a :class:`StepSpec` name and checked parameters."""

    name: str
    params: Mapping[str, Any]
    given: tuple[str, ...] = ()

    @property
    def spec(self) -> StepSpec:
        """The step's definition."""
        return STEPS[self.name]

    def to_text(self, full: bool = False) -> str:
        """Text form; only user-given parameters unless ``full``."""
        keys = [k for k in self.params if full or k in self.given]
        if not keys:
            return self.name
        return f"{self.name}({', '.join(f'{k}={_format_value(self.params[k])}' for k in keys)})"


def _split_steps(text: str) -> list[str]:
    parts, depth, quote, buf = [], 0, "", []
    for ch in text:
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append("".join(buf))
            buf = []
            continue
        buf.append(ch)
    parts.append("".join(buf))
    return [p.strip() for p in parts]


def _parse_step(text: str) -> Step:
    import difflib

    if not text:
        raise SpecError("empty step in the pipeline (two '|' in a row, or a '|' at an end)")
    try:
        node = ast.parse(text, mode="eval").body
    except (SyntaxError, ValueError, MemoryError, RecursionError):  # ValueError: NUL, lone surrogates
        raise SpecError(f"cannot parse step {text!r}: write it as name(key=value, ...)") from None
    if isinstance(node, ast.Name):
        name, keywords = node.id, []
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        if node.args:
            raise SpecError(f"step {text!r}: give parameters by name, e.g. gaussian_noise(sigma=25)")
        name, keywords = node.func.id, node.keywords
    else:
        raise SpecError(f"cannot parse step {text!r}: write it as name(key=value, ...)")
    if name not in STEPS:
        close = difflib.get_close_matches(name, STEPS, n=1)
        hint = f" -- did you mean '{close[0]}'?" if close else ""
        raise SpecError(f"unknown degradation step '{name}'{hint} (known: {', '.join(STEPS)})")
    given: dict[str, Any] = {}
    for kw in keywords:
        if kw.arg is None:
            raise SpecError(f"step {text!r}: '**' is not allowed")
        if isinstance(kw.value, ast.Name) and kw.value.id.lower() in ("true", "false"):
            value: Any = kw.value.id.lower() == "true"
        elif isinstance(kw.value, ast.Name):
            value = kw.value.id
        else:
            try:
                value = ast.literal_eval(kw.value)
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                msg = f"step {text!r}: the value of '{kw.arg}' must be a number, word or true/false"
                raise SpecError(msg) from None
        if kw.arg in given:
            raise SpecError(f"step {text!r}: parameter '{kw.arg}' given twice")
        given[kw.arg] = value
    try:
        params = resolve_params(STEPS[name].params, given, owner=name)
    except Exception as exc:  # ParameterError -> SpecError with the same message
        raise SpecError(str(exc)) from None
    return Step(name, params, tuple(k for k in params if k in given))  # canonical order: the spec's


@dataclass(frozen=True)
class Pipeline:
    """An ordered list of degradation steps.

    Build one with :meth:`parse` from text, or from :class:`Step` objects.
    """

    steps: tuple[Step, ...] = ()

    @classmethod
    def parse(cls, text: str) -> Pipeline:
        """Parse ``"step(k=v, ...) | step ..."``; an empty or blank string is the empty pipeline.

        Raises
        ------
        SpecError
            With a message naming the offending step.
        """
        if not isinstance(text, str):
            raise SpecError(f"a pipeline spec must be text, got {type(text).__name__}")
        if len(text) > 2000:
            raise SpecError("the pipeline spec is too long (over 2000 characters)")
        if not text.strip():
            return cls(())
        return cls(tuple(_parse_step(part) for part in _split_steps(text)))

    @property
    def scale(self) -> int:
        """Product of all downsampling factors."""
        s = 1
        for step in self.steps:
            if step.name == "downsample":
                s *= int(step.params["scale"])
        return s

    def to_text(self, full: bool = False) -> str:
        """Canonical text; with ``full`` every parameter is written out (good as a cache key)."""
        return " | ".join(step.to_text(full) for step in self.steps)

    def __str__(self) -> str:
        return self.to_text()

    def apply(self, image: np.ndarray, *, seed: int | None = 0) -> Observation:
        """Degrade a clean image.

        Parameters
        ----------
        image : numpy.ndarray
            Clean float32 image in [0, 1].
        seed : int or None
            Seed of the random steps; ``None`` draws fresh entropy (not reproducible).

        Returns
        -------
        Observation
            Degraded pixels, the (cropped) clean image, and the degradation's parameters.
        """
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
            raise SpecError(f"the seed must be a whole number >= 0, got {seed!r}")
        clean = modcrop(validate_image(image), self.scale)
        if clean.shape[0] < 1 or clean.shape[1] < 1:
            raise ImageValueError(f"the image is smaller than the total downsampling factor {self.scale}")
        state = _State(image=clean)
        children = np.random.SeedSequence(seed).spawn(len(self.steps))
        for step, child in zip(self.steps, children, strict=True):
            step.spec.apply(state, np.random.default_rng(child), dict(step.params))
        return Observation(
            degraded=np.ascontiguousarray(state.image, dtype=np.float32),
            clean=clean,
            kernel=state.kernel,
            scale=state.scale,
            mask=state.mask,
            sigma=float(math.sqrt(state.sigma2)),
            noise=tuple(dict.fromkeys(state.noise)),
            boundary=state.boundary,
            spec=self.to_text(),
            seed=seed,
            notes=state.notes,
        )


def degrade(image: np.ndarray, spec: str | Pipeline, *, seed: int | None = 0) -> Observation:
    """Apply a pipeline given as text (or a :class:`Pipeline`) to a clean image.

    Examples
    --------
    >>> import numpy as np
    >>> obs = degrade(np.full((32, 32), 0.5, np.float32), "downsample(scale=2) | gaussian_noise(sigma=10)")
    >>> obs.degraded.shape, obs.scale, obs.sigma, obs.task
    ((16, 16), 2, 10.0, 'combined')
    """
    pipeline = spec if isinstance(spec, Pipeline) else Pipeline.parse(spec)
    return pipeline.apply(image, seed=seed)


@dataclass(frozen=True)
class Preset:
    """A named, ready-made degradation for one task."""

    key: str
    label: str
    task: str
    spec: str
    description: str


PRESETS: dict[str, Preset] = {
    p.key: p
    for p in (
        Preset("noise25", "Gaussian noise, sigma 25", "denoise", "gaussian_noise(sigma=25)",
               "The standard denoising benchmark setting."),
        Preset("noise50", "Gaussian noise, sigma 50", "denoise", "gaussian_noise(sigma=50)",
               "Heavy noise: where classic filters break down."),
        Preset("poisson", "Low-light shot noise", "denoise", "poisson_noise(peak=20)",
               "Signal-dependent noise: dark areas are relatively noisier."),
        Preset("saltpepper", "Salt-and-pepper 10%", "denoise", "salt_pepper(amount=0.1)",
               "Impulse noise: the median filter's home ground."),
        Preset("jpeg", "JPEG quality 15", "denoise", "jpeg(quality=15)", "Blocking and ringing artefacts."),
        Preset("motion", "Motion blur + 1% noise", "deblur",
               "motion_blur(length=9, angle=30) | gaussian_noise(sigma=2.55)",
               "Camera shake of 9 pixels with a little sensor noise."),
        Preset("defocus", "Defocus blur", "deblur", "defocus_blur(radius=3) | gaussian_noise(sigma=1)",
               "An out-of-focus lens."),
        Preset("sr2", "Super-resolution x2", "sr", "downsample(scale=2)", "Bicubic downsampling by 2."),
        Preset("sr4", "Super-resolution x4", "sr", "downsample(scale=4)", "Bicubic downsampling by 4."),
        Preset("inpaint_random", "50% pixels missing", "inpaint", "random_mask(missing=0.5)",
               "Half of the pixels lost at random."),
        Preset("inpaint_text", "Text over the image", "inpaint", "text_mask(size=16)",
               "Remove a caption written over the picture."),
        Preset("inpaint_scribble", "Scribbles", "inpaint", "scribble_mask(strokes=8, width=6)",
               "Free-hand strokes over the image."),
        Preset("combined", "Survey: motion blur + x2 + noise", "combined",
               "motion_blur(length=9, angle=30) | downsample(scale=2) | gaussian_noise(sigma=10)",
               "The survey's main experiment: blur, downsampling and Gaussian noise at once."),
    )
}

