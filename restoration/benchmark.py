"""Benchmarks: images x degradations x algorithms -> a tidy table, and the survey's summary tables.

:func:`run_benchmark` degrades every image with every degradation, restores it with
every method that solves the resulting task, and measures PSNR, SSIM and run time.
The result is a *tidy* :class:`pandas.DataFrame`, one row per (image, degradation,
method), with the degraded input itself as method ``"degraded"`` so that every
table has its baseline. Work is spread over worker processes (both cores by
default) or over a Dask cluster (``scheduler=``, :mod:`restoration.cluster`),
reported to a progress callback, and cached on disk one row at a time,
so an interrupted run resumes where it stopped and a rerun is instant.

Photos that came degraded have no clean original: the degradation :data:`AS_IS` (``"as-is"``, or
``"as-is(scale=2)"`` to enlarge them) uses each image as it is (:meth:`Observation.from_degraded
<restoration.observation.Observation.from_degraded>`, noise level unknown), runs the methods that solve that
task (denoising; super-resolution with a scale) and scores every result without a reference
(:func:`restoration.quality.quality_report`: ``niqe``, ``sharpness``, ``noise_sigma``); ``psnr`` and ``ssim``
are NaN. Rows of ordinary runs leave those three columns NaN (nothing extra is computed for them).

The summary tables follow the survey's layout; they live in :mod:`restoration.results`
(shared with the app's charts and the survey view) and are re-exported here:

* :func:`~restoration.results.method_table` -- mean PSNR/SSIM/time per method (its Tables 3 and 5);
* :func:`~restoration.results.category_table` -- per category x method with the degraded input as
  the first column (its Tables 4 and 6);
* :func:`~restoration.results.improvement_table` -- percentage gain over the degraded input;
* :func:`~restoration.results.no_reference_table` -- mean NIQE/sharpness/noise level per method, ranked by NIQE
  (the as-is runs).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from .degradations import Pipeline
from .errors import RestorationError, SpecError
from .images import load_image
from .metrics import psnr, ssim
from .observation import Observation
from .registry import get_algorithm
from .results import (
    DEGRADED,
    NO_REFERENCE_METRICS,
    category_table,
    improvement_table,
    method_table,
    no_reference_table,
)

__all__ = [
    "AS_IS",
    "COLUMNS",
    "DEGRADED",
    "BenchmarkImage",
    "as_is",
    "as_is_scale",
    "category_table",
    "collect_images",
    "degradation_task",
    "improvement_table",
    "method_table",
    "no_reference_table",
    "prune_cache",
    "run_benchmark",
]

#: Columns of the tidy result table, in order. The last three are the no-reference scores of the
#: :data:`AS_IS` runs (NaN in the rows of ordinary runs).
COLUMNS = (
    "image", "category", "degradation", "task", "method", "family", "psnr", "ssim", "seconds", "error",
    *NO_REFERENCE_METRICS,
)
#: The degradation that means "the images are already degraded": use them as they are, with no clean original.
AS_IS = "as-is"
_AS_IS_RE = re.compile(r"^\s*as[-_]is\s*(?:\((?P<args>[^)]*)\))?\s*$", re.IGNORECASE)
_IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp", ".gif", ".ppm", ".pgm"}
_CACHE_VERSION = 1


@dataclass(frozen=True)
class BenchmarkImage:
    """One clean test image: a name, a category, and either a file or pixels."""

    name: str
    category: str
    path: Path | None = None
    pixels: np.ndarray | None = field(default=None, compare=False, repr=False)

    def load(self) -> np.ndarray:
        """The clean image as float32 [0, 1]."""
        if self.pixels is not None:
            return self.pixels
        if self.path is None:
            raise RestorationError(f"benchmark image {self.name!r} has neither a path nor pixels")
        return load_image(self.path)


def as_is(scale: int = 1) -> str:
    """The :data:`AS_IS` degradation text for an upscaling factor.

    Parameters
    ----------
    scale : int
        1 (the default): the photos are denoised as they are; 2 to 8: they are enlarged this many times
        (super-resolution).

    Returns
    -------
    str
        ``"as-is"`` or ``"as-is(scale=N)"``.

    Raises
    ------
    SpecError
        For a factor that is not a whole number from 1 to 8.
    """
    if isinstance(scale, bool) or not isinstance(scale, (int, np.integer)) or not 1 <= scale <= 8:
        raise SpecError(f"the as-is upscaling factor must be a whole number from 1 to 8, got {scale!r}")
    return AS_IS if scale == 1 else f"{AS_IS}(scale={int(scale)})"


def as_is_scale(degradation: str) -> int | None:
    """The upscaling factor of an :data:`AS_IS` degradation, or None for an ordinary pipeline.

    Parameters
    ----------
    degradation : str
        A degradation of :func:`run_benchmark`: ``"as-is"``, ``"as-is(scale=N)"`` or a pipeline spec.

    Returns
    -------
    int or None
        1 to 8 for an as-is degradation, None for anything else (which is not checked here).

    Raises
    ------
    SpecError
        For an as-is degradation with arguments other than one whole ``scale`` from 1 to 8.
    """
    match = _AS_IS_RE.match(str(degradation))
    if match is None:
        return None
    args = (match.group("args") or "").strip()
    if not args:
        return 1
    key, _, value = args.partition("=")
    if key.strip() != "scale" or not value.strip().isdigit():
        raise SpecError(f"{degradation!r}: the as-is degradation takes only scale=N (a whole number from 1 to 8)")
    scale = int(value.strip())
    as_is(scale)  # checks the range
    return scale


def degradation_task(degradation: str) -> str:
    """The restoration task a degradation of :func:`run_benchmark` poses.

    Parameters
    ----------
    degradation : str
        :data:`AS_IS` (``"denoise"``; ``"sr"`` with a scale over 1) or a pipeline spec (its task).

    Returns
    -------
    str
        One of :data:`restoration.observation.TASKS`.

    Raises
    ------
    SpecError
        For a spec that does not parse.
    """
    scale = as_is_scale(degradation)
    if scale is None:
        return Pipeline.parse(degradation).task
    return Observation.from_degraded(np.full((4, 4), 0.5, np.float32), scale=scale).task


def collect_images(source: str | Path, *, categories: Iterable[str] | None = None) -> list[BenchmarkImage]:
    """Find the test images of a benchmark.

    Parameters
    ----------
    source : str or Path
        ``"gallery"`` for the bundled categorised gallery, or a folder that holds
        images directly (category ``"all"``) or in one sub-folder per category.
    categories : iterable of str, optional
        Keep only these categories.

    Returns
    -------
    list of BenchmarkImage
        Sorted by category then name.

    Raises
    ------
    RestorationError
        If the folder does not exist or holds no images.
    """
    wanted = set(categories) if categories else None
    if str(source) == "gallery":
        from .gallery import list_gallery

        items = [BenchmarkImage(g.key, g.category, path=Path(g.file)) for g in list_gallery()]
    else:
        root = Path(source)
        if not root.is_dir():
            raise RestorationError(f"image folder not found: {root}")
        items = [
            BenchmarkImage(p.stem, "all", path=p)
            for p in sorted(root.iterdir())
            if p.is_file() and p.suffix.lower() in _IMAGE_SUFFIXES
        ]
        for sub in sorted(d for d in root.iterdir() if d.is_dir() and not d.name.startswith(".")):
            items += [
                BenchmarkImage(p.stem, sub.name, path=p)
                for p in sorted(sub.iterdir())
                if p.is_file() and p.suffix.lower() in _IMAGE_SUFFIXES
            ]
    if wanted is not None:
        unknown = wanted - {i.category for i in items}
        if unknown:
            raise RestorationError(f"no images in categories: {', '.join(sorted(unknown))}")
        items = [i for i in items if i.category in wanted]
    if not items:
        raise RestorationError(f"no images found in {source} (looked for {', '.join(sorted(_IMAGE_SUFFIXES))})")
    return items


# --------------------------------------------------------------------------- running
@dataclass(frozen=True)
class _Job:
    image: BenchmarkImage
    pixels_hash: str
    degradation: str
    methods: tuple[str, ...]
    params: Mapping[str, Mapping[str, Any]]
    seed: int
    y_channel: bool
    crop_border: int
    #: method -> its provenance (:func:`restoration.provenance.method_fingerprint` for this input), as JSON
    fingerprints: Mapping[str, str] = field(default_factory=dict)


def _fingerprints(names: Sequence[str], params: Mapping[str, Mapping[str, Any]],
                  observation: Any | None) -> dict[str, str]:
    """Each method's provenance for this input: version, code, resolved parameters, weights' sha256."""
    from .provenance import method_fingerprint

    out = {}
    for name in names:
        try:
            fp = method_fingerprint(name, params.get(name), observation)
        except RestorationError:  # defaults that cannot be resolved for this input: the run records the error
            fp = method_fingerprint(name, params.get(name))
        out[name] = json.dumps(fp, sort_keys=True, default=str)
    return out


def _row_key(job: _Job, method: str) -> str:
    parts: list[Any] = [
        _CACHE_VERSION, job.pixels_hash, job.degradation, job.seed, method,
        dict(sorted(job.params.get(method, {}).items())), job.y_channel, job.crop_border,
        job.fingerprints.get(method, ""),
    ]
    scale = as_is_scale(job.degradation)
    if scale is not None:  # scored without a reference: a row of its own kind (ordinary rows keep their keys)
        parts.append(["as-is", scale, *NO_REFERENCE_METRICS])
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()


def _canonical(degradation: str) -> tuple[str, str]:
    """The canonical text of a degradation of :func:`run_benchmark` and the task it poses (checks it)."""
    scale = as_is_scale(degradation)
    if scale is not None:
        return as_is(scale), degradation_task(degradation)
    pipeline = Pipeline.parse(degradation)
    return pipeline.to_text(full=True), pipeline.task


def _observe(degradation: str, pixels: np.ndarray, seed: int) -> Observation:
    """Degrade a clean image with a pipeline, or wrap an already degraded one (:data:`AS_IS`, noise unknown)."""
    scale = as_is_scale(degradation)
    if scale is None:
        return Pipeline.parse(degradation).apply(pixels, seed=seed)
    return Observation.from_degraded(pixels, scale=scale, sigma=None)


def _no_reference_scores(image: np.ndarray) -> dict[str, float]:
    """NIQE, sharpness and noise level of a result (:func:`restoration.quality.quality_report`; NaN if unknown).

    NIQE is NaN for an image under 192x192 pixels, and for one where it finds too few usable patches (a flat
    picture); the other two scores are still given.
    """
    from .noise import estimate_noise_sigma
    from .quality import quality_report, sharpness

    est = np.clip(np.asarray(image, dtype=np.float32), 0.0, 1.0)
    try:
        report: dict[str, Any] = quality_report(est)
    except (RestorationError, ValueError, np.linalg.LinAlgError):
        report = {"niqe": None, "sharpness": sharpness(est), "noise_sigma": estimate_noise_sigma(est)}
    return {k: np.nan if report.get(k) is None else float(report[k]) for k in NO_REFERENCE_METRICS}


def _measure(reference: np.ndarray, estimate: np.ndarray, job: _Job) -> tuple[float, float]:
    opts = {"y_channel": job.y_channel, "crop_border": job.crop_border}
    est = np.clip(estimate, 0.0, 1.0)
    return psnr(reference, est, **opts), ssim(reference, est, **opts)


def _run_job(job: _Job, todo: Sequence[str]) -> list[dict[str, Any]]:
    """Degrade one image once and run the requested methods on it (in a worker process)."""
    from .classic.baselines import run_identity
    from .registry import run_algorithm

    base = {"image": job.image.name, "category": job.image.category, "degradation": job.degradation}
    unscored = dict.fromkeys(("psnr", "ssim", "seconds", *NO_REFERENCE_METRICS), np.nan)
    no_reference = as_is_scale(job.degradation) is not None
    try:
        obs = _observe(job.degradation, job.image.load(), job.seed)
    except RestorationError as exc:
        return [{**base, "task": "", "method": m, "family": "", **unscored, "error": str(exc),
                 "_key": _row_key(job, m)} for m in todo]
    rows = []
    for method in todo:
        row = {**base, "task": obs.task, "method": method, **unscored, "error": "", "_key": _row_key(job, method)}
        try:
            if method == DEGRADED:
                row["family"] = "input"
                start = time.perf_counter()
                restored = run_identity(obs)
            else:
                spec = get_algorithm(method)
                row["family"] = spec.family
                start = time.perf_counter()
                restored = run_algorithm(spec, obs, job.params.get(method), seed=job.seed)
            row["seconds"] = time.perf_counter() - start
            if no_reference:  # no clean original: judge the picture by itself
                row.update(_no_reference_scores(restored))
            else:
                row["psnr"], row["ssim"] = _measure(obs.clean, restored, job)
        except RestorationError as exc:
            row["error"] = str(exc)
        rows.append(row)
    return rows


def _worker_init() -> None:
    """Keep each worker on one thread so that parallel workers do not oversubscribe the cores."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"


