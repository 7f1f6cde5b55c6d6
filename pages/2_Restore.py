"""Restore: run the methods that fit the observation's task and compare them in every way.

Methods are grouped by family; their parameter widgets come from the registry. The
results are compared in a grid, with the winner explained in a sentence (its gap to the
runner-up and to the input, whether a person can see it, its time), a metric table (PSNR,
SSIM, gain over the degraded input, time), a before/after slider, synchronised zoomed
crops and error maps with their colour scale. Everything can be taken away: each image,
the table as CSV (with the image, pipeline, seed and parameters) and a one-page HTML report.
"""

from __future__ import annotations

import functools
import html
import json
import math
import time

import streamlit as st

from restoration import FAMILIES, RestorationError, get_algorithm, progress
from restoration.budget import split_by_budget
from ui import cache, charts, compare, report, widgets
from ui.keys import (
    PERSIST,
    RESTORE_ERROR_MAX,
    RESTORE_LEFT,
    RESTORE_METHODS,
    RESTORE_METHODS_TASK,
    RESTORE_NR_TABLE,
    RESTORE_PARAM_GENERATION,
    RESTORE_PARAM_PREFIX,
    RESTORE_RESULTS,
    RESTORE_RIGHT,
    RESTORE_RUN,
    RESTORE_RUN_ANYWAY,
    RESTORE_TABLE,
    RESTORE_ZOOM_SIZE,
    RESTORE_ZOOM_X,
    RESTORE_ZOOM_Y,
    SHARED_CLEAN,
    SHARED_METHODS,
    SHARED_NAME,
    SHARED_SEED,
    SHARED_SPEC,
    SHARED_TOKEN,
)
from ui.state import init_state, seed, seed_choice

init_state()
st.set_page_config(page_title="Restore · Image Restoration Workbench", layout="wide")
state = st.session_state
TILES_PER_ROW = 4

observation = cache.ensure_observation()
token: str = state[SHARED_TOKEN]
clean = state[SHARED_CLEAN]
spec_text: str = state[SHARED_SPEC]

st.title("Restore")
oh, ow = observation.output_shape[:2]
described = f"pipeline `{spec_text}`, seed {state[SHARED_SEED]}" if spec_text else "an already-degraded photo"
st.markdown(
    f"**{state[SHARED_NAME]}** — {described}; task **{observation.task}**, result {ow}×{oh} px"
    + ("" if clean is not None else " · *no ground truth: no PSNR/SSIM*")
)
widgets.nav_link("pages/1_Degrade.py", "Change the image or the degradation", icon=":material/arrow_back:")

# --------------------------------------------------------------------------- 1. methods
st.subheader("1. Methods")
options = widgets.methods_for(observation)  # the methods that undo every step of this degradation
# Write the selection only when it must change: a value set through session state is pushed to the browser and
# would undo a pick the user made while this run was on its way.
if state[RESTORE_METHODS_TASK] != widgets.methods_key(observation) or RESTORE_METHODS not in state:
    state[RESTORE_METHODS] = widgets.default_methods(options)
    state[RESTORE_METHODS_TASK] = widgets.methods_key(observation)
elif any(m not in options for m in state[RESTORE_METHODS]):
    state[RESTORE_METHODS] = [m for m in state[RESTORE_METHODS] if m in options]
chosen: list[str] = st.multiselect(
    f"Methods for {observation.task} ({sum(get_algorithm(n).family != 'baseline' for n in options)} methods and "
    "the identity baseline, grouped by family)", options,
    format_func=widgets.method_label, key=RESTORE_METHODS, persist_state=PERSIST,
    help="Every registered method that undoes every step of this degradation. Slow ones: BM3D (seconds), the CNN "
    "(about a second).",
)
if note := widgets.offer_note(observation):
    st.caption(note)
by_family: dict[str, list[str]] = {}
for name in options:
    by_family.setdefault(get_algorithm(name).family, []).append(name)
