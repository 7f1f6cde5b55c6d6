"""Shipped weights: a manifest (sha256, architecture, data, steps, score, command) and checked loading.

Weights are plain ``state_dict`` files in ``assets/weights`` loaded with ``weights_only=True``
(no pickled code runs) after their sha256 is checked against ``assets/weights/manifest.json``.
Models are built once per process and shared read-only (inference only, under ``inference_mode``).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import RestorationError

__all__ = ["REPORT_SETS", "WEIGHTS_DIR", "ModelCard", "TrainingRun", "WeightsError", "load_model", "manifest",
           "model_card", "model_info"]

WEIGHTS_DIR = Path(__file__).resolve().parents[2] / "assets" / "weights"
_lock = threading.Lock()

#: The image sets docs/benchmarks/deep.md quotes. A model whose checkpoint was chosen on one of them has a
#: reported number that is not a clean test score; its card says so.
REPORT_SETS = ("Set12", "Set5", "Kodak24", "CBSD68", "BSD68")


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


@dataclass(frozen=True)
class TrainingRun:
    """One training run in a shipped model's history (a model may be the last of several runs, each one
    starting from the weights the one before it made).

    Attributes
    ----------
    model : str
        The name the run's weights were shipped under.
    steps : int or None
        Optimisation steps of the checkpoint kept (None where the manifest does not say).
    command : str
        The command that ran it ("" where not recorded).
    note : str
        How it was run, where the command alone does not tell (a resumed run, a changed setting).
    minutes : float or None
        Its wall-clock minutes, where recorded.
    machine : str
        Where it ran, in words ("" where not recorded).
    """

    model: str
    steps: int | None
    command: str
    note: str
    minutes: float | None = None
    machine: str = ""


@dataclass(frozen=True)
class ModelCard:
    """Where one shipped network comes from, in the words a user reads: data, history, machine, selection.

    Attributes
    ----------
    name, task, architecture : str
        The model's name, its task and its architecture with the arguments that set its size.
    parameters : int or None
        Learned parameters.
    megabytes : float or None
        Size of the weights file (None if it is missing).
    stored_as : str
        "float32" unless the weights were rounded to a smaller type to ship.
    data : str
        The training data.
    runs : tuple of TrainingRun
        The runs that made the weights, the first first; the last one made the shipped file. Its time and
        machine are also the properties ``minutes`` and ``machine``.
    chosen_on : str
        The data the checkpoint was chosen on, with the setting and the score it reached there.
    chosen_on_report_set : bool
        True when that data is a set the benchmark report also quotes (its number there is then not a
        clean test score).
    """

    name: str
    task: str
    architecture: str
    parameters: int | None
    megabytes: float | None
    stored_as: str
    data: str
    runs: tuple[TrainingRun, ...]
    chosen_on: str
    chosen_on_report_set: bool

    @property
    def minutes(self) -> float | None:
        """Wall-clock minutes of the last run, the one that made the shipped file (None if not recorded)."""
        return self.runs[-1].minutes if self.runs else None

    @property
    def machine(self) -> str:
        """Where the last run trained ("not recorded" for models trained before the manifest said)."""
        return (self.runs[-1].machine if self.runs else "") or "not recorded"

    @property
    def total_steps(self) -> int | None:
        """Optimisation steps over all runs (None if a run does not say)."""
        steps = [r.steps for r in self.runs]
        return None if any(s is None for s in steps) else sum(s for s in steps if s is not None)

    @property
    def recorded_minutes(self) -> tuple[float, int]:
        """Wall-clock minutes summed over the runs that recorded them, and how many runs did."""
        known = [r.minutes for r in self.runs if r.minutes is not None]
        return float(sum(known)), len(known)


def _runs(entry: dict[str, Any], name: str) -> tuple[TrainingRun, ...]:
    """The chain of runs behind ``entry``, oldest first, from its nested ``init`` records."""
    chain: list[TrainingRun] = []
    node: Any = entry
    for _ in range(100):  # a manifest is data: never follow a chain without end
        if not isinstance(node, dict):
            if node:  # an init recorded only by name or path
                chain.append(TrainingRun(str(node), None, "", "its own history is not recorded"))
            break
        steps, minutes = node.get("steps"), node.get("minutes")
        machine = _machine(node["trained_on"]) if "trained_on" in node else ""
        chain.append(TrainingRun(str(node.get("name") or name), int(steps) if isinstance(steps, int) else None,
                                 str(node.get("command") or ""), _note(node),
                                 float(minutes) if isinstance(minutes, (int, float)) else None, machine))
        node = node.get("init")
        if isinstance(node, dict) and "command" not in node and "file" in node:
            node = node["file"]
    return tuple(reversed(chain))


def _note(node: dict[str, Any]) -> str:
    """The entry's own note, and which weights it kept where it also kept a moving average (``--ema``)."""
    note = str(node.get("note") or "")
    ema = node.get("ema")
    if isinstance(ema, dict) and ema.get("kept") == "average":
        note += (" " if note else "") + (f"The weights kept are the moving average of the trained weights "
                                         f"(decay {ema.get('decay')}), which scored higher on the held-out data.")
    return note


