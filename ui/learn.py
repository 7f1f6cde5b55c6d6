"""The Learn page's content: plain-words ideas, the maths, and computations that open each family up.

The functions here return data and plotly figures (no Streamlit calls), so they are testable
without a browser; ``pages/4_Learn.py`` lays them out. Each family's section says the idea in
plain words, gives the energy or model in LaTeX, and looks inside the algorithm on a small
image: subbands before/after thresholding, the TV energy per iteration, BM3D's block groups,
the CNN's feature maps and attention weights, the plug-and-play iterates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from restoration import degrade
from restoration.gallery import load_gallery_image
from restoration.images import downscale_to_max_pixels, to_gray

__all__ = [
    "SECTIONS",
    "Section",
    "attention_figure",
    "bm3d_group_figure",
    "energy_figure",
    "feature_grid",
    "learn_image",
    "noisy_observation",
]


@dataclass(frozen=True)
class Section:
    """One family on the Learn page."""

    key: str
    title: str
    idea: str
    maths: tuple[str, ...]
    where: str


SECTIONS: tuple[Section, ...] = (
    Section(
        "filter", "Traditional filters",
        "Replace every pixel by a summary of its neighbourhood. The mean and Gaussian filters average, which "
        "removes noise and blurs edges alike; the median takes the middle value, which ignores outliers; the "
        "bilateral filter only averages neighbours of similar brightness, so edges survive; the adaptive "
        "Wiener filter smooths flat areas strongly and busy areas gently, using the local variance.",
        (r"\hat x_i = \frac{1}{|N_i|}\sum_{j \in N_i} y_j \quad\text{(mean)}",
         r"\hat x_i = \mu_i + \frac{\max(\sigma_i^2 - \sigma^2, 0)}{\sigma_i^2}\,(y_i - \mu_i)"
         r"\quad\text{(adaptive Wiener)}"),
        "Fast and predictable, but every filter trades noise for detail: none of them knows what an image "
        "looks like.",
    ),
    Section(
        "wavelet", "Wavelet shrinkage",
        "A wavelet transform splits the image into a coarse approximation and detail subbands at several "
        "scales and orientations. Image structure concentrates in a few large coefficients, while white noise "
        "spreads evenly over all of them. Shrinking the small coefficients towards zero (soft or hard "
        "thresholding) therefore removes mostly noise.",
        (r"y = x + n,\quad W y = W x + W n", r"\hat x = W^{-1}\,\eta_T(W y),\quad "
         r"\eta_T(d) = \operatorname{sign}(d)\max(|d| - T, 0)",
         r"T_{\text{Visu}} = \sigma\sqrt{2\ln N},\qquad T_{\text{Bayes}} = \sigma^2 / \sigma_x"),
        "Multi-scale and fast; the survey reports it between filters and deep networks (its Table 5). "
        "Thresholding leaves ringing near edges, which cycle spinning (averaging shifted transforms) reduces.",
    ),
    Section(
        "sparse", "Sparse representation",
        "The survey's Figure 1: cut clean images into small patches, learn an over-complete dictionary of "
        "typical patches (atoms), then describe each degraded patch with as few atoms as possible. A noisy "
        "patch cannot be written with few atoms, so the sparse reconstruction keeps the structure and drops "
        "the noise; overlapping patches are averaged back into the image.",
        (r"\min_{\alpha_i} \|\alpha_i\|_0 \ \text{s.t.}\ \|R_i y - D\alpha_i\|_2^2 \le (C\sigma)^2 n",
         r"\hat x = \Big(\lambda I + \sum_i R_i^T R_i\Big)^{-1}\Big(\lambda y + \sum_i R_i^T D\alpha_i\Big)"),
        "Quality depends on the dictionary (learned offline or adapted with K-SVD on the image itself), the "
        "coding algorithm (OMP here) and the stopping rule: the trade-off between quality and cost the survey "
        "describes.",
    ),
    Section(
        "variational", "Variational models",
        "Write down an energy with two terms: data fidelity (the restored image, degraded again, should look "
        "like the observation) and a regulariser encoding prior knowledge (total variation: images are made "
        "of flat regions separated by sharp edges). Minimising it gives the restored image. The same solver "
        "handles denoising, deblurring, inpainting and super-resolution by changing only the operator A.",
        (r"\hat x = \arg\min_x \tfrac12\|A x - y\|_2^2 + \lambda\,\mathrm{TV}(x),\qquad "
         r"\mathrm{TV}(x) = \sum_i \|\nabla x_i\|_2",
         r"\text{Chambolle-Pock: } p \leftarrow \operatorname{proj}_{\|p_i\|\le\lambda}(p + s\nabla\bar x),\ "
         r"x \leftarrow \operatorname{prox}_{tG}(x + t\,\operatorname{div} p)"),
        "Principled and efficient, but the hand-made prior is too simple for texture: strong regularisation "
        "gives a cartoon-like 'staircase' look (the survey's Figure 2 discussion).",
    ),
    Section(
        "nonlocal", "Non-local methods",
        "Natural images repeat themselves: a patch of brick or sky has many look-alikes elsewhere. NL-means "
        "averages pixels whose surrounding patches look similar, wherever they are. BM3D stacks similar blocks "
        "into a 3-D group, transforms the group, shrinks the coefficients (the repetition makes the signal "
        "very sparse) and puts the blocks back; a second pass repeats this with Wiener filtering guided by "
        "the first estimate.",
        (r"\hat x_i = \frac{\sum_j w_{ij} y_j}{\sum_j w_{ij}},\quad "
         r"w_{ij} = \exp\!\Big(-\frac{\max(\|P_i - P_j\|^2 - 2\sigma^2, 0)}{h^2}\Big)",
         r"\hat G = T_{3D}^{-1}\big(\eta_{\lambda\sigma}(T_{3D}(G))\big)"),
        "BM3D was the state of the art before deep networks and is still the classic to beat (29.97 dB on "
        "Set12 at sigma 25).",
    ),
    Section(
        "deep", "Deep CNNs",
        "Instead of a hand-made prior, a convolutional network learns from thousands of clean/noisy pairs "
        "what noise looks like. Ours is the survey's 20-layer residual CNN with attention: the image is folded "
        "to half resolution (4x cheaper), the noise level is given as an extra input map, nine residual blocks "
        "each end with channel attention (a weight per feature map, computed from the whole image), and the "
        "network predicts the noise, which is subtracted. The same design enlarges images: the small image is "
        "first enlarged by bicubic interpolation, and the network (folding by 4, so it costs what the small "
        "image costs) predicts the detail interpolation missed (`cnn_sr`). For the survey's combined "
        "degradation (`cnn_combined`) the denoiser becomes the prior of an unfolded solver: five rounds of an "
        "exact Fourier step that makes the image agree with the observation through the known blur and "
        "downsampling, each followed by the network, trained end to end on the task.",
        (r"\hat x = y - f_\theta(y, \sigma),\qquad "
         r"\theta^\star = \arg\min_\theta \sum_k \|f_\theta(x_k + n_k, \sigma_k) - n_k\|^2",
         r"\text{attention: } w = \mathrm{sigmoid}(W_2\,\mathrm{ReLU}(W_1\,\mathrm{avgpool}(h))),\ "
         r"h \leftarrow w \odot h"),
        "The survey's claim (its Tables 3-6): learned features beat hand-made priors, especially on combined "
        "degradations. The price is training data and compute, and the model only knows what it was trained on.",
    ),
    Section(
        "pnp", "Plug-and-play: a learned prior inside a variational solver",
        "Half-quadratic splitting separates the variational energy into a data step, which uses the known "
        "physics (blur, downsampling, mask), and a prior step, which is exactly a denoising problem. Plugging "
        "the trained denoiser into that step gives a deep prior for any degradation, with no retraining.",
        (r"x_k = \arg\min_x \tfrac12\|A x - y\|^2 + \tfrac{1}{2\tau_k}\|x - z_{k-1}\|^2",
         r"z_k = D(x_k, \sigma_k),\qquad \tau_k = \sigma_k^2 / (\lambda \sigma^2)"),
        "It joins the survey's variational and deep sections: the physics stays explicit, the prior is learned.",
    ),
    Section(
        "selfsup", "Learning without clean images",
        "Every method above needs something it cannot get from a user's photo: a clean image to train on, or "
        "at least the noise level to set its strength. Noise2Self's observation removes both needs. Hide a grid "
        "of pixels, fill them from their neighbours, denoise, and compare the result with the hidden noisy "
        "pixels. The noise of a pixel cannot be predicted from its neighbours (it is independent), so the "
        "comparison only measures how well the image itself was recovered, plus a constant: the strength with "
        "the lowest such loss is the one closest to the clean image -- found without ever seeing it. The same "
        "idea trains whole networks on one noisy photo (Noise2Void, Zero-Shot Noise2Noise), the survey's outlook.",
        (r"\mathbb{E}\,\|f_J(y) - y\|^2 = \mathbb{E}\,\|f_J(y) - x\|^2 + \mathbb{E}\,\|y - x\|^2"
         r"\quad\text{when } f_J(y)_J \text{ ignores } y_J",
         r"\hat\theta = \arg\min_\theta \sum_{i \in J} \big(f_\theta(y_{J^c})_i - y_i\big)^2"),
        "In this app: every classic denoiser with a strength knob (TV, wavelet, NL-means, BM3D) has a 'tuning' "
        "choice; 'self' picks the strength this way (scikit-image's calibrate_denoiser over our methods). It "
        "assumes pixel-independent noise: JPEG-compressed noise breaks that assumption.",
    ),
)


def learn_image(size: int = 160) -> np.ndarray:
    """The gray demo image of the Learn page: the centre of the cameraman, ``size`` pixels square."""
    image = to_gray(load_gallery_image("cameraman"))
    image = downscale_to_max_pixels(image, 256 * 256)
    h, w = image.shape
    y0, x0 = max(0, (h - size) // 2 - 20), max(0, (w - size) // 2)
    return np.ascontiguousarray(image[y0 : y0 + size, x0 : x0 + size])


def noisy_observation(sigma: float, seed: int = 0, size: int = 160):
    """The Learn page's image with Gaussian noise of ``sigma`` (0-255), as an Observation."""
    return degrade(learn_image(size), f"gaussian_noise(sigma={sigma:g})", seed=seed)


