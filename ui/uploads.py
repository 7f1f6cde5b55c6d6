"""Uploaded bytes to images, safely: an image file, or a zip archive of benchmark images (no Streamlit here).

* :func:`decode_upload` decodes one image (its pixel count checked from the header
  first) and shrinks it to the working size;
* :func:`safe_extract_zip` unpacks the image files of a zip archive into a folder,
  refusing the whole archive when an entry is unsafe (absolute path, ``..``, link,
  special file, encrypted) or when it breaks a limit (entries, unpacked bytes);
* :func:`images_from_zip` reads benchmark images (one folder per category) from a
  zip archive through a temporary folder that is always removed, bounded in images
  and in pixels summed from the headers before anything is decoded;
* :func:`images_from_files` reads benchmark images from several uploaded files (a folder's
  sub-folders are categories), each through :func:`decode_upload`.

The limits below are the app's; every function takes them as keyword arguments too.
Pure Python over :mod:`restoration`: the pages reach these through :mod:`ui.cache`.
"""

from __future__ import annotations

import io
import stat
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import numpy as np

from restoration import RestorationError
from restoration.benchmark import BenchmarkImage, collect_images
from restoration.images import DEFAULT_MAX_PIXELS, downscale_to_max_pixels, load_image, read_image_size

__all__ = [
    "UPLOAD_TYPES",
    "ZIP_MAX_BYTES",
    "ZIP_MAX_FILES",
    "ZIP_MAX_IMAGES",
    "ZIP_MAX_TOTAL_PIXELS",
    "ZipImages",
    "decode_upload",
    "images_from_files",
    "images_from_zip",
    "safe_extract_zip",
]

#: File types the image uploaders accept.
UPLOAD_TYPES: tuple[str, ...] = ("png", "jpg", "jpeg", "tif", "tiff", "bmp", "webp")
#: Limits of an uploaded benchmark zip: entries, total uncompressed bytes, images kept.
ZIP_MAX_FILES = 2000
ZIP_MAX_BYTES = 300 * 1024 * 1024
ZIP_MAX_IMAGES = 300
#: Most pixels, summed over the images of one zip (read from their headers before any is decoded): each image is
#: decoded at full size before it is shrunk, so this bounds the decoding time (tens of seconds on a 2-core laptop)
#: and, at the "Full size" working size, the memory the images keep (12 bytes a pixel: 1.2 GB).
ZIP_MAX_TOTAL_PIXELS = 100_000_000
#: Extensions of the files taken from a zip archive (the uploader's types and a few more that decode).
_ZIP_SUFFIXES = frozenset(f".{t}" for t in (*UPLOAD_TYPES, "gif", "ppm", "pgm"))


def decode_upload(
    data: bytes, max_pixels: int | None, *, max_image_pixels: int = DEFAULT_MAX_PIXELS
) -> tuple[np.ndarray, tuple[int, int]]:
    """Decode uploaded image bytes and shrink them to the working size.

    Parameters
    ----------
    data : bytes
        The encoded file (PNG, JPEG, TIFF, BMP, WebP, ...).
    max_pixels : int or None
        Working size: larger images are downscaled to this many pixels; ``None`` or 0
        keeps the full size.
    max_image_pixels : int
        Most pixels of the decoded file (checked from its header before decoding).

    Returns
    -------
    image : numpy.ndarray
        float32 image in [0, 1].
    original_shape : (int, int)
        Height and width of the decoded file.

    Raises
    ------
    ImageDecodeError, ImageTooLargeError
        For unreadable data, or an image over ``max_image_pixels`` (default
        ``restoration.images.DEFAULT_MAX_PIXELS``).
    """
    image = load_image(data, max_pixels=max_image_pixels)
    original = (int(image.shape[0]), int(image.shape[1]))
    if max_pixels:
        image = downscale_to_max_pixels(image, int(max_pixels))
    return image, original


def _unsafe_reason(info: zipfile.ZipInfo) -> str | None:
    """Why a zip entry must not be extracted, or None when it is safe."""
    name = info.filename
    if "\x00" in name:
        return "has a NUL character in its name"
    path = PurePosixPath(name.replace("\\", "/"))
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return "is an absolute path"
    if ".." in path.parts:
        return "points outside the archive ('..')"
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return "is a symbolic link"
    kind = stat.S_IFMT(mode)
    if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
        return "is not a regular file"
    if info.flag_bits & 0x1:
        return "is encrypted"
    return None


