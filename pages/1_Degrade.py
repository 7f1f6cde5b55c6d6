"""Degrade: choose an image (gallery or upload), build a degradation, and see what it does.

The chosen image and its observation go to session state for the Restore and
Benchmark pages.
"""

from __future__ import annotations

import re

import numpy as np
import streamlit as st

from restoration import RestorationError, encode_png, psnr, ssim
from restoration.images import downscale_to_max_pixels
from ui import cache, compare, demo, uploads, widgets
from ui.keys import (
    DEGRADE_AS_DEGRADED,
    DEGRADE_ASSUMED_BLUR,
    DEGRADE_ASSUMED_SCALE,
    DEGRADE_ASSUMED_SIGMA,
    DEGRADE_ASSUMED_TASK,
    DEGRADE_CATEGORY,
    DEGRADE_CROP,
    DEGRADE_CROP_COLS,
    DEGRADE_CROP_ROWS,
    DEGRADE_SAMPLE,
    DEGRADE_SEED,
    DEGRADE_SIZE,
    DEGRADE_SOURCE,
    DEGRADE_UPLOAD,
    DEGRADE_UPLOADED,
    PERSIST,
    SHARED_SEED,
    SHARED_SPEC,
)
from ui.state import init_state, seed, seed_choice, set_observation

init_state()
st.set_page_config(page_title="Degrade · Image Restoration Workbench", layout="wide")
state = st.session_state

st.title("Degrade")
st.markdown(
    "Choose a clean image and a degradation: noise, blur, lower resolution, missing pixels, or several at once. "
    "The result is the **observation** that the Restore and Benchmark pages work on."
)

left, right = st.columns([2, 3], gap="large")