def energy_figure(energies: np.ndarray, title: str = "TV energy per iteration") -> go.Figure:
    """Line chart of an energy curve (log scale on the y axis when it spans decades)."""
    energies = np.asarray(energies, dtype=float)
    fig = go.Figure(go.Scatter(x=np.arange(1, len(energies) + 1), y=energies, mode="lines"))
    positive = energies[energies > 0]
    log = positive.size == energies.size and positive.size > 1 and positive.max() / positive.min() > 20
    fig.update_layout(title=title, xaxis_title="iteration", yaxis_title="E(x)", height=320,
                      margin={"l": 40, "r": 10, "t": 40, "b": 40}, yaxis_type="log" if log else "linear")
    return fig


def bm3d_group_figure(image: np.ndarray, coords: np.ndarray, block: int, search_box: tuple[int, int, int, int]):
    """The image with the search window and the matched blocks drawn on it (reference in red)."""
    fig = go.Figure(go.Heatmap(z=image, colorscale="gray", showscale=False,
                               hoverinfo="skip"))
    top, left, bottom, right = search_box
    fig.add_shape(type="rect", x0=left - 0.5, x1=right - 0.5, y0=top - 0.5, y1=bottom - 0.5,
                  line={"color": "#1f77b4", "dash": "dash"})
    for i, (r, c) in enumerate(coords):
        fig.add_shape(type="rect", x0=c - 0.5, x1=c + block - 0.5, y0=r - 0.5, y1=r + block - 0.5,
                      line={"color": "red" if i == 0 else "yellow", "width": 2 if i == 0 else 1})
    fig.update_yaxes(autorange="reversed", scaleanchor="x", visible=False)
    fig.update_xaxes(visible=False)
    fig.update_layout(height=420, margin={"l": 0, "r": 0, "t": 10, "b": 0})
    return fig


