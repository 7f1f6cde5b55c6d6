"""Command line: ``python -m restoration COMMAND ...``.

Commands
--------
methods     list the registered algorithms (name, tasks, family)
steps       list the degradation steps, their parameters and the presets
gallery     list the bundled sample images
degrade     degrade a clean image and save the result
restore     restore an image with one method (optionally degrading it first and scoring), or a folder
benchmark   images x degradations x methods -> tables and a CSV/JSON file
train       train a deep model and record its weights in the manifest
pack-crops  pack random training crops into one .npz (to train where the dataset is not)

Bad input (unreadable image, bad spec, unknown method, bad parameter, a Dask scheduler
that cannot be reached) prints one line ``error: ...`` on stderr and exits with status 2.
``restore`` of a folder exits with status 1 when some of its files could not be restored
(they are listed on stderr; the others are written), and 2 when none could.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .errors import RestorationError

EXIT_USAGE = 2
#: A folder restoration that restored some images but not all (the others are listed on stderr).
EXIT_PARTIAL = 1


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one clear line, exit 2 (argparse's own convention)
        self.print_usage(sys.stderr)
        print(f"error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _parse_params(items: Sequence[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for item in items:
        if "=" not in item:
            raise RestorationError(f"--param expects key=value, got {item!r}")
        key, value = item.split("=", 1)
        params[key.strip()] = value.strip()
    return params


def _cmd_methods(args: argparse.Namespace) -> int:
    from .degradations import TASKS
    from .registry import list_algorithms

    specs = list_algorithms(task=args.task)
    if args.json:
        print(json.dumps([s.to_dict() for s in specs], indent=2))
        return 0
    width = max(len(s.name) for s in specs)
    print(f"{'name':<{width}}  {'tasks':<38}  family")
    for s in specs:
        tasks = ",".join(t for t in TASKS if t in s.tasks)
        print(f"{s.name:<{width}}  {tasks:<38}  {s.family_title}")
        if args.verbose:
            for p in s.params:
                rng = f" [{p.low:g}, {p.high:g}]" if p.low is not None and p.high is not None else ""
                choices = f" {{{', '.join(map(str, p.choices))}}}" if p.choices else ""
                print(f"{'':<{width}}    --param {p.name}={p.default}{rng}{choices}: {p.help}")
    return 0


def _cmd_steps(args: argparse.Namespace) -> int:
    from .degradations import PRESETS, STEPS

    for step in STEPS.values():
        params = ", ".join(f"{p.name}={p.default}" for p in step.params)
        print(f"{step.name}({params})  [{step.kind}] {step.help}")
    print("\npresets:")
    for preset in PRESETS.values():
        print(f"  {preset.key:<16} {preset.task:<9} {preset.spec}")
    return 0


def _cmd_gallery(args: argparse.Namespace) -> int:
    from .gallery import list_gallery

    for img in list_gallery():
        print(f"{img.key:<24} {img.category:<18} {img.width}x{img.height} {'gray' if img.gray else 'rgb '}  "
              f"{img.licence}  ({img.source})")
    return 0


def _load_input(path: str) -> Any:
    from .images import load_image

    if path.startswith("gallery:"):
        from .gallery import load_gallery_image

        return load_gallery_image(path.split(":", 1)[1])
    return load_image(path)


def _write_image(image: Any, path: str) -> None:
    from .images import save_image

    try:
        save_image(image, path)
    except OSError as exc:
        raise RestorationError(f"cannot write {path}: {exc.strerror or exc}") from None


def _cmd_degrade(args: argparse.Namespace) -> int:
    from .degradations import degrade

    obs = degrade(_load_input(args.input), args.degrade, seed=args.seed)
    _write_image(obs.degraded, args.output)
    print(json.dumps(obs.summary()))
    return 0


def _check_scheduler(args: argparse.Namespace) -> None:
    """Fail at once, before any progress bar, when ``--scheduler`` names no reachable Dask scheduler."""
    if args.scheduler:
        from .cluster import probe

        args.scheduler = probe(args.scheduler).address


def _progress_bar(desc: str, unit: str, quiet: bool) -> tuple[Any, Any]:
    """A tqdm bar on stderr (None when quiet) and the ``progress(done, total, label)`` callback that moves it."""
    bar = None
    if not quiet:
        from tqdm import tqdm

        bar = tqdm(total=0, unit=unit, desc=desc, file=sys.stderr, dynamic_ncols=True)

    def progress(done: int, total: int, label: str | None) -> None:
        if bar is None:
            return
        bar.total = total
        bar.n = done
        if label is not None:
            bar.set_postfix_str(label, refresh=False)
        bar.refresh()

    return bar, progress


def _cmd_restore_folder(args: argparse.Namespace) -> int:
    from .batch import restore_folder

    if args.save_degraded:
        raise RestorationError("--save-degraded applies to one image, not to a folder")
    _check_scheduler(args)
    bar, progress = _progress_bar("restore", "image", args.quiet)
    try:
        report = restore_folder(
            args.input, args.output, args.method, params=_parse_params(args.param), degrade=args.degrade,
            seed=args.seed, sigma=args.sigma, scale=args.scale, y_channel=args.y_channel,
            crop_border=args.crop_border, overwrite=args.overwrite, workers=args.workers, scheduler=args.scheduler,
            progress=progress,
        )
    finally:
        if bar is not None:
            bar.close()
    print(json.dumps({"method": args.method, "input": args.input, "output": args.output, **report.to_dict()},
                     default=str))
    if report.existing:
        print(f"{len(report.existing)} images skipped: their output exists (--overwrite replaces it)",
              file=sys.stderr)
    if report.failed:
        print(f"{len(report.failed)} files not restored:", file=sys.stderr)
        for name, error in report.failed:
            print(f"  {name}: {error}", file=sys.stderr)
        if not report.restored and not report.existing:
            raise RestorationError(f"none of the {len(report.failed)} images could be restored")
        return EXIT_PARTIAL
    return 0


def _cmd_restore(args: argparse.Namespace) -> int:
    from .degradations import Observation, degrade
    from .metrics import compare
    from .registry import get_algorithm, run_algorithm

    if Path(args.input).is_dir():
        return _cmd_restore_folder(args)
    if args.scheduler or args.workers is not None or args.overwrite:
        raise RestorationError("--scheduler, --workers and --overwrite apply when INPUT is a folder")
    spec = get_algorithm(args.method)
    params = _parse_params(args.param)
    image = _load_input(args.input)
    if args.degrade:
        obs = degrade(image, args.degrade, seed=args.seed)
        if args.save_degraded:
            _write_image(obs.degraded, args.save_degraded)
    else:
        obs = Observation.from_degraded(image, scale=args.scale, sigma=args.sigma)
    start = time.perf_counter()
    restored = run_algorithm(spec, obs, params, seed=args.seed)
    seconds = time.perf_counter() - start
    _write_image(restored, args.output)
    report: dict[str, Any] = {"method": spec.name, "task": obs.task, "seconds": round(seconds, 4),
                              "params": spec.resolve(params, obs), "output": args.output}
    if obs.clean is not None:
        opts = {"y_channel": args.y_channel, "crop_border": args.crop_border}
        from .classic.baselines import run_identity

        report["degraded"] = compare(obs.clean, run_identity(obs), **opts)
        report["restored"] = compare(obs.clean, restored, **opts)
    print(json.dumps(report, default=str))
    return 0


def _cmd_benchmark(args: argparse.Namespace) -> int:
    import pandas as pd

    from .benchmark import collect_images, run_benchmark

    out = Path(args.out)
    if out.suffix.lower() not in (".csv", ".json"):
        raise RestorationError(f"--out must end in .csv or .json, got {out.name}")
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    if not methods:
        raise RestorationError("--methods is empty")
    params: dict[str, dict[str, str]] = {}
    for item in args.param:
        if ":" not in item.split("=", 1)[0]:
            raise RestorationError(f"benchmark --param expects method:key=value, got {item!r}")
        method, rest = item.split(":", 1)
        params.setdefault(method.strip(), {}).update(_parse_params([rest]))
    images = collect_images(args.images, categories=args.category or None)
    if args.limit:
        images = images[: args.limit]

    _check_scheduler(args)
    bar, move = _progress_bar("benchmark", "run", args.quiet)

    def progress(done: int, total: int, row: dict[str, Any] | None) -> None:
        move(done, total, None if row is None else f"{row['image']} {row['method']}")

    start = time.perf_counter()
    try:
        results = run_benchmark(
            images, args.degrade, methods, params=params, seed=args.seed, y_channel=args.y_channel,
            crop_border=args.crop_border, workers=args.workers, cache_dir=args.cache, progress=progress,
            cache_max_bytes=int(args.cache_max_mb * 1024 * 1024), cache_max_age_days=args.cache_max_days,
            scheduler=args.scheduler,
        )
    finally:
        if bar is not None:
            bar.close()
    elapsed = time.perf_counter() - start

    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".json":
        out.write_text(results.to_json(orient="records", indent=1))
    else:
        results.to_csv(out, index=False)

    with pd.option_context("display.width", 160, "display.max_columns", 30, "display.float_format", "{:.4f}".format):
        _print_reference_tables(results)
        _print_no_reference_tables(results)
    errors = results[results["error"] != ""]
    if len(errors):
        print(f"\n{len(errors)} runs failed, e.g.: {errors.iloc[0]['method']}: {errors.iloc[0]['error']}",
              file=sys.stderr)
    print(f"\n{len(results)} rows written to {out} in {elapsed:.1f} s")
    return 0


def _as_is_rows(results: Any) -> Any:
    """True for the rows of photos benchmarked as they are (the ``as-is`` degradation: no clean original)."""
    from .benchmark import as_is_scale

    return results["degradation"].map(lambda d: as_is_scale(str(d)) is not None).astype(bool)


def _print_reference_tables(results: Any) -> None:
    """The survey's tables (PSNR/SSIM against the clean images) of the rows that have a clean original."""
    from .benchmark import category_table, improvement_table, method_table

    measured = results[~_as_is_rows(results)]
    if measured.empty:
        return
    print(f"Mean per method (n images = {measured['image'].nunique()}):")
    print(method_table(measured).to_string())
    print("\nPSNR (dB) per category x method:")
    print(category_table(measured, "psnr").to_string())
    print("\nSSIM per category x method:")
    print(category_table(measured, "ssim").to_string())
    if (measured["method"] == "degraded").any() and measured["method"].nunique() > 1:
        print("\nPSNR improvement over the degraded input (%):")
        print(improvement_table(measured, "psnr").to_string(float_format="{:+.1f}".format))


