"""Inference helpers kept apart from the architectures: padding, tiling, threads, colour handling."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from typing import Any

import numpy as np

__all__ = ["apply_network", "configure_threads", "denoise_array", "model_device", "pad_to_multiple", "tile_windows"]

_lock = threading.Lock()
_configured = False


def configure_threads() -> None:
    """Set torch's thread count once: all cores unless OMP_NUM_THREADS says otherwise; flush denormals."""
    global _configured
    import torch

    with _lock:
        if _configured:
            return
        torch.set_flush_denormal(True)
        if "OMP_NUM_THREADS" not in os.environ:
            torch.set_num_threads(max(1, os.cpu_count() or 1))
        _configured = True


def pad_to_multiple(array: np.ndarray, multiple: int) -> tuple[np.ndarray, tuple[int, int]]:
    """Mirror-pad the bottom/right of an HxW[xC] array to a multiple of ``multiple``; returns the original size."""
    h, w = array.shape[:2]
    ph, pw = (-h) % multiple, (-w) % multiple
    if ph or pw:
        pad = ((0, ph), (0, pw)) + ((0, 0),) * (array.ndim - 2)
        array = np.pad(array, pad, mode="symmetric")
    return array, (h, w)


def tile_windows(h: int, w: int, tile: int, overlap: int) -> Iterator[tuple[tuple[slice, slice], ...]]:
    """Tiles of an ``h`` x ``w`` grid with ``overlap`` pixels of context: ``(source, destination, inner)``.

    ``source`` (rows, columns) is the region to process, ``destination`` the ``tile`` x ``tile`` block of
    the output it fills, and ``inner`` where that block lies inside the processed region.
    """
    for y0 in range(0, h, tile):
        for x0 in range(0, w, tile):
            ya, xa = max(0, y0 - overlap), max(0, x0 - overlap)
            yb, xb = min(h, y0 + tile + overlap), min(w, x0 + tile + overlap)
            ty, tx = min(tile, h - y0), min(tile, w - x0)
            yield ((slice(ya, yb), slice(xa, xb)), (slice(y0, y0 + ty), slice(x0, x0 + tx)),
                   (slice(y0 - ya, y0 - ya + ty), slice(x0 - xa, x0 - xa + tx)))


def _run_tile(model: Any, tile: np.ndarray, level: float | np.ndarray, bf16: bool) -> np.ndarray:
    import torch

    u = getattr(model, "unshuffle", 2)
    planes = np.ascontiguousarray(tile.transpose(2, 0, 1))
    # a one-channel model given several channels denoises them as a batch (one call, bigger matrix products)
    per_channel = getattr(model, "channels", planes.shape[0]) == 1 and planes.shape[0] > 1
    device = model_device(model)
    x = torch.from_numpy(planes[:, None] if per_channel else planes[None]).to(device)
    levels = torch.as_tensor(np.broadcast_to(np.asarray(level, np.float32), (x.shape[0],)).copy()).to(device)
    s = levels.view(-1, 1, 1, 1).expand(-1, 1, tile.shape[0] // u, tile.shape[1] // u).contiguous()
    with torch.inference_mode(), torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16):
        y = model(x.to(memory_format=torch.channels_last), s).float()
    out = y[:, 0] if per_channel else y[0]
    return out.cpu().numpy().transpose(1, 2, 0)


def model_device(model: Any) -> Any:
    """The device of a model's parameters (the CPU for a model without any)."""
    import torch

    try:
        return next(model.parameters()).device
    except (StopIteration, AttributeError):
        return torch.device("cpu")


def apply_network(
    model: Any,
    image: np.ndarray,
    level: float | np.ndarray,
    *,
    tile: int = 512,
    overlap: int = 32,
    bf16: bool = False,
) -> np.ndarray:
    """Run a conditioning-map network on an HxWxC float image whose C matches the model.

    Large images are processed in ``tile`` x ``tile`` tiles with ``overlap`` pixels of context on each
    side (only the tile centres are kept), so memory stays bounded and results match whole-image
    inference away from tile seams.

    Parameters
    ----------
    model : torch.nn.Module
        An :class:`~restoration.deep.archs.denoiser.AttentionDenoiser` in eval mode.
    image : numpy.ndarray
        HxWxC input (values may leave [0, 1]).
    level : float or numpy.ndarray
        Value of the conditioning map (sigma / 255 for denoising, scale / 10 for super-resolution);
        one value per channel when a one-channel model processes several channels as a batch.
    tile, overlap : int
        Tile size and context in pixels (multiples of the model's unshuffle factor).
    bf16 : bool
        Run in bfloat16 (faster on CPUs with AVX-512 bf16, slightly less accurate).
    """
    configure_threads()
    u = getattr(model, "unshuffle", 2)
    padded, (h, w) = pad_to_multiple(np.asarray(image, np.float32), u)
    H, W = padded.shape[:2]
    if H <= tile + 2 * overlap and W <= tile + 2 * overlap:
        out = _run_tile(model, padded, level, bf16)
    else:
        out = np.zeros_like(padded)
        for src, dst, inner in tile_windows(H, W, tile, overlap):
            out[dst] = _run_tile(model, padded[src], level, bf16)[inner]
    return out[:h, :w]


def denoise_array(
    model: Any,
    noisy: np.ndarray,
    sigma: float | np.ndarray,
    *,
    channels: int,
    tile: int = 512,
    overlap: int = 32,
    bf16: bool = False,
) -> np.ndarray:
    """Denoise an HxW or HxWxC float image with a noise-level-map network.

    Tiled as :func:`apply_network`. A colour image given to a gray model is denoised channel by
    channel (as one batch).

    Parameters
    ----------
    model : torch.nn.Module
        An :class:`~restoration.deep.archs.denoiser.AttentionDenoiser` in eval mode.
    noisy : numpy.ndarray
        Noisy image (values may leave [0, 1]).
    sigma : float or numpy.ndarray
        Noise level on the 0-255 scale (one per channel for a gray model on several channels).
    channels : int
        Channels the model expects (1 or 3).
    """
    arr = noisy.astype(np.float32)
    if arr.ndim == 2:
        arr = arr[..., None]
    if arr.shape[2] != channels and channels != 1:  # (a gray model takes the channels as a batch)
        arr = np.repeat(arr, channels, axis=2)
    out = apply_network(model, arr, np.asarray(sigma, np.float64) / 255.0, tile=tile, overlap=overlap, bf16=bf16)
    if noisy.ndim == 2:
        out = out[..., 0]
    elif channels == 3 and noisy.shape[2] == 1:
        out = out.mean(axis=2, keepdims=True)
    return out
