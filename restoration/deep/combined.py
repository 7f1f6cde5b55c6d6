"""Inference of the unfolded combined-degradation network (:mod:`.archs.unfolded`) on whole images.

A network with a colour prior (``channels=3``) restores an RGB image in one pass; a gray image is
given to it as three equal channels and their mean is kept. A network with a one-channel prior
restores planes: a colour image is split into the three channels of the orthonormal
opponent-colour transform (:mod:`.colour`), which go through the network as one batch.

The Fourier data step treats the image as periodic, so each tile is first extended by mirroring
(as the degradation itself extends the image at its borders) and the extension is cut from the
result. Large images are processed in overlapping tiles so memory stays
bounded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..images import to_rgb
from ..noise import noise_level
from .colour import OPP_GAIN, from_planes, to_planes
from .inference import configure_threads, tile_windows

__all__ = ["UnfoldedTrace", "restore_planes", "restore_with", "trace_with"]

def _times(part: slice, s: int) -> slice:
    return slice(part.start * s, part.stop * s)


def _inputs(model: Any, img: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Image -> the network's batch (N, C, h, w) float32 and noise levels (N,) on the 0-255 scale."""
    if getattr(model, "channels", 1) == 3:
        rgb = to_rgb(img)
        return np.ascontiguousarray(np.moveaxis(rgb, -1, 0)[None], dtype=np.float32), np.array([level])
    planes, sigmas = to_planes(img, level)
    return planes[:, None], sigmas


def _outputs(model: Any, batch: np.ndarray, colour: bool) -> np.ndarray:
    """Inverse of :func:`_inputs` on the network's (N, C, H, W) output -> (H, W[, 3]) float32."""
    if getattr(model, "channels", 1) == 3:
        rgb = np.moveaxis(batch[0], 0, -1)
        return np.ascontiguousarray(rgb if colour else rgb.mean(axis=2), dtype=np.float32)
    return from_planes(batch[:, 0], colour)


def _run(model: Any, batch: np.ndarray, kernel: np.ndarray | None, sigmas: np.ndarray, pad: int,
         bf16: bool) -> np.ndarray:
    """Restore a (N, C, h, w) low-resolution batch (one tile) -> (N, C, s h, s w)."""
    import torch

    from ..physics import transfer_function
    from .inference import model_device

    s = model.scale
    n, _, h, w = batch.shape
    m = max(1, model.unshuffle // s)  # the padded low-resolution size must be a multiple of this
    ph, pw = pad + (-(h + 2 * pad)) % m, pad + (-(w + 2 * pad)) % m
    padded = np.pad(batch, ((0, 0), (0, 0), (pad, ph), (pad, pw)), mode="symmetric")
    hh, ww = padded.shape[2:]
    device = model_device(model)
    otf = torch.from_numpy(transfer_function(kernel, (hh * s, ww * s), s).astype(np.complex64)).to(device)
    y = torch.from_numpy(np.ascontiguousarray(padded)).to(device)
    sig = torch.as_tensor(np.asarray(sigmas, np.float32) / 255.0).to(device)
    with torch.inference_mode(), torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16):
        out = model(y, otf.expand(n, 1, -1, -1), sig).float()
    return _crop(out, pad, h, w, s)


def _crop(planes: Any, pad: int, h: int, w: int, s: int) -> np.ndarray:
    """Cut the mirror extension from (N, C, H, W) network output -> (N, C, s h, s w)."""
    return planes[:, :, pad * s : (pad + h) * s, pad * s : (pad + w) * s].float().cpu().numpy()


@dataclass
class UnfoldedTrace:
    """What the unfolded network computes on the way (for the teaching page).

    Attributes
    ----------
    data : list of numpy.ndarray
        The estimate after each stage's data step (consistent with the observation, still noisy).
    prior : list of numpy.ndarray
        The estimate after each stage's prior (denoising) step; the last one is the output.
    alpha : numpy.ndarray
        Weight of the proximal term in each data step (small: trust the observation).
    beta : numpy.ndarray
        Noise level (0-255 scale) the prior is told at each stage.
    """

    data: list[np.ndarray]
    prior: list[np.ndarray]
    alpha: np.ndarray
    beta: np.ndarray


