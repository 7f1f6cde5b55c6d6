"""Zero-shot deep denoising: a small network trained on the one noisy image it restores (no weights ship).

The idea is Noise2Noise (Lehtinen et al. 2018) with the pair of noisy images made from a single one, as in
Neighbor2Neighbor (Huang et al., CVPR 2021) and Zero-Shot Noise2Noise (Mansour and Heckel, CVPR 2023). At every
training step the noisy image ``y`` is sub-sampled twice: in every 2x2 block one pixel is drawn at random for the
first half-size image ``g1(y)`` and one of its two neighbours in the block for the second ``g2(y)``. Their clean
contents are nearly equal while their noises are independent (and as strong as the full image's), so a network
``f`` that maps one onto the other learns to remove noise and nothing else. A second term (Neighbor2Neighbor's
regulariser) asks that the gap between the two halves after denoising match the gap between the same pixels of
the denoised *full* image, ``f(g1(y)) - g2(y)`` against ``g1(f(y)) - g2(f(y))``, which corrects for the halves'
pixels not being at the same place. Drawing the pairs afresh at every step, and flipping and turning the training
windows, gives the network many pairs from one image. After training (a fixed number of Adam steps, seeded, so
the same image gives the same result) the network, which predicts the noise, is applied to the full image:
``x = y - net(y)``, averaged over the eight flips and quarter turns of the image (a self-ensemble: the network is
not equivariant, so its errors partly cancel).

It needs no clean image, no noise level and no training set, and adapts to the noise it sees (signal-dependent
camera noise included, as long as neighbouring pixels' noises are independent). It costs a training run per image
(each step trains on a few random crops, so the cost hardly grows with the image): seconds to half a minute on two
cores, reported through :mod:`restoration.progress`. The sampler, the network (:mod:`.archs.zsn2n`) and the number
of steps were chosen on held-out CBSD432 crops (``scripts/bench_selfsup.py --select``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..errors import ParameterError
from ..observation import Observation
from ..progress import report

__all__ = ["MIN_SIDE", "TrainingTrace", "diagonal_pair", "neighbour_pair", "run_zs_denoise", "zs_denoise"]

#: The smallest image side the network trains on (its half images must be wider than its widest dilation).
MIN_SIDE = 12
#: Of the four pixels of a 2x2 block (row-major), the two that are horizontal or vertical neighbours of each.
_NEIGHBOURS = ((1, 2), (0, 3), (0, 3), (1, 2))


class TrainingTrace:
    """What the network saw while it trained: one pair of half images and its loss at every step."""

    def __init__(self) -> None:
        self.pair: tuple[np.ndarray, np.ndarray] | None = None
        self.losses: list[float] = []
        self.snapshots: list[tuple[int, np.ndarray]] = []


def _blocks(x):  # (N, C, H, W), H and W even -> (N, C, 4, H/2, W/2): the four pixels of every 2x2 block
    import torch.nn.functional as F

    n, c, h, w = x.shape
    return F.pixel_unshuffle(x, 2).view(n, c, 4, h // 2, w // 2)


def _take(blocks, which):  # one pixel of every block: which (N, 1, 1, H/2, W/2) in 0..3 -> (N, C, H/2, W/2)
    n, c = blocks.shape[:2]
    return blocks.gather(2, which.expand(n, c, 1, *which.shape[3:])).squeeze(2)


def neighbour_pair(x, generator):
    """Neighbor2Neighbor's random sub-sampler of a (N, C, H, W) batch with even H and W.

    Returns
    -------
    first, second : torch.Tensor
        (N, C, H/2, W/2) half images: in every 2x2 block, a random pixel and one of its two neighbours there.
    pick1, pick2 : torch.Tensor
        (N, 1, 1, H/2, W/2) which pixel of each block each half took (to sub-sample other images alike).
    """
    import torch

    n, _, h, w = x.shape
    shape = (n, 1, 1, h // 2, w // 2)
    pick1 = torch.randint(0, 4, shape, generator=generator)
    pick2 = torch.tensor(_NEIGHBOURS)[pick1, torch.randint(0, 2, shape, generator=generator)]
    blocks = _blocks(x)
    return _take(blocks, pick1), _take(blocks, pick2), pick1, pick2


def diagonal_pair(x):
    """Zero-Shot Noise2Noise's fixed pair of a (N, C, H, W) batch: the two diagonal averages of every 2x2 block.

    Kept for comparison (``pairs="diagonal"``): its half images carry half the noise power of the image the network
    is then applied to, and it offers one pair per window, where the neighbour sampler draws a new one each step.
    """
    blocks = _blocks(x)
    return 0.5 * (blocks[:, :, 0] + blocks[:, :, 3]), 0.5 * (blocks[:, :, 1] + blocks[:, :, 2])


def zs_denoise(
    image: np.ndarray,
    *,
    iterations: int = 800,
    features: int = 32,
    dilations: Sequence[int] = (1, 2, 4, 1),
    pairs: str = "neighbour",
    crop: int = 64,
    batch: int = 4,
    lr: float = 2e-3,
    seed: int = 0,
    trace: TrainingTrace | None = None,
) -> np.ndarray:
    """Denoise one image by training a small network on it (zero-shot, Neighbor2Neighbor pairs).

    Parameters
    ----------
    image : numpy.ndarray
        HxW or HxWxC noisy image (values may leave [0, 1]); at least :data:`MIN_SIDE` pixels on a side.
    iterations : int
        Adam steps (the learning rate is halved after two thirds of them).
    features : int
        Width of the network.
    dilations : sequence of int
        Dilations of its 3x3 layers (:class:`~restoration.deep.archs.zsn2n.ZeroShotNet`).
    pairs : {"neighbour", "diagonal"}
        How pairs are made: Neighbor2Neighbor's random neighbours with its regulariser (the default), or Zero-Shot
        Noise2Noise's two diagonal averages with its symmetric and consistency losses (for comparison).
    crop, batch : int
        Each step trains on ``batch`` random ``crop`` x ``crop`` windows of the image (even-aligned, so the
        2x2 blocks of the pairs are the image's own, then flipped and turned at random), which keeps a step's
        cost independent of the image size.
    lr : float
        Initial learning rate.
    seed : int
        Seed of the network's initialisation, the windows and the pairs.
    trace : TrainingTrace, optional
        Filled with one training pair, the loss curve and a few intermediate results (for the Learn page).

    Returns
    -------
    numpy.ndarray
        float32 image of the input's shape (not clipped).

    Raises
    ------
    ParameterError
        For an image smaller than :data:`MIN_SIDE` on a side, or an unknown ``pairs``.
    """
    import torch

    from .archs.zsn2n import ZeroShotNet
    from .inference import configure_threads

    arr = np.asarray(image, dtype=np.float32)
    if min(arr.shape[:2]) < MIN_SIDE:
        raise ParameterError(f"the zero-shot network needs an image of at least {MIN_SIDE}x{MIN_SIDE} pixels, "
                             f"got {arr.shape[1]}x{arr.shape[0]}")
    if pairs not in ("neighbour", "diagonal"):
        raise ParameterError(f"pairs must be 'neighbour' or 'diagonal', got {pairs!r}")
    configure_threads()
    gray = arr.ndim == 2
    planes = arr[None] if gray else np.moveaxis(arr, -1, 0)
    h, w = planes.shape[1:]
    even = planes[:, : h - h % 2, : w - w % 2]  # the pairs need whole 2x2 blocks
    y_full = torch.from_numpy(np.ascontiguousarray(planes))[None]
    y = torch.from_numpy(np.ascontiguousarray(even))[None]
    with torch.random.fork_rng(devices=[]):  # seeded initialisation, without touching the global generator
        torch.manual_seed(int(seed))
        net = ZeroShotNet(channels=planes.shape[0], features=features, dilations=tuple(dilations))
    optimiser = torch.optim.Adam(net.parameters(), lr=lr)
    scheduler = torch.optim.lr_scheduler.StepLR(optimiser, step_size=max(1, (2 * iterations) // 3), gamma=0.5)
    rng = np.random.default_rng(int(seed))
    generator = torch.Generator().manual_seed(int(seed))
    if trace is not None:
        first, second = diagonal_pair(y) if pairs == "diagonal" else neighbour_pair(y, generator)[:2]
        trace.pair = (first[0].numpy().transpose(1, 2, 0).squeeze(), second[0].numpy().transpose(1, 2, 0).squeeze())
    size = min(int(crop), y.shape[2], y.shape[3])
    size -= size % 2

    def mse(a, b):
        return torch.mean((a - b) ** 2)

    for step in range(int(iterations)):
        tops = 2 * rng.integers(0, (y.shape[2] - size) // 2 + 1, size=batch)
        lefts = 2 * rng.integers(0, (y.shape[3] - size) // 2 + 1, size=batch)
        windows = torch.cat([y[..., t : t + size, s : s + size] for t, s in zip(tops, lefts, strict=True)])
        windows = torch.rot90(windows, int(rng.integers(4)), (2, 3))  # the noise does not care; the net learns more
        if rng.integers(2):
            windows = torch.flip(windows, (3,))
        if pairs == "diagonal":
            d1, d2 = diagonal_pair(windows)
            p1, p2 = d1 - net(d1), d2 - net(d2)  # each half denoised must look like the other half ...
            f1, f2 = diagonal_pair(windows - net(windows))  # ... and like the halves of the denoised windows
            loss = 0.5 * (mse(p1, d2) + mse(p2, d1)) + 0.5 * (mse(p1, f1) + mse(p2, f2))
        else:
            first, second, pick1, pick2 = neighbour_pair(windows, generator)
            estimate = first - net(first)  # the first half denoised ...
            with torch.no_grad():  # ... and the same pixels of the denoised full windows (no gradient, as in Nbr2Nbr)
                whole = _blocks(windows - net(windows))
                gap = _take(whole, pick1) - _take(whole, pick2)
            loss = mse(estimate, second) + mse(estimate - second, gap)  # ... must look like the second half
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        scheduler.step()
        if trace is not None:
            trace.losses.append(float(loss.detach()))
            if step + 1 in (1, iterations // 10, iterations // 3, iterations):
                with torch.no_grad():
                    out = (y_full - net(y_full))[0].numpy()
                trace.snapshots.append((step + 1, out[0] if gray else np.moveaxis(out, 0, -1)))
        if (step + 1) % 10 == 0:
            report(step + 1, int(iterations), "training the network on this image")
    out = _self_ensemble(net, y_full)[0].numpy()
    return (out[0] if gray else np.moveaxis(out, 0, -1)).astype(np.float32)


def _self_ensemble(net, y):  # the mean of x = y - net(y) over the 8 flips and quarter turns of y
    import torch

    total = torch.zeros_like(y)
    with torch.no_grad():
        for turns in range(4):
            for flip in (False, True):
                t = torch.rot90(y, turns, (2, 3))
                t = torch.flip(t, (3,)) if flip else t
                out = t - net(t)
                out = torch.flip(out, (3,)) if flip else out
                total += torch.rot90(out, -turns, (2, 3))
    return total / 8


def run_zs_denoise(observation: Observation, *, iterations: int, rng: np.random.Generator) -> np.ndarray:
    """Registry adapter: zero-shot denoising of the observation (the network's seed comes from ``rng``)."""
    seed = int(rng.integers(0, 2**31 - 1))
    return np.clip(zs_denoise(observation.degraded, iterations=iterations, seed=seed), 0.0, 1.0).astype(np.float32)
