"""Decoding, validation and conversion of images: the only place bytes become arrays.

Convention used everywhere in the package: an image is a ``float32`` NumPy array
with values in ``[0, 1]``, shaped ``(H, W)`` for gray or ``(H, W, 3)`` for RGB.

Decoding rules (:func:`load_image`)
-----------------------------------
* **Bit depth** -- 8-bit data is divided by 255, 16-bit gray (PNG/TIFF) by 65535,
  1-bit by 1. Pillow reduces 16-bit *colour* PNGs to 8 bits per channel when it
  opens them; we inherit that.
* **Palette** images are expanded to RGB (or gray when the palette is gray).
* **Alpha** is composited over a white background by default (``alpha="composite"``),
  as a viewer shows a transparent PNG on a light page; ``alpha="drop"`` discards
  the alpha channel and keeps the stored colour underneath.
* **CMYK**, YCbCr, LAB and HSV are converted to RGB by Pillow.
* **EXIF orientation** is applied, so a phone photo comes out upright.
* **Multi-frame** files (animated GIF/WebP, multi-page TIFF) give their first frame.
* **Size** -- the pixel count is read from the header and checked against
  ``max_pixels`` *before* any pixel is decoded (decompression-bomb safe).
* **Integrity** -- truncated data is an error, never a partly grey image; PNG chunk
  checksums (CRCs) are verified, as libpng and browsers do (Pillow alone skips them
  for the pixel data).
* **Extensions are ignored**: the format is recognised from the content, so a PNG
  named ``.jpg`` loads, and a text file named ``.jpg`` is an :class:`ImageDecodeError`.
"""

from __future__ import annotations

import io
import struct
import warnings
from pathlib import Path
from typing import BinaryIO, Literal

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .colour import LUMA_WEIGHTS
from .errors import ImageDecodeError, ImageTooLargeError, ImageValueError
from .ops import imresize

__all__ = [
    "DEFAULT_MAX_PIXELS",
    "as_float_image",
    "downscale_to_max_pixels",
    "encode_png",
    "is_gray",
    "load_image",
    "read_image_size",
    "save_image",
    "to_gray",
    "to_rgb",
    "to_uint8",
    "validate_image",
]

#: Default upper bound on width x height accepted by :func:`load_image` (about 6000 x 4000).
DEFAULT_MAX_PIXELS = 25_000_000

ImageSource = str | Path | bytes | bytearray | memoryview | BinaryIO

# Pillow's own decompression-bomb guard raises an error past twice this value; we check
# our own limit first, from the header, and let Pillow's guard stay as a second fence.
Image.MAX_IMAGE_PIXELS = max(Image.MAX_IMAGE_PIXELS or 0, DEFAULT_MAX_PIXELS)


