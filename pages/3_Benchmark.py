"""Benchmark: many images x degradations x methods, measured, tabled and charted like the survey.

Images come from the gallery (by category) or an uploaded zip (one folder per
category). Results are cached: on disk row by row, and whole in st.cache_data, so a
rerun is instant. The survey's reported Tables 3-6 are shown beside our numbers.

In the "already degraded" mode the user's own photos (several files, a folder or a zip) are used as they
are: no degradation is added, the denoisers run on them, and with no clean original every result is scored
without a reference (NIQE, sharpness, noise level) and the methods are ranked by NIQE.
"""

from __future__ import annotations

import math
import time
from typing import Any

import pandas as pd
import streamlit as st

from restoration import PRESETS, REGISTRY, Pipeline, RestorationError, SpecError
from restoration.benchmark import AS_IS, BenchmarkImage, as_is_scale, degradation_task, run_benchmark
from restoration.budget import estimate, time_budget
from restoration.results import (
    DEGRADED,
    category_table,
    improvement_table,
    method_table,
    no_reference_rows,
    no_reference_table,
)
from ui import cache, charts, compare, demo, report, survey, uploads, widgets
from ui.bench_keys import (
    BENCH_MODE,
    BENCH_NR_DECODED,
    BENCH_NR_FILES,
    BENCH_NR_FOLDER,
    BENCH_NR_METHODS,
    BENCH_NR_SOURCE,
    MODE_AS_IS,
    MODE_CLEAN,
)
from ui.keys import (
    BENCH_CATEGORIES,
    BENCH_DEGRADATION,
    BENCH_METHODS,
    BENCH_METRIC,
    BENCH_PER_CATEGORY,
    BENCH_PRESETS,
    BENCH_REQUEST,
    BENCH_RESULTS,
    BENCH_RUN,
    BENCH_RUN_ANYWAY,
    BENCH_SEED,
    BENCH_SIZE,
    BENCH_SOURCE,
    BENCH_SPECS,
    BENCH_SURVEY_41,
    BENCH_SURVEY_42,
    BENCH_WORKERS,
    BENCH_ZIP,
    PERSIST,
    SHARED_METHODS,
    SHARED_SPEC,
)
from ui.state import init_state, seed, seed_choice

init_state()
st.set_page_config(page_title="Benchmark · Image Restoration Workbench", layout="wide")
state = st.session_state

st.title("Benchmark")
st.markdown(
    "Measure methods on many images at once, per image category, as the survey does — and put its reported "
    "numbers beside ours. Every method runs only on the degradations it solves; the degraded input is always "
    "measured too (the *degraded* column)."
)

modes = {MODE_CLEAN: "Clean images: degrade them here, measure PSNR/SSIM",
         MODE_AS_IS: "My images are already degraded (no ground truth)"}
seed_choice(BENCH_MODE, list(modes), MODE_CLEAN)
as_is_mode = st.radio(
    "What are your images?", list(modes), format_func=modes.__getitem__, key=BENCH_MODE, horizontal=True,
    persist_state=PERSIST,
    help="Already degraded: your own noisy photos, with no clean original. They are used as they are, the "
    "denoisers run on them, and each result is scored by itself (NIQE, sharpness, noise level) instead of "
    "against a clean original (PSNR/SSIM).",
) == MODE_AS_IS
if as_is_mode:
    st.caption("Your photos are restored **as they are**: nothing is added, and each method estimates the noise "
               "level itself. With no clean original there is no PSNR or SSIM: the results are ranked by NIQE, a "
               "no-reference score (lower = closer to clean natural photos).")

images_col, degradations_col = st.columns(2, gap="large")
methods_col = st.container()


def zip_upload(budget: int) -> list[BenchmarkImage]:
    """The images of the uploaded zip file (one folder per category), with its errors and skipped files shown."""
    upload = st.file_uploader(
        "Zip file: one folder per category", type=["zip"], key=BENCH_ZIP,
        help=f"At most {uploads.ZIP_MAX_FILES} entries, {uploads.ZIP_MAX_BYTES // 10**6} MB unpacked and "
        f"{uploads.ZIP_MAX_TOTAL_PIXELS // 10**6} megapixels of images in all; links, absolute paths and '..' "
        "are refused; files that are not images are skipped.",
    )
    if upload is None:
        return []
    try:
        unpacked = cache.zip_images(upload.file_id, upload.getvalue(), int(budget) or None)
    except RestorationError as exc:
        st.error(str(exc), icon=":material/error:")
        return []
    if unpacked.skipped:
        with st.expander(f"{len(unpacked.skipped)} files skipped"):
            st.markdown("\n".join(f"- {line}" for line in unpacked.skipped))
    return list(unpacked.images)


