"""The home page's quick demo as plain Python: sample images, degrade, restore, measure.

Nothing here imports streamlit, so the logic is testable on its own; the page only
lays out what :func:`run_demo` returns. Sample images come from
:mod:`restoration.gallery` when that module is importable, and a synthetic test
pattern generated with NumPy is always available as well (so the demo works on a
bare checkout with no image files).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from types import ModuleType

import numpy as np
import pandas as pd

from restoration import (
    PRESETS,
    Observation,
    ParameterError,
    RestorationError,
    SpecError,
    degrade,
    get_algorithm,
    list_algorithms,
    psnr,
    run_algorithm,
    ssim,
)
from restoration.images import downscale_to_max_pixels, to_uint8, validate_image

__all__ = [
    "BASELINE",
    "COLUMNS",
    "DEMO_MAX_PIXELS",
    "SYNTHETIC_KEY",
    "DemoResult",
    "Sample",
    "list_samples",
    "load_sample",
    "run_demo",
    "synthetic_image",
    "to_display",
]

#: The baseline method every demo runs first: the degraded input itself.
BASELINE = "identity"
#: Columns of the demo's metric table, in display order.
COLUMNS: tuple[str, ...] = ("method", "PSNR (dB)", "SSIM", "seconds")
#: Sample images are shrunk to at most this many pixels so the demo stays quick.
DEMO_MAX_PIXELS = 256 * 256
#: Key of the generated test pattern (never clashes with a gallery key: it has a colon).
SYNTHETIC_KEY = "synthetic:shapes"
_SYNTHETIC_TITLE = "Synthetic test pattern (generated)"


@dataclass(frozen=True)
class Sample:
    """One entry of the sample-image picker.

    Attributes
    ----------
    key : str
        Identifier passed to :func:`load_sample`.
    title : str
        Display name.
    category : str
        Gallery category, or ``"synthetic"`` for the generated pattern.
    """

    key: str
    title: str
    category: str


@dataclass
class DemoResult:
    """Everything the quick demo produced.

    Attributes
    ----------
    observation : Observation
        The degraded image with its ground truth (``observation.clean``).
    preset : str
        Key of the degradation preset in :data:`restoration.PRESETS`.
    seed : int
        Seed of the degradation's random steps.
    restored : dict of str to numpy.ndarray
        Output of every method that ran, by registry name (the baseline included).
    table : pandas.DataFrame
        One row per method with the columns of :data:`COLUMNS`: the baseline first,
        then the other methods from best to worst PSNR.
    failures : dict of str to str
        Methods that refused the input, with the message of their error.
    """

    observation: Observation
    preset: str
    seed: int
    restored: dict[str, np.ndarray] = field(default_factory=dict)
    table: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(COLUMNS)))
    failures: dict[str, str] = field(default_factory=dict)

    @property
    def clean(self) -> np.ndarray:
        """The ground truth on the output grid."""
        assert self.observation.clean is not None  # run_demo always degrades a known image
        return self.observation.clean

    @property
    def degraded(self) -> np.ndarray:
        """The degraded input shown on the output grid (the baseline's output when it ran)."""
        if BASELINE in self.restored:
            return self.restored[BASELINE]
        return np.clip(self.observation.degraded, 0.0, 1.0)

    def best_method(self) -> str | None:
        """Name of the method (baseline excluded) with the highest PSNR, or None if none ran."""
        others = self.table[self.table["method"] != BASELINE]
        if others.empty or others["PSNR (dB)"].isna().all():
            return None
        return str(others.loc[others["PSNR (dB)"].idxmax(), "method"])


# --------------------------------------------------------------------------- samples
def _gallery() -> ModuleType | None:
    """The gallery module, or None while it does not exist (it is optional)."""
    try:
        from restoration import gallery  # type: ignore[attr-defined]
    except ImportError:
        return None
    return gallery


def list_samples() -> list[Sample]:
    """Sample images for the demo: the gallery's (if available), then the synthetic pattern.

    Returns
    -------
    list of Sample
        Never empty: the synthetic pattern is always the last entry.
    """
    samples: list[Sample] = []
    gallery = _gallery()
    if gallery is not None:
        for item in gallery.list_gallery():
            samples.append(Sample(str(item.key), str(item.title), str(item.category)))
    samples.append(Sample(SYNTHETIC_KEY, _SYNTHETIC_TITLE, "synthetic"))
    return samples


def load_sample(key: str, max_pixels: int | None = None) -> np.ndarray:
    """Load a sample image by key.

    Parameters
    ----------
    key : str
        A key from :func:`list_samples`.
    max_pixels : int or None
        Shrink larger images to at most this many pixels (aspect ratio kept);
        ``None`` keeps the full size.

    Returns
    -------
    numpy.ndarray
        float32 image in [0, 1], HxW or HxWx3.

    Raises
    ------
    RestorationError
        For an unknown key, or a gallery file that cannot be decoded.
    """
    if key == SYNTHETIC_KEY:
        image = synthetic_image()
    else:
        gallery = _gallery()
        if gallery is None or key not in {s.key for s in list_samples()}:
            raise RestorationError(f"unknown sample image {key!r}")
        image = validate_image(gallery.load_gallery_image(key), name=f"sample image {key!r}")
    if max_pixels is not None:
        image = downscale_to_max_pixels(image, max_pixels)
    return image


def synthetic_image(size: int = 256) -> np.ndarray:
    """A colour test pattern: smooth gradient, sharp shapes and a band of fine stripes.

    It has something for every degradation: flat areas show noise, edges show blur
    and ringing, and the stripes show aliasing and lost detail. Shapes are
    anti-aliased by 4x supersampling. Deterministic (no randomness).

    Parameters
    ----------
    size : int
        Height and width in pixels (at least 16).

    Returns
    -------
    numpy.ndarray
        float32 RGB image of shape ``(size, size, 3)`` in [0, 1].
    """
    if size < 16:
        raise ParameterError(f"the synthetic image needs a size of at least 16, got {size}")
    ss = 4
    n = size * ss
    coords = (np.arange(n, dtype=np.float64) + 0.5) / n
    y, x = np.meshgrid(coords, coords, indexing="ij")
    img = np.stack([0.15 + 0.6 * x, 0.15 + 0.6 * y, 0.75 - 0.5 * (x + y) / 2], axis=-1)

    def paint(region: np.ndarray, colour: tuple[float, float, float]) -> None:
        img[region] = colour

    paint((x - 0.32) ** 2 + (y - 0.32) ** 2 < 0.17**2, (0.95, 0.80, 0.20))  # disk
    paint((np.abs(x - 0.72) < 0.13) & (np.abs(y - 0.30) < 0.13), (0.15, 0.30, 0.75))  # square
    paint((y > 0.50) & (y < 0.72) & (np.abs(x - 0.50) < (y - 0.50) * 0.9), (0.80, 0.20, 0.25))  # triangle
    ring = np.hypot(x - 0.80, y - 0.62)
    paint((ring > 0.06) & (ring < 0.10), (0.10, 0.10, 0.10))  # thin ring
    band = y > 0.80  # stripes whose frequency rises from left to right (a chirp)
    stripes = 0.5 + 0.4 * np.sin(2 * math.pi * (4 + 28 * x) * x)
    img[band] = np.repeat(stripes[band][:, None], 3, axis=1)
    small = img.reshape(size, ss, size, ss, 3).mean(axis=(1, 3))
    return np.clip(small, 0.0, 1.0).astype(np.float32)


# --------------------------------------------------------------------------- the demo
def _methods_for(observation: Observation, methods: list[str] | None) -> list[str]:
    names = [s.name for s in list_algorithms(observation.task)] if methods is None else list(methods)
    for name in names:
        get_algorithm(name)  # UnknownMethodError for a typo, before anything runs
    return [BASELINE, *(n for n in names if n != BASELINE)]


def run_demo(
    image: np.ndarray,
    preset: str,
    seed: int = 0,
    *,
    methods: list[str] | None = None,
    max_pixels: int | None = DEMO_MAX_PIXELS,
) -> DemoResult:
    """Degrade ``image`` with a preset, restore it with every fitting method, and measure.

    The baseline (:data:`BASELINE`, the degraded input) always runs first. A method
    that refuses the input with a :class:`~restoration.RestorationError` is listed in
    ``failures`` instead of stopping the demo; any other exception is a bug and
    propagates.

    Parameters
    ----------
    image : numpy.ndarray
        Clean float32 image in [0, 1] (HxW or HxWx3).
    preset : str
        A key of :data:`restoration.PRESETS`, e.g. ``"noise25"``.
    seed : int
        Non-negative seed of the degradation (and of randomised methods).
    methods : list of str, optional
        Methods to run; default: every registered method that solves the
        observation's task (``restoration.list_algorithms(observation.task)``).
    max_pixels : int or None
        Shrink larger images to this many pixels first (keeps the demo quick);
        ``None`` keeps the full size.

    Returns
    -------
    DemoResult
        Images, the metric table and any per-method failures.

    Raises
    ------
    RestorationError
        For a bad image, an unknown preset or method, or a negative seed.
    """
    if preset not in PRESETS:
        raise SpecError(f"unknown degradation preset {preset!r} (known: {', '.join(PRESETS)})")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ParameterError(f"the seed must be a whole number >= 0, got {seed!r}")
    clean = validate_image(image, name="sample image")
    if max_pixels is not None:
        clean = downscale_to_max_pixels(clean, max_pixels)
    observation = degrade(clean, PRESETS[preset].spec, seed=int(seed))
    assert observation.clean is not None
    result = DemoResult(observation=observation, preset=preset, seed=int(seed))
    rows: list[dict[str, object]] = []
    for name in _methods_for(observation, methods):
        start = time.perf_counter()
        try:
            restored = run_algorithm(name, observation, seed=int(seed))
        except RestorationError as exc:
            result.failures[name] = str(exc)
            continue
        seconds = time.perf_counter() - start
        result.restored[name] = restored
        rows.append({
            "method": name,
            "PSNR (dB)": psnr(observation.clean, restored),
            "SSIM": ssim(observation.clean, restored),
            "seconds": seconds,
        })
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    if not table.empty:
        is_base = table["method"] == BASELINE
        table = pd.concat([
            table[is_base], table[~is_base].sort_values("PSNR (dB)", ascending=False, kind="stable")
        ]).reset_index(drop=True)
    result.table = table
    return result


def to_display(image: np.ndarray) -> np.ndarray:
    """Round a float [0, 1] image to uint8 for display (values outside [0, 1] are clipped).

    Parameters
    ----------
    image : numpy.ndarray
        HxW or HxWx3 float image.

    Returns
    -------
    numpy.ndarray
        uint8 array of the same shape.
    """
    return to_uint8(image)
