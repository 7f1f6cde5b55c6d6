"""The small network of zero-shot Noise2Noise: three convolutions that predict the noise of one image.

Mansour and Heckel, "Zero-Shot Noise2Noise: efficient image denoising without any data", CVPR 2023. It is trained
on the noisy image itself (``restoration.deep.zeroshot``), so it is tiny: two 3x3 convolutions with a leaky ReLU
and a 1x1 output, about 11k parameters at 32 features. The output is the noise; the image is the input minus it.
"""

from __future__ import annotations

import torch
from torch import nn


class ZeroShotNet(nn.Module):
    """``noise = net(y)``: conv3x3 -> LeakyReLU -> conv3x3 -> LeakyReLU -> conv1x1.

    Parameters
    ----------
    channels : int
        Image channels (1 gray, 3 colour).
    features : int
        Width of the hidden layers.
    """

    def __init__(self, channels: int = 1, features: int = 32) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(channels, features, 3, padding=1, padding_mode="reflect")
        self.conv2 = nn.Conv2d(features, features, 3, padding=1, padding_mode="reflect")
        self.conv3 = nn.Conv2d(features, channels, 1)
        self.act = nn.LeakyReLU(0.2)

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        """The predicted noise of a (N, C, H, W) batch."""
        return self.conv3(self.act(self.conv2(self.act(self.conv1(y)))))
