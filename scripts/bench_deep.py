"""Benchmark the deep methods and write docs/benchmarks/deep.md (raw figures in deep.json).

Usage::

    python scripts/bench_deep.py [--datasets ../shared/datasets] [--only denoise,sr,combined,deblur,speed,speed_avx2]

Measures, with the shipped weights and the registry defaults (what a user gets):

* ``denoise`` -- ``cnn_denoise`` on Set12 (gray) and on Kodak24 (colour) at sigma 15/25/50, noise not
  clipped, PSNR on all pixels, next to the published BM3D / DnCNN / FFDNet numbers (with their source);
* ``sr`` -- ``cnn_sr`` on Set5 at x2/x3/x4: PSNR/SSIM on the Y channel with ``scale`` pixels cropped from
  each border (the literature's convention), next to bicubic and the published SRCNN / ESPCN / FSRCNN / VDSR;
* ``combined`` -- the survey's degradation (the app's "combined" preset) on Kodak24 and on the gallery
  (per category, as the survey's Table 4): ``cnn_combined`` against ``classic_chain`` (our strongest
  classic pipeline), ``bm3d_bicubic`` (the survey's kind of traditional baseline: BM3D, then bicubic
  enlargement), bicubic and the degraded input (enlarged by pixel repetition); PSNR/SSIM on RGB, whole image;
* ``deblur`` -- ``pnp`` on Set12 with a 9-pixel motion blur (angle 30) and sigma 2.55 noise, against
  ``tv_deconv`` and ``wiener_deconv``;
* ``speed`` -- run times (median of 5 rounds that take each case in turn, after a warm-up) on 512x512
  inputs/outputs, deep methods in float32 and, where the CPU executes it natively, bfloat16; BM3D and the
  classic chain beside them; the weights' size;
* ``speed_avx2`` -- the same cases in a child process whose libraries are capped at AVX2 (PyTorch's ATen,
  oneDNN and MKL, OpenBLAS, NumPy; :data:`AVX2_CAP`): an AVX2-only CPU, the issue's reference for the speed
  bars, emulated on a newer one. Only the instruction set changes, not the cores, clocks or caches.

Every section is stamped with the date, the commit, the CPU (model, the instruction-set flags that decide
precision and speed) and the load average. The table of shipped weights says which image set chose each
checkpoint: numbers on that same set are not an independent evaluation.

Each section's figures are stored in ``deep.json``; ``--only`` re-measures some sections and keeps the
others, and the report is always rendered from all of them. The datasets are read from
``../shared/datasets`` and never copied into the repository.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from restoration import degrade, psnr, run_algorithm, ssim
from restoration.degradations import PRESETS
from restoration.gallery import CATEGORIES, list_gallery
from restoration.images import load_image
from restoration.provenance import git_commit

ROOT = Path(__file__).resolve().parents[1]

SECTIONS = ("denoise", "sr", "combined", "deblur", "speed", "speed_avx2")
#: Environment capping each library the speed cases use at AVX2 (NumPy's AVX-512 targets are added by
#: :func:`avx2_env`, from the targets this NumPy build dispatches to).
AVX2_CAP = {"ATEN_CPU_CAPABILITY": "avx2", "ONEDNN_MAX_CPU_ISA": "AVX2", "MKL_ENABLE_INSTRUCTIONS": "AVX2",
            "OPENBLAS_CORETYPE": "Haswell"}
SPEED_ROUNDS = 5  # timed runs of each speed case, interleaved
PUBLISHED_SET12 = {  # mean PSNR (dB) at sigma 15 / 25 / 50, from ../shared/datasets/README.md
    "BM3D": (32.37, 29.97, 26.72),
    "DnCNN-S": (32.86, 30.44, 27.18),
    "FFDNet": (32.75, 30.43, 27.32),
}
#: Kodak24 (colour, full size) at sigma 15 / 25 / 50 (None: not given by the source), from
#: ../shared/datasets/README.md. CBM3D's 25 is 31.68 in the FFDNet paper's protocol (its Kodak24 is the
#: centre 500x500 crop); 32.15 elsewhere.
PUBLISHED_KODAK = {
    "CBM3D": (None, 32.15, 28.46),
    "CDnCNN": (None, 32.14, 28.95),
    "FFDNet": (None, 32.13, 28.98),
    "DRUNet (32.6M params)": (None, 32.89, 29.86),
}
#: The sets this report quotes for each model (the one that chose a checkpoint is not an evaluation of it).
QUOTED = {"cnn_denoise_gray": ("Set12",), "cnn_denoise_color": ("Kodak24",), "cnn_sr": ("Set5",),
          "cnn_combined": ("Kodak24", "the gallery")}
PUBLISHED_SET5 = {  # Y channel, crop = scale; x2 / x3 / x4
    "bicubic": (33.66, 30.39, 28.42),
    "SRCNN": (36.66, 32.75, 30.48),
    "ESPCN": (None, 33.13, 30.90),
    "FSRCNN": (37.00, 33.06, 30.70),
    "VDSR": (37.53, 33.66, 31.35),
}
COMBINED = PRESETS["combined"].spec
COMBINED_METHODS = ("identity", "bicubic", "bm3d_bicubic", "classic_chain", "cnn_combined")
DEBLUR = "motion_blur(length=9, angle=30) | gaussian_noise(sigma=2.55)"


def _folder(datasets: Path, name: str, mode: str) -> list[tuple[str, np.ndarray]]:
    folder = datasets / name
    if not folder.is_dir():
        raise SystemExit(f"{folder} not found: the deep benchmark needs ../shared/datasets")
    return [(p.stem, load_image(p, mode=mode)) for p in sorted(folder.iterdir()) if p.suffix.lower() in
            {".png", ".bmp", ".jpg", ".tif"}]


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _mean(values: list[float]) -> float:
    return float(np.mean(values))


def bench_denoise(datasets: Path, log: Callable[[str], None]) -> dict:
    out: dict = {"set12": {}, "kodak24": {}}
    for sigma in (15, 25, 50):
        scores: dict[str, list[float]] = {"degraded": [], "cnn_denoise": []}
        for _, img in _folder(datasets, "Set12", "gray"):
            obs = degrade(img, f"gaussian_noise(sigma={sigma}, clip=false)", seed=0)
            scores["degraded"].append(psnr(obs.clean, np.clip(obs.degraded, 0, 1)))
            scores["cnn_denoise"].append(psnr(obs.clean, run_algorithm("cnn_denoise", obs)))
        out["set12"][str(sigma)] = {k: _mean(v) for k, v in scores.items()}
        log(f"denoise Set12 sigma {sigma}: {out['set12'][str(sigma)]}")
    kodak = _folder(datasets, "Kodak24", "rgb")
    for sigma in (15, 25, 50):
        scores = {"degraded": [], "cnn_denoise": []}
        for _, img in kodak:
            obs = degrade(img, f"gaussian_noise(sigma={sigma}, clip=false)", seed=0)
            scores["degraded"].append(psnr(obs.clean, np.clip(obs.degraded, 0, 1)))
            scores["cnn_denoise"].append(psnr(obs.clean, run_algorithm("cnn_denoise", obs)))
        out["kodak24"][str(sigma)] = {k: _mean(v) for k, v in scores.items()}
        log(f"denoise Kodak24 sigma {sigma}: {out['kodak24'][str(sigma)]}")
    return out


def bench_sr(datasets: Path, log: Callable[[str], None]) -> dict:
    out: dict = {}
    images = _folder(datasets, "Set5", "rgb")
    for scale in (2, 3, 4):
        scores: dict[str, list[tuple[float, float]]] = {"bicubic": [], "cnn_sr": []}
        for _, img in images:
            obs = degrade(img, f"downsample(scale={scale})", seed=0)
            for method in scores:
                est = run_algorithm(method, obs)
                scores[method].append((psnr(obs.clean, est, y_channel=True, crop_border=scale),
                                       ssim(obs.clean, est, y_channel=True, crop_border=scale)))
        out[str(scale)] = {m: [_mean([p for p, _ in v]), _mean([q for _, q in v])] for m, v in scores.items()}
        log(f"sr x{scale}: {out[str(scale)]}")
    return out


def bench_combined(datasets: Path, log: Callable[[str], None]) -> dict:
    from restoration.registry import REGISTRY

    methods = tuple(m for m in COMBINED_METHODS if m in REGISTRY)
    out: dict = {}

    def run_set(items: list[tuple[str, str, np.ndarray]]) -> dict:
        rows: dict[str, dict[str, list[tuple[float, float]]]] = {}
        for i, (key, category, img) in enumerate(items):
            obs = degrade(img, COMBINED, seed=i)
            for m in methods:
                est = run_algorithm(m, obs)
                rows.setdefault(category, {}).setdefault(m, []).append((psnr(obs.clean, est), ssim(obs.clean, est)))
            log(f"  combined {key}: " + ", ".join(f"{m} {rows[category][m][-1][0]:.2f}" for m in methods))
        merged: dict[str, list[tuple[float, float]]] = {}
        for per in rows.values():
            for m, v in per.items():
                merged.setdefault(m, []).extend(v)
        rows["all"] = merged
        return {c: {m: [_mean([p for p, _ in v]), _mean([q for _, q in v]), len(v)] for m, v in per.items()}
                for c, per in rows.items()}

    out["kodak24"] = run_set([(k, "all", img) for k, img in _folder(datasets, "Kodak24", "rgb")])["all"]
    out["gallery"] = run_set([(g.key, g.category, g.load()) for g in list_gallery()])
    return out


def bench_deblur(datasets: Path, log: Callable[[str], None]) -> dict:
    scores: dict[str, list[float]] = {m: [] for m in ("degraded", "wiener_deconv", "tv_deconv", "pnp")}
    for _, img in _folder(datasets, "Set12", "gray"):
        obs = degrade(img, DEBLUR, seed=0)
        scores["degraded"].append(psnr(obs.clean, np.clip(obs.degraded, 0, 1)))
        for method in ("wiener_deconv", "tv_deconv", "pnp"):
            scores[method].append(psnr(obs.clean, run_algorithm(method, obs)))
    out = {k: _mean(v) for k, v in scores.items()}
    log(f"deblur: {out}")
    return out


def bench_speed(datasets: Path, log: Callable[[str], None]) -> dict:
    from restoration.deep.precision import bf16_native
    from restoration.registry import REGISTRY

    kodak = _folder(datasets, "Kodak24", "rgb")[0][1]
    colour = kodak[:512, :512]
    gray = _folder(datasets, "Set12", "gray")[-1][1][:512, :512]
    native = bf16_native()
    precisions = [("float32", {"bf16": False})] + ([("bf16", {"bf16": True})] if native else [])
    cases: list[tuple[str, str, np.ndarray, str, dict]] = []
    for label, params in precisions:
        cases += [("cnn_denoise", f"512x512 gray, {label}", gray, "gaussian_noise(sigma=25)", params),
                  ("cnn_denoise", f"512x512 colour, {label}", colour, "gaussian_noise(sigma=25)", params),
                  ("cnn_combined", f"combined to 512x512 colour, {label}", colour, COMBINED, params)]
    cases += [
        ("bm3d", "512x512 colour", colour, "gaussian_noise(sigma=25)", {}),
        ("cnn_sr", "x2 to 512x512 colour", colour, "downsample(scale=2)", {}),
        ("cnn_sr", "x4 to 512x512 colour", colour, "downsample(scale=4)", {}),
        ("classic_chain", "combined to 512x512 colour", colour, COMBINED, {}),
        ("bm3d_bicubic", "combined to 512x512 colour", colour, COMBINED, {}),
        ("pnp", "deblur 512x512 gray (default precision)", gray, DEBLUR, {}),
        ("pnp", "deblur 512x512 colour (default precision)", colour, DEBLUR, {}),
        ("tv_deconv", "deblur 512x512 colour", colour, DEBLUR, {}),
    ]
    out: dict = {"times": [], "load": None, "bf16_native": native, "rounds": SPEED_ROUNDS}
    runs = []
    for method, label, img, spec, params in cases:
        if method not in REGISTRY:
            continue
        obs = degrade(img, spec, seed=0)
        run_algorithm(method, obs, params)  # warm-up: loads the model
        runs.append((method, label, lambda obs=obs, method=method, params=params: run_algorithm(method, obs, params)))
    # Interleaved rounds: a slow drift of the machine (load, clocks) reaches every method alike, so the
    # ratios the bars ask for are steadier than with each method's runs back to back.
    seconds: list[list[float]] = [[] for _ in runs]
    for _ in range(SPEED_ROUNDS):
        for i, (_, _, fn) in enumerate(runs):
            seconds[i].append(_timed(fn))
    for (method, label, _), secs in zip(runs, seconds, strict=True):
        out["times"].append([method, label, float(np.median(secs)), min(secs)])
        log(f"speed {method} {label}: median {np.median(secs):.3f} s, min {min(secs):.3f} s")
    out["load"] = os.getloadavg()[0]
    out["weights_mb"] = sum(p.stat().st_size for p in (ROOT / "assets" / "weights").glob("*.pt")) / 2**20
    return out


def avx2_env() -> dict[str, str]:
    """:data:`AVX2_CAP` plus ``NPY_DISABLE_CPU_FEATURES`` naming this NumPy's targets beyond AVX2."""
    from numpy._core._multiarray_umath import __cpu_dispatch__

    beyond = [f for f in __cpu_dispatch__ if f.startswith(("AVX512", "AVX10")) or f == "X86_V4"]
    return {**AVX2_CAP, "NPY_DISABLE_CPU_FEATURES": " ".join(beyond)}


