"""Learn: how each family of algorithms and each task works -- the idea, the maths, and a look inside.

The looks inside come from :mod:`restoration.explain`, the library's public look-inside API; the texts,
the demo observations and the figures from :mod:`ui.learn`. Every image in a row is shown at one width,
and small arrays are enlarged pixel by pixel (:func:`ui.learn.zoom`), never smoothed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from restoration import (
    FAMILIES,
    Observation,
    RestorationError,
    explain,
    get_algorithm,
    list_algorithms,
    psnr,
    run_algorithm,
)
from ui import cache, compare, learn
from ui.keys import (
    LEARN_BLOCK,
    LEARN_BM3D_COL,
    LEARN_BM3D_ROW,
    LEARN_FAMILY,
    LEARN_PNP_ITER,
    LEARN_SIGMA,
    LEARN_SPARSE_COL,
    LEARN_SPARSE_ROW,
    LEARN_TV_LAM,
    LEARN_UNFOLDED_STAGE,
    LEARN_WAVELET_METHOD,
    LEARN_WAVELET_MODE,
    LEARN_WINDOW,
)
from ui.state import init_state

init_state()
st.set_page_config(page_title="Learn - Image Restoration Workbench", layout="wide")
st.title("Learn how the algorithms work")
st.markdown(
    f"Every family and every task in plain words, its maths, and an interactive look inside on a small image: "
    f"the centre of the *cameraman*, {learn.IMAGE_SIZE}x{learn.IMAGE_SIZE} pixels, degraded as each section "
    f"says. Images side by side are shown at one size; small arrays are enlarged pixel by pixel."
)

NOISE_LABEL = "Noise level sigma (grey levels; white = 255)"
#: Sections that look inside on a noisy image, with the shared noise slider.
DENOISING = ("filter", "wavelet", "sparse", "variational", "nonlocal", "deep", "selfsup")


def picture(column: DeltaGenerator, image: np.ndarray, caption: str) -> None:
    """One picture filling its column: sent enlarged by whole pixels, so the browser only ever shrinks it.

    Sent as a data URI, like the other pages' pictures (no media file that a class's load can lose).
    """
    column.image(compare.to_data_uri(learn.zoom(image)), caption=caption, width="stretch")


def show_row(items: Sequence[tuple[np.ndarray, str]]) -> None:
    """Pictures side by side in equal columns: one width for the whole row."""
    for column, (image, caption) in zip(st.columns(len(items)), items, strict=True):
        picture(column, image, caption)


def score(reference: np.ndarray | None, image: np.ndarray) -> str:
    """``"27.31 dB"``: PSNR of ``image`` (clipped to [0, 1]) against ``reference``."""
    if reference is None or reference.shape != image.shape:
        return "no reference"
    return f"{psnr(reference, np.clip(image, 0.0, 1.0)):.2f} dB"


def title(name: str) -> str:
    """A method's title from the registry."""
    return get_algorithm(name).title


# --------------------------------------------------------------------------- the denoising families
def filters(obs: Observation, sigma: float) -> None:
    """The five traditional filters at one window width, and PSNR against the width."""
    window = st.slider("Window width w (pixels)", 3, 15, 5, 2, key=LEARN_WINDOW)
    outputs = {name: run_algorithm(name, obs, explain.filter_settings(name, window, sigma))
               for name in explain.FILTERS}
    items = [(obs.degraded, f"noisy ({score(obs.clean, obs.degraded)})")]
    items += [(out, f"{title(name)} ({score(obs.clean, out)})") for name, out in outputs.items()]
    show_row(items[:3])
    show_row(items[3:])
    windows = list(range(3, 16, 2))
    pixels = hashlib.blake2b(np.ascontiguousarray(obs.degraded).tobytes(), digest_size=16).hexdigest()
    curves = cache.keyed(f"learn-filter-curve|{pixels}|{obs.sigma}|{windows}",  # 40 filter runs: once, not per rerun
                         lambda: explain.filter_window_curve(obs, windows))
    st.plotly_chart(learn.lines_figure(windows, {title(n): c for n, c in curves.items()},
                                       x_title="window width w (pixels)", title="PSNR against the window width",
                                       marker=window, marker_text=f"w = {window}"), key="learn.filter_curve")
    sigma_range = get_algorithm("bilateral").defaults_for(obs)["sigma_range"]
    st.caption(f"The window w is the neighbourhood N_i of the maths. Mean and median average or sort the w x w "
               f"pixels; the adaptive Wiener filter measures mu_i and sigma_i^2 over them and is told the noise "
               f"level sigma = {sigma:g}; the Gaussian and bilateral filters get sigma_s = w / 4 = {window / 4:g} "
               f"(two standard deviations on each side inside the window), and the bilateral filter's intensity "
               f"width sigma_r = {sigma_range:g} follows the noise level. A wider window removes more noise and "
               f"more detail: each curve peaks at that filter's best window and falls after it; the filters that "
               f"look at brightness (bilateral, adaptive Wiener) fall the slowest.")