def _machine(trained_on: Any) -> str:
    if not isinstance(trained_on, dict):
        return "not recorded"
    parts = [str(trained_on.get("name") or trained_on.get("device") or "unknown device")]
    if trained_on.get("device") == "cpu":
        cores, threads = trained_on.get("cores"), trained_on.get("threads")
        parts.append("CPU" + (f", {cores} cores" if cores else "") + (f", {threads} threads" if threads else ""))
        if trained_on.get("capability"):
            parts.append(f"{trained_on['capability']} code path")
    elif trained_on.get("device"):
        parts.append(str(trained_on["device"]).upper())
    for key in ("precision", "torch"):
        if trained_on.get(key):
            parts.append(f"torch {trained_on[key]}" if key == "torch" else str(trained_on[key]))
    return ", ".join(parts)


def _chosen_on(validation: Any) -> tuple[str, bool]:
    if not isinstance(validation, dict) or not validation.get("set"):
        return "not recorded", False
    where = str(validation["set"])
    setting = validation.get("setting") or (f"sigma {validation['sigma']:g}" if "sigma" in validation else "")
    text = where + (f"; {setting}" if setting else "")
    if isinstance(validation.get("psnr"), (int, float)):
        text += f"; best validation PSNR {validation['psnr']:.2f} dB"
    report = any(re.search(rf"(?<![A-Za-z0-9]){s}(?![A-Za-z0-9])", where) for s in REPORT_SETS)
    return text, report


def model_card(name: str, weights_dir: Path = WEIGHTS_DIR) -> ModelCard:
    """The card of one shipped model, read from its manifest entry (no weights are loaded, no torch).

    Parameters
    ----------
    name : str
        A model in the manifest, e.g. ``"cnn_combined"``.
    weights_dir : pathlib.Path, optional
        Where the manifest and weights are (default: the shipped ones).

    Returns
    -------
    ModelCard

    Raises
    ------
    WeightsError
        If the model is not in the manifest.
    """
    info = model_info(name, weights_dir)
    args = info.get("arch_args") or {}
    shown = ", ".join(f"{k}={v}" for k, v in sorted(args.items())) if isinstance(args, dict) else ""
    path = Path(weights_dir) / str(info.get("file", ""))
    size = path.stat().st_size / 1e6 if info.get("file") and path.is_file() else None
    chosen, report = _chosen_on(info.get("validation"))
    params = info.get("parameters")
    return ModelCard(
        name=name, task=str(info.get("task", "")),
        architecture=f"{info.get('arch', 'unknown')}({shown})",
        parameters=int(params) if isinstance(params, int) else None,
        megabytes=size, stored_as=str(info.get("stored_as") or "float32"),
        data=str(info.get("data") or "not recorded"), runs=_runs(info, name),
        chosen_on=chosen, chosen_on_report_set=report,
    )
