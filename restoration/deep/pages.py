"""Synthetic document pages: training and selection images for text, which photo sets lack.

CBSD432 and Train400 are photographs; a model trained on them alone smooths thin strokes of print
and handwriting (the gallery's text documents were where ``cnn_combined`` lost to the TV chain).
:func:`render_pages` draws pages of random print (pseudo-words in the system's TrueType fonts,
headings, columns, rules, tables) and pen-like strokes on paper with uneven lighting, sometimes
turned by a small angle, in colour or gray. The pages are generated, so they carry no licence
terms, and every page is determined by its seed.

The fonts are the ``.ttf`` files under ``/usr/share/fonts`` (Debian: DejaVu, Liberation), which
the gallery's documents do not use (they are drawn with Pillow's built-in font or photographed);
without any, Pillow's built-in font is used. :func:`font_files` names what a run used.
"""

from __future__ import annotations

import string
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from PIL import ImageFont

__all__ = ["font_files", "font_names", "render_page", "render_pages"]

_FONT_ROOTS = ("/usr/share/fonts", "/usr/local/share/fonts")


@lru_cache(maxsize=1)
def font_files() -> tuple[str, ...]:
    """The TrueType fonts the pages are drawn with (sorted paths; empty: Pillow's built-in font)."""
    found: list[str] = []
    for root in _FONT_ROOTS:
        if Path(root).is_dir():
            found += [str(p) for p in Path(root).rglob("*.ttf")]
    return tuple(sorted(found))


def font_names() -> list[str]:
    """The file names of :func:`font_files` (what a manifest records), or ``["Pillow built-in"]`` without any."""
    return [Path(f).name for f in font_files()] or ["Pillow built-in"]


def _font(rng: np.random.Generator, size: int) -> ImageFont.FreeTypeFont:
    from PIL import ImageFont

    files = font_files()
    if files:
        return ImageFont.truetype(files[int(rng.integers(len(files)))], size=size)
    return ImageFont.load_default(size=size)


def _word(rng: np.random.Generator) -> str:
    n = int(rng.choice([1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 7, 8, 9, 11]))
    r = rng.random()
    if r < 0.08:
        return "".join(rng.choice(list(string.digits), n))
    w = "".join(rng.choice(list("etaoinshrdlucmfwypvbgkjqxz"), n, p=None))
    if r < 0.25:
        w = w.capitalize()
    elif r < 0.28:
        w = w.upper()
    if rng.random() < 0.12:
        w += str(rng.choice(list(",.;:)!?")))
    return w


def _paper(rng: np.random.Generator, size: int, colour: bool) -> np.ndarray:
    """A light page (size, size, 3) in [0, 1]: a tint, a smooth lighting gradient and fine grain."""
    base = rng.uniform(0.78, 0.99)
    tint = rng.uniform(-0.04, 0.04, 3) if colour else np.zeros(3)
    yy, xx = np.mgrid[0:size, 0:size] / size
    a, b, c = rng.uniform(-0.15, 0.15, 3)
    light = 1.0 + a * (xx - 0.5) + b * (yy - 0.5) + c * (xx - 0.5) * (yy - 0.5)
    grain = rng.standard_normal((size, size)) * rng.uniform(0.0, 0.012)
    page = (base * light + grain)[..., None] + tint
    return np.clip(page, 0.0, 1.0)


