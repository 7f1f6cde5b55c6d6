"""The bundled, categorised sample images and their licences.

The survey this app reproduces sorts its test images into five categories (:data:`CATEGORIES`).
``assets/gallery/`` ships at least three images for each: photographs that scikit-image and
matplotlib distribute under public-domain or CC0 terms, and scenes that
``scripts/build_gallery.py`` renders itself from fixed seeds (landscapes, streets, rooms and text
documents). ``assets/gallery/manifest.json`` records, for every image, where it comes from and
under which licence; ``assets/gallery/LICENSES.md`` is the same table for people.

Examples
--------
>>> from restoration.gallery import list_gallery, load_gallery_image
>>> [img.key for img in list_gallery("portrait")][:2]
['astronaut', 'grace_hopper']
>>> load_gallery_image("cameraman").shape
(512, 512)
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import RestorationError
from .images import load_image

__all__ = [
    "CATEGORIES",
    "GalleryImage",
    "gallery_dir",
    "get_gallery_image",
    "list_gallery",
    "load_gallery_image",
]

#: The survey's image categories, in the order the app shows them.
CATEGORIES: tuple[str, ...] = ("natural landscape", "urban scene", "portrait", "text document", "indoor")

_MANIFEST = "manifest.json"


@dataclass(frozen=True)
class GalleryImage:
    """One bundled image and what is known about it.

    Attributes
    ----------
    key : str
        Short unique name (a slug), e.g. ``"astronaut"``.
    title : str
        Human-readable title.
    category : str
        One of :data:`CATEGORIES`.
    file : Path
        Absolute path of the PNG file.
    source : str
        Where the image comes from (package data file, or the generator and its seed).
    licence : str
        The terms it is distributed under, e.g. ``"Public domain"`` or ``"CC0 1.0"``.
    description : str
        One sentence: what it shows and what makes it interesting to restore.
    gray : bool
        True for a single-channel image (loads as HxW), False for RGB (HxWx3).
    width, height : int
        Size in pixels.
    """

    key: str
    title: str
    category: str
    file: Path
    source: str
    licence: str
    description: str
    gray: bool
    width: int
    height: int

    def load(self) -> np.ndarray:
        """Decode the image into the package convention.

        Returns
        -------
        numpy.ndarray
            float32 in ``[0, 1]``, shaped ``(height, width)`` when :attr:`gray`, else ``(height, width, 3)``.
        """
        return load_image(self.file)


def gallery_dir() -> Path:
    """Folder that holds the gallery images and ``manifest.json`` (``<repo>/assets/gallery``)."""
    return Path(__file__).resolve().parents[1] / "assets" / "gallery"


@functools.lru_cache(maxsize=1)
def _manifest() -> tuple[GalleryImage, ...]:
    """Read and check the manifest once per process."""
    folder = gallery_dir()
    path = folder / _MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RestorationError(
            f"the sample gallery is missing ({path} not found); rebuild it with python scripts/build_gallery.py"
        ) from None
    except json.JSONDecodeError as exc:
        raise RestorationError(f"the gallery manifest {path} is not valid JSON ({exc})") from None
    images = []
    for rec in data.get("images", []):
        try:
            image = GalleryImage(
                key=str(rec["key"]),
                title=str(rec["title"]),
                category=str(rec["category"]),
                file=folder / str(rec["file"]),
                source=str(rec["source"]),
                licence=str(rec["licence"]),
                description=str(rec["description"]),
                gray=bool(rec["gray"]),
                width=int(rec["width"]),
                height=int(rec["height"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise RestorationError(f"the gallery manifest {path} has a malformed record {rec!r} ({exc})") from None
        if image.category not in CATEGORIES:
            raise RestorationError(
                f"gallery image {image.key!r} has unknown category {image.category!r}; expected one of {CATEGORIES}"
            )
        images.append(image)
    return tuple(images)


def list_gallery(category: str | None = None) -> list[GalleryImage]:
    """The gallery images, in manifest order, optionally only one category's.

    Parameters
    ----------
    category : str or None
        One of :data:`CATEGORIES`, or ``None`` for every image.

    Returns
    -------
    list of GalleryImage

    Raises
    ------
    RestorationError
        If ``category`` is not one of :data:`CATEGORIES`, or the manifest is missing or malformed.
    """
    if category is not None and category not in CATEGORIES:
        raise RestorationError(
            f"unknown gallery category {category!r}; choose one of: {', '.join(repr(c) for c in CATEGORIES)}"
        )
    images = _manifest()
    return [img for img in images if category is None or img.category == category]


def get_gallery_image(key: str) -> GalleryImage:
    """The gallery image called ``key``.

    Raises
    ------
    RestorationError
        If no image has that key (the message lists the keys there are).
    """
    for img in _manifest():
        if img.key == key:
            return img
    keys = ", ".join(img.key for img in _manifest())
    raise RestorationError(f"no gallery image called {key!r}; available: {keys}")


def load_gallery_image(key: str) -> np.ndarray:
    """Load the gallery image called ``key`` as float32 in ``[0, 1]`` (HxW gray or HxWx3 colour).

    Raises
    ------
    RestorationError
        If no image has that key, or its file cannot be decoded.
    """
    return get_gallery_image(key).load()