def decoded_photos(files: list[Any], budget: int) -> tuple[list[BenchmarkImage], list[str]]:
    """The uploaded photos at the working size, and the files skipped with the reason (decoded once per upload).

    A photo in a sub-folder of an uploaded folder (``folder/night/a.jpg``) gets that sub-folder as its
    category, the others ``"all"``; names are made unique.
    """
    key = (tuple(f.file_id for f in files), int(budget))
    memo = state.get(BENCH_NR_DECODED)
    if memo is not None and memo[0] == key:
        return memo[1], memo[2]
    found = uploads.images_from_files([(f.name, f.getvalue()) for f in files], int(budget) or None)
    photos, skipped = found.images, found.skipped
    state[BENCH_NR_DECODED] = (key, photos, skipped)
    return photos, skipped


# --------------------------------------------------------------------------- 1. images
with images_col:
    st.subheader("1. Images")
    if as_is_mode:
        sources = {"files": "Upload photos", "folder": "Upload a folder", "zip": "Upload a zip"}
        source_key, default_source = BENCH_NR_SOURCE, "files"
    else:
        sources = {"gallery": "Sample gallery", "zip": "Upload a zip"}
        source_key, default_source = BENCH_SOURCE, "gallery"
    seed_choice(source_key, list(sources), default_source)
    source = st.radio("Source", list(sources), format_func=sources.__getitem__, key=source_key, horizontal=True,
                      persist_state=PERSIST)
    seed_choice(BENCH_SIZE, list(widgets.WORK_SIZES), 256 * 256)
    budget = st.selectbox("Working size of each image", list(widgets.WORK_SIZES), format_func=widgets.size_label,
                          key=BENCH_SIZE, persist_state=PERSIST, help="Images are shrunk to this size first.")
    images = []
    if source in ("files", "folder"):
        folder = source == "folder"
        uploaded = st.file_uploader(
            "A folder of degraded photos (its sub-folders become categories)" if folder else "Your degraded photos",
            type=list(uploads.UPLOAD_TYPES), accept_multiple_files="directory" if folder else True,
            key=BENCH_NR_FOLDER if folder else BENCH_NR_FILES,
            help=f"At most {uploads.ZIP_MAX_IMAGES} images. NIQE needs at least 192×192 pixels (after the working "
            "size above); files that are not images are skipped.",
        )
        images, skipped_files = decoded_photos(list(uploaded or []), int(budget))
        if skipped_files:
            with st.expander(f"{len(skipped_files)} files skipped"):
                st.markdown("\n".join(f"- {line}" for line in skipped_files))
    elif source == "gallery":
        samples = demo.list_samples()
        categories = list(dict.fromkeys(s.category for s in samples))
        # written only when it must change: a value set through session state is pushed to the browser
        if BENCH_CATEGORIES not in state:
            state[BENCH_CATEGORIES] = [c for c in categories if c != "synthetic"] or categories
        elif any(c not in categories for c in state[BENCH_CATEGORIES]):
            state[BENCH_CATEGORIES] = [c for c in state[BENCH_CATEGORIES] if c in categories]
        chosen_categories = st.multiselect("Categories", categories, key=BENCH_CATEGORIES, persist_state=PERSIST)
        most = max(sum(s.category == c for s in samples) for c in categories)
        seed(BENCH_PER_CATEGORY, 1)
        per_category = st.number_input("Images per category", 1, most, step=1, key=BENCH_PER_CATEGORY,
                                       persist_state=PERSIST)
        if chosen_categories:
            images = cache.sample_images(tuple(chosen_categories), int(per_category), int(budget) or None)
    else:
        images = zip_upload(int(budget))
    counts: dict[str, int] = {}
    for image in images:
        counts[image.category] = counts.get(image.category, 0) + 1
    if images:
        st.caption(f"{len(images)} images: " + ", ".join(f"{c} ({n})" for c, n in counts.items()))
    elif as_is_mode:
        st.info("Upload your degraded photos: several files, a folder or a zip.", icon=":material/info:")
    else:
        st.info("Choose at least one category, or upload a zip file.", icon=":material/info:")

