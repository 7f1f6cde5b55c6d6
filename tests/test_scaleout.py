"""Scale-out on a real Dask cluster: a scheduler and two workers on loopback, started as a user would.

The cluster is the project's own ``dask scheduler`` and ``dask worker`` commands (from the venv of the
interpreter running the tests), each in its own process group. The tests compare a cluster benchmark
with the local one row by row, kill a worker in the middle of a run, point the command line at a
port where nothing listens, and restore a folder locally and on the cluster.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scenes import make_scene

from restoration.batch import plan_batch, restore_folder
from restoration.benchmark import BenchmarkImage, collect_images, run_benchmark
from restoration.cluster import SCHEDULER_ENV, normalise_address, probe
from restoration.errors import RestorationError
from restoration.images import load_image, save_image

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
METRICS = ["image", "category", "degradation", "task", "method", "family", "psnr", "ssim", "error"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _dask(*args: str, log: Path) -> subprocess.Popen:
    """``dask ARGS`` from this venv, in a new process group (so that a kill takes its children too)."""
    command = [str(BIN / "dask")] if (BIN / "dask").exists() else [sys.executable, "-m", "dask"]
    with log.open("w") as err:
        return subprocess.Popen([*command, *args], stdout=subprocess.DEVNULL, stderr=err, start_new_session=True,
                                cwd=ROOT)


class LoopbackCluster:
    """A scheduler on 127.0.0.1 and its workers (one process, one thread each)."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.port = _free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.scheduler = _dask("scheduler", "--host", "127.0.0.1", "--port", str(self.port), "--no-dashboard",
                               log=logs / "scheduler.log")
        self.workers: list[subprocess.Popen] = []

    def start_worker(self) -> None:
        n = len(self.workers)
        self.workers.append(_dask("worker", self.address, "--host", "127.0.0.1", "--nworkers", "1", "--nthreads",
                                  "1", "--no-dashboard", "--name", f"w{n}", log=self.logs / f"worker{n}.log"))

    def alive(self) -> list[subprocess.Popen]:
        return [w for w in self.workers if w.poll() is None]

    def wait_for(self, n: int, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if probe(self.address, timeout=2.0).workers == n:
                    return
            except RestorationError:
                pass
            time.sleep(0.2)
        logs = "\n".join(f"--- {p.name}\n{p.read_text()[-2000:]}" for p in sorted(self.logs.glob("*.log")))
        raise AssertionError(f"the cluster did not reach {n} workers in {timeout} s\n{logs}")

    def ensure(self, n: int) -> None:
        while len(self.alive()) < n:
            self.start_worker()
        self.wait_for(n)

    def kill(self, proc: subprocess.Popen) -> None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)

    def stop(self) -> None:
        for proc in [*self.workers, self.scheduler]:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for proc in [*self.workers, self.scheduler]:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoopbackCluster]:
    c = LoopbackCluster(tmp_path_factory.mktemp("dask-logs"))
    try:
        c.ensure(2)
        yield c
    finally:
        c.stop()


def _images(n: int, size: tuple[int, int] = (48, 64)) -> list[BenchmarkImage]:
    return [BenchmarkImage(f"scene{i}", "odd" if i % 2 else "even", pixels=make_scene(*size, colour=bool(i % 2),
                                                                                     seed=i)) for i in range(n)]


def _same_rows(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a[METRICS].reset_index(drop=True), b[METRICS].reset_index(drop=True))


# --------------------------------------------------------------------------- benchmark
def test_cluster_rows_equal_local_rows(cluster: LoopbackCluster, tmp_path: Path) -> None:
    cluster.ensure(2)
    images = _images(4)
    degradations = ["gaussian_noise(sigma=25)", "downsample(scale=2)"]
    methods = ["median", "bicubic", "wavelet"]
    local = run_benchmark(images, degradations, methods, workers=1)
    seen: list[tuple[int, int]] = []
    remote = run_benchmark(images, degradations, methods, scheduler=cluster.address, cache_dir=tmp_path / "rows",
                           progress=lambda done, total, row: seen.append((done, total)))
    assert len(local) == 4 * (3 + 2)  # denoise: degraded, median, wavelet; sr: degraded, bicubic
    _same_rows(local, remote)
    assert (remote["error"] == "").all()
    assert seen[0] == (0, len(local)) and seen[-1] == (len(local), len(local))
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    # the cache written by the cluster run serves a local rerun, row for row
    again = run_benchmark(images, degradations, methods, workers=1, cache_dir=tmp_path / "rows",
                          progress=lambda done, total, row: seen.append((done, total)))
    _same_rows(local, again)
    pd.testing.assert_series_equal(again["seconds"], remote["seconds"])  # read back, not measured again