def feature_grid(features: np.ndarray, count: int = 16) -> np.ndarray:
    """Tile the first ``count`` feature maps (C x H x W) into one normalised mosaic for display."""
    maps = np.asarray(features[:count], dtype=np.float32)
    side = int(np.ceil(np.sqrt(len(maps))))
    h, w = maps.shape[1:]
    mosaic = np.ones((side * (h + 2), side * (w + 2)), np.float32)
    for i, m in enumerate(maps):
        lo, hi = float(m.min()), float(m.max())
        tile = (m - lo) / (hi - lo) if hi > lo else np.zeros_like(m)
        r, c = divmod(i, side)
        mosaic[r * (h + 2) + 1 : r * (h + 2) + 1 + h, c * (w + 2) + 1 : c * (w + 2) + 1 + w] = tile
    return mosaic


def attention_figure(weights: np.ndarray) -> go.Figure:
    """Heatmap of channel-attention weights: one row per residual block, one column per channel."""
    fig = go.Figure(go.Heatmap(z=weights, colorscale="Viridis", zmin=0, zmax=1,
                               colorbar={"title": "weight"}))
    fig.update_layout(xaxis_title="channel", yaxis_title="residual block", height=300,
                      margin={"l": 40, "r": 10, "t": 10, "b": 40})
    return fig


