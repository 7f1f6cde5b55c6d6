"""Training of the deep models: seeded, resumable, with a progress bar and per-epoch validation.

``python -m restoration train --task denoise|sr|combined --data DIR --val DIR --out NAME ...``

Tasks (all train the same residual attention network, see :mod:`.archs.denoiser`):

* ``denoise`` -- Gaussian noise with sigma uniform in ``[0, --sigma-max]``, the noise level as the map.
* ``sr`` -- MATLAB-bicubic downsampling by a scale drawn from ``--scales`` per batch; the network
  corrects the bicubic enlargement (one model for x2, x3 and x4, the scale as the map). Gray models
  work on the luma (Y of YCbCr), the super-resolution convention.
* ``combined`` -- the survey's degradation: motion blur of random length in ``[1, --blur-max]`` and
  random angle, bicubic downsampling by 2, Gaussian noise with sigma uniform in ``[0, --sigma-max]``
  (clipped, as the app's default). This task trains the unfolded network of
  :mod:`.archs.unfolded` (``--stages`` data steps with the known kernel, each followed by the shared
  attention denoiser as prior) end to end on colour images; ``--init`` starts its prior from a
  trained gray denoiser. Validation: the app's combined preset on ``--val`` images, centre-cropped to
  ``--val-crop`` pixels.

Each run writes, under ``--out-dir`` (default ``assets/weights``):

* ``NAME.pt`` -- the best ``state_dict`` so far (by validation PSNR), in float32;
* ``NAME.ckpt`` (under ``--checkpoint-dir``) -- model + optimiser + step + RNG state, to resume;
* an entry ``NAME`` in ``manifest.json`` -- sha256, architecture and its arguments, training data,
  steps, validation score, and the exact command that reproduces the weights.

Training data are read from a folder of images (e.g. ``../shared/datasets/Train400``); they are
never copied into the repository.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import shlex
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..colour import rgb_to_y
from ..errors import RestorationError
from ..images import load_image, to_gray, to_uint8
from ..ops import imresize, modcrop, motion_kernel, resize_matrix
from .packing import read_pack, save_pack

TASKS = ("denoise", "sr", "combined")
#: Degradation used to validate (and benchmark) the combined model: the app's "combined" preset.
COMBINED_SPEC = "motion_blur(length=9, angle=30) | downsample(scale=2) | gaussian_noise(sigma=10)"

__all__ = ["TrainConfig", "add_arguments", "train"]


@dataclass
class TrainConfig:
    """Everything that defines a training run (recorded in the manifest)."""

    task: str
    data: str
    out: str
    val: str | None = None
    out_dir: str = "assets/weights"
    checkpoint_dir: str = "checkpoints"
    channels: int = 1
    features: int = 64
    blocks: int = 9
    steps: int = 20000
    batch: int = 32
    patch: int = 64
    lr: float = 1e-3
    lr_min: float = 1e-5
    warmup: int = 0
    sigma_max: float = 55.0
    val_sigma: float = 25.0
    unshuffle: int = 2
    scales: str = "2,3,4"
    val_scale: int = 4
    blur_max: float = 15.0
    stages: int = 5
    priors: int = 1
    pad: int = 6
    val_crop: int = 0
    val_images: int = 0
    loss: str = ""
    init: str = ""
    val_every: int = 500
    seed: int = 0
    bf16: str | bool = "auto"
    threads: int = 0
    val_split: int = 0
    time_budget: float = 0.0
    device: str = "auto"
    prior: str = "colour"
    arch: str = "attention"
    levels: int = 3
    resume: bool = True
    max_images: int = 0
    stop_after: int = 0
    gray_data: str = ""
    gray_share: float = 0.0
    pages: float = 0.0
    store: str = "float32"
    ema: float = 0.0


class _Pool:
    """Training images from several sources, each drawn with its own probability (its share)."""

    def __init__(self, parts: Sequence[tuple[list[np.ndarray], float]]) -> None:
        self.parts = [list(images) for images, _ in parts]
        shares = np.asarray([share for _, share in parts], np.float64)
        self.shares = shares / shares.sum()

    def pick(self, rng: np.random.Generator) -> np.ndarray:
        images = self.parts[int(rng.choice(len(self.parts), p=self.shares))]
        return images[int(rng.integers(len(images)))]

    def __iter__(self) -> Iterator[np.ndarray]:  # every image of every source
        return (img for images in self.parts for img in images)

    def __len__(self) -> int:
        return sum(len(images) for images in self.parts)


#: Seeds of the synthetic pages: training pages count up from 0, validation pages from here.
PAGE_VAL_SEED = 1_000_000
PAGE_TRAIN_COUNT = 160
PAGE_VAL_COUNT = 8


def _image_paths(folder: str) -> list[Path]:
    if not Path(folder).is_dir():
        raise RestorationError(f"training folder not found: {folder}")
    return sorted(p for p in Path(folder).iterdir() if p.suffix.lower() in {".png", ".jpg", ".bmp", ".tif"})


def held_out(names: Sequence[str], count: int) -> list[str]:
    """The ``count`` images of a training set set aside for validation: every k-th name in sorted order.

    The rule depends only on the file names, so every task trained on the same folder holds out the
    same images (the colour denoiser and the combined model are selected on one split).
    """
    names = sorted(names)
    if count <= 0:
        return []
    if count >= len(names):
        raise RestorationError(f"--val-split {count} leaves no training images (the set has {len(names)})")
    step = len(names) // count
    return [names[i * step] for i in range(count)]


def _read(paths: Sequence[Path], channels: int, luma: bool) -> list[np.ndarray]:
    if luma and channels == 1:
        out = []
        for p in paths:
            img = load_image(p, mode="auto")
            out.append(rgb_to_y(img).astype(np.float32) if img.ndim == 3 else img)
        return out
    mode = "gray" if channels == 1 else "rgb"
    return [load_image(p, mode=mode) for p in paths]


def _from_pack(arr: np.ndarray, channels: int, luma: bool) -> list[np.ndarray]:
    """uint8 (N, H, W, 3) crops of a pack -> float images in the task's channels."""
    out = []
    for a in arr:
        img = a.astype(np.float32) / 255.0
        if channels == 1:
            img = rgb_to_y(img).astype(np.float32) if luma else to_gray(img)
        out.append(img)
    return out


def load_data(cfg: TrainConfig, luma: bool = False) -> tuple[list[np.ndarray], list[np.ndarray], list[str]]:
    """Training images, validation images and the names of the held-out ones.

    ``cfg.data`` is a folder of images or a pack written by :func:`pack_crops` (``.npz``: random
    training crops, and the held-out validation images it was packed with). Validation images come
    from ``cfg.val`` when given, else from ``--val-split`` images held out of the training folder
    (:func:`held_out`), else from the pack.
    """
    names: list[str] = []
    if str(cfg.data).endswith(".npz"):
        pack = read_pack(cfg.data)
        _check_pack_crop(pack, cfg)
        images = _from_pack(pack["crops"], cfg.channels, luma)
        val_keys = sorted((k for k in pack if k[:4] == "val_" and k[4:].isdigit()), key=lambda k: int(k[4:]))
        val = [_from_pack(pack[k][None], cfg.channels, luma)[0] for k in val_keys]
        names = [str(n) for n in pack["val_names"]] if "val_names" in pack else []
        if cfg.max_images:
            images = images[: cfg.max_images]
    else:
        paths = _image_paths(cfg.data)
        skip = set(held_out([p.name for p in paths], cfg.val_split))
        names = sorted(skip)
        train_paths = [p for p in paths if p.name not in skip]
        if cfg.max_images:
            train_paths = train_paths[: cfg.max_images]
        if not train_paths:
            raise RestorationError(f"no training images in {cfg.data}")
        images = _read(train_paths, cfg.channels, luma)
        val = _read([p for p in paths if p.name in skip], cfg.channels, luma)
    if cfg.val:
        paths = _image_paths(cfg.val)
        if not paths:
            raise RestorationError(f"no validation images in {cfg.val}")
        val, names = _read(paths, cfg.channels, luma), []
    if not images:
        raise RestorationError(f"no training images in {cfg.data}")
    if cfg.val_images:
        val, names = val[: cfg.val_images], names[: cfg.val_images]
    return images, val, names


