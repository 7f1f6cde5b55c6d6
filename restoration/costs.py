"""What a run costs on the machine at hand: measured costs per method, scaled to this machine.

``scripts/bench_costs.py --write`` measures every method's seconds per megapixel of output on a
reference machine (its slowest task, tuned defaults, after a warm-up) and writes them to
:data:`COSTS_FILE`, together with that machine (CPU model and flags, torch's capability, cores, load
average, date, commit) and the times there of two small fixed *calibration workloads*:

* :func:`numpy_workload`: FFTs, sorting, a box filter and pointwise maths (the stuff of the classic
  methods), single-threaded;
* :func:`torch_workload`: 3x3 convolutions of the shipped networks' width, on one thread, in the
  precision the deep runners choose on that CPU (bfloat16 only where it is native,
  :func:`restoration.deep.precision.bf16_native`).

The registry specs read their :class:`~restoration.algorithm.RunCost` from that file
(:func:`measured_cost`). At first use in a process, :func:`machine_factor` runs the same workloads
here (a few tenths of a second) and divides by the reference times: a machine twice as slow, or one
that emulates bfloat16, gets estimates twice as long. The workloads run on one thread, timed in that
thread's CPU time, fastest of a few repeats, so they measure the CPU rather than the load of the
moment; what the load does is caught by :func:`record_run`: runs through :func:`restoration.run_algorithm` at default
parameters leave their seconds per megapixel in a small per-process table, and
:func:`restoration.budget.estimate` never promises less than what was just observed.

Only :func:`machine_factor` for a torch method imports torch; reading the file is light.
"""

from __future__ import annotations

import functools
import json
import math
import os
import statistics
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .algorithm import RunCost

__all__ = [
    "COSTS_FILE",
    "FACTOR_ENV",
    "FACTOR_RANGE",
    "calibration",
    "clear_observed",
    "load_costs",
    "machine_factor",
    "measured_cost",
    "numpy_workload",
    "observed_seconds",
    "record_run",
    "torch_workload",
]

#: The measured costs and their calibration (written by ``scripts/bench_costs.py --write``).
COSTS_FILE = Path(__file__).resolve().parent / "data" / "costs.json"
#: Environment variable fixing the machine factor (a number; unset: measure it at first use).
FACTOR_ENV = "RESTORATION_MACHINE_FACTOR"
#: The machine factor is clipped to this range (a broken timing must not make the budget absurd).
FACTOR_RANGE = (0.25, 20.0)
#: Runs on fewer megapixels of output are not recorded (fixed overheads would dominate them).
MIN_OBSERVED_MP = 0.05
#: Observations kept per method and kind of image; their median counts.
OBSERVED_RUNS = 3
#: At most this many (method, gray/colour) entries in the table of observed runs.
MAX_OBSERVED = 128


