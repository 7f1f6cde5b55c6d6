"""Benchmark of the non-local methods: our BM3D and NL-means against the published numbers and the reference wheel.

Writes ``docs/benchmarks/nonlocal.md`` with

* Set12 PSNR at sigma 15 / 25 / 50 (Gaussian noise *not* clipped, as in the literature,
  seed 0 for every image; outputs clipped to [0, 1]; no border crop), per image and mean:
  our BM3D, the reference ``bm3d`` wheel when it is installed, our NL-means, and the
  published BM3D mean;
* run times on a 512x512 gray and a 512x512 colour image: ours and the wheel side by
  side in the same run, interleaved, minimum (and median) of ``--repeats`` runs;
* optionally (``--kodak``) our CBM3D on the full Kodak24 set at sigma 25 / 50.

Our methods run through :func:`restoration.run_algorithm` with their default (noise-
dependent) parameters, exactly as a user who changes nothing. The wheel (licence:
non-commercial, no networked use) is used here as a reference only and is never
imported by the package: ``pip install bm3d`` to include it, ``--no-wheel`` to skip it.

Usage::

    python scripts/bench_nonlocal.py                  # full run (about 10 minutes on 2 busy cores)
    python scripts/bench_nonlocal.py --quick          # 3 images, 1 timing run: a smoke test
    python scripts/bench_nonlocal.py --kodak          # also Kodak24 colour (ours only, a few minutes more)
    python scripts/bench_nonlocal.py --data /path/to/datasets --out report.md

The data sets are read from ``../shared/datasets`` (next to the repository) unless
``--data`` says otherwise. The gray timing image is Set12's 512x512 ``08.png``; the colour
one is the centre 512x512 crop of Kodak24's ``kodim01.png`` (a synthetic colour image
when Kodak24 is absent).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shlex
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from restoration import degrade, psnr, run_algorithm
from restoration.degradations import Observation
from restoration.images import load_image
from restoration.provenance import report_stamp

ROOT = Path(__file__).resolve().parents[1]

SIGMAS = (15, 25, 50)
#: Published Set12 means (README of the shared data sets; DnCNN paper, Table 2).
PUBLISHED_SET12 = {15: 32.37, 25: 29.97, 50: 26.72}
#: Published Kodak24 CBM3D means (same README).
PUBLISHED_KODAK = {25: 32.15, 50: 28.46}
Denoiser = Callable[[Observation], np.ndarray]


def noise_spec(sigma: float) -> str:
    """The literature's denoising protocol: unclipped additive Gaussian noise."""
    return f"gaussian_noise(sigma={sigma:g}, clip=false)"


def wheel_denoiser() -> Denoiser | None:
    """The reference ``bm3d`` wheel as a denoiser of observations, or None when it is not installed."""
    try:
        import bm3d
    except ImportError:
        return None

    def run(obs: Observation) -> np.ndarray:
        noisy = obs.degraded.astype(np.float64)
        func = bm3d.bm3d if noisy.ndim == 2 else bm3d.bm3d_rgb
        return np.clip(func(noisy, obs.sigma / 255.0), 0.0, 1.0).astype(np.float32)

    return run


def ours(name: str) -> Denoiser:
    """One of our registered methods with its default parameters."""
    return lambda obs: run_algorithm(name, obs)


def machine_description() -> list[str]:
    """CPU model, cores, memory, load and library versions, as Markdown bullet lines."""
    import scipy
    import skimage

    model = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            model = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = ""
    try:
        with open("/proc/meminfo", encoding="utf-8") as info:
            kb = int(next(line.split()[1] for line in info if line.startswith("MemTotal")))
        memory = f", {kb / 2**20:.0f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    return [
        f"- CPU: {model}, {os.cpu_count()} logical cores{memory}; {platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}, NumPy {np.__version__}, SciPy {scipy.__version__}, "
        f"scikit-image {skimage.__version__}",
        f"- load average (1, 5, 15 min) when the report was written: {load}",
    ]


def set12_table(images: dict[str, np.ndarray], methods: dict[str, Denoiser], log: Callable[[str], None]) -> dict:
    """PSNR of every method on every image at every sigma: {sigma: {image: {method: dB}}}."""
    table: dict[int, dict[str, dict[str, float]]] = {}
    for sigma in SIGMAS:
        table[sigma] = {}
        for name, image in images.items():
            obs = degrade(image, noise_spec(sigma), seed=0)
            row = {"noisy": psnr(obs.clean, np.clip(obs.degraded, 0.0, 1.0))}
            for label, method in methods.items():
                row[label] = psnr(obs.clean, method(obs))
            table[sigma][name] = row
            log(f"  sigma {sigma} {name}: " + ", ".join(f"{k} {v:.2f}" for k, v in row.items()))
    return table


