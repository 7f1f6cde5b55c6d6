"""The home page's quick demo as plain Python: sample images, degrade, restore, measure.

Nothing here imports streamlit, so the logic is testable on its own; the page only
lays out what :func:`run_demo` returns. :func:`run_demo` reports each method as it finishes
(a :class:`DemoStep` to an ``on_progress`` callback) and can keep its results in a
:class:`DemoCache`, a bounded cache keyed by everything that changes them
(:func:`demo_key`), so that a rerun with the same inputs is served at once. Sample images come from
:mod:`restoration.gallery` when that module is importable, and a synthetic test
pattern generated with NumPy is always available as well (so the demo works on a
bare checkout with no image files).
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import ModuleType
from typing import Any

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
from restoration.budget import split_by_budget
from restoration.images import downscale_to_max_pixels, to_uint8, validate_image

__all__ = [
    "BASELINE",
    "COLUMNS",
    "DEMO_CACHE",
    "DEMO_MAX_PIXELS",
    "SYNTHETIC_KEY",
    "DemoCache",
    "DemoResult",
    "DemoStep",
    "ProgressCallback",
    "Sample",
    "demo_key",
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
    held_back : dict of str to str
        Methods left out because they would take longer than the time budget on this image, with a
        sentence saying how long and what to do (only when :func:`run_demo` chose the methods).
    from_cache : bool
        True when :func:`run_demo` served the result from a :class:`DemoCache` instead of
        running (the ``seconds`` column then holds the times of the run that filled the cache).
    """

    observation: Observation
    preset: str
    seed: int
    restored: dict[str, np.ndarray] = field(default_factory=dict)
    table: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(COLUMNS)))
    failures: dict[str, str] = field(default_factory=dict)
    held_back: dict[str, str] = field(default_factory=dict)
    from_cache: bool = False

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


@dataclass(frozen=True)
class DemoStep:
    """Where a running demo stands, as reported to ``run_demo``'s ``on_progress`` after each method.

    Attributes
    ----------
    done : int
        Methods finished so far (those that failed included).
    total : int
        Methods to run, the baseline included.
    method : str or None
        The method that just finished; None for the first report, sent before any method runs.
    next : str or None
        The method that runs next; None after the last one.
    psnr : float
        PSNR of ``method``'s output in dB (NaN when it failed, or for the first report).
    seconds : float
        Run time of ``method`` (NaN when it failed, or for the first report).
    error : str or None
        The message of ``method``'s error when it refused the input.
    """

    done: int
    total: int
    method: str | None
    next: str | None
    psnr: float = math.nan
    seconds: float = math.nan
    error: str | None = None


#: Signature of ``run_demo``'s ``on_progress``: called with one :class:`DemoStep` before the first method and
#: after every method.
ProgressCallback = Callable[[DemoStep], None]


