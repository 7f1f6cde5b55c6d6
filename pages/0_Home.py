"""Home page of the Image Restoration Workbench (the default page of ``streamlit run app.py``, "Home" in the sidebar).

What the workbench does, links to the four pages, and a quick demo that runs end to end: degrade a sample
image with a preset, restore it with every method that fits, and measure the result. The demo lists each
method as it finishes, and a rerun with the same inputs comes from :data:`ui.demo.DEMO_CACHE`.
"""

from __future__ import annotations

import math
import time

import streamlit as st

from restoration import PRESETS, REGISTRY, RestorationError, get_algorithm
from restoration.registry import FAMILIES
from ui import cache, compare, demo, widgets
from ui.keys import HOME_DEMO, HOME_PRESET, HOME_RESULTS, HOME_RUN, HOME_SAMPLE, HOME_SEED
from ui.state import init_state

init_state()
st.set_page_config(page_title="Image Restoration Workbench", layout="wide")

TILES_PER_ROW = 4

st.title("Image Restoration Workbench")
st.markdown(
    "Take a clean image, **degrade** it in a controlled way (noise, blur, low resolution, missing pixels), "
    "**restore** it with algorithms from every major family (filters, wavelets, variational and non-local "
    "methods, deconvolution, interpolation, deep networks) and compare them side by side. "
    "Because the clean original is known, every result is **measured** with PSNR and SSIM."
)
n_families = len({spec.family for spec in REGISTRY.values()})
st.markdown(
    "**How it works:** clean image → degradation preset → restoration methods → PSNR / SSIM against the "
    f"clean image. Registered now: {len(REGISTRY)} methods from {n_families} of the {len(FAMILIES)} families."
)

st.subheader("The pages")
#: The four pages: (file, short link label, icon, what it does). Short labels: a link is one line and never cut off.
PAGE_LINKS = (
    ("pages/1_Degrade.py", "Degrade", ":material/blur_on:", "Pick or upload an image and build a degradation."),
    ("pages/2_Restore.py", "Restore", ":material/auto_fix_high:", "Run methods and compare them side by side."),
    ("pages/3_Benchmark.py", "Benchmark", ":material/leaderboard:",
     "Many images, per category, beside the survey's tables."),
    ("pages/4_Learn.py", "Learn", ":material/school:", "How each family of methods works, step by step."),
)
for column, (page, label, icon, blurb) in zip(st.columns(len(PAGE_LINKS)), PAGE_LINKS, strict=True):
    widgets.nav_link(page, label, icon=icon, container=column)
    column.caption(blurb)

st.subheader("Quick start")
samples = dict(cache.sample_catalog())
left, middle, right = st.columns([2, 2, 1])
sample_key = left.selectbox("Sample image", list(samples), format_func=samples.__getitem__, key=HOME_SAMPLE)
preset_keys = list(PRESETS)
preset_key = middle.selectbox(
    "Degradation preset",
    preset_keys,
    index=preset_keys.index("noise25") if "noise25" in preset_keys else 0,
    format_func=lambda key: PRESETS[key].label,
    key=HOME_PRESET,
)
seed = right.number_input(
    "Seed", min_value=0, max_value=2**31 - 1, value=0, step=1, key=HOME_SEED,
    help="Seed of the random noise or mask: the same seed gives the same degraded image.",
)
preset = PRESETS[preset_key]
st.caption(f"{preset.description} Task: **{preset.task}**. Pipeline: `{preset.spec}`")

if st.button("Run quick demo", key=HOME_RUN, type="primary", icon=":material/play_arrow:"):
    status = st.status("Degrading, restoring and measuring...", expanded=True)
    try:
        with status:
            bar = st.progress(0.0, text="Loading the sample image...")
            log, finished = st.empty(), []
            image = cache.load_sample(sample_key)
            started = time.perf_counter()

            def on_progress(step: demo.DemoStep) -> None:
                """Move the bar and list each method as it finishes."""
                if step.method is not None:
                    title = get_algorithm(step.method).title
                    if step.error is not None:
                        finished.append(f":material/warning: {title} did not run")
                    else:
                        finished.append(f":material/check: {title} — {step.psnr:.2f} dB in {step.seconds:.2f} s")
                    log.markdown("  \n".join(finished))
                upcoming = f"running {get_algorithm(step.next).title}..." if step.next is not None else "done"
                bar.progress(step.done / max(step.total, 1), text=f"{step.done}/{step.total} methods · {upcoming}")

            result = demo.run_demo(image, preset_key, int(seed), on_progress=on_progress, cache=demo.DEMO_CACHE)
            bar.progress(1.0, text="Done")
    except RestorationError as exc:
        status.update(label="The quick demo did not run", state="error", expanded=False)
        st.session_state[HOME_DEMO] = None
        st.session_state[HOME_RESULTS] = None
        st.error(str(exc), icon=":material/error:")
    else:
        if result.from_cache:
            label = "Served from the cache: the same image, preset and seed ran before"
        else:
            label = f"Done: {len(result.table)} methods in {time.perf_counter() - started:.1f} s"
        status.update(label=label, state="complete", expanded=False)
        st.session_state[HOME_DEMO] = result
        st.session_state[HOME_RESULTS] = result.table

result: demo.DemoResult | None = st.session_state[HOME_DEMO]
if result is not None:
    shown = PRESETS[result.preset]
    obs = result.observation
    h, w = result.clean.shape[:2]
    st.markdown(
        f"**Result** — *{shown.label}*, seed {result.seed}, task `{obs.task}`, {w}×{h} pixels."
    )
    if result.from_cache:
        st.caption("From the cache: these inputs ran before, so nothing was recomputed (the *seconds* column "
                   "shows the times of that first run). Change the image, preset or seed for a new run.")
    psnr_of = dict(zip(result.table["method"], result.table["PSNR (dB)"], strict=True))

    def caption(name: str) -> str:
        """Caption of a restored tile: method title and PSNR."""
        value = psnr_of.get(name, math.nan)
        return f"{get_algorithm(name).title} — {value:.2f} dB"

    tiles = [("Clean (ground truth)", result.clean)]
    degraded_psnr = psnr_of.get(demo.BASELINE, math.nan)
    tiles.append((f"Degraded — {degraded_psnr:.2f} dB", result.degraded))
    tiles += [(caption(name), result.restored[name]) for name in result.table["method"] if name != demo.BASELINE]
    for start in range(0, len(tiles), TILES_PER_ROW):
        columns = st.columns(TILES_PER_ROW)
        for column, (label, image) in zip(columns, tiles[start : start + TILES_PER_ROW], strict=False):
            column.image(compare.to_data_uri(image), caption=label, width="stretch")

    best = result.best_method()
    if best is not None and math.isfinite(degraded_psnr):
        gain = psnr_of[best] - degraded_psnr
        st.success(f"Best here: **{get_algorithm(best).title}**, {gain:+.2f} dB over the degraded input.")
    for name, message in result.failures.items():
        st.warning(f"{get_algorithm(name).title} did not run: {message}", icon=":material/warning:")
    if result.held_back:
        st.caption("Left out of this quick demo: " + " ".join(result.held_back.values()))

    st.dataframe(
        result.table,
        hide_index=True,
        column_config={
            "method": st.column_config.TextColumn("method"),
            "PSNR (dB)": st.column_config.NumberColumn("PSNR (dB)", format="%.2f"),
            "SSIM": st.column_config.NumberColumn("SSIM", format="%.4f"),
            "seconds": st.column_config.NumberColumn("seconds", format="%.3f"),
        },
    )
    st.caption("PSNR and SSIM compare each output with the clean image; higher is better.")