def timings(obs: Observation, methods: dict[str, Denoiser], repeats: int) -> dict[str, list[float]]:
    """Run every method ``repeats`` times, interleaved (ours, wheel, ours, ...), and return the times."""
    times: dict[str, list[float]] = {label: [] for label in methods}
    for _ in range(repeats):
        for label, method in methods.items():
            start = time.perf_counter()
            method(obs)
            times[label].append(time.perf_counter() - start)
    return times


def colour_timing_image(data: Path) -> tuple[np.ndarray, str]:
    path = data / "Kodak24" / "kodim01.png"
    if path.exists():
        image = load_image(path)
        h, w = image.shape[:2]
        top, left = (h - 512) // 2, (w - 512) // 2
        return image[top:top + 512, left:left + 512], "Kodak24 kodim01.png, centre 512x512 crop"
    yy, xx = np.mgrid[0:512, 0:512] / 512.0
    image = np.stack([0.5 + 0.4 * np.sin(9 * xx), 0.5 + 0.4 * np.cos(7 * yy), 0.5 + 0.3 * np.sin(5 * (xx + yy))], 2)
    return image.astype(np.float32), "synthetic 512x512 colour image (Kodak24 not found)"


def render(args: argparse.Namespace, table: dict, labels: list[str], times: dict[str, dict[str, list[float]]],
           timing_images: dict[str, str], kodak: dict[int, dict[str, float]] | None, elapsed: float) -> str:
    """The Markdown report."""
    lines = [
        "# Non-local methods: BM3D and NL-means",
        "",
        "Generated by `scripts/bench_nonlocal.py`; do not edit by hand. Command:",
        "",
        "```",
        "python " + " ".join(shlex.quote(a) for a in [Path(sys.argv[0]).as_posix(), *sys.argv[1:]]),
        "```",
        "",
        f"Written {datetime.datetime.now():%Y-%m-%d %H:%M} after {elapsed / 60:.1f} minutes on this machine:",
        "",
        report_stamp(ROOT),
        "",
        *machine_description(),
        "- the machine is shared: other jobs ran during the benchmark, so the timings are the minimum of "
        f"{args.repeats} interleaved runs (median in brackets), and PSNR is unaffected",
        "",
        "Protocol: Set12 gray images, additive white Gaussian noise **not clipped** "
        "(`gaussian_noise(sigma=S, clip=false)`, seed 0 for every image), outputs clipped to [0, 1], "
        "PSNR over the whole image (no border crop). `bm3d (ours)` and `nlm (ours)` are "
        "`restoration.run_algorithm` with default parameters (sigma known); `bm3d wheel` is the reference "
        "implementation (`pip install bm3d`, its default profile), used as a yardstick only. Published "
        "numbers come from the papers with their own noise draws, so single images differ by a few 0.01 dB "
        "from any re-run.",
        "",
    ]
    for sigma in SIGMAS:
        rows = table[sigma]
        lines += [f"## Set12, sigma = {sigma}", "", "| image | noisy | " + " | ".join(labels) + " |",
                  "|---|" + "---:|" * (len(labels) + 1)]
        for name, row in rows.items():
            lines.append(f"| {name} | {row['noisy']:.2f} | " + " | ".join(f"{row[k]:.2f}" for k in labels) + " |")
        means = {k: float(np.mean([row[k] for row in rows.values()])) for k in ["noisy", *labels]}
        lines.append("| **mean** | " + " | ".join(f"**{means[k]:.2f}**" for k in ["noisy", *labels]) + " |")
        if len(rows) == 12:
            lines += ["", f"Published BM3D mean: {PUBLISHED_SET12[sigma]:.2f} dB; ours is "
                      f"{means['bm3d (ours)'] - PUBLISHED_SET12[sigma]:+.2f} dB from it."]
        lines.append("")
    lines += ["## Run time (seconds, sigma = 25)", "", "| image | " + " | ".join(next(iter(times.values()))) + " |",
              "|---|" + "---:|" * len(next(iter(times.values())))]
    for kind, per_method in times.items():
        cells = [f"{min(v):.2f} ({statistics.median(v):.2f})" for v in per_method.values()]
        lines.append(f"| {kind}: {timing_images[kind]} | " + " | ".join(cells) + " |")
    for kind, per_method in times.items():
        if "bm3d wheel" in per_method:
            ratio = min(per_method["bm3d wheel"]) / min(per_method["bm3d (ours)"])
            lines.append(f"\n{kind.capitalize()}: our BM3D is {ratio:.1f}x faster than the wheel (minimum times).")
    if kodak:
        lines += ["", "## Kodak24 colour (full size), our CBM3D", "",
                  "| sigma | noisy | bm3d (ours) | published CBM3D |", "|---|---:|---:|---:|"]
        for sigma, row in kodak.items():
            lines.append(f"| {sigma} | {row['noisy']:.2f} | {row['bm3d (ours)']:.2f} | {PUBLISHED_KODAK[sigma]:.2f} |")
    lines += [
        "",
        "## What makes our BM3D fast (pure NumPy/SciPy, one thread)",
        "",
        "- The 2-D transform of every block of the image is one matrix product; groups only gather rows.",
        "- Block matching for a tile of 8x8 reference blocks is one matrix product (|a|^2 + |b|^2 - 2 a.b, "
        "with the norms folded into the vectors); each reference then takes its own 39x39 window out of the "
        "table, and the best matches come from a partial selection on a 1-in-4 subsample that bounds the "
        "k-th distance, then a sort of the few candidates under that bound.",
        "- Groups are batched by size (powers of two); the Haar transform along a batch is a cascade of sums and "
        "differences of whole arrays (k log k operations instead of a k x k matrix product).",
        "- Filtered coefficients are summed per block position with a sparse matrix product, and the inverse "
        "2-D transform runs once per block position instead of once per block per group.",
        "- OpenBLAS is held to one thread during the call: its second thread busy-waits on a shared machine and "
        "made the whole run three times slower.",
        "",
        "## Parameter choices",
        "",
        "- BM3D follows the normal profile of Dabov et al. (2007): 8x8 blocks, step 3, 39x39 search window, groups "
        "of 16 (bior1.5 + Haar, hard threshold 2.7 sigma) and 32 (DCT + Haar, Wiener). Only the matching "
        "thresholds follow sigma: `max(3000, 4 sigma^2)` and `max(400, 1.4 sigma^2)`, because two noisy copies of "
        "one block already differ by 2 sigma^2. This replaced the paper's separate sigma > 40 profile (12x12 "
        "blocks, pre-filtered matching), which scored about 0.35 dB lower at sigma = 50 in this implementation.",
        "- Colour (CBM3D): orthonormal opponent colour space, groups matched on the luminance rescaled to the "
        "mean of R, G, B, the same groups filter all three channels.",
        "- NL-means: scikit-image's fast mode with patch size, search radius and h / sigma tuned per sigma on "
        "Set12 (gray) and six Kodak24 crops (colour); see `restoration/classic/nonlocal_means.py`.",
        "- The Set12 numbers above were also used to choose these few settings, so they are not a held-out "
        "test; the Kodak24 row is (apart from the NL-means colour tuning crops, which BM3D does not use).",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "datasets")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks" / "nonlocal.md")
    parser.add_argument("--quick", action="store_true", help="3 images and 1 timing run (smoke test)")
    parser.add_argument("--repeats", type=int, default=3, help="timing runs per method (default 3)")
    parser.add_argument("--no-wheel", action="store_true", help="skip the reference bm3d wheel")
    parser.add_argument("--kodak", action="store_true", help="also run our CBM3D on the full Kodak24 set")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeats = 1
    log = lambda text: print(text, flush=True)  # noqa: E731 - progress lines
    started = time.perf_counter()

    set12 = args.data / "Set12"
    if not set12.is_dir():
        print(f"Set12 not found under {args.data}; nothing to do (use --data).", file=sys.stderr)
        return 1
    files = sorted(set12.glob("*.png"))[: 3 if args.quick else None]
    images = {f.name: load_image(f) for f in files}

    methods: dict[str, Denoiser] = {"bm3d (ours)": ours("bm3d")}
    wheel = None if args.no_wheel else wheel_denoiser()
    if wheel is not None:
        methods["bm3d wheel"] = wheel
    methods["nlm (ours)"] = ours("nlm")
    log(f"Set12 ({len(images)} images), methods: {', '.join(methods)}")
    table = set12_table(images, methods, log)

    gray = load_image(set12 / "08.png") if (set12 / "08.png").exists() else next(iter(images.values()))
    colour, colour_name = colour_timing_image(args.data)
    timing_images = {"gray": "Set12 08.png, 512x512", "colour": colour_name}
    times = {}
    for kind, image in (("gray", gray), ("colour", colour)):
        obs = degrade(image, noise_spec(25), seed=0)
        log(f"timing {kind} ({args.repeats} runs each)")
        times[kind] = timings(obs, methods, args.repeats)
        log("  " + ", ".join(f"{k} {min(v):.2f} s" for k, v in times[kind].items()))

    kodak = None
    if args.kodak and (args.data / "Kodak24").is_dir():
        kodak = {}
        kodak_files = sorted((args.data / "Kodak24").glob("*.png"))[: 2 if args.quick else None]
        for sigma in PUBLISHED_KODAK:
            scores: dict[str, list[float]] = {"noisy": [], "bm3d (ours)": []}
            for f in kodak_files:
                obs = degrade(load_image(f), noise_spec(sigma), seed=0)
                scores["noisy"].append(psnr(obs.clean, np.clip(obs.degraded, 0.0, 1.0)))
                scores["bm3d (ours)"].append(psnr(obs.clean, run_algorithm("bm3d", obs)))
                log(f"  Kodak24 sigma {sigma} {f.name}: {scores['bm3d (ours)'][-1]:.2f}")
            kodak[sigma] = {k: float(np.mean(v)) for k, v in scores.items()}

    labels = list(methods)
    report = render(args, table, labels, times, timing_images, kodak, time.perf_counter() - started)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