def bench_speed_avx2(datasets: Path, log: Callable[[str], None]) -> dict:
    """The speed section in a child process capped at AVX2 (see the module docstring)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "speed.json"
        subprocess.run([sys.executable, str(Path(__file__).resolve()), "--datasets", str(datasets),
                        "--capped-speed-to", str(out)], env={**os.environ, **avx2_env()}, check=True)
        return json.loads(out.read_text())


def _capped_speed(datasets: Path, out: Path, log: Callable[[str], None]) -> None:
    """The child of :func:`bench_speed_avx2`: refuses to measure unless the cap took effect."""
    import torch
    from numpy._core._multiarray_umath import __cpu_features__

    from restoration.deep.precision import bf16_native

    if torch.backends.cpu.get_cpu_capability() != "AVX2" or __cpu_features__.get("X86_V4") or bf16_native():
        raise SystemExit("the AVX2 cap did not take effect (ATen "
                         f"{torch.backends.cpu.get_cpu_capability()}, NumPy AVX-512 "
                         f"{bool(__cpu_features__.get('X86_V4'))}, native bf16 {bf16_native()})")
    data = bench_speed(datasets, log)
    data["machine"] = machine()
    out.write_text(json.dumps(data))


def machine() -> str:
    """The CPU, the flags that decide precision and speed, the commit and the load, in one line."""

    import torch

    from restoration.deep.precision import bf16_native, cpu_flags, cpu_model, isa_cap

    model = cpu_model()
    flags = sorted(f for f in (cpu_flags() or ()) if f.startswith(("avx", "amx", "fma")))
    commit = git_commit(ROOT)
    cap = isa_cap()
    caps = [k for k in avx2_env() if os.environ.get(k)]  # the caps actually set, whoever set them
    capped = f", instruction set capped at {cap} ({', '.join(caps)})" if cap else ""
    return (f"{model}, {os.cpu_count()} cores, torch {torch.__version__} ({torch.backends.cpu.get_cpu_capability()}, "
            f"native bf16: {'yes' if bf16_native() else 'no'}), flags {' '.join(flags) or 'unknown'}{capped}; "
            f"commit {commit}; load average {os.getloadavg()[0]:.1f} at the end")


def _f(v: float | None) -> str:
    return "—" if v is None else f"{v:.2f}"


def _steps(info: dict) -> str:
    """Training steps, with those of the weights a run continued first (``a + b``)."""
    chain, init = [info["steps"]], info.get("init")
    while isinstance(init, dict) and init.get("steps") is not None:
        chain.insert(0, init["steps"])
        init = init.get("init")
    return " + ".join(str(n) for n in chain)


def render(res: dict, manifest: dict) -> list[str]:
    lines = ["# Deep methods: cnn_denoise, cnn_sr, cnn_combined and pnp", ""]
    lines.append("Generated by `python scripts/bench_deep.py` (sections re-measured with `--only`; each section "
                 "says when and on what it ran). Datasets from `../shared/datasets` (never in the repository). "
                 "Shipped weights, from `assets/weights/manifest.json`:")
    lines += ["", "| model | architecture | parameters | training data | steps | trained on | "
              "validation during training (chose the checkpoint) |", "|---|---|---|---|---|---|---|"]
    for name, info in manifest.items():
        v = info.get("validation", {})
        setting = v.get("setting") or (f"sigma {v['sigma']:g}" if "sigma" in v else "")
        args = ", ".join(f"{k}={val}" for k, val in info["arch_args"].items())
        where = info.get("trained_on", {})
        device = f"{where.get('device', 'cpu')}, {where.get('precision', '')}".strip(", ") if where else "cpu"
        lines.append(f"| `{name}` | {info['arch']}({args}) | {info['parameters']:,} | {info['data']} | "
                     f"{_steps(info)} | {device} | {v.get('psnr')} dB on {v.get('set')} ({setting}) |")
    lines += ["", "**Which set chose what.** A checkpoint is the best validation score of its run, so the "
              "validation set *selects* it. "]
    for name, info in manifest.items():
        chosen = str(info.get("validation", {}).get("set"))
        quoted = QUOTED.get(name, ())
        if chosen in quoted:
            lines[-1] += (f"`{name}` was chosen on {chosen}, which this report also quotes for it: those numbers "
                          "are not an independent evaluation. ")
        else:
            where = f" (it is reported on {', '.join(quoted)})" if quoted else ""
            lines[-1] += f"`{name}` was chosen on {chosen}, which no table below reports for it{where}. "
    lines[-1] = lines[-1].rstrip()
    lines += ["", "The exact training commands are in the manifest (`command`; for weights that continue others, "
              "`init` holds the command to run first). Steps `a + b`: `a` steps of the run continued, then `b`."]
    for name, info in manifest.items():
        if info.get("page_fonts"):
            lines[-1] += (f" `{name}`'s synthetic pages were drawn with {len(info['page_fonts'])} fonts (`page_fonts` "
                          "in the manifest): its validation score holds for pages drawn with those.")
        if info.get("stored_as", "float32") != "float32":
            lines[-1] += f" `{name}`'s weights are stored in {info['stored_as']} and computed in float32."
    if "cnn_combined" not in manifest:
        lines.append("`cnn_combined` is not shipped yet: a blind network trained 1,000 steps here was barely better "
                     "than bicubic on the combined task, far from `classic_chain` (see the issue notes).")
    lines.append("")
    for section in SECTIONS:
        if section not in res:
            continue
        r, meta = res[section]["data"], res[section]["meta"]
        stamp = f"_Measured {meta['when']} in {meta['seconds']:.0f} s on {meta['machine']}._"
        if section == "denoise":
            lines += ["## Denoising (`cnn_denoise`), Gaussian noise not clipped, PSNR (dB) on all pixels", "",
                      stamp, "", "Set12 (gray):", "",
                      "| sigma | degraded | cnn_denoise (ours) | BM3D (published) | DnCNN-S (published) | "
                      "FFDNet (published) |", "|---|---|---|---|---|---|"]
            for i, sigma in enumerate(("15", "25", "50")):
                if sigma in r["set12"]:
                    v = r["set12"][sigma]
                    lines.append(f"| {sigma} | {v['degraded']:.2f} | **{v['cnn_denoise']:.2f}** | "
                                 + " | ".join(f"{PUBLISHED_SET12[k][i]:.2f}" for k in PUBLISHED_SET12) + " |")
            if r.get("kodak24"):
                lines += ["", "Kodak24 (colour, full size 768x512, RGB):", "",
                          "| sigma | degraded | cnn_denoise (ours) | " + " | ".join(f"{k} (published)" for k in
                                                                                  PUBLISHED_KODAK) + " |",
                          "|---|---|---|" + "---|" * len(PUBLISHED_KODAK)]
                for i, sigma in enumerate(("15", "25", "50")):
                    if sigma in r["kodak24"]:
                        v = r["kodak24"][sigma]
                        lines.append(f"| {sigma} | {v['degraded']:.2f} | **{v['cnn_denoise']:.2f}** | "
                                     + " | ".join(_f(PUBLISHED_KODAK[k][i]) for k in PUBLISHED_KODAK) + " |")
                lines += ["", "Published figures from `../shared/datasets/README.md` (RGB PSNR, full-size Kodak24, "
                          "noise not clipped); CBM3D at sigma 25 is 31.68 in the FFDNet paper's protocol, whose "
                          "Kodak24 is the centre 500x500 crop; — where the source gives none."]
            colour = "cnn_denoise_color" in manifest
            lines += ["", "Colour images use " + ("the colour model `cnn_denoise_color` (RGB in, RGB out, one pass "
                      "with the noise-level map), trained from scratch on CBSD432 minus its held-out split." if colour
                      else "the gray model on the three channels of an orthonormal opponent-colour transform, in "
                      "one batch. No colour model is shipped yet."),
                      "Precision is the registry default: bfloat16 where the CPU executes it natively, float32 "
                      "elsewhere (see the speed section).", ""]
        elif section == "sr":
            lines += ["## Super-resolution (`cnn_sr`), Set5, Y channel, border crop = scale, PSNR (dB) / SSIM", "",
                      stamp, "",
                      "Bicubic degradation of the modcropped image by our MATLAB-compatible `imresize` (float, the LR "
                      "image is not rounded to 8 bits as MATLAB's uint8 pipeline does; see classic_more.md for the "
                      "size of that effect, about 0.02 dB on bicubic).", "",
                      "| scale | bicubic (ours) | **cnn_sr (ours)** | " + " | ".join(f"{k} (published)" for k in
                                                                                PUBLISHED_SET5) + " |",
                      "|---|---|---|" + "---|" * len(PUBLISHED_SET5)]
            for i, scale in enumerate(("2", "3", "4")):
                if scale in r:
                    v = r[scale]
                    lines.append(f"| x{scale} | {v['bicubic'][0]:.2f} / {v['bicubic'][1]:.4f} | "
                                 f"**{v['cnn_sr'][0]:.2f} / {v['cnn_sr'][1]:.4f}** | "
                                 + " | ".join(_f(PUBLISHED_SET5[k][i]) for k in PUBLISHED_SET5) + " |")
            lines.append("")
        elif section == "combined":
            lines += [f"## Combined degradation (`{COMBINED}`), PSNR (dB) / SSIM on RGB, whole image", "", stamp, "",
                      "Seeded per image (seed = index). `identity` is the degraded input enlarged by pixel "
                      "repetition. `classic_chain` is BM3D then TV super-resolution with the known kernel; "
                      "`bm3d_bicubic` is the survey's kind of traditional baseline (its Table 3 compares with "
                      "\"a traditional method, e.g. BM3D\"): BM3D on the small image, then bicubic enlargement; it "
                      "cannot undo the blur. "
                      "`cnn_combined` is the unfolded network (exact data steps with the known kernel and a learned "
                      "prior, trained end to end), told the kernel and the noise level like the chain. All use the "
                      "registry defaults.", ""]
            methods = COMBINED_METHODS
            lines += ["| set / category | images | " + " | ".join(methods) + " | gain over classic_chain |",
                      "|---|---|" + "---|" * (len(methods) + 1)]

            def row(label: str, per: dict) -> str:
                cells = " | ".join(f"{per[m][0]:.2f} / {per[m][1]:.3f}" if m in per else "—" for m in COMBINED_METHODS)
                gain = per["cnn_combined"][0] - per["classic_chain"][0] if "cnn_combined" in per else None
                shown = "—" if gain is None else f"{gain:+.2f} dB"
                return f"| {label} | {per['identity'][2]} | {cells} | {shown} |"

            lines.append(row("Kodak24", r["kodak24"]))
            for cat in (*CATEGORIES, "all"):
                if cat in r["gallery"]:
                    lines.append(row(f"gallery: {cat}", r["gallery"][cat]))
            gains = [per["cnn_combined"][0] - per["classic_chain"][0]
                     for per in (r["kodak24"], r["gallery"].get("all", {})) if "cnn_combined" in per]
            if gains:
                verdict = "meets" if min(gains) >= 1.0 else "does not meet"
                lines += ["", f"The project's bar (issue 12) is +1.0 dB over `classic_chain` on Kodak24 and on the "
                          f"gallery: `cnn_combined` {verdict} it (gain {min(gains):+.2f} dB at worst). "
                          "The survey's own comparison (Table 3: 22.56 vs 30.28 dB) used \"a traditional method "
                          "(e.g. BM3D)\"; `bm3d_bicubic` is that kind of baseline, `classic_chain` our strongest "
                          "classic pipeline (BM3D, then TV super-resolution with the known kernel)."]
                sb = r["kodak24"].get("bm3d_bicubic")
                if sb and "cnn_combined" in r["kodak24"]:
                    lines[-1] += (f" Over `bm3d_bicubic` the gain on Kodak24 is "
                                  f"{r['kodak24']['cnn_combined'][0] - sb[0]:+.2f} dB.")
            lines.append("")
        elif section == "deblur":
            lines += [f"## Deblurring, Set12, `{DEBLUR}` (mirror boundary), PSNR (dB)", "", stamp, "",
                      "| degraded | wiener_deconv | tv_deconv | pnp (CNN prior, defaults) |", "|---|---|---|---|",
                      f"| {r['degraded']:.2f} | {r['wiener_deconv']:.2f} | {r['tv_deconv']:.2f} | "
                      f"**{r['pnp']:.2f}** |", ""]
        elif section in ("speed", "speed_avx2"):
            if section == "speed":
                lines += [f"## Speed (seconds: median and fastest of {r['rounds']} rounds, each round timing every "
                          "case in turn, after a warm-up that loads the model)", "", stamp, ""]
            else:
                lines += ["## Speed on an AVX2-only CPU, emulated (the same cases, the instruction set capped at "
                          "AVX2)", "", stamp, "",
                          "The issue's speed bars are set for float32 on an AVX2-only CPU. This section runs the "
                          "cases above in a process whose libraries may not use anything beyond AVX2 (PyTorch's "
                          "ATen, oneDNN and MKL, OpenBLAS and NumPy; the script checks that the cap took effect), "
                          "so bf16 is emulated there and the registry default is float32. Only the instruction set "
                          "is an AVX2 CPU's: the cores, clocks, caches and memory are this machine's.", ""]
            lines += ["| method | input | median s | fastest s |", "|---|---|---|---|"]
            lines += [f"| {m} | {label} | {med:.2f} | {fast:.2f} |" for m, label, med, fast in r["times"]]
            times = {(m, label): med for m, label, med, _ in r["times"]}  # the bars use the median
            bm3d = times.get(("bm3d", "512x512 colour"))
            chain = times.get(("classic_chain", "combined to 512x512 colour"))
            default = "bf16" if r.get("bf16_native") else "float32"
            notes = []
            for prec in ("float32", "bf16"):
                den = times.get(("cnn_denoise", f"512x512 colour, {prec}"))
                comb = times.get(("cnn_combined", f"combined to 512x512 colour, {prec}"))
                if den and bm3d:
                    notes.append(f"`cnn_denoise` colour in {prec} takes {den / bm3d:.2f} x the time of `bm3d` "
                                 "(bar: at most 0.15 x)")
                if comb and chain:
                    notes.append(f"`cnn_combined` in {prec} takes {comb / chain:.2f} x the time of `classic_chain` "
                                 "(bar: at most 1 x)")
            pnp = times.get(("pnp", "deblur 512x512 colour (default precision)"))
            if pnp and bm3d:
                notes.append(f"`pnp` colour deblurring ({default}) takes {pnp / bm3d:.2f} x the time of `bm3d` "
                             "(bar: at most 1 x)")
            if notes:
                where = "On this CPU" if section == "speed" else "Under the AVX2 cap"
                lines += ["", f"{where} the registry default precision is {default}. " + "; ".join(notes) + "."]
            if section == "speed":
                lines += ["", f"Shipped weights in total: {r['weights_mb']:.1f} MB."]
            lines.append("")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default=str(ROOT.parent / "shared" / "datasets"))
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks" / "deep.md"))
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections to (re-)measure")
    parser.add_argument("--capped-speed-to", help=argparse.SUPPRESS)  # the child of the speed_avx2 section
    args = parser.parse_args()
    datasets, out = Path(args.datasets), Path(args.out)
    if args.capped_speed_to:
        _capped_speed(datasets, Path(args.capped_speed_to), lambda msg: print(msg, file=sys.stderr, flush=True))
        return 0
    raw_path = out.with_suffix(".json")
    res = json.loads(raw_path.read_text()) if raw_path.exists() else {}
    funcs = {"denoise": bench_denoise, "sr": bench_sr, "combined": bench_combined, "deblur": bench_deblur,
             "speed": bench_speed, "speed_avx2": bench_speed_avx2}
    for section in [s.strip() for s in args.only.split(",") if s.strip()]:
        if section not in funcs:
            raise SystemExit(f"unknown section {section!r}; choose from {', '.join(SECTIONS)}")
        started = time.time()
        data = funcs[section](datasets, lambda msg: print(msg, file=sys.stderr, flush=True))
        res[section] = {"data": data, "meta": {
            "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "seconds": time.time() - started,
            "machine": data.pop("machine", None) or machine()}}  # a capped child's own description
        raw_path.write_text(json.dumps(res, indent=1) + "\n")
    manifest = json.loads((ROOT / "assets" / "weights" / "manifest.json").read_text())
    lines = render(res, manifest)
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