st.caption(" · ".join(f"**{FAMILIES[f]}**: {', '.join(compare.title_of(n) for n in by_family[f])}"
                      for f in FAMILIES if f in by_family))


def reset_params(name: str) -> None:
    """Back to the automatic values: a new generation of the method's parameter widgets."""
    generations = dict(state[RESTORE_PARAM_GENERATION])
    generations[name] = generations.get(name, 0) + 1
    state[RESTORE_PARAM_GENERATION] = generations


params: dict[str, dict] = {}
for name in chosen:
    spec = get_algorithm(name)
    try:
        defaults = spec.defaults_for(observation)
    except (RestorationError, ImportError) as exc:  # the tuned defaults are a convenience: fall back quietly
        st.caption(f"{spec.title}: default parameters not tuned to this image ({exc}).")
        defaults = spec.defaults_for(None)
    with st.expander(f"{spec.title} — {spec.family_title}", icon=":material/tune:"):
        st.markdown(spec.explanation)
        if spec.reference:
            st.caption(f"Reference: {spec.reference}")
        if spec.params:
            # Parameters follow the observation (noise level, scale, blur) until the user changes them; an edit is
            # kept until the automatic value it replaced changes (see widgets.auto_param_widgets).
            generation = state[RESTORE_PARAM_GENERATION].get(name, 0)
            params[name] = widgets.auto_param_widgets(
                spec.params, f"{RESTORE_PARAM_PREFIX}{name}.{generation}.", defaults,
                forget_prefix=f"{RESTORE_PARAM_PREFIX}{name}.", columns=3,
            )
            automatic = {p.name: p.coerce(defaults.get(p.name, p.default)) for p in spec.params}
            edited = [p for p in spec.params if params[name][p.name] != automatic[p.name]]
            if edited:
                note, reset = st.columns([4, 1], vertical_alignment="center")
                note.caption("Changed from the automatic values: " + ", ".join(
                    f"{p.title} {params[name][p.name]} (automatic: {automatic[p.name]})" for p in edited
                ) + ". Kept until the automatic value changes (another noise level, scale or blur).")
                reset.button("Automatic values", key=f"restore.reset.{name}", on_click=reset_params, args=(name,),
                             icon=":material/restart_alt:", help="Forget your changes to these parameters")
            else:
                st.caption("Automatic values for this observation: they follow its noise level, scale and blur "
                           "until you change them.")
        else:
            params[name] = {}
            st.caption("No parameters to tune.")

# --------------------------------------------------------------------------- time budget
# Methods whose measured speed says they would take longer than the budget on this image are held back (with a
# message saying how long and what to do); the others run.
try:
    fits, slow = split_by_budget([get_algorithm(n) for n in chosen], observation.output_shape)
except RestorationError as exc:  # a malformed RESTORATION_TIME_BUDGET: say so, and hold nothing back
    st.warning(str(exc), icon=":material/warning:")
    fits, slow = split_by_budget([get_algorithm(n) for n in chosen], observation.output_shape, budget=math.inf)
run_anyway = False
if slow:
    seed(RESTORE_RUN_ANYWAY, False)
    run_anyway = st.checkbox(
        "Run slow methods anyway", key=RESTORE_RUN_ANYWAY, persist_state=PERSIST,
        help="Run the methods over the time budget too; the page waits until they finish.",
    )
    if run_anyway:
        fits = fits + slow
        st.caption(f"Slow methods will run too: about {sum(e.seconds for e in slow):.0f} s for them alone.")
    else:
        for held in slow:
            st.warning(held.message(), icon=":material/hourglass_top:")
to_run = [n for n in chosen if n in {e.method for e in fits}]
expected = sum(e.seconds for e in fits if math.isfinite(e.seconds))
if to_run:
    st.caption(f"Estimated time: about {max(expected, 0.1):.1f} s (measured speeds, scaled to this machine; the first "
               "run of a deep model also loads it).")

