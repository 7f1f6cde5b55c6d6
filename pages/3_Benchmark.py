"""Benchmark: many images x degradations x methods, measured, tabled and charted like the survey.

Images come from the gallery (by category) or an uploaded zip (one folder per
category). Results are cached: on disk row by row, and whole in st.cache_data, so a
rerun is instant. The survey's reported Tables 3-6 are shown beside our numbers.
"""

from __future__ import annotations

import math
import time

import streamlit as st

from restoration import PRESETS, REGISTRY, Pipeline, RestorationError, SpecError
from restoration.budget import estimate, time_budget
from restoration.results import DEGRADED, category_table, improvement_table, method_table
from ui import cache, charts, demo, survey, uploads, widgets
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

images_col, degradations_col = st.columns(2, gap="large")
methods_col = st.container()

# --------------------------------------------------------------------------- 1. images
with images_col:
    st.subheader("1. Images")
    sources = {"gallery": "Sample gallery", "zip": "Upload a zip"}
    seed_choice(BENCH_SOURCE, list(sources), "gallery")
    source = st.radio("Source", list(sources), format_func=sources.__getitem__, key=BENCH_SOURCE, horizontal=True,
                      persist_state=PERSIST)
    seed_choice(BENCH_SIZE, list(widgets.WORK_SIZES), 256 * 256)
    budget = st.selectbox("Working size of each image", list(widgets.WORK_SIZES), format_func=widgets.size_label,
                          key=BENCH_SIZE, persist_state=PERSIST, help="Images are shrunk to this size first.")
    images = []
    if source == "gallery":
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
        upload = st.file_uploader(
            "Zip file: one folder per category", type=["zip"], key=BENCH_ZIP,
            help=f"At most {uploads.ZIP_MAX_FILES} entries, {uploads.ZIP_MAX_BYTES // 10**6} MB unpacked and "
            f"{uploads.ZIP_MAX_TOTAL_PIXELS // 10**6} megapixels of images in all; links, absolute paths and '..' "
            "are refused; files that are not images are skipped.",
        )
        if upload is not None:
            try:
                unpacked = cache.zip_images(upload.file_id, upload.getvalue(), int(budget) or None)
            except RestorationError as exc:
                st.error(str(exc), icon=":material/error:")
            else:
                images = unpacked.images
                if unpacked.skipped:
                    with st.expander(f"{len(unpacked.skipped)} files skipped"):
                        st.markdown("\n".join(f"- {line}" for line in unpacked.skipped))
    counts: dict[str, int] = {}
    for image in images:
        counts[image.category] = counts.get(image.category, 0) + 1
    if images:
        st.caption(f"{len(images)} images: " + ", ".join(f"{c} ({n})" for c, n in counts.items()))
    else:
        st.info("Choose at least one category, or upload a zip file.", icon=":material/info:")

# --------------------------------------------------------------------------- 2. degradations
with degradations_col:
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
    if BENCH_METHODS not in state:
        wanted = [m for m in (state[SHARED_METHODS] or []) if m in options]
        if not wanted:
            for task in dict.fromkeys(tasks.values()):
                defaults = widgets.default_methods(widgets.methods_for(task))
                # plus what the survey view needs for this task (both traditional rows of Tables 3-4)
                defaults += [m for m in survey.SURVEY_METHODS.get(task, ()) if m in options]
                wanted += [m for m in defaults if m not in wanted]
        state[BENCH_METHODS] = wanted
    elif any(m not in options for m in state[BENCH_METHODS]):
        state[BENCH_METHODS] = [m for m in state[BENCH_METHODS] if m in options]
    methods = st.multiselect("Methods", options, format_func=widgets.method_label, key=BENCH_METHODS,
                             persist_state=PERSIST, help="Methods for any of the chosen degradations' tasks.")
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
    st.caption(f"{rows} measurements ({len(images)} images × {len(degradations)} degradations × methods that fit); "
               f"about {seconds:.0f} s on this machine (measured speeds scaled to it; cached measurements are "
               "instant).")

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
        }

frame = state[BENCH_RESULTS]
if frame is None or frame.empty:
    st.stop()

# --------------------------------------------------------------------------- results
st.divider()
request = state[BENCH_REQUEST] or {}
st.subheader("Results")
st.caption(
    f"{frame['image'].nunique()} images × {frame['degradation'].nunique()} degradations; "
    f"{len(frame)} measurements in {request.get('seconds', float('nan')):.1f} s (cached ones are instant)."
)
failed = frame[frame["error"].fillna("") != ""]
if not failed.empty:
    with st.expander(f"{len(failed)} measurements failed", icon=":material/warning:"):
        st.dataframe(failed[["image", "degradation", "method", "error"]], hide_index=True)

run_degradations = list(dict.fromkeys(frame["degradation"]))
short = {d: Pipeline.parse(d).to_text() for d in run_degradations}
task_of = {d: widgets.pipeline_task(d) for d in run_degradations}


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
    number, text = st.column_config.NumberColumn, st.column_config.TextColumn
    fmt = {
        "PSNR": number(format="%.2f", width=62), "SSIM": number(format="%.3f", width=62),
        "image type": text(width=128), "category": text(width=128), "metric": text(width=56),
        "degraded": number(width=70), "traditional": number(width=80), "wavelet": number(width=64),
        "deep learning": number(width=96), "ours": text(width=96),
    }
    pairs = [  # (title, survey section, reported, measured, side by side: the wide tables go one above the other)
        ("Table 3 — mean over the test set", "4.1", survey.TABLE3, survey.measured_table3(frame, for_41), True),
        ("Table 4 — per category", "4.1", survey.TABLE4, survey.measured_table4(frame, for_41), False),
        ("Table 5 — filters, wavelets and deep learning", "4.2", survey.TABLE5, survey.measured_table5(frame, for_42),
         True),
        ("Table 6 — per image type", "4.2", survey.TABLE6, survey.measured_table6(frame, for_42), False),
    ]
    for title, section, reported, measured, beside in pairs:
        st.markdown(f"**{title}**")
        st.caption(survey.EXPERIMENTS[section])
        if reported is survey.TABLE3:  # once, above the first table with the two traditional rows
            st.caption(survey.TRADITIONAL_ROWS)
        left, right = st.columns(2) if beside else (st.container(), st.container())
        left.caption("Reported by the survey")
        left.dataframe(reported, hide_index=True, column_config=fmt, width="content" if not beside else "stretch")
        right.caption(f"Measured here — `{short[for_41 if section == '4.1' else for_42]}`")
        right.dataframe(measured, hide_index=True, column_config=fmt, width="content" if not beside else "stretch")
    st.caption(f"The survey states +{survey.TABLE3_CLAIMS['PSNR']}% PSNR and +{survey.TABLE3_CLAIMS['SSIM']}% SSIM "
               "for deep learning over the traditional method (Table 3); our gains over each of our two traditional "
               "rows are the last two rows of our Table 3.")
    st.info(survey.DIFFERENCES, icon=":material/info:")
with raw:
    st.dataframe(frame, hide_index=True, column_config={"degradation": st.column_config.TextColumn(width="medium")})
    down_csv, down_json = st.columns(2)
    down_csv.download_button(
        "Download all results (CSV)", data=frame.to_csv(index=False).encode(), file_name="benchmark.csv",
        mime="text/csv", key="bench.download_csv", on_click="ignore", icon=":material/download:",
    )
    down_json.download_button(
        "Download all results (JSON)", data=frame.to_json(orient="records", indent=1).encode(),
        file_name="benchmark.json", mime="application/json", key="bench.download_json", on_click="ignore",
        icon=":material/download:",
    )
