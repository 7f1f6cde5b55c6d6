"""Regenerate every file in ``assets/gallery/``: the bundled, categorised sample images.

Run from anywhere::

    python scripts/build_gallery.py            # rebuild everything into assets/gallery/
    python scripts/build_gallery.py --only mountain_lake report_page
    python scripts/build_gallery.py --out /tmp/gallery

Two kinds of image go into the gallery:

* **package images** -- photographs that installed Python packages ship under public-domain or
  CC0 terms (scikit-image's ``skimage/data``; matplotlib's ``mpl-data/sample_data``). They are
  copied, resized to at most 512 px on the longest side with Pillow's LANCZOS filter and saved
  as PNG. matplotlib is *not* a dependency of the app: when it is not installed, the images
  derived from it are kept as they are in the output folder (install it to rebuild them).
* **generated images** -- scenes this script renders itself (landscapes, streets, rooms, text
  documents). Every generator takes a seed and uses only that seed's random generator, so the
  same seed gives the same pixels. Scenes are rendered at ``SUPERSAMPLE`` times the final size
  and shrunk with LANCZOS, which gives them anti-aliased edges like a camera's.

The script also writes ``manifest.json`` (read by :mod:`restoration.gallery`) and ``LICENSES.md``.
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import json
import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from scipy import ndimage
from scipy.spatial import cKDTree

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "assets" / "gallery"

#: Longest side of every gallery image, in pixels.
MAX_SIDE = 512
#: Generated scenes are drawn at this multiple of their final size, then shrunk (anti-aliasing).
SUPERSAMPLE = 3

CATEGORIES = ("natural landscape", "urban scene", "portrait", "text document", "indoor")


# --------------------------------------------------------------------------------------------
# Small numeric helpers
# --------------------------------------------------------------------------------------------


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def _normalise(a: np.ndarray) -> np.ndarray:
    lo, hi = float(a.min()), float(a.max())
    return (a - lo) / (hi - lo) if hi > lo else np.zeros_like(a)


def spectral_noise(
    shape: tuple[int, int], rng: np.random.Generator, beta: float = 2.0, *, stretch: tuple[float, float] = (1.0, 1.0)
) -> np.ndarray:
    """Periodic fractal noise with a ``1/f**beta`` power spectrum, normalised to [0, 1].

    Parameters
    ----------
    shape : (int, int)
        Output shape ``(h, w)``.
    rng : numpy.random.Generator
        Source of randomness (the only one used).
    beta : float
        Spectral exponent: 1 is rough, 2 is cloud-like, 3 and more is smooth and hilly.
    stretch : (float, float)
        Frequency scaling along (y, x); a larger value makes features shorter along that axis.
    """
    h, w = shape
    fy = np.fft.fftfreq(h)[:, None] * stretch[0]
    fx = np.fft.rfftfreq(w)[None, :] * stretch[1]
    f = np.sqrt(fx * fx + fy * fy)
    f[0, 0] = 1.0
    amp = f ** (-beta / 2.0)
    amp[0, 0] = 0.0
    spec = amp * (rng.standard_normal(amp.shape) + 1j * rng.standard_normal(amp.shape))
    return _normalise(np.fft.irfft2(spec, s=(h, w)))


def fbm_1d(n: int, rng: np.random.Generator, beta: float = 2.0) -> np.ndarray:
    """1-D fractal profile (``1/f**beta`` spectrum) of length ``n``, normalised to [0, 1]."""
    m = 2 * n  # generate twice as long and keep half, so the ends need not match
    f = np.fft.rfftfreq(m)
    f[0] = 1.0
    amp = f ** (-beta / 2.0)
    amp[0] = 0.0
    spec = amp * (rng.standard_normal(amp.shape) + 1j * rng.standard_normal(amp.shape))
    return _normalise(np.fft.irfft(spec, n=m)[:n])


def _zoom01(a: np.ndarray, factor: int) -> np.ndarray:
    """Cubic-spline upsampling of a [0, 1] field, clipped back to [0, 1]."""
    return np.clip(ndimage.zoom(a, factor, order=3, mode="grid-wrap"), 0.0, 1.0)


def _lerp(a: np.ndarray | float, b: np.ndarray | float, t: np.ndarray | float) -> np.ndarray:
    return np.asarray(a) + (np.asarray(b) - np.asarray(a)) * t


def _smoothstep(e0: float, e1: float, x: np.ndarray) -> np.ndarray:
    t = np.clip((x - e0) / (e1 - e0), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def _rgb(*c: float) -> np.ndarray:
    return np.array(c, dtype=np.float64)


def _vgradient(h: int, w: int, stops: Sequence[tuple[float, Sequence[float]]]) -> np.ndarray:
    """Vertical colour gradient through ``(position, rgb)`` stops (positions 0 = top, 1 = bottom)."""
    t = (np.arange(h) + 0.5) / h
    pos = np.array([p for p, _ in stops])
    cols = np.array([c for _, c in stops], dtype=np.float64)
    out = np.stack([np.interp(t, pos, cols[:, k]) for k in range(3)], axis=-1)
    return np.broadcast_to(out[:, None, :], (h, w, 3)).copy()


def to_image(arr: np.ndarray) -> Image.Image:
    """Float [0, 1] array (HxW or HxWx3) -> 8-bit Pillow image (L or RGB)."""
    return Image.fromarray((np.clip(arr, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8))


def to_float(im: Image.Image) -> np.ndarray:
    return np.asarray(im, dtype=np.float64) / 255.0


def shrink(arr_or_im: np.ndarray | Image.Image, size: tuple[int, int]) -> Image.Image:
    """Resize to ``size`` (width, height) with LANCZOS."""
    im = arr_or_im if isinstance(arr_or_im, Image.Image) else to_image(arr_or_im)
    return im.resize(size, Image.Resampling.LANCZOS)


def fit_longest_side(im: Image.Image, max_side: int = MAX_SIDE) -> Image.Image:
    """Shrink ``im`` (LANCZOS, aspect kept) so that its longest side is at most ``max_side``."""
    w, h = im.size
    if max(w, h) <= max_side:
        return im
    factor = max_side / max(w, h)
    return im.resize((max(1, round(w * factor)), max(1, round(h * factor))), Image.Resampling.LANCZOS)


def _grain(arr: np.ndarray, rng: np.random.Generator, sigma: float) -> np.ndarray:
    """Add a little sensor-like grain (so that flat areas are not perfectly flat)."""
    return np.clip(arr + rng.normal(0.0, sigma, arr.shape), 0.0, 1.0)


def _font(size: int) -> ImageFont.FreeTypeFont:
    font = ImageFont.load_default(size=size)
    if not isinstance(font, ImageFont.FreeTypeFont):  # pragma: no cover - Pillow built without FreeType
        raise RuntimeError("Pillow needs FreeType support to render the gallery's text")
    return font


# --------------------------------------------------------------------------------------------
# Package images
# --------------------------------------------------------------------------------------------


def package_dir(package: str) -> Path | None:
    """Folder of an installed top-level package, found without importing it (None if absent)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _package_file(package: str, *parts: str) -> Path:
    base = package_dir(package)
    if base is None:
        raise MissingSourceError(f"{package} is not installed (pip install {package} to rebuild this image)")
    path = base.joinpath(*parts)
    if not path.is_file():
        raise MissingSourceError(f"{path} does not exist in the installed {package}")
    return path


class MissingSourceError(RuntimeError):
    """A package image's source package is not installed."""


def copy_package_image(package: str, *parts: str, gray: bool) -> Image.Image:
    """Open a data file shipped by ``package``, keep gray as L and colour as RGB, fit to MAX_SIDE."""
    with Image.open(_package_file(package, *parts)) as im:
        im.load()
        im = im.convert("L" if gray else "RGB")
    return fit_longest_side(im)


# --------------------------------------------------------------------------------------------
# Sky and clouds (shared by the outdoor scenes)
# --------------------------------------------------------------------------------------------


def sky(
    h: int,
    w: int,
    horizon: float,
    rng: np.random.Generator,
    *,
    top: Sequence[float],
    low: Sequence[float],
    cloud_cover: float = 0.5,
    sun: tuple[float, float] | None = None,
    sun_colour: Sequence[float] = (1.0, 0.95, 0.85),
) -> np.ndarray:
    """A sky gradient with perspective clouds (a noise texture on a plane seen from below).

    Parameters
    ----------
    h, w : int
        Canvas size.
    horizon : float
        Row of the horizon (may be below the canvas, for skies that fill an upper band).
    top, low : rgb
        Colour at the top of the canvas and at the horizon.
    cloud_cover : float
        0 (clear) .. 1 (overcast).
    sun : (x, y) or None
        Sun position in pixels, for a warm glow around it.
    """
    rows = np.arange(h, dtype=np.float64)[:, None]
    cols = np.arange(w, dtype=np.float64)[None, :]
    t = np.clip((horizon - rows) / max(horizon, 1.0), 0.0, 1.0)  # 1 at the top, 0 at the horizon
    base = _lerp(np.asarray(low), np.asarray(top), (t**0.6)[..., None])
    base = np.broadcast_to(base, (h, w, 3)).copy()
    if sun is not None:
        d = np.hypot(cols - sun[0], rows - sun[1]) / w
        glow = np.exp(-d / 0.12)[..., None] * 0.55 + np.exp(-d / 0.02)[..., None] * 0.6
        base = base + glow * (np.asarray(sun_colour) - base * 0.5)
    if cloud_cover > 0:
        tex_n = 512
        tex = spectral_noise((tex_n, tex_n), rng, beta=2.6, stretch=(1.0, 0.45))
        detail = spectral_noise((tex_n, tex_n), rng, beta=1.6)
        tex = 0.8 * tex + 0.2 * detail
        # plane at unit height above the eye: a row at elevation angle a sees distance 1/tan(a)
        elev = np.maximum(horizon - rows, 0.5) / w
        depth = 1.0 / elev
        u = (cols - w / 2.0) / w * depth * 60.0 + 137.0
        v = depth * 30.0
        uu, vv = np.broadcast_arrays(u, v)
        c = ndimage.map_coordinates(tex, [vv.ravel(), uu.ravel()], order=1, mode="wrap").reshape(h, w)
        thresh = 1.0 - cloud_cover
        dens = _smoothstep(thresh - 0.05, thresh + 0.25, c)
        dens *= _smoothstep(0.0, 0.12, (horizon - rows) / max(horizon, 1.0)) * 0.85 + 0.15
        shade = 0.78 + 0.22 * _smoothstep(0.3, 0.9, c)  # thicker cloud: brighter tops, greyer bases
        cloud_col = np.stack([0.97 * shade, 0.97 * shade, 0.99 * shade], axis=-1)
        cloud_col = _lerp(cloud_col, np.asarray(low), (1.0 - t[..., None]) * 0.5)
        base = _lerp(base, cloud_col, dens[..., None])
    return np.clip(base, 0.0, 1.0)


# --------------------------------------------------------------------------------------------
# Terrain rendering (a vectorised "voxel space" ray caster)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Camera:
    """A pin-hole camera above a height field (grid units; x = column, y = row of the field)."""

    x: float
    y: float
    height: float
    yaw: float  # radians; 0 looks along +row (increasing y)
    fov: float  # width of the view at unit distance
    horizon: float  # screen row of the horizon, as a fraction of the image height
    near: float
    far: float
    steps: int