# --------------------------------------------------------------------------- the data file
@functools.lru_cache(maxsize=1)
def load_costs() -> dict[str, Any]:
    """The content of :data:`COSTS_FILE` (empty when it is missing or unreadable: no method then has a cost)."""
    try:
        return json.loads(COSTS_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def measured_cost(name: str) -> RunCost | None:
    """The measured cost of method ``name`` from :data:`COSTS_FILE`.

    Returns
    -------
    RunCost or None
        None when the file has no entry for ``name``: the method is then never held back by the time
        budget (``tests/test_budget.py`` fails on a registered method without an entry).
    """
    entry = load_costs().get("costs", {}).get("methods", {}).get(name)
    if not entry:
        return None
    return RunCost(gray=float(entry["gray"]), colour=float(entry["colour"]), fixed=float(entry.get("fixed", 0.0)))


def calibration() -> dict[str, Any]:
    """The reference times of the calibration workloads (``numpy_s``, ``torch_s``, ...), or ``{}``."""
    return load_costs().get("calibration", {})


# --------------------------------------------------------------------------- calibration workloads
def _clock() -> Any:
    """The calling thread's CPU time where it is precise (Linux, macOS), else wall time.

    CPU time leaves out the moments the thread waits for a core, so a calibration taken beside
    another job measures the CPU rather than the load (the wall time of a niced process beside a
    training job was 2.5x its CPU time).
    """
    return time.thread_time if time.get_clock_info("thread_time").resolution <= 1e-5 else time.perf_counter


def _best_of(run: Any, repeats: int) -> float:
    clock = _clock()
    # Freeing one 16 MB block makes glibc serve the workloads' megabyte arrays from its heap, as in any
    # process that has freed a large array; otherwise each run maps fresh pages, and the page faults
    # (half the time, measured) would depend on what the process did before.
    np.empty(2_000_000)
    run()  # warm-up: allocations, caches, lazy initialisation
    best = math.inf
    for _ in range(repeats):
        start = clock()
        run()
        best = min(best, clock() - start)
    return best


def numpy_workload(repeats: int = 5) -> float:
    """Seconds of a fixed single-threaded NumPy workload (fastest of ``repeats``; about 0.03 s each).

    Real FFTs, a sort along rows, a 5x5 box filter by cumulative sums and pointwise exponentials on
    a 384x384 image: the operations the classic methods spend their time in. No BLAS (its thread
    count would measure the number of cores, not their speed).
    """
    rng = np.random.default_rng(0)
    x = rng.random((384, 384), dtype=np.float32)
    # a low-pass gain without underflow: denormal numbers would make the time depend on the FPU's
    # flush-to-zero mode, which torch switches on
    gain = 1.0 / (1.0 + np.add.outer(np.arange(384.0) ** 2, np.arange(193.0) ** 2) / 5000.0)

    def run() -> float:
        total = 0.0
        for _ in range(3):
            y = np.fft.irfft2(np.fft.rfft2(x) * gain, s=x.shape)
            s = np.sort(x, axis=1)
            c = np.cumsum(np.cumsum(np.pad(x, 3), axis=0), axis=1)
            box = c[5:, 5:] - c[:-5, 5:] - c[5:, :-5] + c[:-5, :-5]
            total += float(y[0, 0] + s[0, 0] + box[0, 0] + np.exp(-x * x).sum())
        return total

    return _best_of(run, repeats)


def torch_workload(bf16: bool, repeats: int = 5) -> float:
    """Seconds of four 64-channel 3x3 convolutions on a 96x96 map, on one thread (fastest of ``repeats``).

    The size of one tile of the shipped networks' feature maps, in channels-last layout as they run;
    ``bf16`` runs it under bfloat16 autocast as the deep runners do. Torch's thread count is set to
    one for the measurement and restored after it (measuring the speed of a core, not the count).
    """
    import torch
    import torch.nn.functional as F

    from .deep.inference import configure_threads

    configure_threads()  # first, so that the runners' own first call does not change threads afterwards
    gen = torch.Generator().manual_seed(0)  # not the global generator: no side effect on seeded code
    x = torch.rand(1, 64, 96, 96, generator=gen).contiguous(memory_format=torch.channels_last)
    w = (torch.randn(64, 64, 3, 3, generator=gen) * 0.05).contiguous(memory_format=torch.channels_last)

    def run() -> None:
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            y = x
            for _ in range(4):
                y = F.relu(F.conv2d(y, w, padding=1))

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return _best_of(run, repeats)
    finally:
        torch.set_num_threads(threads)


def torch_threads() -> int:
    """The number of threads the deep runners use here (imports torch)."""
    import torch

    from .deep.inference import configure_threads

    configure_threads()
    return torch.get_num_threads()


# --------------------------------------------------------------------------- the machine factor
_factor_lock = threading.Lock()
_factors: dict[str, float] = {}


def _forced_factor() -> float | None:
    text = os.environ.get(FACTOR_ENV, "").strip()
    try:
        value = float(text) if text else math.nan
    except ValueError:
        value = math.nan  # malformed: ignored, the factor is measured
    return value if math.isfinite(value) and value > 0 else None


def _clip(factor: float) -> float:
    low, high = FACTOR_RANGE
    return float(min(max(factor, low), high)) if math.isfinite(factor) else 1.0


def _measure(kind: str) -> float:
    """The factor of ``kind`` (``"numpy"`` or ``"torch"``); call with :data:`_factor_lock` held."""
    if kind in _factors:
        return _factors[kind]
    ref = calibration()
    if kind == "numpy":
        factor = numpy_workload() / ref["numpy_s"] if ref.get("numpy_s") else 1.0
    else:
        from .deep.precision import bf16_native

        # a torch method also runs NumPy around its network: the slower of the two speeds counts
        factor = _measure("numpy")
        try:
            if ref.get("torch_s"):
                per_core = torch_workload(bf16_native()) / ref["torch_s"]
                # the reference costs used that many threads; fewer here are slower (more are taken as no faster)
                fewer = max(1.0, float(ref.get("costs_torch_threads", 1)) / torch_threads())
                factor = max(factor, per_core * fewer)
        except (ImportError, RuntimeError):  # no usable torch: the method will say so when it runs
            pass
    _factors[kind] = _clip(factor)
    return _factors[kind]


def machine_factor(*, torch: bool = False) -> float:
    """How much slower this machine runs the methods than the reference machine of :data:`COSTS_FILE`.

    Measured once per process at first use (thread-safe; about 0.2 s, plus importing torch the first
    time for ``torch=True``), clipped to :data:`FACTOR_RANGE`; 1.0 when the file has no calibration.

    Parameters
    ----------
    torch : bool
        For a method that runs a torch network (``AlgorithmSpec.uses_torch``): the larger of the
        NumPy factor and the torch factor, which also covers the precision chosen here (bfloat16
        only where the CPU executes it natively) and fewer threads than the reference had.

    Returns
    -------
    float
        ``RESTORATION_MACHINE_FACTOR`` when it is set to a positive number, otherwise the measurement.
    """
    forced = _forced_factor()
    if forced is not None:
        return _clip(forced)
    kind = "torch" if torch else "numpy"
    with _factor_lock:
        return _measure(kind)


# --------------------------------------------------------------------------- runs observed in this process
_observed_lock = threading.Lock()
_warmed: set[str] = set()
_observed: OrderedDict[tuple[str, bool], deque[float]] = OrderedDict()


def _is_colour(shape: Sequence[int]) -> bool:
    return len(shape) == 3 and shape[2] > 1


def record_run(name: str, shape: Sequence[int], seconds: float) -> None:
    """Remember that method ``name`` took ``seconds`` for an output of ``shape`` here, at default parameters.

    The first run of each method in a process is not kept (it imports, loads weights, warms caches),
    nor runs on fewer than :data:`MIN_OBSERVED_MP` megapixels; the table is bounded
    (:data:`MAX_OBSERVED` entries of :data:`OBSERVED_RUNS` runs).
    """
    megapixels = shape[0] * shape[1] / 1e6
    with _observed_lock:
        if name not in _warmed:
            _warmed.add(name)
            return
        if megapixels < MIN_OBSERVED_MP or not math.isfinite(seconds):
            return
        key = (name, _is_colour(shape))
        runs = _observed.pop(key, None) or deque(maxlen=OBSERVED_RUNS)
        runs.append(seconds / megapixels)
        _observed[key] = runs  # most recently used last
        while len(_observed) > MAX_OBSERVED:
            _observed.popitem(last=False)


def observed_seconds(name: str, shape: Sequence[int]) -> float:
    """Seconds that method ``name`` took here lately for an output of ``shape`` (NaN when never observed)."""
    with _observed_lock:
        runs = _observed.get((name, _is_colour(shape)))
        per_mp = statistics.median(runs) if runs else math.nan
    return per_mp * shape[0] * shape[1] / 1e6


def clear_observed() -> None:
    """Forget the observed runs (and which methods have warmed up)."""
    with _observed_lock:
        _observed.clear()
        _warmed.clear()