def _cache_path(cache_dir: Path, key: str) -> Path:
    return cache_dir / key[:2] / f"{key}.json"


def _read_cache(cache_dir: Path | None, key: str) -> dict[str, Any] | None:
    if cache_dir is None:
        return None
    path = _cache_path(cache_dir, key)
    try:
        row = json.loads(path.read_text())
        os.utime(path)  # recently used: pruning removes the least recently used rows first
        return row
    except (OSError, ValueError):
        return None


#: Default bounds of a row cache: rows unused for this long are removed, then the least recently used
#: until the folder is under the size (a row is a few hundred bytes: 64 MB hold about 150,000 rows).
CACHE_MAX_BYTES = 64 * 1024 * 1024
CACHE_MAX_AGE_DAYS = 30.0


def prune_cache(cache_dir: str | Path, *, max_bytes: int = CACHE_MAX_BYTES,
                max_age_days: float = CACHE_MAX_AGE_DAYS) -> int:
    """Bound a row cache: drop rows unused for ``max_age_days``, then the least recently used over ``max_bytes``.

    Parameters
    ----------
    cache_dir : str or Path
        The folder given to :func:`run_benchmark` (only its ``*.json`` rows are touched).
    max_bytes : int
        Largest total size of the rows kept.
    max_age_days : float
        Rows last used longer ago than this are removed.

    Returns
    -------
    int
        Number of rows removed.
    """
    root = Path(cache_dir)
    entries = []
    for path in root.glob("*/*.json"):
        try:
            stat = path.stat()
        except OSError:
            continue
        entries.append((stat.st_mtime, stat.st_size, path))
    entries.sort(reverse=True)  # most recently used first
    cutoff = time.time() - max_age_days * 86400.0
    kept_bytes, removed = 0, 0
    for mtime, size, path in entries:
        if mtime >= cutoff and kept_bytes + size <= max_bytes:
            kept_bytes += size
            continue
        try:
            path.unlink()
            removed += 1
        except OSError:
            pass
    for folder in root.glob("*/"):
        try:
            folder.rmdir()  # only when empty
        except OSError:
            pass
    return removed


