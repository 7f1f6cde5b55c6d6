"""The small network of the zero-shot denoiser: a few dilated convolutions that predict the noise of one image.

It is trained on the noisy image itself (``restoration.deep.zeroshot``), so it is small: four 3x3 convolutions
with dilations 1, 2, 4 and 1 (a 17x17 receptive field, wide enough to see flat regions whole) and leaky ReLUs,
then a 1x1 output; about 28k parameters at 32 features for a gray image. The output is the noise; the image is
the input minus it. The width and the dilations were chosen on held-out CBSD432 crops
(``scripts/bench_selfsup.py --select``, ``docs/benchmarks/zeroshot_select.md``).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn


class ZeroShotNet(nn.Module):
    """``noise = net(y)``: dilated 3x3 convolutions, each followed by a leaky ReLU, then a 1x1 convolution.

    Parameters
    ----------
    channels : int
        Image channels (1 gray, 3 colour).
    features : int
        Width of the hidden layers.
    dilations : sequence of int
        Dilation of each 3x3 layer (its length is the number of layers).
    """

    def __init__(self, channels: int = 1, features: int = 32, dilations: Sequence[int] = (1, 2, 4, 1)) -> None:
        super().__init__()
        widths = [channels] + [features] * len(dilations)
        self.body = nn.ModuleList(
            nn.Conv2d(widths[i], features, 3, padding=d, dilation=d, padding_mode="reflect")
            for i, d in enumerate(dilations)
        )
        self.head = nn.Conv2d(features, channels, 1)
        # it starts as the identity denoiser (no noise predicted): a random output layer would first have to unlearn
        # its own noise, which made short trainings stall for some seeds
        nn.init.zeros_(self.head.weight)
        nn.init.zeros_(self.head.bias)
        self.act = nn.LeakyReLU(0.2)

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        """The predicted noise of a (N, C, H, W) batch."""
        h = y
        for conv in self.body:
            h = self.act(conv(h))
        return self.head(h)
