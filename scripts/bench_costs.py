"""Measure the run-time cost of every registered method in seconds per megapixel (the time-budget figures).

Each method runs with its tuned defaults on every task it solves (the task's preset: ``noise25``,
``motion``, ``sr2``, ``inpaint_random``, ``combined``), on a gray and on a colour crop of a gallery
photo, after one warm-up call (imports, model loading). The figure kept for a method is its slowest
task, divided by the megapixels of the *output*; the Restore and Benchmark pages multiply it by the
size of the image at hand to decide whether a method fits the time budget (``restoration.budget``).

Usage::

    python -m scripts.bench_costs                 # 384 x 384 crops, markdown table on stdout
    python -m scripts.bench_costs --side 256 --methods bm3d,wavelet
    python -m scripts.bench_costs --write         # on a quiet machine: replace restoration/data/costs.json

Run it from the repository root (``python -m``): it takes its test image from the app's ``ui.demo``.

``--write`` stores the costs in ``restoration/data/costs.json`` (the registry specs read them from
there) together with the machine (CPU model and flags, torch's capability, cores, 1-minute load
average, date and git commit) and the times of the calibration workloads of ``restoration.costs``
on it, so that another machine scales the costs by its own speed. Costs and calibration are replaced
together: with ``--methods`` only those entries are replaced, and only on a CPU with the flags of the
file's machine. ``--calibrate-only --write`` re-takes the calibration alone (same CPU flags only).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from restoration import PRESETS, REGISTRY, costs, degrade, get_algorithm, run_algorithm
from restoration.deep.precision import bf16_native, cpu_flags, cpu_model
from restoration.images import to_gray

try:  # the app's ui package, found from the repository root (python -m scripts.bench_costs)
    from ui import demo  # free of streamlit
except ModuleNotFoundError as exc:  # pragma: no cover - a usage error
    raise SystemExit(f"{exc}: run this from the repository root as `python -m scripts.bench_costs`") from None

ROOT = Path(__file__).resolve().parents[1]

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
    seconds, megapixels = timed(name, clean, task, repeats)
    return seconds / megapixels


def fixed_and_slope(name: str, clean: np.ndarray, task: str, repeats: int) -> tuple[float, float]:
    """Seconds whatever the size and seconds per megapixel, from runs on ``clean`` and on its centre quarter."""
    h, w = clean.shape[:2]
    small = clean[h // 4 : h // 4 + h // 2, w // 4 : w // 4 + w // 2]
    big_s, big_mp = timed(name, clean, task, repeats)
    small_s, small_mp = timed(name, np.ascontiguousarray(small), task, repeats)
    slope = max(0.0, (big_s - small_s) / (big_mp - small_mp))
    return max(0.0, big_s - slope * big_mp), slope


def timed(name: str, clean: np.ndarray, task: str, repeats: int) -> tuple[float, float]:
    """Fastest of ``repeats`` timed runs (after a warm-up), and the megapixels of the output."""
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
    return best, h * w / 1e6


def machine() -> dict[str, Any]:
    """The machine the figures are taken on: CPU model and flags, torch's capability, cores, load."""
    import torch

    return {
        "cpu": cpu_model(),
        "flags": " ".join(sorted(cpu_flags() or ())),
        "torch": torch.__version__,
        "torch_capability": torch.backends.cpu.get_cpu_capability(),
        "bf16_native": bf16_native(),
        "cores": os.cpu_count(),
        "torch_threads": costs.torch_threads(),
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


def stamp() -> dict[str, str]:
    """Today's date (UTC) and the git commit of the code measured (``-dirty`` with uncommitted changes)."""
    try:
        commit = subprocess.run(["git", "describe", "--always", "--dirty", "--abbrev=40"], cwd=ROOT,
                                capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return {"date": datetime.datetime.now(datetime.UTC).date().isoformat(), "commit": commit}


def calibrate(found: dict[str, Any], costs_threads: int) -> dict[str, Any]:
    """The calibration workloads' times on this machine (what ``restoration.costs.machine_factor`` compares to).

    ``costs_threads`` is the number of torch threads the costs were measured with (the workloads use one).
    """
    bf16 = bf16_native()
    return {**stamp(), "machine": found, "numpy_s": round(costs.numpy_workload(repeats=9), 5),
            "torch_s": round(costs.torch_workload(bf16, repeats=9), 5),
            "torch_precision": "bf16" if bf16 else "float32", "costs_torch_threads": costs_threads}


def write(measured: dict[str, dict[str, Any]], found: dict[str, Any], *, everything: bool) -> None:
    """Store the costs and the calibration in ``restoration/data/costs.json`` (see the module docstring)."""
    data = costs.load_costs() if costs.COSTS_FILE.exists() else {}
    before = data.get("costs", {}).get("machine", {})
    if not everything and before.get("flags") != found["flags"]:
        raise SystemExit(f"{costs.COSTS_FILE} holds costs measured on a CPU with other flags "
                         f"({before.get('cpu', 'unknown')}): measure every method (no --methods) to replace them")
    when = stamp()
    methods = {} if everything else dict(data.get("costs", {}).get("methods", {}))
    methods.update({name: {**entry, "date": when["date"]} for name, entry in measured.items()})
    data["about"] = ("Seconds per megapixel of output of every registered method (its slowest task, tuned defaults, "
                     "fastest of a few runs after a warm-up), measured by scripts/bench_costs.py on the machine "
                     "named under costs, and the times of restoration/costs.py's calibration workloads on that "
                     "CPU, which scale the costs to another machine. Rerun `python -m scripts.bench_costs --write` "
                     "on a quiet machine to replace both together.")
    if everything:
        data.pop("note", None)  # a note on how older figures were put together no longer applies
    data["costs"] = {**when, "machine": found if everything else before, "methods": dict(sorted(methods.items()))}
    data["calibration"] = calibrate(found, int(data["costs"]["machine"]["torch_threads"]))
    costs.COSTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    costs.COSTS_FILE.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {costs.COSTS_FILE}: {len(measured)} costs, calibration "
          f"numpy {data['calibration']['numpy_s']} s, torch {data['calibration']['torch_s']} s "
          f"({data['calibration']['torch_precision']})")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--side", type=int, default=384, help="side of the square crop (default 384)")
    parser.add_argument("--fixed", default="zs_denoise",
                        help="methods whose cost is mostly fixed (timed on two sizes: seconds + seconds per MP)")
    parser.add_argument("--methods", default="", help="comma-separated registry names (default: all)")
    parser.add_argument("--repeats", type=int, default=2, help="timed runs per case, the fastest kept (default 2)")
    parser.add_argument("--write", action="store_true",
                        help="store the costs, the machine and its calibration in restoration/data/costs.json")
    parser.add_argument("--calibrate-only", action="store_true",
                        help="measure no method: only the calibration workloads (with --write: replace them)")
    args = parser.parse_args(argv)
    found = machine()
    print(f"Machine: {found['cpu']} ({platform.machine()}), {found['cores']} CPU cores, torch "
          f"{found['torch_capability']}, bf16 {'native' if found['bf16_native'] else 'not native'}, load average "
          f"{' / '.join(f'{v:.1f}' for v in os.getloadavg())}; {args.side}x{args.side} crops, output megapixels.")
    if args.calibrate_only:
        if args.write:
            data = costs.load_costs()
            if data.get("costs", {}).get("machine", {}).get("flags") != found["flags"]:
                raise SystemExit("the calibration must be taken on the CPU type the costs were measured on "
                                 "(other flags here): run without --calibrate-only")
            data["calibration"] = calibrate(found, int(data["costs"]["machine"]["torch_threads"]))
            costs.COSTS_FILE.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
            print(f"wrote the calibration to {costs.COSTS_FILE}")
        else:
            data = {"calibration": calibrate(found, found["torch_threads"])}
        print(json.dumps(data["calibration"], indent=1))
        return 0
    names = [n for n in args.methods.split(",") if n] or list(REGISTRY)
    colour = crop(args.side)
    gray = to_gray(colour)
    measured: dict[str, dict[str, Any]] = {}
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
        measured[name] = {"gray": float(f"{gray_cost:.3g}"), "colour": float(f"{colour_cost:.3g}"), "task": task}
        if name in args.fixed.split(","):  # a cost that hardly grows with the image: time two sizes
            fixed_c, colour_cost = fixed_and_slope(name, colour, task, args.repeats)
            fixed_g, gray_cost = fixed_and_slope(name, gray, task, args.repeats)
            measured[name] = {"gray": float(f"{gray_cost:.3g}"), "colour": float(f"{colour_cost:.3g}"),
                              "fixed": float(f"{max(fixed_c, fixed_g):.3g}"), "task": task}
        print(f"| {name} | {task} | {gray_cost:.3g} | {colour_cost:.3g} |"
              + (f" + {measured[name]['fixed']:.3g} s" if "fixed" in measured[name] else ""), flush=True)
    if args.write:
        write(measured, found, everything=not args.methods)
    return 0


if __name__ == "__main__":
    sys.exit(main())
