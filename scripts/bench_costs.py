"""Measure the run-time cost of every registered method in seconds per megapixel (the time-budget figures).

Each method runs with its tuned defaults on every task it solves (the task's preset: ``noise25``,
``motion``, ``sr2``, ``inpaint_random``, ``combined``), on a gray and on a colour crop of a gallery
photo, after one warm-up call (imports, model loading). The figure kept for a method is its slowest
task, divided by the megapixels of the *output*; the Restore and Benchmark pages multiply it by the
size of the image at hand to decide whether a method fits the time budget (``restoration.budget``).

Usage::

    python scripts/bench_costs.py                 # 384 x 384 crops, markdown table on stdout
    python scripts/bench_costs.py --side 256 --methods bm3d,wavelet

The numbers belong in the ``cost=RunCost(gray=..., colour=...)`` field of each registry entry.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from restoration import PRESETS, REGISTRY, degrade, get_algorithm, run_algorithm  # noqa: E402
from restoration.images import to_gray  # noqa: E402
from ui import demo  # noqa: E402  (free of streamlit)

#: The preset that stands for each task.
TASK_PRESETS = {"denoise": "noise25", "deblur": "motion", "sr": "sr2", "inpaint": "inpaint_random",
                "combined": "combined"}


def crop(side: int) -> np.ndarray:
    """A ``side`` x ``side`` colour crop from the middle of the first gallery photo (or the synthetic pattern)."""
    image = demo.load_sample(demo.list_samples()[0].key, None)
    h, w = image.shape[:2]
    if min(h, w) < side:
        raise SystemExit(f"the sample image is {w}x{h}, smaller than --side {side}")
    top, left = (h - side) // 2, (w - side) // 2
    return np.ascontiguousarray(image[top : top + side, left : left + side])


def seconds_per_mp(name: str, clean: np.ndarray, task: str, repeats: int) -> float:
    """Fastest of ``repeats`` timed runs (after a warm-up), per megapixel of output."""
    observation = degrade(clean, PRESETS[TASK_PRESETS[task]].spec, seed=0)
    params = get_algorithm(name).defaults_for(observation)
    run_algorithm(name, observation, params)  # warm-up: imports, weights, caches
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run_algorithm(name, observation, params)
        best = min(best, time.perf_counter() - start)
        if best > 2.0:  # slow methods: one timed run is precise enough
            break
    h, w = observation.output_shape[:2]
    return best / (h * w / 1e6)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--side", type=int, default=384, help="side of the square crop (default 384)")
    parser.add_argument("--methods", default="", help="comma-separated registry names (default: all)")
    parser.add_argument("--repeats", type=int, default=2, help="timed runs per case, the fastest kept (default 2)")
    args = parser.parse_args(argv)
    names = [n for n in args.methods.split(",") if n] or list(REGISTRY)
    colour = crop(args.side)
    gray = to_gray(colour)
    print(f"Machine: {platform.machine()}, {os.cpu_count()} CPU cores, load average "
          f"{' / '.join(f'{v:.1f}' for v in os.getloadavg())}; {args.side}x{args.side} crops, output megapixels.")
    print("\n| method | slowest task | gray s/MP | colour s/MP |\n|---|---|---|---|")
    for name in names:
        spec = get_algorithm(name)
        rows = []
        try:
            for task in sorted(spec.tasks):
                rows.append((seconds_per_mp(name, colour, task, args.repeats), task,
                             seconds_per_mp(name, gray, task, args.repeats)))
        except Exception as exc:  # e.g. weights not trained yet: say so, measure the others
            print(f"| {name} | not measured: {type(exc).__name__}: {exc} | | |", flush=True)
            continue
        colour_cost, task, gray_cost = max(rows)
        gray_cost = max(r[2] for r in rows)
        print(f"| {name} | {task} | {gray_cost:.3g} | {colour_cost:.3g} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