# --------------------------------------------------------------------------- 2. degradations
with degradations_col:
    if as_is_mode:
        st.subheader("2. Degradation")
        degradations = [AS_IS]
        tasks = {AS_IS: degradation_task(AS_IS)}
        st.markdown("None added: your photos **are** the degraded input. The methods run on them as they are, and "
                    "the *degraded* row of the results is your photos themselves.")
        st.caption(f"`{AS_IS}` → {tasks[AS_IS]} (noise level unknown: each method estimates it from the photo)")
    else:
        st.subheader("2. Degradations")
        shared = state[SHARED_SPEC]
        shared_full = ""
        if shared:
            try:
                shared_full = Pipeline.parse(shared).to_text(full=True)
            except SpecError:
                shared = ""
        preset_of = {Pipeline.parse(p.spec).to_text(full=True): k for k, p in PRESETS.items()}
        if BENCH_PRESETS not in state:
            if shared and shared_full in preset_of:
                state[BENCH_PRESETS] = [preset_of[shared_full]]
            elif shared:
                state[BENCH_PRESETS] = []
            else:
                state[BENCH_PRESETS] = ["combined", "noise25"]
        seed(BENCH_SPECS, shared if shared and shared_full not in preset_of else "")
        chosen_presets = st.multiselect("Presets", list(PRESETS), format_func=widgets.preset_label, key=BENCH_PRESETS,
                                        persist_state=PERSIST, help="The survey's experiment is the last preset.")
        extra = st.text_area(
            "More pipelines, one per line", key=BENCH_SPECS, persist_state=PERSIST, height=90,
            placeholder="gaussian_blur(sigma=2) | gaussian_noise(sigma=5)",
        )
        degradations: list[str] = []
        for text in [PRESETS[k].spec for k in chosen_presets] + [line for line in extra.splitlines() if line.strip()]:
            try:
                canonical = Pipeline.parse(text).to_text()
            except SpecError as exc:
                st.error(str(exc), icon=":material/error:")
                continue
            if canonical and canonical not in degradations:
                degradations.append(canonical)
        tasks = {spec: widgets.pipeline_task(spec) for spec in degradations}
        for spec, task in tasks.items():
            st.caption(f"`{spec}` → {task}")
    seed(BENCH_SEED, 0)
    bench_seed = int(st.number_input("Seed", 0, 2**31 - 1, step=1, key=BENCH_SEED, persist_state=PERSIST))

