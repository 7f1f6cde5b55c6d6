"""Precision by capability: bfloat16 only where the CPU executes it natively (restoration.deep.precision).

Both branches: a CPU with ``avx512_bf16`` (or AMX) gets bf16 by default in cnn_denoise (gray and colour),
cnn_combined and the CNN prior of pnp; an AVX2-only CPU gets float32 everywhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from scenes import make_scene

from restoration import degrade, get_algorithm
from restoration.deep import precision
from restoration.degradations import PRESETS

AVX512_BF16 = "fpu sse sse2 avx avx2 fma avx512f avx512bw avx512vl avx512_bf16 avx512_vnni"
AVX2_ONLY = "fpu sse sse2 sse4_1 sse4_2 avx avx2 fma f16c bmi1 bmi2"


def _cpuinfo(tmp_path: Path, flags: str, key: str = "flags") -> Path:
    path = tmp_path / "cpuinfo"
    path.write_text(
        "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC\n"
        f"{key}\t\t: {flags}\n\nprocessor\t: 1\n{key}\t\t: something else\n"
    )
    return path


@pytest.fixture
def cpu(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Set the CPU flags the detection sees (no RESTORATION_BF16); the cached decision is reset around the test."""
    monkeypatch.delenv(precision.BF16_ENV, raising=False)
    for name in precision.ISA_CAP_ENVS:
        monkeypatch.delenv(name, raising=False)
    precision._detected.cache_clear()

    def set_flags(flags: str | None) -> None:
        found = None if flags is None else frozenset(flags.split())
        monkeypatch.setattr(precision, "cpu_flags", lambda cpuinfo="/proc/cpuinfo": found)
        precision._detected.cache_clear()

    yield set_flags
    precision._detected.cache_clear()


# --------------------------------------------------------------------------- reading the CPU
def test_cpu_flags_are_read_from_the_first_cpu_of_a_cpuinfo_file(tmp_path: Path) -> None:
    flags = precision.cpu_flags(_cpuinfo(tmp_path, AVX512_BF16))
    assert flags == frozenset(AVX512_BF16.split()) and "something" not in flags
    arm = precision.cpu_flags(_cpuinfo(tmp_path, "fp asimd bf16", key="Features"))  # ARM says Features
    assert arm == {"fp", "asimd", "bf16"}
    assert precision.cpu_flags(tmp_path / "missing") is None
    (tmp_path / "empty").write_text("processor\t: 0\n")
    assert precision.cpu_flags(tmp_path / "empty") is None


def test_native_bf16_needs_avx512_bf16_or_amx() -> None:
    assert precision.native_bf16_flags(frozenset(AVX512_BF16.split()))
    assert precision.native_bf16_flags(frozenset({"avx2", "amx_bf16", "amx_tile"}))
    assert not precision.native_bf16_flags(frozenset(AVX2_ONLY.split()))
    assert not precision.native_bf16_flags(frozenset({"avx512f", "avx512bw"}))  # AVX-512 without BF16: emulated


def test_detection_follows_the_flags(cpu) -> None:
    cpu(AVX512_BF16)
    assert precision.bf16_native() is True
    cpu(AVX2_ONLY)
    assert precision.bf16_native() is False


def test_without_flags_a_one_off_timing_decides(cpu, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    monkeypatch.setattr(precision, "_timed_bf16_faster", lambda: calls.append(1) or True)
    cpu(None)  # not Linux: no /proc/cpuinfo
    assert precision.bf16_native() is True and precision.bf16_native() is True
    assert calls == [1]  # timed once per process


def test_the_environment_overrides_the_detection(cpu, monkeypatch: pytest.MonkeyPatch) -> None:
    cpu(AVX2_ONLY)
    monkeypatch.setenv(precision.BF16_ENV, "1")
    assert precision.bf16_native() is True
    cpu(AVX512_BF16)
    monkeypatch.setenv(precision.BF16_ENV, "off")
    assert precision.bf16_native() is False


@pytest.mark.parametrize(("cap", "expected"), [
    ("AVX2", False), ("avx512_core", False), ("AVX512_CORE_VNNI", False), ("AVX2_VNNI_2", False),
    ("AVX512_CORE_BF16", True), ("AVX512_CORE_AMX", True), ("AVX10_1_512_AMX_FP16", True), ("ALL", True), ("", True)])
def test_an_instruction_set_cap_below_bf16_means_float32(cpu, monkeypatch: pytest.MonkeyPatch, cap: str,
                                                         expected: bool) -> None:
    cpu(AVX512_BF16)
    monkeypatch.setenv("ONEDNN_MAX_CPU_ISA", cap)
    assert precision.bf16_native() is expected
    cpu(AVX2_ONLY)  # a cap never adds what the CPU lacks
    assert precision.bf16_native() is False


def test_the_older_name_of_the_cap_counts_too(cpu, monkeypatch: pytest.MonkeyPatch) -> None:
    cpu(AVX512_BF16)
    monkeypatch.setenv("DNNL_MAX_CPU_ISA", "avx2")
    assert precision.isa_cap() == "AVX2" and precision.bf16_native() is False
    monkeypatch.setenv(precision.BF16_ENV, "1")  # the override still wins
    assert precision.bf16_native() is True


# --------------------------------------------------------------------------- the defaults of the deep methods
@pytest.mark.parametrize(("flags", "expected"), [(AVX512_BF16, True), (AVX2_ONLY, False)])
def test_deep_defaults_use_bf16_only_where_native(cpu, flags: str, expected: bool) -> None:
    cpu(flags)
    denoise = get_algorithm("cnn_denoise")
    for colour in (False, True):
        observation = degrade(make_scene(32, 32, colour=colour), "gaussian_noise(sigma=25)", seed=0)
        assert denoise.defaults_for(observation)["bf16"] is expected, colour
    combined = degrade(make_scene(48, 48, colour=True), PRESETS["combined"].spec, seed=0)
    assert get_algorithm("cnn_combined").defaults_for(combined)["bf16"] is expected
    # without an observation (no tuning) the spec's safe default stays float32
    assert denoise.defaults_for(None)["bf16"] is False


@pytest.mark.parametrize(("flags", "expected"), [(AVX512_BF16, True), (AVX2_ONLY, False)])
def test_the_cnn_prior_of_pnp_uses_bf16_only_where_native(cpu, monkeypatch: pytest.MonkeyPatch, flags: str,
                                                          expected: bool) -> None:
    from restoration.deep import runners
    from restoration.registry import denoiser

    seen = {}
    monkeypatch.setattr(runners, "denoise_cnn", lambda image, *, sigma, bf16=False: seen.setdefault("bf16", bf16))
    cpu(flags)
    denoiser("cnn_denoise")(make_scene(16, 16), 10.0)
    assert seen["bf16"] is expected