def _open(source: ImageSource) -> Image.Image:
    """Open ``source`` lazily (header only) and turn every failure into ImageDecodeError."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        if not data:
            raise ImageDecodeError("the file is empty (0 bytes)")
        fp: BinaryIO | str | Path = io.BytesIO(data)
        name = "the uploaded data"
    elif isinstance(source, (str, Path)):
        path = Path(source)
        if not path.exists():
            raise ImageDecodeError(f"no such file: {path}")
        if path.is_dir():
            raise ImageDecodeError(f"{path} is a folder, not an image file")
        if path.stat().st_size == 0:
            raise ImageDecodeError(f"{path} is empty (0 bytes)")
        fp = path
        name = str(path)
    else:
        fp = source
        name = "the uploaded data"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return Image.open(fp)
    except UnidentifiedImageError:
        raise ImageDecodeError(f"{name} is not an image in a format Pillow can read") from None
    except Image.DecompressionBombError as exc:
        raise ImageTooLargeError(f"{name} is too large to decode safely: {exc}") from None
    except (OSError, ValueError, SyntaxError) as exc:
        raise ImageDecodeError(f"{name} could not be read as an image ({exc})") from None


def _verify_png(source: ImageSource) -> None:
    """Check every chunk checksum of a PNG (Pillow's decoder does not check the pixel chunks)."""
    with _open(source) as probe:
        try:
            probe.verify()
        except (OSError, SyntaxError, ValueError, EOFError, struct.error) as exc:
            raise ImageDecodeError(f"the PNG data is corrupted or truncated ({exc})") from None


def read_image_size(source: ImageSource) -> tuple[int, int]:
    """Return ``(width, height)`` from the image header without decoding pixels.

    Raises
    ------
    ImageDecodeError
        If the data is not a readable image.
    """
    with _open(source) as im:
        return im.size


def _to_array(im: Image.Image, alpha: Literal["composite", "drop"]) -> np.ndarray:
    """Convert a loaded Pillow image of any mode to a float32 array in [0, 1]."""
    mode = im.mode
    if mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
        mode = im.mode
    if mode == "1":
        return np.asarray(im, dtype=np.float32)
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        arr = np.asarray(im).astype(np.float64)
        # Pillow opens 16-bit gray PNG/TIFF as I;16 or I; treat as 16-bit data.
        return np.clip(arr / 65535.0, 0.0, 1.0).astype(np.float32)
    if mode == "F":
        arr = np.asarray(im, dtype=np.float32)
        if not np.all(np.isfinite(arr)):
            raise ImageDecodeError("the floating-point image contains NaN or infinite values")
        return np.clip(arr, 0.0, 1.0)
    if mode in ("LA", "La", "PA"):
        im = im.convert("LA")
        arr = np.asarray(im, dtype=np.float32) / 255.0
        gray, a = arr[..., 0], arr[..., 1]
        return gray if alpha == "drop" else (gray * a + (1.0 - a)).astype(np.float32)
    if mode in ("RGBA", "RGBa"):
        arr = np.asarray(im.convert("RGBA"), dtype=np.float32) / 255.0
        rgb, a = arr[..., :3], arr[..., 3:4]
        return rgb if alpha == "drop" else (rgb * a + (1.0 - a)).astype(np.float32)
    if mode == "L":
        return np.asarray(im, dtype=np.float32) / 255.0
    # RGB, CMYK, YCbCr, LAB, HSV, RGBX, ...: let Pillow convert to RGB.
    return np.asarray(im.convert("RGB"), dtype=np.float32) / 255.0


def load_image(
    source: ImageSource,
    *,
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
    mode: Literal["auto", "gray", "rgb"] = "auto",
    alpha: Literal["composite", "drop"] = "composite",
) -> np.ndarray:
    """Decode an image file into a float32 array in ``[0, 1]``.

    Parameters
    ----------
    source : str, Path, bytes or binary file object
        The encoded image (PNG, JPEG, TIFF, BMP, WebP, GIF, ... anything Pillow reads).
    max_pixels : int or None
        Refuse images with more than this many pixels (checked from the header, before
        decoding). ``None`` disables the check (Pillow's own bomb guard still applies).
    mode : {"auto", "gray", "rgb"}
        ``auto`` keeps gray files gray (HxW) and colour files colour (HxWx3).
    alpha : {"composite", "drop"}
        How transparency is handled: composite over white, or drop the alpha channel.

    Returns
    -------
    numpy.ndarray
        float32, HxW or HxWx3, values in [0, 1].

    Raises
    ------
    ImageDecodeError
        For empty, truncated, corrupted (bad PNG checksum) or unsupported data.
    ImageTooLargeError
        For images over ``max_pixels``.
    """
    if alpha not in ("composite", "drop"):
        raise ValueError(f"alpha must be 'composite' or 'drop', got {alpha!r}")
    if mode not in ("auto", "gray", "rgb"):
        raise ValueError(f"mode must be 'auto', 'gray' or 'rgb', got {mode!r}")
    with _open(source) as im:
        width, height = im.size
        if width < 1 or height < 1:
            raise ImageDecodeError("the image has no pixels (zero width or height)")
        if max_pixels is not None and width * height > max_pixels:
            raise ImageTooLargeError(
                f"the image is {width}x{height} = {width * height:,} pixels, over the limit of "
                f"{max_pixels:,}; downscale it first (e.g. restoration.images.downscale_to_max_pixels)"
            )
        if im.format == "PNG":
            _verify_png(source)
        try:
            im.seek(0)
            im.load()
            im = ImageOps.exif_transpose(im) or im
            arr = _to_array(im, alpha)
        except ImageDecodeError:
            raise
        except (OSError, ValueError, SyntaxError, EOFError, IndexError, KeyError, TypeError) as exc:
            raise ImageDecodeError(f"the image data is truncated or corrupted ({exc})") from None
        except Image.DecompressionBombError as exc:  # pragma: no cover - Pillow's second fence
            raise ImageTooLargeError(str(exc)) from None
    arr = np.ascontiguousarray(arr, dtype=np.float32)
    if mode == "gray":
        arr = to_gray(arr)
    elif mode == "rgb":
        arr = to_rgb(arr)
    return arr


def validate_image(image: object, *, name: str = "image") -> np.ndarray:
    """Check that ``image`` follows the package convention and return it as float32.

    Accepts float arrays (any float dtype, values in [0, 1]); integers are refused
    so that nothing is rescaled silently (use :func:`as_float_image` for that).

    Raises
    ------
    ImageValueError
        On a wrong type, shape, dtype, an empty array, NaN/inf or values out of [0, 1].
    """
    if not isinstance(image, np.ndarray):
        raise ImageValueError(f"{name} must be a NumPy array, got {type(image).__name__}")
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[..., 0]
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] != 3):
        raise ImageValueError(f"{name} must be HxW (gray) or HxWx3 (RGB), got shape {image.shape}")
    if image.shape[0] < 1 or image.shape[1] < 1:
        raise ImageValueError(f"{name} is empty (shape {image.shape})")
    if not np.issubdtype(image.dtype, np.floating):
        raise ImageValueError(
            f"{name} must be floating point in [0, 1], got dtype {image.dtype}; "
            "convert with restoration.images.as_float_image"
        )
    if not np.all(np.isfinite(image)):
        raise ImageValueError(f"{name} contains NaN or infinite values")
    lo, hi = float(image.min()), float(image.max())
    if lo < -1e-6 or hi > 1 + 1e-6:
        raise ImageValueError(f"{name} values must lie in [0, 1], got [{lo:.4g}, {hi:.4g}]")
    return np.ascontiguousarray(np.clip(image, 0.0, 1.0), dtype=np.float32)