# --------------------------------------------------------------------------- 3. methods
with methods_col:
    st.subheader("3. Methods")
    options = []
    for task in dict.fromkeys(tasks.values()):
        options += [m for m in widgets.methods_for(task) if m not in options]
    methods_key = BENCH_NR_METHODS if as_is_mode else BENCH_METHODS
    if methods_key not in state:
        wanted = [m for m in (state[SHARED_METHODS] or []) if m in options]
        if not wanted:
            for task in dict.fromkeys(tasks.values()):
                defaults = widgets.default_methods(widgets.methods_for(task))
                if not as_is_mode:  # plus what the survey view needs (both traditional rows of Tables 3-4)
                    defaults += [m for m in survey.SURVEY_METHODS.get(task, ()) if m in options]
                wanted += [m for m in defaults if m not in wanted]
        state[methods_key] = wanted
    elif any(m not in options for m in state[methods_key]):
        state[methods_key] = [m for m in state[methods_key] if m in options]
    methods = st.multiselect(
        "Methods", options, format_func=widgets.method_label, key=methods_key, persist_state=PERSIST,
        help="The denoisers: each runs on your photos as they are." if as_is_mode
        else "Methods for any of the chosen degradations' tasks.",
    )
    backend = cache.bench_backend()  # the cluster comes from the server's environment, never from a visitor
    if backend.scheduler is None:
        seed(BENCH_WORKERS, 1)
        workers = int(st.columns(3)[0].number_input(
            "Worker processes", 1, 8, step=1, key=BENCH_WORKERS, persist_state=PERSIST,
            help="Images run in parallel in this many processes (1 = in the app's own process, least memory).",
        ))
        st.caption(backend.describe(workers))
    else:
        workers = backend.workers
        if backend.error:
            st.error(backend.describe(), icon=":material/error:")
        else:
            st.caption(backend.describe())

    # ---- time budget: a method that would take longer than the budget on the largest image is held back
    try:
        limit = time_budget()
    except RestorationError as exc:  # a malformed RESTORATION_TIME_BUDGET: say so, and hold nothing back
        st.warning(str(exc), icon=":material/warning:")
        limit = math.inf
    largest = max((i.pixels.shape for i in images if i.pixels is not None), key=lambda s: s[0] * s[1], default=None)
    slow = [] if largest is None else [
        e for e in (estimate(REGISTRY[m], largest, budget=limit) for m in methods) if e.over
    ]
    if slow:
        seed(BENCH_RUN_ANYWAY, False)
        if not st.checkbox("Run slow methods anyway", key=BENCH_RUN_ANYWAY, persist_state=PERSIST,
                           help="Run the methods over the time budget too; the page waits until they finish."):
            advice = ("Choose a smaller working size or fewer images above, or tick *Run slow methods anyway*.")
            for held in slow:
                st.warning(held.message(advice, image="the largest"), icon=":material/hourglass_top:")
            methods = [m for m in methods if m not in {e.method for e in slow}]
    rows = sum(
        len(images) * (1 + sum(task in REGISTRY[m].tasks for m in methods)) for task in tasks.values()
    )
    seconds = sum(
        estimate(REGISTRY[m], image.pixels.shape, budget=math.inf).seconds
        for image in images if image.pixels is not None for task in tasks.values()
        for m in methods if task in REGISTRY[m].tasks and REGISTRY[m].cost is not None
    )
    shape = (f"{len(images)} photos × (your photo + {len(methods)} methods)" if as_is_mode
             else f"{len(images)} images × {len(degradations)} degradations × methods that fit")
    st.caption(f"{rows} measurements ({shape}); about {seconds:.0f} s on this machine (measured speeds scaled to it; "
               "cached measurements are instant)" + ("; each result is then scored (NIQE)." if as_is_mode else "."))

ready = bool(images and degradations and methods and not backend.error)
if st.button("Run benchmark", key=BENCH_RUN, type="primary", icon=":material/play_arrow:", disabled=not ready):
    bar = st.progress(0.0, text="Starting...")
    started = time.perf_counter()
    first: dict[str, int] = {}

    def on_progress(done: int, total: int, row: dict | None) -> None:
        """Show progress, the last measurement and the time left."""
        first.setdefault("done", done)
        elapsed = time.perf_counter() - started
        new = done - first["done"]
        eta = elapsed / new * (total - done) if new else float("nan")
        last = f" · last: {row['method']} on {row['image']}" if row else ""
        left = f" · about {eta:.0f} s left" if new and done < total else ""
        bar.progress(done / max(total, 1), text=f"{done}/{total} measurements{last}{left}")

    try:
        if as_is_mode:  # the photos as they are: rows come from the disk cache, progress after each photo
            frame = run_benchmark(
                images, degradations, methods, seed=bench_seed, workers=workers, cache_dir=cache.BENCH_CACHE_DIR,
                progress=on_progress, scheduler=backend.scheduler,
            )
        else:
            frame = cache.run_benchmark_live(
                images, degradations, methods, bench_seed, workers=workers, on_progress=on_progress,
                scheduler=backend.scheduler,
            )
    except RestorationError as exc:
        st.error(str(exc), icon=":material/error:")
    else:
        seconds = time.perf_counter() - started
        bar.progress(1.0, text=f"Done: {len(frame)} measurements in {seconds:.1f} s")
        state[BENCH_RESULTS] = frame
        state[BENCH_REQUEST] = {
            "images": [f"{i.category}/{i.name}" for i in images], "degradations": degradations,
            "methods": methods, "seed": bench_seed, "seconds": seconds,
            "mode": MODE_AS_IS if as_is_mode else MODE_CLEAN,
        }