if st.button(
    f"Run {len(to_run)} method{'s' if len(to_run) != 1 else ''}", key=RESTORE_RUN, type="primary",
    icon=":material/play_arrow:", disabled=not to_run,
):
    run = compare.RestoreRun(token)
    bar = st.progress(0.0, text="Starting...")
    started = time.perf_counter()
    with st.status(f"Restoring with {len(to_run)} methods...", expanded=True) as status:
        for i, name in enumerate(to_run):
            title = get_algorithm(name).title
            bar.progress(i / len(to_run), text=f"Running {title} ({i + 1}/{len(to_run)})...")

            def heard(done: int, total: int, text: str, i: int = i, title: str = title) -> None:
                """A long method's own progress (e.g. the zero-shot network's training steps) moves the bar."""
                bar.progress(min(1.0, (i + done / max(total, 1)) / len(to_run)),
                             text=f"Running {title} ({i + 1}/{len(to_run)}): {text} {done}/{total}")

            try:
                with progress.listening(heard):
                    image, seconds = cache.restore(
                        token, observation, name, json.dumps(params[name], sort_keys=True), int(state[SHARED_SEED])
                    )
            except RestorationError as exc:
                run.errors[name] = str(exc)
                status.write(f":material/error: **{title}** did not run: {exc}")
                continue
            run.images[name], run.seconds[name], run.params[name] = image, seconds, params[name]
            status.write(f":material/check: **{title}** — {seconds:.2f} s")
        bar.progress(1.0, text=f"Done in {time.perf_counter() - started:.1f} s")
        status.update(
            label=f"Ran {len(run.images)} of {len(to_run)} methods in {time.perf_counter() - started:.1f} s",
            state="error" if run.errors else "complete", expanded=bool(run.errors),
        )
    state[RESTORE_RESULTS] = run
    state[RESTORE_TABLE] = compare.metric_table(
        run.images, run.seconds, clean=clean, degraded=compare.degraded_on_grid(observation)
    )
    # no clean image: score the pictures by themselves, once per run (not on every rerun)
    state[RESTORE_NR_TABLE] = (compare.no_reference_table(run.images, compare.degraded_on_grid(observation))
                               if clean is None and run.images else None)
    state[SHARED_METHODS] = list(chosen)

run: compare.RestoreRun | None = state[RESTORE_RESULTS]
if run is None or run.token != token or not run.images:
    if run is not None and run.token != token:
        st.info("The image or degradation changed since the last run: press Run again.", icon=":material/refresh:")
    for name, message in (run.errors.items() if run is not None and run.token == token else []):
        st.warning(f"{compare.title_of(name)} did not run: {message}", icon=":material/warning:")
    st.stop()

table = state[RESTORE_TABLE]
if "time (s)" not in table:  # a table made before this column existed (a session kept across an app update)
    table = table.assign(**{"time (s)": [compare.time_text(v) for v in table["seconds"]]})
degraded = compare.degraded_on_grid(observation)
psnr_of = dict(zip(table["method"], table["PSNR (dB)"], strict=True))
images = ({"clean": clean} if clean is not None else {}) | {compare.DEGRADED: degraded} | run.images


def label(name: str) -> str:
    """Caption of an image: its title, with PSNR when known."""
    if name == "clean":
        return "Clean (ground truth)"
    title = compare.title_of(name)
    value = psnr_of.get(name, math.nan)
    return f"{title} — {value:.2f} dB" if math.isfinite(value) else title


# --------------------------------------------------------------------------- 2. results
st.divider()
st.subheader("2. Results")
for name, message in run.errors.items():
    st.warning(f"{compare.title_of(name)} did not run: {message}", icon=":material/warning:")