def wavelets(obs: Observation, sigma: float) -> None:
    """Subbands before and after thresholding, and the reconstruction."""
    c1, c2 = st.columns(2)
    method = c1.selectbox("Threshold rule", ["bayes", "visu"], key=LEARN_WAVELET_METHOD)
    mode = c2.selectbox("Shrinkage", ["soft", "hard"], key=LEARN_WAVELET_MODE)
    bands = explain.wavelet_subbands(obs.degraded, sigma=sigma, wavelet="db2", levels=3, method=method, mode=mode)
    rec = np.clip(bands.reconstruction, 0, 1)
    show_row([(bands.mosaic("before"), "subbands of the noisy image"),
              (bands.mosaic("after"), "after thresholding eta_T (gray = set to zero)"),
              (rec, f"reconstruction ({score(obs.clean, rec)})")])
    kept = [float(np.mean(np.abs(a) > 0)) for level in bands.after for a in level]
    st.caption(f"Noise level sigma used: {bands.sigma:.1f}. Detail coefficients kept (|d| > T): {np.mean(kept):.1%} "
               "(approximation top-left, finer scales towards the bottom right).")


def variational(obs: Observation) -> None:
    """TV denoising and its energy per iteration."""
    lam = st.slider("Regularisation weight lambda", 0.01, 0.3, 0.08, 0.01, key=LEARN_TV_LAM)
    out, energies = explain.tv_trace(obs, lam, iterations=150)
    cols = st.columns([1, 1, 2])
    picture(cols[0], obs.degraded, "noisy")
    picture(cols[1], out, f"TV result, lambda = {lam:g} ({score(obs.clean, out)})")
    cols[2].plotly_chart(learn.energy_figure(energies), key="learn.energy")
    st.caption("The energy E(x) falls fast and then flattens: the solver converges. A larger lambda gives flatter, "
               "cartoon-like regions.")