frame = state[BENCH_RESULTS]
if frame is None or frame.empty:
    st.stop()

# --------------------------------------------------------------------------- results
st.divider()
request = state[BENCH_REQUEST] or {}
st.subheader("Results")
no_reference = bool(frame["degradation"].map(lambda d: as_is_scale(str(d)) is not None).all())
took = f"{len(frame)} measurements in {request.get('seconds', float('nan')):.1f} s (cached ones are instant)."
if no_reference:
    st.caption(f"{frame['image'].nunique()} photos used as they are (no clean original); {took}")
else:
    st.caption(f"{frame['image'].nunique()} images × {frame['degradation'].nunique()} degradations; {took}")
failed = frame[frame["error"].fillna("") != ""]
if not failed.empty:
    with st.expander(f"{len(failed)} measurements failed", icon=":material/warning:"):
        st.dataframe(failed[["image", "degradation", "method", "error"]], hide_index=True)


def show_no_reference(frame: pd.DataFrame) -> None:
    """The results of photos used as they are: no-reference scores per method, ranked by NIQE, and the raw rows."""
    scores, raw_rows = st.tabs(["No-reference scores", "Raw data and downloads"])
    with scores:
        table = no_reference_table(frame)
        if table.empty:
            st.warning("No result could be scored: every measurement failed (see above).", icon=":material/warning:")
        else:
            shown = compare.rank_as_text(charts.flatten(table))
            shown.insert(1, "title", ["Your photos, as uploaded" if m == DEGRADED else compare.title_of(m)
                                      for m in shown["method"]])
            number, text = st.column_config.NumberColumn, st.column_config.TextColumn
            st.markdown("**No-reference scores per method**, best NIQE first (mean over your photos; the first row "
                        "is your photos as uploaded, not ranked)")
            st.dataframe(
                shown, hide_index=True, key="bench.nr_table",
                column_order=["rank", "title", "niqe", "sharpness", "noise_sigma", "seconds", "images", "method"],
                column_config={
                    "rank": text(help="by NIQE; your photos themselves are not ranked", width=50),
                    "title": text("title", width=260),
                    "niqe": number("NIQE", format="%.2f", help="lower = more natural", width=70),
                    "sharpness": number(format="%.0f", help="variance of the Laplacian: falls with blur, "
                                        "rises with noise", width=90),
                    "noise_sigma": number("noise sigma", format="%.1f", help="estimated noise level left, 0-255",
                                          width=95),
                    "seconds": number(format="%.3f", width=80),
                    "images": number("photos", format="%d", width=65),
                    "method": text("method", help="registry name", width=130),
                },
            )
            if no_reference_rows(frame)["niqe"].isna().any():
                st.warning("NIQE needs at least 192×192 pixels: some photos (or the working size chosen) are "
                           "smaller, and their NIQE is missing from the means.", icon=":material/warning:")
            if frame["category"].nunique() > 1:
                st.markdown("**NIQE per category × method** (lower = more natural; the last row is the mean over "
                            "all photos)")
                per_category = charts.flatten(category_table(no_reference_rows(frame), "niqe").rename_axis("category"))
                st.dataframe(charts.style_best(per_category, [], digits=2), hide_index=True)  # no "best": lower wins
            st.caption(compare.NO_REFERENCE_CAVEAT)
        st.info("PSNR, SSIM, the charts and the comparison with the survey need the clean original, which photos "
                "that came degraded do not have, so they are not shown here. To measure them, choose *Clean images* "
                "at the top: the page then degrades clean images itself.", icon=":material/info:")
    with raw_rows:
        columns = [c for c in frame.columns if c not in ("psnr", "ssim")]
        st.dataframe(frame[columns], hide_index=True)
        down_csv, down_json = st.columns(2)
        down_csv.download_button(
            "Download all results (CSV)", data=lambda: frame.to_csv(index=False).encode(),
            file_name="benchmark-as-is.csv", mime="text/csv", key="bench.nr_download_csv", on_click="ignore",
            icon=":material/download:",
        )
        down_json.download_button(
            "Download all results (JSON)", data=lambda: frame.to_json(orient="records", indent=1).encode(),
            file_name="benchmark-as-is.json", mime="application/json", key="bench.nr_download_json",
            on_click="ignore", icon=":material/download:",
        )