# --------------------------------------------------------------------------- 1. image
with left:
    st.subheader("1. Image")
    sources = {"gallery": "Sample gallery", "upload": "Upload a file"}
    seed_choice(DEGRADE_SOURCE, list(sources), "gallery")
    source = st.radio("Source", list(sources), format_func=sources.__getitem__, key=DEGRADE_SOURCE,
                      horizontal=True, persist_state=PERSIST)
    seed_choice(DEGRADE_SIZE, list(widgets.WORK_SIZES), widgets.DEFAULT_WORK_PIXELS)
    budget = st.selectbox(
        "Working size (pixel budget)", list(widgets.WORK_SIZES), format_func=widgets.size_label, key=DEGRADE_SIZE,
        persist_state=PERSIST, help="A number of pixels, not a shape: a larger image is shrunk, aspect ratio kept, "
        "until it has at most this many pixels (a 3:2 photo under the 512 × 512 budget becomes 627 × 418), so that "
        "every method stays quick. Full size keeps every pixel but slow methods take much longer.",
    )
    max_pixels = int(budget) or None

    samples = demo.list_samples()
    clean: np.ndarray | None = None
    name = ""
    as_degraded = False
    if source == "upload":
        uploaded = st.file_uploader(
            "Image file (PNG, JPEG, TIFF, BMP, WebP)", type=list(uploads.UPLOAD_TYPES), key=DEGRADE_UPLOAD,
            help="Decoded on the server; nothing leaves this machine. Images over 25 megapixels are refused.",
        )
        failed = ""
        if uploaded is not None:
            try:
                image, original = cache.load_upload(uploaded.file_id, uploaded.getvalue(), max_pixels)
            except RestorationError as exc:
                failed = uploaded.name
                st.error(f"Could not use {uploaded.name}: {exc}", icon=":material/error:")
            else:
                state[DEGRADE_UPLOADED] = {"name": uploaded.name, "image": image, "original": original}
        kept = state[DEGRADE_UPLOADED]
        if kept is not None:
            clean, name = kept["image"], kept["name"]
            if max_pixels and clean.shape[0] * clean.shape[1] > max_pixels:  # working size lowered since
                clean = downscale_to_max_pixels(clean, max_pixels)
            oh, ow = kept["original"]
            if (oh, ow) != clean.shape[:2]:
                st.info(
                    f"{name} is {ow}×{oh} pixels; it was shrunk to {clean.shape[1]}×{clean.shape[0]} (the working "
                    "size) for speed. Choose *Full size* above to keep every pixel.",
                    icon=":material/photo_size_select_large:",
                )
            if failed:
                st.warning(widgets.upload_failed_note(failed, name), icon=":material/history:")
            elif uploaded is None:
                st.caption(f"Using the uploaded file **{name}**; upload another to replace it.")
            seed(DEGRADE_AS_DEGRADED, False)
            as_degraded = st.checkbox(
                "Already degraded (no clean original)", key=DEGRADE_AS_DEGRADED, persist_state=PERSIST,
                help="Restore a real noisy, blurry or small photo: say what to undo; there is no ground truth, "
                "so no PSNR/SSIM, but every comparison view still works.",
            )
        elif failed:
            st.warning(widgets.upload_failed_note(failed, None), icon=":material/upload:")
        else:
            st.info("No file uploaded yet: showing the first sample image meanwhile.", icon=":material/upload:")
    if clean is None:
        categories = list(dict.fromkeys(s.category for s in samples))
        seed_choice(DEGRADE_CATEGORY, categories, categories[0])
        titles = {s.key: s.title for s in samples}
        if source == "gallery":
            category = st.selectbox("Category", categories, key=DEGRADE_CATEGORY, persist_state=PERSIST)
            keys = [s.key for s in samples if s.category == category]
            seed_choice(DEGRADE_SAMPLE, keys, keys[0])
            key = st.selectbox("Image", keys, format_func=titles.__getitem__, key=DEGRADE_SAMPLE,
                               persist_state=PERSIST)
            shown = [(k, cache.thumbnail(k)) for k in keys]
            with st.container(horizontal=True, gap="small"):  # the category's pictures, the chosen one named
                for k, small in shown:
                    if small is not None:
                        st.image(compare.to_data_uri(small), caption=("▶ " if k == key else "") + titles[k], width=96)
        else:
            key = samples[0].key
        try:
            clean = cache.load_sample(key, max_pixels)
        except RestorationError as exc:
            st.error(str(exc), icon=":material/error:")
            clean = cache.load_sample(demo.SYNTHETIC_KEY, max_pixels)
            key = demo.SYNTHETIC_KEY
        name = titles.get(key, key)

    seed(DEGRADE_CROP, False)
    if st.checkbox("Crop a region (faster, and a closer look)", key=DEGRADE_CROP, persist_state=PERSIST):
        seed(DEGRADE_CROP_ROWS, (25, 75))
        seed(DEGRADE_CROP_COLS, (25, 75))
        rows = st.slider("Rows to keep (% of the height)", 0, 100, key=DEGRADE_CROP_ROWS, persist_state=PERSIST)
        cols = st.slider("Columns to keep (% of the width)", 0, 100, key=DEGRADE_CROP_COLS, persist_state=PERSIST)
        clean = widgets.crop_percent(clean, rows, cols)
    h, w = clean.shape[:2]
    st.caption(f"**{name}** — working image {w}×{h} px, {'gray' if clean.ndim == 2 else 'colour'}.")

# --------------------------------------------------------------------------- 2. degradation
with right:
    st.subheader("2. Degradation")
    if as_degraded:
        st.markdown("Say what happened to the photo, so that non-blind methods know what to undo.")
        tasks = list(widgets.ASSUMED_TASKS)
        seed_choice(DEGRADE_ASSUMED_TASK, tasks, "denoise")
        task = st.selectbox("Task", tasks, key=DEGRADE_ASSUMED_TASK, persist_state=PERSIST,
                            help="Inpainting needs a mask of the missing pixels, which a photo does not carry.")
        seed(DEGRADE_ASSUMED_SIGMA, 0.0)
        sigma = st.number_input("Noise sigma (0-255; 0 = unknown, estimate it)", 0.0, 255.0, step=1.0,
                                key=DEGRADE_ASSUMED_SIGMA, persist_state=PERSIST)
        scale, blur = 2, ""
        if task == "sr":
            seed_choice(DEGRADE_ASSUMED_SCALE, [2, 3, 4], 2)
            scale = st.selectbox("Upscaling factor", [2, 3, 4], key=DEGRADE_ASSUMED_SCALE, persist_state=PERSIST)
        if task == "deblur":
            seed(DEGRADE_ASSUMED_BLUR, "gaussian_blur(sigma=1.6)")
            blur = st.text_input("Blur (blur steps as pipeline text)", key=DEGRADE_ASSUMED_BLUR,
                                 persist_state=PERSIST, help="e.g. motion_blur(length=9, angle=30)")
        try:
            observation = widgets.observation_from_degraded(clean, task, sigma=sigma, scale=scale, blur=blur)
        except RestorationError as exc:
            st.error(str(exc), icon=":material/error:")
            st.stop()
        spec, seed_value = "", 0
        token = f"{cache.digest(clean)}|as-degraded|{task}|{sigma}|{scale}|{blur}"
    else:
        spec = widgets.pipeline_editor(initial=state[SHARED_SPEC])
        seed(DEGRADE_SEED, int(state[SHARED_SEED]))
        seed_value = int(st.number_input(
            "Seed", min_value=0, max_value=2**31 - 1, step=1, key=DEGRADE_SEED, persist_state=PERSIST,
            help="Seed of the random steps (noise, masks): the same seed gives the same degraded image.",
        ))
        image_id = cache.digest(clean)
        try:
            observation = cache.degrade(image_id, clean, spec, seed_value)
        except RestorationError as exc:
            st.error(str(exc), icon=":material/error:")
            st.stop()
        token = f"{image_id}|{observation.spec}|{seed_value}"
    set_observation(observation, clean=observation.clean, name=name, spec=spec, seed_value=seed_value, token=token)
    noise_note, noise_warning = widgets.unknown_noise_note(observation)
    if noise_warning:
        st.warning(noise_note, icon=":material/warning:")
    elif noise_note:
        st.caption(noise_note)

