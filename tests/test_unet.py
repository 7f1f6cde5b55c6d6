"""The U-Net alternative to the attention denoiser: interface, any size, counted cost, buildable by name."""

from __future__ import annotations

import torch

from restoration.deep.archs import build
from restoration.deep.archs.denoiser import AttentionDenoiser
from restoration.deep.archs.unet import UNetDenoiser, macs_per_pixel


def test_unet_any_size_keeps_shape_and_conditions_on_sigma() -> None:
    torch.manual_seed(0)
    net = UNetDenoiser(channels=3, features=16, blocks=1, levels=3)
    for p in net.parameters():  # leave the zero-initialised identity start so sigma matters
        torch.nn.init.normal_(p, std=0.05)
    x = torch.rand(2, 3, 70, 54)  # folded 35 x 27: not a multiple of 4, padded inside
    low = net(x, torch.zeros(2, 1, 35, 27))
    high = net(x, torch.full((2, 1, 35, 27), 0.2))
    assert low.shape == x.shape
    assert torch.isfinite(low).all()
    assert (low - high).abs().max() > 1e-4


def test_unet_is_built_by_name_as_the_manifest_stores_it() -> None:
    net = build("UNetDenoiser", channels=1, features=8, blocks=1, levels=2, unshuffle=2)
    assert isinstance(net, UNetDenoiser)
    assert net(torch.rand(1, 1, 16, 16), torch.zeros(1, 1, 8, 8)).shape == (1, 1, 16, 16)


def test_compared_configurations_cost_the_same_per_pixel() -> None:
    """The measured comparison (docs/benchmarks/deep.md) pits two networks of equal multiply-adds."""
    attention = macs_per_pixel(AttentionDenoiser(channels=3, features=64, blocks=9, unshuffle=2))
    unet = macs_per_pixel(UNetDenoiser(channels=3, features=64, blocks=2, levels=3, unshuffle=2))
    # 18 body convs of 64 x 64 x 9 at a quarter of the pixels: 165,888 MACs per pixel, plus head and tail
    assert 165_000 < attention < 175_000
    assert abs(unet - attention) / attention < 0.05
