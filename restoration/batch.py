"""Batch restoration: every image of a folder (sub-folders kept), in local processes or on a Dask cluster.

:func:`restore_folder` walks ``INPUT_DIR`` for images (the suffixes :func:`restoration.benchmark.collect_images`
accepts; hidden files and folders are left out), restores each one with one method, and writes it to
``OUTPUT_DIR`` under the same relative path, as an 8-bit PNG: ``a/b/photo.jpg`` becomes
``OUTPUT_DIR/a/b/photo.png``. Where two inputs would get the same output (``photo.jpg`` beside
``photo.png``), the ones that are not PNG keep their suffix in the name: ``photo.jpg.png``.

An output that exists already is skipped (listed), unless ``overwrite``. A file that cannot be read
or restored is listed with its reason and skipped; it never stops the run. Each task carries the
file's bytes and returns the PNG's bytes, so cluster workers need no shared file system; this
process reads and writes every file.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import RestorationError

__all__ = ["BatchItem", "BatchReport", "plan_batch", "restore_bytes", "restore_folder"]

BatchProgress = Callable[[int, int, str | None], None]


@dataclass(frozen=True)
class BatchItem:
    """One image of a batch: where it is read and where its restoration goes.

    Attributes
    ----------
    source : Path
        The input file.
    relative : str
        Its path under the input folder (how it is named in reports).
    target : Path
        The output file.
    """

    source: Path
    relative: str
    target: Path


@dataclass
class BatchReport:
    """What a batch restoration did.

    Attributes
    ----------
    restored : list of str
        Inputs restored and written (relative paths).
    existing : list of str
        Inputs skipped because their output exists (and ``overwrite`` was off).
    failed : list of (str, str)
        Inputs that could not be read, restored or written, with the reason.
    seconds : float
        Wall time of the run.
    scores : dict
        With a degradation: the mean PSNR/SSIM of the degraded inputs and of the results (``degraded`` and
        ``restored``, each ``{"psnr": ..., "ssim": ...}``) over the restored images.
    """

    restored: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    scores: dict[str, dict[str, float]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (counts, the failures in full, the scores)."""
        out: dict[str, Any] = {
            "restored": len(self.restored), "skipped_existing": len(self.existing), "failed": len(self.failed),
            "seconds": round(self.seconds, 3),
        }
        if self.scores:
            out["scores"] = self.scores
        out["failures"] = [{"file": name, "error": error} for name, error in self.failed]
        return out


def _image_suffixes() -> frozenset[str]:
    from .benchmark import _IMAGE_SUFFIXES

    return frozenset(_IMAGE_SUFFIXES)


def plan_batch(input_dir: str | Path, output_dir: str | Path) -> list[BatchItem]:
    """The images of ``input_dir`` (recursively) and their outputs under ``output_dir``.

    Parameters
    ----------
    input_dir : str or Path
        The folder to restore.
    output_dir : str or Path
        Where the results go (created when needed). It may lie inside ``input_dir``: it is not walked.

    Returns
    -------
    list of BatchItem
        Sorted by relative path.

    Raises
    ------
    RestorationError
        If ``input_dir`` is not a folder, ``output_dir`` is a file or the same folder, or there is no image.
    """
    root, out = Path(input_dir), Path(output_dir)
    if not root.is_dir():
        raise RestorationError(f"input folder not found: {root}")
    if out.exists() and not out.is_dir():
        raise RestorationError(f"the output must be a folder when the input is one: {out} is a file")
    if out.resolve() == root.resolve():
        raise RestorationError("the output folder must differ from the input folder (results never replace inputs)")
    skip = out.resolve()
    suffixes = _image_suffixes()
    sources: list[Path] = []
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and (here / d).resolve() != skip)
        sources += [here / f for f in sorted(files) if not f.startswith(".") and Path(f).suffix.lower() in suffixes]
    if not sources:
        raise RestorationError(f"no images found in {root} (looked for {', '.join(sorted(suffixes))})")
    relative = [p.relative_to(root) for p in sources]
    plain = [r.with_suffix(".png") for r in relative]
    counts: dict[Path, int] = {}
    for p in plain:
        counts[p] = counts.get(p, 0) + 1
    items = []
    for source, rel, target in zip(sources, relative, plain, strict=True):
        if counts[target] > 1 and rel.suffix.lower() != ".png":
            target = rel.with_name(rel.name + ".png")
        items.append(BatchItem(source, rel.as_posix(), out / target))
    return sorted(items, key=lambda i: i.relative)