def _print_no_reference_tables(results: Any) -> None:
    """The tables of the photos benchmarked as they are (no clean original): NIQE ranking, NIQE per category."""
    from .results import NO_REFERENCE_NOTE, category_table, no_reference_table

    as_is = results[_as_is_rows(results)]
    if as_is.empty:
        return
    if len(as_is) < len(results):
        print()
    table = no_reference_table(as_is)
    print(f"No-reference scores per method, ranked by NIQE (lower = more natural; n images = "
          f"{as_is['image'].nunique()}; no PSNR/SSIM without a clean original):")
    if table.empty:
        print("(no result could be scored)")
        return
    shown = table.assign(rank=["-" if v != v else f"{int(v)}" for v in table["rank"]],  # NaN: not ranked
                         images=[f"{int(v)}" for v in table["images"]])
    print(shown.to_string())
    if as_is["category"].nunique() > 1:
        print("\nNIQE per category x method:")
        print(category_table(as_is, "niqe").to_string())
    print("\nNote: " + NO_REFERENCE_NOTE)


def _cmd_quality(args: argparse.Namespace) -> int:
    """One JSON line per image: NIQE, sharpness, noise level (and PSNR/SSIM against --reference)."""
    from .quality import quality_report

    reference = _load_input(args.reference) if args.reference else None
    failed = 0
    for path in args.images:
        try:
            image = _load_input(path)
            if reference is not None and reference.shape != image.shape:
                raise RestorationError(f"{path} is {image.shape[1]}x{image.shape[0]}, the reference "
                                       f"{reference.shape[1]}x{reference.shape[0]}: they must match")
            print(json.dumps({"image": path, **quality_report(image, reference)}))
        except RestorationError as exc:
            failed += 1
            print(f"error: {path}: {exc}", file=sys.stderr)
    if failed == len(args.images):
        return 2
    return 1 if failed else 0


