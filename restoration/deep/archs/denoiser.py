"""The survey's denoiser, made fast on a CPU: a 20-layer residual CNN with channel attention.

Design (what each part buys):

* **Pixel-unshuffle by 2** (as FFDNet): the image is folded into 4x more channels at half the
  resolution, so every convolution costs a quarter of the full-resolution price while the
  receptive field doubles.
* **Noise-level map**: sigma (0-255 scale, divided by 255) is fed as an extra input channel, so one
  network covers sigma 0-75 and a user's slider changes what it does. A map, not a scalar, so it
  could vary over the image.
* **Residual blocks with squeeze-and-excitation attention** (Hu et al. 2018; RCAN, Zhang et al.
  2018): conv-ReLU-conv, then each channel is rescaled by a weight in (0, 1) computed from the
  block's global average -- the network learns which feature maps matter for this image. The last
  conv of each block starts at zero, so every block starts as the identity and training is stable.
* **Residual learning** (DnCNN): the network predicts the noise, which is subtracted from the input.

Conv layers: head 1 + 2 per block x 9 blocks + tail 1 = 20.

The same network restores any image that only needs a *correction*: for super-resolution and the
survey's combined degradation the low-resolution input is first enlarged by bicubic interpolation
(MATLAB's kernel, outside the network) and the network predicts what bicubic missed, folding the
enlarged image by 4 (``unshuffle=4``) so that its cost stays that of the small input. The map
then carries the scale (super-resolution) or the noise level (combined task).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class ChannelAttention(nn.Module):
    """Squeeze-and-excitation: global average -> bottleneck MLP -> sigmoid weights per channel."""

    def __init__(self, channels: int, reduction: int = 8) -> None:
        super().__init__()
        hidden = max(4, channels // reduction)
        self.fc1 = nn.Conv2d(channels, hidden, 1)
        self.fc2 = nn.Conv2d(hidden, channels, 1)
        self.last_weights: torch.Tensor | None = None  # kept for teaching when `record` is on
        self.record = False

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        w = torch.sigmoid(self.fc2(F.relu(self.fc1(x.mean(dim=(2, 3), keepdim=True)))))
        if self.record:
            self.last_weights = w.detach()
        return x * w


class ResidualAttentionBlock(nn.Module):
    """x + CA(conv(relu(conv(x)))): the body of the network."""

    def __init__(self, channels: int, reduction: int = 8) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1)
        self.attention = ChannelAttention(channels, reduction)
        nn.init.zeros_(self.conv2.weight)
        nn.init.zeros_(self.conv2.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.attention(self.conv2(F.relu(self.conv1(x))))


class AttentionDenoiser(nn.Module):
    """Non-blind denoiser: ``forward(noisy, sigma_map) -> clean estimate``.

    Parameters
    ----------
    channels : int
        1 for gray, 3 for colour.
    features : int
        Width of the hidden layers.
    blocks : int
        Number of residual attention blocks (2 convolutions each).
    reduction : int
        Bottleneck ratio of the channel attention.
    unshuffle : int
        Pixel-unshuffle factor: the network works on ``unshuffle`` x ``unshuffle`` folded blocks.
    """

    def __init__(
        self, channels: int = 1, features: int = 64, blocks: int = 9, reduction: int = 8, unshuffle: int = 2
    ) -> None:
        super().__init__()
        self.channels = channels
        self.unshuffle = unshuffle
        folded = unshuffle * unshuffle * channels
        self.head = nn.Conv2d(folded + 1, features, 3, padding=1)
        self.body = nn.ModuleList(ResidualAttentionBlock(features, reduction) for _ in range(blocks))
        self.tail = nn.Conv2d(features, folded, 3, padding=1)
        self.features: list[torch.Tensor] | None = None  # filled when `record` is on

    def set_record(self, on: bool) -> None:
        """Keep intermediate feature maps and attention weights of the next forward pass (for teaching)."""
        self.features = [] if on else None
        for block in self.body:
            block.attention.record = on

    def forward(self, noisy: torch.Tensor, sigma_map: torch.Tensor) -> torch.Tensor:
        """Denoise a batch.

        Parameters
        ----------
        noisy : torch.Tensor
            (B, C, H, W) in [0, 1]-ish; H and W must be multiples of ``unshuffle`` (see
            ``inference.pad_to_multiple``).
        sigma_map : torch.Tensor
            (B, 1, H/u, W/u) conditioning map: the noise level on the [0, 1] scale (sigma / 255) for
            denoising, the scale / 10 for super-resolution.
        """
        x = F.pixel_unshuffle(noisy, self.unshuffle)
        h = F.relu(self.head(torch.cat([x, sigma_map], dim=1)))
        for block in self.body:
            h = block(h)
            if self.features is not None:
                self.features.append(h.detach())
        noise = F.pixel_shuffle(self.tail(h), self.unshuffle)
        return noisy - noise
