"""A small U-Net denoiser, the alternative measured against ``AttentionDenoiser``.

Same interface and same conditioning as the attention network (``forward(noisy, sigma_map)``,
pixel-unshuffle by ``unshuffle``, the noise-level map as an extra input channel, residual
learning), but the body is an encoder-decoder in the style of DRUNet (Zhang et al. 2021):

* each level holds ``blocks`` residual blocks (conv-ReLU-conv, no normalisation; the second conv
  starts at zero so every block starts as the identity);
* a 2x2 stride-2 convolution halves the resolution between levels, a 2x2 transposed convolution
  doubles it back, and the encoder's features are *added* to the decoder's at each level (skip
  connections);
* widths double per level up to ``max_features``, so the coarse levels see a wide context cheaply
  while the parameter count stays bounded.

Where the attention network spends its operations at one resolution (half the image), the U-Net
spends most of them at half resolution and the rest at a quarter and an eighth: a much larger
receptive field for about the same number of multiply-adds per pixel (see ``macs_per_pixel``).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class _ResBlock(nn.Module):
    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1)
        nn.init.zeros_(self.conv2.weight)
        nn.init.zeros_(self.conv2.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv2(F.relu(self.conv1(x)))


class UNetDenoiser(nn.Module):
    """Non-blind U-Net denoiser: ``forward(noisy, sigma_map) -> clean estimate``.

    Parameters
    ----------
    channels : int
        1 for gray, 3 for colour.
    features : int
        Width of the first level; each coarser level doubles it, up to ``max_features``.
    blocks : int
        Residual blocks per level, in the encoder and again in the decoder (the coarsest level
        has ``blocks`` in all).
    levels : int
        Number of resolutions (the input of the body is the unshuffled image; each level halves it).
    unshuffle : int
        Pixel-unshuffle factor applied before the body.
    max_features : int
        Cap on the width of the coarse levels (bounds the parameter count).
    """

    def __init__(
        self,
        channels: int = 3,
        features: int = 64,
        blocks: int = 2,
        levels: int = 3,
        unshuffle: int = 2,
        max_features: int = 128,
    ) -> None:
        super().__init__()
        if levels < 1:
            raise ValueError("levels must be at least 1")
        self.channels = channels
        self.unshuffle = unshuffle
        self.levels = levels
        widths = [min(features * 2**i, max_features) for i in range(levels)]
        folded = unshuffle * unshuffle * channels
        self.head = nn.Conv2d(folded + 1, widths[0], 3, padding=1)
        self.encoders = nn.ModuleList(nn.Sequential(*[_ResBlock(w) for _ in range(blocks)]) for w in widths[:-1])
        self.downs = nn.ModuleList(nn.Conv2d(widths[i], widths[i + 1], 2, stride=2) for i in range(levels - 1))
        self.bottom = nn.Sequential(*[_ResBlock(widths[-1]) for _ in range(blocks)])
        self.ups = nn.ModuleList(nn.ConvTranspose2d(widths[i + 1], widths[i], 2, stride=2) for i in range(levels - 1))
        self.decoders = nn.ModuleList(nn.Sequential(*[_ResBlock(w) for _ in range(blocks)]) for w in widths[:-1])
        self.tail = nn.Conv2d(widths[0], folded, 3, padding=1)

    def forward(self, noisy: torch.Tensor, sigma_map: torch.Tensor) -> torch.Tensor:
        """Denoise a batch.

        Parameters
        ----------
        noisy : torch.Tensor
            (B, C, H, W); H and W multiples of ``unshuffle``. The body pads its input to a multiple
            of ``2 ** (levels - 1)`` itself (reflection) and crops the result.
        sigma_map : torch.Tensor
            (B, 1, H/u, W/u): the noise level on the [0, 1] scale (sigma / 255).
        """
        x = torch.cat([F.pixel_unshuffle(noisy, self.unshuffle), sigma_map], dim=1)
        h, w = x.shape[-2:]
        m = 2 ** (self.levels - 1)
        ph, pw = (-h) % m, (-w) % m
        if ph or pw:
            x = F.pad(x, (0, pw, 0, ph), mode="reflect" if min(h, w) > max(ph, pw) else "replicate")
        y = self.head(x)
        skips = []
        for enc, down in zip(self.encoders, self.downs, strict=True):
            y = enc(y)
            skips.append(y)
            y = down(y)
        y = self.bottom(y)
        for i in reversed(range(self.levels - 1)):
            y = self.decoders[i](self.ups[i](y) + skips[i])
        noise = self.tail(y)[..., :h, :w]
        return noisy - F.pixel_shuffle(noise, self.unshuffle)


def macs_per_pixel(model: nn.Module, channels: int = 3, size: int = 64) -> float:
    """Multiply-accumulates of one forward pass per output pixel, counted on a ``size`` x ``size`` input.

    Counts every ``Conv2d`` and ``ConvTranspose2d`` (the layers that dominate), so two
    architectures can be compared per FLOP.
    """
    total = 0

    def hook(module: nn.Module, inputs: tuple[torch.Tensor, ...], output: torch.Tensor) -> None:
        nonlocal total
        k = module.kernel_size[0] * module.kernel_size[1]
        if isinstance(module, nn.ConvTranspose2d):
            total += inputs[0].numel() // inputs[0].shape[0] * module.out_channels * k // module.groups
        else:
            total += output.numel() // output.shape[0] * (module.in_channels // module.groups) * k

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))]
    try:
        u = getattr(model, "unshuffle", 1)
        with torch.no_grad():
            model(torch.zeros(1, channels, size, size), torch.zeros(1, 1, size // u, size // u))
    finally:
        for handle in handles:
            handle.remove()
    return total / (size * size)