# --------------------------------------------------------------------------- cache
def demo_key(
    image: np.ndarray,
    preset: str,
    seed: int,
    methods: Sequence[str] | None,
    params: Mapping[str, Mapping[str, Any]] | None,
    max_pixels: int | None,
) -> str:
    """The key of one demo run: a digest of everything that changes its result.

    Parameters
    ----------
    image : numpy.ndarray
        The clean image as :func:`run_demo` validated it (pixels, shape and dtype are hashed).
    preset : str
        The preset key; its pipeline text is part of the key too, so a changed preset never serves
        an old result.
    seed : int
        Seed of the degradation and of randomised methods.
    methods : sequence of str or None
        The methods asked for (None: every method of the task), in order.
    params : mapping or None
        Parameters per method.
    max_pixels : int or None
        The working size.

    Returns
    -------
    str
        A SHA-256 hex digest.
    """
    pixels = hashlib.sha256(np.ascontiguousarray(image).tobytes()).hexdigest()
    preset_spec = PRESETS[preset].spec if preset in PRESETS else None
    described = {
        "image": [pixels, list(image.shape), str(image.dtype)], "preset": [preset, preset_spec], "seed": int(seed),
        "methods": None if methods is None else list(methods),
        "params": None if params is None else {str(k): dict(v) for k, v in params.items()},
        "max_pixels": max_pixels,
    }
    text = json.dumps(described, sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()


def _nbytes(result: DemoResult) -> int:
    """Bytes of the arrays a result holds (what a cache entry costs)."""
    obs = result.observation
    arrays = [*result.restored.values(), obs.degraded, obs.clean, obs.kernel, obs.mask]
    return sum(a.nbytes for a in arrays if isinstance(a, np.ndarray))


class DemoCache:
    """A bounded cache of demo results, least recently used first out; safe to share between threads.

    Like ``st.cache_data``, it hands out copies: a caller may change what it gets without changing
    what a later caller gets.

    Parameters
    ----------
    max_entries : int
        At most this many results are kept.
    max_bytes : int
        At most this many bytes of arrays in all; a result larger than this is not kept.
    """

    def __init__(self, max_entries: int = 8, max_bytes: int = 256 * 2**20) -> None:
        if max_entries < 1 or max_bytes < 1:
            raise ParameterError(f"a demo cache needs room for an entry, got {max_entries} entries, {max_bytes} bytes")
        self.max_entries = int(max_entries)
        self.max_bytes = int(max_bytes)
        self._entries: OrderedDict[str, tuple[DemoResult, int]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    @property
    def nbytes(self) -> int:
        """Bytes held now."""
        with self._lock:
            return sum(size for _, size in self._entries.values())

    def get(self, key: str) -> DemoResult | None:
        """A copy of the result kept under ``key`` (marked ``from_cache``), or None.

        Parameters
        ----------
        key : str
            A :func:`demo_key`.

        Returns
        -------
        DemoResult or None
        """
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
        return replace(copy.deepcopy(entry[0]), from_cache=True)

    def put(self, key: str, result: DemoResult) -> None:
        """Keep a copy of ``result`` under ``key``, dropping the least recently used results to stay in bounds.

        Parameters
        ----------
        key : str
            A :func:`demo_key`.
        result : DemoResult
            The result to keep.
        """
        size = _nbytes(result)
        if size > self.max_bytes:
            return
        kept = replace(copy.deepcopy(result), from_cache=False)
        with self._lock:
            self._entries.pop(key, None)
            self._entries[key] = (kept, size)
            total = sum(s for _, s in self._entries.values())
            while len(self._entries) > self.max_entries or total > self.max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                total -= dropped

    def clear(self) -> None:
        """Forget every result."""
        with self._lock:
            self._entries.clear()


#: The demo's shared cache (the home page's): eight results at most.
DEMO_CACHE = DemoCache()


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
#: Seconds per method the quick demo allows (estimated on this machine): a demo, not a benchmark.
QUICK_BUDGET_S = 10.0


def _methods_for(observation: Observation, methods: list[str] | None) -> tuple[list[str], dict[str, str]]:
    """The methods to run, and those held back by the time budget with the reason (only when none were named)."""
    held: dict[str, str] = {}
    if methods is None:  # a quick demo: every method of the task that fits the time budget on this image
        candidates = list_algorithms(observation.task)
        held = {s.name: f"{s.title} trains a network on the image itself: try it on the Restore page."
                for s in candidates if s.family == "selfsup"}
        fits, slow = split_by_budget([s for s in candidates if s.name not in held], observation.output_shape,
                                     budget=QUICK_BUDGET_S)
        names = [e.method for e in fits]
        held |= {e.method: e.message("Run it on the Restore page, on a crop or a smaller image.") for e in slow}
    else:
        names = list(methods)
    for name in names:
        get_algorithm(name)  # UnknownMethodError for a typo, before anything runs
    return [BASELINE, *(n for n in names if n != BASELINE)], held


def _check_params(params: object) -> dict[str, Mapping[str, Any]] | None:
    """``params`` as a dict of method name to mapping, or a ParameterError."""
    if params is None:
        return None
    if not isinstance(params, Mapping) or not all(isinstance(v, Mapping) for v in params.values()):
        raise ParameterError("params must map method names to mappings of parameter values")
    return {str(k): v for k, v in params.items()}


def run_demo(
    image: np.ndarray,
    preset: str,
    seed: int = 0,
    *,
    methods: list[str] | None = None,
    params: Mapping[str, Mapping[str, Any]] | None = None,
    max_pixels: int | None = DEMO_MAX_PIXELS,
    on_progress: ProgressCallback | None = None,
    cache: DemoCache | None = None,
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
        observation's task (``restoration.list_algorithms(observation.task)``) and should take at
        most :data:`QUICK_BUDGET_S` seconds on this image (:func:`restoration.budget.split_by_budget`),
        except the self-supervised ones, which train a network per image; the others are listed in
        ``held_back`` with the reason.
    params : mapping of str to mapping, optional
        Parameter values per method name (e.g. ``{"median": {"size": 5}}``); methods not named
        take their defaults. A bad value makes that method fail (see ``failures``).
    max_pixels : int or None
        Shrink larger images to this many pixels first (keeps the demo quick);
        ``None`` keeps the full size.
    on_progress : callable, optional
        Called with a :class:`DemoStep` before the first method and after each method
        (not at all when the result comes from ``cache``).
    cache : DemoCache, optional
        Where to look the result up first (by :func:`demo_key` of image, preset, seed, methods,
        params and ``max_pixels``) and to keep it afterwards; a hit returns a copy with
        ``from_cache=True`` and runs nothing.

    Returns
    -------
    DemoResult
        Images, the metric table and any per-method failures.

    Raises
    ------
    RestorationError
        For a bad image, an unknown preset or method, bad ``params`` or a negative seed.
    """
    if preset not in PRESETS:
        raise SpecError(f"unknown degradation preset {preset!r} (known: {', '.join(PRESETS)})")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ParameterError(f"the seed must be a whole number >= 0, got {seed!r}")
    given = _check_params(params)
    clean = validate_image(image, name="sample image")
    key = None
    if cache is not None:
        key = demo_key(clean, preset, int(seed), methods, given, max_pixels)
        hit = cache.get(key)
        if hit is not None:
            return hit
    if max_pixels is not None:
        clean = downscale_to_max_pixels(clean, max_pixels)
    observation = degrade(clean, PRESETS[preset].spec, seed=int(seed))
    assert observation.clean is not None
    result = DemoResult(observation=observation, preset=preset, seed=int(seed))
    rows: list[dict[str, object]] = []
    names, held_back = _methods_for(observation, methods)
    result.held_back.update(held_back)
    if on_progress is not None:
        on_progress(DemoStep(done=0, total=len(names), method=None, next=names[0]))
    for done, name in enumerate(names, start=1):
        following = names[done] if done < len(names) else None
        start = time.perf_counter()
        try:
            restored = run_algorithm(name, observation, (given or {}).get(name), seed=int(seed))
        except RestorationError as exc:
            result.failures[name] = str(exc)
            if on_progress is not None:
                on_progress(DemoStep(done=done, total=len(names), method=name, next=following, error=str(exc)))
            continue
        seconds = time.perf_counter() - start
        result.restored[name] = restored
        row = {
            "method": name,
            "PSNR (dB)": psnr(observation.clean, restored),
            "SSIM": ssim(observation.clean, restored),
            "seconds": seconds,
        }
        rows.append(row)
        if on_progress is not None:
            on_progress(DemoStep(done=done, total=len(names), method=name, next=following,
                                 psnr=float(row["PSNR (dB)"]), seconds=seconds))
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    if not table.empty:
        is_base = table["method"] == BASELINE
        table = pd.concat([
            table[is_base], table[~is_base].sort_values("PSNR (dB)", ascending=False, kind="stable")
        ]).reset_index(drop=True)
    result.table = table
    if cache is not None and key is not None:
        cache.put(key, result)
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
