"""Shipped weights: a manifest (sha256, architecture, data, steps, score, command) and checked loading.

Weights are plain ``state_dict`` files in ``assets/weights`` loaded with ``weights_only=True``
(no pickled code runs) after their sha256 is checked against ``assets/weights/manifest.json``.
Models are built once per process and shared read-only (inference only, under ``inference_mode``).
"""

from __future__ import annotations

import hashlib
import json
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import RestorationError

__all__ = ["WEIGHTS_DIR", "WeightsError", "load_model", "manifest", "model_info"]

WEIGHTS_DIR = Path(__file__).resolve().parents[2] / "assets" / "weights"
_lock = threading.Lock()


class WeightsError(RestorationError):
    """Shipped weights are missing, altered, or do not fit their architecture."""


def manifest(weights_dir: Path = WEIGHTS_DIR) -> dict[str, dict[str, Any]]:
    """The weights manifest as a dict ``{model name: entry}`` (empty if there is none)."""
    path = Path(weights_dir) / "manifest.json"
    if not path.exists():
        return {}
    return json.loads(path.read_text())


def model_info(name: str, weights_dir: Path = WEIGHTS_DIR) -> dict[str, Any]:
    """The manifest entry of one model.

    Raises
    ------
    WeightsError
        If the model is not in the manifest.
    """
    entries = manifest(weights_dir)
    if name not in entries:
        raise WeightsError(f"no weights named {name!r} in {weights_dir}/manifest.json (have: {', '.join(entries)})")
    return entries[name]


@lru_cache(maxsize=8)
def _load(name: str, weights_dir: str) -> Any:
    import torch

    from .archs import build

    info = model_info(name, Path(weights_dir))
    path = Path(weights_dir) / info["file"]
    if not path.exists():
        raise WeightsError(f"weights file {path} is missing")
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != info["sha256"]:
        raise WeightsError(f"weights file {path.name} does not match its manifest checksum (got {digest[:12]}...)")
    import io

    state = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    model = build(info["arch"], **info["arch_args"])
    try:
        model.load_state_dict(state)
    except RuntimeError as exc:
        raise WeightsError(f"weights {path.name} do not fit {info['arch']}: {exc}") from None
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return model.to(memory_format=torch.channels_last)


def load_model(name: str, weights_dir: Path = WEIGHTS_DIR) -> Any:
    """Build the model ``name`` and load its checked weights (cached: one instance per process).

    Raises
    ------
    WeightsError
        For a missing entry or file, a checksum mismatch, or weights that do not fit.
    """
    with _lock:
        return _load(name, str(weights_dir))