def _count_entries(data: bytes) -> int:
    """An upper bound on the entries of a zip archive, found without parsing its directory.

    Counts the central-directory signatures in the bytes the directory can occupy (the
    ``size`` bytes before the end record, or everything before it for a zip64 archive).
    A signature inside a file name only makes the bound larger, never smaller.
    """
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 65_535))
    if end < 0 or end + 22 > len(data):
        return 0  # not a zip archive: zipfile says so with its own error
    (size,) = struct.unpack_from("<I", data, end + 12)
    start = 0 if size == 0xFFFFFFFF else max(0, end - size)
    return data.count(b"PK\x01\x02", start, end)


def safe_extract_zip(
    data: bytes, dest: str | Path, *, max_files: int = ZIP_MAX_FILES, max_bytes: int = ZIP_MAX_BYTES
) -> list[Path]:
    """Extract the image files of a zip archive into ``dest``, refusing anything unsafe.

    The whole archive is refused when an entry has an absolute path, a ``..``
    component, is a link, special file or encrypted, or when it holds more than
    ``max_files`` entries (counted before the directory is parsed, so a zip of millions
    of empty entries costs no memory) or more than ``max_bytes`` of uncompressed data
    (checked from the directory and again while writing, so a lying header cannot
    exceed it). An entry that cannot be written (a file and a folder of the same name,
    a name too long for the file system) is a :class:`RestorationError` too.
    Folders, hidden files, ``__MACOSX`` metadata and files that are not images (by
    extension) are skipped.

    Parameters
    ----------
    data : bytes
        The zip file.
    dest : str or Path
        An existing, empty folder.
    max_files : int
        Most entries in the archive.
    max_bytes : int
        Most uncompressed bytes written in all.

    Returns
    -------
    list of Path
        The files written, in archive order.

    Raises
    ------
    RestorationError
        For a file that is not a zip archive, or one that breaks a rule above.
    """
    dest = Path(dest).resolve()
    if _count_entries(data) > max_files:  # before zipfile builds an object per entry (memory, time)
        raise RestorationError(f"the zip archive holds more than {max_files:,} entries, over the limit")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise RestorationError("the uploaded file is not a zip archive") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > max_files:
            raise RestorationError(f"the zip archive holds {len(infos):,} entries, over the limit of {max_files:,}")
        declared = sum(i.file_size for i in infos)
        if declared > max_bytes:
            raise RestorationError(
                f"the zip archive unpacks to {declared / 1e6:,.0f} MB, over the limit of {max_bytes / 1e6:,.0f} MB"
            )
        for info in infos:
            reason = _unsafe_reason(info)
            if reason:
                raise RestorationError(f"refused the zip archive: entry {info.filename!r} {reason}")
        written: list[Path] = []
        total = 0
        for info in infos:
            parts = PurePosixPath(info.filename.replace("\\", "/")).parts
            if info.is_dir() or not parts or any(p.startswith(".") or p == "__MACOSX" for p in parts):
                continue
            if PurePosixPath(parts[-1]).suffix.lower() not in _ZIP_SUFFIXES:
                continue
            target = dest.joinpath(*parts).resolve()
            if dest not in target.parents:  # belt and braces after the checks above
                raise RestorationError(f"refused the zip archive: entry {info.filename!r} leaves the folder")
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(info) as src, target.open("wb") as out:
                    while chunk := src.read(1 << 20):
                        total += len(chunk)
                        if total > max_bytes:
                            raise RestorationError(
                                f"the zip archive unpacks to more than {max_bytes / 1e6:,.0f} MB; refused"
                            )
                        out.write(chunk)
            except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
                raise RestorationError(f"the zip entry {info.filename!r} is damaged ({exc})") from None
            except OSError as exc:  # a name clash (file vs folder), a name too long, a full disk, ...
                reason = exc.strerror or exc.__class__.__name__
                raise RestorationError(f"the zip entry {info.filename!r} cannot be unpacked ({reason})") from None
            written.append(target)
    return written


@dataclass(frozen=True)
class ZipImages:
    """Images read from an uploaded zip file.

    Attributes
    ----------
    images : list of BenchmarkImage
        The decoded images (pixels in memory), category = their folder.
    skipped : list of str
        One line per file that could not be used, with the reason.
    """

    images: list[BenchmarkImage]
    skipped: list[str]