def restore_bytes(
    data: bytes,
    method: str,
    params: Mapping[str, Any] | None = None,
    *,
    degrade: str | None = None,
    seed: int = 0,
    sigma: float | None = None,
    scale: int = 1,
    y_channel: bool = False,
    crop_border: int = 0,
) -> dict[str, Any]:
    """Restore one encoded image (the task a worker runs): file bytes in, PNG bytes out.

    Parameters
    ----------
    data : bytes
        The encoded input image.
    method : str
        Registry name.
    params : mapping, optional
        Method parameters.
    degrade : str, optional
        A pipeline to apply first (then the result is scored against the input).
    seed : int
        Seed of the degradation and of randomised methods.
    sigma, scale
        Known noise level (0-255) and upscaling factor of an already degraded input (see
        :meth:`restoration.observation.Observation.from_degraded`).
    y_channel, crop_border
        Metric conventions, with ``degrade``.

    Returns
    -------
    dict
        ``{"png": bytes, "seconds": float}`` (plus ``"degraded"`` and ``"restored"`` scores with ``degrade``),
        or ``{"error": str}`` when the input is unreadable or the method refuses it.
    """
    from .degradations import Observation
    from .degradations import degrade as apply_degradation
    from .images import encode_png, load_image
    from .metrics import compare
    from .registry import run_algorithm

    try:
        image = load_image(data)
        if degrade:
            obs = apply_degradation(image, degrade, seed=seed)
        else:
            obs = Observation.from_degraded(image, scale=scale, sigma=sigma)
        start = time.perf_counter()
        restored = run_algorithm(method, obs, dict(params or {}), seed=seed)
        out: dict[str, Any] = {"png": encode_png(restored), "seconds": time.perf_counter() - start}
        if obs.clean is not None:
            from .classic.baselines import run_identity

            opts = {"y_channel": y_channel, "crop_border": crop_border}
            out["degraded"] = compare(obs.clean, run_identity(obs), **opts)
            out["restored"] = compare(obs.clean, restored, **opts)
        return out
    except RestorationError as exc:
        return {"error": str(exc).replace("the uploaded data", "the file")}


def _calls(items: Sequence[BatchItem], kwargs: Mapping[str, Any],
           unreadable: dict[int, str]) -> Iterable[tuple[Any, ...]]:
    """Read each file just before its task is sent (a run holds only the files in flight)."""
    for index, item in enumerate(items):
        try:
            data = item.source.read_bytes()
        except OSError as exc:
            unreadable[index] = f"cannot read: {exc.strerror or exc}"
            data = b""
        yield data, kwargs["method"], kwargs["params"], kwargs["degrade"], kwargs["seed"], kwargs["sigma"], \
            kwargs["scale"], kwargs["y_channel"], kwargs["crop_border"]


def _restore_task(data: bytes, method: str, params: Mapping[str, Any] | None, degrade: str | None, seed: int,
                  sigma: float | None, scale: int, y_channel: bool, crop_border: int) -> dict[str, Any]:
    """:func:`restore_bytes` with positional arguments only (what a pool or a cluster submits)."""
    if not data:
        return {"error": "empty or unreadable file"}
    return restore_bytes(data, method, params, degrade=degrade, seed=seed, sigma=sigma, scale=scale,
                         y_channel=y_channel, crop_border=crop_border)


def _worker_init() -> None:
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"