def _as_channels(img: np.ndarray, channels: int) -> np.ndarray:
    if channels == 3 and img.ndim == 2:
        return np.repeat(img[..., None], 3, axis=2)
    return img


def _is_gray(img: np.ndarray) -> bool:
    """Whether an (H, W, 3) image has three equal channels (a gray image stored as colour)."""
    return bool(np.array_equal(img[..., 0], img[..., 1]) and np.array_equal(img[..., 0], img[..., 2]))


def _gray_held_out(paths: Sequence[Path], val_split: int) -> set[str]:
    """The held-out names of a ``--gray-data`` folder: ``max(1, val_split // 4)`` by :func:`held_out`."""
    return set(held_out([p.name for p in paths], max(1, val_split // 4))) if val_split else set()


Sources = list[tuple[list[np.ndarray], float, str]]


def load_extras(cfg: TrainConfig) -> tuple[Sources, list[tuple[str, list[np.ndarray]]]]:
    """The extra training sources and their validation parts: gray photographs and synthetic pages.

    ``--gray-data`` (a folder, e.g. Train400) holds out ``max(1, --val-split // 4)`` images by the
    same rule as :func:`held_out`; in a colour run its images are R = G = B. ``--pages`` draws
    :data:`PAGE_TRAIN_COUNT` synthetic document pages (:mod:`.pages`, seeds 0, 1, ...) and validates
    on :data:`PAGE_VAL_COUNT` others (seeds from :data:`PAGE_VAL_SEED`).

    Returns
    -------
    (sources, val_parts)
        ``[(images, share, name)]`` for training and ``[(name, images)]`` for validation.
    """
    sources: Sources = []
    val_parts: list[tuple[str, list[np.ndarray]]] = []
    pack: dict[str, Any] = {}
    if str(cfg.data).endswith(".npz") and (cfg.gray_share > 0 or cfg.pages > 0):
        pack = read_pack(cfg.data)  # a pack made with --gray-data / --pages carries them
    if cfg.gray_share > 0:
        if cfg.gray_data:
            paths = _image_paths(cfg.gray_data)
            skip = _gray_held_out(paths, cfg.val_split)
            gray = [load_image(p, mode="gray") for p in paths if p.name not in skip]
            names = sorted(skip)
            held = [load_image(p, mode="gray") for p in paths if p.name in skip]
            name, label = Path(cfg.gray_data).name, "gray"
        elif "gray_crops" in pack:
            gray = [a.astype(np.float32) / 255.0 for a in pack["gray_crops"]]
            names = [str(n) for n in pack["gray_val_names"]]
            held = [pack[f"gray_val_{j}"].astype(np.float32) / 255.0 for j in range(len(names))]
            name, label = str(pack["gray_source"]), "gray, packed crops"
        else:
            raise RestorationError("--gray-share needs --gray-data (or a pack made with --gray-data)")
        if not gray:
            raise RestorationError(f"no gray training images in {name}")
        sources.append(([_as_channels(g, cfg.channels) for g in gray], cfg.gray_share, f"{name} ({label})"))
        if names:
            val_parts.append((f"{name} held-out split ({len(names)} gray images: {', '.join(names)})",
                              [_as_channels(g, cfg.channels) for g in held]))
    if cfg.pages > 0:
        def fit(page: np.ndarray) -> np.ndarray:
            return to_gray(page) if cfg.channels == 1 else page

        if "pages" in pack:  # drawn where the pack was made (the fonts there)
            train_pages = [a.astype(np.float32) / 255.0 for a in pack["pages"]]
            val_pages = [a.astype(np.float32) / 255.0 for a in pack["page_val"]]
        else:
            from .pages import render_pages

            train_pages = render_pages(PAGE_TRAIN_COUNT, seed=0)
            val_pages = render_pages(PAGE_VAL_COUNT, seed=PAGE_VAL_SEED)
        n, m = len(train_pages), len(val_pages)
        sources.append(([fit(p) for p in train_pages], cfg.pages, f"synthetic pages ({n}, seeds 0-{n - 1})"))
        val_parts.append((f"synthetic pages ({m}, seeds {PAGE_VAL_SEED}-{PAGE_VAL_SEED + m - 1})",
                          [fit(p) for p in val_pages]))
    if sum(share for _, share, _ in sources) >= 1.0:
        raise RestorationError("--gray-share and --pages must leave a share for --data (their sum below 1)")
    return sources, val_parts


def _random_crops(images: Sequence[np.ndarray], count: int, size: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` random ``size`` x ``size`` crops taken evenly from the images (too small ones skipped)."""
    usable = [img for img in images if min(img.shape[:2]) >= size]
    if not usable:
        raise RestorationError(f"no training image is at least {size} px on each side")
    per = math.ceil(count / len(usable))
    crops = []
    for img in usable:
        h, w = img.shape[:2]
        for _ in range(per):
            if len(crops) == count:
                break
            y, x = int(rng.integers(0, h - size + 1)), int(rng.integers(0, w - size + 1))
            crops.append(img[y : y + size, x : x + size])
    return np.stack(crops)


def pack_crops(folder: str, out: str, *, count: int = 2000, size: int = 128, val_split: int = 32,
               seed: int = 0, gray_data: str = "", gray_count: int = 500, pages: bool = False,
               val_crop: int = 0, codec: str = "webp") -> dict[str, Any]:
    """Write one ``.npz`` of random uint8 training crops (for a machine without the dataset).

    The ``val_split`` held-out images (:func:`held_out`) are never cropped for training; they are
    stored whole (``val_0`` ...), or as their centre ``val_crop`` x ``val_crop`` crops (what a
    combined run with ``--val-crop`` validates on, in a fraction of the bytes), with their names, so
    a run on the pack validates on the same split. With ``gray_data``, ``gray_count`` gray crops of
    that folder and its held-out split (``val_split // 4``, as :func:`load_extras`) are stored too;
    with ``pages``, the synthetic training and validation pages, drawn here (a GPU machine may lack
    the fonts). A run on the pack then takes them by ``--gray-share`` and ``--pages`` alone. The
    images are stored by ``codec`` (:mod:`.packing`: lossless WebP, about half of raw's bytes).

    Returns
    -------
    dict
        ``{"file", "crops", "size", "megabytes", "held_out", "codec", "val_crop", ...}``.
    """
    paths = _image_paths(folder)
    skip = set(held_out([p.name for p in paths], val_split))
    train_paths = [p for p in paths if p.name not in skip]
    if not train_paths:
        raise RestorationError(f"no training images in {folder}")
    if val_crop < 0:
        raise RestorationError(f"--val-crop must be 0 (whole images) or a size in pixels, got {val_crop}")
    rng = np.random.default_rng(seed)

    def held(img: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(_centre_crop(to_uint8(img), val_crop))

    crops = _random_crops([to_uint8(load_image(p, mode="rgb")) for p in train_paths], count, size, rng)
    stacks: dict[str, np.ndarray] = {"crops": crops}
    singles = {f"val_{j}": held(load_image(p, mode="rgb"))
               for j, p in enumerate(sorted(q for q in paths if q.name in skip))}
    arrays: dict[str, Any] = {"val_names": np.array(sorted(skip)), "val_crop": np.array(val_crop)}
    found: dict[str, Any] = {}
    if gray_data:
        gpaths = _image_paths(gray_data)
        gskip = _gray_held_out(gpaths, val_split)
        stacks["gray_crops"] = _random_crops(
            [to_uint8(load_image(p, mode="gray")) for p in gpaths if p.name not in gskip], gray_count, size, rng)
        singles.update({f"gray_val_{j}": held(load_image(p, mode="gray"))
                        for j, p in enumerate(sorted(q for q in gpaths if q.name in gskip))})
        arrays.update(gray_val_names=np.array(sorted(gskip)), gray_source=np.array(Path(gray_data).name))
        found.update(gray_crops=len(stacks["gray_crops"]), gray_held_out=len(gskip))
    if pages:
        from .pages import font_names, render_pages

        stacks.update(pages=np.stack([to_uint8(p) for p in render_pages(PAGE_TRAIN_COUNT, seed=0)]),
                      page_val=np.stack([held(p) for p in render_pages(PAGE_VAL_COUNT, seed=PAGE_VAL_SEED)]))
        fonts = font_names()
        arrays.update(page_fonts=np.array(fonts))
        found.update(pages=PAGE_TRAIN_COUNT, fonts=fonts)
    save_pack(out, arrays, stacks, singles, codec=codec)
    return {"file": out, "crops": len(crops), "size": size, "megabytes": round(Path(out).stat().st_size / 2**20, 1),
            "held_out": len(skip), "codec": codec, "val_crop": val_crop, **found}


def _check_pack_crop(pack: dict[str, np.ndarray], cfg: TrainConfig) -> None:
    """A pack whose held-out images are centre crops validates only a combined run cropping as much or more."""
    crop = int(pack["val_crop"]) if "val_crop" in pack else 0
    if crop and (cfg.task != "combined" or not 0 < cfg.val_crop <= crop) and not cfg.val:
        raise RestorationError(
            f"this pack holds its held-out images as centre {crop}x{crop} crops: it can validate a combined run "
            f"with --val-crop {crop} or less; for whole images, pack again without --val-crop")


#: Number types the weights can be written in (``--store``).
STORE_DTYPES = ("float32", "float16")


def stored_state(state: dict[str, Any], store: str = "float32") -> dict[str, Any]:
    """A ``state_dict`` as written to disk: contiguous CPU tensors, floating ones in ``store``.

    ``float16`` halves the file. Loading casts the tensors back to the model's float32, so only
    the rounding stays: on ``cnn_combined`` (4 priors, three 256x256 Kodak24 crops, combined
    preset) it moved the output by at most 4e-4 and the PSNR by 0.0001 dB.
    """
    import torch

    dtype = getattr(torch, store)  # one of STORE_DTYPES
    return {k: (v.detach().to(dtype) if v.is_floating_point() else v.detach()).cpu().contiguous()
            for k, v in state.items()}


def page_fonts(cfg: TrainConfig) -> list[str] | None:
    """The font files (names) the run's synthetic pages are drawn with; ``None`` without ``--pages``.

    The pages, training and validation alike, depend on the fonts installed where they are drawn,
    so the validation score of a run with pages is comparable only between machines with the same
    fonts (measured: the shipped 4-prior ``cnn_combined`` scored 20.46 dB on the eight validation
    pages drawn with Debian's 22 DejaVu files, 21.20 dB with its 6 core ones and 20.80 dB with the 38
    files present once Chromium is installed, which brings more fonts). A pack carries the
    fonts it was drawn with; ``["Pillow built-in"]`` where no TrueType font is installed.
    """
    if cfg.pages <= 0:
        return None
    if str(cfg.data).endswith(".npz"):
        with np.load(cfg.data) as found:
            if "page_fonts" in found.files:
                return [str(f) for f in found["page_fonts"]]
            if "pages" in found.files or "pages__shape" in found.files:
                return ["unknown (a pack made before fonts were recorded)"]
    from .pages import font_names

    return font_names()


def _scales(cfg: TrainConfig) -> list[int]:
    try:
        scales = [int(v) for v in cfg.scales.split(",") if v.strip()]
    except ValueError:
        raise RestorationError(f"--scales must be comma-separated integers, got {cfg.scales!r}") from None
    if not scales or min(scales) < 2:
        raise RestorationError(f"--scales must list factors >= 2, got {cfg.scales!r}")
    return scales


def _crops(images: list[np.ndarray] | _Pool, cfg: TrainConfig, rng: np.random.Generator, size: int) -> np.ndarray:
    """Random ``size`` x ``size`` crops with flips/rotations, as (B, size, size, C) float32."""
    batch = np.empty((cfg.batch, size, size, cfg.channels), np.float32)
    for i in range(cfg.batch):
        img = images.pick(rng) if isinstance(images, _Pool) else images[int(rng.integers(len(images)))]
        h, w = img.shape[:2]
        y, x = int(rng.integers(0, h - size + 1)), int(rng.integers(0, w - size + 1))
        patch = np.rot90(img[y : y + size, x : x + size], int(rng.integers(4)))
        if rng.random() < 0.5:
            patch = patch[:, ::-1]
        batch[i] = patch[..., None] if patch.ndim == 2 else patch
    return batch


@functools.lru_cache(maxsize=16)
def _resize_matrix32(n_in: int, n_out: int) -> np.ndarray:
    """:func:`restoration.ops.resize_matrix` in float32, cached (training asks for the same few sizes)."""
    return resize_matrix(n_in, n_out).astype(np.float32)


def _resize_batch(batch: np.ndarray, size: int) -> np.ndarray:
    """Bicubic-resize a (B, n, n, C) batch to (B, size, size, C), equal to :func:`imresize` per image."""
    m = _resize_matrix32(batch.shape[1], size)
    rows = np.matmul(m, batch.transpose(0, 3, 1, 2))  # (B, C, size, n)
    return np.matmul(rows, m.T).transpose(0, 2, 3, 1).astype(np.float32)


def _sample_combined(
    images: list[np.ndarray], cfg: TrainConfig, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray], np.ndarray]:
    """One combined-task batch: clean (B, p, p, C), observed (B, p/2, p/2, C), kernels, sigma (B,) 0-255.

    Each crop is blurred by its own motion kernel on a margin that is then cut (no border effects),
    downsampled by MATLAB's bicubic ``imresize`` (mirror boundary, as the app does), and given
    Gaussian noise; the result is clipped to [0, 1] like the app's degradation.

    A gray crop in a colour batch (R = G = B: gray photographs, gray pages) gets, half of the time, the
    same noise in its three channels: that is what the app gives a colour prior for a gray image (one
    noisy plane, repeated). Trained only with independent noise per channel, a model restored gray
    images given that way 4-6 dB worse than the classic chain (cameraman 22.4 against 26.9 dB).
    """
    from scipy.signal import fftconvolve

    p = cfg.patch
    margin = math.ceil(cfg.blur_max / 2) + 2
    big = _crops(images, cfg, rng, p + 2 * margin)
    clean = big[:, margin:-margin, margin:-margin]
    blurred = np.empty_like(clean)
    kernels = []
    for i in range(cfg.batch):
        k = motion_kernel(float(rng.uniform(1.0, cfg.blur_max)), float(rng.uniform(0.0, 180.0)))
        kernels.append(k)
        blurred[i] = fftconvolve(big[i], k[..., None], mode="same", axes=(0, 1))[margin:-margin, margin:-margin]
    low = _resize_batch(blurred, p // 2)
    sigma = rng.uniform(0.0, cfg.sigma_max, size=cfg.batch)
    noise = rng.standard_normal(low.shape).astype(np.float32)
    if low.shape[3] == 3:
        gray = np.array([_is_gray(c) for c in clean])
        if gray.any():  # (drawn only then: runs on colour images alone keep their random stream)
            shared = gray & (rng.random(cfg.batch) < 0.5)
            noise[shared] = noise[shared][..., :1]
    low = np.clip(low + noise * (sigma / 255.0)[:, None, None, None], 0.0, 1.0).astype(np.float32)
    return np.ascontiguousarray(clean), low, kernels, sigma


def _combined_loss(model: Any, batch: tuple[np.ndarray, np.ndarray, list[np.ndarray], np.ndarray],
                   cfg: TrainConfig, loss_name: str, bf16: bool, device: Any) -> Any:
    """Forward the unfolded model on a combined batch (mirror-padded) -> loss on the image's channels.

    A colour prior takes the RGB images as they are; a one-channel prior takes each image's
    opponent-colour planes (gray images: the image itself) as a batch of planes.
    """
    import torch

    from ..colour import OPPONENT
    from ..physics import transfer_function
    from .colour import OPP_GAIN, OPP_OFFSET

    clean, low, kernels, sigma = batch
    b, h, w, c = low.shape
    pad, s = cfg.pad, 2
    planar = getattr(model, "channels", 1) != c  # a one-channel prior restores the channels as planes
    if planar and c == 3:
        low = low @ OPPONENT.T.astype(np.float32) * OPP_GAIN.astype(np.float32) + OPP_OFFSET.astype(np.float32)
        sigma = (sigma[:, None] * OPP_GAIN[None]).reshape(-1)
    planes = np.pad(low.transpose(0, 3, 1, 2), ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode="symmetric")
    shape = ((h + 2 * pad) * s, (w + 2 * pad) * s)
    otf_t = torch.from_numpy(np.stack([transfer_function(k, shape, s) for k in kernels]).astype(np.complex64))[:, None]
    if planar:
        planes, otf_t = planes.reshape(b * c, 1, *planes.shape[2:]), otf_t.repeat_interleave(c, dim=0)
    y = torch.from_numpy(np.ascontiguousarray(planes)).to(device)
    sig_t = torch.from_numpy(np.asarray(sigma, np.float32) / 255.0).to(device)
    with torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16):
        out = model(y, otf_t.to(device), sig_t)
    out = out.float()[:, :, pad * s : (pad + h) * s, pad * s : (pad + w) * s].reshape(b, c, h * s, w * s)
    if planar and c == 3:
        gain = torch.tensor(OPP_GAIN, dtype=torch.float32, device=device).view(1, 3, 1, 1)
        offset = torch.tensor(OPP_OFFSET, dtype=torch.float32, device=device).view(1, 3, 1, 1)
        opp = torch.tensor(OPPONENT, dtype=torch.float32, device=device)
        out = torch.einsum("bchw,cd->bdhw", (out - offset) / gain, opp)
    diff = out - torch.from_numpy(clean.transpose(0, 3, 1, 2).copy()).to(device)
    return torch.mean(diff**2) if loss_name == "l2" else torch.mean(torch.abs(diff))


def _sample_batch(images: list[np.ndarray], cfg: TrainConfig, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """One batch ``(target, input, level)`` in NCHW float32 for the configured task.

    ``level`` (B, 1, 1, 1) is the value of the network's conditioning map.
    """
    p = cfg.patch
    if cfg.task == "denoise":
        clean = _crops(images, cfg, rng, p)
        sigma = rng.uniform(0.0, cfg.sigma_max, size=(cfg.batch, 1, 1, 1)).astype(np.float32) / 255.0
        noisy = clean + rng.standard_normal(clean.shape).astype(np.float32) * sigma
        level = sigma
    elif cfg.task == "sr":
        scale = int(rng.choice(_scales(cfg)))
        clean = _crops(images, cfg, rng, p)
        noisy = _resize_batch(_resize_batch(clean, p // scale), p)
        level = np.full((cfg.batch, 1, 1, 1), scale / 10.0, np.float32)
    else:
        raise RestorationError("the combined task samples its batches with _sample_combined")
    def nchw(a: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(a.transpose(0, 3, 1, 2))

    return nchw(clean), nchw(noisy), level.astype(np.float32)


def _centre_crop(img: np.ndarray, size: int) -> np.ndarray:
    if not size:
        return img
    h, w = img.shape[:2]
    y, x = max(0, (h - size) // 2), max(0, (w - size) // 2)
    return img[y : y + size, x : x + size]


def _psnr(clean: np.ndarray, out: np.ndarray, crop: int = 0) -> float:
    if crop:
        clean, out = clean[crop:-crop, crop:-crop], out[crop:-crop, crop:-crop]
    mse = float(np.mean((np.clip(out, 0, 1).astype(np.float64) - clean) ** 2))
    return 10 * math.log10(1.0 / max(mse, 1e-12))


def _validate(model: Any, images: list[np.ndarray], cfg: TrainConfig) -> float:
    """Mean validation PSNR with the literature's convention for the task.

    denoise: noise at ``val_sigma`` (seeded, not clipped), whole image. sr: modcrop, bicubic down by
    ``val_scale``, PSNR on the luma with ``val_scale`` border pixels cropped. combined: the app's
    combined preset (:data:`COMBINED_SPEC`, seeded) on the images centre-cropped to ``val_crop``, PSNR on
    RGB, whole (cropped) image; an image whose channels are equal is given as a gray image (one plane,
    as the app loads a gray file), so gray images are validated the way the app restores them.
    """
    import torch

    from ..degradations import degrade
    from .combined import restore_with
    from .inference import apply_network, denoise_array

    psnrs = []
    rng = np.random.default_rng(12345)
    for i, img in enumerate(images):
        if cfg.task == "denoise":
            noisy = (img + rng.standard_normal(img.shape) * cfg.val_sigma / 255.0).astype(np.float32)
            psnrs.append(_psnr(img, denoise_array(model, noisy, cfg.val_sigma, channels=cfg.channels)))
        elif cfg.task == "sr":
            s = cfg.val_scale
            hr = modcrop(img, s)
            lr = imresize(hr, output_shape=(hr.shape[0] // s, hr.shape[1] // s))
            up = imresize(lr, output_shape=hr.shape[:2])
            out = apply_network(model, up[..., None] if up.ndim == 2 else up, s / 10.0)
            psnrs.append(_psnr(hr, out[..., 0] if hr.ndim == 2 else out, crop=s))
        else:
            if img.ndim == 3 and _is_gray(img):
                img = img[..., 0]
            obs = degrade(_centre_crop(img, cfg.val_crop), COMBINED_SPEC, seed=i)
            psnrs.append(_psnr(obs.clean, restore_with(model, obs)))
    torch.set_grad_enabled(True)
    return float(np.mean(psnrs))


def _sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def _update_manifest(out_dir: Path, name: str, entry: dict[str, Any]) -> None:
    """Set one entry of ``manifest.json`` under a file lock (several trainings may run at once)."""
    try:
        import fcntl
    except ImportError:  # not on POSIX: no lock, one training at a time
        fcntl = None  # type: ignore[assignment]

    manifest_path = out_dir / "manifest.json"
    with open(out_dir / ".manifest.lock", "w") as lock:
        if fcntl is not None:
            fcntl.flock(lock, fcntl.LOCK_EX)
        manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
        manifest[name] = entry
        tmp = manifest_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        tmp.replace(manifest_path)


def _weight_average(model: Any, decay: float, state: dict[str, Any] | None = None) -> Any:
    """An exponential moving average of ``model``'s weights (``decay`` per step), or None when ``decay`` is 0.

    ``torch.optim.swa_utils.AveragedModel``: a copy of the model whose parameters follow
    ``avg = decay * avg + (1 - decay) * weights`` after every optimiser step (its first update copies the
    weights). ``state`` is a resumed checkpoint's average.
    """
    if not decay:
        return None
    from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

    average = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(decay), use_buffers=True)
    if state is not None:
        average.load_state_dict(state)
    average.eval()
    for p in average.parameters():
        p.requires_grad_(False)
    return average


def learning_rate(cfg: TrainConfig, step: int, seconds: float = 0.0) -> float:
    """The learning rate of ``step`` (0-based), ``seconds`` into the run: an optional linear warm-up, then cosine.

    The cosine falls from ``cfg.lr`` to ``cfg.lr_min`` over ``cfg.steps`` steps, or sooner when a wall-clock
    budget (``cfg.time_budget`` minutes) ends first: the schedule is compressed so that it ends with the
    budget. ``cfg.warmup`` steps ramp it up linearly from ``lr / warmup``, so that a trained model continued
    with a fresh optimiser takes Adam's first, poorly scaled steps at a small rate. (Measured on
    cnn_combined's continuation, same seed: validation at step 250 fell 0.085 dB below the start with 300
    warm-up steps, 0.10 dB without; most of that early dip comes from leaving the end of a cosine, not
    from the optimiser.)
    """
    budget_s = cfg.time_budget * 60.0
    done = step / cfg.steps
    progress = min(1.0, max(done, seconds / budget_s) if budget_s else done)
    ramp = min(1.0, (step + 1) / cfg.warmup) if cfg.warmup > 0 else 1.0
    return ramp * (cfg.lr_min + 0.5 * (cfg.lr - cfg.lr_min) * (1 + math.cos(math.pi * progress)))


def _check_config(cfg: TrainConfig) -> None:
    """Reject sizes the task cannot use, with a message that says what would work."""
    u = cfg.unshuffle
    if cfg.patch % u:
        raise RestorationError(f"--patch {cfg.patch} must be a multiple of --unshuffle {u}")
    if cfg.task == "sr":
        for s in _scales(cfg):
            if cfg.patch % s:
                raise RestorationError(f"--patch {cfg.patch} must be divisible by every scale in --scales")
        if cfg.channels != 1:
            raise RestorationError("super-resolution models work on the luma: use --channels 1")
    if cfg.task == "combined" and cfg.patch % (2 * u):
        raise RestorationError(f"--patch must be a multiple of {2 * u} for the combined task (x2, unshuffle {u})")
    if cfg.store not in STORE_DTYPES:
        raise RestorationError(f"--store must be one of {', '.join(STORE_DTYPES)}, got {cfg.store!r}")
    if cfg.loss not in ("", "l1", "l2"):
        raise RestorationError(f"--loss must be l1 or l2, got {cfg.loss!r}")
    if not 0.0 <= cfg.ema < 1.0:
        raise RestorationError(f"--ema must be a decay in [0, 1) (e.g. 0.999; 0 turns it off), got {cfg.ema:g}")
    if cfg.warmup < 0:
        raise RestorationError(f"--warmup must be 0 or more steps, got {cfg.warmup}")


def _val_setting(cfg: TrainConfig) -> str:
    if cfg.task == "denoise":
        return f"sigma {cfg.val_sigma:g}"
    if cfg.task == "sr":
        return f"x{cfg.val_scale}, Y channel, border crop {cfg.val_scale}"
    crop = f", centre {cfg.val_crop}x{cfg.val_crop} crops" if cfg.val_crop else ""
    return f"{COMBINED_SPEC}, RGB{crop}"


def _task_fields(cfg: TrainConfig) -> dict[str, Any]:
    if cfg.task == "denoise":
        return {"sigma_range": [0, cfg.sigma_max]}
    if cfg.task == "sr":
        return {"scales": _scales(cfg), "input": "bicubic enlargement of the luma (Y, BT.601)"}
    return {"sigma_range": [0, cfg.sigma_max], "blur_length_range": [1, cfg.blur_max], "scale": 2,
            "input": "the degraded image, its blur kernel and noise level ("
                     + ("RGB in one pass" if cfg.prior == "colour" and cfg.channels == 3 else "opponent-colour planes")
                     + f", mirror-padded by {cfg.pad} px)", "pad": cfg.pad}


def _state_of(source: str, out_dir: Path) -> dict[str, Any]:
    """The ``state_dict`` of shipped weights named in the manifest, or of a ``.pt`` file."""
    import torch

    from .weights import manifest

    entries = manifest(out_dir)
    path = out_dir / entries[source]["file"] if source in entries else Path(source)
    if not path.exists():
        raise RestorationError(f"--init: no weights named {source!r} and no such file")
    return torch.load(path, map_location="cpu", weights_only=True)


def _provenance(source: str, out_dir: Path) -> dict[str, Any]:
    """What ``--init`` started from: the manifest entry's name, checksum, command, fonts, note, weight average
    (``--ema``: which weights were kept), time and machine.

    Reproducing weights that were initialised from other shipped weights means running that command
    first (recursively, when it had an ``init`` of its own).
    """
    from .weights import manifest

    entry = manifest(out_dir).get(source)
    if entry is None:
        return {"file": source}
    found = {"name": source, "sha256": entry.get("sha256"), "steps": entry.get("steps"),
             "command": entry.get("command")}
    # how it was made travels with it: a hand-written note, which weights it kept, its time and machine, its init
    for key in ("page_fonts", "note", "ema", "minutes", "trained_on", "init"):
        if key in entry:
            found[key] = entry[key]
    return found


def _init_from(model: Any, source: str, out_dir: Path) -> bool:
    """Start from shipped weights (a manifest name or a ``.pt`` path); gray weights can seed a colour model.

    When the channel counts differ, the folded input/output convolutions are adapted: the head's
    gray filters are shared by the colour channels (divided by their number, the map channel kept)
    and the tail's are repeated, so the colour model starts as the gray model applied to the
    channel mean, its noise estimate removed from every channel; training then separates them.

    Returns
    -------
    bool
        True when the weights fitted as they were: the run continues a trained model of this task.
    """
    import torch

    state = _state_of(source, out_dir)
    own = model.state_dict()
    u2 = model.unshuffle**2
    same = True
    for key in ("head.weight", "tail.weight", "tail.bias"):
        src, dst = state[key], own[key]
        if src.shape == dst.shape:
            continue
        same = False
        c_src = (src.shape[1] - 1) // u2 if key == "head.weight" else src.shape[0] // u2
        if c_src != 1:
            raise RestorationError(f"--init: cannot adapt {key} from {tuple(src.shape)} to {tuple(dst.shape)}")
        c = model.channels
        if key == "head.weight":  # input channels: folded (C*u2) then the map; pixel_unshuffle is channel-major
            gray, level = src[:, :u2], src[:, u2:]
            state[key] = torch.cat([gray.repeat(1, c, 1, 1) / c, level], dim=1)
        else:
            state[key] = src.repeat(c, *([1] * (src.dim() - 1)))
    model.load_state_dict(state)
    return same


def pick_device(name: str = "auto") -> Any:
    """The torch device to train on: CUDA when available (``auto``), else the CPU."""
    import torch

    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        raise RestorationError("--device cuda: no CUDA device is available to this PyTorch")
    if name not in ("cpu", "cuda"):
        raise RestorationError(f"--device must be auto, cpu or cuda, got {name!r}")
    return torch.device(name)


def _use_bf16(choice: str | bool, device: Any) -> bool:
    """bf16 autocast: ``on``/``off`` (or a bool) as asked; ``auto`` on CUDA and on CPUs with native bf16."""
    from .precision import bf16_native

    if isinstance(choice, bool):
        return choice
    if choice in ("on", "off"):
        return choice == "on"
    return device.type == "cuda" or bf16_native()


def _device_name(device: Any) -> str:
    import torch

    from .precision import cpu_model

    return torch.cuda.get_device_name(device) if device.type == "cuda" else cpu_model()


def _trained_on(device: Any, bf16: bool) -> dict[str, Any]:
    import os

    import torch

    found: dict[str, Any] = {"device": device.type, "name": _device_name(device),
                             "precision": "bf16 autocast" if bf16 else "float32", "torch": torch.__version__}
    if device.type == "cpu":
        found["threads"] = torch.get_num_threads()
        found["cores"] = os.cpu_count()
        found["capability"] = torch.backends.cpu.get_cpu_capability()
    return found


def _data_name(cfg: TrainConfig, extras: Sequence[tuple[Any, float, str]] = ()) -> str:
    name = Path(cfg.data).name
    name = f"{name} (packed crops)" if name.endswith(".npz") else name
    if not extras:
        return name
    main = 1.0 - sum(share for _, share, _ in extras)
    return " + ".join([f"{name} ({main:.0%} of crops)"]
                      + [f"{label} ({share:.0%} of crops)" for _, share, label in extras])


#: How a run's record describes held-out images that no weights of its chain were trained on.
NEVER_TRAINED = "never trained on"


def _held_out_status(cfg: TrainConfig, held: Sequence[str]) -> str:
    """What a run's held-out images are to the weights it trains: never trained on, or seen by those it continues.

    A run's own split is never trained on; weights it starts from (``--init``) were trained on the
    same folder unless they held out the same images (their record says so, by this rule) or came
    from other data. Read before the run's first weights can overwrite the entry it started from.
    """
    if not cfg.init:
        return NEVER_TRAINED
    from .weights import manifest

    entry = manifest(Path(cfg.out_dir)).get(cfg.init)
    if entry is None:
        return "not trained on in this run; the weights it started from are not in the manifest"
    val = entry.get("validation", {})
    if Path(cfg.data).name not in str(entry.get("data", "")) or (
            val.get("images") == list(held) and NEVER_TRAINED in str(val.get("set", ""))):
        return NEVER_TRAINED
    return "not trained on in this run; the weights it continues were trained on them"


def _val_record(cfg: TrainConfig, held: list[str], best: float, extra: Sequence[str] = (),
                status: str = NEVER_TRAINED) -> dict[str, Any]:
    if cfg.val:
        found: dict[str, Any] = {"set": Path(cfg.val).name}
    else:
        source = Path(cfg.data).name
        found = {"set": f"{source} held-out split ({len(held)} images, {status})", "images": held}
    if extra:
        found["set"] = " + ".join([found["set"], *extra])
    found.update({"setting": _val_setting(cfg), "psnr": round(best, 4)})
    return found


def train(cfg: TrainConfig, command: str = "") -> dict[str, Any]:
    """Train a model as configured; returns the manifest entry of the best weights.

    Resumes from ``checkpoint_dir/out.ckpt`` when it exists and ``cfg.resume`` is set.
    """
    import torch
    from tqdm import tqdm

    from .archs import build

    if cfg.task not in TASKS:
        raise RestorationError(f"unknown training task {cfg.task!r} (available: {', '.join(TASKS)})")
    _check_config(cfg)
    torch.manual_seed(cfg.seed)
    torch.set_flush_denormal(True)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)

    luma = cfg.task == "sr"
    images, val_images, held = load_data(cfg, luma=luma)
    extras, extra_val = load_extras(cfg)
    fonts = page_fonts(cfg)
    pool: list[np.ndarray] | _Pool = images
    if extras:
        pool = _Pool([(images, 1.0 - sum(share for _, share, _ in extras))]
                     + [(imgs, share) for imgs, share, _ in extras])
    val_parts = ([(Path(cfg.val or cfg.data).name, val_images)] if val_images else []) + extra_val
    need = cfg.patch + (2 * (math.ceil(cfg.blur_max / 2) + 2) if cfg.task == "combined" else 0)
    if min(min(i.shape[:2]) for i in pool) < need:
        raise RestorationError(f"training images must be at least {need} px on each side")
    device = pick_device(cfg.device)
    use_bf16 = _use_bf16(cfg.bf16, device)

    if cfg.task == "combined":
        arch = "UnfoldedRestorer"
        arch_args: dict[str, Any] = {"stages": cfg.stages, "features": cfg.features, "blocks": cfg.blocks,
                                     "unshuffle": cfg.unshuffle, "scale": 2}
        if cfg.priors != 1:  # (left out when 1, so a shared model's manifest entry is as before)
            arch_args["priors"] = cfg.priors
        if cfg.prior == "colour":
            if cfg.channels != 3:
                raise RestorationError("--prior colour needs --channels 3 (colour training images)")
            arch_args["channels"] = 3
        try:
            model = build(arch, **arch_args)
        except ValueError as exc:  # the architecture checks its arguments (--priors against --stages)
            raise RestorationError(f"--priors: {exc}") from None
        # (the step sizes and levels, a few parameters, move 10x faster than the prior: see groups below)
    else:
        if cfg.arch == "unet":
            arch = "UNetDenoiser"
            arch_args = {"channels": cfg.channels, "features": cfg.features, "blocks": cfg.blocks,
                         "levels": cfg.levels, "unshuffle": cfg.unshuffle}
        else:
            arch = "AttentionDenoiser"
            arch_args = {"channels": cfg.channels, "features": cfg.features, "blocks": cfg.blocks,
                         "unshuffle": cfg.unshuffle}
        model = build(arch, **arch_args)
    # channels-last weights make oneDNN keep every convolution's activations channels-last (measured on a
    # 2-core AMX CPU, a 5-stage colour combined step at batch 8: 1.15 s -> 0.95 s)
    model = model.to(memory_format=torch.channels_last).to(device)
    if cfg.task == "combined":
        groups = [{"params": [p for n, p in model.named_parameters() if not n.startswith("hyper.")], "mult": 1.0},
                  {"params": list(model.hyper.parameters()), "mult": 10.0}]
    else:
        groups = [{"params": list(model.parameters()), "mult": 1.0}]
    loss_name = cfg.loss or ("l2" if cfg.task == "denoise" else "l1")
    opt = torch.optim.Adam(groups, lr=cfg.lr)
    out_dir, ckpt_dir = Path(cfg.out_dir), Path(cfg.checkpoint_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ckpt_dir.mkdir(parents=True, exist_ok=True)
    ckpt_path = ckpt_dir / f"{cfg.out}.ckpt"
    rng = np.random.default_rng(cfg.seed)
    step, best, history = 0, -math.inf, []
    trained_s = 0.0  # training seconds over every session of a resumable run (the time budget counts them)
    continued = False
    # read before the first improvement can overwrite an entry of the same name; kept in the checkpoint
    provenance = _provenance(cfg.init, Path(cfg.out_dir)) if cfg.init else None
    held_status = _held_out_status(cfg, held) if not cfg.val else ""
    resumed_average = None
    if cfg.resume and ckpt_path.exists():
        state = torch.load(ckpt_path, weights_only=False)  # our own checkpoint, never a user's file
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        step, best, history = state["step"], state["best"], state["history"]
        trained_s = float(state.get("trained_s", 0.0))
        rng.bit_generator.state = state["rng"]
        torch.set_rng_state(state["torch_rng"])
        provenance = state.get("provenance", provenance)
        held_status = state.get("held_status", held_status)
        resumed_average = state.get("ema")
        if state.get("page_fonts", fonts) != fonts:
            # its best score and the scores to come would be measured on different validation pages
            raise RestorationError(
                f"{ckpt_path} was trained and validated on synthetic pages drawn with "
                f"{len(state['page_fonts'] or [])} fonts; here they would be drawn with {len(fonts or [])} "
                "(fonts were installed or removed since): resume where the fonts are the same, or start "
                "afresh with --no-resume")
    elif cfg.init and cfg.task == "combined":
        state = {k: v.to(device) for k, v in _state_of(cfg.init, Path(cfg.out_dir)).items()}
        if any(k.startswith("prior.") for k in state):  # a whole unfolded model: continue its training
            try:  # (fewer priors seed the groups they split into)
                model.load_state_dict(model.untie(state))
            except (RuntimeError, ValueError) as exc:
                raise RestorationError(f"--init {cfg.init}: its priors do not fit --priors {cfg.priors}: "
                                       f"{str(exc).splitlines()[0]}") from None
            continued = True
        else:  # a denoiser: it seeds every prior
            model.load_prior(state)
    elif cfg.init:  # the same architecture continues; gray weights seeding a colour model start afresh
        continued = _init_from(model, cfg.init, Path(cfg.out_dir))
    average = _weight_average(model, cfg.ema, resumed_average)

    def validate(net: Any = model) -> float:
        """Mean validation PSNR over every validation image (each part's mean is logged)."""
        scores = [(_validate(net, part, cfg), len(part)) for _, part in val_parts]
        if len(scores) > 1:
            tqdm.write("  " + ", ".join(f"{name.split(' (')[0]}: {sc:.3f} dB"
                                          for (name, _), (sc, _) in zip(val_parts, scores, strict=True)),
                       file=sys.stderr)
        return sum(sc * n for sc, n in scores) / sum(n for _, n in scores)

    if continued and val_parts:
        # weights that continue a trained model are only written when they beat it
        model.eval()
        with torch.no_grad():
            best = validate()
        model.train()
        history.append({"step": 0, "val_psnr": round(best, 4), "minutes": 0.0})
        tqdm.write(f"start ({cfg.init}): validation PSNR {best:.3f} dB ({_val_setting(cfg)})", file=sys.stderr)
        was = (provenance or {}).get("page_fonts")
        if fonts is not None and was is not None and was != fonts:
            differ = sorted(set(was) ^ set(fonts))
            tqdm.write(f"note: the synthetic pages are drawn here with {len(fonts)} fonts, {cfg.init}'s were drawn "
                       f"with {len(was)} (not in both: {', '.join(differ[:4])}{', ...' if len(differ) > 4 else ''}): "
                       "its manifest score was measured on other validation pages than the start score above",
                       file=sys.stderr)

    budget_s = cfg.time_budget * 60.0

    def save_checkpoint() -> None:
        tmp = ckpt_path.with_suffix(".tmp")
        torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "step": step, "best": best,
                    "history": history, "rng": rng.bit_generator.state, "torch_rng": torch.get_rng_state(),
                    "ema": average.state_dict() if average is not None else None,
                    "trained_s": trained_s + (time.time() - started),
                    "config": cfg.__dict__, "provenance": provenance, "page_fonts": fonts,
                    "held_status": held_status}, tmp)
        tmp.replace(ckpt_path)

    entry: dict[str, Any] = {}
    start_step, started = step, time.time()
    bar = tqdm(total=cfg.steps, initial=step, desc=f"train {cfg.out}", unit="step", file=sys.stderr,
               dynamic_ncols=True)
    tqdm.write(f"device {device.type} ({_device_name(device)}), {'bf16' if use_bf16 else 'float32'}"
               f"{f', time budget {cfg.time_budget:g} min' if budget_s else ''}; {len(pool)} training images, "
               f"{sum(len(part) for _, part in val_parts)} validation images", file=sys.stderr)
    model.train()
    stopped = "steps"
    while step < cfg.steps:
        elapsed = trained_s + (time.time() - started)
        if budget_s and elapsed >= budget_s:
            stopped = "time budget"
            break
        for group in opt.param_groups:
            group["lr"] = learning_rate(cfg, step, elapsed) * group["mult"]
        if cfg.task == "combined":
            loss = _combined_loss(model, _sample_combined(pool, cfg, rng), cfg, loss_name, use_bf16, device)
        else:
            clean, noisy, sigma = _sample_batch(pool, cfg, rng)
            clean_t = torch.from_numpy(clean).to(device).to(memory_format=torch.channels_last)
            noisy_t = torch.from_numpy(noisy).to(device).to(memory_format=torch.channels_last)
            sigma_t = torch.from_numpy(sigma).to(device).expand(-1, 1, cfg.patch // cfg.unshuffle,
                                                                cfg.patch // cfg.unshuffle)
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=use_bf16):
                out = model(noisy_t, sigma_t)
            diff = out.float() - clean_t
            loss = torch.mean(diff**2) if loss_name == "l2" else torch.mean(torch.abs(diff))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if average is not None:
            average.update_parameters(model)
        step += 1
        bar.update(1)
        shown = loss.item() * (255**2 if loss_name == "l2" else 255)
        bar.set_postfix(loss=f"{shown:.2f}", lr=f"{learning_rate(cfg, step, elapsed):.1e}", best=f"{best:.2f}")
        last = step == cfg.steps or (budget_s and trained_s + time.time() - started >= budget_s)
        if step % cfg.val_every == 0 or last:
            # the average is scored too (held-out data chooses between the two as between checkpoints)
            scores_average = average is not None and bool(val_parts)
            model.eval()
            with torch.no_grad():
                score = validate() if val_parts else -float(loss)
                avg_score = validate(average.module) if scores_average else -math.inf
            model.train()
            minutes = round((trained_s + time.time() - started) / 60, 2)
            history.append({"step": step, "val_psnr": round(score, 4), "minutes": minutes})
            said = f"step {step}: validation PSNR {score:.3f} dB"
            if scores_average:
                history[-1]["val_psnr_average"] = round(avg_score, 4)
                said += f", weight average {avg_score:.3f} dB"
            tqdm.write(f"{said} ({_val_setting(cfg)})", file=sys.stderr)
            kept = average.module if avg_score > score else model
            if max(score, avg_score) > best:
                best = max(score, avg_score)
                weights_path = out_dir / f"{cfg.out}.pt"
                torch.save(stored_state(kept.state_dict(), cfg.store), weights_path)
                entry = {
                    "file": weights_path.name,
                    "sha256": _sha256(weights_path),
                    "arch": arch,
                    "arch_args": arch_args,
                    "task": cfg.task,
                    "data": _data_name(cfg, extras),
                    "steps": step,
                    "batch": cfg.batch,
                    "patch": cfg.patch,
                    "loss": loss_name,
                    "validation": _val_record(cfg, held, best, [name for name, _ in extra_val], held_status),
                    "parameters": sum(p.numel() for p in model.parameters()),
                    "command": command,
                    "trained_on": _trained_on(device, use_bf16),
                    "minutes": minutes,
                }
                entry.update(_task_fields(cfg))
                if cfg.store != "float32":
                    entry["stored_as"] = cfg.store
                if average is not None:
                    entry["ema"] = {"decay": cfg.ema, "kept": "average" if kept is not model else "trained weights"}
                if fonts is not None:
                    entry["page_fonts"] = fonts
                if provenance:
                    entry["init"] = provenance
                _update_manifest(out_dir, cfg.out, entry)
            save_checkpoint()
        if cfg.stop_after and step - start_step >= cfg.stop_after:
            save_checkpoint()
            break
    if stopped == "time budget":
        save_checkpoint()
        tqdm.write(f"stopped at the time budget ({cfg.time_budget:g} min) after {step} steps; best {best:.3f} dB",
                   file=sys.stderr)
    bar.close()
    return entry


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Add the ``train`` command's options to a parser."""
    d = TrainConfig(task="denoise", data="", out="")
    p.add_argument("--task", required=True, choices=list(TASKS), help="what to train")
    p.add_argument("--data", required=True, help="folder of clean training images")
    p.add_argument("--val", help="folder of validation images (PSNR logged at every validation)")
    p.add_argument("--out", required=True, help="model name (weights file and manifest key)")
    p.add_argument("--out-dir", default=d.out_dir)
    p.add_argument("--checkpoint-dir", default=d.checkpoint_dir)
    p.add_argument("--channels", type=int, default=d.channels, choices=[1, 3])
    p.add_argument("--features", type=int, default=d.features)
    p.add_argument("--blocks", type=int, default=d.blocks,
                   help="attention: residual blocks; unet: residual blocks per level")
    p.add_argument("--arch", default=d.arch, choices=["attention", "unet"],
                   help="denoise/sr: the network (the attention CNN at one resolution, or a U-Net)")
    p.add_argument("--levels", type=int, default=d.levels, help="unet: number of resolutions")
    p.add_argument("--steps", type=int, default=d.steps, help="total optimisation steps (cosine schedule)")
    p.add_argument("--batch", type=int, default=d.batch)
    p.add_argument("--patch", type=int, default=d.patch)
    p.add_argument("--lr", type=float, default=d.lr)
    p.add_argument("--warmup", type=int, default=d.warmup,
                   help="steps of linear learning-rate warm-up (for a trained model continued with --init)")
    p.add_argument("--sigma-max", type=float, default=d.sigma_max)
    p.add_argument("--val-sigma", type=float, default=d.val_sigma, help="denoise: validation noise level")
    p.add_argument("--unshuffle", type=int, default=d.unshuffle, choices=[1, 2, 4],
                   help="pixel-unshuffle factor of the network (4 suits sr and combined)")
    p.add_argument("--scales", default=d.scales, help="sr: comma-separated scale factors to train")
    p.add_argument("--val-scale", type=int, default=d.val_scale, help="sr: validation scale factor")
    p.add_argument("--blur-max", type=float, default=d.blur_max, help="combined: longest motion blur (px)")
    p.add_argument("--stages", type=int, default=d.stages, help="combined: unfolded iterations")
    p.add_argument("--priors", type=int, default=d.priors,
                   help="combined: 1 prior shared by every stage, or K consecutive groups of stages with one each")
    p.add_argument("--prior", default=d.prior, choices=["colour", "gray"],
                   help="combined: a colour prior (RGB in one pass) or a gray one (opponent-colour planes)")
    p.add_argument("--pad", type=int, default=d.pad, help="combined: mirror padding of the input (low-res px)")
    p.add_argument("--val-crop", type=int, default=d.val_crop, help="centre-crop validation images (0: whole)")
    p.add_argument("--val-images", type=int, default=d.val_images, help="validate on the first N images (0: all)")
    p.add_argument("--loss", default=d.loss, choices=["", "l1", "l2"], help="default: l2 for denoise, else l1")
    p.add_argument("--init", default=d.init, help="start from these weights (manifest name or .pt file)")
    p.add_argument("--val-every", type=int, default=d.val_every)
    p.add_argument("--seed", type=int, default=d.seed)
    p.add_argument("--bf16", default=d.bf16, choices=["auto", "on", "off"],
                   help="bf16 autocast: auto = on CUDA and on CPUs with native bf16, float32 elsewhere")
    p.add_argument("--no-bf16", dest="bf16", action="store_const", const="off", help="train in float32")
    p.add_argument("--val-split", type=int, default=d.val_split,
                   help="hold out N images of --data for validation (when --val is not given)")
    p.add_argument("--time-budget", type=float, default=d.time_budget,
                   help="stop after this many minutes of training (the learning-rate schedule ends with it)")
    p.add_argument("--device", default=d.device, choices=["auto", "cpu", "cuda"],
                   help="auto: CUDA when available, else the CPU")
    p.add_argument("--threads", type=int, default=d.threads, help="torch threads (0: torch's default)")
    p.add_argument("--no-resume", dest="resume", action="store_false")
    p.add_argument("--max-images", type=int, default=0, help="use only the first N training images")
    p.add_argument("--stop-after", type=int, default=0, help="stop (resumably) after N steps in this run")
    p.add_argument("--gray-data", default=d.gray_data,
                   help="a second folder of photographs used in gray (e.g. Train400); its held-out split "
                        "(--val-split / 4 images) joins validation")
    p.add_argument("--gray-share", type=float, default=d.gray_share,
                   help="share of training crops taken from --gray-data")
    p.add_argument("--pages", type=float, default=d.pages,
                   help="share of training crops taken from synthetic document pages (8 more pages validate)")
    p.add_argument("--ema", type=float, default=d.ema,
                   help="also keep an exponential moving average of the weights with this decay per step (e.g. "
                        "0.999; 0: off); every validation scores the average too and the better one is kept")
    p.add_argument("--store", default=d.store, choices=list(STORE_DTYPES),
                   help="number type of the written weights (float16 halves the file; the model computes in "
                        "float32 either way)")


def run_from_args(args: argparse.Namespace, argv: Sequence[str]) -> int:
    """Entry point used by ``python -m restoration train``."""
    fields = TrainConfig.__dataclass_fields__
    cfg = TrainConfig(**{k: v for k, v in vars(args).items() if k in fields})
    # The reproducing command: drop the options that only shape one session of a resumable run
    # or say where its files go; none of them changes the weights.
    session_only = ("--stop-after", "--threads", "--device", "--out-dir", "--checkpoint-dir")
    kept, skip = [], False
    for a in argv:
        if skip:
            skip = False
            continue
        if a in session_only:
            skip = True
            continue
        if a.startswith(tuple(f"{o}=" for o in session_only)):
            continue
        kept.append(a)
    command = "python -m restoration " + " ".join(shlex.quote(a) for a in kept)
    entry = train(cfg, command=command)
    print(json.dumps(entry, indent=2))
    return 0
