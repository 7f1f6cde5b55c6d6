"""Training of the deep models: seeded, resumable, with a progress bar and per-epoch validation.

``python -m restoration train --task denoise --data DIR --val DIR --out NAME ...``

Each run writes, under ``--out-dir`` (default ``assets/weights``):

* ``NAME.pt`` -- the best ``state_dict`` so far (by validation PSNR), in float32;
* ``NAME.ckpt`` (under ``--checkpoint-dir``) -- model + optimiser + step + RNG state, to resume;
* an entry ``NAME`` in ``manifest.json`` -- sha256, architecture and its arguments, training data,
  steps, validation score, and the exact command that reproduces the weights.

Training data are read from a folder of images (e.g. ``../shared/datasets/Train400``); they are
never copied into the repository.
"""

from __future__ import annotations

import argparse
import json
import math
import shlex
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import RestorationError
from ..images import load_image

__all__ = ["TrainConfig", "add_arguments", "train"]


@dataclass
class TrainConfig:
    """Everything that defines a training run (recorded in the manifest)."""

    task: str
    data: str
    out: str
    val: str | None = None
    out_dir: str = "assets/weights"
    checkpoint_dir: str = "checkpoints"
    channels: int = 1
    features: int = 64
    blocks: int = 9
    steps: int = 20000
    batch: int = 32
    patch: int = 64
    lr: float = 1e-3
    lr_min: float = 1e-5
    sigma_max: float = 55.0
    val_sigma: float = 25.0
    val_every: int = 500
    seed: int = 0
    bf16: bool = True
    threads: int = 0
    resume: bool = True
    max_images: int = 0
    stop_after: int = 0


def _load_folder(folder: str, channels: int, max_images: int = 0) -> list[np.ndarray]:
    if not Path(folder).is_dir():
        raise RestorationError(f"training folder not found: {folder}")
    paths = sorted(p for p in Path(folder).iterdir() if p.suffix.lower() in {".png", ".jpg", ".bmp", ".tif"})
    if max_images:
        paths = paths[:max_images]
    if not paths:
        raise RestorationError(f"no training images in {folder}")
    mode = "gray" if channels == 1 else "rgb"
    return [load_image(p, mode=mode) for p in paths]