def _write_cache(cache_dir: Path | None, row: dict[str, Any]) -> None:
    if cache_dir is None or row.get("error"):
        return
    path = _cache_path(cache_dir, row["_key"])
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps({k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in row.items()}))
    os.replace(tmp, path)


ProgressCallback = Callable[[int, int, dict[str, Any] | None], None]


def run_benchmark(
    images: Sequence[BenchmarkImage],
    degradations: Sequence[str],
    methods: Sequence[str],
    *,
    params: Mapping[str, Mapping[str, Any]] | None = None,
    seed: int = 0,
    y_channel: bool = False,
    crop_border: int = 0,
    workers: int | None = None,
    cache_dir: str | Path | None = None,
    progress: ProgressCallback | None = None,
    cache_max_bytes: int = CACHE_MAX_BYTES,
    cache_max_age_days: float = CACHE_MAX_AGE_DAYS,
    scheduler: str | None = None,
) -> Any:
    """Measure every method on every degraded image.

    Parameters
    ----------
    images : sequence of BenchmarkImage
        The clean test images (see :func:`collect_images`); for :data:`AS_IS`, the degraded photos.
    degradations : sequence of str
        Pipeline specs (see :class:`~restoration.degradations.Pipeline`), or :data:`AS_IS` (``"as-is"``,
        ``"as-is(scale=N)"``): the images are already degraded and used as they are, with an unknown noise
        level; their rows are scored without a reference (``niqe``, ``sharpness``, ``noise_sigma``) and
        their ``psnr``/``ssim`` are NaN.
    methods : sequence of str
        Registry names. A method that does not solve a degradation's task is skipped
        for it (no row). The degraded input is always measured as method ``"degraded"``.
    params : mapping, optional
        Per-method parameter overrides, ``{"median": {"size": 5}}``.
    seed : int
        Seed of the degradations and of randomised methods (the same for every image).
    y_channel, crop_border
        Metric conventions (see :func:`restoration.metrics.psnr`).
    workers : int, optional
        Worker processes; default: the number of cores, at most the number of jobs.
        ``1`` runs in this process. Ignored with ``scheduler``.
    cache_dir : str or Path, optional
        Folder for the per-row cache; rows found there are not recomputed. A row's key holds everything
        that decides it: the image's pixels, the degradation and seed, the metric conventions, and the
        method's provenance (package version and code, parameters as resolved for the input, the sha256 of
        the weights it reads; :func:`restoration.provenance.method_fingerprint`), so a change to any of them
        recomputes the row. The folder is pruned after the run (:func:`prune_cache`).
    cache_max_bytes, cache_max_age_days
        Bounds of that folder (see :func:`prune_cache`).
    progress : callable, optional
        Called as ``progress(done, total, row)`` after each row (``row`` is None for the
        initial call).
    scheduler : str, optional
        Address of a Dask scheduler (``tcp://HOST:PORT``): the jobs (one per image x degradation) run on
        that cluster instead of local processes, with the same rows, progress and cache. The pixels go
        with each job (workers need only the installed project); a job whose worker dies runs again
        elsewhere, and no row is counted twice (:mod:`restoration.cluster`).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`, one row per (image, degradation, method). The degradation column holds the
        canonical text (``"as-is"`` for the photos used as they are).

    Raises
    ------
    RestorationError
        For an unknown method, a bad spec or parameter, or no image; for a scheduler that cannot be
        reached (at once, before any work), and for jobs that failed on the cluster for good (named,
        after every other row is collected and cached).
    """
    import pandas as pd

    if not images:
        raise RestorationError("no images to benchmark")
    if not degradations:
        raise RestorationError("no degradation given")
    params = {k: dict(v) for k, v in (params or {}).items()}
    checked = [_canonical(d) for d in degradations]  # validates early
    canonical = [text for text, _ in checked]
    tasks = [task for _, task in checked]
    specs = [get_algorithm(m) for m in dict.fromkeys(methods) if m != DEGRADED]
    for spec in specs:
        spec.resolve(params.get(spec.name))  # validate parameter names and values early
    for name in params:
        get_algorithm(name)
    if scheduler is not None:  # a wrong or dead address fails now, before any work
        from .cluster import probe

        scheduler = probe(scheduler).address

    cache = Path(cache_dir) if cache_dir is not None else None
    jobs: list[tuple[_Job, list[str]]] = []
    rows: list[dict[str, Any]] = []
    total = 0
    for image in images:
        digest = _fingerprint(image)
        pixels = None
        if cache is not None:  # the key needs the input; an undecodable image becomes error rows in the job
            try:
                pixels = image.load()
            except RestorationError:
                pixels = None
        for spec_text, task in zip(canonical, tasks, strict=True):
            names = [DEGRADED] + [s.name for s in specs if task in s.tasks]
            observation = None
            if pixels is not None:  # the key needs the parameters as resolved for this very input
                try:
                    observation = _observe(spec_text, pixels, seed)
                except RestorationError:
                    observation = None
            prints = _fingerprints(names, params, observation) if cache is not None else {}
            job = _Job(image, digest, spec_text, tuple(names), params, seed, y_channel, crop_border, prints)
            todo = []
            for name in names:
                cached = _read_cache(cache, _row_key(job, name))
                if cached is not None:
                    rows.append(cached)
                else:
                    todo.append(name)
            total += len(names)
            if todo:
                jobs.append((job, todo))

    done = len(rows)
    if progress:
        progress(done, total, None)

    def collect(new_rows: list[dict[str, Any]]) -> None:
        nonlocal done
        for row in new_rows:
            _write_cache(cache, row)
            rows.append(row)
            done += 1
            if progress:
                progress(done, total, row)

    n_workers = min(workers or os.cpu_count() or 1, max(1, len(jobs)))
    if scheduler is not None:
        if jobs:
            _run_on_cluster(scheduler, jobs, collect)
    elif n_workers <= 1:
        for job, todo in jobs:
            collect(_run_job(job, todo))
    else:
        with ProcessPoolExecutor(max_workers=n_workers, initializer=_worker_init) as pool:
            pending: set[Future] = {pool.submit(_run_job, job, todo) for job, todo in jobs}
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in finished:
                    collect(fut.result())
    if cache is not None:
        prune_cache(cache, max_bytes=cache_max_bytes, max_age_days=cache_max_age_days)

    frame = pd.DataFrame(rows)
    if frame.empty:
        return pd.DataFrame(columns=list(COLUMNS))
    frame = frame.drop(columns=["_key"], errors="ignore")
    for col in COLUMNS:  # rows cached before a column existed lack it
        if col not in frame:
            frame[col] = np.nan
    frame["error"] = frame["error"].fillna("")
    for col in ("psnr", "ssim", "seconds", *NO_REFERENCE_METRICS):
        frame[col] = pd.to_numeric(frame[col], errors="coerce")
    order = {m: i for i, m in enumerate([DEGRADED, *[s.name for s in specs]])}
    deg_order = {d: i for i, d in enumerate(canonical)}
    frame = frame.assign(_m=frame["method"].map(order), _d=frame["degradation"].map(deg_order))
    frame = frame.sort_values(["category", "image", "_d", "_m"]).drop(columns=["_m", "_d"])
    return frame[list(COLUMNS)].reset_index(drop=True)