def render_page(seed: int, size: int = 256) -> np.ndarray:
    """One synthetic document page, RGB float32 (size, size, 3) in [0, 1], determined by ``seed``.

    About half the pages are gray (R = G = B), like scanned print.
    """
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(seed)
    colour = rng.random() < 0.5
    zoom = int(rng.choice([1, 2, 2, 3]))  # drawn larger and reduced: anti-aliased strokes of any width
    big = size * zoom
    layer_colours: list[tuple[Image.Image, np.ndarray]] = []

    def new_layer(dark: float) -> ImageDraw.ImageDraw:
        layer = Image.new("L", (big, big), 0)
        hue = rng.uniform(0.0, 0.35, 3) if colour and rng.random() < 0.35 else np.zeros(3)
        layer_colours.append((layer, np.clip(dark + hue, 0.0, 1.0)))
        return ImageDraw.Draw(layer)

    margin = int(rng.uniform(0.0, 0.1) * big)
    x0, y0 = margin - int(rng.uniform(0, 0.3) * big), margin - int(rng.uniform(0, 0.3) * big)
    columns = int(rng.choice([1, 1, 2, 3]))
    col_w = (big - 2 * margin) // columns
    text = new_layer(float(rng.uniform(0.0, 0.35)))
    if rng.random() < 0.4:  # a heading
        hsize = int(rng.uniform(14, 40) * zoom)
        text.text((x0 + margin, y0), " ".join(_word(rng) for _ in range(int(rng.integers(1, 5)))),
                  font=_font(rng, hsize), fill=255, stroke_width=int(rng.integers(0, 2)) * zoom, stroke_fill=255)
        y0 += int(hsize * 1.6)
    fsize = int(rng.uniform(7, 24) * zoom)
    font = _font(rng, fsize)
    leading = int(fsize * rng.uniform(1.1, 1.7))
    for col in range(columns):
        cx = x0 + margin + col * col_w
        y = y0
        while y < big:
            x = cx + (int(fsize * 1.5) if rng.random() < 0.1 else 0)
            limit = cx + col_w - fsize
            while True:
                w = _word(rng)
                if x + font.getlength(w) > limit:
                    break
                text.text((x, y), w, font=font, fill=255)
                x += int(font.getlength(w + " "))
            y += leading
    if rng.random() < 0.35:  # rules or a table grid
        rules = new_layer(float(rng.uniform(0.0, 0.5)))
        width = max(1, int(rng.uniform(0.5, 2.5) * zoom))
        step = int(rng.uniform(12, 40) * zoom)
        offset = int(rng.integers(step))
        for y in range(offset, big, step):
            rules.line([(0, y), (big, y)], fill=int(rng.uniform(120, 255)), width=width)
        if rng.random() < 0.4:
            for x in range(offset, big, step * int(rng.integers(2, 6))):
                rules.line([(x, 0), (x, big)], fill=255, width=width)
    if rng.random() < 0.4:  # pen strokes: smooth random curves, like handwriting and formulas
        pen = new_layer(float(rng.uniform(0.0, 0.3)))
        width = max(1, int(rng.uniform(1.0, 3.5) * zoom))
        for _ in range(int(rng.integers(3, 12))):
            start = rng.uniform(0, big, 2)
            pts, v = [tuple(start)], rng.standard_normal(2)
            for _ in range(int(rng.integers(6, 30))):
                v = 0.7 * v + 0.5 * rng.standard_normal(2)
                start = start + v * rng.uniform(2, 8) * zoom
                pts.append(tuple(start))
            pen.line(pts, fill=255, width=width, joint="curve")
    page = _paper(rng, big, colour)
    for layer, dark in layer_colours:  # ink coverage 0..255 per layer
        cover = np.asarray(layer, np.float32)[..., None] / 255.0
        page = page * (1.0 - cover) + dark * cover
    img = Image.fromarray(np.round(np.clip(page, 0, 1) * 255).astype(np.uint8))
    if rng.random() < 0.4:  # turned a little, like a page on a scanner or a photographed sheet
        img = img.rotate(float(rng.uniform(-12, 12)), resample=Image.Resampling.BICUBIC,
                         fillcolor=tuple(int(v * 255) for v in page[0, 0]))
    if zoom > 1:
        img = img.resize((size, size), Image.Resampling.LANCZOS)
    out = np.asarray(img, np.float32) / 255.0
    if not colour:
        out = np.repeat(out.mean(axis=2, keepdims=True), 3, axis=2)
    return np.ascontiguousarray(out, dtype=np.float32)


def render_pages(count: int, seed: int = 0, size: int = 256) -> list[np.ndarray]:
    """``count`` pages of :func:`render_page`, with seeds ``seed``, ``seed + 1``, ..."""
    return [render_page(seed + i, size) for i in range(count)]
