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

An instruction-set cap set for oneDNN (``ONEDNN_MAX_CPU_ISA``, e.g. ``AVX2``) below its bf16 level
also means float32: oneDNN runs PyTorch's convolutions, and under such a cap it emulates bf16 (measured
on an AMX machine, one 64-channel convolution: 0.006 s in bf16 uncapped, 1.7 s capped at ``AVX2``, 0.03 s
capped at ``AVX512_CORE``, against 0.011-0.017 s in float32). The cap is how
``scripts/bench_deep.py --only speed_avx2`` measures an AVX2-only CPU on a newer one.

``RESTORATION_BF16=1`` / ``0`` overrides the decision (a server administrator who measured, and the
tests of both branches).
"""

from __future__ import annotations

import functools
import os
import time
from pathlib import Path

__all__ = ["BF16_ENV", "ISA_CAP_ENVS", "bf16_native", "cpu_flags", "cpu_model", "isa_allows_bf16", "isa_cap",
           "native_bf16_flags"]

#: Environment variable forcing the decision (``1``/``0``; unset: detect).
BF16_ENV = "RESTORATION_BF16"
_NATIVE_FLAGS = ("avx512_bf16", "amx_bf16")
#: Environment variables capping the instruction set of oneDNN (the second is its older name).
ISA_CAP_ENVS = ("ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA")


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


def isa_cap() -> str | None:
    """The instruction-set cap set for oneDNN in the environment (upper case; None where none is set)."""
    for name in ISA_CAP_ENVS:
        value = os.environ.get(name, "").strip().upper()
        if value:
            return value
    return None


def isa_allows_bf16(cap: str | None) -> bool:
    """Whether oneDNN still runs bf16 natively under this cap (None, ``ALL`` or ``DEFAULT``: no cap).

    oneDNN's levels with native bf16 name it (``AVX512_CORE_BF16``) or come after it: ``AVX512_CORE_FP16``,
    the ``..._AMX`` levels and ``AVX10_*``. ``AVX2``, ``AVX2_VNNI(_2)``, ``AVX512_CORE`` and
    ``AVX512_CORE_VNNI`` emulate it.
    """
    if cap is None or cap in ("ALL", "DEFAULT"):
        return True
    return "BF16" in cap or "AMX" in cap or "FP16" in cap or cap.startswith("AVX10")


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
        ``RESTORATION_BF16`` when set to 0/1; otherwise True only where the CPU executes bf16 natively
        and no instruction-set cap (:func:`isa_cap`) makes oneDNN emulate it.
    """
    forced = os.environ.get(BF16_ENV, "").strip().lower()
    if forced in ("1", "true", "yes", "on"):
        return True
    if forced in ("0", "false", "no", "off"):
        return False
    return isa_allows_bf16(isa_cap()) and _detected()