@dataclass(frozen=True)
class _Unreadable(BenchmarkImage):
    """An image this process could not decode, shipped as its error (the worker records it, as a local run does)."""

    error: str = ""

    def load(self) -> np.ndarray:
        raise RestorationError(self.error)


def _shipped(jobs: Sequence[tuple[_Job, list[str]]]) -> Iterable[tuple[_Job, list[str]]]:
    """The jobs with their pixels inside (decoded here, one image at a time), so that workers read no file."""
    last: tuple[BenchmarkImage, BenchmarkImage] | None = None
    for job, todo in jobs:
        if job.image.pixels is None:
            if last is None or last[0] is not job.image:
                try:
                    shipped = replace(job.image, path=None, pixels=job.image.load())
                except RestorationError as exc:
                    shipped = _Unreadable(job.image.name, job.image.category, error=str(exc))
                last = (job.image, shipped)
            job = replace(job, image=last[1])
        yield job, todo


def _run_on_cluster(scheduler: str, jobs: Sequence[tuple[_Job, list[str]]],
                    collect: Callable[[list[dict[str, Any]]], None]) -> None:
    """Run the jobs on the Dask cluster at ``scheduler``, feeding ``collect`` as each finishes.

    Dask runs a job again when its worker dies (and retries one that raised); a job's rows are collected
    once, whatever happens, and only rows not collected yet are passed on. Jobs that failed for good are
    named in one error once every other row is in.
    """
    from .cluster import connect, describe_failures, run_tasks

    collected: set[tuple[int, str]] = set()

    def on_result(index: int, rows: list[dict[str, Any]]) -> None:
        fresh = [row for row in rows if (index, row["_key"]) not in collected]
        collected.update((index, row["_key"]) for row in fresh)
        collect(fresh)

    with connect(scheduler, check=False) as client:
        failures = run_tasks(client, _run_job, _shipped(jobs), on_result)
    if failures:
        def name(index: int) -> str:
            job = jobs[index][0]
            return f"image {job.image.name!r}, degradation {job.degradation!r}"

        raise RestorationError(describe_failures(failures, name, len(jobs), address=scheduler))


def _fingerprint(image: BenchmarkImage) -> str:
    """Content hash of a test image (its file bytes, or its pixels), for the cache key."""
    digest = hashlib.sha256()
    if image.pixels is not None:
        digest.update(str(image.pixels.shape).encode())
        digest.update(np.ascontiguousarray(image.pixels).tobytes())
    elif image.path is not None:
        try:
            digest.update(Path(image.path).read_bytes())
        except OSError as exc:
            raise RestorationError(f"cannot read {image.path}: {exc.strerror or exc}") from None
    return digest.hexdigest()