def _sample_batch(images: list[np.ndarray], cfg: TrainConfig, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """Random patches with flips/rotations, and a noise level per patch, uniform in [0, sigma_max]."""
    p = cfg.patch
    batch = np.empty((cfg.batch, cfg.channels, p, p), np.float32)
    for i in range(cfg.batch):
        img = images[int(rng.integers(len(images)))]
        h, w = img.shape[:2]
        y, x = int(rng.integers(0, h - p + 1)), int(rng.integers(0, w - p + 1))
        patch = img[y : y + p, x : x + p]
        patch = np.rot90(patch, int(rng.integers(4)))
        if rng.random() < 0.5:
            patch = patch[:, ::-1]
        batch[i] = patch[None] if patch.ndim == 2 else np.transpose(patch, (2, 0, 1))
    sigma = rng.uniform(0.0, cfg.sigma_max, size=(cfg.batch, 1, 1, 1)).astype(np.float32) / 255.0
    noise = rng.standard_normal(batch.shape).astype(np.float32) * sigma
    return batch, batch + noise, sigma


def _validate(model: Any, images: list[np.ndarray], sigma: float, channels: int) -> float:
    """Mean PSNR on the validation images at one noise level (noise seeded, not clipped)."""
    import torch

    from .inference import denoise_array

    psnrs = []
    rng = np.random.default_rng(12345)
    for img in images:
        noisy = (img + rng.standard_normal(img.shape) * sigma / 255.0).astype(np.float32)
        out = denoise_array(model, noisy, sigma, channels=channels)
        mse = float(np.mean((np.clip(out, 0, 1).astype(np.float64) - img) ** 2))
        psnrs.append(10 * math.log10(1.0 / mse))
    torch.set_grad_enabled(True)
    return float(np.mean(psnrs))


def _sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def _update_manifest(out_dir: Path, name: str, entry: dict[str, Any]) -> None:
    manifest_path = out_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    manifest[name] = entry
    manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def train(cfg: TrainConfig, command: str = "") -> dict[str, Any]:
    """Train a model as configured; returns the manifest entry of the best weights.

    Resumes from ``checkpoint_dir/out.ckpt`` when it exists and ``cfg.resume`` is set.
    """
    import torch
    from tqdm import tqdm

    from .archs import build

    if cfg.task != "denoise":
        raise RestorationError(f"training task {cfg.task!r} is not available yet (available: denoise)")
    torch.manual_seed(cfg.seed)
    torch.set_flush_denormal(True)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)

    images = _load_folder(cfg.data, cfg.channels, cfg.max_images)
    if min(min(i.shape[:2]) for i in images) < cfg.patch:
        raise RestorationError(f"training images must be at least {cfg.patch} px on each side")
    val_images = _load_folder(cfg.val, cfg.channels) if cfg.val else []

    arch_args = {"channels": cfg.channels, "features": cfg.features, "blocks": cfg.blocks}
    model = build("AttentionDenoiser", **arch_args).to(memory_format=torch.channels_last)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    out_dir, ckpt_dir = Path(cfg.out_dir), Path(cfg.checkpoint_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ckpt_dir.mkdir(parents=True, exist_ok=True)
    ckpt_path = ckpt_dir / f"{cfg.out}.ckpt"
    rng = np.random.default_rng(cfg.seed)
    step, best, history = 0, -math.inf, []
    if cfg.resume and ckpt_path.exists():
        state = torch.load(ckpt_path, weights_only=False)  # our own checkpoint, never a user's file
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        step, best, history = state["step"], state["best"], state["history"]
        rng.bit_generator.state = state["rng"]
        torch.set_rng_state(state["torch_rng"])

    def lr_at(s: int) -> float:
        return cfg.lr_min + 0.5 * (cfg.lr - cfg.lr_min) * (1 + math.cos(math.pi * min(s, cfg.steps) / cfg.steps))

    def save_checkpoint() -> None:
        tmp = ckpt_path.with_suffix(".tmp")
        torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "step": step, "best": best,
                    "history": history, "rng": rng.bit_generator.state, "torch_rng": torch.get_rng_state(),
                    "config": cfg.__dict__}, tmp)
        tmp.replace(ckpt_path)

    entry: dict[str, Any] = {}
    start_step, started = step, time.time()
    bar = tqdm(total=cfg.steps, initial=step, desc=f"train {cfg.out}", unit="step", file=sys.stderr,
               dynamic_ncols=True)
    model.train()
    while step < cfg.steps:
        clean, noisy, sigma = _sample_batch(images, cfg, rng)
        clean_t = torch.from_numpy(clean).to(memory_format=torch.channels_last)
        noisy_t = torch.from_numpy(noisy).to(memory_format=torch.channels_last)
        sigma_t = torch.from_numpy(sigma).expand(-1, 1, cfg.patch // 2, cfg.patch // 2)
        for group in opt.param_groups:
            group["lr"] = lr_at(step)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=cfg.bf16):
            out = model(noisy_t, sigma_t)
        loss = torch.mean((out.float() - clean_t) ** 2)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        bar.update(1)
        bar.set_postfix(loss=f"{loss.item() * 255**2:.2f}", lr=f"{lr_at(step):.1e}", best=f"{best:.2f}")
        if step % cfg.val_every == 0 or step == cfg.steps:
            model.eval()
            with torch.no_grad():
                score = _validate(model, val_images, cfg.val_sigma, cfg.channels) if val_images else -float(loss)
            model.train()
            minutes = round((time.time() - started) / 60, 2)
            history.append({"step": step, "val_psnr": round(score, 4), "minutes": minutes})
            tqdm.write(f"step {step}: validation PSNR {score:.3f} dB (sigma {cfg.val_sigma:g})", file=sys.stderr)
            if score > best:
                best = score
                weights_path = out_dir / f"{cfg.out}.pt"
                torch.save({k: v.float().contiguous() for k, v in model.state_dict().items()}, weights_path)
                entry = {
                    "file": weights_path.name,
                    "sha256": _sha256(weights_path),
                    "arch": "AttentionDenoiser",
                    "arch_args": arch_args,
                    "task": cfg.task,
                    "data": Path(cfg.data).name,
                    "steps": step,
                    "batch": cfg.batch,
                    "patch": cfg.patch,
                    "sigma_range": [0, cfg.sigma_max],
                    "validation": {"set": Path(cfg.val).name if cfg.val else None, "sigma": cfg.val_sigma,
                                   "psnr": round(best, 4)},
                    "parameters": sum(p.numel() for p in model.parameters()),
                    "command": command,
                }
                _update_manifest(out_dir, cfg.out, entry)
            save_checkpoint()
        if cfg.stop_after and step - start_step >= cfg.stop_after:
            save_checkpoint()
            break
    bar.close()
    return entry


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Add the ``train`` command's options to a parser."""
    d = TrainConfig(task="denoise", data="", out="")
    p.add_argument("--task", required=True, choices=["denoise"], help="what to train")
    p.add_argument("--data", required=True, help="folder of clean training images")
    p.add_argument("--val", help="folder of validation images (PSNR logged at every validation)")
    p.add_argument("--out", required=True, help="model name (weights file and manifest key)")
    p.add_argument("--out-dir", default=d.out_dir)
    p.add_argument("--checkpoint-dir", default=d.checkpoint_dir)
    p.add_argument("--channels", type=int, default=d.channels, choices=[1, 3])
    p.add_argument("--features", type=int, default=d.features)
    p.add_argument("--blocks", type=int, default=d.blocks)
    p.add_argument("--steps", type=int, default=d.steps, help="total optimisation steps (cosine schedule)")
    p.add_argument("--batch", type=int, default=d.batch)
    p.add_argument("--patch", type=int, default=d.patch)
    p.add_argument("--lr", type=float, default=d.lr)
    p.add_argument("--sigma-max", type=float, default=d.sigma_max)
    p.add_argument("--val-sigma", type=float, default=d.val_sigma)
    p.add_argument("--val-every", type=int, default=d.val_every)
    p.add_argument("--seed", type=int, default=d.seed)
    p.add_argument("--no-bf16", dest="bf16", action="store_false", help="train in float32")
    p.add_argument("--threads", type=int, default=d.threads, help="torch threads (0: torch's default)")
    p.add_argument("--no-resume", dest="resume", action="store_false")
    p.add_argument("--max-images", type=int, default=0, help="use only the first N training images")
    p.add_argument("--stop-after", type=int, default=0, help="stop (resumably) after N steps in this run")


def run_from_args(args: argparse.Namespace, argv: Sequence[str]) -> int:
    """Entry point used by ``python -m restoration train``."""
    fields = TrainConfig.__dataclass_fields__
    cfg = TrainConfig(**{k: v for k, v in vars(args).items() if k in fields})
    # The reproducing command: drop the options that only shape one session of a resumable run.
    kept, skip = [], False
    for a in argv:
        if skip:
            skip = False
            continue
        if a in ("--stop-after", "--threads"):
            skip = True
            continue
        if a.startswith(("--stop-after=", "--threads=")):
            continue
        kept.append(a)
    command = "python -m restoration " + " ".join(shlex.quote(a) for a in kept)
    entry = train(cfg, command=command)
    print(json.dumps(entry, indent=2))
    return 0