def trace_with(model: Any, observation: Any, *, sigma: float | None = None, pad: int = 6) -> UnfoldedTrace:
    """Restore a (small) observation in one piece, keeping every stage's intermediate estimates.

    A private copy of ``model`` records, so sharing the loaded network with other users is safe.
    Images are processed whole (no tiles): callers bound the size.
    """
    import copy

    import torch

    img = np.asarray(observation.degraded, np.float32)
    level = float(noise_level(observation, noise_free="zero") if sigma is None else sigma)
    batch, sigmas = _inputs(model, img, level)
    model = copy.deepcopy(model)
    model.iterates = []
    _run(model, batch, observation.kernel, sigmas, pad, bf16=False)
    h, w = batch.shape[2:]
    s, colour = model.scale, img.ndim == 3

    def images(stack: list[Any]) -> list[np.ndarray]:
        return [np.clip(_outputs(model, _crop(t, pad, h, w, s), colour), 0.0, 1.0).astype(np.float32)
                for t in stack]

    with torch.no_grad():
        alpha, beta = model.schedule(torch.as_tensor(np.asarray(sigmas[:1], np.float32) / 255.0))
    # the levels back on the image's scale (a one-channel prior saw the luminance plane, scaled by its gain)
    gain = OPP_GAIN[0] if colour and getattr(model, "channels", 1) == 1 else 1.0
    return UnfoldedTrace(data=images(model.data_iterates), prior=images(model.iterates),
                         alpha=alpha[0].numpy(), beta=beta[0].numpy() * 255.0 / gain)


def restore_planes(
    model: Any,
    batch: np.ndarray,
    kernel: np.ndarray | None,
    sigmas: np.ndarray,
    *,
    pad: int = 8,
    tile: int = 256,
    overlap: int = 16,
    bf16: bool = False,
) -> np.ndarray:
    """Restore a (N, C, h, w) low-resolution batch with an :class:`UnfoldedRestorer`; returns (N, C, s h, s w).

    Parameters
    ----------
    model : UnfoldedRestorer
        The network, in eval mode.
    batch : numpy.ndarray
        Observed images or planes, C = the model's channels (see :func:`_inputs`).
    kernel : numpy.ndarray or None
        The blur applied before downsampling (None: none).
    sigmas : numpy.ndarray
        Noise level of each of the N items (0-255 scale).
    pad : int
        Mirror extension of each tile, in low-resolution pixels.
    tile, overlap : int
        Low-resolution tile size and the context kept around each tile.
    bf16 : bool
        bfloat16 arithmetic in the prior.
    """
    configure_threads()
    s = model.scale
    n, c, h, w = batch.shape
    if h <= tile + 2 * overlap and w <= tile + 2 * overlap:
        return _run(model, batch, kernel, sigmas, pad, bf16)
    out = np.zeros((n, c, h * s, w * s), np.float32)
    for src, dst, inner in tile_windows(h, w, tile, overlap):
        res = _run(model, batch[:, :, src[0], src[1]], kernel, sigmas, pad, bf16)
        out[:, :, _times(dst[0], s), _times(dst[1], s)] = res[:, :, _times(inner[0], s), _times(inner[1], s)]
    return out


def restore_with(model: Any, observation: Any, *, sigma: float | None = None, pad: int = 6,
                 bf16: bool = False) -> np.ndarray:
    """Restore an :class:`~restoration.degradations.Observation` (blur, downsampling, noise) with ``model``.

    Parameters
    ----------
    model : UnfoldedRestorer
        The network, in eval mode; its ``scale`` must be the observation's.
    observation : Observation
        Degraded image with its kernel (or none) and scale.
    sigma : float, optional
        Noise level on the 0-255 scale (default: the observation's).
    pad : int
        Mirror extension of each tile in low-resolution pixels (as in training).
    bf16 : bool
        bfloat16 arithmetic in the prior.

    Returns
    -------
    numpy.ndarray
        float32 image of ``observation.output_shape``, clipped to [0, 1].
    """
    img = np.asarray(observation.degraded, np.float32)
    level = float(noise_level(observation, noise_free="zero") if sigma is None else sigma)
    batch, sigmas = _inputs(model, img, level)
    out = restore_planes(model, batch, observation.kernel, sigmas, pad=pad, bf16=bf16)
    return np.clip(_outputs(model, out, img.ndim == 3), 0.0, 1.0).astype(np.float32)
