"""Every ``st.cache_data`` / ``st.cache_resource`` wrapper of the app lives here.

Pages call these instead of decorating functions themselves, so cache sizes and
lifetimes are set in one place: every cache is bounded by ``max_entries`` and, where
it holds images, by ``max_size`` (pickled bytes). Large inputs are keyed by a short
identity (an upload's id, an image digest, an observation token) passed beside the
unhashed ``_data`` argument, so pixels are not re-hashed on every rerun. ``st.cache_data`` returns a fresh copy on every
call, so callers may modify what they get without corrupting the cache.

:func:`ensure_observation` builds the default observation a page needs when it opens first, from these caches.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from restoration import PRESETS, REGISTRY, Observation, RestorationError, encode_png, run_algorithm
from restoration import degrade as degrade_image
from restoration.benchmark import DEGRADED, BenchmarkImage, run_benchmark
from restoration.cluster import SCHEDULER_ENV, ClusterInfo, probe, scheduler_from_env
from ui import demo, uploads, widgets
from ui.keys import SHARED_OBSERVATION
from ui.state import set_observation

__all__ = [
    "BENCH_CACHE_DIR",
    "BenchBackend",
    "bench_backend",
    "benchmark",
    "benchmark_key",
    "degrade",
    "digest",
    "ensure_observation",
    "load_sample",
    "load_upload",
    "png",
    "restore",
    "run_benchmark_live",
    "sample_catalog",
    "sample_images",
    "zip_images",
]


@st.cache_data(ttl="10m", max_entries=4, show_spinner=False)
def sample_catalog() -> list[tuple[str, str]]:
    """Sample images for the pickers, as ``(key, title)`` pairs (gallery first, then synthetic).

    Returns
    -------
    list of tuple of (str, str)
        Never empty. Refreshed every ten minutes so that new gallery files appear.
    """
    return [(s.key, s.title) for s in demo.list_samples()]


@st.cache_data(max_entries=64, max_size="16MB", show_spinner=False)
def thumbnail(key: str) -> np.ndarray | None:
    """A small picture of a sample image for the picker (at most 96x96 pixels), or None when it cannot be read.

    Parameters
    ----------
    key : str
        A key from :func:`ui.demo.list_samples`.

    Returns
    -------
    numpy.ndarray or None
        uint8 image for ``st.image``.
    """
    try:
        return demo.to_display(demo.load_sample(key, 96 * 96))
    except RestorationError:
        return None


@st.cache_data(max_entries=16, max_size="256MB", show_spinner="Loading the sample image...")
def load_sample(key: str, max_pixels: int | None = demo.DEMO_MAX_PIXELS) -> np.ndarray:
    """Load a sample image (see :func:`ui.demo.load_sample`), keeping the 16 most recent.

    Images are shrunk to ``max_pixels`` *before* they enter the cache, so a large
    gallery photo costs the cache no more than the demo needs.

    Parameters
    ----------
    key : str
        A key from :func:`sample_catalog`.
    max_pixels : int or None
        Shrink larger images to at most this many pixels; ``None`` keeps the full size.

    Returns
    -------
    numpy.ndarray
        float32 image in [0, 1].

    Raises
    ------
    restoration.RestorationError
        For an unknown key or an unreadable file (errors are not cached).
    """
    return demo.load_sample(key, max_pixels)


# --------------------------------------------------------------------------- the pages
#: Folder of the benchmark's per-row disk cache (survives restarts; rows are a few hundred bytes).
BENCH_CACHE_DIR = Path(tempfile.gettempdir()) / "restoration-workbench" / "benchmark-rows"


def digest(image: np.ndarray) -> str:
    """Short content hash of an array (shape, dtype and bytes), used in cache keys and tokens.

    Parameters
    ----------
    image : numpy.ndarray
        Any array.

    Returns
    -------
    str
        16 hexadecimal digits.
    """
    h = hashlib.blake2b(digest_size=8)
    h.update(f"{image.shape}{image.dtype}".encode())
    h.update(np.ascontiguousarray(image).tobytes())
    return h.hexdigest()


@st.cache_data(max_entries=4, max_size="384MB", show_spinner="Decoding the image...")
def load_upload(file_id: str, _data: bytes, max_pixels: int | None) -> tuple[np.ndarray, tuple[int, int]]:
    """Decode an uploaded image and shrink it to the working size (see :func:`ui.uploads.decode_upload`).

    Parameters
    ----------
    file_id : str
        Streamlit's id of the upload (the cache key; the bytes are not hashed).
    _data : bytes
        The file.
    max_pixels : int or None
        Working size in pixels (``None`` or 0: full size).

    Returns
    -------
    image : numpy.ndarray
        float32 image in [0, 1].
    original_shape : (int, int)
        Height and width of the file.

    Raises
    ------
    restoration.RestorationError
        For an unreadable or too large file (errors are not cached).
    """
    return uploads.decode_upload(_data, max_pixels)


@st.cache_data(max_entries=16, max_size="384MB", show_spinner=False)
def degrade(image_id: str, _image: np.ndarray, spec: str, seed: int) -> Observation:
    """Degrade the working image (cached per image, pipeline and seed).

    Parameters
    ----------
    image_id : str
        Identity of ``_image`` (e.g. :func:`digest`), used as the cache key instead of the pixels.
    _image : numpy.ndarray
        Clean float32 image in [0, 1].
    spec : str
        Pipeline text.
    seed : int
        Seed of the random steps.

    Returns
    -------
    Observation
        The degraded image and what is known about the degradation.
    """
    return degrade_image(_image, spec, seed=int(seed))


@st.cache_data(max_entries=32, max_size="768MB", show_spinner=False)
def restore(token: str, _observation: Observation, name: str, params_json: str, seed: int) -> tuple[np.ndarray, float]:
    """Run one method on the observation (cached per observation, method, parameters and seed).

    Parameters
    ----------
    token : str
        Identity of the observation (``ui.state.SHARED_TOKEN``), the cache key instead of the pixels.
    _observation : Observation
        The degraded image.
    name : str
        Registry name of the method.
    params_json : str
        Its parameters as JSON text (sorted keys), so that they hash stably.
    seed : int
        Seed for randomised methods.

    Returns
    -------
    image : numpy.ndarray
        The restored image (on the output grid).
    seconds : float
        Run time of the first (uncached) call.

    Raises
    ------
    restoration.RestorationError
        When the method refuses the input (errors are not cached).
    """
    start = time.perf_counter()
    image = run_algorithm(name, _observation, json.loads(params_json), seed=int(seed))
    return image, time.perf_counter() - start


@st.cache_data(max_entries=4, max_size="256MB", show_spinner="Loading the images...")
def sample_images(categories: tuple[str, ...], per_category: int, max_pixels: int | None) -> list[BenchmarkImage]:
    """Benchmark images from the sample catalogue: the first ``per_category`` of each category.

    Parameters
    ----------
    categories : tuple of str
        Gallery categories (``"synthetic"`` is the generated test pattern).
    per_category : int
        Images taken per category.
    max_pixels : int or None
        Working size of each image (``None`` or 0: full size).

    Returns
    -------
    list of BenchmarkImage
        With pixels in memory, named by sample key.
    """
    chosen: list[BenchmarkImage] = []
    samples = demo.list_samples()
    for category in categories:
        for sample in [s for s in samples if s.category == category][: max(1, int(per_category))]:
            pixels = demo.load_sample(sample.key, int(max_pixels) if max_pixels else None)
            chosen.append(BenchmarkImage(sample.key, sample.category, pixels=pixels))
    return chosen


@st.cache_data(max_entries=2, max_size="512MB", show_spinner="Unpacking the zip file...")
def zip_images(file_id: str, _data: bytes, max_pixels: int | None) -> uploads.ZipImages:
    """Benchmark images from an uploaded zip file (see :func:`ui.uploads.images_from_zip`).

    Parameters
    ----------
    file_id : str
        Streamlit's id of the upload (the cache key).
    _data : bytes
        The zip file.
    max_pixels : int or None
        Working size of each image.

    Returns
    -------
    ui.uploads.ZipImages
        Images and skipped files.
    """
    return uploads.images_from_zip(_data, max_pixels)


def benchmark_key(
    images: Sequence[BenchmarkImage], degradations: Sequence[str], methods: Sequence[str], seed: int
) -> str:
    """Identity of a benchmark request: image contents, pipelines, methods and seed.

    Parameters
    ----------
    images : sequence of BenchmarkImage
        Images with pixels.
    degradations, methods : sequence of str
        Pipelines and method names.
    seed : int
        The seed.

    Returns
    -------
    str
        A hexadecimal digest.
    """
    parts = [f"{i.category}/{i.name}:{digest(i.pixels) if i.pixels is not None else i.path}" for i in images]
    payload = json.dumps([parts, list(degradations), list(methods), int(seed)])
    return hashlib.sha256(payload.encode()).hexdigest()


@dataclass(frozen=True)
class BenchBackend:
    """Where the Benchmark page's jobs run: this machine, or the Dask cluster the server's administrator named.

    Attributes
    ----------
    scheduler : str or None
        The cluster's scheduler address (from :data:`restoration.cluster.SCHEDULER_ENV` only), None for this
        machine.
    workers : int
        Workers of the cluster (0 for this machine: the page's own setting counts).
    threads : int
        Their threads in all.
    error : str
        Why the cluster cannot be used now ("" when it can).
    """

    scheduler: str | None = None
    workers: int = 0
    threads: int = 0
    error: str = ""

    def describe(self, local_workers: int = 1) -> str:
        """One line for the page: which backend runs the jobs and how many workers it has."""
        if self.scheduler is None:
            return (f"Runs on this machine, in {local_workers} worker process{'es' if local_workers != 1 else ''}.")
        if self.error:
            return f"The Dask cluster set by the server ({SCHEDULER_ENV}) cannot be used: {self.error}"
        return (f"Runs on the Dask cluster at `{self.scheduler}`: {self.workers} "
                f"worker{'s' if self.workers != 1 else ''} ({self.threads} thread{'s' if self.threads != 1 else ''})"
                f", set by the server's administrator ({SCHEDULER_ENV}).")


@st.cache_data(ttl=15, max_entries=4, show_spinner=False)
def _cluster_state(address: str) -> tuple[ClusterInfo | None, str]:
    """The cluster's workers, or why it cannot be reached (both kept for 15 s: reruns do not probe again)."""
    try:
        return probe(address, timeout=5.0), ""
    except RestorationError as exc:
        return None, str(exc)


def bench_backend() -> BenchBackend:
    """The backend of the Benchmark page: the cluster named by :data:`restoration.cluster.SCHEDULER_ENV`, if any.

    The address comes from the server's environment only, never from a page visitor.

    Returns
    -------
    BenchBackend
        This machine when the variable is unset; else the cluster, its workers, or the reason it cannot be used.
    """
    try:
        address = scheduler_from_env()
    except RestorationError as exc:
        return BenchBackend(scheduler=os.environ.get(SCHEDULER_ENV, ""), error=str(exc))
    if address is None:
        return BenchBackend()
    info, error = _cluster_state(address)
    if info is None:
        return BenchBackend(scheduler=address, error=error)
    if not info.workers:
        return BenchBackend(scheduler=address, error="it has no worker now (start some with `dask worker "
                            f"{address}`)")
    return BenchBackend(scheduler=address, workers=info.workers, threads=info.threads)


@st.cache_data(max_entries=8, max_size="64MB", show_spinner=False)
def benchmark(
    request_key: str,
    _images: Sequence[BenchmarkImage],
    degradations: tuple[str, ...],
    methods: tuple[str, ...],
    seed: int,
    _workers: int = 1,
    _progress: Callable[[int, int, dict[str, Any] | None], None] | None = None,
    _scheduler: str | None = None,
) -> pd.DataFrame:
    """Run (or recall) a benchmark: :func:`restoration.benchmark.run_benchmark` with a disk cache.

    A repeated request returns at once from this cache; a request that overlaps an
    earlier one reuses its rows from :data:`BENCH_CACHE_DIR`.

    Parameters
    ----------
    request_key : str
        :func:`benchmark_key` of the request (the images are not hashed again).
    _images : sequence of BenchmarkImage
        The images.
    degradations, methods : tuple of str
        Pipelines and methods.
    seed : int
        Seed of the degradations.
    _workers : int
        Worker processes (does not change the result).
    _progress : callable, optional
        ``progress(done, total, row)``; must not call Streamlit (see :func:`run_benchmark_live`).
    _scheduler : str, optional
        A Dask scheduler's address: the jobs run on that cluster (does not change the result).

    Returns
    -------
    pandas.DataFrame
        The tidy result table.
    """
    cache_dir = BENCH_CACHE_DIR
    if _scheduler:
        return run_benchmark(
            list(_images), list(degradations), list(methods), seed=int(seed), cache_dir=cache_dir,
            progress=_progress, scheduler=_scheduler,
        )
    if int(_workers) <= 1 and _progress is not None:
        _warm_rows(_images, degradations, methods, int(seed), cache_dir, _progress)
    return run_benchmark(
        list(_images), list(degradations), list(methods), seed=int(seed), workers=int(_workers),
        cache_dir=cache_dir, progress=None if int(_workers) <= 1 else _progress,
    )


def _warm_rows(
    images: Sequence[BenchmarkImage],
    degradations: Sequence[str],
    methods: Sequence[str],
    seed: int,
    cache_dir: Path,
    progress: Callable[[int, int, dict[str, Any] | None], None],
) -> None:
    """Measure one (image, degradation, method) at a time into the row cache, reporting each.

    ``run_benchmark`` reports progress only when all the methods of one image are done,
    so a slow method would freeze the bar for minutes; asking it for one method at a
    time (the degraded input is measured once, then read from the row cache) moves
    the bar after every measurement. The caller then assembles the table from the cache.
    """
    tasks = [widgets.pipeline_task(d) for d in degradations]
    fitting = [[m for m in dict.fromkeys(methods) if m != DEGRADED and task in REGISTRY[m].tasks] for task in tasks]
    total = len(images) * sum(1 + len(names) for names in fitting)
    done = 0
    progress(done, total, None)
    for image in images:
        for degradation, names in zip(degradations, fitting, strict=True):
            for i, name in enumerate(names or [DEGRADED]):
                frame = run_benchmark([image], [degradation], [name], seed=seed, workers=1, cache_dir=cache_dir)
                rows = frame.to_dict("records")
                for row in rows if i == 0 else [r for r in rows if r["method"] != DEGRADED]:
                    done += 1
                    progress(done, total, row)


def run_benchmark_live(
    images: Sequence[BenchmarkImage],
    degradations: Sequence[str],
    methods: Sequence[str],
    seed: int,
    *,
    workers: int = 1,
    on_progress: Callable[[int, int, dict[str, Any] | None], None] | None = None,
    poll: float = 0.15,
    scheduler: str | None = None,
) -> pd.DataFrame:
    """Run :func:`benchmark` in a helper thread and report its progress from the script's thread.

    A cached function must not draw anything (Streamlit would record the drawing and
    replay it on a cache hit), so the benchmark runs in a thread that only queues its
    progress; this thread drains the queue and calls ``on_progress``, which may
    update Streamlit elements.

    Parameters
    ----------
    images : sequence of BenchmarkImage
        The images (with pixels).
    degradations, methods : sequence of str
        Pipelines and methods.
    seed : int
        Seed of the degradations.
    workers : int
        Worker processes.
    on_progress : callable, optional
        ``on_progress(done, total, row)``, called with the latest state at most every ``poll`` seconds.
    poll : float
        Seconds between progress updates.
    scheduler : str, optional
        A Dask scheduler's address (:func:`bench_backend`): the jobs run on that cluster.

    Returns
    -------
    pandas.DataFrame
        The tidy result table.

    Raises
    ------
    restoration.RestorationError
        For a bad request (unknown method, bad pipeline, ...), or a cluster that cannot be reached.
    """
    key = benchmark_key(images, degradations, methods, seed)
    events: queue.Queue[tuple[int, int, dict[str, Any] | None]] = queue.Queue()
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["frame"] = benchmark(
                key, list(images), tuple(degradations), tuple(methods), int(seed), int(workers),
                lambda done, total, row: events.put((done, total, row)), scheduler,
            )
        except BaseException as exc:  # re-raised in the script thread below
            outcome["error"] = exc

    thread = threading.Thread(target=work, name="benchmark", daemon=True)
    add_script_run_ctx(thread, get_script_run_ctx())
    thread.start()
    while thread.is_alive() or not events.empty():
        latest = None
        try:
            latest = events.get(timeout=poll)
            while True:
                latest = events.get_nowait()
        except queue.Empty:
            pass
        if latest is not None and on_progress is not None:
            on_progress(*latest)
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["frame"]


@st.cache_data(max_entries=16, max_size="128MB", show_spinner=False)
def keyed(key: str, _build: Callable[[], Any]) -> Any:
    """What ``_build()`` returns, cached by ``key`` alone (the builder and its inputs are not hashed).

    For work a page would otherwise redo on every rerun (a report of a run, say): ``key`` must name
    everything the result depends on, e.g. the observation's token, the run and the settings used.

    Parameters
    ----------
    key : str
        Identity of the result.
    _build : callable
        Makes the result (picklable) when ``key`` is not cached.

    Returns
    -------
    object
        A copy of the cached result.
    """
    return _build()


@st.cache_data(max_entries=64, max_size="128MB", show_spinner=False)
def png(key: str, _image: np.ndarray) -> bytes:
    """PNG bytes of an image for a download button (cached by ``key``, the pixels are not hashed).

    Parameters
    ----------
    key : str
        Identity of the image (e.g. observation token + method + parameters).
    _image : numpy.ndarray
        float image in [0, 1].

    Returns
    -------
    bytes
        The 8-bit PNG file.
    """
    return encode_png(np.clip(_image, 0.0, 1.0))


# --------------------------------------------------------------------------- the session's observation
def ensure_observation() -> Observation:
    """The session's current observation; when a page opens first, a default one.

    The default is the first sample image (a gallery photo, or the synthetic pattern)
    at the default working size, degraded by the default preset with seed 0: what the
    Degrade page shows when opened with no choices made. It lives here, above
    :mod:`ui.state` and :mod:`ui.widgets`, because it is built from this module's caches.

    Returns
    -------
    restoration.Observation
        The current observation (also in ``st.session_state[ui.keys.SHARED_OBSERVATION]``).
    """
    state = st.session_state
    if state.get(SHARED_OBSERVATION) is None:
        sample = demo.list_samples()[0]
        image = load_sample(sample.key, widgets.DEFAULT_WORK_PIXELS)
        spec = PRESETS[widgets.DEFAULT_PRESET].spec
        image_id = digest(image)
        observation = degrade(image_id, image, spec, 0)
        set_observation(
            observation, clean=observation.clean, name=sample.title, spec=spec, seed_value=0,
            token=f"{image_id}|{spec}|0",
        )
    return state[SHARED_OBSERVATION]