if no_reference:
    show_no_reference(frame)
    st.stop()

run_degradations = list(dict.fromkeys(frame["degradation"]))
short = {d: d if as_is_scale(d) is not None else Pipeline.parse(d).to_text() for d in run_degradations}
task_of = {d: degradation_task(d) for d in run_degradations}


def degradation_label(spec: str) -> str:
    """Short label of a degradation in the select boxes: its task and pipeline text."""
    return f"{task_of[spec]} · {short[spec]}"


def first_with(tasks: tuple[str, ...]) -> str:
    """The first degradation run whose task is one of ``tasks`` (else the first one)."""
    return next((d for d in run_degradations if task_of[d] in tasks), run_degradations[0])


seed_choice(BENCH_DEGRADATION, run_degradations, first_with(("combined",)))
pick, metric_pick = st.columns([3, 1])
degradation = pick.selectbox("Degradation shown", run_degradations, format_func=degradation_label,
                             key=BENCH_DEGRADATION, persist_state=PERSIST)
seed_choice(BENCH_METRIC, ["psnr", "ssim"], "psnr")
metric = metric_pick.radio("Metric", ["psnr", "ssim"], format_func=charts.METRIC_LABELS.__getitem__,
                           key=BENCH_METRIC, horizontal=True, persist_state=PERSIST)
subset = frame[frame["degradation"] == degradation]
digits = 2 if metric == "psnr" else 4

tables, figures, versus, raw = st.tabs(["Tables", "Charts", "Survey vs measured", "Raw data and downloads"])
with tables:
    st.markdown("**Mean per method** (the layout of the survey's Tables 3 and 5)")
    means = charts.flatten(method_table(subset))
    st.dataframe(
        charts.style_best(means, ["psnr", "ssim", "seconds", "psnr_gain"],
                          digits={"psnr": 2, "ssim": 4, "seconds": 3, "psnr_gain": 2}),
        hide_index=True,
    )
    st.markdown(f"**{charts.METRIC_LABELS[metric]} per category × method**, degraded input first "
                "(the layout of Tables 4 and 6; the last row is the mean over all images)")
    per_category = charts.flatten(category_table(subset, metric).rename_axis("category"))
    methods_shown = [c for c in per_category.columns if c != "category"]
    st.dataframe(charts.style_best(per_category, methods_shown, axis=1, digits=digits), hide_index=True)
    if DEGRADED in per_category.columns and len(methods_shown) > 1:
        st.markdown(f"**Improvement over the degraded input (% of {charts.METRIC_LABELS[metric]})**")
        improvement = charts.flatten(improvement_table(subset, metric).rename_axis("category"))
        st.dataframe(charts.style_best(improvement, list(improvement.columns[1:]), axis=1, digits=1),
                     hide_index=True)
with figures:
    st.plotly_chart(charts.category_bars(frame, metric, degradation), key="bench.bars")
    st.plotly_chart(charts.category_heatmap(frame, metric, degradation), key="bench.heatmap")
    st.plotly_chart(charts.runtime_scatter(frame, degradation, metric), key="bench.scatter")
