"""Network architectures, one ``nn.Module`` per file, and a table to build them by name."""

from __future__ import annotations

from typing import Any

from .denoiser import AttentionDenoiser
from .unet import UNetDenoiser
from .unfolded import UnfoldedRestorer

ARCHITECTURES: dict[str, Any] = {
    "AttentionDenoiser": AttentionDenoiser,
    "UNetDenoiser": UNetDenoiser,
    "UnfoldedRestorer": UnfoldedRestorer,
}


def build(name: str, **kwargs: Any) -> Any:
    """Instantiate architecture ``name`` with its keyword arguments (as stored in the weights manifest)."""
    try:
        cls = ARCHITECTURES[name]
    except KeyError:
        raise ValueError(f"unknown architecture {name!r}; known: {', '.join(ARCHITECTURES)}") from None
    return cls(**kwargs)
