"""Tune TV denoising's colour defaults on held-out colour photos and compare with hand-tuned scikit-image.

TV's automatic weight was fitted on gray images (Set12). On colour images the app now uses a
luminance/chrominance TV (:func:`restoration.classic.variational.denoise_tv` with ``colour="opponent"``): the
luminance gets ``COLOUR_LAM_FACTOR`` times the gray rule's weight (:func:`~restoration.classic.variational.tv_weight`)
and the two colour differences ``chroma`` times more. This script chooses those two constants and checks the result.

Data: the 32 images of CBSD432 that :func:`restoration.deep.train.held_out` sets aside (the colour networks never
train on them), a central crop of each. The split is halved: the **tuning half** (even positions) chooses the two
constants by a grid search (mean PSNR over sigma 15, 25 and 50); the **test half** (odd positions) reports. Kodak24,
Set12 and Set5 are never read. Gaussian noise not clipped (the literature's protocol), seed = the image's position
in the held-out list, PSNR over all pixels of the result clipped to [0, 1].

On the test half the table compares, per noise level:

* *before*: the former default (vectorial TV over RGB with the gray rule's weight);
* *after*: ``run_algorithm("tv", observation)`` with the code's current defaults;
* *scikit-image, hand-tuned*: ``skimage.restoration.denoise_tv_chambolle(..., channel_axis=-1)`` with the best
  weight of a 13-point grid for that noise level *chosen on the test half itself* (generous to it); also the
  weight chosen on the tuning half, and the per-image best weight (an oracle no default can reach).

Usage::

    OMP_NUM_THREADS=1 python scripts/tune_tv_colour.py                      # 32 images, 256x256 crops, 1-2 min
    python scripts/tune_tv_colour.py --images 8 --crop 96 --out /tmp/tv.md  # a smoke test
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SIGMAS = (15, 25, 50)
#: Luminance weight as a multiple of the gray rule (the candidates for COLOUR_LAM_FACTOR).
LUMA_FACTORS = (0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 1.0)
#: Colour-difference weight as a multiple of the gray rule (the chroma default is this over the luminance factor).
CHROMA_FACTORS = (1.0, 1.25, 1.5, 1.75, 2.0, 2.25, 2.5, 3.0, 4.0)
#: scikit-image weights tried, as multiples of sigma / 255.
SKIMAGE_FACTORS = tuple(float(f) for f in np.round(np.geomspace(0.3, 2.4, 13), 3))
#: Vectorial RGB TV weights tried (information: the coupled-channel model at its best single factor).
RGB_FACTORS = (1.0, 1.25, 1.5, 1.75, 2.0)


def held_out_crops(data: Path, count: int, crop: int) -> list[tuple[int, str, np.ndarray]]:
    """The first ``count`` held-out images of CBSD432: (position in the held-out list, name, central crop)."""
    from restoration.deep.train import held_out
    from restoration.images import load_image

    folder = data / "CBSD432"
    names = [p.name for p in folder.iterdir() if p.suffix.lower() in {".png", ".jpg", ".bmp", ".tif"}]
    out = []
    for index, name in enumerate(held_out(names, 32)[:count]):
        image = load_image(folder / name, mode="rgb")
        h, w = image.shape[:2]
        size = min(crop, h, w)
        top, left = (h - size) // 2, (w - size) // 2
        out.append((index, name, np.ascontiguousarray(image[top : top + size, left : left + size])))
    return out


def _psnr(clean: np.ndarray, image: np.ndarray) -> float:
    from restoration import psnr

    return float(psnr(clean, np.clip(image, 0.0, 1.0)))


def tune(images: Sequence[tuple[int, str, np.ndarray]]) -> dict[str, object]:
    """Grid search of the luminance and colour-difference weights on ``images`` (the tuning half)."""
    from restoration import degrade
    from restoration.classic.variational import denoise_tv, tv_weight
    from restoration.colour import from_opponent, to_opponent

    scores = {s: np.zeros((len(LUMA_FACTORS), len(CHROMA_FACTORS))) for s in SIGMAS}
    for index, _, clean in images:
        for sigma in SIGMAS:
            obs = degrade(clean, f"gaussian_noise(sigma={sigma}, clip=false)", seed=index)
            base = tv_weight(sigma)
            planes = to_opponent(obs.degraded).astype(np.float32)
            lums = [denoise_tv(planes[..., 0], lam=base * a) for a in LUMA_FACTORS]
            # lifted by 0.5 as denoise_tv(colour="opponent") does, so that the solver stops where the method's does
            chromas = [denoise_tv(planes[..., 1:] + np.float32(0.5), lam=base * f) - np.float32(0.5)
                       for f in CHROMA_FACTORS]
            for i, lum in enumerate(lums):
                for j, chroma in enumerate(chromas):
                    restored = from_opponent(np.concatenate([lum[..., None], chroma], axis=2))
                    scores[sigma][i, j] += _psnr(clean, restored) / len(images)
    mean = sum(scores.values()) / len(SIGMAS)
    i, j = np.unravel_index(int(np.argmax(mean)), mean.shape)
    per_sigma = {}
    for sigma in SIGMAS:
        a, b = np.unravel_index(int(np.argmax(scores[sigma])), scores[sigma].shape)
        per_sigma[sigma] = (LUMA_FACTORS[a], CHROMA_FACTORS[b], float(scores[sigma][a, b]), float(scores[sigma][i, j]))
    luma, chroma_abs = LUMA_FACTORS[i], CHROMA_FACTORS[j]
    # the spec's chroma is a ratio to lam, on its widget's grid of 0.05
    return {"luma": luma, "chroma": round(round(chroma_abs / luma / 0.05) * 0.05, 2), "chroma_factor": chroma_abs,
            "mean_psnr": float(mean[i, j]), "per_sigma": per_sigma}


def evaluate(images: Sequence[tuple[int, str, np.ndarray]], chosen: dict[str, object],
             skimage_weights: dict[int, float] | None = None) -> dict[int, dict[str, float]]:
    """Mean PSNR per noise level of every compared method on ``images``."""
    from skimage.restoration import denoise_tv_chambolle

    from restoration import degrade, run_algorithm
    from restoration.classic.variational import denoise_tv, tv_weight

    rows: dict[int, dict[str, float]] = {}
    for sigma in SIGMAS:
        acc: dict[str, list[float]] = {}
        oracle = []
        sk_grid = np.zeros(len(SKIMAGE_FACTORS))
        for index, _, clean in images:
            obs = degrade(clean, f"gaussian_noise(sigma={sigma}, clip=false)", seed=index)
            base = tv_weight(sigma)
            acc.setdefault("before", []).append(
                _psnr(clean, run_algorithm("tv", obs, {"colour": "rgb", "lam": round(base, 5)})))
            acc.setdefault("after", []).append(_psnr(clean, run_algorithm("tv", obs)))
            acc.setdefault("chosen", []).append(_psnr(clean, denoise_tv(
                obs.degraded, lam=base * float(chosen["luma"]), colour="opponent", chroma=float(chosen["chroma"]))))
            for f in RGB_FACTORS:
                acc.setdefault(f"rgb x{f:g}", []).append(_psnr(clean, denoise_tv(obs.degraded, lam=base * f)))
            sk = [_psnr(clean, denoise_tv_chambolle(obs.degraded, weight=f * sigma / 255.0, channel_axis=-1))
                  for f in SKIMAGE_FACTORS]
            sk_grid += np.asarray(sk) / len(images)
            oracle.append(max(sk))
            if skimage_weights is not None:
                acc.setdefault("skimage_other", []).append(
                    sk[SKIMAGE_FACTORS.index(skimage_weights[sigma])])
        row = {k: float(np.mean(v)) for k, v in acc.items()}
        best = int(np.argmax(sk_grid))
        row.update({"skimage": float(sk_grid[best]), "skimage_factor": SKIMAGE_FACTORS[best],
                    "skimage_oracle": float(np.mean(oracle))})
        rgb = max(RGB_FACTORS, key=lambda f: row[f"rgb x{f:g}"])
        row.update({"rgb_best": row[f"rgb x{rgb:g}"], "rgb_factor": rgb})
        rows[sigma] = row
    return rows


def skimage_choice(images: Sequence[tuple[int, str, np.ndarray]]) -> dict[int, float]:
    """The scikit-image weight factor a user would pick on ``images`` (the tuning half), per noise level."""
    from skimage.restoration import denoise_tv_chambolle

    from restoration import degrade

    chosen = {}
    for sigma in SIGMAS:
        grid = np.zeros(len(SKIMAGE_FACTORS))
        for index, _, clean in images:
            obs = degrade(clean, f"gaussian_noise(sigma={sigma}, clip=false)", seed=index)
            grid += [_psnr(clean, denoise_tv_chambolle(obs.degraded, weight=f * sigma / 255.0, channel_axis=-1))
                     for f in SKIMAGE_FACTORS]
        chosen[sigma] = SKIMAGE_FACTORS[int(np.argmax(grid))]
    return chosen


def report(tuned: dict[str, object], rows: dict[int, dict[str, float]], sk_tuning: dict[int, float], *,
           n_tune: int, n_test: int, crop: int, command: str, seconds: float) -> str:
    """The Markdown report."""
    from restoration.classic.variational import COLOUR_LAM_FACTOR
    from restoration.provenance import report_stamp
    from restoration.registry import get_algorithm

    spec_chroma = next(p.default for p in get_algorithm("tv").params if p.name == "chroma")
    matches = (abs(COLOUR_LAM_FACTOR - float(tuned["luma"])) < 1e-9
               and abs(float(spec_chroma) - float(tuned["chroma"])) < 1e-9)
    lines = [
        "# TV denoising on colour images: automatic weights vs hand-tuned scikit-image",
        "",
        f"Generated by `{command}` in {seconds / 60:.1f} min (see the script's docstring for the protocol).",
        f"Data: the held-out split of CBSD432 (`restoration.deep.train.held_out`, 32 images), central {crop}x{crop} "
        f"crops; tuning half {n_tune} images (even positions), test half {n_test} images (odd positions). "
        "Kodak24, Set12 and Set5 were not used. Gaussian noise not clipped, seed = position in the held-out list, "
        "PSNR (dB) over all pixels.",
        "",
        "## Chosen on the tuning half",
        "",
        f"Luminance/chrominance TV: luminance weight **{tuned['luma']:g} x** the gray rule "
        f"`(0.62 + 0.0055 sigma) sigma / 255`, colour differences **{tuned['chroma_factor']:g} x** the gray rule, i.e. "
        f"`chroma` = **{tuned['chroma']:g}** times the luminance weight, rounded to the parameter's step of 0.05 "
        f"(mean {tuned['mean_psnr']:.2f} dB over the three noise levels before rounding).",
        "",
        f"In the code: `COLOUR_LAM_FACTOR` = {COLOUR_LAM_FACTOR:g} (restoration/classic/variational.py), spec default "
        f"`chroma` = {spec_chroma:g} (restoration/specs/variational.py): "
        + ("**they match the choice above**." if matches else "**they differ from the choice above -- update them**."),
        "",
        "| sigma | best luminance factor | best chroma factor | best PSNR | PSNR with the chosen pair |",
        "|---|---|---|---|---|",
    ]
    for sigma, (a, b, best, chosen) in tuned["per_sigma"].items():  # type: ignore[union-attr]
        lines.append(f"| {sigma} | {a:g} | {b:g} | {best:.2f} | {chosen:.2f} |")
    lines += [
        "",
        "## Test half",
        "",
        "| sigma | before (RGB TV, gray rule) | after (`tv` defaults) | scikit-image hand-tuned (weight) | "
        "scikit-image, weight from the tuning half | scikit-image per-image oracle | RGB TV, best factor | "
        "after - hand-tuned |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for sigma, r in rows.items():
        lines.append(
            f"| {sigma} | {r['before']:.2f} | **{r['after']:.2f}** | {r['skimage']:.2f} "
            f"({r['skimage_factor']:g} sigma/255) | {r['skimage_other']:.2f} ({sk_tuning[sigma]:g} sigma/255) | "
            f"{r['skimage_oracle']:.2f} | {r['rgb_best']:.2f} (x{r['rgb_factor']:g}) | "
            f"{r['after'] - r['skimage']:+.2f} |"
        )
    mean = {k: float(np.mean([r[k] for r in rows.values()])) for k in ("before", "after", "skimage", "skimage_oracle")}
    lines += [
        "",
        f"Mean over the noise levels: before {mean['before']:.2f} dB, after {mean['after']:.2f} dB, scikit-image "
        f"hand-tuned {mean['skimage']:.2f} dB, its per-image oracle {mean['skimage_oracle']:.2f} dB. "
        + ("The automatic colour default is at least as good as hand-tuned scikit-image at every noise level."
           if all(r["after"] >= r["skimage"] for r in rows.values())
           else "The automatic colour default is below hand-tuned scikit-image at some noise level."),
        "",
        "scikit-image's `denoise_tv_chambolle(..., channel_axis=-1)` denoises each RGB channel on its own (its "
        "`weight` is our `lam`); the former default coupled the channels (vectorial TV) with the gray weight, too "
        "little for three channels. Smoothing the colour differences harder than the luminance is what gains most.",
        "",
        report_stamp(ROOT),
        "",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the tuning and write the report; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "datasets"))
    parser.add_argument("--images", type=int, default=32,
                        help="held-out images used (at most 32; half tune, half test)")
    parser.add_argument("--crop", type=int, default=256, help="side of the central crop, in pixels")
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks" / "tv_colour.md"))
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    if not 2 <= args.images <= 32 or args.crop < 16:
        parser.error("--images must be 2 to 32 and --crop at least 16")
    start = time.perf_counter()
    images = held_out_crops(Path(args.data), args.images, args.crop)
    tuning, test = images[0::2], images[1::2]
    tuned = tune(tuning)
    print(f"tuning half ({len(tuning)} images): luminance x{tuned['luma']:g}, chroma x{tuned['chroma']:g} "
          f"({tuned['mean_psnr']:.2f} dB)  [{time.perf_counter() - start:.0f} s]", flush=True)
    sk_tuning = skimage_choice(tuning)
    rows = evaluate(test, tuned, sk_tuning)
    command = "python scripts/tune_tv_colour.py " + " ".join(argv if argv is not None else sys.argv[1:])
    text = report(tuned, rows, sk_tuning, n_tune=len(tuning), n_test=len(test), crop=args.crop,
                  command=command.strip(), seconds=time.perf_counter() - start)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
