"""Licence guard: no file of the standard datasets is in the repository (they have no licence to redistribute).

The hash list is kept in ``tests/data/dataset_sha256.txt`` (hashes only), so the guard runs wherever the tests run,
CI included, with or without ``../shared/datasets``. It catches byte-identical copies (a dataset image committed as
a sample, a fixture or a screenshot input); a re-encoded image has other bytes and is not caught.
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HASHES = ROOT / "tests" / "data" / "dataset_sha256.txt"
SHARED_LIST = ROOT.parent / "shared" / "datasets" / "SHA256"


def _forbidden(path: Path = HASHES) -> set[str]:
    return {line.split()[0].lower() for line in path.read_text().splitlines() if line.strip() and line[0] != "#"}


def _offenders(files: list[Path], forbidden: set[str]) -> list[str]:
    return [str(p) for p in files if hashlib.sha256(p.read_bytes()).hexdigest() in forbidden]


def _repository_files() -> list[Path]:
    """Every file git tracks plus every untracked file it does not ignore (what a commit could take in)."""
    try:
        out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                             capture_output=True, check=True).stdout
        return [ROOT / name for name in out.decode().split("\0") if name]
    except (OSError, subprocess.CalledProcessError):  # not a git checkout: every file but the environment
        return [p for p in ROOT.rglob("*") if p.is_file() and ".venv" not in p.parts and ".git" not in p.parts]


def test_the_hash_list_is_complete() -> None:
    forbidden = _forbidden()
    assert len(forbidden) >= 800 and all(len(h) == 64 for h in forbidden)
    if SHARED_LIST.is_file():  # where the datasets are at hand, the kept list must match theirs
        shared = {line.split()[0].lower() for line in SHARED_LIST.read_text().splitlines() if line.strip()}
        assert shared <= forbidden, f"{len(shared - forbidden)} dataset files missing from {HASHES.name}"


def test_no_repository_file_is_a_dataset_file() -> None:
    files = [p for p in _repository_files() if p.is_file() and p != HASHES]
    assert len(files) > 100
    found = _offenders(files, _forbidden())
    assert not found, f"files from the unlicensed datasets are in the repository: {found}"


def test_the_guard_would_catch_a_copy(tmp_path: Path) -> None:
    """The check can fail: a file whose bytes are on the list is reported, whatever its name."""
    copy = tmp_path / "innocent_name.png"
    copy.write_bytes(b"pretend this is a dataset image")
    listed = tmp_path / "hashes.txt"
    listed.write_text(HASHES.read_text() + hashlib.sha256(copy.read_bytes()).hexdigest() + "\n")
    assert _offenders([copy], _forbidden(listed)) == [str(copy)]
    assert _offenders([copy], _forbidden()) == []
