"""Scale-out report: one benchmark on 1 and 2 local workers and on a 2-worker Dask cluster, and the survey-scale run.

Writes ``docs/benchmarks/scaleout.md`` and ``docs/benchmarks/scaleout.json``:

1. **Measured.** The same benchmark (default: the bundled gallery x ``gaussian_noise(sigma=25)`` x median,
   wavelet, tv, nlm) run three times: in this process (1 worker), in 2 local worker processes, and on a
   Dask cluster of 2 workers (one process, one thread each) that the script starts on loopback with the
   project's ``dask scheduler`` / ``dask worker`` commands, as a user would. For each: wall time, rows per
   second, and the *overhead per job*, ``(wall x workers - sum of the methods' seconds) / jobs`` -- the
   worker time a job (one image x degradation, all its methods) costs beyond the methods themselves:
   degrading, scoring, starting processes and importing, sending the pixels, scheduling, and idle workers
   at the end of the run. The cluster's rows are checked against the local ones (PSNR and SSIM equal).
2. **Estimated.** The survey-scale run -- 500 images of 512x512 RGB, the combined degradation, every
   method that solves it -- from the registry's measured costs (``restoration/data/costs.json``, seconds per
   megapixel, scaled to this machine by ``restoration.costs.machine_factor``), on 1, 8 and 64 workers of
   one core each: ``ceil(500 / workers) x (job seconds + overhead per job)``, the overhead being the one
   measured on the cluster above.

Usage (from the repository root; a quiet machine gives figures that mean something)::

    python scripts/bench_scaleout.py
    python scripts/bench_scaleout.py --limit 2 --methods median --out /tmp/scaleout.md   # a smoke test
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from restoration import PRESETS, REGISTRY
from restoration.benchmark import BenchmarkImage, collect_images, run_benchmark
from restoration.costs import calibration, machine_factor
from restoration.deep.precision import cpu_flags, cpu_model
from restoration.errors import RestorationError
from restoration.provenance import git_commit

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
#: CPU flags worth naming (vector width and bfloat16 decide the speed of the methods).
FLAGS = ("avx", "avx2", "fma", "avx512f", "avx512bw", "avx512_vnni", "avx512_bf16", "amx_bf16", "amx_tile")
METRICS = ["image", "degradation", "method", "psnr", "ssim", "error"]


# --------------------------------------------------------------------------- the machine
def machine() -> dict[str, Any]:
    """Date, commit, CPU model, the flags that matter, cores and load average."""
    commit = git_commit(ROOT)
    flags = cpu_flags() or frozenset()
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit,
        "cpu": cpu_model(),
        "flags": [f for f in FLAGS if f in flags],
        "cores": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


# --------------------------------------------------------------------------- a loopback cluster
class Cluster:
    """``dask scheduler`` and ``n`` ``dask worker`` processes on 127.0.0.1, each in its own process group."""

    def __init__(self, workers: int, logs: Path) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.address = f"tcp://127.0.0.1:{port}"
        logs.mkdir(parents=True, exist_ok=True)
        self.procs = [self._start(logs / "scheduler.log", "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                  "--no-dashboard")]
        for i in range(workers):
            self.procs.append(self._start(logs / f"worker{i}.log", "worker", self.address, "--host", "127.0.0.1",
                                          "--nworkers", "1", "--nthreads", "1", "--no-dashboard"))
        self.workers = workers

    @staticmethod
    def _start(log: Path, *args: str) -> subprocess.Popen:
        with log.open("w") as err:
            return subprocess.Popen([str(BIN / "dask"), *args], stdout=subprocess.DEVNULL, stderr=err,
                                    start_new_session=True)

    def wait(self, timeout: float = 120.0) -> float:
        """Seconds until every worker has joined."""
        from restoration.cluster import probe

        start = time.perf_counter()
        while time.perf_counter() - start < timeout:
            try:
                if probe(self.address, timeout=2.0).workers == self.workers:
                    return time.perf_counter() - start
            except RestorationError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"the loopback cluster did not start within {timeout:g} s")

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


# --------------------------------------------------------------------------- measuring
def measure(name: str, images: list[BenchmarkImage], degradations: list[str], methods: list[str], *,
            workers: int, scheduler: str | None = None) -> tuple[dict[str, Any], pd.DataFrame]:
    """Run the benchmark once on one backend; its wall time, rows/s and overhead per job."""
    start = time.perf_counter()
    frame = run_benchmark(images, degradations, methods, workers=workers, scheduler=scheduler)
    wall = time.perf_counter() - start
    jobs = len(images) * len(degradations)
    inside = float(frame["seconds"].sum())
    overhead = (wall * workers - inside) / jobs
    print(f"{name}: {len(frame)} rows in {wall:.1f} s", file=sys.stderr)
    return {"backend": name, "workers": workers, "jobs": jobs, "rows": len(frame), "wall_s": round(wall, 2),
            "rows_per_s": round(len(frame) / wall, 2), "method_s": round(inside, 2),
            "overhead_per_job_s": round(overhead, 3),
            "errors": int((frame["error"] != "").sum())}, frame


def survey_estimate(overhead: float, *, images: int = 500, shape: tuple[int, int, int] = (512, 512, 3),
                    workers: tuple[int, ...] = (1, 8, 64)) -> dict[str, Any]:
    """Time of the survey-scale run from the registry's costs, scaled to this machine (one core per worker)."""
    task = "combined"
    factor_np, factor_torch = machine_factor(), machine_factor(torch=True)
    torch_threads = int(calibration().get("costs_torch_threads", 1) or 1)
    per_method = {}
    for spec in REGISTRY.values():
        if task not in spec.tasks or spec.cost is None:
            continue
        seconds = spec.cost.seconds(shape)
        if spec.uses_torch:  # measured with that many threads: on one core, at most that many times slower
            seconds *= factor_torch * torch_threads
        else:
            seconds *= factor_np
        per_method[spec.name] = round(seconds, 3)
    job = sum(per_method.values())
    runs = {}
    for n in workers:
        rounds = math.ceil(images / n)
        runs[str(n)] = {"ideal_s": round(images * job / n, 1), "with_overhead_s": round(rounds * (job + overhead), 1)}
    return {"images": images, "shape": list(shape), "degradation": PRESETS[task].spec, "methods": per_method,
            "job_s": round(job, 2), "overhead_per_job_s": round(overhead, 3), "machine_factor_numpy":
            round(factor_np, 3), "machine_factor_torch": round(factor_torch, 3), "torch_threads_of_costs":
            torch_threads, "workers": runs}


