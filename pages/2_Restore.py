"""Restore: run the methods that fit the observation's task and compare them in every way.

Methods are grouped by family; their parameter widgets come from the registry. The
results are compared in a grid, with a before/after slider, synchronised zoomed
crops, error maps and a metric table (PSNR, SSIM, gain over the degraded input, time).
"""

from __future__ import annotations

import json
import math
import time

import streamlit as st

from restoration import FAMILIES, RestorationError, get_algorithm
from restoration.budget import split_by_budget
from ui import cache, charts, compare, demo, widgets
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
options = widgets.methods_for(observation.task)
# Write the selection only when it must change: a value set through session state is pushed to the browser and
# would undo a pick the user made while this run was on its way.
if state[RESTORE_METHODS_TASK] != observation.task or RESTORE_METHODS not in state:
    state[RESTORE_METHODS] = widgets.default_methods(options)
    state[RESTORE_METHODS_TASK] = observation.task
elif any(m not in options for m in state[RESTORE_METHODS]):
    state[RESTORE_METHODS] = [m for m in state[RESTORE_METHODS] if m in options]
chosen: list[str] = st.multiselect(
    f"Methods for {observation.task} ({len(options)} available, grouped by family)", options,
    format_func=widgets.method_label, key=RESTORE_METHODS, persist_state=PERSIST,
    help="Every registered method that solves this task. Slow ones: BM3D (seconds), the CNN (about a second).",
)
by_family: dict[str, list[str]] = {}
for name in options:
    by_family.setdefault(get_algorithm(name).family, []).append(name)
st.caption(" · ".join(f"**{FAMILIES[f]}**: {', '.join(by_family[f])}" for f in FAMILIES if f in by_family))


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
            try:
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
        st.warning(f"{name} did not run: {message}", icon=":material/warning:")
    st.stop()

table = state[RESTORE_TABLE]
degraded = compare.degraded_on_grid(observation)
psnr_of = dict(zip(table["method"], table["PSNR (dB)"], strict=True))
images = ({"clean": clean} if clean is not None else {}) | {compare.DEGRADED: degraded} | run.images


def label(name: str) -> str:
    """Caption of an image: its title, with PSNR when known."""
    if name == "clean":
        return "Clean (ground truth)"
    title = "Degraded input" if name == compare.DEGRADED else get_algorithm(name).title
    value = psnr_of.get(name, math.nan)
    return f"{title} — {value:.2f} dB" if math.isfinite(value) else title


# --------------------------------------------------------------------------- 2. results
st.divider()
st.subheader("2. Results")
for name, message in run.errors.items():
    st.warning(f"{get_algorithm(name).title} did not run: {message}", icon=":material/warning:")
names = list(images)
for start in range(0, len(names), TILES_PER_ROW):
    for column, name in zip(st.columns(TILES_PER_ROW), names[start : start + TILES_PER_ROW], strict=False):
        column.image(demo.to_display(images[name]), caption=label(name), width="stretch")
with st.container(horizontal=True, vertical_alignment="center"):
    st.markdown("Download as PNG:")
    for name in run.images:
        st.download_button(
            f"{name}.png", data=cache.png(f"{token}|{name}|{run.params[name]}", run.images[name]),
            file_name=f"{name}.png", mime="image/png", key=f"restore.download.{name}", on_click="ignore",
            icon=":material/download:",
        )

st.markdown("**Metrics**" if clean is not None else "**Run times** (no ground truth, so no PSNR/SSIM)")
shown = table if clean is not None else table[["method", "title", "family", "seconds"]]
metric_cols, bars_col = st.columns([3, 2]) if clean is not None else (st.container(), None)
metric_cols.dataframe(
    charts.style_best(
        shown, [c for c in ("PSNR (dB)", "SSIM", "gain (dB)", "seconds") if c in shown],
        digits={"PSNR (dB)": 2, "SSIM": 4, "gain (dB)": "+.2f", "seconds": 3},
    ),
    hide_index=True,
    column_order=[c for c in ("method", "PSNR (dB)", "SSIM", "gain (dB)", "seconds", "best", "title", "family")
                  if c in shown],
    column_config={
        "gain (dB)": st.column_config.Column(help="PSNR gain over the degraded input"),
        "best": st.column_config.TextColumn("best", help="Highest PSNR / SSIM among the methods"),
    },
)
metric_cols.caption(
    ("Best values in bold green; *gain* is the PSNR gain over the degraded input. " if clean is not None
     else "Fastest in bold green. ")
    + "Times are those of the first run (results are cached)."
)
metric_cols.download_button(
    "Download the table (CSV)", data=table.to_csv(index=False).encode(), file_name="restore-metrics.csv",
    mime="text/csv", key="restore.download_csv", on_click="ignore", icon=":material/download:",
)
if bars_col is not None:
    bars_col.plotly_chart(charts.restore_bars(table), key="restore.bars")
nr_table = state[RESTORE_NR_TABLE]
if clean is None and nr_table is not None:
    st.markdown("**No-reference scores**, best NIQE first")
    st.dataframe(compare.rank_as_text(nr_table), hide_index=True,
                 column_order=["rank", "method", "NIQE", "sharpness", "noise sigma", "title"],
                 column_config={"NIQE": st.column_config.NumberColumn(format="%.2f", help="lower = more natural"),
                                "sharpness": st.column_config.NumberColumn(format="%.0f"),
                                "noise sigma": st.column_config.NumberColumn(format="%.1f"),
                                "rank": st.column_config.TextColumn(help="by NIQE; the input is not ranked")})
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

# --------------------------------------------------------------------------- 4. zoom
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
    demo.to_display(compare.draw_box(clean if clean is not None else degraded, box)),
    caption=f"The box: {box[3]}×{box[2]} px at x={box[1]}, y={box[0]}", width="stretch",
)
for start in range(0, len(names), TILES_PER_ROW + 1):
    columns = st.columns(TILES_PER_ROW + 1)
    for column, name in zip(columns, names[start : start + TILES_PER_ROW + 1], strict=False):
        column.image(demo.to_display(compare.zoom(images[name], box)), caption=label(name), width="stretch")
st.caption("Every crop shows the same box, enlarged by pixel repetition (nearest neighbour): no smoothing added.")

# --------------------------------------------------------------------------- 5. error maps
if clean is not None:
    st.divider()
    st.subheader("5. Error maps")
    levels = [5, 10, 25, 50, 100]
    seed_choice(RESTORE_ERROR_MAX, levels, 25)
    top = st.select_slider(
        "Error at the top of the colour scale (grey levels of 255)", levels, key=RESTORE_ERROR_MAX,
        persist_state=PERSIST, help="Smaller values make small errors visible; larger errors saturate.",
    )
    st.caption(f"|result − clean|, averaged over colour channels: black = exact, pale yellow = {top} grey levels or "
               "more. Structure visible in a map is detail the method lost or invented.")
    mapped = [n for n in names if n != "clean"]
    for start in range(0, len(mapped), TILES_PER_ROW):
        for column, name in zip(st.columns(TILES_PER_ROW), mapped[start : start + TILES_PER_ROW], strict=False):
            column.image(compare.error_map(images[name], clean, top / 255.0), caption=label(name), width="stretch")

st.divider()
widgets.nav_link("pages/3_Benchmark.py", "Next: benchmark these methods on many images",
                 icon=":material/arrow_forward:")