names = list(images)
for start in range(0, len(names), TILES_PER_ROW):
    for column, name in zip(st.columns(TILES_PER_ROW), names[start : start + TILES_PER_ROW], strict=False):
        column.image(compare.to_data_uri(images[name]), caption=label(name), width="stretch")

summary = compare.winner_summary(table)
if summary:
    st.success(summary, icon=":material/emoji_events:")
    st.caption(compare.VISIBILITY_RULE)

st.markdown("**Metrics**" if clean is not None else "**Run times** (no ground truth, so no PSNR/SSIM)")
text, number = st.column_config.TextColumn, st.column_config.NumberColumn
registry_help = "Registry name: what the command line, the CSV and the Python API call the method"
if clean is not None:
    shown = table
    # the family is in the method's label above, the CSV and the report: leaving it out keeps the table in view
    order = ["title", "PSNR (dB)", "SSIM", "gain (dB)", "time (s)", "best", "method"]
else:  # no metrics, so the degraded input (which took no time) has nothing to show
    shown = table[table["method"] != compare.DEGRADED][["method", "title", "family", "seconds"]]
    order = ["title", "seconds", "method", "family"]
st.dataframe(
    charts.style_best(
        shown, [c for c in ("PSNR (dB)", "SSIM", "gain (dB)", "time (s)", "seconds") if c in shown],
        lower_is_better=("seconds", "time (s)"),
        digits={"PSNR (dB)": 2, "SSIM": 4, "gain (dB)": "+.2f", "seconds": 3},
    ),
    hide_index=True,
    width="stretch",
    column_order=[c for c in order if c in shown],
    column_config={
        "title": text("title", help="The method (its registry name is in the *method* column)", width=280),
        "PSNR (dB)": number(width=80),
        "SSIM": number(width=70),
        "gain (dB)": number(help="PSNR gain over the degraded input", width=80),
        "time (s)": text("time (s)", help="Run time in seconds (the degraded input took none)", width=70),
        "seconds": number(help="Run time in seconds", width=80),
        "best": text("best", help="Highest PSNR / SSIM among the methods", width=90),
        "method": text("method", help=registry_help, width=130),
        "family": text("family", width=260),
    },
)
st.caption(
    ("Best values in bold green; *gain* is the PSNR gain over the degraded input. " if clean is not None
     else "Fastest in bold green. ")
    + "Times are those of the first run (results are cached)."
)
if clean is not None:
    st.plotly_chart(charts.restore_bars(table), key="restore.bars")

# --------------------------------------------------------------------------- downloads
levels = [5, 10, 25, 50, 100]
seed_choice(RESTORE_ERROR_MAX, levels, 25)
top_level = int(state[RESTORE_ERROR_MAX])
#: Everything a result of this run depends on: the observation (token: image, pipeline, seed) and the run itself.
run_id = f"{token}|{getattr(run, 'started', '')}|{json.dumps(run.params, sort_keys=True, default=str)}"
errors_of = (cache.keyed(f"restore-errors|{run_id}|{top_level}",  # made once per run and scale, not per rerun
                         lambda: {n: compare.error_map(images[n], clean, top_level / 255.0)
                                  for n in names if n != "clean"})
             if clean is not None else {})
image_name, seed_value = str(state[SHARED_NAME]), int(state[SHARED_SEED])
resolved = {n: compare.resolved_params(n, run.params[n], observation) for n in run.images}


def png_of(name: str) -> bytes:
    """The PNG file of one image of this run (encoded when a download or the report asks for it, then cached)."""
    return cache.png(f"{token}|{name}|{run.params.get(name)}", images[name])


