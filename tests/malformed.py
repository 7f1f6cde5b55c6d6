"""A corpus of malformed and awkward image files, made on the fly (no binary fixtures in the repository).

:func:`corpus` returns ``(name, data, expectation)`` triples. ``expectation`` is

* ``"ok"`` -- :func:`restoration.images.load_image` must return a valid float32 image
  (HxW or HxWx3, finite, in [0, 1]);
* the name of a :class:`restoration.errors.RestorationError` subclass (``"ImageDecodeError"``
  or ``"ImageTooLargeError"``) -- loading must raise exactly that kind of error, with a
  readable one-line message. :data:`ERROR` lists the error expectations.

Decisions this corpus pins down
-------------------------------
* **The extension is ignored; the content decides.** A valid PNG named ``.jpg`` loads
  (Pillow sniffs the format from the magic bytes), and a text file named ``.jpg`` is an
  :class:`~restoration.errors.ImageDecodeError`. Refusing a good image because of its
  name would only annoy users; trusting the name would not make decoding any safer.
* **Multi-frame files give their first frame** (two-page TIFF, animated GIF).
* **Huge headers are refused before decoding** (:class:`~restoration.errors.ImageTooLargeError`),
  so a 100000 x 100000 PNG of a few hundred bytes never allocates its pixels.
* **Truncated or corrupted data is an error**, never a partly grey image: Pillow's
  ``LOAD_TRUNCATED_IMAGES`` stays off, and PNG chunk CRCs are checked (so a PNG cut
  just before its last checksum, with every pixel present, is refused too).
* **Known limit**: a PNG whose zlib stream is complete but holds fewer rows than its
  header claims loads with the missing rows black (Pillow cannot tell); ``short_idat.png``
  pins that behaviour so that a change is noticed.
"""

from __future__ import annotations

import io
import struct
import zlib
from typing import Literal

import numpy as np
from PIL import Image, features

__all__ = ["ERROR", "OK", "corpus", "crafted_png", "png_chunk"]

Expectation = Literal["ok", "ImageDecodeError", "ImageTooLargeError"]
OK: Expectation = "ok"
#: The expectations that mean "loading must fail".
ERROR: tuple[Expectation, ...] = ("ImageDecodeError", "ImageTooLargeError")

_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png_chunk(kind: bytes, payload: bytes, *, crc: int | None = None) -> bytes:
    """One PNG chunk: length, type, payload and CRC (the correct CRC unless ``crc`` is given)."""
    if crc is None:
        crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)


def crafted_png(width: int, height: int, *, idat: bytes | None = None, extra: bytes = b"") -> bytes:
    """A hand-made 8-bit gray PNG whose header claims ``width`` x ``height``.

    ``idat`` is the compressed pixel data (default: one compressed row of zeros, far too
    little for a large header, so the file stays tiny); ``extra`` is inserted before IDAT.
    """
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    if idat is None:
        idat = zlib.compress(b"\x00" * (min(width, 4096) + 1), 9)
    return _PNG_MAGIC + png_chunk(b"IHDR", ihdr) + extra + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def _encode(im: Image.Image, fmt: str, **kwargs: object) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format=fmt, **kwargs)
    return buf.getvalue()