def test_cli_gallery_on_cluster_matches_local(cluster: LoopbackCluster, tmp_path: Path) -> None:
    cluster.ensure(2)
    args = ["benchmark", "--images", "gallery", "--category", "portrait", "--limit", "2", "--degrade",
            "gaussian_noise(sigma=25)", "--methods", "median,identity", "--quiet"]
    runs = {}
    for name, extra in (("local", ["--workers", "1"]), ("cluster", ["--scheduler", cluster.address])):
        out = tmp_path / f"{name}.csv"
        res = subprocess.run([sys.executable, "-m", "restoration", *args, *extra, "--out", str(out)], cwd=ROOT,
                             capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stderr
        runs[name] = pd.read_csv(out, keep_default_na=False)
    assert len(runs["local"]) == 2 * 3
    _same_rows(runs["local"], runs["cluster"])


def test_files_are_sent_as_pixels_and_a_broken_one_is_an_error_row(cluster: LoopbackCluster, tmp_path: Path) -> None:
    cluster.ensure(2)
    folder = tmp_path / "imgs"
    folder.mkdir()
    for i in range(2):
        save_image(make_scene(32, 40, colour=bool(i), seed=i), folder / f"ok{i}.png")
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    images = collect_images(folder)
    local = run_benchmark(images, ["jpeg"], ["median"], workers=1)
    remote = run_benchmark(images, ["jpeg"], ["median"], scheduler=cluster.address)
    # what goes to the workers: pixels, never a path (they need no shared file system)
    from restoration.benchmark import _Job, _shipped

    jobs = [(_Job(image, "", "jpeg", ("median",), {}, 0, False, 0), ["median"]) for image in images]
    sent = [job.image for job, _ in _shipped(jobs)]
    assert all(i.path is None for i in sent)
    assert [i.pixels is not None for i in sent] == [name != "broken" for name in (i.name for i in images)]
    _same_rows(local, remote)
    broken = remote[remote["image"] == "broken"]
    assert len(broken) == 2 and (broken["error"] != "").all()
    assert (remote[remote["image"] != "broken"]["error"] == "").all()


def test_killed_worker_costs_no_row(cluster: LoopbackCluster) -> None:
    from distributed import Client

    cluster.ensure(2)
    images = _images(8, size=(128, 128))
    degradations = ["gaussian_noise(sigma=25)"]
    methods = ["nlm", "tv", "median"]
    by_name = {f"w{i}": proc for i, proc in enumerate(cluster.workers)}
    killed: list[tuple[int, int]] = []  # (rows done then, jobs the victim was running or held)

    with Client(cluster.address, set_as_default=False, timeout=10) as observer:
        def kill_a_busy_worker(done: int, total: int, row: dict | None) -> None:
            if row is None or killed:
                return
            info = observer.scheduler_info()["workers"]
            for address, held in observer.processing().items():
                proc = by_name.get(info.get(address, {}).get("name", ""))
                if held and proc is not None and proc.poll() is None:
                    cluster.kill(proc)
                    killed.append((done, len(held)))
                    return

        remote = run_benchmark(images, degradations, methods, scheduler=cluster.address,
                               progress=kill_a_busy_worker)
    assert killed, "no worker was busy when rows came back"
    assert killed[0][0] < len(remote) and killed[0][1] >= 1  # killed mid-run, holding at least one job
    assert len(cluster.alive()) == 1
    keys = remote[["image", "degradation", "method"]]
    assert not keys.duplicated().any()
    assert len(remote) == 8 * (1 + 3)
    assert (remote["error"] == "").all()
    local = run_benchmark(images, degradations, methods, workers=1)
    _same_rows(local, remote)


def test_unreachable_scheduler_fails_fast_with_one_line(tmp_path: Path) -> None:
    port = _free_port()  # nothing listens there
    start = time.monotonic()
    with pytest.raises(RestorationError, match="cannot reach the Dask scheduler"):
        run_benchmark(_images(1), ["gaussian_noise(sigma=25)"], ["median"], scheduler=f"127.0.0.1:{port}")
    assert time.monotonic() - start < 5
    with pytest.raises(RestorationError, match="not a Dask scheduler address"):
        normalise_address("127.0.0.1:notaport")
    folder = tmp_path / "imgs"
    folder.mkdir()
    save_image(make_scene(24, 32), folder / "a.png")
    res = subprocess.run(
        [sys.executable, "-m", "restoration", "benchmark", "--images", str(folder), "--degrade", "jpeg", "--methods",
         "median", "--out", str(tmp_path / "r.csv"), "--scheduler", f"tcp://127.0.0.1:{port}"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert res.returncode == 2
    assert res.stderr.strip().splitlines() == [
        f"error: cannot reach the Dask scheduler at tcp://127.0.0.1:{port}: Connection refused "
        "(is `dask scheduler` running there?)"
    ]
    assert not (tmp_path / "r.csv").exists()


# --------------------------------------------------------------------------- batch restoration
def _folder(root: Path) -> Path:
    src = root / "in"
    (src / "trip" / "day1").mkdir(parents=True)
    save_image(make_scene(40, 48, seed=1), src / "a.png")
    save_image(make_scene(40, 48, colour=True, seed=2), src / "a.jpg")  # same stem as a.png
    save_image(make_scene(32, 40, colour=True, seed=3), src / "trip" / "b.tif")
    save_image(make_scene(32, 40, seed=4), src / "trip" / "day1" / "c.bmp")
    (src / "trip" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    (src / "notes.txt").write_text("not an image")
    return src


@pytest.mark.parametrize("where", ["local", "cluster"])
def test_restore_folder(where: str, cluster: LoopbackCluster, tmp_path: Path) -> None:
    src, out = _folder(tmp_path), tmp_path / "out"
    scheduler = None
    if where == "cluster":
        cluster.ensure(2)
        scheduler = cluster.address
    assert [i.target.relative_to(out).as_posix() for i in plan_batch(src, out)] == [
        "a.jpg.png", "a.png", "trip/b.png", "trip/broken.png", "trip/day1/c.png"]
    out.mkdir()
    save_image(np.zeros((8, 8), np.float32), out / "a.png")  # an existing output: kept
    ticks: list[int] = []
    report = restore_folder(src, out, "median", params={"size": 3}, workers=2, scheduler=scheduler,
                            progress=lambda done, total, name: ticks.append(done))
    assert report.restored == ["a.jpg", "trip/b.tif", "trip/day1/c.bmp"]
    assert report.existing == ["a.png"]
    assert [name for name, _ in report.failed] == ["trip/broken.png"]
    assert "not an image" in report.failed[0][1] or "corrupted" in report.failed[0][1]
    assert ticks[-1] == 5
    assert load_image(out / "a.png").max() == 0  # not overwritten
    assert load_image(out / "trip" / "b.png").shape == (32, 40, 3)
    assert load_image(out / "trip" / "day1" / "c.png").shape == (32, 40)
    assert not (out / "trip" / "broken.png").exists()

    report = restore_folder(src, out, "median", params={"size": 3}, overwrite=True, workers=1, scheduler=scheduler)
    assert report.restored == ["a.jpg", "a.png", "trip/b.tif", "trip/day1/c.bmp"] and not report.existing
    assert load_image(out / "a.png").max() > 0  # replaced
    # the cluster writes what a local run writes, byte for byte
    local = tmp_path / "local"
    restore_folder(src, local, "median", params={"size": 3}, workers=1)
    for name in ("a.png", "a.jpg.png", "trip/b.png", "trip/day1/c.png"):
        assert (out / name).read_bytes() == (local / name).read_bytes(), name


def test_restore_folder_cli(cluster: LoopbackCluster, tmp_path: Path) -> None:
    cluster.ensure(2)
    src, out = _folder(tmp_path), tmp_path / "out"

    def cli(*extra: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "restoration", "restore", str(src), str(out), "--method",
                               "median", "--degrade", "gaussian_noise(sigma=15)", *extra], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)

    res = cli("--scheduler", cluster.address)
    assert res.returncode == 1, res.stderr  # some files restored, one not: listed, status 1
    summary = json.loads(res.stdout)
    assert (summary["restored"], summary["skipped_existing"], summary["failed"]) == (4, 0, 1)
    assert summary["scores"]["restored"]["psnr"] > summary["scores"]["degraded"]["psnr"]
    assert "trip/broken.png" in res.stderr and "Traceback" not in res.stderr
    res = cli("--workers", "1", "--quiet")
    assert json.loads(res.stdout)["skipped_existing"] == 4
    assert "--overwrite replaces it" in res.stderr
    # nothing restorable at all: one error line, status 2
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "x.png").write_bytes(b"nope")
    res = subprocess.run([sys.executable, "-m", "restoration", "restore", str(bad), str(tmp_path / "o"), "--method",
                          "median", "--quiet"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert res.returncode == 2
    assert res.stderr.strip().splitlines()[-1] == "error: none of the 1 images could be restored"


# --------------------------------------------------------------------------- the Benchmark page
def test_benchmark_page_uses_the_administrators_cluster(cluster: LoopbackCluster, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from apptools import TIMEOUT, no_exception
    from streamlit.testing.v1 import AppTest

    from ui import cache
    from ui.keys import (
        BENCH_CATEGORIES,
        BENCH_METHODS,
        BENCH_PER_CATEGORY,
        BENCH_PRESETS,
        BENCH_RESULTS,
        BENCH_RUN,
        BENCH_SIZE,
        BENCH_SPECS,
    )

    cluster.ensure(2)
    monkeypatch.setattr(cache, "BENCH_CACHE_DIR", tmp_path / "rows")
    monkeypatch.delenv(SCHEDULER_ENV, raising=False)
    at = AppTest.from_file(str(ROOT / "pages" / "3_Benchmark.py"), default_timeout=TIMEOUT)
    at.run()
    no_exception(at)
    assert any(c.value == "Runs on this machine, in 1 worker process." for c in at.caption)

    monkeypatch.setenv(SCHEDULER_ENV, cluster.address)
    at = AppTest.from_file(str(ROOT / "pages" / "3_Benchmark.py"), default_timeout=TIMEOUT)
    at.run()
    no_exception(at)
    assert any(f"Dask cluster at `{cluster.address}`: 2 workers" in c.value for c in at.caption)
    assert not any(n.label == "Worker processes" for n in at.number_input)  # nothing for a visitor to set
    at.multiselect(key=BENCH_CATEGORIES).set_value(at.multiselect(key=BENCH_CATEGORIES).options[:1])
    at.number_input(key=BENCH_PER_CATEGORY).set_value(1)
    at.selectbox(key=BENCH_SIZE).set_value(128 * 128)
    at.multiselect(key=BENCH_PRESETS).set_value(["noise25"])
    at.text_area(key=BENCH_SPECS).input("")
    at.run()
    at.multiselect(key=BENCH_METHODS).set_value(["identity", "median"]).run()
    at.button(key=BENCH_RUN).click().run()
    no_exception(at)
    results = at.session_state[BENCH_RESULTS]
    assert len(results) == 3 and (results["error"] == "").all()

    monkeypatch.setenv(SCHEDULER_ENV, f"127.0.0.1:{_free_port()}")  # a cluster that is down: said, and no run
    at = AppTest.from_file(str(ROOT / "pages" / "3_Benchmark.py"), default_timeout=TIMEOUT)
    at.run()
    no_exception(at)
    assert any("cannot reach the Dask scheduler" in e.value for e in at.error)
    assert at.button(key=BENCH_RUN).disabled


def test_a_job_that_always_raises_is_named_not_fatal(cluster: LoopbackCluster) -> None:
    import math

    from distributed import Client

    from restoration.cluster import describe_failures, run_tasks

    cluster.ensure(2)
    results: dict[int, float] = {}
    with Client(cluster.address, set_as_default=False, timeout=10) as client:
        failures = run_tasks(client, math.sqrt, [(4.0,), (-1.0,), (9.0,)], results.__setitem__, retries=1)
    assert results == {0: 2.0, 2: 3.0}
    assert [(f.index, f.error) for f in failures] == [(1, "ValueError: math domain error")]
    message = describe_failures(failures, lambda i: f"call {i}", 3, address=cluster.address)
    assert message == (f"1 of 3 jobs failed on the Dask cluster at {cluster.address}: "
                       "call 1 (ValueError: math domain error)")


def test_a_cluster_without_workers_is_an_error_not_a_hang(tmp_path: Path) -> None:
    from distributed import Client

    from restoration.cluster import run_tasks

    empty = LoopbackCluster(tmp_path)  # a scheduler, no worker
    try:
        empty.wait_for(0)
        start = time.monotonic()
        with Client(empty.address, set_as_default=False, timeout=10) as client, \
                pytest.raises(RestorationError, match="has had no worker for 1 s; 2 jobs unfinished"):
            run_tasks(client, abs, [(-1,), (-2,)], lambda i, r: None, no_worker_timeout=1.0)
        assert time.monotonic() - start < 10
    finally:
        empty.stop()
