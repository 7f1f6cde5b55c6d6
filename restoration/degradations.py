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
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .errors import ImageValueError, SpecError
from .images import validate_image
from .observation import STEP_KINDS, TASKS, Observation, task_for
from .ops import (
    blur,
    box_kernel,
    disk_kernel,
    fft_convolve,
    gaussian_kernel,
    imresize,
    modcrop,
    motion_kernel,
    normalise_kernel,
)
from .params import ParamSpec, resolve_params

__all__ = [
    "PRESETS",
    "STEPS",
    "STEP_KINDS",
    "TASKS",
    "Observation",
    "Pipeline",
    "Preset",
    "Step",
    "StepSpec",
    "add_camera_noise",
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
    "task_for",
    "text_mask",
]



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


def add_camera_noise(
    image: np.ndarray, gain: float, read: float, *, rng: np.random.Generator, quality: int = 0
) -> np.ndarray:
    """Camera sensor noise: signal-dependent shot noise plus read noise, then optional JPEG, as a phone saves it.

    ``y = x + sqrt(gain * x + (read / 255)^2) * n`` with ``n`` standard normal (the Poisson-Gaussian model of raw
    sensor data, Foi et al., IEEE TIP 17(10), 2008, in its Gaussian approximation), clipped to [0, 1] like a saved
    photo; bright areas get more noise than dark ones. With ``quality`` > 0 the result is JPEG-compressed, which
    smears the noise over 8x8 blocks (the noise is then no longer independent from pixel to pixel).

    Parameters
    ----------
    image : numpy.ndarray
        Clean image in [0, 1].
    gain : float
        Shot-noise variance per unit of intensity (0.01: standard deviation 0.1 = 25/255 at white).
    read : float
        Standard deviation of the signal-independent read noise, on the 0-255 scale.
    rng : numpy.random.Generator
        The noise's random stream.
    quality : int
        JPEG quality 1-100, or 0 for none.

    Returns
    -------
    numpy.ndarray
        float32 noisy image in [0, 1].
    """
    x = np.clip(np.asarray(image, dtype=np.float64), 0.0, 1.0)
    std = np.sqrt(gain * x + (read / 255.0) ** 2)
    noisy = np.clip(x + std * rng.standard_normal(x.shape), 0.0, 1.0).astype(np.float32)
    return jpeg_compress(noisy, int(quality)) if quality else noisy


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
        state.kernel = fft_convolve(state.kernel.astype(np.float64), kernel.astype(np.float64), valid=False)
        state.kernel = normalise_kernel(np.clip(state.kernel, 0.0, None))
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


def _camera_noise(state: _State, rng: np.random.Generator, p: dict[str, Any]) -> None:
    state.image = add_camera_noise(state.image, p["gain"], p["read"], rng=rng, quality=p["jpeg"])
    state.noise.append("camera")
    if p["jpeg"]:
        state.noise.append("jpeg")


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
            "camera_noise", "noise",
            (
                ParamSpec("gain", "float", 0.004, 0.0, 0.1, 0.001,
                          help="Shot-noise variance per unit of brightness: bright areas get sqrt(gain) of noise "
                               "(0.004: about 16/255 at white). Larger is a smaller sensor or darker scene."),
                ParamSpec("read", "float", 3.0, 0.0, 50.0, 0.5,
                          help="Read noise (0-255 scale), the same in dark and bright areas."),
                ParamSpec("jpeg", "int", 0, 0, 100, 5,
                          help="JPEG quality of the saved photo, 0 for none (it smears the noise into blocks)."),
            ),
            "Realistic camera noise: signal-dependent shot noise plus read noise, optionally saved as JPEG.",
            _camera_noise,
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

    @property
    def kinds(self) -> frozenset[str]:
        """The kinds of degradation the pipeline applies (a subset of :data:`STEP_KINDS`).

        Found by applying it to a small flat image, so that a step that does nothing (``gaussian_noise(sigma=0)``,
        ``gaussian_blur(sigma=0)``, ``downsample(scale=1)``) does not count.
        """
        side = max(32, 2 * self.scale)
        return self.apply(np.full((side, side), 0.5, np.float32), seed=0).kinds

    @property
    def task(self) -> str:
        """The restoration task the pipeline poses (:func:`~restoration.observation.task_for` of its kinds)."""
        return task_for(self.kinds)

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
        Preset("camera", "Phone camera noise (JPEG)", "denoise", "camera_noise(gain=0.01, read=4, jpeg=90)",
               "Signal-dependent sensor noise saved as JPEG: not the Gaussian noise networks are trained on."),
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

