"""Fit the NIQE natural-scene model and validate it; writes restoration/data/niqe_model.npz and
docs/benchmarks/quality.md (raw figures in quality.json).

Usage::

    python scripts/fit_niqe.py [--datasets ../shared/datasets] [--validate-only]

* **Fit** on CBSD432 (clean natural photos, 481x321) minus the 32 images every training run of this project holds
  out (:func:`restoration.deep.train.held_out`): the sharpest 96x96 patches of each photo, 36 features each, one
  multivariate Gaussian. Only its means and covariance are stored (a few kilobytes), with this command, the date,
  the commit and the image and patch counts; no image leaves ``../shared/datasets``.
* **Validate** on images the model never saw: Kodak24 (24 photos, 768x512) and the 32 held-out CBSD432 photos.
  NIQE must rise with the noise level (Gaussian sigma 0, 10, 25, 50, clipped to [0, 1] as a saved photo
  would be) and with blur (Gaussian blur sigma 0, 1, 2, 3 pixels); and its rank correlation (Spearman) with
  PSNR over every degraded version of every Kodak24 image is reported, overall and per image.
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from restoration.deep.precision import cpu_model
from restoration.degradations import degrade
from restoration.images import load_image
from restoration.metrics import psnr
from restoration.provenance import git_commit
from restoration.quality import MODEL_FILE, NiqeModel, fit_niqe, niqe

ROOT = Path(__file__).resolve().parents[1]
NOISE = (0, 10, 25, 50)
BLUR = (0.0, 1.0, 2.0, 3.0)


def _stamp() -> dict[str, str]:
    flags = ""
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("flags"):
                    have = set(line.split(":", 1)[1].split())
                    flags = " ".join(f for f in ("avx2", "avx512f", "avx512_bf16", "amx_bf16") if f in have)
                    break
    except OSError:
        pass
    return {"date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "commit": git_commit(ROOT), "cpu": f"{cpu_model()}, "
            f"{os.cpu_count()} cores, flags: {flags or 'none of avx2/avx512'}",
            "load": " ".join(f"{x:.2f}" for x in os.getloadavg())}


def _images(folder: Path, names: list[str] | None = None) -> list[tuple[str, np.ndarray]]:
    paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".png", ".jpg", ".bmp", ".tif"))
    if names is not None:
        paths = [p for p in paths if p.name in set(names)]
    return [(p.name, load_image(p, mode="rgb")) for p in paths]


def _degradations() -> list[tuple[str, str, float]]:
    out = [(f"gaussian_noise(sigma={s})", "noise", float(s)) for s in NOISE if s]
    out += [(f"gaussian_blur(sigma={b:g})", "blur", b) for b in BLUR if b]
    return out


def _validate(images: list[tuple[str, np.ndarray]], model: NiqeModel) -> dict:
    """Mean NIQE per degradation level, and the rank correlation of NIQE with PSNR."""
    from scipy.stats import spearmanr

    by_level: dict[str, list[float]] = {"clean": []}
    pairs: list[tuple[str, float, float]] = []
    monotone = {"noise": 0, "blur": 0}
    for name, img in images:
        clean_score = niqe(img, model)
        by_level["clean"].append(clean_score)
        per_kind: dict[str, list[float]] = {"noise": [clean_score], "blur": [clean_score]}
        for spec, kind, _ in _degradations():
            obs = degrade(img, spec, seed=0)
            shown = np.clip(obs.degraded, 0.0, 1.0)  # as a photo would be saved
            score = niqe(shown, model)
            by_level.setdefault(spec, []).append(score)
            per_kind[kind].append(score)
            pairs.append((name, score, psnr(img, shown)))
        for kind, scores_of in per_kind.items():
            monotone[kind] += all(b > a for a, b in itertools.pairwise(scores_of))
    scores = np.array([p[1] for p in pairs])
    psnrs = np.array([p[2] for p in pairs])
    overall = float(spearmanr(scores, psnrs).statistic)
    per_image = []
    for name, _ in images:
        sel = [i for i, p in enumerate(pairs) if p[0] == name]
        per_image.append(float(spearmanr(scores[sel], psnrs[sel]).statistic))
    return {"means": {k: float(np.mean(v)) for k, v in by_level.items()},
            "stds": {k: float(np.std(v)) for k, v in by_level.items()},
            "spearman_overall": overall, "spearman_per_image_mean": float(np.mean(per_image)),
            "spearman_per_image_min": float(np.min(per_image)), "images": len(images),
            "monotone_fraction": {k: v / len(images) for k, v in monotone.items()}}


def _monotone(means: dict[str, float], kind: str) -> bool:
    levels = [means["clean"]] + [means[s] for s, k, _ in _degradations() if k == kind]
    return all(b > a for a, b in itertools.pairwise(levels))


def _render(data: dict) -> str:
    s, m = data["stamp"], data["model"]
    lines = [
        "# No-reference quality: NIQE fitted here, and how far it can be trusted",
        "",
        f"Written by `python scripts/fit_niqe.py` on {s['date']}, commit `{s['commit']}`, CPU {s['cpu']}, "
        f"load average {s['load']}.",
        "",
        "## The model",
        "",
        f"Fitted on **{m['data']}**: {m['images']} clean natural photos, their {m['patches']} sharpest 96x96 "
        "patches (sharpness over 0.75 of each photo's sharpest), 36 features each (18 at full and 18 at half "
        "resolution, as in Mittal et al., IEEE SPL 2013). Only the 36 means and the 36x36 covariance ship "
        "(`restoration/data/niqe_model.npz`). Nothing is downloaded; the pip packages that offer NIQE fetch "
        "MATLAB's parameters at run time, which this project does not, so absolute values differ from "
        "MATLAB's `niqe` (same features, another set of pristine photos); compare scores with each other, not "
        "with published NIQE values.",
        "",
        "## Validation on images it never saw",
        "",
        "Mean NIQE (lower = more natural) of the clean image and of degraded versions, clipped to [0, 1] as a "
        "saved photo would be. Each degradation was applied with seed 0.",
        "",
    ]
    for val in data["validation"].values():
        lines += [f"### {val['title']} ({val['images']} images)", "", "| version | mean NIQE | std |", "|---|---|---|"]
        for level, mean in val["means"].items():
            lines.append(f"| {level} | {mean:.3f} | {val['stds'][level]:.3f} |")
        lines += [
            "",
            f"- The mean rises with every noise step: **{'yes' if val['noise_monotone'] else 'NO'}**; with every "
            f"blur step: **{'yes' if val['blur_monotone'] else 'NO'}**. Per image, NIQE rises at every noise step "
            f"for **{val['monotone_fraction']['noise']:.0%}** of the images and at every blur step for "
            f"**{val['monotone_fraction']['blur']:.0%}** (the aim: at least 85 %).",
            f"- Spearman rank correlation of NIQE with PSNR over all {val['images'] * len(_degradations())} "
            f"degraded versions: **{val['spearman_overall']:.3f}** (negative = lower NIQE where PSNR is higher, "
            f"as it should be); within one image, mean {val['spearman_per_image_mean']:.3f}, worst "
            f"{val['spearman_per_image_min']:.3f}.",
            "",
        ]
    lines += [
        "## What this says and does not say",
        "",
        "- Within one scene, NIQE orders versions by noise and by blur, as the tables show; across scenes its "
        "correlation with PSNR is weaker, because scenes differ in how 'natural' they look even when clean.",
        "- It measures naturalness, not fidelity: a smooth but wrong restoration can score well. Use it to rank "
        "restorations of the same photo when no clean original exists, with the picture beside it.",
        "- Noise and blur move it by different amounts (a 1-pixel blur about as much as noise of sigma 25 here), "
        "so the number alone does not say *which* defect a photo has; the sharpness and noise-level scores "
        "beside it do.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", default=str(ROOT.parent / "shared" / "datasets"))
    parser.add_argument("--validate-only", action="store_true", help="keep the shipped model, only validate it")
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks" / "quality.md"))
    args = parser.parse_args(argv)
    datasets = Path(args.datasets)
    from restoration.deep.train import held_out  # the one split rule of the project

    cbsd = datasets / "CBSD432"
    names = sorted(p.name for p in cbsd.iterdir() if p.suffix.lower() == ".png")
    held = held_out(names, 32)
    stamp = _stamp()
    if args.validate_only:
        model = NiqeModel.load(MODEL_FILE)
    else:
        start = time.perf_counter()
        train = [img for name, img in _images(cbsd) if name not in set(held)]
        command = "python scripts/fit_niqe.py" + (f" --datasets {args.datasets}" if argv else "")
        model = fit_niqe(train, {"data": "CBSD432 minus its 32-image held-out split", "command": command,
                                 "date": stamp["date"], "commit": stamp["commit"]})
        model.save(MODEL_FILE)
        print(f"fitted on {model.info['images']} images, {model.info['patches']} patches "
              f"in {time.perf_counter() - start:.0f} s -> {MODEL_FILE}", file=sys.stderr)
    validation = {}
    for key, title, imgs in (("kodak24", "Kodak24", _images(datasets / "Kodak24")),
                             ("cbsd_held_out", "CBSD432 held-out split", _images(cbsd, held))):
        val = _validate(imgs, model)
        val.update(title=title, noise_monotone=_monotone(val["means"], "noise"),
                   blur_monotone=_monotone(val["means"], "blur"))
        validation[key] = val
        print(f"{title}: {json.dumps(val['means'])} spearman {val['spearman_overall']:.3f}", file=sys.stderr)
    data = {"stamp": stamp, "model": model.info, "validation": validation}
    out = Path(args.out)
    out.write_text(_render(data))
    out.with_suffix(".json").write_text(json.dumps(data, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