def _picture(width: int = 48, height: int = 32, seed: int = 0) -> np.ndarray:
    """A small RGB uint8 picture with edges and texture (so JPEG data is not trivially short)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    base = np.stack([x * 255 // max(width - 1, 1), y * 255 // max(height - 1, 1), (x ^ y) % 256], axis=2)
    return np.clip(base + rng.integers(-20, 21, base.shape), 0, 255).astype(np.uint8)


def _corrupt_crc(png: bytes) -> bytes:
    """The PNG with the CRC of its first IDAT chunk flipped."""
    at = png.index(b"IDAT")
    length = struct.unpack(">I", png[at - 4 : at])[0]
    crc_at = at + 4 + length
    bad = (struct.unpack(">I", png[crc_at : crc_at + 4])[0] ^ 0xFFFFFFFF) & 0xFFFFFFFF
    return png[:crc_at] + struct.pack(">I", bad) + png[crc_at + 4 :]


def corpus() -> list[tuple[str, bytes, Expectation]]:
    """Build the corpus: ``(file name, bytes, expectation)`` for each awkward file.

    Returns
    -------
    list of (str, bytes, str)
        The file name (its extension is part of the test: some lie), the data, and
        ``"ok"`` or the name of the :class:`~restoration.errors.RestorationError`
        subclass that loading must raise.
    """
    rgb = _picture()
    png = _encode(Image.fromarray(rgb), "PNG")
    jpeg = _encode(Image.fromarray(rgb), "JPEG", quality=90)
    items: list[tuple[str, bytes, Expectation]] = [
        ("empty.png", b"", "ImageDecodeError"),
        ("random.png", np.random.default_rng(1).integers(0, 256, 4096, dtype=np.uint8).tobytes(), "ImageDecodeError"),
        ("text.jpg", b"This is a text file, not a JPEG.\n" * 20, "ImageDecodeError"),
        ("magic_only.png", _PNG_MAGIC, "ImageDecodeError"),
        ("png_named.jpg", png, OK),
        ("plain.png", png, OK),
        ("plain.jpg", jpeg, OK),
    ]
    # Truncated files: cut inside the header, at the start of the pixel data, half way and near the end.
    for label, cut in (("header", 20), ("quarter", len(png) // 4), ("half", len(png) // 2), ("end", len(png) - 16)):
        items.append((f"truncated_{label}.png", png[:cut], "ImageDecodeError"))
    for label, cut in (("header", 10), ("quarter", len(jpeg) // 4), ("half", len(jpeg) // 2)):
        items.append((f"truncated_{label}.jpg", jpeg[:cut], "ImageDecodeError"))
    items.append(("bad_crc.png", _corrupt_crc(png), "ImageDecodeError"))

    # Valid but awkward images.
    pages = [Image.fromarray(rgb), Image.fromarray(rgb[::-1])]
    items.append(("two_pages.tif", _encode(pages[0], "TIFF", save_all=True, append_images=pages[1:]), OK))
    frames = [Image.fromarray(rgb).convert("P"), Image.fromarray(rgb[:, ::-1]).convert("P")]
    items.append(("animated.gif", _encode(frames[0], "GIF", save_all=True, append_images=frames[1:], loop=0), OK))
    items.append(("palette.png", _encode(Image.fromarray(rgb).quantize(16), "PNG"), OK))
    rgba = np.concatenate([rgb, np.linspace(0, 255, rgb.shape[1], dtype=np.uint8)[None, :, None].repeat(32, 0)], 2)
    items.append(("alpha.png", _encode(Image.fromarray(rgba, "RGBA"), "PNG"), OK))
    gray16 = (np.arange(32 * 48, dtype=np.uint32).reshape(32, 48) * 40).astype(np.uint16)
    items.append(("gray16.png", _encode(Image.fromarray(gray16), "PNG"), OK))
    items.append(("cmyk.jpg", _encode(Image.fromarray(rgb).convert("CMYK"), "JPEG"), OK))
    items.append(("one_pixel.png", _encode(Image.new("L", (1, 1), 128), "PNG"), OK))
    items.append(("extreme_1x5000.png", _encode(Image.fromarray(_picture(5000, 1)), "PNG"), OK))
    items.append(("bitmap.bmp", _encode(Image.fromarray(rgb), "BMP"), OK))
    items.append(("one_bit.png", _encode(Image.fromarray(rgb).convert("1"), "PNG"), OK))
    if features.check("webp"):
        items.append(("lossy.webp", _encode(Image.fromarray(rgb), "WEBP", quality=80), OK))

    # Decompression bombs: headers that claim far more pixels than the file could hold.
    items.append(("bomb_100000x100000.png", crafted_png(100_000, 100_000), "ImageTooLargeError"))
    items.append(("bomb_wide.png", crafted_png(2**31 - 1, 1), "ImageTooLargeError"))
    # A compressed text chunk that inflates to 64 MB; Pillow refuses text chunks over 1 MB.
    ztxt = png_chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(b"\x00" * (64 << 20), 9))
    items.append(("ztxt_bomb.png", crafted_png(8, 8, extra=ztxt), "ImageDecodeError"))
    # Zero-size header and pixel data that does not match the header.
    items.append(("zero_width.png", crafted_png(0, 8), "ImageDecodeError"))
    # Known limit, pinned so that a change is noticed: a *complete* zlib stream holding fewer rows than the
    # header claims is not detected by Pillow; the missing rows come out black.
    items.append(("short_idat.png", crafted_png(64, 64), OK))
    items.append(("bad_zlib.png", crafted_png(8, 8, idat=b"\x78\x9c not zlib at all"), "ImageDecodeError"))
    return items