def stages_figure(data_psnr: list[float], prior_psnr: list[float]) -> go.Figure:
    """PSNR after each data step and each prior step of an unfolded network, as one zig-zag line."""
    x, y, text = [], [], []
    for t, (d, p) in enumerate(zip(data_psnr, prior_psnr, strict=True), start=1):
        x += [t - 0.25, t + 0.25]
        y += [d, p]
        text += [f"stage {t}: data step", f"stage {t}: prior"]
    fig = go.Figure(go.Scatter(x=x, y=y, mode="lines+markers", text=text, hovertemplate="%{text}: %{y:.2f} dB"))
    fig.update_layout(xaxis_title="stage (data step, then prior)", yaxis_title="PSNR (dB)", height=300,
                      xaxis={"tickmode": "linear", "dtick": 1}, margin={"l": 40, "r": 10, "t": 10, "b": 40})
    return fig


def noise2self_figure(values: Sequence[float], losses: Sequence[float], true_mse: Sequence[float] | None,
                      best: float) -> go.Figure:
    """The self-supervised loss and, beside it on a second axis, the true error, against the knob value."""
    fig = go.Figure(go.Scatter(x=list(values), y=list(losses), mode="lines+markers", name="self-supervised loss"))
    if true_mse is not None:
        fig.add_trace(go.Scatter(x=list(values), y=list(true_mse), mode="lines+markers", yaxis="y2",
                                 name="true error (needs the clean image)", line={"dash": "dot"}))
    fig.add_vline(x=best, line_dash="dash", annotation_text=f"chosen {best:.3g}")
    fig.update_layout(xaxis={"title": "lambda (TV weight)", "type": "log"},
                      yaxis={"title": "loss on hidden pixels"},
                      yaxis2={"title": "MSE vs clean", "overlaying": "y", "side": "right"},
                      height=340, margin={"l": 40, "r": 40, "t": 30, "b": 40}, legend={"orientation": "h"})
    return fig
