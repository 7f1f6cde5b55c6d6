"""Provenance: what a result depends on, as a fingerprint that changes whenever the result may.

A cached benchmark row is only reusable while everything that produced it is the same: the package version and
its code, the method's resolved parameters, and the bytes of the weights or dictionaries the method reads. This
module computes that fingerprint; :mod:`restoration.benchmark` puts it in every row's cache key, so a changed
weight file, default or line of library code misses the cache instead of serving an old number as new.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__

if TYPE_CHECKING:
    from .observation import Observation

__all__ = ["ASSETS_DIR", "code_digest", "file_sha256", "git_commit", "method_fingerprint", "report_stamp"]

#: Where the shipped weights and dictionaries live (``assets/`` at the repository root).
ASSETS_DIR = Path(__file__).resolve().parents[1] / "assets"
_PACKAGE_DIR = Path(__file__).resolve().parent


@functools.lru_cache(maxsize=64)
def _sha256_of(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_sha256(path: str | Path) -> str:
    """sha256 of a file's bytes (memoised by path, size and modification time); ``"missing"`` if absent.

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    str
        Hex digest.
    """
    p = Path(path)
    try:
        stat = p.stat()
    except OSError:
        return "missing"
    return _sha256_of(str(p), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    """sha256 over the source of every module of the ``restoration`` package (computed once per process).

    Returns
    -------
    str
        Hex digest; any edit to the library's code changes it.
    """
    digest = hashlib.sha256()
    for path in sorted(_PACKAGE_DIR.rglob("*.py")):
        digest.update(str(path.relative_to(_PACKAGE_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def method_fingerprint(
    name: str, params: Mapping[str, Any] | None = None, observation: Observation | None = None
) -> dict[str, Any]:
    """Everything besides the input pixels that decides a method's result.

    Parameters
    ----------
    name : str
        Registry name (``"degraded"``, the un-restored input, is accepted and depends on the code only).
    params : mapping, optional
        The user's parameter values.
    observation : Observation, optional
        The input: the other parameters are resolved for it exactly as
        :func:`~restoration.registry.run_algorithm` resolves them (defaults tuned to its noise level, the
        precision this CPU runs in, ...); without it, the spec's static defaults.

    Returns
    -------
    dict
        ``version``, ``code`` (:func:`code_digest`), ``params`` (resolved) and ``assets`` (the sha256 of every
        file under ``assets/`` the method reads, including those of a denoiser it uses as its prior).
    """
    from .registry import REGISTRY, get_algorithm

    if name == "degraded":
        return {"version": __version__, "code": code_digest(), "params": {}, "assets": {}}
    spec = get_algorithm(name)
    resolved = spec.resolve(params, observation)
    assets = list(spec.assets)
    prior = resolved.get("denoiser")
    if isinstance(prior, str) and prior in REGISTRY:
        assets += REGISTRY[prior].assets
    return {
        "version": __version__,
        "code": code_digest(),
        "params": json.loads(json.dumps(dict(sorted(resolved.items())), default=str)),
        "assets": {rel: file_sha256(ASSETS_DIR / rel) for rel in sorted(set(assets))},
    }


def git_commit(root: str | Path | None = None) -> str:
    """The short commit a report is measured on, with ``" + uncommitted changes"`` when tracked files differ.

    Parameters
    ----------
    root : str or Path, optional
        The checkout (default: the repository this package lives in).

    Returns
    -------
    str
        E.g. ``"4f781be"`` or ``"4f781be + uncommitted changes"``; ``"unknown"`` outside a git checkout.
    """
    import subprocess

    where = Path(root) if root is not None else ASSETS_DIR.parent
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=where, capture_output=True, text=True,
                                check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=where,
                               capture_output=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + (" + uncommitted changes" if dirty else "")


#: The instruction-set flags a report names: they decide which precision and which kernels run.
STAMP_FLAGS = ("avx", "avx2", "fma", "avx512f", "avx512bw", "avx512_vnni", "avx512_bf16", "amx_bf16")


def report_stamp(root: str | Path | None = None) -> str:
    """One Markdown line that says when, on what and at which commit a report section was measured.

    Parameters
    ----------
    root : str or Path, optional
        The checkout whose commit is named (default: this package's repository).

    Returns
    -------
    str
        E.g. ``"_Measured 2026-12-04 23:40 UTC on AMD EPYC, 2 cores, flags avx avx2 fma avx512f; commit 4f781be;
        load average 1.9, 1.5, 1.2._"`` -- the load average (1/5/15 min) is taken when the line is written, so
        write it at the end of the measurement.
    """
    import datetime
    import os

    from .deep.precision import cpu_flags, cpu_model  # no torch: flags come from /proc/cpuinfo

    flags = cpu_flags() or frozenset()
    shown = " ".join(f for f in STAMP_FLAGS if f in flags) or "unknown"
    date = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    try:
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        load = "unknown"
    return (f"_Measured {date} on {cpu_model()}, {os.cpu_count()} cores, flags {shown}; "
            f"commit {git_commit(root)}; load average {load} at the end._")