def nonlocal_(obs: Observation, sigma: float) -> None:
    """BM3D's block matching around a reference block."""
    h, w = obs.degraded.shape
    c1, c2 = st.columns(2)
    row = c1.slider("Reference row", 0, h - 1, h // 3, key=LEARN_BM3D_ROW)
    col = c2.slider("Reference column", 0, w - 1, w // 2, key=LEARN_BM3D_COL)
    group = explain.match_group(obs.degraded, row, col, sigma=sigma)
    st.plotly_chart(learn.bm3d_group_figure(np.clip(obs.degraded, 0, 1), group.coords, group.block_size,
                                            group.search_box), key="learn.group")
    st.caption(f"{len(group.coords)} blocks of {group.block_size}x{group.block_size} (yellow) matched the reference "
               "block (red) inside the search window (blue, dashed). BM3D denoises them together as one 3-D "
               "group G.")


def model_cards(names: Sequence[str]) -> None:
    """Where each shipped network of a section comes from: its manifest entry, in words, and its commands."""
    st.markdown("#### Where the trained networks come from")
    st.caption("Read from assets/weights/manifest.json, which ships with the weights (each file is checked against "
               "its checksum there before it loads). To remake a network, run its commands from the repository "
               "root in order: each run writes its weights where the next one's --init reads them. Runs stop at "
               "a wall-clock budget, so on another machine a run reaches a different step; compare the steps kept.")
    for name in names:
        try:
            card = learn.shipped_card(name)
        except RestorationError as exc:  # a missing or unreadable manifest entry
            st.warning(str(exc))
            continue
        with st.expander(f"{name}: {learn.card_title(card)}"):
            st.markdown(learn.card_markdown(card))
            st.code(learn.reproduce_script(card), language="bash")


def deep(obs: Observation, sigma: float) -> None:
    """The denoising CNN opened up, and the same design enlarging x4."""
    internals = explain.cnn_internals(obs.degraded, sigma)
    show_row([(obs.degraded, "noisy input y"),
              (learn.signed_image(internals.noise, 0.25), "predicted noise f(y, sigma) (gray = 0)"),
              (internals.output, f"output y - f(y, sigma) ({score(obs.clean, internals.output)})")])
    block = st.slider("Feature maps after residual block", 1, len(internals.features), 1, key=LEARN_BLOCK)
    st.image(compare.to_data_uri(learn.zoom(learn.feature_grid(internals.features[block - 1]), 512)), width=512,
             caption=f"the first 16 of the 64 feature maps after residual block {block} (half resolution)")
    st.plotly_chart(learn.attention_figure(internals.attention), key="learn.attention")
    st.caption(f"Channel-attention weights w: how much each of the 64 feature maps counts in each residual block "
               f"(blocks numbered 1 to {len(internals.features)}, as on the slider). "
               f"{internals.parameters:,} learned parameters.")
    st.code("\n".join(internals.layers), language=None)

    st.markdown("**The same design, enlarging x4** (`cnn_sr`): bicubic interpolation, then the network's "
                "correction. The *Super-resolution* section compares it with the classic methods.")
    sr_obs = learn.lowres_observation(4)
    view = explain.sr_correction(sr_obs, "cnn_sr")
    h, w = sr_obs.degraded.shape
    top = max(float(np.abs(view.correction).max()), 1e-3)
    show_row([(sr_obs.degraded, f"input, {h}x{w} (each pixel a square)"),
              (view.bicubic, f"bicubic ({score(sr_obs.clean, view.bicubic)})"),
              (learn.signed_image(view.correction, top), f"the network's correction (gray = 0, white = +{top:.2f})"),
              (view.output, f"cnn_sr ({score(sr_obs.clean, view.output)})")])
    model_cards(["cnn_denoise_gray", "cnn_denoise_color", "cnn_sr"])


def sparse(obs: Observation, sigma: float) -> None:
    """The learned dictionary and the sparse code of one patch."""
    dictionary = explain.load_dictionary()
    p = dictionary.patch_size
    atoms = learn.zoom(learn.feature_grid(dictionary.atom_images(), count=dictionary.n_atoms), 480)
    st.image(compare.to_data_uri(atoms), width=480,
             caption=f"the {dictionary.n_atoms} learned atoms ({p}x{p} pixels, each stretched to black-white) of "
                     "the shipped dictionary D")
    h, w = obs.degraded.shape
    c1, c2 = st.columns(2)
    row = c1.slider("Patch row", 0, h - p, h // 3, key=LEARN_SPARSE_ROW)
    col = c2.slider("Patch column", 0, w - p, w // 2, key=LEARN_SPARSE_COL)
    code = explain.sparse_code_patch(obs.degraded, row, col, sigma=sigma, dictionary=dictionary)
    show_row([(code.patch, f"noisy patch R_i y ({p}x{p})"),
              (code.reconstruction, f"D alpha_i: {len(code.indices)} atoms + the patch mean"),
              (obs.clean[row : row + p, col : col + p], "clean patch (reference)")])
    if len(code.indices):
        order = np.argsort(-np.abs(code.coefficients))
        used = dictionary.atom_images()[np.asarray(code.indices)[order]]
        st.image(compare.to_data_uri(learn.zoom(learn.feature_grid(used, count=len(order)), 288)), width=288,
                 caption="atoms chosen by OMP, largest coefficient first: "
                 + ", ".join(f"{c:+.2f}" for c in np.asarray(code.coefficients)[order]))
    st.caption("OMP adds atoms one at a time until the residual falls to the noise level (C sigma)^2 n: the "
               "structure of the patch needs few atoms, while the noise, which no small set of atoms describes, is "
               "left out.")


def selfsup(obs: Observation) -> None:
    """Noise2Self: the hidden pixels, the loss curve and the strength it picks."""
    view = explain.noise2self(obs, "tv")
    tuned = view.tuning
    best = run_algorithm("tv", obs, {"lam": tuned.best})
    show_row([(learn.mark_missing(obs.degraded, ~view.hidden), "the noisy image, with the hidden pixels J in red "
               "(one in 16)"),
              (view.filled, "what the denoiser sees: hidden pixels filled from their four neighbours"),
              (best, f"TV with the chosen lambda = {tuned.best:.3f} ({score(obs.clean, best)})")])
    st.plotly_chart(learn.noise2self_figure(tuned.values, tuned.losses, view.true_mse, tuned.best),
                    key="learn.noise2self")
    st.caption(f"Left axis: the self-supervised loss, computed from the noisy image alone; right axis: the true "
               f"error against the clean image, which the method never sees (shown here because this demo has "
               f"the clean image). Both bottom out at about the same lambda. The noise-level rule would use "
               f"{tuned.automatic:.3f}.")

    st.markdown("**A whole network from one noisy image: zero-shot Neighbor2Neighbor** (`zs_denoise`)")
    if not st.toggle("Train it on this image now (about ten seconds)", key="learn.zero_shot"):
        st.caption("The network is trained on the spot, so it costs a few seconds: switch it on to watch.")
        return
    pixels = hashlib.blake2b(np.ascontiguousarray(obs.degraded).tobytes(), digest_size=16).hexdigest()
    view = cache.keyed(f"learn-zero-shot|{pixels}|200", lambda: explain.zero_shot_trace(obs, iterations=200))
    show_row([(view.pair[0], "half image g1: a random pixel of each 2x2 block"),
              (view.pair[1], "half image g2: one of its neighbours -- the same scene, independent noise")])
    show_row([(image, f"after {step} step{'s' if step != 1 else ''} ({score(obs.clean, image)})")
              for step, image in view.snapshots[-3:]]
             + [(view.result, f"the result: mean over 8 flips and turns ({score(obs.clean, view.result)})")])
    st.plotly_chart(learn.lines_figure(list(range(1, len(view.losses) + 1)), {"training loss": view.losses},
                                       x_title="training step", y_title="loss (noisy pairs only)",
                                       title="What the network minimises: g1 -> g2"),
                    key="learn.zero_shot_loss")
    st.caption("The network maps one half image onto the other, a new random pair at every step. Their scenes "
               "agree and their noises do not, so the best it can do is predict the scene: it learns to remove "
               "noise without a clean image, a noise level or a training set. It is small (four 3x3 layers, spread "
               "out to see 17x17 pixels) because it trains on one image: a much larger one would learn that "
               "image's noise by heart.")


# --------------------------------------------------------------------------- plug-and-play
def pnp() -> None:
    """Plug-and-play deblurring iterate by iterate, and the unfolded network stage by stage."""
    sigma = st.slider("Noise after the blur, sigma (grey levels; white = 255)", 0.5, 15.0, 2.5, 0.5,
                      key=learn.LEARN_PNP_SIGMA)
    blur_obs = learn.blurred_observation("motion, 9 px at 30 degrees", sigma)
    result = explain.pnp_trace(blur_obs, iterations=8)  # the default prior: the shipped CNN denoiser
    k = st.slider("Iteration k", 1, len(result.iterates), len(result.iterates), key=LEARN_PNP_ITER)
    z = result.iterates[k - 1]
    cols = st.columns([1, 1, 2])
    picture(cols[0], blur_obs.degraded,
            f"motion blur + noise sigma = {sigma:g} ({score(blur_obs.clean, blur_obs.degraded)})")
    picture(cols[1], z, f"z_{k}, denoised at sigma_{k} = {result.sigmas[k - 1]:.1f} ({score(blur_obs.clean, z)})")
    steps = list(range(1, len(result.iterates) + 1))
    cols[2].plotly_chart(learn.lines_figure(
        steps, {"PSNR of z_k": [psnr(blur_obs.clean, np.clip(it, 0, 1)) for it in result.iterates]},
        x_title="iteration k", marker=k, secondary={"denoiser level sigma_k": result.sigmas},
        secondary_title="sigma_k (grey levels)"), key="learn.pnp_curve")

    st.markdown("**Unfolded and trained end to end** (`cnn_combined`): the same alternation, fixed to a few "
                "stages, with the denoiser and the schedule trained on the survey's combined degradation "
                "(motion blur, x2 downsampling, noise).")
    comb_obs = learn.combined_observation(sigma)
    trace = explain.unfolded_trace(comb_obs)
    stage = st.slider("Stage t", 1, len(trace.prior), len(trace.prior), key=LEARN_UNFOLDED_STAGE)
    data, prior = trace.data[stage - 1], trace.prior[stage - 1]
    h, w = comb_obs.degraded.shape
    show_row([(comb_obs.degraded, f"observation y, {h}x{w} (each pixel a square), sigma = {sigma:g}"),
              (data, f"x_{stage}, after the data step, alpha_{stage} = {trace.alpha[stage - 1]:.3f} "
                     f"({score(comb_obs.clean, data)})"),
              (prior, f"z_{stage}, after the learned prior D_theta, beta_{stage} = {trace.beta[stage - 1]:.1f} "
                      f"({score(comb_obs.clean, prior)})")])
    st.plotly_chart(learn.stages_figure([psnr(comb_obs.clean, d) for d in trace.data],
                                        [psnr(comb_obs.clean, p) for p in trace.prior]), key="learn.stages")
    st.caption("The data step undoes the blur and the downsampling as far as the observation allows, and brings "
               "the noise back; the prior removes it at the level beta_t the schedule sets. Training chose the "
               "levels: a very high first level (a smooth start), falling towards the noise level sigma.")
    model_cards(["cnn_combined", "cnn_denoise_color"])


# --------------------------------------------------------------------------- the other tasks
def deblur() -> None:
    """Wiener, Richardson-Lucy and TV deconvolution: their knobs, the ringing and the boundary."""
    c1, c2, c3 = st.columns(3)
    kernel_name = c1.selectbox("Blur kernel k", list(learn.BLUR_KERNELS), key=learn.LEARN_DEBLUR_KERNEL)
    sigma = c2.slider("Noise after the blur, sigma (grey levels; white = 255)", 0.0, 10.0, 2.5, 0.5,
                      key=learn.LEARN_DEBLUR_SIGMA)
    boundary = c3.radio("What the blur saw past the border", ["reflect", "wrap"], horizontal=True,
                        format_func={"reflect": "the scene goes on (a photo)",
                                     "wrap": "the image repeats (periodic)"}.__getitem__,
                        key=learn.LEARN_DEBLUR_BOUNDARY)
    obs = learn.blurred_observation(kernel_name, sigma, boundary)
    clean, kernel = obs.clean, obs.kernel
    kh, kw = kernel.shape
    show_row([(kernel / kernel.max(), f"the kernel k, {kh}x{kw} pixels (white = largest weight)"),
              (explain.blur_spectrum(kernel), "|K(omega)|: how much of each frequency the blur keeps "
                                              "(zero frequency in the centre; black = lost)"),
              (clean, "clean x"),
              (obs.degraded, f"observation y = k * x + n ({score(clean, obs.degraded)})")])

    st.markdown("**1. From the inverse filter to the Wiener filter: the strength s**")
    strengths = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
    strength = st.select_slider("Wiener strength s (multiplies the noise-to-signal ratio; small: sharper and "
                                "noisier, large: smoother)", strengths, value=0.1, key=learn.LEARN_DEBLUR_STRENGTH)
    sweep = {s: run_algorithm("wiener_deconv", obs, {"strength": s}) for s in strengths}
    wiener = sweep[strength]
    cols = st.columns([1, 1, 2])
    inverse = sweep[strengths[0]]
    picture(cols[0], inverse, f"s = {strengths[0]:g}: almost the inverse filter Y / K ({score(clean, inverse)})")
    picture(cols[1], wiener, f"Wiener, s = {strength:g} ({score(clean, wiener)})")
    cols[2].plotly_chart(learn.lines_figure(
        strengths, {"Wiener": [psnr(clean, v) for v in sweep.values()]}, x_title="strength s", log_x=True,
        marker=strength, marker_text=f"s = {strength:g}"), key="learn.wiener_curve")

    st.markdown("**2. Richardson-Lucy: the iteration count t is the regulariser**")
    counts = (1, 2, 5, 10, 20, 50, 100, 200)
    t = st.select_slider("Richardson-Lucy iterations t", counts, value=20, key=learn.LEARN_DEBLUR_RL)
    rl = explain.richardson_lucy_trace(obs, counts)
    rl_image = rl.images[rl.steps.index(t)]
    cols = st.columns([1, 1, 2])
    picture(cols[0], rl_image, f"Richardson-Lucy, t = {t} ({score(clean, rl_image)})")
    picture(cols[1], rl.images[-1], f"t = {rl.steps[-1]}: sharper, and noisier ({score(clean, rl.images[-1])})")
    cols[2].plotly_chart(learn.lines_figure(rl.steps, {"Richardson-Lucy": rl.psnr or []}, x_title="iterations t",
                                            log_x=True, marker=t, marker_text=f"t = {t}"), key="learn.rl_curve")
    st.caption("Each iteration adds finer detail, and with it more of the noise: the PSNR climbs, peaks and falls "
               "again (semi-convergence), so the count t does the regularising. The more noise, the earlier the "
               "peak.")

    st.markdown("**3. TV deconvolution: a prior instead of a stopping rule**")
    lams = (0.0002, 0.0005, 0.0015, 0.005, 0.015, 0.05)
    lam = st.select_slider("TV weight lambda", lams, value=0.0015, key=learn.LEARN_DEBLUR_LAM)
    tv, energies = explain.tv_trace(obs, lam, iterations=150)
    cols = st.columns([1, 1, 2])
    picture(cols[0], tv, f"TV, lambda = {lam:g} ({score(clean, tv)})")
    picture(cols[1], learn.error_image(clean, tv), "its error |x_hat - x| (black = 0, white = 0.2 or more)")
    cols[2].plotly_chart(learn.energy_figure(energies, "TV deconvolution: energy per iteration"),
                         key="learn.deblur_energy")

    st.markdown("**The ringing**: one row of every result")
    h = clean.shape[0]
    row = st.slider("Row of the profile", 0, h - 1, learn.edgiest_row(clean), key=learn.LEARN_DEBLUR_ROW)
    st.plotly_chart(learn.profile_figure({
        "clean": clean[row], "observation": obs.degraded[row], f"Wiener, s = {strength:g}": np.clip(wiener[row], 0, 1),
        f"Richardson-Lucy, t = {t}": np.clip(rl_image[row], 0, 1), f"TV, lambda = {lam:g}": np.clip(tv[row], 0, 1),
    }, row=row), key="learn.deblur_profile")
    st.caption("Ringing is the ripple beside a strong edge, where a restored curve over- and undershoots the "
               "clean one (black). Deconvolution boosts the frequencies the blur weakened; next to an edge they no "
               "longer cancel. Lower s or more iterations t sharpen the edge and ring more; TV damps the ripples, "
               "because every oscillation costs total variation.")

    st.markdown("**The boundary**: the FFT believes the image repeats")
    view = explain.wiener_boundary(obs, strength=strength)
    frame = 8
    periodic = explain.border_psnr(clean, view.periodic, frame)
    extended = explain.border_psnr(clean, view.extended, frame)
    show_row([(view.periodic, f"plain FFT, image taken as periodic ({score(clean, view.periodic)})"),
              (learn.error_image(clean, view.periodic), "its error (black = 0, white = 0.2 or more)"),
              (view.extended, f"mirrored and tapered first ({score(clean, view.extended)})"),
              (learn.error_image(clean, view.extended), "its error (same scale)")])
    st.caption(f"Wiener at s = {strength:g}, two border models. PSNR on the outer {frame} pixels against the "
               f"inside: periodic {periodic[0]:.1f} vs {periodic[1]:.1f} dB, mirrored and tapered {extended[0]:.1f} "
               f"vs {extended[1]:.1f} dB. In a photo the left edge does not continue at the right edge; the plain "
               f"FFT explains that jump as detail the blur smeared across the seam, and stripes start at the border "
               f"(with a motion blur, whose spectrum has near-zeros, they run far inside). Choose 'the image "
               f"repeats' above: now the periodic model is the true one and its frame goes away, while the mirrored "
               f"extension becomes the wrong model and gets one. The border model must match how the blur saw the "
               f"border. Richardson-Lucy here treats the pixels beyond the border as unknowns, so a photo gets no "
               f"frame from it either.")


def super_resolution() -> None:
    """Interpolation kernels, back-projection, one patch of sparse SR, and each method's correction."""
    c1, c2 = st.columns(2)
    scale = c1.radio("Scale factor s", [2, 3, 4], index=1, horizontal=True, key=learn.LEARN_SR_SCALE)
    sigma = c2.slider("Noise on the small image, sigma (grey levels; white = 255)", 0.0, 10.0, 0.0, 0.5,
                      key=learn.LEARN_SR_SIGMA)
    obs = learn.lowres_observation(int(scale), sigma)
    clean = obs.clean
    h, w = obs.degraded.shape

    st.markdown("**1. Interpolation: the kernel w decides the look**")
    x, kernels = explain.interpolation_kernels()
    cols = st.columns([1, 2])
    picture(cols[0], obs.degraded, f"input y, {h}x{w} (each pixel a square), to enlarge x{scale}")
    cols[1].plotly_chart(learn.kernels_figure(x, kernels), key="learn.kernels")
    outputs = {m: run_algorithm(m, obs) for m in explain.INTERPOLATIONS}
    show_row([(out, f"{m} ({score(clean, out)})") for m, out in outputs.items()])
    st.caption("Each enlarged pixel is sum_j w(u - j) y_j. The box copies the nearest pixel (blocks), the triangle "
               "blends two (soft), Keys' cubic and Lanczos have negative lobes that steepen edges (crisper, with a "
               "faint halo). None adds detail the small image does not hold.")

    st.markdown("**2. Iterative back-projection: make the result reproduce the input**")
    steps = st.slider("Back-projection steps t", 0, 30, 10, key=learn.LEARN_SR_STEPS)
    trace = explain.back_projection_trace(obs, iterations=30)
    x_t = trace.images[steps]
    cols = st.columns([1, 1, 2])
    picture(cols[0], x_t, f"x_{steps} ({score(clean, x_t)})")
    added = x_t - trace.images[0]
    top = max(float(np.abs(added).max()), 1e-3)
    picture(cols[1], learn.signed_image(added, top),
            f"what t = {steps} steps added to bicubic (gray = 0, white = +{top:.2f})")
    cols[2].plotly_chart(learn.lines_figure(
        trace.steps, {"PSNR against the truth": trace.psnr or []}, x_title="step t", marker=steps,
        secondary={"misfit ||D x_t - y|| (RMS, grey levels)": trace.residual or []},
        secondary_title="misfit (grey levels)"), key="learn.bp_curve")
    st.caption("The misfit to the input falls towards zero at every step; the PSNR against the truth rises and "
               "levels off. With noise (slider above) the misfit still falls -- the noise is being fitted -- while "
               "the PSNR stalls or drops: stop early.")

    st.markdown("**3. Sparse-coding SR: coarse features choose the fine detail**")
    code_size = explain.sparse_sr_patch(obs, 0, 0).bicubic.shape[0]
    c1, c2 = st.columns(2)
    big_h, big_w = clean.shape
    prow = c1.slider("Patch row (enlarged grid)", 0, big_h - code_size, big_h // 3, key=learn.LEARN_SR_ROW)
    pcol = c2.slider("Patch column (enlarged grid)", 0, big_w - code_size, big_w // 2, key=learn.LEARN_SR_COL)
    code = explain.sparse_sr_patch(obs, prow, pcol)
    details = [code.detail] + ([code.true_detail] if code.true_detail is not None else [])
    top = max(max(float(np.abs(d).max()) for d in details), 1e-3)
    items = [(code.bicubic, f"bicubic patch ({code_size}x{code_size})"),
             (learn.signed_image(code.detail, top), f"predicted detail D_h alpha ({len(code.indices)} atoms)")]
    if code.true_detail is not None:
        items.append((learn.signed_image(code.true_detail, top), "the detail bicubic really missed"))
    items.append((learn.feature_grid(code.atoms, count=len(code.atoms)), "the detail atoms used (columns of D_h)"))
    show_row(items)
    st.caption(f"Signed images: gray = 0, white = +{top:.2f}, black = -{top:.2f}. Coefficients: "
               + ", ".join(f"{c:+.2f}" for c in code.coefficients)
               + f". The dictionary pair was trained for x{code.scale}.")

    st.markdown("**4. The CNN's correction**: each method's result minus bicubic, on one scale")
    candidates: list[tuple[str, dict | None]] = [("back_projection", {"iterations": steps}), ("sparse_sr", None),
                                                 ("cnn_sr", None)]
    methods = [(m, p) for m, p in candidates if get_algorithm(m).solves(obs)]
    left_out = [title(m) for m, _ in candidates if not get_algorithm(m).solves(obs)]
    if left_out:
        st.info(f"{' and '.join(left_out)} learned to enlarge noise-free images: with noise the app counts the task "
                f"as '{obs.task}' and does not offer them. Set the noise to 0 to compare their corrections.")
    views, problems = {}, []
    for method, params in methods:
        try:
            views[method] = explain.sr_correction(obs, method, params)
        except RestorationError as exc:
            problems.append(f"{method}: {exc}")
    for problem in problems:
        st.info(problem)
    if views:
        top = max(max(float(np.abs(v.correction).max()) for v in views.values()), 1e-3)
        show_row([(learn.signed_image(v.correction, top), f"{title(m)}: output - bicubic") for m, v in views.items()])
        show_row([(v.output, f"{title(m)} ({score(clean, v.output)})") for m, v in views.items()])
        st.caption(f"Gray = 0, white = +{top:.2f}, black = -{top:.2f}, the same for all. Back-projection here "
                   f"runs the {steps} steps chosen above. The CNN starts from the bicubic enlargement and predicts "
                   f"only this correction: cnn_sr = bicubic + f_theta(bicubic, s). Its correction follows the edges "
                   f"like the others but is learned from thousands of examples.")


def inpainting() -> None:
    """Biharmonic, TV, sparse and plug-and-play inpainting: fills, a profile, a patch, the iterations."""
    c1, c2, c3 = st.columns(3)
    mask_name = c1.selectbox("Missing pixels", list(learn.MASKS), key=learn.LEARN_INPAINT_MASK)
    missing = c2.slider("Share missing (random pixels only)", 0.3, 0.9, 0.6, 0.1, key=learn.LEARN_INPAINT_MISSING,
                        disabled=mask_name != "random pixels")
    sigma = c3.slider("Noise on the known pixels, sigma (grey levels; white = 255)", 0.0, 20.0, 0.0, 1.0,
                      key=learn.LEARN_INPAINT_SIGMA)
    obs = learn.masked_observation(mask_name, sigma, missing=missing)
    clean, mask = obs.clean, obs.mask
    tv_lam = float(get_algorithm("tv_inpaint").defaults_for(obs)["lam"])
    tv, energies = explain.tv_trace(obs, tv_lam, iterations=300)
    result = explain.pnp_trace(obs, iterations=8)
    outputs = {"biharmonic": run_algorithm("biharmonic", obs), "tv_inpaint": np.clip(tv, 0, 1),
               "sparse": run_algorithm("sparse", obs, {"stride": 2}), "pnp": np.clip(result.image, 0, 1)}

    def label(name: str, image: np.ndarray) -> str:
        return f"{title(name)}: {explain.hole_psnr(obs, image):.2f} dB on the holes ({score(clean, image)} overall)"

    show_row([(clean, "clean x"), (learn.mark_missing(obs.degraded, mask),
                                   f"observation, {1 - mask.mean():.0%} missing (red)"),
              (outputs["biharmonic"], label("biharmonic", outputs["biharmonic"]))])
    show_row([(out, label(name, out)) for name, out in outputs.items() if name != "biharmonic"])

    st.caption(f"Total variation uses the registry's lambda = {tv_lam:g}; sparse coding codes every second "
               f"patch (stride 2, for speed here; the app's default codes all of them); plug-and-play runs "
               f"{len(result.iterates)} iterations with the CNN denoiser.")

    st.markdown("**Across a hole**: one row of every result")
    row = st.slider("Row of the profile", 0, clean.shape[0] - 1, learn.busiest_row(mask), key=learn.LEARN_INPAINT_ROW)
    st.plotly_chart(learn.profile_figure({"clean": clean[row], **{title(n): o[row] for n, o in outputs.items()}},
                                         row=row, shade=~mask[row]), key="learn.inpaint_profile")
    st.caption("Red bands are the missing pixels of this row. The biharmonic plate bends smoothly through each "
               "hole, carrying the slope; TV fills with flat stretches and a sharp step; sparse coding and the "
               "learned denoiser can put back some texture.")

    st.markdown("**Sparse coding with holes**: OMP fits the atoms to the known pixels only")
    dictionary = explain.load_dictionary()
    p = dictionary.patch_size
    c1, c2 = st.columns(2)
    prow = c1.slider("Patch row", 0, clean.shape[0] - p, min(max(row - p // 2, 0), clean.shape[0] - p),
                     key=learn.LEARN_INPAINT_PATCH_ROW)
    pcol = c2.slider("Patch column", 0, clean.shape[1] - p, clean.shape[1] // 2, key=learn.LEARN_INPAINT_PATCH_COL)
    level = float(get_algorithm("sparse").defaults_for(obs)["sigma"])
    code = explain.sparse_code_patch(obs.degraded, prow, pcol, sigma=level, mask=mask, dictionary=dictionary)
    window = (slice(prow, prow + p), slice(pcol, pcol + p))
    items = [(learn.mark_missing(code.patch, mask[window]), f"patch, {int((~mask[window]).sum())} of {p * p} "
                                                            "pixels missing (red)"),
             (code.reconstruction, f"D alpha: {len(code.indices)} atoms + the mean, holes filled"),
             (clean[window], "clean patch (reference)")]
    if len(code.indices):
        items.append((learn.feature_grid(dictionary.atom_images()[np.asarray(code.indices)], count=len(code.indices)),
                      "the atoms chosen"))
    show_row(items)

    st.markdown("**Plug-and-play and TV, step by step**")
    k = st.slider("PnP iteration k", 1, len(result.iterates), len(result.iterates), key=learn.LEARN_INPAINT_ITER)
    cols = st.columns([1, 2, 2])
    z = result.iterates[k - 1]
    picture(cols[0], z, f"z_{k}, denoised at sigma_{k} = {result.sigmas[k - 1]:.1f} ({score(clean, z)})")
    cols[1].plotly_chart(learn.lines_figure(
        list(range(1, len(result.iterates) + 1)),
        {"PSNR of z_k": [psnr(clean, np.clip(it, 0, 1)) for it in result.iterates]}, x_title="PnP iteration k",
        marker=k, secondary={"denoiser level sigma_k": result.sigmas}, secondary_title="sigma_k (grey levels)"),
        key="learn.inpaint_pnp")
    cols[2].plotly_chart(learn.energy_figure(energies, f"TV inpainting, lambda = {tv_lam:g}: energy"),
                         key="learn.inpaint_energy")


# --------------------------------------------------------------------------- the page
titles = {s.key: s.title for s in learn.SECTIONS}
key = st.radio("Family or task", list(titles), format_func=titles.__getitem__, horizontal=True, key=LEARN_FAMILY)
section = next(s for s in learn.SECTIONS if s.key == key)

st.subheader(section.title)
st.markdown(section.idea)
for formula in section.maths:
    st.latex(formula)
st.caption(section.where)
names = list(section.methods) or ([m.name for m in list_algorithms(family=key)] if key in FAMILIES else [])
if names:
    st.markdown("**In this app:** " + ", ".join(f"`{n}` ({title(n)})" for n in names))

st.markdown("#### A look inside")
try:
    if key in DENOISING:
        sigma = float(st.slider(NOISE_LABEL, 5, 50, 25, 5, key=LEARN_SIGMA))
        obs = learn.noisy_observation(sigma)
        if key == "filter":
            filters(obs, sigma)
        elif key == "wavelet":
            wavelets(obs, sigma)
        elif key == "sparse":
            sparse(obs, sigma)
        elif key == "variational":
            variational(obs)
        elif key == "nonlocal":
            nonlocal_(obs, sigma)
        elif key == "deep":
            deep(obs, sigma)
        else:
            selfsup(obs)
    elif key == "pnp":
        pnp()
    elif key == "deblur":
        deblur()
    elif key == "sr":
        super_resolution()
    else:
        inpainting()
except (RestorationError, ValueError) as exc:
    st.error(str(exc))