# --------------------------------------------------------------------------- 3. result
st.divider()
st.subheader("3. Result")
summary = observation.summary()
facts = [f"task **{observation.task}**", f"output {observation.output_shape[1]}×{observation.output_shape[0]} px"]
rule_text = widgets.task_rule_text(observation)
if observation.scale > 1:
    dh, dw = observation.degraded.shape[:2]
    facts.append(f"degraded {dw}×{dh} px (×{observation.scale} smaller)")
if observation.sigma:
    facts.append(f"noise σ = {observation.sigma:g}")
if summary["kernel_shape"]:
    facts.append(f"blur kernel {summary['kernel_shape'][1]}×{summary['kernel_shape'][0]}")
if summary["missing_fraction"] is not None:
    facts.append(f"{summary['missing_fraction']:.0%} pixels missing")
st.markdown(" · ".join(facts) + (f" · pipeline `{spec}`" if spec else ""))
st.caption(rule_text)
for note in observation.notes:
    st.caption(f"Note: {note}")

shown = compare.degraded_on_grid(observation)
extras: list[tuple[str, np.ndarray]] = []
if observation.kernel is not None and observation.kernel.size > 1:
    extras.append(("Blur kernel (enlarged)", compare.kernel_image(observation.kernel)))
if observation.mask is not None:
    extras.append(("Mask (white = known pixel)", observation.mask.astype(np.float32)))
columns = st.columns([3, 3, 2] if extras else [1, 1])
if observation.clean is not None:
    columns[0].image(compare.to_data_uri(observation.clean), caption="Clean (ground truth)", width="stretch")
else:
    columns[0].info("No clean original: this photo is the degraded input itself.", icon=":material/info:")
enlarged = f", shown enlarged ×{observation.scale}" if observation.scale > 1 else ""
seeded = f" (seed {seed_value})" if spec else ""
columns[1].image(compare.to_data_uri(shown), caption=f"Degraded{enlarged}{seeded}", width="stretch")
for caption, picture in extras:
    columns[2].image(compare.to_data_uri(picture), caption=caption, width="stretch")

metrics = st.columns([2, 2, 3, 2], vertical_alignment="center")
if observation.clean is not None:
    metrics[0].metric("PSNR (degraded)", f"{psnr(observation.clean, shown):.2f} dB",
                      help="Against the clean image, on the output grid; higher is better.")
    metrics[1].metric("SSIM (degraded)", f"{ssim(observation.clean, shown):.4f}",
                      help="Structural similarity with the clean image; 1 means identical.")
slug = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower() or "image"
metrics[2].download_button(
    "Download degraded PNG", data=lambda: encode_png(np.clip(observation.degraded, 0.0, 1.0)),
    file_name=f"{slug}-degraded.png", mime="image/png", key="degrade.download", on_click="ignore",
    icon=":material/download:",
)
with metrics[3]:
    widgets.nav_link("pages/2_Restore.py", "Next: restore it", icon=":material/arrow_forward:")