def _duration(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    if seconds >= 60:
        return f"{seconds / 60:.1f} min"
    return f"{seconds:.1f} s"


def markdown(report: dict[str, Any]) -> str:
    """The report as Markdown."""
    m, setup, est = report["machine"], report["setup"], report["estimate"]
    lines = [
        "# Scale-out: local workers and a Dask cluster",
        "",
        f"Generated by `{' '.join(['python scripts/bench_scaleout.py', *report['argv']])}`.",
        "",
        f"_Measured {m['date']} on {m['cpu']}, {m['cores']} cores, flags {' '.join(m['flags']) or 'unknown'}; "
        f"commit {m['commit']}; load average {m['load_average_start'][0]:.2f} at the start, "
        f"{m['load_average'][0]:.2f} at the end._",
        "",
        "## Measured: the same benchmark in this process, in local processes and on a Dask cluster",
        "",
        f"{setup['images']} images ({setup['source']}) x `{'`, `'.join(setup['degradations'])}` x "
        f"{', '.join(setup['methods'])} (plus the degraded input): {setup['jobs']} jobs (one per image x "
        f"degradation, all its methods), {setup['rows']} rows. The cluster is a `dask scheduler` and "
        f"{setup['cluster_workers']} `dask worker --nworkers 1 --nthreads 1` processes on loopback, started "
        f"by the script (they joined in {setup['cluster_start_s']:.1f} s, not counted below). The first three runs "
        "start cold (fresh processes import the project on their first job); the last runs again on the same "
        "workers.",
        "",
        "| backend | workers | wall time | rows/s | methods' time (sum) | overhead per job |",
        "|---|---|---|---|---|---|",
    ]
    for r in report["runs"]:
        lines.append(f"| {r['backend']} | {r['workers']} | {r['wall_s']:.1f} s | {r['rows_per_s']:.2f} | "
                     f"{r['method_s']:.1f} s | {r['overhead_per_job_s']:.2f} s |")
    lines += [
        "",
        "*Overhead per job* = (wall time x workers - sum of the methods' own seconds) / jobs: the worker time "
        "a job costs beyond its methods -- degrading the image, scoring the results, starting worker processes "
        "and importing the project, sending the pixels, scheduling, and workers idle while the last jobs finish. "
        f"Rows of the cluster run equal to the local ones (PSNR, SSIM, errors): **{report['identical']}**.",
        "",
        "## Estimated: the survey-scale run",
        "",
        f"{est['images']} images of {est['shape'][1]}x{est['shape'][0]} RGB, `{est['degradation']}`, every method "
        f"that solves it ({len(est['methods'])}; the degraded input costs nothing). Per image, from the "
        "registry's measured seconds per megapixel scaled to this machine (machine factor "
        f"{est['machine_factor_numpy']:.2f} for NumPy methods, {est['machine_factor_torch']:.2f} for torch ones, "
        f"whose costs were measured with {est['torch_threads_of_costs']} threads and are counted that many times "
        "over on a one-core worker):",
        "",
        "| method | seconds per image |",
        "|---|---|",
    ]
    for name, seconds in sorted(est["methods"].items(), key=lambda kv: -kv[1]):
        lines.append(f"| {name} | {seconds:.2f} |")
    lines += [
        f"| **one job (all methods)** | **{est['job_s']:.1f}** |",
        "",
        f"On workers of one core each, with the overhead per job measured on the cluster above "
        f"({est['overhead_per_job_s']:.2f} s): wall time = ceil({est['images']} / workers) x (job + overhead).",
        "",
        "| workers | ideal (no overhead) | with the measured overhead |",
        "|---|---|---|",
    ]
    for n, w in est["workers"].items():
        lines.append(f"| {n} | {_duration(w['ideal_s'])} | {_duration(w['with_overhead_s'])} |")
    top = max(int(n) for n in est["workers"])
    rounds = math.ceil(est["images"] / top)
    last = est["images"] - (rounds - 1) * top
    lines += [
        "",
        f"A job is one image with all its methods, so {top} workers run {rounds} rounds of {est['images']} jobs "
        f"(the last one with {last} of {top} busy). The overhead is the warm cluster's (a long run pays the "
        "workers' start once); it includes the idle workers at the end of the short run above, so it leans "
        "high. Real clusters add what this estimate leaves out: cores slower or faster than this machine's, "
        f"and the network ({est['shape'][0]}x{est['shape'][1]} RGB is "
        f"{est['shape'][0] * est['shape'][1] * est['shape'][2] * 4 / 1e6:.1f} MB of float32 pixels per job).",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Measure, estimate, write the report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", default="gallery", help="'gallery' or a folder (default: gallery)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N images")
    parser.add_argument("--degrade", default="gaussian_noise(sigma=25)")
    parser.add_argument("--methods", default="median,wavelet,tv,nlm")
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks" / "scaleout.md"),
                        help="the Markdown report (the JSON goes beside it)")
    args = parser.parse_args(argv)

    load_start = [round(x, 2) for x in os.getloadavg()]
    images = collect_images(args.images)
    if args.limit:
        images = images[: args.limit]
    images = [BenchmarkImage(i.name, i.category, pixels=i.load()) for i in images]  # decoded once, for all runs
    degradations = [args.degrade]
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]

    runs, frames = [], {}
    for name, workers in (("this process", 1), ("local processes", 2)):
        row, frames[name] = measure(name, images, degradations, methods, workers=workers)
        runs.append(row)
    out = Path(args.out)
    logs = Path(tempfile.mkdtemp(prefix="scaleout-logs-"))
    cluster = Cluster(2, logs)
    try:
        start_s = cluster.wait()
        for name in ("cluster", "cluster, warm"):  # the second run finds the workers with the project imported
            row, frames[name] = measure(f"Dask {name} (loopback)", images, degradations, methods, workers=2,
                                        scheduler=cluster.address)
            runs.append(row)
    finally:
        cluster.stop()
        shutil.rmtree(logs, ignore_errors=True)
    a, b = frames["this process"][METRICS], frames["cluster"][METRICS]
    identical = "yes" if a.reset_index(drop=True).equals(b.reset_index(drop=True)) else "NO"

    report = {
        "machine": {**machine(), "load_average_start": load_start},
        "argv": list(argv if argv is not None else sys.argv[1:]),
        "setup": {"source": args.images, "images": len(images), "degradations": degradations, "methods": methods,
                  "jobs": runs[0]["jobs"], "rows": runs[0]["rows"], "cluster_workers": 2,
                  "cluster_start_s": round(start_s, 2)},
        "runs": runs,
        "identical": identical,
        "estimate": survey_estimate(max(runs[-1]["overhead_per_job_s"], 0.0)),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(markdown(report), encoding="utf-8")
    out.with_suffix(".json").write_text(json.dumps(report, indent=1, default=_json), encoding="utf-8")
    print(f"wrote {out} and {out.with_suffix('.json')}", file=sys.stderr)
    return 0 if identical == "yes" else 1


def _json(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else str(value)


if __name__ == "__main__":
    raise SystemExit(main())