with versus:
    st.markdown(
        "Our numbers in the layout of each of the survey's tables. Each kind of method the survey names is "
        "represented by our best method of that kind in this run (column *ours*); *—* means no method of that "
        "kind ran on the degradation (our filters and wavelets are denoisers)."
    )
    seed_choice(BENCH_SURVEY_41, run_degradations, first_with(("combined",)))
    seed_choice(BENCH_SURVEY_42, run_degradations, first_with(("denoise",)))
    pick41, pick42 = st.columns(2)
    for_41 = pick41.selectbox("Degradation for Tables 3-4 (survey: noise + motion blur + downsampling)",
                              run_degradations, format_func=degradation_label, key=BENCH_SURVEY_41,
                              persist_state=PERSIST)
    for_42 = pick42.selectbox("Degradation for Tables 5-6 (survey: noise and blur)", run_degradations,
                              format_func=degradation_label, key=BENCH_SURVEY_42, persist_state=PERSIST)
    claims = survey.claims_vs_measured(frame, for_41, for_42)
    sentences = survey.conclusions(claims, metric.upper())
    st.vega_lite_chart(spec=charts.survey_gain_chart(claims, metric.upper()), width="stretch", key="bench.survey_chart")
    st.caption(
        f"Each bar is a gain of deep learning over a traditional kind of method in {metric.upper()} (%): grey as the "
        "survey printed it, red as measured here on the degradations chosen above (switch PSNR / SSIM with *Metric* "
        "at the top). Hover a bar for the values and the number of images behind our mean."
    )
    number, text = st.column_config.NumberColumn, st.column_config.TextColumn
    fmt = {
        "PSNR": number(format="%.2f", width=62), "SSIM": number(format="%.3f", width=62),
        "image type": text(width=128), "category": text(width=128), "metric": text(width=56),
        "degraded": number(width=70), "traditional": number(width=80), "wavelet": number(width=64),
        "deep learning": number(width=96), "ours": text(width=96), "method": text(width=290),
    }
    pairs = [  # (table, title, survey section, reported, measured), each table above the next: the measured
        # tables' rows have long names ("traditional, survey-style (BM3D then bicubic)"), cut off side by side
        ("Table 3", "mean over the test set", "4.1", survey.TABLE3,
         survey.measured_table3(frame, for_41, degraded=True)),
        ("Table 4", "per category", "4.1", survey.TABLE4, survey.measured_table4(frame, for_41, degraded=True)),
        ("Table 5", "filters, wavelets and deep learning", "4.2", survey.TABLE5,
         survey.measured_table5(frame, for_42, degraded=True)),
        ("Table 6", "per image type", "4.2", survey.TABLE6, survey.measured_table6(frame, for_42)),
    ]
    for name, title, section, reported, measured in pairs:
        badge = f" :orange-badge[{survey.INCOMPLETE_LABEL}]" if name in survey.INCOMPLETE else ""
        st.markdown(f"**{name} — {title}**{badge}")
        if name in sentences:
            st.markdown(sentences[name])
        st.caption(survey.EXPERIMENTS[section])
        if name in survey.INCOMPLETE:
            st.caption(survey.INCOMPLETE[name])
        if name == "Table 3":  # once, above the first table with the two traditional rows
            st.caption(survey.TRADITIONAL_ROWS)
        st.caption("Reported by the survey" + (f" ({survey.INCOMPLETE_LABEL})" if name in survey.INCOMPLETE else ""))
        st.dataframe(reported, hide_index=True, column_config=fmt, width="content")
        floor = ("the *degraded* column" if name == "Table 6" else "the first row of each block") + \
            " is the degraded input itself, not restored"
        st.caption(f"Measured here — `{short[for_41 if section == '4.1' else for_42]}`; {floor}")
        st.dataframe(measured, hide_index=True, column_config=fmt, width="content")
    st.info(survey.DIFFERENCES, icon=":material/info:")
with raw:
    st.dataframe(frame, hide_index=True, column_config={"degradation": st.column_config.TextColumn(width="medium")})
    down_csv, down_json, down_report = st.columns(3)
    down_csv.download_button(
        "Download all results (CSV)", data=lambda: frame.to_csv(index=False).encode(), file_name="benchmark.csv",
        mime="text/csv", key="bench.download_csv", on_click="ignore", icon=":material/download:",
    )
    down_json.download_button(
        "Download all results (JSON)", data=lambda: frame.to_json(orient="records", indent=1).encode(),
        file_name="benchmark.json", mime="application/json", key="bench.download_json", on_click="ignore",
        icon=":material/download:",
    )
    down_report.download_button(  # built on click (deferred): a page of tables, charts and the survey comparison
        "Download a report (HTML)", data=lambda: report.benchmark_report_html(frame, request).encode("utf-8"),
        file_name=report.benchmark_file_name(frame), mime="text/html", key="bench.download_report",
        on_click="ignore", icon=":material/description:",
        help="One self-contained page for a stakeholder: per degradation the mean per method (table and chart) "
        "and per category, the survey's claims beside our numbers, the date, commit and version. Opens offline.",
    )
