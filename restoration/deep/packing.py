"""Image stacks in a training pack (``.npz``), stored raw or as lossless WebP.

A pack (:func:`.train.pack_crops`) travels to a machine without the datasets, under a size limit, so
its bytes decide how many training crops it can hold. ``np.savez_compressed`` deflates raw pixels;
lossless WebP predicts each pixel from its neighbours first and stores natural-image crops in about
half the bytes (measured 2026-12-06 on 60 CBSD432 crops of 128 px: 1.15 MB against deflate's
2.19 MB; synthetic pages 0.26 against 0.41 MB). It is exact: decoding gives back every byte.

A stored stack ``K`` (any uint8 array whose first axis counts images, each (H, W) or (H, W, 3)) is
three arrays: ``K`` the images' WebP files one after another, ``K__offsets`` where each starts (and
the end), ``K__shape`` the stack's shape; a single image is a stack of one marked ``K__single``.
Arrays of any other kind are stored as they are.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import RestorationError

#: How a pack may store its images (``pack-crops --codec``).
CODECS = ("webp", "raw")

_OFFSETS, _SHAPE, _SINGLE = "__offsets", "__shape", "__single"


def encode_stack(images: np.ndarray) -> dict[str, np.ndarray]:
    """A uint8 stack (N, H, W[, 3]) as WebP bytes: ``{"": bytes, "__offsets": ..., "__shape": ...}``.

    The keys are suffixes for the stack's name in the pack. Gray images are stored with R = G = B
    (WebP has no one-channel mode) and read back as one channel.
    """
    from PIL import Image

    images = np.asarray(images)
    if images.dtype != np.uint8 or images.ndim not in (3, 4) or (images.ndim == 4 and images.shape[-1] != 3):
        raise RestorationError(f"cannot pack an array of {images.dtype} {images.shape} as images")
    blobs = []
    for img in images:
        buf = io.BytesIO()
        Image.fromarray(img).save(buf, format="WEBP", lossless=True, quality=100, method=4, exact=True)
        blobs.append(np.frombuffer(buf.getvalue(), np.uint8))
    offsets = np.concatenate([[0], np.cumsum([len(b) for b in blobs])]).astype(np.int64)
    return {"": np.concatenate(blobs) if blobs else np.zeros(0, np.uint8), _OFFSETS: offsets,
            _SHAPE: np.asarray(images.shape, np.int64)}


def decode_stack(data: np.ndarray, offsets: np.ndarray, shape: np.ndarray) -> np.ndarray:
    """The uint8 stack that :func:`encode_stack` stored (checked against its recorded shape)."""
    from PIL import Image, features

    if not features.check("webp"):
        raise RestorationError("this pack stores its images as lossless WebP, which this machine's Pillow cannot "
                               "read: make the pack again with `pack-crops --codec raw`")
    shape = tuple(int(s) for s in shape)
    out = np.empty(shape, np.uint8)
    for i in range(shape[0]):
        with Image.open(io.BytesIO(data[offsets[i] : offsets[i + 1]].tobytes())) as img:
            arr = np.asarray(img.convert("RGB"))
        arr = arr[..., 0] if len(shape) == 3 else arr
        if arr.shape != shape[1:]:
            raise RestorationError(f"a packed image is {arr.shape}, its stack says {shape[1:]}: the pack is damaged")
        out[i] = arr
    return out


def save_pack(path: str | Path, arrays: dict[str, Any], stacks: dict[str, np.ndarray],
              images: dict[str, np.ndarray], codec: str = "webp") -> None:
    """Write one ``.npz``: ``arrays`` as they are, uint8 ``stacks`` (N, H, W[, 3]) and single uint8
    ``images`` (H, W[, 3]) in ``codec``; :func:`read_pack` gives all of them back."""
    if codec not in CODECS:
        raise RestorationError(f"unknown codec {codec!r} (choose from {', '.join(CODECS)})")
    out = {**arrays, "codec": np.array(codec)}
    if codec == "raw":
        out.update({**stacks, **images})
    else:
        for name, stack in [*stacks.items(), *((k, v[None]) for k, v in images.items())]:
            out.update({name + suffix: part for suffix, part in encode_stack(stack).items()})
        out.update({name + _SINGLE: np.array(True) for name in images})
    np.savez_compressed(path, **out)


def read_pack(path: str | Path) -> dict[str, np.ndarray]:
    """Every array of a pack, its image stacks decoded (packs of either codec, or of none recorded).

    A training run reads its pack twice (training crops, then gray crops and pages); the last pack
    read is kept, keyed by its path, size and modification time, so it is decoded once.
    """
    p = Path(path)
    if not p.is_file():
        raise RestorationError(f"training pack not found: {path}")
    st = p.stat()
    return dict(_read_pack(str(p.resolve()), st.st_size, st.st_mtime_ns))


@functools.lru_cache(maxsize=1)
def _read_pack(path: str, size: int, mtime_ns: int) -> dict[str, np.ndarray]:
    with np.load(path) as found:
        raw = {k: found[k] for k in found.files}
    for key in [k for k in raw if k.endswith(_SHAPE)]:
        name = key[: -len(_SHAPE)]
        stack = decode_stack(raw[name], raw.pop(name + _OFFSETS), raw.pop(key))
        raw[name] = stack[0] if raw.pop(name + _SINGLE, False) else stack
    for arr in raw.values():
        arr.setflags(write=False)  # shared by every caller
    return raw