def images_from_zip(
    data: bytes,
    max_pixels: int | None,
    *,
    max_files: int = ZIP_MAX_FILES,
    max_bytes: int = ZIP_MAX_BYTES,
    max_images: int = ZIP_MAX_IMAGES,
    max_total_pixels: int = ZIP_MAX_TOTAL_PIXELS,
    max_image_pixels: int = DEFAULT_MAX_PIXELS,
) -> ZipImages:
    """Benchmark images from a zip file with one folder per category.

    The archive is unpacked with :func:`safe_extract_zip` into a temporary folder
    that is deleted before this function returns (also on an error); the images are
    decoded, shrunk to ``max_pixels`` and kept in memory. Before anything is decoded,
    the pixel counts in the image headers are summed: an archive over
    ``max_total_pixels`` is refused (images over the per-image limit ``max_image_pixels``,
    which are skipped anyway, do not count). A single top folder that holds the category
    folders is looked into. Files directly at the top get the category ``"all"``.

    Parameters
    ----------
    data : bytes
        The zip file.
    max_pixels : int or None
        Working size of each image (``None`` or 0: full size).
    max_files, max_bytes : int
        Limits of the archive (see :func:`safe_extract_zip`).
    max_images : int
        Most images kept (the others are reported in ``skipped``).
    max_total_pixels : int
        Most pixels of all the images together, from their headers.
    max_image_pixels : int
        Most pixels of one image; larger ones are skipped.

    Returns
    -------
    ZipImages
        The images (at most ``max_images``) and the files skipped.

    Raises
    ------
    RestorationError
        For an unsafe or unreadable archive, one whose images hold more than
        ``max_total_pixels`` in all, or one without a single readable image.
    """
    images: list[BenchmarkImage] = []
    skipped: list[str] = []
    with tempfile.TemporaryDirectory(prefix="restoration-zip-") as tmp:
        root = Path(tmp)
        safe_extract_zip(data, root, max_files=max_files, max_bytes=max_bytes)
        entries = [p for p in root.iterdir() if not p.name.startswith(".")]
        while len(entries) == 1 and entries[0].is_dir() and any(p.is_dir() for p in entries[0].iterdir()):
            root = entries[0]
            entries = [p for p in root.iterdir() if not p.name.startswith(".")]
        try:
            found = collect_images(root)
        except RestorationError:
            raise RestorationError(
                "the zip archive holds no images (expected one folder per category with PNG/JPEG/... files)"
            ) from None
        if len(found) > max_images:
            skipped.append(f"{len(found) - max_images} images over the limit of {max_images} were left out")
            found = found[:max_images]
        total = 0
        for item in found:
            assert item.path is not None
            try:
                width, height = read_image_size(item.path)
            except RestorationError:
                continue  # reported when it fails to decode below
            if width * height <= max_image_pixels:
                total += width * height
        if total > max_total_pixels:
            raise RestorationError(
                f"the images in the zip archive hold {total / 1e6:,.1f} megapixels in all, over the limit of "
                f"{max_total_pixels / 1e6:,.0f} megapixels per archive; upload fewer or smaller images"
            )
        for item in found:
            assert item.path is not None
            try:
                pixels = load_image(item.path, max_pixels=max_image_pixels)
            except RestorationError as exc:
                skipped.append(f"{item.category}/{item.path.name}: {exc}")
                continue
            if max_pixels:
                pixels = downscale_to_max_pixels(pixels, int(max_pixels))
            images.append(BenchmarkImage(item.name, item.category, pixels=pixels))
    if not images:
        raise RestorationError("no image in the zip archive could be read: " + "; ".join(skipped[:3]))
    return ZipImages(images, skipped)


def images_from_files(
    files: Sequence[tuple[str, bytes]], max_pixels: int | None, *, max_images: int = ZIP_MAX_IMAGES
) -> ZipImages:
    """Benchmark images from uploaded files (several photos, or a folder's files), decoded at the working size.

    A file in a sub-folder of an uploaded folder (``folder/night/a.jpg``) gets that sub-folder as its category,
    the others ``"all"``; names are made unique (``a``, ``a-2``, ...). Each file is decoded by
    :func:`decode_upload` (its limits apply); files that cannot be read are skipped, with the reason.

    Parameters
    ----------
    files : sequence of (str, bytes)
        Each upload's name (with its relative path for a folder) and its bytes.
    max_pixels : int or None
        Working size of each image (``None`` or 0: full size).
    max_images : int
        Most images kept (the others are reported in ``skipped``).

    Returns
    -------
    ZipImages
        The images (possibly none) and the files skipped.
    """
    images: list[BenchmarkImage] = []
    skipped: list[str] = []
    names: set[str] = set()
    for filename, data in files:
        path = PurePosixPath(filename)
        if len(images) >= max_images:
            skipped.append(f"{filename}: over the limit of {max_images} images")
            continue
        try:
            pixels, _ = decode_upload(data, int(max_pixels) if max_pixels else None)
        except RestorationError as exc:
            skipped.append(f"{filename}: {exc}")
            continue
        name, n = path.stem, 2
        while name in names:
            name, n = f"{path.stem}-{n}", n + 1
        names.add(name)
        images.append(BenchmarkImage(name, path.parts[-2] if len(path.parts) >= 3 else "all", pixels=pixels))
    return ZipImages(images, skipped)
