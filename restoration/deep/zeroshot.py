"""Zero-shot deep denoising: a small network trained on the one noisy image it restores (no weights ship).

Zero-Shot Noise2Noise (Mansour and Heckel, CVPR 2023): the noisy image ``y`` is split into two half-size images by
averaging the two diagonals of every 2x2 block (``d1`` takes the top-left and bottom-right pixels, ``d2`` the other
two). Their clean contents are nearly equal while their noises are independent, so a network that maps one onto
the other learns to remove noise and nothing else -- Noise2Noise with a pair made from a single image. A second
loss keeps the network consistent between the half-size and the full-size image. After training (a fixed number
of Adam steps, seeded, so the same image gives the same result) the network, which predicts the noise, is
applied to the full image once: ``x = y - net(y)``.

It needs no clean image, no noise level and no training set, and adapts to the noise it sees (signal-dependent
camera noise included, as long as neighbouring pixels' noises are independent). It costs a training run per image
(each step trains on a few random crops, so the cost hardly grows with the image): seconds to half a minute on two
cores, reported through :mod:`restoration.progress`. The result is the average over the eight flips and quarter
turns of the image (a self-ensemble: the network is not equivariant, so its errors partly cancel).
"""

from __future__ import annotations

import numpy as np

from ..observation import Observation
from ..progress import report

__all__ = ["TrainingTrace", "run_zs_denoise", "zs_denoise"]


class TrainingTrace:
    """What the network saw while it trained: the two half images and its loss at every step."""

    def __init__(self) -> None:
        self.pair: tuple[np.ndarray, np.ndarray] | None = None
        self.losses: list[float] = []
        self.snapshots: list[tuple[int, np.ndarray]] = []


def _halves(y):  # (N, C, H, W) -> the two diagonal averages of each 2x2 block, (N, C, H/2, W/2)
    import torch.nn.functional as F

    c = y.shape[1]
    k1 = y.new_tensor([[[[0.5, 0.0], [0.0, 0.5]]]]).repeat(c, 1, 1, 1)
    k2 = y.new_tensor([[[[0.0, 0.5], [0.5, 0.0]]]]).repeat(c, 1, 1, 1)
    return F.conv2d(y, k1, stride=2, groups=c), F.conv2d(y, k2, stride=2, groups=c)


def zs_denoise(
    image: np.ndarray,
    *,
    iterations: int = 400,
    features: int = 32,
    crop: int = 64,
    batch: int = 4,
    lr: float = 2e-3,
    seed: int = 0,
    trace: TrainingTrace | None = None,
) -> np.ndarray:
    """Denoise one image by training a small network on it (Zero-Shot Noise2Noise).

    Parameters
    ----------
    image : numpy.ndarray
        HxW or HxWxC noisy image (values may leave [0, 1]); at least 4x4.
    iterations : int
        Adam steps (the learning rate is halved after two thirds of them).
    features : int
        Width of the network.
    crop, batch : int
        Each step trains on ``batch`` random ``crop`` x ``crop`` windows of the image (even-aligned, so the
        2x2 blocks of the pairs are the image's own), which keeps a step's cost independent of the image size.
    lr : float
        Initial learning rate.
    seed : int
        Seed of the network's initialisation.
    trace : TrainingTrace, optional
        Filled with the training pair, the loss curve and a few intermediate results (for the Learn page).

    Returns
    -------
    numpy.ndarray
        float32 image of the input's shape (not clipped).
    """
    import torch

    from .archs.zsn2n import ZeroShotNet
    from .inference import configure_threads

    configure_threads()
    arr = np.asarray(image, dtype=np.float32)
    gray = arr.ndim == 2
    planes = arr[None] if gray else np.moveaxis(arr, -1, 0)
    h, w = planes.shape[1:]
    even = planes[:, : h - h % 2, : w - w % 2]  # the pairs need whole 2x2 blocks
    y_full = torch.from_numpy(np.ascontiguousarray(planes))[None]
    y = torch.from_numpy(np.ascontiguousarray(even))[None]
    with torch.random.fork_rng(devices=[]):  # seeded initialisation, without touching the global generator
        torch.manual_seed(int(seed))
        net = ZeroShotNet(channels=planes.shape[0], features=features)
    optimiser = torch.optim.Adam(net.parameters(), lr=lr)
    scheduler = torch.optim.lr_scheduler.StepLR(optimiser, step_size=max(1, (2 * iterations) // 3), gamma=0.5)
    if trace is not None:
        t1, t2 = _halves(y)
        trace.pair = (t1[0].numpy().transpose(1, 2, 0).squeeze(), t2[0].numpy().transpose(1, 2, 0).squeeze())
    rng = np.random.default_rng(int(seed))
    size = min(int(crop), y.shape[2], y.shape[3])
    size -= size % 2

    def mse(a, b):
        return torch.mean((a - b) ** 2)

    for step in range(int(iterations)):
        tops = 2 * rng.integers(0, (y.shape[2] - size) // 2 + 1, size=batch)
        lefts = 2 * rng.integers(0, (y.shape[3] - size) // 2 + 1, size=batch)
        windows = torch.cat([y[..., t : t + size, s : s + size] for t, s in zip(tops, lefts, strict=True)])
        d1, d2 = _halves(windows)
        p1, p2 = d1 - net(d1), d2 - net(d2)  # each half denoised by the network
        residual = 0.5 * (mse(p1, d2) + mse(p2, d1))  # ... must look like the other half
        f1, f2 = _halves(windows - net(windows))  # halves of the denoised full-size windows
        consistency = 0.5 * (mse(p1, f1) + mse(p2, f2))
        loss = residual + consistency
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