def as_float_image(image: np.ndarray) -> np.ndarray:
    """Convert a uint8/uint16/bool/float array to the float32 [0, 1] convention.

    Integer data is scaled by its dtype's maximum; float data is checked, not rescaled.
    """
    arr = np.asarray(image)
    if arr.dtype == bool:
        arr = arr.astype(np.float32)
    elif np.issubdtype(arr.dtype, np.integer):
        info = np.iinfo(arr.dtype)
        if info.min < 0:
            raise ImageValueError(f"signed integer images are ambiguous (dtype {arr.dtype})")
        arr = arr.astype(np.float64) / info.max
    return validate_image(arr)


def is_gray(image: np.ndarray) -> bool:
    """True for a 2-D (HxW) image."""
    return image.ndim == 2


def to_gray(image: np.ndarray) -> np.ndarray:
    """Luma of an RGB image (ITU-R BT.601 weights, range kept in [0, 1]); gray passes through."""
    if image.ndim == 2:
        return image.astype(np.float32, copy=False)
    return np.clip(image[..., :3] @ LUMA_WEIGHTS, 0.0, 1.0).astype(np.float32)


def to_rgb(image: np.ndarray) -> np.ndarray:
    """Repeat a gray image over three channels; RGB passes through."""
    if image.ndim == 3:
        return image.astype(np.float32, copy=False)
    return np.repeat(image[..., None], 3, axis=2).astype(np.float32)


def to_uint8(image: np.ndarray) -> np.ndarray:
    """Round a [0, 1] float image to uint8 (values outside [0, 1] are clipped)."""
    return (np.clip(np.asarray(image, dtype=np.float64), 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def encode_png(image: np.ndarray) -> bytes:
    """Encode a float [0, 1] image (or a uint8 one, as it is) as 8-bit PNG bytes (gray or RGB)."""
    arr = image if image.dtype == np.uint8 else to_uint8(image)
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[..., 0]
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="PNG")
    return buf.getvalue()


def save_image(image: np.ndarray, path: str | Path) -> Path:
    """Write an image to ``path``; the format follows the extension (PNG, JPEG, TIFF, BMP, WebP).

    Raises
    ------
    ImageValueError
        If the extension names no format Pillow can write.
    """
    path = Path(path)
    arr = to_uint8(image)
    try:
        Image.fromarray(arr).save(path)
    except (KeyError, ValueError) as exc:
        raise ImageValueError(f"cannot write {path.name}: unknown or unsupported image format ({exc})") from None
    return path


def downscale_to_max_pixels(image: np.ndarray, max_pixels: int) -> np.ndarray:
    """Shrink ``image`` (keeping its aspect ratio) until it has at most ``max_pixels`` pixels.

    Uses anti-aliased bicubic resizing; an image already small enough is returned as is.
    """
    h, w = image.shape[:2]
    if h * w <= max_pixels:
        return image
    factor = (max_pixels / float(h * w)) ** 0.5
    new_h, new_w = max(1, int(h * factor)), max(1, int(w * factor))

    return np.clip(imresize(image, output_shape=(new_h, new_w)), 0.0, 1.0).astype(np.float32)
