"""Arithmetic precision by what the hardware executes natively, never by assumption.

bfloat16 halves the memory traffic of a convolution and, on a CPU that executes it natively
(AVX-512 BF16 or AMX), runs a network about twice as fast as float32. A CPU without those
instructions (AVX2-only laptops, many servers) *emulates* bf16 in PyTorch, 8-14x slower than
float32 (measured, ../shared/TRAINING-NOTES.md). So reduced precision is used only where it is
native:

* Linux: the ``avx512_bf16`` / ``amx_bf16`` flags of ``/proc/cpuinfo`` (torch's
  ``torch.backends.cpu.get_cpu_capability()`` does not tell: it reports ``AVX512`` on a CPU with
  ``avx512_bf16``, as on the project's machine);
* elsewhere: a one-off timing of one convolution in both precisions at first use (bf16 is taken
  only when it is clearly faster).

``RESTORATION_BF16=1`` / ``0`` overrides the decision (a server administrator who measured, and the
tests of both branches).
"""

from __future__ import annotations

import functools
import os
import time
from pathlib import Path

__all__ = ["BF16_ENV", "bf16_native", "cpu_flags", "cpu_model", "native_bf16_flags"]

#: Environment variable forcing the decision (``1``/``0``; unset: detect).
BF16_ENV = "RESTORATION_BF16"
_NATIVE_FLAGS = ("avx512_bf16", "amx_bf16")


def cpu_flags(cpuinfo: str | Path = "/proc/cpuinfo") -> frozenset[str] | None:
    """The instruction-set flags of the first CPU in ``cpuinfo`` (None where it cannot be read)."""
    try:
        with open(cpuinfo, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.startswith(("flags", "Features")):
                    return frozenset(line.split(":", 1)[1].split())
    except OSError:
        return None
    return None


def cpu_model(cpuinfo: str | Path = "/proc/cpuinfo") -> str:
    """The CPU's model name (``platform.processor()`` or the machine type where cpuinfo cannot be read)."""
    import platform

    try:
        with open(cpuinfo, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "cpu"


def native_bf16_flags(flags: frozenset[str]) -> bool:
    """Whether these CPU flags include a native bfloat16 instruction set."""
    return any(f in flags for f in _NATIVE_FLAGS)


def _timed_bf16_faster() -> bool:
    """One-off timing of a 64-channel 3x3 convolution in float32 and bf16 (about 0.1 s)."""
    import torch

    conv = torch.nn.Conv2d(64, 64, 3, padding=1).eval()
    x = torch.rand(1, 64, 96, 96)

    def run(bf16: bool) -> float:
        best = float("inf")
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            for _ in range(3):
                t = time.perf_counter()
                conv(x)
                best = min(best, time.perf_counter() - t)
        return best

    run(False), run(True)  # warm-up
    return run(True) < 0.8 * run(False)


@functools.lru_cache(maxsize=1)
def _detected() -> bool:
    flags = cpu_flags()
    if flags is not None:
        return native_bf16_flags(flags)
    return _timed_bf16_faster()


def bf16_native() -> bool:
    """Whether bfloat16 inference pays on this machine's CPU (see the module docstring).

    Returns
    -------
    bool
        ``RESTORATION_BF16`` when set to 0/1; otherwise True only where the CPU executes bf16 natively.
    """
    forced = os.environ.get(BF16_ENV, "").strip().lower()
    if forced in ("1", "true", "yes", "on"):
        return True
    if forced in ("0", "false", "no", "off"):
        return False
    return _detected()