def cast_terrain(
    heights: np.ndarray, cam: Camera, size: tuple[int, int], *, cut: float | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ray-cast a height field: for every pixel of a ``size = (w, h)`` view, the field point it sees.

    Every screen column marches away from the camera in geometric steps; a sample at distance
    ``z`` with terrain height ``t`` covers the screen rows below ``horizon + (cam.height - t) / z *
    focal``. The first (nearest) sample that covers a pixel is the one seen there (a vectorised
    form of the classic "voxel space" renderer).

    With ``cut``, only the part of the terrain above the plane ``height = cut`` exists: a sample
    covers the rows between its top and the plane. A mirror camera below a lake uses this to see
    the reflection of what stands above the water; each of its rays starts where it crosses the
    plane (its reflection point), found with a sparse table of range minima.

    Returns
    -------
    rows, cols : numpy.ndarray
        Field coordinates (float, HxW) of the point seen at each pixel.
    dist : numpy.ndarray
        Its distance from the camera; ``inf`` where the ray reaches the sky.
    """
    w, h = size
    focal = w / cam.fov
    horizon = cam.horizon * h
    zs = cam.near * (cam.far / cam.near) ** (np.arange(cam.steps) / (cam.steps - 1))
    xs = ((np.arange(w) + 0.5) / w - 0.5) * cam.fov
    fwd = np.array([math.sin(cam.yaw), math.cos(cam.yaw)])  # (dx, dy)
    right = np.array([math.cos(cam.yaw), -math.sin(cam.yaw)])
    px = cam.x + zs[:, None] * (fwd[0] + xs[None, :] * right[0])
    py = cam.y + zs[:, None] * (fwd[1] + xs[None, :] * right[1])
    tz = ndimage.map_coordinates(heights, [py.ravel(), px.ravel()], order=1, mode="nearest").reshape(px.shape)
    top = horizon + (cam.height - tz) / zs[:, None] * focal
    centres = np.arange(h) + 0.5
    if cut is None:
        cover = np.minimum.accumulate(top, axis=0)
        idx = np.empty((h, w), dtype=np.int64)
        for c in range(w):
            idx[:, c] = np.searchsorted(-cover[:, c], -centres, side="left")
    else:
        top = np.where(tz < cut, np.inf, top).astype(np.float32)
        # row r can only be covered by samples beyond the point where its ray crosses the plane
        bottom = horizon + (cam.height - cut) / zs * focal
        start = np.searchsorted(bottom, centres, side="left") if cam.height < cut else np.zeros(h, np.int64)
        tables = [top]
        while 2 ** len(tables) <= cam.steps:
            prev, span = tables[-1], 2 ** (len(tables) - 1)
            nxt = prev.copy()
            nxt[:-span] = np.minimum(prev[:-span], prev[span:])
            tables.append(nxt)
        pos = np.broadcast_to(start[:, None], (h, w)).copy()
        col_i = np.broadcast_to(np.arange(w)[None, :], (h, w))
        thresh = centres[:, None].astype(np.float32)
        for j in range(len(tables) - 1, -1, -1):
            span = 2**j
            ok = pos + span <= cam.steps
            block_min = tables[j][np.minimum(pos, cam.steps - 1), col_i]
            pos = np.where(ok & (block_min > thresh), pos + span, pos)
        found = (pos < cam.steps) & (top[np.minimum(pos, cam.steps - 1), col_i] <= thresh)
        idx = np.where(found, pos, cam.steps)
    hit = idx < cam.steps
    k = np.minimum(idx, cam.steps - 1)
    cols_i = np.broadcast_to(np.arange(w)[None, :], (h, w))
    return py[k, cols_i], px[k, cols_i], np.where(hit, zs[k], np.inf)


def sample_field(field: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Bilinear samples of a 2-D (or HxWxC) field at float coordinates."""
    coords = [rows.ravel(), cols.ravel()]
    if field.ndim == 2:
        return ndimage.map_coordinates(field, coords, order=1, mode="nearest").reshape(rows.shape)
    return np.stack(
        [
            ndimage.map_coordinates(field[..., c], coords, order=1, mode="nearest").reshape(rows.shape)
            for c in range(field.shape[2])
        ],
        axis=-1,
    )


def render_terrain(
    heights: np.ndarray,
    colours: np.ndarray,
    cam: Camera,
    size: tuple[int, int],
    sky_img: np.ndarray,
    haze: Sequence[float],
    haze_dist: float,
    *,
    cut: float | None = None,
    detail: np.ndarray | None = None,
    detail_scale: float = 8.0,
    detail_gain: float = 0.6,
) -> tuple[np.ndarray, np.ndarray]:
    """Render a coloured height field over ``sky_img`` with aerial perspective.

    ``detail`` is a periodic texture, ``detail_scale`` times finer than the field, that modulates
    the colour where one field cell spans many pixels (the foreground), so that near ground is
    not a blurry magnification of the colour map. Returns the image and the cast of
    :func:`cast_terrain` packed as ``(rows, cols, dist)``.
    """
    rows, cols, dist = cast_terrain(heights, cam, size, cut=cut)
    img = sample_field(colours, rows, cols)
    hit = np.isfinite(dist)
    if detail is not None:
        d = ndimage.map_coordinates(
            detail, [rows.ravel() * detail_scale, cols.ravel() * detail_scale], order=1, mode="mirror"
        ).reshape(rows.shape)
        px_per_cell = (size[0] / cam.fov) / np.where(hit, dist, np.inf)
        weight = np.clip(px_per_cell / (2.0 * detail_scale), 0.0, 1.0) * detail_gain
        img = img * (1.0 + (d - 0.5)[..., None] * 2.0 * weight[..., None])
    fog = 1.0 - np.exp(-np.where(hit, dist, 0.0) / haze_dist)
    img = _lerp(img, np.asarray(haze), fog[..., None])
    img = np.where(hit[..., None], img, sky_img)
    return img, np.stack([rows, cols, dist])


def _hillshade(
    heights: np.ndarray, sun_az: float, sun_alt: float, zscale: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Lambertian shading of a height field and its slope magnitude."""
    gy, gx = np.gradient(heights * zscale)
    nx, ny, nz = -gx, -gy, np.ones_like(gx)
    norm = np.sqrt(nx * nx + ny * ny + nz * nz)
    lx = math.cos(sun_alt) * math.sin(sun_az)
    ly = math.cos(sun_alt) * math.cos(sun_az)
    lz = math.sin(sun_alt)
    shade = np.clip((nx * lx + ny * ly + nz * lz) / norm, 0.0, 1.0)
    return shade, np.hypot(gx, gy)


def _terrain_colours(
    heights: np.ndarray,
    rng: np.random.Generator,
    *,
    sun_az: float,
    sun_alt: float,
    treeline: float,
    snowline: float,
    water: float | None,
) -> np.ndarray:
    """Colour a height field: meadows, forest with canopy texture, rock on steep slopes, snow."""
    shape = heights.shape
    shade, slope = _hillshade(heights, sun_az, sun_alt)
    n_big = spectral_noise(shape, rng, beta=2.4)
    n_fine = spectral_noise(shape, rng, beta=0.8)
    n_mid = spectral_noise(shape, rng, beta=1.6)
    lo, hi = float(heights.min()), float(heights.max())
    rel = (heights - lo) / (hi - lo)

    meadow = _lerp(_rgb(0.36, 0.46, 0.18), _rgb(0.55, 0.55, 0.27), n_big[..., None])
    forest = _lerp(_rgb(0.09, 0.17, 0.08), _rgb(0.17, 0.27, 0.12), n_mid[..., None])
    forest *= (0.65 + 0.6 * n_fine)[..., None]  # canopy: bright crowns, dark gaps
    rock = _lerp(_rgb(0.38, 0.35, 0.32), _rgb(0.58, 0.55, 0.50), (0.6 * n_mid + 0.4 * n_fine)[..., None])
    snow = _rgb(0.93, 0.95, 0.98) * (0.92 + 0.08 * n_fine)[..., None]

    forest_w = _smoothstep(0.35, 0.6, n_big * 0.6 + 0.55 - rel * 0.3) * (
        1.0 - _smoothstep(treeline - 0.06, treeline, rel + 0.08 * n_mid)
    )
    col = _lerp(meadow, forest, forest_w[..., None])
    rock_w = np.maximum(_smoothstep(0.9, 1.6, slope + 0.3 * n_mid), _smoothstep(treeline, treeline + 0.08, rel))
    col = _lerp(col, rock, rock_w[..., None])
    snow_w = _smoothstep(snowline, snowline + 0.05, rel + 0.12 * (n_mid - 0.5)) * (1.0 - _smoothstep(1.2, 2.0, slope))
    col = _lerp(col, snow, snow_w[..., None])
    if water is not None:
        beach = _smoothstep(water + 1.5, water, heights)
        col = _lerp(col, _rgb(0.50, 0.47, 0.38), beach[..., None] * 0.8)
    light = 0.28 + 0.85 * shade
    return np.clip(col * light[..., None], 0.0, 1.0)


def _water_surface(
    main: np.ndarray,
    mirror: np.ndarray,
    water_mask: np.ndarray,
    horizon_row: float,
    rng: np.random.Generator,
    deep: Sequence[float],
) -> np.ndarray:
    """Put reflections on the water pixels of ``main``; ``mirror`` is the mirror camera's view."""
    h, w = water_mask.shape
    rows = np.arange(h, dtype=np.float64)[:, None]
    below = np.maximum(rows - horizon_row, 1.0)
    ripple = spectral_noise((h, w), rng, beta=2.2, stretch=(1.0, 0.15)) - 0.5
    src_r = 2.0 * horizon_row - rows + ripple * 0.9 * np.sqrt(below)
    src_c = np.arange(w, dtype=np.float64)[None, :] + ripple * 0.25 * np.sqrt(below)
    src_r, src_c = np.broadcast_arrays(src_r, src_c)
    refl = np.stack(
        [
            ndimage.map_coordinates(mirror[..., c], [src_r.ravel(), src_c.ravel()], order=1, mode="nearest").reshape(
                h, w
            )
            for c in range(3)
        ],
        axis=-1,
    )
    refl = ndimage.uniform_filter1d(refl, 3, axis=0)
    fresnel = np.clip(0.92 - below / h * 1.1, 0.35, 0.92)  # grazing view: more reflection
    water = _lerp(np.asarray(deep), refl * 0.9, fresnel[..., None])
    return np.where(water_mask[..., None], water, main)


# --------------------------------------------------------------------------------------------
# Natural landscapes
# --------------------------------------------------------------------------------------------


def _alpine_heights(rng: np.random.Generator, n: int) -> tuple[np.ndarray, float]:
    """Height field of a valley (holding a lake) that leads to a massif; returns heights and water level."""
    ys, xs = np.mgrid[0:n, 0:n].astype(np.float64)
    massif = _zoom01(spectral_noise((n // 16, n // 16), rng, beta=3.0), 16)
    ridges = _zoom01(1.0 - np.abs(2.0 * spectral_noise((n // 8, n // 8), rng, beta=2.6) - 1.0), 8)
    rough = _zoom01(spectral_noise((n // 2, n // 2), rng, beta=2.2), 2)
    cx = n / 2.0
    rise = _smoothstep(0.35 * n, 0.85 * n, ys)  # the massif rises with distance
    shore = 1.0 - _smoothstep(0.015 * n, 0.05 * n, ys)
    sides = _smoothstep(0.07 * n, 0.32 * n, np.abs(xs - cx + 0.06 * n * np.sin(ys / (0.13 * n))))  # the valley
    heights = (
        rise * (170.0 * massif**1.6 + 30.0 * np.clip(ridges, 0, 1) ** 2 * massif)
        + 20.0 * massif
        + 5.0 * rough
        + 55.0 * sides * (1.0 - rise) * (0.3 + massif)
    )
    valley = (np.abs(xs - cx) < 0.1 * n) & (ys > 0.06 * n) & (ys < 0.37 * n)
    water = float(np.percentile(heights[valley], 80))
    bank = _smoothstep(0.0, 0.25, shore + 0.35 * (rough - 0.5))  # a low grassy bank in the foreground
    heights = np.maximum(heights, water - 1.0 + bank * (2.0 + 4.0 * rough))
    return heights, water


def gen_mountain_lake(seed: int) -> Image.Image:
    """Alpine lake in front of snowy fractal mountains, with reflections and aerial perspective."""
    rng = _rng(seed)
    out_w, out_h = 512, 384
    w, h = out_w * SUPERSAMPLE, out_h * SUPERSAMPLE
    n = 1024
    heights, water = _alpine_heights(rng, n)
    cx = n / 2.0
    colours = _terrain_colours(
        heights, rng, sun_az=math.radians(-60), sun_alt=math.radians(35), treeline=0.55, snowline=0.64, water=water
    )
    is_water = heights < water
    flat = np.where(is_water, water, heights)
    cam = Camera(x=cx, y=0.0, height=water + 10.0, yaw=0.0, fov=1.0, horizon=0.52, near=4.0, far=1010.0, steps=1500)
    haze = _rgb(0.70, 0.78, 0.86)
    sky_img = sky(h, w, cam.horizon * h, rng, top=(0.22, 0.42, 0.72), low=(0.74, 0.82, 0.90), cloud_cover=0.45)
    haze_dist = 1700.0
    detail = _normalise(to_float(copy_package_image("skimage", "data", "grass.png", gray=True)))
    main, cast = render_terrain(flat, colours, cam, (w, h), sky_img, haze, haze_dist, detail=detail, detail_gain=0.9)
    water_px = (sample_field(is_water.astype(np.float64), cast[0], cast[1]) > 0.5) & np.isfinite(cast[2])
    mirror_cam = Camera(
        x=cam.x,
        y=cam.y,
        height=2.0 * water - cam.height,
        yaw=0.0,
        fov=cam.fov,
        horizon=cam.horizon,
        near=cam.near,
        far=cam.far,
        steps=cam.steps,
    )
    mirror, _ = render_terrain(heights, colours, mirror_cam, (w, h), sky_img, haze, haze_dist, cut=water)
    img = _water_surface(main, mirror, water_px, cam.horizon * h, rng, deep=(0.06, 0.14, 0.17))
    return shrink(_grain(img, rng, 0.006), (out_w, out_h))


def _field_patches(shape: tuple[int, int], rng: np.random.Generator, n_seeds: int) -> np.ndarray:
    """Piecewise-constant random values on Voronoi cells: a patchwork of fields, each its own tone."""
    seeds = rng.uniform(0, 1, (n_seeds, 2)) * np.array(shape)
    values = rng.uniform(0, 1, n_seeds)
    yy, xx = np.mgrid[0 : shape[0], 0 : shape[1]]
    _, nearest = cKDTree(seeds).query(np.column_stack([yy.ravel(), xx.ravel()]))
    return values[nearest].reshape(shape)


def canopy_texture(size: int, rng: np.random.Generator, crowns: int = 2600) -> np.ndarray:
    """Tree crowns seen from above: overlapping round crowns, lit from the upper left, dark gaps."""
    ss = 2
    im = Image.new("L", (size * ss, size * ss), 25)
    draw = ImageDraw.Draw(im)
    for _ in range(crowns):
        x, y = rng.uniform(0, size * ss, 2)
        r = rng.uniform(3.0, 8.0) * ss
        tone = int(rng.uniform(90, 200))
        for k in range(4):  # concentric discs, offset towards the light: a rounded, lit crown
            rr = r * (1.0 - 0.22 * k)
            off = 0.25 * r * k
            draw.ellipse((x - rr - off, y - rr - off, x + rr - off, y + rr - off), fill=min(255, tone + 18 * k))
    arr = to_float(im.resize((size, size), Image.Resampling.LANCZOS))
    return _normalise(arr + 0.15 * spectral_noise((size, size), rng, beta=1.0))


def gen_appalachian_ridge(seed: int) -> Image.Image:
    """Real terrain (matplotlib's Jacksboro-fault elevation model) rendered as a hazy summer vista."""
    rng = _rng(seed)
    out_w, out_h = 512, 384
    w, h = out_w * SUPERSAMPLE, out_h * SUPERSAMPLE
    with np.load(_package_file("matplotlib", "mpl-data", "sample_data", "jacksboro_fault_dem.npz")) as dem:
        elev = dem["elevation"].astype(np.float64)
        dy_deg = float(dem["dy"])
        lat = math.radians(abs(float(dem["ymin"]) + float(dem["ymax"])) / 2.0)
    cell_ns = 111_320.0 * dy_deg  # metres per row (north-south)
    cell_ew = cell_ns * math.cos(lat)  # metres per column (east-west)
    up = 2.0
    field = ndimage.zoom(elev, (up, up * cell_ew / cell_ns), order=3)
    cell = cell_ns / up
    exaggeration = 2.4
    heights = (field - field.min()) / cell * exaggeration
    heights += 0.25 * spectral_noise(heights.shape, rng, beta=2.0)  # sub-cell relief for the foreground
    shade, slope = _hillshade(heights, math.radians(140.0), math.radians(38.0))
    rel = (heights - heights.min()) / (heights.max() - heights.min())
    n_canopy = spectral_noise(heights.shape, rng, beta=0.9)
    n_tone = spectral_noise(heights.shape, rng, beta=2.2)
    forest = _lerp(_rgb(0.10, 0.20, 0.08), _rgb(0.20, 0.31, 0.12), n_tone[..., None])
    forest *= (0.7 + 0.55 * n_canopy)[..., None]
    patches = _field_patches(heights.shape, rng, 900)
    pasture = _lerp(_rgb(0.45, 0.55, 0.24), _rgb(0.70, 0.66, 0.38), patches[..., None])
    pasture *= (0.92 + 0.16 * n_canopy)[..., None]
    open_land = _smoothstep(0.10, 0.04, slope + 0.05 * n_tone) * _smoothstep(0.45, 0.25, rel) * (patches > 0.3)
    col = _lerp(forest, pasture, open_land[..., None])
    colours = np.clip(col * (0.25 + 0.95 * shade)[..., None], 0.0, 1.0)

    rows, cols = heights.shape
    cam_x, cam_y = cols - 8.0, rows * 0.80
    ground = float(sample_field(heights, np.array([cam_y]), np.array([cam_x]))[0])
    cam = Camera(
        x=cam_x,
        y=cam_y,
        height=ground + 16.0,
        yaw=math.radians(-122.0),
        fov=1.0,
        horizon=0.36,
        near=2.0,
        far=float(cols) * 1.2,
        steps=1500,
    )
    haze = _rgb(0.66, 0.74, 0.84)
    sky_img = sky(
        h,
        w,
        cam.horizon * h,
        rng,
        top=(0.30, 0.48, 0.76),
        low=(0.78, 0.84, 0.90),
        cloud_cover=0.55,
        sun=(w * 0.2, h * 0.05),
    )
    detail = canopy_texture(512, rng)
    img, _ = render_terrain(
        heights, colours, cam, (w, h), sky_img, haze, 420.0, detail=detail, detail_scale=40.0, detail_gain=0.8
    )
    return shrink(_grain(img, rng, 0.006), (out_w, out_h))


def _conifer_mask(
    w: int, h: int, ridge: np.ndarray, rng: np.random.Generator, height: float, density: float
) -> Image.Image:
    """A row of conifers standing on a ridge line (mask, 255 = tree), sizes jittered."""
    mask = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(mask)
    x = 0.0
    while x < w:
        xi = int(min(w - 1, max(0, x)))
        base = ridge[xi] + height * 0.15
        th = height * rng.uniform(0.5, 1.3)
        half = th * rng.uniform(0.16, 0.24)
        tiers = int(rng.integers(4, 7))
        pts: list[tuple[float, float]] = [(x, base - th)]
        for t in range(1, tiers + 1):  # jagged silhouette: each tier juts out, then steps in
            yy = base - th + th * t / tiers
            ww = half * t / tiers
            pts.append((x + ww, yy))
            if t < tiers:
                pts.append((x + ww * 0.55, yy))
        pts.append((x + half * 0.1, base + height * 0.3))
        pts.append((x - half * 0.1, base + height * 0.3))
        for t in range(tiers, 0, -1):
            yy = base - th + th * t / tiers
            ww = half * t / tiers
            if t < tiers:
                pts.append((x - ww * 0.55, yy))
            pts.append((x - ww, yy))
        draw.polygon(pts, fill=255)
        x += half * rng.uniform(0.6, 1.8) / density
    return mask


def gen_misty_ridges(seed: int) -> Image.Image:
    """Layered forested ridges at sunset, fading into valley mist (aerial perspective)."""
    rng = _rng(seed)
    out_w, out_h = 512, 384
    w, h = out_w * SUPERSAMPLE, out_h * SUPERSAMPLE
    horizon_col = _rgb(0.97, 0.80, 0.60)
    img = sky(
        h,
        w,
        h * 0.62,
        rng,
        top=(0.30, 0.40, 0.62),
        low=horizon_col,
        cloud_cover=0.35,
        sun=(w * 0.68, h * 0.40),
        sun_colour=(1.0, 0.88, 0.62),
    )
    rows = np.arange(h, dtype=np.float64)[:, None]
    layers = 6
    for i in range(layers):
        near = i / (layers - 1)
        baseline = h * (0.44 + 0.085 * i)
        amp = h * (0.13 + 0.02 * near)
        profile = fbm_1d(w, rng, beta=2.1 + 0.25 * near)
        ridge = baseline - amp * profile
        layer_col = _lerp(_rgb(0.55, 0.52, 0.58), _rgb(0.07, 0.12, 0.10), near**0.8)
        layer_col = _lerp(layer_col, horizon_col, 0.55 * (1.0 - near) ** 1.5)
        mask = (rows >= ridge[None, :]).astype(np.float64)
        if i >= 2:
            trees = _conifer_mask(w, h, ridge, rng, height=h * (0.012 + 0.03 * near**1.5), density=1.0 + near)
            mask = np.maximum(mask, to_float(trees))
        mask = ndimage.gaussian_filter(mask, 0.6)
        depth_below = np.clip((rows - ridge[None, :]) / (h * 0.16), 0.0, 1.0)
        mist = _smoothstep(0.15, 1.0, depth_below) * (0.75 - 0.5 * near)
        tex = spectral_noise((h, w), rng, beta=1.8)
        shade = 1.0 + (tex - 0.5) * (0.08 + 0.3 * near)
        colour = layer_col[None, None, :] * shade[..., None]
        colour = _lerp(colour, horizon_col * 0.95, mist[..., None])
        img = _lerp(img, colour, mask[..., None])
    # foreground: a meadow in shadow, textured with a real grass photograph (scikit-image, CC0)
    grass = _normalise(to_float(copy_package_image("skimage", "data", "grass.png", gray=True)))
    grass = (
        np.asarray(
            Image.fromarray((grass * 255).astype(np.uint8)).resize((w, w), Image.Resampling.BICUBIC), dtype=np.float64
        )[:h]
        / 255.0
    )
    edge = h * 0.86 - h * 0.05 * fbm_1d(w, rng, beta=1.6)
    blades = Image.new("L", (w, h), 0)
    bd = ImageDraw.Draw(blades)
    for _ in range(2200):
        x0 = rng.uniform(0, w)
        y0 = edge[int(x0)] + rng.uniform(2, 30)
        length = rng.uniform(15, 60)
        lean = rng.normal(0.0, 0.3)
        bd.line([(x0, y0), (x0 + lean * length, y0 - length)], fill=255, width=int(rng.integers(2, 5)))
    fg_mask = np.maximum((rows >= edge[None, :]).astype(np.float64), to_float(blades))
    fg_mask = ndimage.gaussian_filter(fg_mask, 0.6)
    fg = _lerp(_rgb(0.03, 0.05, 0.02), _rgb(0.22, 0.26, 0.10), grass[..., None] ** 1.3)
    rim = np.exp(-np.clip(rows - edge[None, :], 0, None) / (h * 0.02))[..., None] * 0.12  # back-lit edge
    fg = fg + rim * _rgb(0.9, 0.6, 0.3)
    img = _lerp(img, fg, fg_mask[..., None])
    img = _grain(img, rng, 0.006)
    return shrink(img, (out_w, out_h))


# --------------------------------------------------------------------------------------------
# Perspective drawing (streets and rooms): textured planes through homographies
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class View:
    """A level pin-hole camera at ``(0, eye, 0)`` looking along +Z; Y is up, X is right."""

    width: int
    height: int
    focal: float
    eye: float
    cx: float
    cy: float

    def project(self, x: float, y: float, z: float) -> tuple[float, float]:
        """Screen position (pixels) of the world point ``(x, y, z)``; ``z`` must be positive."""
        return self.cx + self.focal * x / z, self.cy - self.focal * (y - self.eye) / z


def _perspective_coeffs(screen: Sequence[tuple[float, float]], tex: Sequence[tuple[float, float]]) -> list[float]:
    """Coefficients of Pillow's PERSPECTIVE transform that map screen points to texture points."""
    a, b = [], []
    for (x, y), (u, v) in zip(screen, tex, strict=True):
        a.append([x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y])
        b.append(u)
        a.append([0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y])
        b.append(v)
    return [float(c) for c in np.linalg.solve(np.array(a), np.array(b))]


def paste_plane(
    canvas: Image.Image, texture: np.ndarray, corners: Sequence[tuple[float, float, float]], view: View
) -> None:
    """Draw a textured rectangle given by four world corners (texture TL, TR, BR, BL) onto ``canvas``.

    ``texture`` is float RGB or RGBA (alpha 0 = hole, e.g. the sky above a roofline).
    """
    th, tw = texture.shape[:2]
    screen = [view.project(*c) for c in corners]
    coeffs = _perspective_coeffs(screen, [(0.0, 0.0), (tw, 0.0), (tw, th), (0.0, th)])
    if texture.shape[2] == 3:
        texture = np.concatenate([texture, np.ones((th, tw, 1))], axis=2)
    tex_im = Image.fromarray((np.clip(texture, 0, 1) * 255 + 0.5).astype(np.uint8), "RGBA")
    warped = tex_im.transform(canvas.size, Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BILINEAR)
    poly = Image.new("L", canvas.size, 0)
    ImageDraw.Draw(poly).polygon(screen, fill=255)
    alpha = Image.fromarray(np.minimum(np.asarray(poly), np.asarray(warped.getchannel("A"))))
    canvas.paste(warped.convert("RGB"), mask=alpha)


def draw_box(
    draw: ImageDraw.ImageDraw,
    view: View,
    x0: float,
    x1: float,
    y0: float,
    y1: float,
    z0: float,
    z1: float,
    colour: Sequence[float],
    light: Sequence[float] = (0.75, 1.0, 0.55, 0.9),
) -> None:
    """Draw the camera-facing faces of an axis-aligned box with flat shading.

    ``light`` gives the brightness of the (side facing -X or +X, top, side, front) faces.
    """

    def poly(points: list[tuple[float, float, float]], k: float) -> None:
        c = tuple(int(np.clip(v * k, 0, 1) * 255 + 0.5) for v in colour)
        draw.polygon([view.project(*p) for p in points], fill=c)

    z0 = max(z0, 0.05)
    if x0 > 0:  # right of the camera: its -X side faces us
        poly([(x0, y0, z0), (x0, y0, z1), (x0, y1, z1), (x0, y1, z0)], light[0])
    elif x1 < 0:
        poly([(x1, y0, z0), (x1, y0, z1), (x1, y1, z1), (x1, y1, z0)], light[2])
    if y1 < view.eye:
        poly([(x0, y1, z0), (x1, y1, z0), (x1, y1, z1), (x0, y1, z1)], light[1])
    elif y0 > view.eye:
        poly([(x0, y0, z0), (x1, y0, z0), (x1, y0, z1), (x0, y0, z1)], light[2] * 0.8)
    poly([(x0, y0, z0), (x1, y0, z0), (x1, y1, z0), (x0, y1, z0)], light[3])


def prefilter_along(
    texture: np.ndarray, u_per_px: np.ndarray, v_per_px: np.ndarray, axis: int = 1, bins: int = 32
) -> np.ndarray:
    """Blur a texture progressively along one axis, by how many texels one screen pixel spans there.

    Pillow's perspective warp samples without filtering, so a far, foreshortened part of a plane
    would alias (moire on bricks and tiles); averaging over the pixel footprint first is a poor
    man's anisotropic mip-map. ``u_per_px`` / ``v_per_px`` give, for each index along ``axis``,
    the texels per screen pixel along that axis and across it. Two passes of a box filter give a
    triangle filter at a cost that does not grow with its width.
    """
    n = texture.shape[axis]
    out = np.empty_like(texture)
    edges = np.linspace(0, n, bins + 1).astype(int)
    for a, b in itertools.pairwise(edges):
        mid = (a + b) // 2
        sizes = {axis: float(u_per_px[mid]), 1 - axis: float(v_per_px[mid])}
        pad = int(max(sizes.values())) + 2
        lo, hi = max(0, a - pad), min(n, b + pad)
        seg = np.take(texture, np.arange(lo, hi), axis=axis)
        for ax, footprint in sizes.items():
            width = round(footprint / 1.4)
            if width >= 2:
                seg = ndimage.uniform_filter1d(seg, width, axis=ax, mode="nearest")
                seg = ndimage.uniform_filter1d(seg, width, axis=ax, mode="nearest")
        idx = [slice(None)] * texture.ndim
        idx[axis] = slice(a - lo, a - lo + (b - a))
        dst = [slice(None)] * texture.ndim
        dst[axis] = slice(a, b)
        out[tuple(dst)] = seg[tuple(idx)]
    return out


def brick_texture(w: int, h: int, rng: np.random.Generator, tint: Sequence[float], scale: float = 1.0) -> np.ndarray:
    """A brick wall of size (h, w) from scikit-image's brick photograph (CC0), tiled and tinted."""
    photo = copy_package_image("skimage", "data", "brick.png", gray=True)
    if scale != 1.0:
        side = max(8, round(photo.size[0] * scale))
        photo = photo.resize((side, side), Image.Resampling.LANCZOS)
    brick = _normalise(to_float(photo))
    pair = np.concatenate([brick, brick[:, ::-1]], axis=1)  # mirrored copies hide the seams
    tiled = np.tile(pair, (h // pair.shape[0] + 2, w // pair.shape[1] + 2))
    oy, ox = rng.integers(0, brick.shape[0]), rng.integers(0, brick.shape[1])
    tiled = tiled[oy : oy + h, ox : ox + w]
    return np.asarray(tint)[None, None, :] * (0.55 + 0.7 * tiled[..., None])


def plaster_texture(w: int, h: int, rng: np.random.Generator, colour: Sequence[float]) -> np.ndarray:
    """Painted render: the base colour with blotchy weathering and fine grain."""
    blotch = spectral_noise((h, w), rng, beta=2.6)
    grain = rng.normal(0.0, 1.0, (h, w))
    streaks = spectral_noise((h, w), rng, beta=2.0, stretch=(0.15, 1.0))  # rain streaks run down
    k = 0.88 + 0.16 * blotch + 0.015 * grain - 0.08 * _smoothstep(0.6, 0.9, streaks)
    return np.asarray(colour)[None, None, :] * k[..., None]


SIGN_COLOURS = (
    (28, 52, 40),
    (120, 30, 35),
    (30, 40, 80),
    (230, 220, 195),
    (40, 40, 42),
    (150, 110, 40),
    (200, 200, 200),
    (70, 90, 110),
)
SHOP_NAMES = (
    "BAKERY",
    "BOOKS",
    "CAFE",
    "HOTEL",
    "PHARMACY",
    "FLOWERS",
    "TAILOR",
    "DELI",
    "ANTIQUES",
    "BISTRO",
    "HARDWARE",
    "OPTICIAN",
    "BANK",
    "NEWS",
    "MUSIC",
    "SHOES",
)


def _window_glass(h: int, w: int, rng: np.random.Generator, sky_tint: Sequence[float]) -> np.ndarray:
    """The reflection field for glass: a sky gradient at the top, dim blurred shapes, darker below."""
    t = np.linspace(0.0, 1.0, h)[:, None, None]
    base = _lerp(np.asarray(sky_tint) * 1.0, np.asarray(sky_tint) * 0.45, t)
    shapes = spectral_noise((h, w), rng, beta=2.2, stretch=(0.3, 1.0))
    return np.clip(base * (0.45 + 0.8 * shapes[..., None]), 0, 1)


def facade_texture(
    length: float, rng: np.random.Generator, ppm: float, *, sky_tint: Sequence[float], max_height: float = 30.0
) -> np.ndarray:
    """A row of town buildings (RGBA float; alpha 0 above the rooflines), ``ppm`` pixels per metre.

    Each building gets a material (brick from scikit-image's CC0 photo, or painted render), floors
    of framed windows with sills and reflections, a cornice, and a shop front with a lettered sign.
    """
    tw, th = int(length * ppm), int(max_height * ppm)
    rgb = np.zeros((th, tw, 3))
    alpha = np.zeros((th, tw))
    glass_field = _window_glass(th, tw, rng, sky_tint)
    overlay = Image.new("RGBA", (tw, th), (0, 0, 0, 0))
    glass = Image.new("L", (tw, th), 0)
    od, gd = ImageDraw.Draw(overlay), ImageDraw.Draw(glass)
    u = 0.0
    palette = [
        (0.78, 0.70, 0.58),
        (0.85, 0.80, 0.70),
        (0.70, 0.55, 0.45),
        (0.80, 0.74, 0.62),
        (0.62, 0.66, 0.70),
        (0.88, 0.84, 0.76),
        (0.74, 0.62, 0.50),
    ]
    while u < length:
        bw = float(rng.uniform(9.0, 18.0))
        floors = int(rng.integers(3, 8))
        storey = float(rng.uniform(3.0, 3.5))
        bh = min(max_height - 1.0, 4.5 + floors * storey + 0.8)
        x0, x1 = int(u * ppm), min(tw, int((u + bw) * ppm))
        y_top = th - int(bh * ppm)
        if rng.uniform() < 0.45:
            tint = np.array(palette[int(rng.integers(0, 3))]) * rng.uniform(0.8, 1.0)
            mat = brick_texture(x1 - x0, th - y_top, rng, tint)
        else:
            mat = plaster_texture(x1 - x0, th - y_top, rng, palette[int(rng.integers(0, len(palette)))])
        rgb[y_top:, x0:x1] = mat
        alpha[y_top:, x0:x1] = 1.0
        # cornice and a shadow line under it
        cor = int(0.5 * ppm)
        c_col = tuple(int(v * 255) for v in rng.uniform(0.75, 0.9, 3))
        od.rectangle((x0, y_top, x1, y_top + cor), fill=(*c_col, 255))
        od.rectangle((x0, y_top + cor, x1, y_top + cor + int(0.15 * ppm)), fill=(0, 0, 0, 90))
        # upper floors: a grid of windows
        ncols = max(2, int(bw / rng.uniform(2.2, 2.8)))
        win_w = rng.uniform(0.9, 1.3) * ppm
        win_h = rng.uniform(1.4, 1.9) * ppm
        frame_col = tuple(int(v * 255) for v in rng.choice([0.92, 0.25, 0.55], 1).repeat(3))
        for f in range(floors):
            y_floor = th - int((4.5 + f * storey) * ppm)
            wy1 = y_floor - int(0.9 * ppm)
            wy0 = int(wy1 - win_h)
            for c in range(ncols):
                cxw = x0 + (c + 0.5) * (x1 - x0) / ncols
                wx0, wx1 = int(cxw - win_w / 2), int(cxw + win_w / 2)
                fr = max(2, int(0.08 * ppm))
                od.rectangle((wx0 - fr, wy0 - fr, wx1 + fr, wy1 + fr), fill=(*frame_col, 255))
                gd.rectangle((wx0, wy0, wx1, wy1), fill=int(rng.uniform(150, 255)))
                if rng.uniform() < 0.3:  # drawn curtains or a lit room
                    cur = tuple(int(v) for v in rng.uniform([200, 180, 140], [245, 235, 210]))
                    cw = (wx1 - wx0) * rng.uniform(0.2, 0.5)
                    od.rectangle((wx0, wy0, wx0 + cw, wy1), fill=(*cur, 255))
                    od.rectangle((wx1 - cw, wy0, wx1, wy1), fill=(*cur, 255))
                mid = (wx0 + wx1) // 2  # mullion and transom
                od.rectangle((mid - fr // 2, wy0, mid + fr // 2, wy1), fill=(*frame_col, 255))
                tr = wy0 + int((wy1 - wy0) * 0.3)
                od.rectangle((wx0, tr - fr // 2, wx1, tr + fr // 2), fill=(*frame_col, 255))
                od.rectangle((wx0 - 2 * fr, wy1 + fr, wx1 + 2 * fr, wy1 + 3 * fr), fill=(215, 210, 200, 255))
                od.rectangle((wx0 - 2 * fr, wy1 + 3 * fr, wx1 + 2 * fr, wy1 + 4 * fr), fill=(0, 0, 0, 70))
        # ground floor: shop window, door, sign
        gy0 = th - int(3.6 * ppm)
        sign_y0, sign_y1 = th - int(4.4 * ppm), th - int(3.7 * ppm)
        sign_bg = SIGN_COLOURS[int(rng.integers(0, len(SIGN_COLOURS)))]
        od.rectangle((x0 + int(0.3 * ppm), sign_y0, x1 - int(0.3 * ppm), sign_y1), fill=(*sign_bg, 255))
        name = SHOP_NAMES[int(rng.integers(0, len(SHOP_NAMES)))]
        font = _font(int(0.55 * ppm))
        text_col = (245, 240, 225, 255) if sum(sign_bg) < 380 else (30, 25, 20, 255)
        tl = od.textlength(name, font=font)
        od.text(((x0 + x1) / 2 - tl / 2, sign_y0 + 0.06 * ppm), name, font=font, fill=text_col)
        door_w = int(1.1 * ppm)
        door_x = x0 + int(rng.uniform(0.6, 0.8) * (x1 - x0))
        od.rectangle((door_x, gy0, door_x + door_w, th), fill=(60, 40, 30, 255))
        od.rectangle((door_x + 6, gy0 + 6, door_x + door_w - 6, gy0 + int(1.6 * ppm)), fill=(40, 45, 50, 255))
        shop_x0, shop_x1 = x0 + int(0.6 * ppm), door_x - int(0.4 * ppm)
        if shop_x1 - shop_x0 > ppm:
            od.rectangle((shop_x0 - 6, gy0 - 6, shop_x1 + 6, th - int(0.5 * ppm) + 6), fill=(50, 50, 55, 255))
            gd.rectangle((shop_x0, gy0, shop_x1, th - int(0.5 * ppm)), fill=235)
        u += bw
    tone = to_float(glass)[..., None]
    rgb = np.where(tone > 0, glass_field * (0.5 + 0.5 * tone), rgb)
    ov = np.asarray(overlay, dtype=np.float64) / 255.0
    rgb = _lerp(rgb, ov[..., :3], ov[..., 3:4])
    # ambient occlusion near the pavement and a little soot near the top
    yy = (np.arange(th) / th)[:, None, None]
    rgb *= 1.0 - 0.18 * _smoothstep(0.85, 1.0, yy)
    return np.concatenate([np.clip(rgb, 0, 1), alpha[..., None]], axis=2)


def road_texture(width_m: float, length_m: float, ppm: float, rng: np.random.Generator) -> np.ndarray:
    """Asphalt (u = across, v = along the street, v = 0 at the far end) with lane and crossing marks."""
    tw, th = int(width_m * ppm), int(length_m * ppm)
    coarse = spectral_noise((th // 4, tw // 4), rng, beta=2.4)
    coarse = (
        np.asarray(
            Image.fromarray((coarse * 255).astype(np.uint8)).resize((tw, th), Image.Resampling.BICUBIC),
            dtype=np.float64,
        )
        / 255.0
    )
    grit = rng.normal(0.0, 1.0, (th, tw))
    tone = 0.30 + 0.14 * coarse + 0.05 * grit
    road = np.stack([tone, tone * 1.0, tone * 1.04], axis=-1)
    im = Image.fromarray((np.clip(road, 0, 1) * 255).astype(np.uint8))
    d = ImageDraw.Draw(im)
    for _ in range(int(length_m / 6)):  # repair patches and manhole covers
        px, py = rng.uniform(0, tw), rng.uniform(0, th)
        pw, ph = rng.uniform(0.5, 1.8) * ppm, rng.uniform(0.5, 2.5) * ppm
        shade = int(rng.uniform(68, 100))
        d.rectangle((px, py, px + pw, py + ph), fill=(shade, shade, shade + 3))
    for z in np.arange(7.0, length_m, 17.0):
        mx, my, r = tw * rng.uniform(0.25, 0.75), th - z * ppm, 0.35 * ppm
        d.ellipse((mx - r, my - r, mx + r, my + r), fill=(55, 52, 50), outline=(120, 118, 112), width=3)
        for k in range(-2, 3):
            d.line((mx - r * 0.8, my + k * r * 0.3, mx + r * 0.8, my + k * r * 0.3), fill=(80, 78, 74), width=2)
    mid = tw // 2
    paint = (228, 226, 215)
    for z in np.arange(0.0, length_m, 9.0):  # dashed centre line
        y1 = th - int(z * ppm)
        d.rectangle((mid - int(0.07 * ppm), y1 - int(3.0 * ppm), mid + int(0.07 * ppm), y1), fill=paint)
    for x in (int(0.25 * ppm), tw - int(0.25 * ppm)):  # edge lines
        d.rectangle((x - int(0.06 * ppm), 0, x + int(0.06 * ppm), th), fill=paint)
    z0 = 13.0  # a zebra crossing
    for k in range(int(width_m / 0.9)):
        x = int((0.3 + k * 0.9) * ppm)
        d.rectangle((x, th - int((z0 + 3.0) * ppm), x + int(0.5 * ppm), th - int(z0 * ppm)), fill=paint)
    arr = to_float(im)
    wear = spectral_noise((th, tw), rng, beta=1.6)
    arr = arr * (0.9 + 0.2 * wear[..., None])  # worn paint, oil stains
    return np.clip(arr, 0, 1)


def paving_texture(width_m: float, length_m: float, ppm: float, rng: np.random.Generator) -> np.ndarray:
    """Pavement slabs with joints (u = across, v = along the street, v = 0 at the far end)."""
    tw, th = int(width_m * ppm), int(length_m * ppm)
    slab = 0.75
    yy, xx = np.mgrid[0:th, 0:tw] / ppm
    iy, ix = np.floor(yy / slab).astype(int), np.floor((xx + 0.37 * (np.floor(yy / slab) % 2)) / slab).astype(int)
    per_slab = rng.uniform(0.85, 1.1, (iy.max() + 1, ix.max() + 1))[iy, ix]
    fy = (yy / slab) % 1.0
    fx = ((xx + 0.37 * (np.floor(yy / slab) % 2)) / slab) % 1.0
    joint = np.minimum(np.minimum(fy, 1 - fy), np.minimum(fx, 1 - fx)) * slab * ppm
    tone = 0.60 * per_slab * (0.92 + 0.06 * rng.normal(0, 1, (th, tw)).clip(-2, 2))
    tone = np.where(joint < 1.2, tone * 0.55, tone)
    return np.stack([tone * 1.02, tone, tone * 0.95], axis=-1).clip(0, 1)


def _draw_car(
    draw: ImageDraw.ImageDraw, view: View, x0: float, z: float, rng: np.random.Generator, haze: np.ndarray, fog: float
) -> None:
    """A parked car seen from behind and from its left: body, tapered cabin, lights, plate, tyres."""
    paints = np.array(
        [
            [0.55, 0.08, 0.08],
            [0.12, 0.18, 0.42],
            [0.86, 0.86, 0.84],
            [0.08, 0.08, 0.09],
            [0.48, 0.50, 0.53],
            [0.20, 0.35, 0.25],
        ]
    )
    body = _lerp(paints[int(rng.integers(0, len(paints)))], haze, fog)

    def c255(c: np.ndarray | Sequence[float], k: float = 1.0) -> tuple[int, ...]:
        return tuple(int(np.clip(v * k, 0, 1) * 255) for v in c)

    def p(x: float, y: float, zz: float) -> tuple[float, float]:
        return view.project(x, y, zz)

    x1, zl = x0 + 1.8, z + 4.3
    draw.polygon([p(x0, 0.3, z), p(x0, 0.3, zl), p(x0, 1.0, zl - 0.1), p(x0, 1.0, z + 0.1)], fill=c255(body, 0.8))
    draw.polygon([p(x0, 1.0, z + 0.1), p(x1, 1.0, z + 0.1), p(x1, 1.0, zl), p(x0, 1.0, zl)], fill=c255(body, 1.05))
    draw.polygon([p(x0, 0.3, z), p(x1, 0.3, z), p(x1, 1.0, z + 0.1), p(x0, 1.0, z + 0.1)], fill=c255(body, 0.9))
    glass = _lerp(_rgb(0.10, 0.13, 0.17), haze, fog)
    cab = [(x0 + 0.2, 1.0, z + 1.0), (x1 - 0.2, 1.0, z + 1.0), (x1 - 0.35, 1.45, z + 1.5), (x0 + 0.35, 1.45, z + 1.5)]
    draw.polygon([p(*q) for q in cab], fill=c255(glass))
    draw.polygon(
        [
            p(x0 + 0.2, 1.0, z + 1.0),
            p(x0 + 0.2, 1.0, z + 3.3),
            p(x0 + 0.35, 1.45, z + 3.0),
            p(x0 + 0.35, 1.45, z + 1.5),
        ],
        fill=c255(glass, 0.8),
    )
    draw.polygon(
        [
            p(x0 + 0.35, 1.45, z + 1.5),
            p(x1 - 0.35, 1.45, z + 1.5),
            p(x1 - 0.35, 1.45, z + 3.0),
            p(x0 + 0.35, 1.45, z + 3.0),
        ],
        fill=c255(body, 1.1),
    )
    draw.polygon(
        [p(x0, 0.3, z - 0.05), p(x1, 0.3, z - 0.05), p(x1, 0.45, z - 0.05), p(x0, 0.45, z - 0.05)],
        fill=c255(_lerp(_rgb(0.1, 0.1, 0.1), haze, fog)),
    )
    for lx in (x0 + 0.1, x1 - 0.35):  # rear lights
        draw.polygon(
            [p(lx, 0.75, z), p(lx + 0.25, 0.75, z), p(lx + 0.25, 0.9, z + 0.05), p(lx, 0.9, z + 0.05)],
            fill=c255(_lerp(_rgb(0.75, 0.1, 0.1), haze, fog)),
        )
    draw.polygon(
        [p(x0 + 0.65, 0.5, z), p(x1 - 0.65, 0.5, z), p(x1 - 0.65, 0.62, z), p(x0 + 0.65, 0.62, z)],
        fill=c255(_lerp(_rgb(0.92, 0.92, 0.88), haze, fog)),
    )
    tyre = c255(_lerp(_rgb(0.05, 0.05, 0.05), haze, fog))
    for zz in (z + 0.8, z + 3.5):
        wx, wy = view.project(x0 - 0.01, 0.32, zz)
        r = view.focal * 0.32 / zz
        draw.ellipse((wx - r * 0.3, wy - r, wx + r * 0.3, wy + r), fill=tyre)


def gen_town_street(seed: int) -> Image.Image:
    """A street in one-point perspective: brick and rendered facades, shops, pavements, a crossing."""
    rng = _rng(seed)
    out_w, out_h = 512, 384
    w, h = out_w * SUPERSAMPLE, out_h * SUPERSAMPLE
    view = View(w, h, focal=w / 1.25, eye=1.65, cx=w * 0.47, cy=h * 0.50)
    sky_top, sky_low = (0.33, 0.52, 0.80), (0.78, 0.85, 0.92)
    canvas = to_image(sky(h, w, view.cy, rng, top=sky_top, low=sky_low, cloud_cover=0.4))
    haze = _rgb(0.74, 0.80, 0.86)
    z_near, z_far, x_wall, x_curb, ppm = 3.0, 140.0, 7.5, 4.5, 40.0
    length = z_far - z_near

    def fogged(tex: np.ndarray, z_of_col: np.ndarray, axis: int) -> np.ndarray:
        f = 1.0 - np.exp(-z_of_col / 260.0)
        f = f[:, None, None] if axis == 0 else f[None, :, None]
        out = tex.copy()
        out[..., :3] = _lerp(tex[..., :3], haze, f)
        return out

    # far end: a building across the street
    end = facade_texture(2 * x_wall + 6.0, rng, ppm / 2, sky_tint=sky_low)
    end = fogged(end, np.full(end.shape[1], z_far), 1)
    paste_plane(
        canvas,
        end,
        [(-x_wall - 3, 30.0, z_far), (x_wall + 3, 30.0, z_far), (x_wall + 3, 0.0, z_far), (-x_wall - 3, 0.0, z_far)],
        view,
    )
    # road and pavements (v = 0 is the far end)
    for x0, x1, maker in (
        (-x_curb, x_curb, road_texture),
        (-x_wall, -x_curb, paving_texture),
        (x_curb, x_wall, paving_texture),
    ):
        tex = maker(x1 - x0, length, ppm, rng)
        z_rows = z_far - np.arange(tex.shape[0]) / ppm
        along = ppm * z_rows**2 / (view.focal * view.eye)  # texels per pixel along the street
        across = ppm * z_rows / view.focal
        tex = prefilter_along(tex, along, across, axis=0)
        x_cols = x0 + (np.arange(tex.shape[1]) + 0.5) / ppm
        shadow = _smoothstep(0.3, 1.2, x_cols)[None, :, None]  # the right-hand buildings shade the street
        tex = tex * _lerp(np.ones(3), _rgb(0.55, 0.58, 0.66), shadow)
        tex = fogged(tex, z_rows, 0)
        y = 0.0 if maker is road_texture else 0.15
        paste_plane(canvas, tex, [(x0, y, z_far), (x1, y, z_far), (x1, y, z_near), (x0, y, z_near)], view)
    # kerb faces
    draw = ImageDraw.Draw(canvas)
    for side in (-1, 1):
        x = side * x_curb
        pts = [
            view.project(x, 0.15, z_near),
            view.project(x, 0.15, z_far),
            view.project(x, 0.0, z_far),
            view.project(x, 0.0, z_near),
        ]
        draw.polygon(pts, fill=(150, 148, 140) if side < 0 else (95, 95, 92))
    # facades: texture read left to right by someone facing the wall
    for side in (-1, 1):
        tex = facade_texture(length, rng, ppm, sky_tint=sky_low)
        z_cols = z_near + np.arange(tex.shape[1]) / ppm
        if side > 0:
            z_cols = z_cols[::-1]
        along = ppm * z_cols**2 / (view.focal * x_wall)
        across = ppm * z_cols / view.focal
        tex = prefilter_along(tex, along, across, axis=1)
        tex = fogged(tex, z_cols, 1)
        light = 1.05 if side < 0 else 0.72  # the left side is in the sun, the right in shade
        tex[..., :3] = np.clip(
            tex[..., :3] * light * (np.array([1.0, 1.0, 1.0]) if side < 0 else np.array([0.95, 0.98, 1.08])), 0, 1
        )
        x = side * x_wall
        top = 30.0
        if side > 0:
            corners = [(x, top, z_far), (x, top, z_near), (x, 0.0, z_near), (x, 0.0, z_far)]
        else:
            corners = [(x, top, z_near), (x, top, z_far), (x, 0.0, z_far), (x, 0.0, z_near)]
        paste_plane(canvas, tex, corners, view)
    # street furniture and parked cars, far to near
    items: list[tuple[float, str, float]] = []
    for z in np.arange(z_near + 6.0, 90.0, 14.0):
        items.append((float(z), "lamp", -1.0))
        items.append((float(z + 7.0), "lamp", 1.0))
    for z in np.arange(z_near + 9.0, 80.0, 11.0):
        if rng.uniform() < 0.7:
            items.append((float(z + rng.uniform(-1.0, 1.0)), "car", 1.0))
    for z, kind, side in sorted(items, key=lambda t: -t[0]):
        fog = 1.0 - math.exp(-z / 260.0)
        if kind == "lamp":
            x = side * (x_curb + 0.45)
            pole = tuple(int(v) for v in _lerp(_rgb(35, 38, 40), haze * 255, fog))
            draw_box(draw, view, x - 0.07, x + 0.07, 0.0, 5.5, z, z + 0.14, [c / 255 for c in pole])
            draw_box(
                draw,
                view,
                min(x, x - side * 1.2),
                max(x, x - side * 1.2),
                5.4,
                5.6,
                z,
                z + 0.2,
                [c / 255 for c in pole],
            )
            lx, ly = view.project(x - side * 1.1, 5.35, z)
            r = view.focal * 0.18 / z
            draw.ellipse((lx - r, ly - r * 0.6, lx + r, ly + r * 0.6), fill=(250, 245, 225))
        else:
            _draw_car(draw, view, x_curb - 2.1, z, rng, haze, fog)
    img = to_float(canvas)
    img = _grain(img, rng, 0.006)
    return shrink(img, (out_w, out_h))


def _tower(rng: np.random.Generator, bw: int, bh: int, sky_col: np.ndarray, haze: np.ndarray, fog: float) -> np.ndarray:
    """One high-rise facade (bh x bw RGB): glass curtain wall or concrete with punched windows."""
    yy, xx = np.mgrid[0:bh, 0:bw].astype(np.float64)
    kind = rng.uniform()
    floor_h = rng.uniform(9.0, 13.0)
    if kind < 0.45:  # glass curtain wall reflecting the sky, with mullions and spandrels
        refl = _lerp(sky_col * 1.05, sky_col * 0.45, (yy / bh)[..., None] * 0.6 + 0.2 * rng.uniform())
        tint = np.array([0.78, 0.9, 0.95]) * rng.uniform(0.8, 1.05) + rng.uniform(-0.05, 0.05, 3)
        clouds = spectral_noise((bh, bw), rng, beta=2.4, stretch=(1.0, 0.4))
        img = refl * tint * (0.8 + 0.4 * clouds[..., None])
        col_w = rng.uniform(6.0, 10.0)
        mull = ((xx % col_w) < 1.2) | ((yy % floor_h) < 1.5)
        frame = rng.uniform(0.25, 0.6)
        img = np.where(mull[..., None], frame, img)
        panels = (np.floor(xx / col_w) + 3 * np.floor(yy / floor_h)) % 7 == 0  # a few panes at another angle
        img = np.where(panels[..., None] & ~mull[..., None], img * 0.75, img)
    else:  # concrete or stone with a grid of windows
        base = np.array([0.80, 0.77, 0.72]) * rng.uniform(0.7, 1.05) + rng.uniform(-0.03, 0.03, 3)
        img = base * (0.9 + 0.15 * spectral_noise((bh, bw), rng, beta=2.2))[..., None]
        col_w = rng.uniform(8.0, 14.0)
        ww = col_w * rng.uniform(0.45, 0.7)
        wh = floor_h * rng.uniform(0.45, 0.65)
        fx, fy = xx % col_w, yy % floor_h
        win = (fx > (col_w - ww) / 2) & (fx < (col_w + ww) / 2) & (fy > 2.0) & (fy < 2.0 + wh)
        lit = (rng.uniform(0, 1, (int(bh / floor_h) + 2, int(bw / col_w) + 2)) < 0.12)[
            (yy / floor_h).astype(int), (xx / col_w).astype(int)
        ]
        glass = _lerp(sky_col * 0.7, sky_col * 0.3, (yy / bh)[..., None])
        glass = np.where(lit[..., None], _rgb(0.85, 0.78, 0.55), glass)
        img = np.where(win[..., None], glass, img)
        ledge = (yy % floor_h) < 1.0
        img = np.where(ledge[..., None], img * 0.8, img)
    img *= (1.0 - 0.25 * (yy / bh))[..., None] ** 1.5  # darker towards the street
    return _lerp(np.clip(img, 0, 1), haze, fog)


def _draw_trees(img: np.ndarray, rng: np.random.Generator, ground: int, n_trees: int, size: float) -> np.ndarray:
    """Deciduous trees along a line: trunks and crowns built from many small lit leaf clusters."""
    h, w = img.shape[:2]
    cover = Image.new("L", (w, h), 0)
    tone = Image.new("L", (w, h), 0)
    cd, td = ImageDraw.Draw(cover), ImageDraw.Draw(tone)
    for _ in range(n_trees):
        x = rng.uniform(-0.02, 1.02) * w
        radius = size * rng.uniform(0.6, 1.1)
        cy = ground - radius * rng.uniform(1.1, 1.6)
        cd.rectangle((x - radius * 0.06, cy, x + radius * 0.06, ground), fill=255)
        td.rectangle((x - radius * 0.06, cy, x + radius * 0.06, ground), fill=20)
        for _ in range(160):
            ang, rad = rng.uniform(0, 2 * np.pi), radius * np.sqrt(rng.uniform())
            px, py = x + rad * np.cos(ang) * 1.1, cy + rad * np.sin(ang) * 0.9
            r = radius * rng.uniform(0.08, 0.2)
            lit = 0.5 - 0.5 * ((px - x) * 0.6 + (py - cy)) / radius  # light from the upper left
            cd.ellipse((px - r, py - r, px + r, py + r), fill=255)
            td.ellipse((px - r, py - r, px + r, py + r), fill=int(np.clip(40 + 170 * lit + rng.normal(0, 25), 10, 255)))
    mask = ndimage.gaussian_filter(to_float(cover), 0.7)[..., None]
    t = to_float(tone)[..., None]
    col = _lerp(_rgb(0.04, 0.08, 0.03), _rgb(0.36, 0.46, 0.18), t)
    col *= (0.85 + 0.3 * spectral_noise((h, w), rng, beta=0.7))[..., None]
    return _lerp(img, col, mask)


def gen_city_skyline(seed: int) -> Image.Image:
    """High-rise skyline across a river: glass and concrete towers, embankment trees, reflections."""
    rng = _rng(seed)
    out_w, out_h = 512, 384
    w, h = out_w * SUPERSAMPLE, out_h * SUPERSAMPLE
    water_y = int(h * 0.74)
    sky_top, sky_low = _rgb(0.25, 0.45, 0.75), _rgb(0.80, 0.86, 0.92)
    img = sky(h, w, water_y, rng, top=sky_top, low=sky_low, cloud_cover=0.5, sun=(w * 0.85, h * 0.08))
    haze = sky_low * 0.97
    ground = water_y - int(0.05 * h)
    for layer, (count, hmin, hmax, fog) in enumerate(
        ((28, 0.12, 0.30, 0.62), (18, 0.15, 0.50, 0.32), (11, 0.18, 0.62, 0.08))
    ):
        xs = np.sort(rng.uniform(-0.05, 1.0, count)) * w
        for x in xs:
            bw = int(rng.uniform(0.035, 0.09) * w * (1.0 + 0.3 * layer))
            bh = int(rng.uniform(hmin, hmax) * h)
            x0, top = int(x), ground - bh
            side = int(bw * rng.uniform(0.15, 0.35))  # a shaded side wall gives depth
            face = _tower(rng, bw, bh, sky_low, haze, fog)
            shade = _lerp(face * _rgb(0.55, 0.58, 0.66), haze, fog * 0.8)
            for img_part, xa in ((shade[:, :side], x0 + bw), (face, x0)):
                xa0, xa1 = max(0, xa), min(w, xa + img_part.shape[1])
                if xa1 > xa0:
                    img[max(0, top) : ground, xa0:xa1] = img_part[max(0, -top) :, xa0 - xa : xa1 - xa]
            if rng.uniform() < 0.5:  # a setback crown or a mast
                cw = int(bw * rng.uniform(0.3, 0.7))
                ch = int(bh * rng.uniform(0.05, 0.15))
                cx0 = x0 + (bw - cw) // 2
                crown = _tower(rng, cw, ch, sky_low, haze, fog)
                if top - ch > 0 and cx0 >= 0 and cx0 + cw < w:
                    img[top - ch : top, cx0 : cx0 + cw] = crown
                    mast_h = int(rng.uniform(0.0, 0.08) * h)
                    mx = cx0 + cw // 2
                    if mast_h > 0 and top - ch - mast_h > 0:
                        img[top - ch - mast_h : top - ch, mx - 2 : mx + 2] = _lerp(_rgb(0.3, 0.3, 0.32), haze, fog)
    # embankment: a stone wall and a row of trees
    wall = brick_texture(w, water_y - ground, rng, (0.62, 0.58, 0.52), scale=0.3)
    img[ground:water_y] = wall * 0.8
    img = _draw_trees(img, rng, ground, n_trees=int(w / (0.03 * h)), size=0.05 * h)
    # the river: a rippled, darkened reflection of everything above the water line
    rows = np.arange(water_y, h)
    depth = (rows - water_y + 1.0)[:, None]
    ripple = spectral_noise((h - water_y, w), rng, beta=2.0, stretch=(1.0, 0.12)) - 0.5
    src_r = np.clip(2 * water_y - rows[:, None] - 1 + ripple * 0.6 * np.sqrt(depth) * 3, 0, water_y - 1)
    src_c = np.clip(np.arange(w)[None, :] + ripple * 1.2 * np.sqrt(depth), 0, w - 1)
    src_r, src_c = np.broadcast_arrays(src_r, src_c)
    refl = sample_field(img, src_r, src_c)
    refl = ndimage.uniform_filter1d(refl, 5, axis=0)
    water = _lerp(_rgb(0.08, 0.14, 0.17), refl, (0.75 - 0.35 * (depth / (h - water_y)))[..., None])
    img[water_y:] = water
    img = _grain(img, rng, 0.006)
    return shrink(img, (out_w, out_h))


# --------------------------------------------------------------------------------------------
# Indoor scenes
# --------------------------------------------------------------------------------------------


def box_faces(
    view: View, x0: float, x1: float, y0: float, y1: float, z0: float, z1: float
) -> list[tuple[str, list[tuple[float, float, float]]]]:
    """The faces of an axis-aligned box that the camera sees, as (name, corners TL, TR, BR, BL)."""
    faces: list[tuple[str, list[tuple[float, float, float]]]] = []
    if x0 > 0:
        faces.append(("side", [(x0, y1, z1), (x0, y1, z0), (x0, y0, z0), (x0, y0, z1)]))
    elif x1 < 0:
        faces.append(("side", [(x1, y1, z0), (x1, y1, z1), (x1, y0, z1), (x1, y0, z0)]))
    if y1 < view.eye:
        faces.append(("top", [(x0, y1, z1), (x1, y1, z1), (x1, y1, z0), (x0, y1, z0)]))
    elif y0 > view.eye:
        faces.append(("bottom", [(x0, y0, z0), (x1, y0, z0), (x1, y0, z1), (x0, y0, z1)]))
    faces.append(("front", [(x0, y1, z0), (x1, y1, z0), (x1, y0, z0), (x0, y0, z0)]))
    return faces


def textured_box(
    canvas: Image.Image,
    view: View,
    bounds: tuple[float, float, float, float, float, float],
    texture: Callable[[str, int, int], np.ndarray],
    ppm: float = 120.0,
) -> None:
    """Draw a box whose visible faces are textured by ``texture(face_name, h_px, w_px)``.

    Faces are shaded by their orientation (top brightest, sides darker), like diffuse light from above.
    """
    light = {"top": 1.0, "front": 0.82, "side": 0.64, "bottom": 0.45}
    for name, corners in box_faces(view, *bounds):
        (ax, ay, az), (bx, by, bz), (cx_, cy_, cz) = corners[0], corners[1], corners[2]
        width_m = math.dist((ax, ay, az), (bx, by, bz))
        height_m = math.dist((bx, by, bz), (cx_, cy_, cz))
        tw, th = max(2, int(width_m * ppm)), max(2, int(height_m * ppm))
        tex = texture(name, th, tw) * light[name]
        paste_plane(canvas, np.clip(tex, 0, 1), corners, view)


def wood_texture(
    h: int,
    w: int,
    rng: np.random.Generator,
    colour: Sequence[float],
    *,
    plank_px: int | None = None,
    along_rows: bool = True,
) -> np.ndarray:
    """Wood: grain stretched along the boards, per-board tone, dark joints when ``plank_px`` is given."""
    grain = spectral_noise((h, w), rng, beta=1.8, stretch=(0.06, 1.0) if along_rows else (1.0, 0.06))
    rings = np.sin(grain * 40.0) * 0.5 + 0.5
    tone = 0.85 + 0.12 * grain + 0.06 * rings
    if plank_px:
        idx = (np.arange(w) // plank_px) if along_rows else (np.arange(h) // plank_px)
        per = rng.uniform(0.8, 1.12, idx.max() + 1)[idx]
        tone = tone * (per[None, :] if along_rows else per[:, None])
        # staggered butt joints along each board
        seam = np.zeros((h, w), dtype=bool)
        pos = np.arange(w) if along_rows else np.arange(h)
        joint = (pos % plank_px) < max(1, plank_px // 40)
        seam |= joint[None, :] if along_rows else joint[:, None]
        for b in range(idx.max() + 1):
            period = int(rng.uniform(6.0, 10.0) * plank_px)
            off = int(rng.integers(0, period))
            lines = np.arange(off, h if along_rows else w, period)
            sl = slice(b * plank_px, (b + 1) * plank_px)
            for ln in lines:
                if along_rows:
                    seam[ln : ln + max(1, plank_px // 40), sl] = True
                else:
                    seam[sl, ln : ln + max(1, plank_px // 40)] = True
        tone = np.where(seam, tone * 0.45, tone)
    return np.asarray(colour)[None, None, :] * tone[..., None]


def fabric_texture(h: int, w: int, rng: np.random.Generator, colour: Sequence[float]) -> np.ndarray:
    """Woven upholstery: a fine twill plus slow blotches (wear and folds)."""
    yy, xx = np.mgrid[0:h, 0:w]
    weave = ((xx + yy) % 4 < 2).astype(np.float64)
    blotch = spectral_noise((h, w), rng, beta=2.8)
    tone = 0.82 + 0.05 * weave + 0.22 * blotch + 0.03 * rng.normal(0, 1, (h, w))
    return np.asarray(colour)[None, None, :] * tone[..., None]


def bookshelf_texture(h: int, w: int, rng: np.random.Generator, wood: np.ndarray) -> np.ndarray:
    """A bookcase seen from the front: wooden shelves and rows of book spines of many colours."""
    img = wood.copy() * 0.55
    shelves = 5
    board = max(3, h // 45)
    spines = [
        (0.55, 0.12, 0.10),
        (0.12, 0.22, 0.40),
        (0.80, 0.72, 0.52),
        (0.15, 0.35, 0.22),
        (0.85, 0.80, 0.70),
        (0.35, 0.20, 0.35),
        (0.90, 0.55, 0.15),
        (0.20, 0.20, 0.22),
        (0.60, 0.60, 0.58),
        (0.70, 0.25, 0.20),
    ]
    im = Image.fromarray((np.clip(img, 0, 1) * 255).astype(np.uint8))
    d = ImageDraw.Draw(im)
    shelf_h = h / shelves
    for s_i in range(shelves):
        y_bottom = int((s_i + 1) * shelf_h) - board
        y_top = int(s_i * shelf_h) + board
        x = float(board)
        while x < w - board:
            bw = rng.uniform(0.012, 0.03) * w
            if rng.uniform() < 0.06:
                x += bw * 2  # a gap on the shelf
                continue
            bh = (y_bottom - y_top) * rng.uniform(0.62, 0.95)
            col = np.array(spines[int(rng.integers(0, len(spines)))]) * rng.uniform(0.7, 1.1)
            c = tuple(int(np.clip(v, 0, 1) * 255) for v in col)
            d.rectangle((x, y_bottom - bh, x + bw - 1, y_bottom), fill=c)
            band = tuple(int(np.clip(v * 0.6 + 0.35, 0, 1) * 255) for v in col)
            for yb in (y_bottom - bh * 0.85, y_bottom - bh * 0.2):
                d.rectangle((x + 1, yb, x + bw - 2, yb + max(1, bh * 0.03)), fill=band)
            x += bw
        d.rectangle((0, y_bottom, w, y_bottom + board), fill=tuple(int(v * 255) for v in wood[0, 0] * 0.9))
    arr = to_float(im)
    arr[:, :board] = wood[:, :board]
    arr[:, -board:] = wood[:, -board:]
    return arr


def _outside_view(h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    """What a window shows: sky, a far hazy hill line and a few garden trees."""
    img = sky(h, w, h * 0.7, rng, top=(0.35, 0.55, 0.85), low=(0.85, 0.9, 0.95), cloud_cover=0.4)
    hill = h * 0.62 - h * 0.12 * fbm_1d(w, rng, beta=2.2)
    rows = np.arange(h)[:, None]
    img = np.where((rows > hill[None, :])[..., None], _rgb(0.55, 0.65, 0.62), img)
    img[int(h * 0.8) :] = _rgb(0.35, 0.48, 0.2) * (0.85 + 0.3 * spectral_noise((h - int(h * 0.8), w), rng))[..., None]
    return _draw_trees(img, rng, int(h * 0.82), n_trees=6, size=0.18 * h)


def gen_living_room(seed: int) -> Image.Image:
    """A living room in one-point perspective: plank floor, window, bookcase, sofa, table, picture."""
    rng = _rng(seed)
    out_w, out_h = 512, 384
    w, h = out_w * SUPERSAMPLE, out_h * SUPERSAMPLE
    view = View(w, h, focal=w / 1.45, eye=1.35, cx=w * 0.52, cy=h * 0.47)
    half_w, ceil_h, depth, near, ppm = 2.9, 2.7, 6.5, 0.8, 110.0
    canvas = Image.new("RGB", (w, h), (200, 200, 200))

    def plane_fade(th: int, tw: int, corner_dark: float = 0.25) -> np.ndarray:
        """Ambient occlusion: darker towards the edges of a wall, where it meets the next."""
        yy = np.minimum(np.arange(th), np.arange(th)[::-1])[:, None] / th
        xx = np.minimum(np.arange(tw), np.arange(tw)[::-1])[None, :] / tw
        return 1.0 - corner_dark * (np.exp(-yy / 0.05) + np.exp(-xx / 0.05)).clip(0, 1)

    # floor: oak planks running away from the camera, a sunny patch from the window, a rug
    fw, fd = int(2 * half_w * ppm), int((depth - near) * ppm)
    floor = wood_texture(fd, fw, rng, (0.62, 0.44, 0.28), plank_px=int(0.16 * ppm), along_rows=True)
    yy, xx = np.mgrid[0:fd, 0:fw]
    zf = depth - yy / ppm  # world z of each floor-texture row
    xf = -half_w + xx / ppm
    sun = _smoothstep(0.6, 0.2, np.abs((xf + half_w) - 1.3 - 0.35 * (zf - 3.0)) - 0.55) * _smoothstep(
        0.35, 0.1, np.abs(zf - 3.2) - 0.9
    )
    floor *= (0.75 + 0.55 * sun)[..., None]
    rug = (np.abs(xf - 0.3) < 1.3) & (np.abs(zf - 3.9) < 0.9)
    ring = rug & ((np.abs(np.abs(xf - 0.3) - 1.15) < 0.06) | (np.abs(np.abs(zf - 3.9) - 0.75) < 0.06))
    motif = (np.sin(xf * 14) * np.sin(zf * 14) > 0.3) & rug
    rug_col = np.where(ring[..., None], _rgb(0.85, 0.78, 0.6), _rgb(0.55, 0.14, 0.12))
    rug_col = np.where(motif[..., None] & ~ring[..., None], _rgb(0.25, 0.12, 0.2), rug_col)
    rug_col = rug_col * (0.8 + 0.3 * spectral_noise((fd, fw), rng, beta=1.0))[..., None]
    floor = np.where(rug[..., None], rug_col * (0.75 + 0.55 * sun)[..., None], floor)
    shadow = np.exp(-(((xf - 0.4) / 1.3) ** 4 + ((zf - 5.6) / 0.7) ** 4))  # under the sofa
    floor *= (1.0 - 0.45 * shadow)[..., None]
    floor = prefilter_along(floor, ppm * zf[:, 0] ** 2 / (view.focal * view.eye), ppm * zf[:, 0] / view.focal, axis=0)
    paste_plane(canvas, floor, [(-half_w, 0, depth), (half_w, 0, depth), (half_w, 0, near), (-half_w, 0, near)], view)
    # ceiling
    cw_, cd_ = int(2 * half_w * 40), int((depth - near) * 40)
    ceil = np.full((cd_, cw_, 3), 0.86) * plane_fade(cd_, cw_, 0.3)[..., None]
    ceil *= (0.9 + 0.1 * spectral_noise((cd_, cw_), rng, beta=2.5))[..., None]
    paste_plane(
        canvas,
        ceil,
        [(-half_w, ceil_h, near), (half_w, ceil_h, near), (half_w, ceil_h, depth), (-half_w, ceil_h, depth)],
        view,
    )
    wall_col = (0.80, 0.76, 0.66)
    # back wall: a framed picture and a door
    bw_, bh_ = int(2 * half_w * ppm), int(ceil_h * ppm)
    back = plaster_texture(bw_, bh_, rng, wall_col) * plane_fade(bh_, bw_)[..., None]
    pic = to_float(gen_misty_ridges(seed + 100).resize((int(1.3 * ppm), int(0.95 * ppm)), Image.Resampling.LANCZOS))
    px0, py0 = int(1.6 * ppm), int(0.55 * ppm)
    fr = int(0.06 * ppm)
    back[py0 - fr : py0 + pic.shape[0] + fr, px0 - fr : px0 + pic.shape[1] + fr] = _rgb(0.15, 0.1, 0.06)
    back[py0 : py0 + pic.shape[0], px0 : px0 + pic.shape[1]] = pic
    back[py0 + pic.shape[0] + fr : py0 + pic.shape[0] + 2 * fr, px0 - fr : px0 + pic.shape[1] + fr] *= 0.8
    dx0, dx1, dy0 = int(4.3 * ppm), int(5.2 * ppm), int((ceil_h - 2.05) * ppm)
    door = wood_texture(bh_ - dy0, dx1 - dx0, rng, (0.9, 0.88, 0.84), along_rows=False)
    for a, b, c, d in ((0.12, 0.45, 0.12, 0.88), (0.55, 0.92, 0.12, 0.88)):
        ya, yb = int(a * door.shape[0]), int(b * door.shape[0])
        xa, xb = int(c * door.shape[1]), int(d * door.shape[1])
        door[ya:yb, xa:xb] *= 0.93
        door[ya : ya + 3, xa:xb] *= 0.7
        door[ya:yb, xa : xa + 3] *= 0.75
    back[dy0:, dx0:dx1] = door
    back[dy0 - 8 : dy0, dx0 - 8 : dx1 + 8] = 0.95
    hy = dy0 + int(1.05 * ppm)
    back[hy : hy + 10, dx0 + 12 : dx0 + 45] = _rgb(0.7, 0.6, 0.3)
    paste_plane(
        canvas, back, [(-half_w, ceil_h, depth), (half_w, ceil_h, depth), (half_w, 0, depth), (-half_w, 0, depth)], view
    )
    # left wall with a window; right wall with a bookcase
    lw, lh = int((depth - near) * ppm), int(ceil_h * ppm)
    left = plaster_texture(lw, lh, rng, wall_col) * 1.05 * plane_fade(lh, lw)[..., None]
    wx0, wx1, wy0, wy1 = int((3.4 - near) * ppm), int((5.0 - near) * ppm), int(0.45 * ppm), int(1.85 * ppm)
    left[wy0:wy1, wx0:wx1] = _outside_view(wy1 - wy0, wx1 - wx0, rng)
    frame = int(0.07 * ppm)
    white = _rgb(0.95, 0.95, 0.93)
    left[wy0 - frame : wy0, wx0 - frame : wx1 + frame] = white
    left[wy1 : wy1 + frame, wx0 - frame : wx1 + frame] = white
    left[wy0:wy1, wx0 - frame : wx0] = white
    left[wy0:wy1, wx1 : wx1 + frame] = white
    mid = (wx0 + wx1) // 2
    left[wy0:wy1, mid - frame // 2 : mid + frame // 2] = white
    left[(wy0 + wy1) // 2 - frame // 3 : (wy0 + wy1) // 2 + frame // 3, wx0:wx1] = white
    left[wy1 + frame : wy1 + frame + 10, wx0 - 2 * frame : wx1 + 2 * frame] = 0.75  # sill
    z_cols = near + np.arange(lw) / ppm
    left = prefilter_along(left, ppm * z_cols**2 / (view.focal * half_w), ppm * z_cols / view.focal, axis=1)
    paste_plane(
        canvas, left, [(-half_w, ceil_h, near), (-half_w, ceil_h, depth), (-half_w, 0, depth), (-half_w, 0, near)], view
    )
    right = plaster_texture(lw, lh, rng, wall_col) * 0.85 * plane_fade(lh, lw)[..., None]
    right = right[:, ::-1]
    shelf_wood = wood_texture(int(2.2 * ppm), int(2.6 * ppm), rng, (0.45, 0.30, 0.18), along_rows=False)
    shelf = bookshelf_texture(int(2.2 * ppm), int(2.6 * ppm), rng, shelf_wood) * 0.9
    sx0 = int((depth - 5.7) * ppm)  # texture columns run from the far end (left) to the near end
    right[lh - shelf.shape[0] :, sx0 : sx0 + shelf.shape[1]] = shelf
    z_cols = depth - np.arange(lw) / ppm
    right = prefilter_along(right, ppm * z_cols**2 / (view.focal * half_w), ppm * z_cols / view.focal, axis=1)
    paste_plane(
        canvas, right, [(half_w, ceil_h, depth), (half_w, ceil_h, near), (half_w, 0, near), (half_w, 0, depth)], view
    )
    # furniture, far to near
    sofa_col = (0.30, 0.42, 0.50)

    def sofa_tex(face: str, th: int, tw: int) -> np.ndarray:
        return fabric_texture(th, tw, rng, sofa_col)

    def oak(face: str, th: int, tw: int) -> np.ndarray:
        return wood_texture(th, tw, rng, (0.55, 0.36, 0.2), along_rows=face != "front")

    sx, sz = -0.75, 5.4
    textured_box(canvas, view, (sx, sx + 2.3, 0.0, 0.85, sz + 0.45, sz + 0.95), sofa_tex)  # back rest
    textured_box(canvas, view, (sx, sx + 2.3, 0.1, 0.45, sz - 0.35, sz + 0.5), sofa_tex)  # seat base
    for cx0 in (sx + 0.2, sx + 1.15):  # cushions
        textured_box(canvas, view, (cx0, cx0 + 0.95, 0.45, 0.6, sz - 0.3, sz + 0.45), sofa_tex)
    for ax0 in (sx - 0.05, sx + 2.1):  # arms
        textured_box(canvas, view, (ax0, ax0 + 0.25, 0.1, 0.65, sz - 0.4, sz + 0.95), sofa_tex)
    # coffee table
    tx, tz = -0.3, 3.6
    for lx, lz in ((tx + 0.05, tz + 0.55), (tx + 1.15, tz + 0.55), (tx + 0.05, tz + 0.05), (tx + 1.15, tz + 0.05)):
        textured_box(canvas, view, (lx, lx + 0.06, 0.0, 0.4, lz, lz + 0.06), oak)
    textured_box(canvas, view, (tx, tx + 1.3, 0.4, 0.45, tz, tz + 0.7), oak)
    draw = ImageDraw.Draw(canvas)
    # a mug and a book on the table
    textured_box(
        canvas,
        view,
        (tx + 0.2, tx + 0.5, 0.45, 0.49, tz + 0.2, tz + 0.42),
        lambda f, th, tw: np.broadcast_to(_rgb(0.75, 0.2, 0.15), (th, tw, 3)).copy(),
    )
    mx, my = view.project(tx + 0.95, 0.45, tz + 0.3)
    mr = view.focal * 0.05 / (tz + 0.3)
    draw.rectangle((mx - mr, my - 2.2 * mr, mx + mr, my), fill=(235, 232, 225))
    draw.ellipse((mx - mr, my - 2.5 * mr, mx + mr, my - 1.9 * mr), fill=(90, 60, 40))
    # a pendant lamp
    lx_, ly_ = view.project(0.3, 2.0, 4.0)
    top_x, top_y = view.project(0.3, ceil_h, 4.0)
    draw.line((top_x, top_y, lx_, ly_), fill=(40, 40, 40), width=3)
    r = view.focal * 0.25 / 4.0
    draw.pieslice((lx_ - r, ly_ - r * 0.2, lx_ + r, ly_ + r * 1.4), 180, 360, fill=(240, 232, 205))
    # a floor plant in the near left corner
    img = to_float(canvas)
    px_, py_ = view.project(-2.2, 0.0, 2.4)
    pot_r = view.focal * 0.22 / 2.4
    plant = Image.new("L", (w, h), 0)
    tone = Image.new("L", (w, h), 0)
    pd_, td_ = ImageDraw.Draw(plant), ImageDraw.Draw(tone)
    pd_.polygon(
        [
            (px_ - pot_r, py_ - 1.6 * pot_r),
            (px_ + pot_r, py_ - 1.6 * pot_r),
            (px_ + 0.75 * pot_r, py_),
            (px_ - 0.75 * pot_r, py_),
        ],
        fill=255,
    )
    td_.polygon(
        [
            (px_ - pot_r, py_ - 1.6 * pot_r),
            (px_ + pot_r, py_ - 1.6 * pot_r),
            (px_ + 0.75 * pot_r, py_),
            (px_ - 0.75 * pot_r, py_),
        ],
        fill=1,
    )
    for _ in range(40):  # long leaves fanning out
        ang = rng.uniform(-2.6, -0.5)
        ln = pot_r * rng.uniform(2.0, 4.5)
        bx, by = px_ + rng.normal(0, pot_r * 0.2), py_ - 1.6 * pot_r
        ex, ey = bx + ln * math.cos(ang), by + ln * math.sin(ang)
        nx, ny = -(ey - by) / ln * pot_r * 0.18, (ex - bx) / ln * pot_r * 0.18
        mx_, my_ = (bx + ex) / 2, (by + ey) / 2
        leaf = [(bx, by), (mx_ + nx, my_ + ny), (ex, ey), (mx_ - nx, my_ - ny)]
        pd_.polygon(leaf, fill=255)
        td_.polygon(leaf, fill=int(rng.uniform(60, 255)))
    pm = ndimage.gaussian_filter(to_float(plant), 0.7)[..., None]
    tv = to_float(tone)[..., None]
    plant_col = np.where(tv < 0.01, _rgb(0.75, 0.45, 0.3), _lerp(_rgb(0.05, 0.15, 0.05), _rgb(0.3, 0.55, 0.2), tv))
    img = _lerp(img, plant_col, pm)
    img = _grain(img, rng, 0.008)
    return shrink(img, (out_w, out_h))


def tile_texture(
    h: int,
    w: int,
    rng: np.random.Generator,
    tile_px: int,
    colours: Sequence[Sequence[float]],
    grout: Sequence[float],
    *,
    checker: bool = False,
) -> np.ndarray:
    """Ceramic tiles with grout lines; glossy tiles vary a little in tone, one colour or a checkerboard."""
    yy, xx = np.mgrid[0:h, 0:w]
    iy, ix = yy // tile_px, xx // tile_px
    which = ((iy + ix) % 2) if checker else np.zeros_like(iy)
    cols = np.asarray(colours, dtype=np.float64)[which % len(colours)]
    per = rng.uniform(0.92, 1.06, (iy.max() + 1, ix.max() + 1))[iy, ix]
    fy, fx = yy % tile_px, xx % tile_px
    g = max(1, tile_px // 14)
    is_grout = (fy < g) | (fx < g)
    bevel = np.clip(1.0 - 0.15 * np.exp(-np.minimum(fy, fx) / (tile_px * 0.06)), 0, 1)
    sheen = 1.0 + 0.05 * spectral_noise((h, w), rng, beta=2.0)
    img = cols * (per * bevel * sheen)[..., None]
    return np.where(is_grout[..., None], np.asarray(grout), img)


def cabinet_front(
    h: int, w: int, rng: np.random.Generator, colour: Sequence[float], doors: int, drawer: bool = True
) -> np.ndarray:
    """Painted cabinet fronts: framed door panels with shadow lines and metal bar handles."""
    img = np.asarray(colour)[None, None, :] * (0.95 + 0.05 * spectral_noise((h, w), rng, beta=2.5))[..., None]
    im = Image.fromarray((np.clip(img, 0, 1) * 255).astype(np.uint8))
    d = ImageDraw.Draw(im)
    dark = tuple(int(v * 255 * 0.55) for v in colour)
    light = tuple(int(min(1.0, v * 1.15) * 255) for v in colour)
    top = int(h * 0.22) if drawer else 0
    gap = max(2, w // 150)
    for k in range(doors):
        x0, x1 = int(k * w / doors) + gap, int((k + 1) * w / doors) - gap
        if drawer:
            d.rectangle((x0, gap, x1, top - gap), outline=dark, width=gap)
            d.rectangle(
                ((x0 + x1) // 2 - w // 20, top // 2 - 2, (x0 + x1) // 2 + w // 20, top // 2 + 3), fill=(170, 170, 175)
            )
        d.rectangle((x0, top + gap, x1, h - gap), outline=dark, width=gap)
        m = max(4, (x1 - x0) // 8)
        d.rectangle((x0 + m, top + m, x1 - m, h - m), outline=dark, width=max(1, gap // 2))
        d.line((x0 + m, h - m, x1 - m, h - m), fill=light, width=max(1, gap // 2))
        hx = x1 - m // 2 if k % 2 == 0 else x0 + m // 2
        d.rectangle((hx - 2, top + m, hx + 3, top + m + (h - top) // 4), fill=(180, 180, 185))
    return to_float(im)


def gen_kitchen(seed: int) -> Image.Image:
    """A kitchen: checkered floor tiles, tiled splashback, cabinets, a window with blinds, a table."""
    rng = _rng(seed)
    out_w, out_h = 512, 384
    w, h = out_w * SUPERSAMPLE, out_h * SUPERSAMPLE
    view = View(w, h, focal=w / 1.4, eye=1.5, cx=w * 0.45, cy=h * 0.45)
    half_w, ceil_h, depth, near, ppm = 2.6, 2.6, 6.0, 0.8, 110.0
    canvas = Image.new("RGB", (w, h), (200, 200, 200))
    fw, fd = int(2 * half_w * ppm), int((depth - near) * ppm)
    floor = tile_texture(
        fd, fw, rng, int(0.4 * ppm), [(0.88, 0.86, 0.82), (0.25, 0.26, 0.28)], (0.55, 0.53, 0.5), checker=True
    )
    zf = depth - np.arange(fd) / ppm
    xf = -half_w + np.arange(fw) / ppm
    light = 0.75 + 0.35 * np.exp(-((xf[None, :] + 0.2) ** 2 + (zf[:, None] - 3.5) ** 2) / 6.0)
    floor *= light[..., None]
    floor *= (1.0 - 0.4 * np.exp(-(zf[:, None] - 5.45).clip(0, None) / 0.3) * (zf[:, None] > 5.2))[..., None]
    floor = prefilter_along(floor, ppm * zf**2 / (view.focal * view.eye), ppm * zf / view.focal, axis=0)
    paste_plane(canvas, floor, [(-half_w, 0, depth), (half_w, 0, depth), (half_w, 0, near), (-half_w, 0, near)], view)
    cw_, cd_ = int(2 * half_w * 40), int((depth - near) * 40)
    ceil = np.full((cd_, cw_, 3), 0.9) * (0.95 + 0.05 * spectral_noise((cd_, cw_), rng, beta=2.5))[..., None]
    paste_plane(
        canvas,
        ceil,
        [(-half_w, ceil_h, near), (half_w, ceil_h, near), (half_w, ceil_h, depth), (-half_w, ceil_h, depth)],
        view,
    )
    wall_col = (0.86, 0.86, 0.80)
    bw_, bh_ = int(2 * half_w * ppm), int(ceil_h * ppm)
    back = plaster_texture(bw_, bh_, rng, wall_col)
    splash_top, splash_bot = int((ceil_h - 1.55) * ppm), int((ceil_h - 0.9) * ppm)
    back[splash_top:splash_bot] = tile_texture(
        splash_bot - splash_top, bw_, rng, int(0.1 * ppm), [(0.35, 0.55, 0.6)], (0.85, 0.85, 0.82)
    )
    # window with venetian blinds, half raised
    wx0, wx1, wy0, wy1 = int(3.5 * ppm), int(4.8 * ppm), int(0.35 * ppm), splash_top - int(0.08 * ppm)
    outside = _outside_view(wy1 - wy0, wx1 - wx0, rng)
    slat = max(6, int(0.045 * ppm))
    blind_end = int((wy1 - wy0) * 0.45)
    rows = np.arange(wy1 - wy0)[:, None]
    slats = ((rows % slat) / slat)[..., None]
    blind = _lerp(_rgb(0.93, 0.92, 0.88), _rgb(0.65, 0.64, 0.6), slats)
    outside = np.where((rows < blind_end)[..., None], blind, outside)
    back[wy0:wy1, wx0:wx1] = outside
    fr = int(0.06 * ppm)
    back[wy0 - fr : wy0, wx0 - fr : wx1 + fr] = 0.95
    back[wy1 : wy1 + fr, wx0 - fr : wx1 + fr] = 0.95
    back[wy0:wy1, wx0 - fr : wx0] = 0.95
    back[wy0:wy1, wx1 : wx1 + fr] = 0.95
    # a wall clock
    cxk, cyk, rk = int(0.65 * ppm), int(0.75 * ppm), int(0.2 * ppm)
    yy, xx = np.mgrid[0:bh_, 0:bw_]
    dk = np.hypot(yy - cyk, xx - cxk)
    back = np.where((dk < rk)[..., None], _rgb(0.97, 0.97, 0.95), back)
    back = np.where(((dk >= rk) & (dk < rk + 8))[..., None], _rgb(0.1, 0.1, 0.1), back)
    clock = Image.fromarray((np.clip(back, 0, 1) * 255).astype(np.uint8))
    ck = ImageDraw.Draw(clock)
    for k in range(12):
        a = k * math.pi / 6
        ck.line(
            (
                cxk + 0.8 * rk * math.sin(a),
                cyk - 0.8 * rk * math.cos(a),
                cxk + 0.92 * rk * math.sin(a),
                cyk - 0.92 * rk * math.cos(a),
            ),
            fill=(20, 20, 20),
            width=4,
        )
    ck.line((cxk, cyk, cxk + 0.5 * rk * math.sin(2.1), cyk - 0.5 * rk * math.cos(2.1)), fill=(20, 20, 20), width=6)
    ck.line((cxk, cyk, cxk + 0.75 * rk * math.sin(5.2), cyk - 0.75 * rk * math.cos(5.2)), fill=(20, 20, 20), width=4)
    back = to_float(clock)
    paste_plane(
        canvas, back, [(-half_w, ceil_h, depth), (half_w, ceil_h, depth), (half_w, 0, depth), (-half_w, 0, depth)], view
    )
    lw, lh = int((depth - near) * ppm), int(ceil_h * ppm)
    for side in (-1, 1):
        wall = plaster_texture(lw, lh, rng, wall_col) * (1.0 if side < 0 else 0.85)
        z_cols = near + np.arange(lw) / ppm
        if side > 0:
            z_cols = z_cols[::-1]
        wall = prefilter_along(wall, ppm * z_cols**2 / (view.focal * half_w), ppm * z_cols / view.focal, axis=1)
        x = side * half_w
        if side < 0:
            corners = [(x, ceil_h, near), (x, ceil_h, depth), (x, 0, depth), (x, 0, near)]
        else:
            corners = [(x, ceil_h, depth), (x, ceil_h, near), (x, 0, near), (x, 0, depth)]
        paste_plane(canvas, wall, corners, view)
    # cabinets along the back wall and the right wall, with a worktop
    paint = (0.72, 0.78, 0.74)

    def base_unit(doors: int, door_face: str = "front") -> Callable[[str, int, int], np.ndarray]:
        def tex(face: str, th: int, tw: int) -> np.ndarray:
            if face == door_face:
                return cabinet_front(th, tw, rng, paint, doors)
            return np.broadcast_to(np.asarray(paint), (th, tw, 3)) * 0.95

        return tex

    def worktop(face: str, th: int, tw: int) -> np.ndarray:
        return wood_texture(th, tw, rng, (0.62, 0.46, 0.3), along_rows=False)

    def wall_unit(face: str, th: int, tw: int) -> np.ndarray:
        if face == "front":
            return cabinet_front(th, tw, rng, paint, 2, drawer=False)
        return np.broadcast_to(np.asarray(paint), (th, tw, 3)) * 0.9

    textured_box(canvas, view, (1.5, half_w, 0.0, 0.88, 1.6, depth - 0.6), base_unit(5, "side"))  # right run
    textured_box(canvas, view, (1.45, half_w, 0.88, 0.92, 1.55, depth - 0.6), worktop)
    textured_box(canvas, view, (-half_w, half_w, 0.0, 0.88, depth - 0.6, depth), base_unit(6))
    textured_box(canvas, view, (-half_w, half_w, 0.88, 0.92, depth - 0.65, depth), worktop)
    textured_box(canvas, view, (-1.2, 0.75, 1.75, 2.45, depth - 0.35, depth), wall_unit)
    # table and chairs in the middle
    oak = (0.55, 0.38, 0.22)

    def wood_box(face: str, th: int, tw: int) -> np.ndarray:
        return wood_texture(th, tw, rng, oak, along_rows=face == "top")

    tx, tz = -0.9, 2.6
    for cx0, cz0 in ((tx - 0.55, tz + 0.25), (tx + 1.55, tz + 0.25)):
        for lx, lz in ((0, 0), (0.4, 0), (0, 0.4), (0.4, 0.4)):
            textured_box(canvas, view, (cx0 + lx, cx0 + lx + 0.04, 0.0, 0.45, cz0 + lz, cz0 + lz + 0.04), wood_box)
        textured_box(canvas, view, (cx0, cx0 + 0.44, 0.45, 0.49, cz0, cz0 + 0.44), wood_box)
        bx0 = cx0 if cx0 < tx else cx0 + 0.4
        textured_box(canvas, view, (bx0, bx0 + 0.04, 0.49, 0.95, cz0, cz0 + 0.44), wood_box)
    for lx, lz in ((0.05, 0.05), (1.3, 0.05), (0.05, 0.8), (1.3, 0.8)):
        textured_box(canvas, view, (tx + lx, tx + lx + 0.06, 0.0, 0.72, tz + lz, tz + lz + 0.06), wood_box)
    textured_box(canvas, view, (tx, tx + 1.4, 0.72, 0.76, tz, tz + 0.9), wood_box)
    draw = ImageDraw.Draw(canvas)
    # a fruit bowl and pendant lamps
    bx, by = view.project(tx + 0.7, 0.76, tz + 0.45)
    br = view.focal * 0.16 / (tz + 0.45)
    for k in range(7):
        fx, fy = bx + rng.uniform(-0.7, 0.7) * br, by - br * rng.uniform(0.35, 0.7)
        fc = [(230, 150, 30), (200, 40, 30), (120, 170, 40), (240, 210, 60)][k % 4]
        draw.ellipse((fx - br * 0.28, fy - br * 0.28, fx + br * 0.28, fy + br * 0.28), fill=fc)
    draw.chord((bx - br, by - br * 0.6, bx + br, by + br * 0.4), 0, 180, fill=(235, 235, 230))
    for lx3 in (tx + 0.35, tx + 1.05):
        top_x, top_y = view.project(lx3, ceil_h, tz + 0.45)
        lx_, ly_ = view.project(lx3, 1.55, tz + 0.45)
        draw.line((top_x, top_y, lx_, ly_), fill=(30, 30, 30), width=3)
        r = view.focal * 0.16 / (tz + 0.45)
        draw.polygon(
            [(lx_ - r * 0.3, ly_), (lx_ + r * 0.3, ly_), (lx_ + r, ly_ + r * 0.8), (lx_ - r, ly_ + r * 0.8)],
            fill=(40, 60, 70),
        )
        draw.ellipse((lx_ - r * 0.5, ly_ + r * 0.65, lx_ + r * 0.5, ly_ + r * 0.95), fill=(255, 245, 210))
    img = _grain(to_float(canvas), rng, 0.008)
    return shrink(img, (out_w, out_h))


# --------------------------------------------------------------------------------------------
# Text documents
# --------------------------------------------------------------------------------------------

PARAGRAPHS = (
    "Image restoration recovers a clean picture from an observation that has been blurred, sampled too "
    "coarsely, corrupted by noise or partly lost. Each degradation removes information in its own way, so "
    "each calls for its own prior: a belief about what natural images look like.",
    "Classical methods write the prior down by hand. Total variation prefers piecewise smooth images, "
    "wavelet shrinkage prefers few large coefficients, and non-local means assumes that small patches repeat "
    "across the picture. These assumptions are easy to state and fast to compute.",
    "Learned methods let a network find its own prior from many examples. A residual network trained on "
    "pairs of clean and degraded patches predicts the degradation and subtracts it; given enough data it "
    "reconstructs edges and fine textures that hand-made priors blur away.",
    "Quality is measured against the original. The peak signal-to-noise ratio compares pixel values, while "
    "the structural similarity index compares local means, contrasts and correlations, which agrees better "
    "with what a viewer notices. Neither is perfect, so results should also be looked at.",
    "Text documents are a hard case for every method: strokes are thin, contrast is high and a single lost "
    "pixel can change one letter into another. Sharp edges must survive denoising without ringing.",
    "The experiment below degrades every test image with the same pipeline of blur, noise and subsampling, "
    "restores it with each method, and reports the mean scores per category.",
)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    words, lines, line = text.split(), [], ""
    for word in words:
        trial = f"{line} {word}".strip()
        if font.getlength(trial) <= width or not line:
            line = trial
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def _paragraph(
    draw: ImageDraw.ImageDraw,
    xy: tuple[float, float],
    text: str,
    font: ImageFont.FreeTypeFont,
    width: float,
    fill: int | tuple[int, ...],
    leading: float = 1.35,
    justify: bool = True,
) -> float:
    """Draw a wrapped (and justified) paragraph; returns the y just below it."""
    x, y = xy
    size = font.size
    lines = _wrap(text, font, width)
    for i, line in enumerate(lines):
        words = line.split()
        if justify and i < len(lines) - 1 and len(words) > 1:
            gap = (width - sum(font.getlength(wd) for wd in words)) / (len(words) - 1)
            cx = x
            for wd in words:
                draw.text((cx, y), wd, font=font, fill=fill)
                cx += font.getlength(wd) + gap
        else:
            draw.text((x, y), line, font=font, fill=fill)
        y += size * leading
    return y


def _paper(h: int, w: int, rng: np.random.Generator, colour: Sequence[float], fibres: float = 0.02) -> np.ndarray:
    """Paper: a base tone, fibre texture and a slow brightness variation (uneven scanner light)."""
    fib = spectral_noise((h, w), rng, beta=1.2, stretch=(1.0, 0.3))
    light = spectral_noise((h, w), rng, beta=3.5)
    tone = 1.0 + fibres * (fib - 0.5) - 0.05 * light
    return np.asarray(colour)[None, None, :] * tone[..., None]


def gen_report_page(seed: int) -> Image.Image:
    """A typeset report page (gray): title, headings, justified paragraphs, a ruled table, page number."""
    rng = _rng(seed)
    out_w, out_h = 384, 512
    k = SUPERSAMPLE
    w, h = out_w * k, out_h * k
    im = Image.new("L", (w, h), 255)
    d = ImageDraw.Draw(im)
    margin = 30 * k
    text_w = w - 2 * margin
    ink = 20
    d.text((margin, 14 * k), "Technical note 7 - Image restoration benchmark", font=_font(7 * k), fill=110)
    d.line((margin, 25 * k, w - margin, 25 * k), fill=150, width=k)
    y = 36.0 * k
    d.text(
        (margin, y), "Restoring Degraded Images:", font=_font(17 * k), fill=ink, stroke_width=k // 2, stroke_fill=ink
    )
    y += 21 * k
    d.text((margin, y), "a comparison of classical and learned methods", font=_font(12 * k), fill=60)
    y += 22 * k
    body = _font(8 * k)
    head = _font(10 * k)
    sections = (
        ("1  Introduction", PARAGRAPHS[0:2]),
        ("2  Methods", PARAGRAPHS[2:3]),
        ("3  Measuring quality", PARAGRAPHS[3:4]),
    )
    for title, paras in sections:
        d.text((margin, y), title, font=head, fill=ink, stroke_width=max(1, k // 3), stroke_fill=ink)
        y += 15 * k
        for para in paras:
            y = _paragraph(d, (margin, y), para, body, text_w, ink) + 4 * k
        y += 4 * k
    # table
    cols = ("Category", "Degraded", "Classical", "Learned")
    rows = (
        ("Landscape", "20.2 / 0.65", "24.3 / 0.83", "30.0 / 0.93"),
        ("Urban", "18.8 / 0.61", "23.9 / 0.82", "30.4 / 0.94"),
        ("Portrait", "21.5 / 0.70", "25.7 / 0.85", "31.2 / 0.95"),
        ("Document", "17.9 / 0.58", "22.6 / 0.79", "29.1 / 0.92"),
    )
    d.text((margin, y), "Table 1. Mean PSNR (dB) / SSIM per category.", font=_font(7 * k), fill=60)
    y += 12 * k
    col_x = [margin, margin + 0.28 * text_w, margin + 0.52 * text_w, margin + 0.76 * text_w]
    d.line((margin, y, w - margin, y), fill=ink, width=k)
    y += 3 * k
    for i, c in enumerate(cols):
        d.text((col_x[i] + 2 * k, y), c, font=_font(8 * k), fill=ink, stroke_width=max(1, k // 3), stroke_fill=ink)
    y += 12 * k
    d.line((margin, y, w - margin, y), fill=ink, width=max(1, k // 2))
    y += 3 * k
    for r in rows:
        for i, c in enumerate(r):
            d.text((col_x[i] + 2 * k, y), c, font=_font(8 * k), fill=ink)
        y += 11 * k
    d.line((margin, y + k, w - margin, y + k), fill=ink, width=k)
    y += 10 * k
    y = _paragraph(d, (margin, y), PARAGRAPHS[4], body, text_w, ink)
    d.text((w / 2 - 4 * k, h - 20 * k), "7", font=_font(8 * k), fill=80)
    page = to_float(im.resize((out_w, out_h), Image.Resampling.LANCZOS))
    paper = _paper(out_h, out_w, rng, (0.97,), fibres=0.015)[..., 0]
    return to_image(_grain(page * paper, rng, 0.004))


def _signature(
    draw: ImageDraw.ImageDraw, x: float, y: float, scale: float, rng: np.random.Generator, colour: tuple[int, int, int]
) -> None:
    """A handwritten-looking scribble: a smooth random pen path with loops."""
    t = np.linspace(0, 1, 400)
    path_x = x + scale * (t * 5.0 + 0.35 * np.sin(t * 2 * np.pi * 7 + rng.uniform(0, 6)))
    path_y = y + scale * (
        0.5 * np.sin(t * 2 * np.pi * 3.5 + rng.uniform(0, 6)) * np.exp(-t * 1.5)
        + 0.3 * np.cos(t * 2 * np.pi * 7)
        - 0.4 * t
    )
    draw.line(
        list(zip(path_x.tolist(), path_y.tolist(), strict=True)),
        fill=colour,
        width=max(2, int(scale / 8)),
        joint="curve",
    )
    draw.line(
        (x + scale * 0.2, y + scale * 0.9, x + scale * 5.2, y + scale * 0.5), fill=colour, width=max(2, int(scale / 10))
    )


def gen_scanned_letter(seed: int) -> Image.Image:
    """A business letter scanned slightly crooked: letterhead, address, body text, blue-ink signature."""
    rng = _rng(seed)
    out_w, out_h = 384, 512
    k = SUPERSAMPLE
    w, h = out_w * k, out_h * k
    im = Image.new("RGB", (w, h), (255, 255, 255))
    d = ImageDraw.Draw(im)
    margin = 34 * k
    text_w = w - 2 * margin
    ink = (25, 25, 30)
    # letterhead: a logo mark and a coloured rule
    lx, ly = margin, 24 * k
    d.ellipse((lx, ly, lx + 24 * k, ly + 24 * k), fill=(20, 70, 130))
    d.polygon([(lx + 6 * k, ly + 18 * k), (lx + 12 * k, ly + 5 * k), (lx + 18 * k, ly + 18 * k)], fill=(240, 180, 40))
    d.text(
        (lx + 30 * k, ly + 1 * k),
        "Northfield Imaging Laboratory",
        font=_font(12 * k),
        fill=(20, 70, 130),
        stroke_width=max(1, k // 3),
        stroke_fill=(20, 70, 130),
    )
    d.text(
        (lx + 30 * k, ly + 16 * k),
        "12 Harbour Road  -  Riverton  -  Tel. 0123 456 789",
        font=_font(7 * k),
        fill=(90, 90, 95),
    )
    d.rectangle((margin, ly + 30 * k, w - margin, ly + 31.5 * k), fill=(240, 180, 40))
    y = ly + 44.0 * k
    small = _font(8 * k)
    for line in ("Dr. A. Example", "Department of Computer Vision", "University of Somewhere", "Springfield"):
        d.text((margin, y), line, font=small, fill=ink)
        y += 11 * k
    d.text((w - margin - small.getlength("Riverton, 14 March"), y - 11 * k), "Riverton, 14 March", font=small, fill=ink)
    y += 12 * k
    d.text(
        (margin, y),
        "Subject: test images for the restoration survey",
        font=_font(9 * k),
        fill=ink,
        stroke_width=max(1, k // 3),
        stroke_fill=ink,
    )
    y += 18 * k
    d.text((margin, y), "Dear Dr. Example,", font=small, fill=ink)
    y += 15 * k
    for para in (PARAGRAPHS[5], PARAGRAPHS[1], PARAGRAPHS[3]):
        y = _paragraph(d, (margin, y), para, small, text_w, ink, leading=1.4) + 6 * k
    d.text((margin, y + 2 * k), "Yours sincerely,", font=small, fill=ink)
    _signature(d, margin + 4 * k, y + 24 * k, 9.0 * k, rng, (30, 50, 140))
    d.text((margin, y + 40 * k), "J. Smith, Head of Laboratory", font=small, fill=ink)
    page = to_float(im.resize((out_w, out_h), Image.Resampling.LANCZOS))
    paper = _paper(out_h, out_w, rng, (0.97, 0.95, 0.89), fibres=0.03)
    page = page * paper  # ink multiplies the paper tone
    # the scanner: a slight rotation, a grey lid shadow at the edge, soft optics
    scan = to_image(page).rotate(-1.1, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=(70, 70, 72))
    arr = to_float(scan)
    cols = np.arange(out_w)[None, :, None]
    arr *= 1.0 - 0.25 * np.exp(-cols / 6.0)
    arr = ndimage.gaussian_filter(arr, (0.35, 0.35, 0))
    return to_image(_grain(arr, rng, 0.006))


def gen_newsletter(seed: int) -> Image.Image:
    """The top of a two-column newsletter: coloured masthead, headline, photo with caption, bullets, a box."""
    rng = _rng(seed)
    out_w, out_h = 512, 384
    k = SUPERSAMPLE
    w, h = out_w * k, out_h * k
    im = Image.new("RGB", (w, h), (252, 252, 250))
    d = ImageDraw.Draw(im)
    margin = 18 * k
    d.rectangle((0, 0, w, 44 * k), fill=(160, 30, 45))
    d.text(
        (margin, 7 * k),
        "THE PIXEL GAZETTE",
        font=_font(22 * k),
        fill=(255, 255, 255),
        stroke_width=max(1, k // 2),
        stroke_fill=(255, 255, 255),
    )
    d.text(
        (margin, 32 * k), "Issue 42  |  News from the image restoration group", font=_font(7 * k), fill=(250, 215, 215)
    )
    d.text((w - margin - 60 * k, 12 * k), "Spring", font=_font(14 * k), fill=(255, 225, 150))
    y = 54.0 * k
    d.text(
        (margin, y),
        "Deep networks sharpen old photographs",
        font=_font(15 * k),
        fill=(20, 20, 20),
        stroke_width=max(1, k // 3),
        stroke_fill=(20, 20, 20),
    )
    y += 22 * k
    gutter = 12 * k
    col_w = (w - 2 * margin - gutter) / 2
    body = _font(7 * k)
    # left column: photo with caption, then text
    photo = gen_city_skyline(seed + 200).resize((int(col_w), int(col_w * 0.6)), Image.Resampling.LANCZOS)
    im.paste(photo, (margin, int(y)))
    d.rectangle((margin, int(y), margin + photo.size[0] - 1, int(y) + photo.size[1] - 1), outline=(60, 60, 60), width=k)
    yl = y + photo.size[1] + 4 * k
    d.text((margin, yl), "Fig. 1  The river front, restored from a noisy scan.", font=_font(6 * k), fill=(90, 90, 90))
    yl += 12 * k
    yl = _paragraph(d, (margin, yl), PARAGRAPHS[2], body, col_w, (30, 30, 30))
    # right column: text, bullet list, highlighted box
    xr = margin + col_w + gutter
    yr = _paragraph(d, (xr, y), PARAGRAPHS[0], body, col_w, (30, 30, 30)) + 5 * k
    d.text(
        (xr, yr),
        "In this issue",
        font=_font(9 * k),
        fill=(160, 30, 45),
        stroke_width=max(1, k // 3),
        stroke_fill=(160, 30, 45),
    )
    yr += 13 * k
    for item in (
        "Wavelets versus networks: a rematch",
        "How to read an SSIM map",
        "Ten noisy images and their stories",
        "Workshop dates and room changes",
    ):
        d.ellipse((xr + 2 * k, yr + 3 * k, xr + 5 * k, yr + 6 * k), fill=(160, 30, 45))
        d.text((xr + 9 * k, yr), item, font=body, fill=(30, 30, 30))
        yr += 11 * k
    yr += 5 * k
    box_h = 62 * k
    d.rectangle((xr, yr, xr + col_w, yr + box_h), fill=(235, 240, 248), outline=(40, 80, 140), width=k)
    d.text(
        (xr + 6 * k, yr + 5 * k),
        "Quote of the month",
        font=_font(8 * k),
        fill=(40, 80, 140),
        stroke_width=max(1, k // 3),
        stroke_fill=(40, 80, 140),
    )
    _paragraph(
        d,
        (xr + 6 * k, yr + 18 * k),
        "\u201cEvery restored pixel is a guess; a good method makes the guess that the eye would have made.\u201d",
        _font(8 * k),
        col_w - 12 * k,
        (30, 40, 70),
        justify=False,
    )
    d.line((margin + col_w + gutter / 2, y, margin + col_w + gutter / 2, h - 6 * k), fill=(200, 200, 200), width=k)
    page = to_float(im.resize((out_w, out_h), Image.Resampling.LANCZOS))
    page *= _paper(out_h, out_w, rng, (1.0, 1.0, 0.99), fibres=0.012)
    return to_image(_grain(page, rng, 0.004))


# --------------------------------------------------------------------------------------------
# The gallery: what goes in, where it comes from, under which terms
# --------------------------------------------------------------------------------------------

SKIMAGE = "scikit-image 0.26 data"
MATPLOTLIB = "matplotlib 3.11 sample data"
GRASS_NOTE = f"; foreground texture from {SKIMAGE}: grass.png (CC0, DeviantArt user linolafett)"
BRICK_NOTE = f"; brick texture from {SKIMAGE}: brick.png (CC0, CC0Textures Bricks25)"
GENERATED_LICENCE = "CC0 1.0"


@dataclass(frozen=True)
class Entry:
    """One gallery image: its manifest fields and how to make it."""

    key: str
    title: str
    category: str
    licence: str
    description: str
    gray: bool
    source: str
    make: Callable[[], Image.Image]
    generated: bool = False

    @property
    def file(self) -> str:
        return f"{self.key}.png"


def _pkg(package: str, *parts: str, gray: bool) -> Callable[[], Image.Image]:
    return lambda: copy_package_image(package, *parts, gray=gray)


def _gen(func: Callable[[int], Image.Image], seed: int) -> Callable[[], Image.Image]:
    return lambda: func(seed)


def _generated(
    key: str,
    title: str,
    category: str,
    description: str,
    func: Callable[[int], Image.Image],
    seed: int,
    *,
    gray: bool = False,
    note: str = "",
) -> Entry:
    source = f"generated by scripts/build_gallery.py ({func.__name__}), seed {seed}{note}"
    return Entry(key, title, category, GENERATED_LICENCE, description, gray, source, _gen(func, seed), True)


ENTRIES: tuple[Entry, ...] = (
    # natural landscape
    _generated(
        "mountain_lake",
        "Mountain lake",
        "natural landscape",
        "Fractal alpine massif behind a calm lake that mirrors it, grassy bank in front: smooth sky and water "
        "next to fine rock, forest and grass texture, with haze that lowers contrast with distance.",
        gen_mountain_lake,
        11,
        note=GRASS_NOTE,
    ),
    _generated(
        "misty_ridges",
        "Misty ridges at sunset",
        "natural landscape",
        "Layers of forested ridges fading into valley mist under a sunset sky: long smooth gradients, which "
        "show banding and blocking, against jagged conifer silhouettes and a grassy foreground.",
        gen_misty_ridges,
        12,
        note=GRASS_NOTE,
    ),
    Entry(
        "appalachian_ridge",
        "Appalachian ridge (real terrain)",
        "natural landscape",
        "Matplotlib License",
        "Perspective rendering of a real elevation model (Jacksboro fault, Tennessee) as a forested summer vista "
        "under cumulus: tree-crown texture in front, hazy ridges behind, a large textured sky.",
        False,
        f"rendered by scripts/build_gallery.py (gen_appalachian_ridge), seed 13, from {MATPLOTLIB}: "
        "jacksboro_fault_dem.npz (digital elevation model shipped with matplotlib)",
        _gen(gen_appalachian_ridge, 13),
        True,
    ),
    # urban scene
    Entry(
        "rocket_launch_site",
        "Launch site at dusk",
        "urban scene",
        "Public domain",
        "SpaceX photo of a Falcon 9 on its pad at Cape Canaveral at dusk: lattice towers, floodlights and a "
        "deep blue sky; a man-made night scene with thin structures and point lights rather than a city street.",
        False,
        f"{SKIMAGE}: rocket.jpg - SpaceX photo of the DSCOVR launch (released into the public domain)",
        _pkg("skimage", "data", "rocket.jpg", gray=False),
    ),
    _generated(
        "town_street",
        "Town street",
        "urban scene",
        "One-point perspective street of brick and rendered facades with shop signs, windows, lamps, parked "
        "cars, a zebra crossing and paving: straight edges at every angle and lettering that shrinks with "
        "distance.",
        gen_town_street,
        21,
        note=BRICK_NOTE,
    ),
    _generated(
        "city_skyline",
        "City skyline over a river",
        "urban scene",
        "Glass and concrete towers behind a tree-lined embankment, mirrored in a river: dense regular window "
        "grids (aliasing, moire), smooth sky, foliage and rippled reflections.",
        gen_city_skyline,
        22,
        note=BRICK_NOTE,
    ),
    # portrait
    Entry(
        "astronaut",
        "Astronaut Eileen Collins",
        "portrait",
        "Public domain",
        "NASA studio portrait of astronaut Eileen Collins in front of a flag and a shuttle model: skin tones, "
        "hair, fabric and strongly saturated colours.",
        False,
        f"{SKIMAGE}: astronaut.png - NASA photo of Eileen Collins (NASA Great Images, public domain)",
        _pkg("skimage", "data", "astronaut.png", gray=False),
    ),
    Entry(
        "grace_hopper",
        "Commodore Grace Hopper",
        "portrait",
        "Public domain",
        "Official US Navy portrait of Grace Hopper in uniform and cap before a flag: fine skin detail, glasses, "
        "insignia and ribbons; a scanned film photo with its own grain.",
        False,
        f"{MATPLOTLIB}: grace_hopper.jpg - official US Navy photograph (work of the US federal government; "
        "file comment: commons.wikimedia.org/wiki/File:Grace_Hopper.jpg)",
        _pkg("matplotlib", "mpl-data", "sample_data", "grace_hopper.jpg", gray=False),
    ),
    Entry(
        "cameraman",
        "Man with a camera",
        "portrait",
        "CC0 1.0",
        "Gray photo of a man operating a camera on a tripod on a lawn, buildings behind: a dark silhouette with "
        "crisp edges against grass texture and a bright sky.",
        True,
        f"{SKIMAGE}: camera.png - photo by Lav Varshney (CC0)",
        _pkg("skimage", "data", "camera.png", gray=True),
    ),
    Entry(
        "chelsea_cat",
        "Chelsea the cat",
        "portrait",
        "CC0 1.0",
        "Close-up animal portrait of a tabby cat: fine fur and whiskers, sharp eyes and a softly blurred "
        "background, a test for texture-preserving restoration.",
        False,
        f"{SKIMAGE}: chelsea.png - photo by Stefan van der Walt (CC0)",
        _pkg("skimage", "data", "chelsea.png", gray=False),
    ),
    # text document
    Entry(
        "handwritten_formulas",
        "Handwritten formulas",
        "text document",
        "Public domain",
        "Gray photograph of handwritten mathematics on paper, lit unevenly and seen at a slant: thin pen strokes "
        "on a textured, shaded background.",
        True,
        f"{SKIMAGE}: text.png - from Wikipedia File:Corner.png (released into the public domain)",
        _pkg("skimage", "data", "text.png", gray=True),
    ),
    _generated(
        "report_page",
        "Report page",
        "text document",
        "Typeset gray report page with title, headings, justified paragraphs and a ruled table: small "
        "high-contrast glyphs whose strokes are one or two pixels wide.",
        gen_report_page,
        31,
        gray=True,
    ),
    _generated(
        "scanned_letter",
        "Scanned letter",
        "text document",
        "Business letter with a coloured letterhead and blue-ink signature, scanned slightly crooked on cream "
        "paper: rotated text, paper fibre and a dark scanner edge.",
        gen_scanned_letter,
        32,
    ),
    _generated(
        "newsletter",
        "Newsletter",
        "text document",
        "Two-column newsletter with a red masthead, headline, photo with caption, bullet list and framed "
        "quote: text of several sizes beside a photographic inset.",
        gen_newsletter,
        33,
    ),
    # indoor
    Entry(
        "coffee_cup",
        "Cup of coffee",
        "indoor",
        "CC0 1.0",
        "Close-up of an espresso cup and saucer on a wooden café table: smooth glossy porcelain, elliptical "
        "edges and coarse wood grain.",
        False,
        f"{SKIMAGE}: coffee.png - photo by Rachel Michetti, courtesy of Pikolo Espresso Bar (CC0)",
        _pkg("skimage", "data", "coffee.png", gray=False),
    ),
    _generated(
        "living_room",
        "Living room",
        "indoor",
        "Living room in one-point perspective with plank floor, patterned rug, sofa, table, bookcase, framed "
        "picture and a window: converging edges, wood and fabric textures, many small book spines.",
        gen_living_room,
        41,
    ),
    _generated(
        "kitchen",
        "Kitchen",
        "indoor",
        "Kitchen with a checkered tile floor, tiled splashback, panelled cabinets, window blinds, wall clock "
        "and a table with chairs: regular high-contrast patterns in perspective.",
        gen_kitchen,
        42,
    ),
)


def _save_png(im: Image.Image, path: Path) -> None:
    im.save(path, format="PNG", optimize=True)


def build(out_dir: Path = OUT_DIR, only: Sequence[str] | None = None, log: Callable[[str], None] = print) -> list[dict]:
    """Write the gallery images, ``manifest.json`` and ``LICENSES.md`` into ``out_dir``.

    Parameters
    ----------
    out_dir : Path
        Destination folder (created if needed).
    only : sequence of str, optional
        Rebuild only these keys; the other images are kept as they are (they must exist).
    log : callable
        Where progress messages go.

    Returns
    -------
    list of dict
        The manifest records, in gallery order.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    keys = [e.key for e in ENTRIES]
    unknown = sorted(set(only or ()) - set(keys))
    if unknown:
        raise SystemExit(f"unknown key(s) {unknown}; known: {', '.join(keys)}")
    records = []
    for entry in ENTRIES:
        path = out_dir / entry.file
        if only is None or entry.key in only:
            try:
                im = entry.make()
            except MissingSourceError as exc:
                if not path.exists():
                    raise SystemExit(f"{entry.key}: {exc}") from None
                log(f"{entry.key}: kept the existing file ({exc})")
            else:
                expected = "L" if entry.gray else "RGB"
                if im.mode != expected or max(im.size) > MAX_SIDE:
                    raise RuntimeError(f"{entry.key}: got mode {im.mode} size {im.size}, want {expected} <= {MAX_SIDE}")
                _save_png(im, path)
                log(f"{entry.key}: {im.size[0]}x{im.size[1]} {im.mode}, {path.stat().st_size / 1024:.0f} KiB")
        with Image.open(path) as im:
            width, height = im.size
        records.append(
            {
                "key": entry.key,
                "title": entry.title,
                "category": entry.category,
                "file": entry.file,
                "source": entry.source,
                "licence": entry.licence,
                "description": entry.description,
                "gray": entry.gray,
                "width": width,
                "height": height,
            }
        )
    (out_dir / "manifest.json").write_text(
        json.dumps({"version": 1, "images": records}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (out_dir / "LICENSES.md").write_text(licenses_markdown(records), encoding="utf-8")
    return records


def licenses_markdown(records: Sequence[dict]) -> str:
    """The human-readable licence table written next to the images."""
    lines = [
        "# Gallery images: sources and licences",
        "",
        "Every file in this folder is rebuilt by `python scripts/build_gallery.py`; `manifest.json` holds the same "
        "information for the app (`restoration.gallery`).",
        "",
        "| file | category | title | source | licence |",
        "|---|---|---|---|---|",
    ]
    for r in records:
        source = r["source"].replace("|", "/")
        lines.append(f"| `{r['file']}` | {r['category']} | {r['title']} | {source} | {r['licence']} |")
    lines += [
        "",
        "## Notes",
        "",
        "* **Generated images** are drawn by `scripts/build_gallery.py` from a fixed seed; the project dedicates "
        "them to the public domain under CC0 1.0. Some use a CC0 texture photograph from scikit-image's data "
        "(grass.png, brick.png), named in their source.",
        "* **scikit-image data**: the terms quoted are those stated in the docstrings of "
        "`skimage/data/_fetchers.py` (scikit-image 0.26): astronaut (NASA, public domain), camera (CC0, "
        "Lav Varshney), chelsea (CC0, Stefan van der Walt), coffee (CC0, Rachel Michetti), rocket (SpaceX, public "
        "domain), text (Wikipedia File:Corner.png, public domain), grass and brick (CC0). Images whose terms are "
        "not stated there (for example page.png and moon.png) are not used.",
        "* **grace_hopper.png** comes from matplotlib's sample data (`grace_hopper.jpg`, whose embedded comment "
        "names commons.wikimedia.org/wiki/File:Grace_Hopper.jpg). It is an official US Navy photograph, a work of "
        "the US federal government and so in the public domain in the United States.",
        "* **appalachian_ridge.png** is a rendering of `jacksboro_fault_dem.npz`, an elevation model shipped with "
        "matplotlib. matplotlib does not state where the data came from (its 3 arc-second grid suggests a USGS "
        "product, which would be public domain), so the rendering is listed under the licence of the file that "
        "carries it, the Matplotlib License (a PSF-style, BSD-compatible licence that permits redistribution and "
        "derivative works, provided this notice is kept): Copyright (c) 2012- Matplotlib Development Team; All "
        "Rights Reserved.",
        "* matplotlib is only needed to *rebuild* the two images derived from it; when it is not installed the "
        "build script keeps the existing files.",
        "",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output folder (default: assets/gallery)")
    parser.add_argument("--only", nargs="+", metavar="KEY", help="rebuild only these images")
    args = parser.parse_args(argv)
    records = build(args.out, args.only)
    total = sum((args.out / r["file"]).stat().st_size for r in records)
    print(f"{len(records)} images, {total / 1e6:.2f} MB in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