def build_report() -> bytes:
    """The HTML report of this run at this colour scale (built when the button is pressed, not on every rerun).

    The inputs are this run's: the cached PNGs, the table and the error maps at the chosen scale. A report that
    cannot be built becomes a one-line page that says why: a download is never a traceback.
    """
    try:
        doc = report.RestoreReport(
            image=image_name, pipeline=spec_text, seed=seed_value, task=observation.task, table=table,
            images={n: png_of(n) for n in names}, params=resolved, summary=summary,
            error_maps={n: cache.png(f"{token}|error|{top_level}|{n}|{run.params.get(n)}", m / 255.0)
                        for n, m in errors_of.items()},
            error_top=top_level, errors=run.errors, created=getattr(run, "started", ""),
            size=observation.output_shape[:2],
            survey=report.restore_survey_comparison(table, image=image_name, pipeline=spec_text,
                                                    task=observation.task),
        )
        return doc.to_html().encode("utf-8")
    except (ValueError, TypeError, KeyError, OSError) as exc:  # the report is a convenience: never a traceback
        return (f"<!DOCTYPE html><meta charset='utf-8'><title>Report</title><p>The report could not be built: "
                f"{html.escape(str(exc))}</p>").encode()


report_name = report.export_name(image_name, spec_text, "report", "html")
csv = report.export_table(table, resolved, image=image_name, pipeline=spec_text, seed=seed_value,
                          task=observation.task)
st.markdown("**Take it away**")
with st.container(horizontal=True, vertical_alignment="center"):
    st.download_button(
        "Report (HTML)", data=build_report, file_name=report_name,
        mime="text/html", key="restore.download_report", on_click="ignore", icon=":material/description:",
        type="primary",
        help="One self-contained page for a stakeholder: the verdict, this table, the chart, every image and "
        "error map, the survey comparison where it applies, the parameters, the date, commit and version. "
        "Opens offline in any browser.",
    )
    st.download_button(
        "Table (CSV)", data=lambda: csv.to_csv(index=False).encode(),
        file_name=report.export_name(image_name, spec_text, "metrics", "csv"), mime="text/csv",
        key="restore.download_csv", on_click="ignore", icon=":material/download:",
        help="The metric table with the image, the pipeline, the seed and every parameter of each method.",
    )
    for name in run.images:
        file_name = report.export_name(image_name, spec_text, name, "png")
        st.download_button(
            compare.title_of(name), data=functools.partial(png_of, name), file_name=file_name, mime="image/png",
            key=f"restore.download.{name}", on_click="ignore", icon=":material/download:",
            help=f"The restored image as PNG: {file_name}",
        )
nr_table = state[RESTORE_NR_TABLE]
if clean is None and nr_table is not None:
    st.markdown("**No-reference scores**, best NIQE first")
    st.dataframe(compare.rank_as_text(nr_table), hide_index=True,
                 column_order=["rank", "title", "NIQE", "sharpness", "noise sigma", "method"],
                 column_config={"NIQE": number(format="%.2f", help="lower = more natural", width=70),
                                "sharpness": number(format="%.0f", width=80),
                                "noise sigma": number(format="%.1f", width=90),
                                "rank": text(help="by NIQE; the input is not ranked", width=50),
                                "title": text("title", width=300),
                                "method": text("method", help=registry_help, width=130)})
    st.caption(compare.NO_REFERENCE_CAVEAT)
for name, used in run.params.items():
    if used.get("tuning") == "self":
        from restoration.tuning import self_tune  # memoised: the run just computed it

        tuned = self_tune(name, observation)
        with st.expander(f"{get_algorithm(name).title}: {tuned.knob} = {tuned.best:.4g}, chosen from the noisy "
                         f"image alone", icon=":material/tune:"):
            st.plotly_chart(charts.tuning_figure(tuned.values, tuned.losses, tuned.best, tuned.automatic,
                                                 knob=tuned.knob, title="Self-supervised (Noise2Self) loss"),
                            key=f"restore.tuning.{name}")
            st.caption("Each value was tried on a copy of the image with a grid of pixels hidden and filled from "
                       "their neighbours; the loss compares the result with the noisy pixels that were hidden. "
                       "Because the noise of a pixel cannot be predicted from its neighbours, the lowest loss "
                       "marks the value closest to the clean image, without ever seeing it.")