def _cmd_train(args: argparse.Namespace) -> int:
    from .deep.train import run_from_args

    return run_from_args(args, args.argv)


def _cmd_pack(args: argparse.Namespace) -> int:
    from .deep.train import pack_crops

    print(json.dumps(pack_crops(args.folder, args.out, count=args.count, size=args.size, val_split=args.val_split,
                                seed=args.seed, gray_data=args.gray_data, gray_count=args.gray_count,
                                pages=args.pages, val_crop=args.val_crop, codec=args.codec)))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the command line."""
    parser = _Parser(prog="python -m restoration", description="Image-restoration workbench command line.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("methods", help="list the registered algorithms")
    p.add_argument("--task", help="only methods solving this task")
    p.add_argument("--json", action="store_true", help="machine-readable output with parameters")
    p.add_argument("-v", "--verbose", action="store_true", help="also list each method's parameters")
    p.set_defaults(func=_cmd_methods)

    p = sub.add_parser("steps", help="list the degradation steps and presets")
    p.set_defaults(func=_cmd_steps)

    p = sub.add_parser("gallery", help="list the bundled sample images")
    p.set_defaults(func=_cmd_gallery)

    p = sub.add_parser("degrade", help="degrade a clean image")
    p.add_argument("input", help="image file, or gallery:KEY")
    p.add_argument("output", help="where to write the degraded image (PNG, TIFF, ...)")
    p.add_argument("--degrade", required=True, metavar="SPEC", help='e.g. "gaussian_noise(sigma=25)"')
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=_cmd_degrade)

    p = sub.add_parser("restore", help="restore an image, or every image of a folder, with one method")
    p.add_argument("input", help="image file, gallery:KEY, or a folder (every image in it and its sub-folders)")
    p.add_argument("output", help="where to write the restored image (a folder when INPUT is one: PNG files "
                   "under the same relative paths)")
    p.add_argument("--method", required=True)
    p.add_argument("--degrade", metavar="SPEC", help="degrade INPUT first (then PSNR/SSIM are reported)")
    p.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="method parameter (repeatable)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--sigma", type=float, default=None,
                   help="known noise level (0-255) of an already noisy INPUT (default: estimated from it)")
    p.add_argument("--scale", type=int, default=1, help="upscaling factor for an already low-resolution INPUT")
    p.add_argument("--save-degraded", metavar="PATH", help="also save the degraded image")
    p.add_argument("--y-channel", action="store_true", help="score on the BT.601 Y channel")
    p.add_argument("--crop-border", type=int, default=0, help="pixels ignored at each border when scoring")
    p.add_argument("--overwrite", action="store_true", help="folder: replace outputs that exist (default: skip)")
    p.add_argument("--workers", type=int, default=None, help="folder: worker processes (default: all cores)")
    p.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="folder: run on this Dask cluster")
    p.add_argument("-q", "--quiet", action="store_true", help="folder: no progress bar")
    p.set_defaults(func=_cmd_restore)

    p = sub.add_parser("benchmark", help="benchmark methods over a set of images")
    p.add_argument("--images", required=True, metavar="DIR|gallery",
                   help="'gallery', or a folder of images (or of one sub-folder per category)")
    p.add_argument("--degrade", required=True, action="append", metavar="SPEC",
                   help="pipeline spec (repeatable); 'as-is' when the images are already degraded (no clean "
                   "original: ranked by NIQE, no PSNR/SSIM), 'as-is(scale=N)' to enlarge them N times")
    p.add_argument("--methods", required=True, help="comma-separated registry names")
    p.add_argument("--param", action="append", default=[], metavar="METHOD:KEY=VALUE", help="(repeatable)")
    p.add_argument("--category", action="append", help="only this category (repeatable)")
    p.add_argument("--limit", type=int, default=0, help="only the first N images")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--y-channel", action="store_true", help="score on the BT.601 Y channel (SR convention)")
    p.add_argument("--crop-border", type=int, default=0, help="pixels ignored at each border (SR: the scale)")
    p.add_argument("--workers", type=int, default=None, help="worker processes (default: all cores)")
    p.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help="run the jobs on this Dask cluster (`dask scheduler` and `dask worker`) instead of locally")
    p.add_argument("--cache", metavar="DIR", help="cache folder: finished rows are reused (resumable) while the "
                   "code, parameters and weights that made them are unchanged")
    p.add_argument("--cache-max-mb", type=float, default=64.0, help="size bound of the cache folder (default 64)")
    p.add_argument("--cache-max-days", type=float, default=30.0,
                   help="rows unused for this many days are removed (default 30)")
    p.add_argument("--out", required=True, help="results file, .csv or .json")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_benchmark)

    p = sub.add_parser("quality", help="no-reference quality of images: NIQE, sharpness, noise level (JSON lines)")
    p.add_argument("images", nargs="+", metavar="IMAGE", help="image files or gallery:KEY")
    p.add_argument("--reference", metavar="REF", help="a clean original: adds psnr and ssim")
    p.set_defaults(func=_cmd_quality)

    p = sub.add_parser("train", help="train a deep model (seeded, resumable, progress bar)")
    from .deep.train import add_arguments

    add_arguments(p)
    p.set_defaults(func=_cmd_train)

    p = sub.add_parser("pack-crops", help="pack random training crops into one compressed .npz")
    p.add_argument("folder", help="folder of clean training images")
    p.add_argument("out", help="the .npz to write (give it to train --data)")
    p.add_argument("--count", type=int, default=2000, help="number of crops")
    p.add_argument("--size", type=int, default=128, help="crop side in pixels")
    p.add_argument("--val-split", type=int, default=32,
                   help="images held out (never cropped for training; stored for validation), as train --val-split")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--gray-data", default="", help="also pack gray crops of this folder and its held-out split "
                                                   "(train --gray-share then reads them from the pack)")
    p.add_argument("--gray-count", type=int, default=500, help="number of gray crops")
    p.add_argument("--pages", action="store_true", help="also pack the synthetic document pages (train --pages)")
    p.add_argument("--val-crop", type=int, default=0,
                   help="store the held-out images as their centre crops of this size (0: whole); a combined run "
                        "with train --val-crop up to it validates on them exactly")
    p.add_argument("--codec", default="webp", choices=["webp", "raw"],
                   help="lossless WebP (about half the bytes) or raw pixels (for a Pillow without WebP)")
    p.set_defaults(func=_cmd_pack)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    args.argv = argv
    try:
        return int(args.func(args))
    except RestorationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
