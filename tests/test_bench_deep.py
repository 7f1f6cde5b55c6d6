"""The deep benchmark's emulated AVX2-only CPU (scripts/bench_deep.py, section ``speed_avx2``).

The issue's speed bars are set for float32 on an AVX2-only CPU. The section measures them on a newer CPU by
capping every library at AVX2 in a child process; these tests check that the cap really takes effect in a
child, that the child refuses to measure when it does not, and what the report says about such a section.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from restoration.deep import precision
from scripts import bench_deep

HAS_AVX2 = "avx2" in (precision.cpu_flags() or ())


def _env(cap: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in (*bench_deep.avx2_env(), *precision.ISA_CAP_ENVS, precision.BF16_ENV)}
    return {**env, **bench_deep.avx2_env()} if cap else env


@pytest.mark.skipif(not HAS_AVX2, reason="the cap emulates an AVX2 CPU on a CPU that has AVX2")
def test_the_avx2_cap_takes_effect_in_a_child_process() -> None:
    probe = ("import torch; from numpy._core._multiarray_umath import __cpu_features__ as f; "
             "from restoration.deep.precision import bf16_native; "
             "print(torch.backends.cpu.get_cpu_capability(), bool(f.get('X86_V4')), bf16_native())")
    out = subprocess.run([sys.executable, "-c", probe], env=_env(cap=True), capture_output=True, text=True,
                         check=True, timeout=120)
    assert out.stdout.split() == ["AVX2", "False", "False"]


def test_the_capped_child_refuses_to_measure_where_the_cap_did_not_take(tmp_path) -> None:
    target = tmp_path / "speed.json"
    env = {**_env(cap=False), "ATEN_CPU_CAPABILITY": "default"}  # ATen not at AVX2, on any CPU
    out = subprocess.run([sys.executable, bench_deep.__file__, "--capped-speed-to", str(target)], env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode != 0 and "the AVX2 cap did not take effect (ATen DEFAULT" in out.stderr
    assert not target.exists()


def test_a_capped_speed_section_is_rendered_with_its_caveat_and_the_bars() -> None:
    times = [["cnn_denoise", "512x512 colour, float32", 0.4, 0.38],
             ["cnn_combined", "combined to 512x512 colour, float32", 2.0, 1.9],
             ["bm3d", "512x512 colour", 8.0, 7.9],
             ["classic_chain", "combined to 512x512 colour", 4.0, 3.9],
             ["pnp", "deblur 512x512 colour (default precision)", 3.0, 2.9]]
    res = {"speed_avx2": {"data": {"times": times, "bf16_native": False, "rounds": 5, "load": 1.0,
                                   "weights_mb": 14.3},
                          "meta": {"when": "2026-12-05 18:30 UTC", "seconds": 200.0,
                                   "machine": "some CPU, instruction set capped at AVX2"}}}
    text = "\n".join(bench_deep.render(res, {}))
    assert "## Speed on an AVX2-only CPU, emulated" in text
    assert "capped at AVX2" in text and "the cores, clocks, caches and memory are this machine's" in text
    assert "Under the AVX2 cap the registry default precision is float32" in text
    assert "`cnn_denoise` colour in float32 takes 0.05 x the time of `bm3d`" in text
    assert "`cnn_combined` in float32 takes 0.50 x the time of `classic_chain`" in text
    assert "`pnp` colour deblurring (float32) takes 0.38 x the time of `bm3d`" in text
    assert "Shipped weights in total" not in text  # stated once, by the uncapped section