# --------------------------------------------------------------------------- 3. compare
@st.fragment
def compare_section() -> None:
    """Section 3: the slider (a fragment: picking an image reruns only this part of the page)."""
    st.divider()
    st.subheader("3. Compare two images")
    best = [n for n in table.sort_values("PSNR (dB)", ascending=False)["method"] if n in run.images] or list(run.images)
    seed_choice(RESTORE_LEFT, names, compare.DEGRADED)
    seed_choice(RESTORE_RIGHT, names, best[0])
    pick_left, pick_right = st.columns(2)
    left = pick_left.selectbox("Left of the handle", names, format_func=label, key=RESTORE_LEFT, persist_state=PERSIST)
    right = pick_right.selectbox("Right of the handle", names, format_func=label, key=RESTORE_RIGHT,
                                 persist_state=PERSIST)
    compare.show_slider(images[left], images[right], label(left), label(right), max_width=1000)


compare_section()

# --------------------------------------------------------------------------- 4. zoom
@st.fragment
def zoom_section() -> None:
    """Section 4: the zoomed crops (a fragment: moving the box reruns only this part of the page)."""
    st.divider()
    st.subheader("4. Zoom on a region")
    seed(RESTORE_ZOOM_X, 50)
    seed(RESTORE_ZOOM_Y, 50)
    seed(RESTORE_ZOOM_SIZE, 64)
    where = st.columns([1, 1, 1, 2])
    zx = where[0].slider("Centre x (% of width)", 0, 100, key=RESTORE_ZOOM_X, persist_state=PERSIST)
    zy = where[1].slider("Centre y (% of height)", 0, 100, key=RESTORE_ZOOM_Y, persist_state=PERSIST)
    size = where[2].slider("Box side (px)", 16, 256, step=8, key=RESTORE_ZOOM_SIZE, persist_state=PERSIST)
    box = compare.crop_box(degraded.shape, zx, zy, size)
    where[3].image(
        compare.to_data_uri(compare.draw_box(clean if clean is not None else degraded, box)),
        caption=f"The box: {box[3]}×{box[2]} px at x={box[1]}, y={box[0]}", width="stretch",
    )
    for start in range(0, len(names), TILES_PER_ROW + 1):
        columns = st.columns(TILES_PER_ROW + 1)
        for column, name in zip(columns, names[start : start + TILES_PER_ROW + 1], strict=False):
            column.image(compare.to_data_uri(compare.zoom(images[name], box)), caption=label(name), width="stretch")
    st.caption("Every crop shows the same box, enlarged by pixel repetition (nearest neighbour): no smoothing added.")


zoom_section()

# --------------------------------------------------------------------------- 5. error maps
if clean is not None:
    st.divider()
    st.subheader("5. Error maps")
    # the maps were made above, for the report, at this slider's value (read from its key before it is drawn)
    st.select_slider(
        "Error at the top of the colour scale (grey levels of 255)", levels, key=RESTORE_ERROR_MAX,
        persist_state=PERSIST, help="Smaller values make small errors visible; larger errors saturate.",
    )
    st.caption(f"|result − clean|, averaged over colour channels: black = exact, pale yellow = {top_level} grey "
               "levels or more. Structure visible in a map is detail the method lost or invented.")
    st.image(compare.colour_scale_svg(top_level, unit="grey levels (of 255)", width=420), width=420)
    mapped = list(errors_of)
    for start in range(0, len(mapped), TILES_PER_ROW):
        for column, name in zip(st.columns(TILES_PER_ROW), mapped[start : start + TILES_PER_ROW], strict=False):
            column.image(compare.to_data_uri(errors_of[name]), caption=label(name), width="stretch")

st.divider()
widgets.nav_link("pages/3_Benchmark.py", "Next: benchmark these methods on many images",
                 icon=":material/arrow_forward:")
