"""Learn: how each family of algorithms works -- the idea, the maths, and a look inside.

The looks inside come from :mod:`restoration.explain`, the library's public look-inside API.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from restoration import FAMILIES, RestorationError, degrade, explain, list_algorithms, psnr, run_algorithm
from ui import learn
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
    "Every family in plain words, its maths, and an interactive look inside on a small image "
    "(the centre of the *cameraman*, 160x160, with Gaussian noise you choose)."
)

titles = {s.key: s.title for s in learn.SECTIONS}
key = st.radio("Family", list(titles), format_func=titles.__getitem__, horizontal=True, key=LEARN_FAMILY)
section = next(s for s in learn.SECTIONS if s.key == key)
sigma = st.slider("Noise level sigma (0-255)", 5, 50, 25, 5, key=LEARN_SIGMA)
obs = learn.noisy_observation(float(sigma))

st.subheader(section.title)
st.markdown(section.idea)
for formula in section.maths:
    st.latex(formula)
st.caption(section.where)
methods = list_algorithms(family=section.key) if section.key in FAMILIES else []
if methods:
    st.markdown("**In this app:** " + ", ".join(f"`{m.name}` ({m.title})" for m in methods))

st.markdown("#### A look inside")
try:
    if key == "filter":
        size = st.slider("Window size", 1, 9, 3, 2, key=LEARN_WINDOW)
        cols = st.columns(4)
        cols[0].image(obs.degraded.clip(0, 1), caption=f"noisy ({psnr(obs.clean, obs.degraded):.2f} dB)")
        for col, name in zip(cols[1:], ("mean", "median", "gaussian"), strict=False):
            try:
                params = {"size": size} if name != "gaussian" else {"sigma_spatial": size / 3}
                out = run_algorithm(name, obs, params)
                col.image(out, caption=f"{name} ({psnr(obs.clean, out):.2f} dB)")
            except RestorationError as exc:
                col.info(f"{name}: {exc}")
        st.caption("A wider window removes more noise and more detail: watch the PSNR peak and fall.")

    elif key == "wavelet":
        c1, c2 = st.columns(2)
        method = c1.selectbox("Threshold rule", ["bayes", "visu"], key=LEARN_WAVELET_METHOD)
        mode = c2.selectbox("Shrinkage", ["soft", "hard"], key=LEARN_WAVELET_MODE)
        bands = explain.wavelet_subbands(obs.degraded, sigma=float(sigma), wavelet="db2", levels=3, method=method,
                                 mode=mode)
        cols = st.columns(3)
        cols[0].image(bands.mosaic("before"), caption="subbands of the noisy image", clamp=True)
        cols[1].image(bands.mosaic("after"), caption="after thresholding (gray = set to zero)", clamp=True)
        rec = np.clip(bands.reconstruction, 0, 1)
        cols[2].image(rec, caption=f"reconstruction ({psnr(obs.clean, rec):.2f} dB)")
        kept = [float(np.mean(np.abs(a) > 0)) for level in bands.after for a in level]
        st.caption(f"Noise level used: {bands.sigma:.1f}. Detail coefficients kept: {np.mean(kept):.1%} "
                   "(approximation top-left, finer scales towards the bottom right).")

    elif key == "variational":
        lam = st.slider("Regularisation weight lambda", 0.01, 0.3, 0.08, 0.01, key=LEARN_TV_LAM)
        out, energies = explain.tv_trace(obs, lam, iterations=150)
        cols = st.columns([1, 1, 2])
        cols[0].image(obs.degraded.clip(0, 1), caption="noisy")
        cols[1].image(np.clip(out, 0, 1), caption=f"TV result ({psnr(obs.clean, np.clip(out, 0, 1)):.2f} dB)")
        cols[2].plotly_chart(learn.energy_figure(energies), key="learn.energy")
        st.caption("The energy falls fast and then flattens: the solver converges. A larger lambda gives flatter, "
                   "cartoon-like regions.")

    elif key == "nonlocal":
        h, w = obs.degraded.shape
        c1, c2 = st.columns(2)
        row = c1.slider("Reference row", 0, h - 1, h // 3, key=LEARN_BM3D_ROW)
        col = c2.slider("Reference column", 0, w - 1, w // 2, key=LEARN_BM3D_COL)
        group = explain.match_group(obs.degraded, row, col, sigma=float(sigma))
        st.plotly_chart(learn.bm3d_group_figure(np.clip(obs.degraded, 0, 1), group.coords, group.block_size,
                                                group.search_box), key="learn.group")
        st.caption(f"{len(group.coords)} blocks of {group.block_size}x{group.block_size} matched the red reference "
                   "inside the dashed search window (yellow). BM3D denoises them together as one 3-D group.")

    elif key == "deep":
        internals = explain.cnn_internals(obs.degraded, float(sigma))
        cols = st.columns(3)
        cols[0].image(obs.degraded.clip(0, 1), caption="noisy input")
        noise = internals.noise
        cols[1].image(np.clip(0.5 + noise * 2, 0, 1), caption="predicted noise (gray = 0)")
        cols[2].image(internals.output, caption=f"output ({psnr(obs.clean, internals.output):.2f} dB)")
        block = st.slider("Feature maps after residual block", 1, len(internals.features), 1, key=LEARN_BLOCK)
        st.image(learn.feature_grid(internals.features[block - 1]), caption="first 16 feature maps (half resolution)",
                 width=480)
        st.plotly_chart(learn.attention_figure(internals.attention), key="learn.attention")
        st.caption(f"Channel-attention weights: how much each of the 64 feature maps counts in each block. "
                   f"{internals.parameters:,} learned parameters.")
        st.code("\n".join(internals.layers), language=None)

        st.markdown("**The same design, enlarging x4** (`cnn_sr`): bicubic interpolation, then the network's "
                    "correction.")
        sr_obs = degrade(obs.clean, "downsample(scale=4)")
        bicubic, sharp = run_algorithm("bicubic", sr_obs), run_algorithm("cnn_sr", sr_obs)
        cols = st.columns(4)
        cols[0].image(np.kron(np.clip(sr_obs.degraded, 0, 1), np.ones((4, 4))), caption="input, 40x40 (pixels x4)")
        cols[1].image(np.clip(bicubic, 0, 1), caption=f"bicubic ({psnr(obs.clean, bicubic):.2f} dB)")
        cols[2].image(np.clip(0.5 + (sharp - bicubic) * 4, 0, 1), caption="the network's correction (gray = 0)")
        cols[3].image(sharp, caption=f"cnn_sr ({psnr(obs.clean, sharp):.2f} dB)")

    elif key == "pnp":
        blur_obs = degrade(obs.clean, f"motion_blur(length=9, angle=30) | gaussian_noise(sigma={sigma / 10:g})")
        result = explain.pnp_trace(blur_obs, iterations=8)  # the default prior: the shipped CNN denoiser
        k = st.slider("Iteration", 1, len(result.iterates), len(result.iterates), key=LEARN_PNP_ITER)
        cols = st.columns(2)
        cols[0].image(np.clip(blur_obs.degraded, 0, 1), caption="blurred + noisy observation")
        z = result.iterates[k - 1]
        cols[1].image(z, caption=f"iterate {k}: denoiser level {result.sigmas[k - 1]:.1f} "
                                 f"({psnr(blur_obs.clean, z):.2f} dB)")

        st.markdown("**Unfolded and trained end to end** (`cnn_combined`): the same alternation, fixed to a few "
                    "stages, with the denoiser and the schedule trained on the survey's combined degradation "
                    "(motion blur, x2 downsampling, noise).")
        level = min(float(sigma), 25.0)  # the range it was trained on
        comb_obs = degrade(obs.clean, f"motion_blur(length=9, angle=30) | downsample(scale=2) | "
                                      f"gaussian_noise(sigma={level:g})")
        trace = explain.unfolded_trace(comb_obs)
        stage = st.slider("Stage", 1, len(trace.prior), len(trace.prior), key=LEARN_UNFOLDED_STAGE)
        data, prior = trace.data[stage - 1], trace.prior[stage - 1]
        cols = st.columns(3)
        cols[0].image(np.kron(np.clip(comb_obs.degraded, 0, 1), np.ones((2, 2))),
                      caption=f"observation, 80x80 (pixels x2), sigma {level:g}")
        cols[1].image(data, caption=f"stage {stage}, after the data step, weight alpha {trace.alpha[stage - 1]:.3f} "
                                    f"({psnr(comb_obs.clean, data):.2f} dB)")
        cols[2].image(prior, caption=f"stage {stage}, after the learned prior, level {trace.beta[stage - 1]:.1f} "
                                     f"({psnr(comb_obs.clean, prior):.2f} dB)")
        st.plotly_chart(learn.stages_figure([psnr(comb_obs.clean, d) for d in trace.data],
                                            [psnr(comb_obs.clean, p) for p in trace.prior]), key="learn.stages")
        st.caption("The data step undoes the blur and the downsampling as far as the observation allows, and brings "
                   "the noise back; the prior removes it at the level the schedule sets. Training chose the levels: "
                   "a very high first level (a smooth start), falling towards the noise level.")

    elif key == "sparse":
        dictionary = explain.load_dictionary()
        p = dictionary.patch_size
        st.image(learn.feature_grid(dictionary.atom_images(), count=dictionary.n_atoms),
                 caption=f"the {dictionary.n_atoms} learned atoms ({p}x{p} pixels) of the shipped dictionary",
                 width=480)
        h, w = obs.degraded.shape
        c1, c2 = st.columns(2)
        row = c1.slider("Patch row", 0, h - p, h // 3, key=LEARN_SPARSE_ROW)
        col = c2.slider("Patch column", 0, w - p, w // 2, key=LEARN_SPARSE_COL)
        code = explain.sparse_code_patch(obs.degraded, row, col, sigma=float(sigma), dictionary=dictionary)
        zoom = np.ones((16, 16))
        cols = st.columns(3)
        cols[0].image(np.kron(np.clip(code.patch, 0, 1), zoom), caption="noisy patch")
        cols[1].image(np.kron(np.clip(code.reconstruction, 0, 1), zoom),
                      caption=f"rebuilt from {len(code.indices)} atoms + its mean")
        cols[2].image(np.kron(obs.clean[row : row + p, col : col + p], zoom), caption="clean patch (reference)")
        if len(code.indices):
            order = np.argsort(-np.abs(code.coefficients))
            used = dictionary.atom_images()[np.asarray(code.indices)[order]]
            st.image(learn.feature_grid(used, count=len(order)), width=360,
                     caption="atoms chosen by OMP, largest coefficient first: "
                     + ", ".join(f"{c:+.2f}" for c in np.asarray(code.coefficients)[order]))
        st.caption("OMP adds atoms one at a time until the residual falls to the noise level: the structure of the "
                   "patch needs few atoms, while the noise, which no small set of atoms describes, is left out.")
    elif key == "selfsup":
        view = explain.noise2self(obs, "tv")
        tuned = view.tuning
        cols = st.columns(3)
        shown = np.dstack([np.clip(obs.degraded, 0, 1)] * 3)
        shown[view.hidden] = (1.0, 0.2, 0.2)
        cols[0].image(shown, caption="the noisy image, with the hidden pixels in red (one in 16)", width="stretch")
        cols[1].image(np.clip(view.filled, 0, 1), caption="what the denoiser sees: hidden pixels filled from "
                      "their four neighbours", width="stretch")
        best = run_algorithm("tv", obs, {"lam": tuned.best})
        cols[2].image(np.clip(best, 0, 1), caption=f"TV with the chosen lambda {tuned.best:.3f} "
                      f"({psnr(obs.clean, best):.2f} dB)", width="stretch")
        st.plotly_chart(learn.noise2self_figure(tuned.values, tuned.losses, view.true_mse, tuned.best),
                        key="learn.noise2self")
        st.caption(f"Left axis: the self-supervised loss, computed from the noisy image alone; right axis: the true "
                   f"error against the clean image, which the method never sees (shown here because this demo has "
                   f"the clean image). Both bottom out at about the same lambda. The noise-level rule would use "
                   f"{tuned.automatic:.3f}.")
except RestorationError as exc:
    st.error(str(exc))