def restore_folder(
    input_dir: str | Path,
    output_dir: str | Path,
    method: str,
    *,
    params: Mapping[str, Any] | None = None,
    degrade: str | None = None,
    seed: int = 0,
    sigma: float | None = None,
    scale: int = 1,
    y_channel: bool = False,
    crop_border: int = 0,
    overwrite: bool = False,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: BatchProgress | None = None,
) -> BatchReport:
    """Restore every image of a folder into another folder (see the module's notes for the naming).

    Parameters
    ----------
    input_dir, output_dir : str or Path
        The folders (see :func:`plan_batch`).
    method : str
        Registry name.
    params : mapping, optional
        Method parameters (validated before anything runs).
    degrade : str, optional
        Degrade each input with this pipeline first (a demonstration: the report gets mean scores).
    seed : int
        Seed of the degradation and of randomised methods.
    sigma, scale
        Known noise level (0-255) and upscaling factor of already degraded inputs.
    y_channel, crop_border
        Metric conventions, with ``degrade``.
    overwrite : bool
        Replace existing outputs (default: skip them).
    workers : int, optional
        Local worker processes; default: the number of cores, at most the number of images. Ignored with
        ``scheduler``.
    scheduler : str, optional
        Address of a Dask scheduler (``tcp://HOST:PORT``) to run the images on.
    progress : callable, optional
        ``progress(done, total, name)`` after each image (``name`` None for the initial call).

    Returns
    -------
    BatchReport
        What was restored, skipped and failed.

    Raises
    ------
    RestorationError
        For a missing folder, no image, an unknown method, a bad parameter or pipeline, or a scheduler that
        cannot be reached. Bad files do not raise: they are listed in the report.
    """
    from .degradations import Pipeline
    from .registry import get_algorithm

    spec = get_algorithm(method)
    spec.resolve(dict(params or {}))  # names and values, before any work
    if degrade:
        Pipeline.parse(degrade)
    if scheduler is not None:
        from .cluster import probe

        scheduler = probe(scheduler).address
    items = plan_batch(input_dir, output_dir)
    report = BatchReport()
    start = time.perf_counter()
    todo = []
    for item in items:
        if item.target.exists() and not overwrite:
            report.existing.append(item.relative)
        else:
            todo.append(item)
    kwargs = {"method": spec.name, "params": dict(params or {}), "degrade": degrade or None, "seed": int(seed),
              "sigma": sigma, "scale": int(scale), "y_channel": bool(y_channel), "crop_border": int(crop_border)}
    total, done = len(items), len(report.existing)
    if progress:
        progress(done, total, None)
    scores: dict[str, list[tuple[float, float]]] = {"degraded": [], "restored": []}
    unreadable: dict[int, str] = {}
    finished: set[int] = set()

    def on_result(index: int, result: dict[str, Any]) -> None:
        nonlocal done
        if index in finished:
            return
        finished.add(index)
        item = todo[index]
        error = unreadable.get(index) or result.get("error")
        if not error:
            try:
                item.target.parent.mkdir(parents=True, exist_ok=True)
                tmp = item.target.with_name(f".{item.target.name}.{os.getpid()}.tmp")
                tmp.write_bytes(result["png"])
                os.replace(tmp, item.target)
            except OSError as exc:
                error = f"cannot write {item.target}: {exc.strerror or exc}"
        if error:
            report.failed.append((item.relative, error))
        else:
            report.restored.append(item.relative)
            for key in scores:
                if key in result:
                    scores[key].append((result[key]["psnr"], result[key]["ssim"]))
        done += 1
        if progress:
            progress(done, total, item.relative)

    calls = _calls(todo, kwargs, unreadable)
    if todo and scheduler is not None:
        from .cluster import connect, describe_failures, run_tasks

        with connect(scheduler, check=False) as client:
            failures = run_tasks(client, _restore_task, calls, on_result)
        for failure in failures:  # raised on every try, or its workers kept dying: listed like a bad file
            on_result(failure.index, {"error": f"failed on the cluster: {failure.error}"})
        if failures and len(failures) == len(todo):
            raise RestorationError(describe_failures(failures, lambda i: todo[i].relative, len(todo),
                                                     address=scheduler))
    elif todo:
        n_workers = min(workers or os.cpu_count() or 1, len(todo))
        if n_workers <= 1:
            for index, args in enumerate(calls):
                on_result(index, _restore_task(*args))
        else:
            _run_local(calls, on_result, n_workers)
    report.failed.sort()
    report.restored.sort()
    for key, values in scores.items():
        if values:
            report.scores[key] = {"psnr": sum(v[0] for v in values) / len(values),
                                  "ssim": sum(v[1] for v in values) / len(values)}
    report.seconds = time.perf_counter() - start
    return report


def _run_local(calls: Iterable[tuple[Any, ...]], on_result: Callable[[int, Any], None], workers: int) -> None:
    """Run the tasks in ``workers`` processes, at most twice that many in flight."""
    source = enumerate(calls)
    with ProcessPoolExecutor(max_workers=workers, initializer=_worker_init) as pool:
        pending: dict[Future, int] = {}
        exhausted = False
        while True:
            while not exhausted and len(pending) < 2 * workers:
                try:
                    index, args = next(source)
                except StopIteration:
                    exhausted = True
                    break
                pending[pool.submit(_restore_task, *args)] = index
            if not pending:
                return
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                index = pending.pop(future)
                try:
                    result = future.result()
                except Exception as exc:  # a bug or a crashed worker process: this file fails, the run goes on
                    result = {"error": f"{type(exc).__name__}: {exc}"}
                on_result(index, result)
