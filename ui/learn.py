"""The Learn page's content: plain-words ideas, the maths, and computations that open each family up.

The functions here return data, images ready to show and plotly figures (no Streamlit calls), so they
are testable without a browser; ``pages/4_Learn.py`` lays them out. Each section says the idea in
plain words, gives the energy or model in LaTeX, and looks inside the algorithms on a small image:
the five traditional filters against the window width, subbands before/after thresholding, the TV
energy per iteration, BM3D's block groups, the CNN's feature maps and attention weights, the
plug-and-play iterates, and for the three other tasks (deblurring, super-resolution, inpainting)
what each classic and learned method does on the way.

Display rules shared by every section: pictures side by side fill equal columns, so a row has one
width; every picture is first enlarged by whole-pixel repetition to at least :data:`PICTURE_PIXELS`
(:func:`zoom`), so that the browser only ever shrinks it -- a pixel of a kernel, an atom or a patch
stays a sharp square, never a blur.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from restoration import Observation, degrade
from restoration.deep.weights import ModelCard, model_card
from restoration.gallery import load_gallery_image
from restoration.images import downscale_to_max_pixels, to_gray

__all__ = [
    "BLUR_KERNELS",
    "IMAGE_SIZE",
    "MASKS",
    "PICTURE_PIXELS",
    "SECTIONS",
    "Section",
    "attention_figure",
    "blurred_observation",
    "bm3d_group_figure",
    "busiest_row",
    "card_markdown",
    "card_title",
    "combined_observation",
    "edgiest_row",
    "energy_figure",
    "error_image",
    "feature_grid",
    "kernels_figure",
    "learn_image",
    "lines_figure",
    "lowres_observation",
    "mark_missing",
    "masked_observation",
    "noise2self_figure",
    "noisy_observation",
    "profile_figure",
    "reproduce_script",
    "shipped_card",
    "signed_image",
    "stages_figure",
    "zoom",
]

#: Side of the Learn page's demo image in pixels: small, so that every look inside runs in well under a second.
IMAGE_SIZE = 128
#: Pictures are sent at least this many pixels wide (enlarged by whole pixels): wider than any column they fill,
#: so the browser shrinks them to fit and never smooths them up.
PICTURE_PIXELS = 512

# Widget keys of the sections added for the tasks (the older sections' keys live in ui.keys).
LEARN_PNP_SIGMA = "learn.pnp_sigma"
LEARN_DEBLUR_KERNEL = "learn.deblur_kernel"
LEARN_DEBLUR_SIGMA = "learn.deblur_sigma"
LEARN_DEBLUR_BOUNDARY = "learn.deblur_boundary"
LEARN_DEBLUR_STRENGTH = "learn.deblur_strength"
LEARN_DEBLUR_RL = "learn.deblur_rl_iterations"
LEARN_DEBLUR_LAM = "learn.deblur_lam"
LEARN_DEBLUR_ROW = "learn.deblur_row"
LEARN_SR_SCALE = "learn.sr_scale"
LEARN_SR_SIGMA = "learn.sr_sigma"
LEARN_SR_STEPS = "learn.sr_steps"
LEARN_SR_ROW = "learn.sr_patch_row"
LEARN_SR_COL = "learn.sr_patch_col"
LEARN_INPAINT_MASK = "learn.inpaint_mask"
LEARN_INPAINT_MISSING = "learn.inpaint_missing"
LEARN_INPAINT_SIGMA = "learn.inpaint_sigma"
LEARN_INPAINT_ROW = "learn.inpaint_row"
LEARN_INPAINT_PATCH_ROW = "learn.inpaint_patch_row"
LEARN_INPAINT_PATCH_COL = "learn.inpaint_patch_col"
LEARN_INPAINT_ITER = "learn.inpaint_pnp_iteration"


@dataclass(frozen=True)
class Section:
    """One section of the Learn page: a family of methods, or a task and the methods that solve it.

    Attributes
    ----------
    key : str
        Stable identifier (the radio button's value).
    title : str
        Heading and radio label.
    idea : str
        The idea in plain words (markdown).
    maths : tuple of str
        LaTeX formulas, one per line.
    where : str
        Where the family stands: strengths, limits, what the symbols mean.
    methods : tuple of str
        Registry names listed under "In this app" (empty: the methods of the family named ``key``).
    """

    key: str
    title: str
    idea: str
    maths: tuple[str, ...]
    where: str
    methods: tuple[str, ...] = ()


SECTIONS: tuple[Section, ...] = (
    Section(
        "filter", "Traditional filters",
        "Replace every pixel by a summary of its neighbourhood. The mean and Gaussian filters average, which "
        "removes noise and blurs edges alike; the median takes the middle value, which ignores outliers; the "
        "bilateral filter only averages neighbours of similar brightness, so edges survive; the adaptive "
        "Wiener filter smooths flat areas strongly and busy areas gently, using the local variance.",
        (r"\hat x_i = \frac{1}{|N_i|}\sum_{j \in N_i} y_j \quad\text{(mean)},\qquad "
         r"\hat x_i = \operatorname{median}\{y_j : j \in N_i\} \quad\text{(median)}",
         r"\hat x_i = \frac{\sum_j w_{ij}\, y_j}{\sum_j w_{ij}},\qquad "
         r"w_{ij} = e^{-\|i - j\|^2 / 2\sigma_s^2} \ \text{(Gaussian)},\qquad "
         r"w_{ij} = e^{-\|i - j\|^2 / 2\sigma_s^2}\, e^{-(y_i - y_j)^2 / 2\sigma_r^2} \ \text{(bilateral)}",
         r"\hat x_i = \mu_i + \frac{\max(\sigma_i^2 - \sigma^2, 0)}{\sigma_i^2}\,(y_i - \mu_i)"
         r"\quad\text{(adaptive Wiener; } \mu_i,\ \sigma_i^2 \text{ measured over } N_i\text{)}"),
        "Fast and predictable, but every filter trades noise for detail: none of them knows what an image "
        "looks like. N_i is the w x w window around pixel i; sigma_s is the registry's sigma_spatial, sigma_r "
        "its sigma_range (intensity width) and sigma the noise level.",
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
        "downsampling, each followed by the network (each round has its own copy of it, so each can specialise), "
        "all trained end to end on the task.",
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
        "the trained denoiser into that step gives a deep prior for any degradation, with no retraining. "
        "Unfolding goes one step further: a fixed number of such stages, whose denoiser, data weights alpha_t "
        "and denoiser levels beta_t are trained end to end on one task (`cnn_combined`).",
        (r"x_k = \arg\min_x \tfrac12\|A x - y\|^2 + \tfrac{1}{2\tau_k}\|x - z_{k-1}\|^2",
         r"z_k = D(x_k, \sigma_k),\qquad \tau_k = \sigma_k^2 / (\lambda \sigma^2)",
         r"\text{unfolded: } x_t = \arg\min_x \|S K x - y\|^2 + \alpha_t\,\|x - z_{t-1}\|^2,\qquad "
         r"z_t = D_\theta(x_t, \beta_t)"),
        "It joins the survey's variational and deep sections: the physics stays explicit, the prior is learned. "
        "sigma is the observation's noise level, sigma_k the level the denoiser is told at iteration k, and "
        "S K the blur followed by x2 subsampling.",
        ("pnp", "cnn_combined"),
    ),
    Section(
        "deblur", "Deblurring and deconvolution",
        "A blurred photo is the sharp image convolved with a kernel k -- the path of a shaking camera, the "
        "disk of an out-of-focus lens -- plus noise. In the Fourier domain a convolution is a product, so "
        "dividing by K looks like the whole answer. It is not: K is nearly zero at the frequencies the blur "
        "wiped out, and there the division multiplies the noise by enormous factors (the inverse filter). "
        "Every usable deconvolution is regularised. The Wiener filter divides only where the signal outweighs "
        "the noise; Richardson-Lucy climbs towards the data, coarse structure first and noise last, and is "
        "stopped early; TV deconvolution adds the prior that images are flat regions with sharp edges. Two "
        "artefacts are typical: ringing, ripples beside strong edges where boosted frequencies no longer "
        "cancel, and a frame of stripes along the border when the FFT treats the image as periodic.",
        (r"y = k * x + n \quad\Longleftrightarrow\quad Y(\omega) = K(\omega)\,X(\omega) + N(\omega),\qquad "
         r"\frac{Y}{K} = X + \frac{N}{K}\ \text{(inverse filter)}",
         r"\hat X(\omega) = \frac{\overline{K(\omega)}}{|K(\omega)|^2 + s\,\sigma^2 / S_x(\omega)}\,Y(\omega)"
         r"\quad\text{(Wiener; } S_x \propto 1/|\omega|^2,\ s \text{ = strength)}",
         r"x_{t+1} = \frac{x_t}{k^\top * 1}\cdot\Big(k^\top * \frac{y}{k * x_t}\Big)\quad\text{(Richardson-Lucy)}",
         r"\hat x = \arg\min_x \tfrac12\|k * x - y\|_2^2 + \lambda\,\mathrm{TV}(x)\quad\text{(TV deconvolution)}"),
        "All of them need the kernel (blind deblurring, which estimates k as well, is harder). Wiener is one "
        "FFT, instant and linear; Richardson-Lucy keeps values positive and suits photon noise, its iteration "
        "count is its regulariser; TV is slower and gives the cleanest edges; plug-and-play (its own section) "
        "swaps TV for the learned denoiser.",
        ("wiener_deconv", "richardson_lucy", "tv_deconv", "pnp"),
    ),
    Section(
        "sr", "Super-resolution",
        "A small image is a large one blurred and subsampled. Interpolation fills the new pixels with a "
        "weighted average of their neighbours: the weighting kernel decides the look (blocky, soft or crisp), "
        "but no kernel invents detail finer than the small image holds. Iterative back-projection uses the "
        "forward model: shrink the current guess as the camera would, compare with the input, enlarge the "
        "error and add it back, until the guess reproduces the input. Sparse-coding SR learns from example "
        "pairs which fine detail goes with which coarse pattern: two dictionaries share one sparse code, so a "
        "code found from the coarse features predicts the detail. The CNN learns the same mapping with far "
        "more parameters: it starts from the bicubic enlargement and predicts only the correction.",
        (r"y = D\,(k * x) + n\qquad (D\text{: bicubic downsampling by } s)",
         r"\hat x(u) = \sum_j w(u - j)\, y_j,\qquad w \in \{\text{box},\ \text{triangle},\ "
         r"\text{Keys cubic},\ \operatorname{sinc}(t)\operatorname{sinc}(t/3)\}",
         r"x_{t+1} = x_t + \eta\, U\big(y - D(k * x_t)\big)\quad\text{(back-projection, } "
         r"U \text{: bicubic enlargement, } \eta \text{: step)}",
         r"\hat\alpha_i = \arg\min_\alpha \|F_i - D_\ell\,\alpha\|^2\ \text{s.t.}\ \|\alpha\|_0 \le L,\qquad "
         r"\hat x = U y + \textstyle\sum_i R_i^\top D_h\hat\alpha_i \,/\, \text{overlaps}",
         r"\hat x_{\text{CNN}} = U y + f_\theta(U y, s)"),
        "Interpolation is instant; back-projection adds half a dB to a dB on clean inputs but feeds noise back; "
        "the learned methods add the most where the image resembles their training data. F_i are the "
        "derivative features of patch i of the bicubic enlargement, D_l and D_h the coupled dictionaries.",
        ("nearest", "bilinear", "bicubic", "lanczos", "back_projection", "sparse_sr", "tv_sr", "cnn_sr"),
    ),
    Section(
        "inpaint", "Inpainting",
        "Some pixels are missing: a mask M says which are known. The known pixels stay as they are; the only "
        "question is what to put into the holes. Biharmonic inpainting stretches the smoothest surface -- a "
        "thin elastic plate -- through the known pixels: it carries brightness and slope across a hole but "
        "blurs edges. TV inpainting prefers flat regions bounded by short edges, so it closes holes with "
        "sharp, cartoon-like fills. Sparse inpainting codes each patch with a few dictionary atoms fitted to "
        "its known pixels only; the atoms then say what the unknown pixels look like. Plug-and-play "
        "alternates two steps: put the observed pixels back into the current estimate, then run the learned "
        "denoiser over it, at a level that falls from iteration to iteration.",
        (r"y = M \odot x + n",
         r"\min_u \textstyle\sum_p (\Delta u)_p^2\ \text{ s.t. } u_p = y_p \text{ where } M_p = 1"
         r"\quad\Rightarrow\quad \Delta^2 u = 0 \text{ in the holes (biharmonic)}",
         r"\hat x = \arg\min_x \tfrac12\|M \odot (x - y)\|^2 + \lambda\,\mathrm{TV}(x)\quad\text{(TV)}",
         r"\hat\alpha_i = \arg\min_\alpha \|\alpha\|_0\ \text{ s.t. }\ \|M_i \odot (R_i y - D\alpha)\|^2 "
         r"\le (C\sigma)^2 n_i\quad\text{(sparse)}",
         r"x_k = \frac{M \odot y + z_{k-1} / \tau_k}{M + 1/\tau_k},\qquad z_k = D(x_k, \sigma_k)\quad\text{(PnP)}"),
        "Small, scattered holes are easy for all four; long thin ones (text, scribbles) need the edges "
        "continued; large ones need a prior that knows texture. R_i cuts out patch i and n_i counts its known "
        "pixels.",
        ("biharmonic", "tv_inpaint", "sparse", "pnp"),
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
        "assumes pixel-independent noise: JPEG-compressed noise breaks that assumption. The zero-shot denoiser "
        "(zs_denoise) trains a whole, tiny network on the one noisy image, from pairs it makes of it.",
    ),
)


# --------------------------------------------------------------------------- the demo image and its observations
#: Blur kernels of the deblurring section: label -> degradation step (``{boundary}`` filled in).
BLUR_KERNELS: dict[str, str] = {
    "motion, 9 px at 30 degrees": "motion_blur(length=9, angle=30, boundary={boundary})",
    "Gaussian, sigma 1.6 px": "gaussian_blur(sigma=1.6, boundary={boundary})",
    "defocus disk, radius 3 px": "defocus_blur(radius=3, boundary={boundary})",
}

#: Masks of the inpainting section: label -> degradation step (``{missing}`` filled in).
MASKS: dict[str, str] = {
    "random pixels": "random_mask(missing={missing:g})",
    "text": "text_mask(size=14)",
    "scribbles": "scribble_mask(strokes=6, width=4)",
    "square holes": "block_mask(size=16, count=4)",
}


def learn_image(size: int = IMAGE_SIZE) -> np.ndarray:
    """The gray demo image of the Learn page: the centre of the cameraman, ``size`` pixels square."""
    image = to_gray(load_gallery_image("cameraman"))
    image = downscale_to_max_pixels(image, 256 * 256)
    h, w = image.shape
    y0, x0 = max(0, (h - size) // 2 - 20), max(0, (w - size) // 2)
    return np.ascontiguousarray(image[y0 : y0 + size, x0 : x0 + size])


def _with_noise(steps: str, sigma: float) -> str:
    return f"{steps} | gaussian_noise(sigma={sigma:g})" if sigma > 0 else steps


def noisy_observation(sigma: float, seed: int = 0, size: int = IMAGE_SIZE) -> Observation:
    """The Learn page's image with Gaussian noise.

    Parameters
    ----------
    sigma : float
        Standard deviation of the noise in grey levels (white = 255).
    seed : int
        Seed of the noise.
    size : int
        Side of the image in pixels.

    Returns
    -------
    Observation
    """
    return degrade(learn_image(size), f"gaussian_noise(sigma={sigma:g})", seed=seed)


def blurred_observation(kernel: str, sigma: float, boundary: str = "reflect", *, seed: int = 0,
                        size: int = IMAGE_SIZE) -> Observation:
    """The demo image blurred, then noisy: the deblurring section's observation.

    Parameters
    ----------
    kernel : str
        A label of :data:`BLUR_KERNELS`.
    sigma : float
        Noise added after the blur, in grey levels (0: none).
    boundary : {"reflect", "wrap"}
        How the blur saw past the border: ``"reflect"`` (a photo: the scene goes on, mirrored here) or
        ``"wrap"`` (periodic, the one case a plain FFT inverts exactly).
    seed, size : int
        Seed of the noise; side of the image.

    Returns
    -------
    Observation
    """
    step = BLUR_KERNELS[kernel].format(boundary=boundary)
    return degrade(learn_image(size), _with_noise(step, sigma), seed=seed)


def lowres_observation(scale: int, sigma: float = 0.0, *, seed: int = 0, size: int = IMAGE_SIZE) -> Observation:
    """The demo image shrunk ``scale`` times (bicubic, anti-aliased), then noisy: the SR section's observation.

    Parameters
    ----------
    scale : int
        Shrinking factor per side.
    sigma : float
        Noise added to the small image, in grey levels (0: none).
    seed, size : int
        Seed of the noise; side of the large image.

    Returns
    -------
    Observation
    """
    return degrade(learn_image(size), _with_noise(f"downsample(scale={int(scale)})", sigma), seed=seed)


def combined_observation(sigma: float, *, seed: int = 0, size: int = IMAGE_SIZE) -> Observation:
    """The survey's combined degradation on the demo image: motion blur, x2 downsampling, noise of ``sigma``."""
    return degrade(learn_image(size), _with_noise("motion_blur(length=9, angle=30) | downsample(scale=2)", sigma),
                   seed=seed)


def masked_observation(mask: str, sigma: float = 0.0, *, missing: float = 0.5, seed: int = 0,
                       size: int = IMAGE_SIZE) -> Observation:
    """The demo image with pixels removed (and noise on the rest): the inpainting section's observation.

    Parameters
    ----------
    mask : str
        A label of :data:`MASKS`.
    sigma : float
        Noise on the known pixels, in grey levels (0: none).
    missing : float
        Share of pixels removed by the "random pixels" mask.
    seed, size : int
        Seed of the mask and the noise; side of the image.

    Returns
    -------
    Observation
    """
    step = MASKS[mask].format(missing=missing)
    return degrade(learn_image(size), _with_noise(step, sigma), seed=seed)


# --------------------------------------------------------------------------- images ready to show
def zoom(image: np.ndarray, width: int = PICTURE_PIXELS) -> np.ndarray:
    """Clip to [0, 1] and enlarge by whole-pixel repetition until the image is at least ``width`` pixels wide.

    The browser then only shrinks the picture to its display width, so a small array (a kernel, an atom, a
    patch) shows as sharp squares instead of being smoothly interpolated into a blur.

    Parameters
    ----------
    image : numpy.ndarray
        HxW or HxWxC array.
    width : int
        The width it will be shown at.

    Returns
    -------
    numpy.ndarray
        float32, each pixel repeated ``ceil(width / W)`` times along both axes.
    """
    arr = np.clip(np.asarray(image, dtype=np.float32), 0.0, 1.0)
    factor = max(1, math.ceil(width / max(arr.shape[1], 1)))
    return np.repeat(np.repeat(arr, factor, axis=0), factor, axis=1)


def signed_image(values: np.ndarray, scale: float) -> np.ndarray:
    """Show a signed array (a correction, a detail) as gray: mid-gray is 0, white is ``+scale``, black ``-scale``."""
    return np.clip(0.5 + np.asarray(values, dtype=np.float32) / (2.0 * max(float(scale), 1e-6)), 0.0, 1.0)


def error_image(reference: np.ndarray, image: np.ndarray, top: float = 0.2) -> np.ndarray:
    """The absolute error ``|image - reference|`` as gray: black is 0, white is ``top`` or more."""
    diff = np.abs(np.clip(np.asarray(image, np.float32), 0.0, 1.0) - np.asarray(reference, np.float32))
    return np.clip(diff / max(float(top), 1e-6), 0.0, 1.0)


def mark_missing(image: np.ndarray, mask: np.ndarray, colour: tuple[float, float, float] = (1.0, 0.15, 0.15)
                 ) -> np.ndarray:
    """A gray image as RGB with its missing pixels (``mask`` False) painted in ``colour``."""
    gray = np.clip(np.asarray(image, dtype=np.float32), 0.0, 1.0)
    rgb = np.dstack([gray] * 3) if gray.ndim == 2 else gray.copy()
    rgb[~np.asarray(mask, dtype=bool)] = colour
    return rgb


def busiest_row(mask: np.ndarray) -> int:
    """The row with the most missing pixels (where a profile through the holes says the most)."""
    return int(np.argmax((~np.asarray(mask, dtype=bool)).sum(axis=1)))


def edgiest_row(image: np.ndarray) -> int:
    """The row crossing the strongest edges (largest summed horizontal gradient), away from the top and bottom
    eighths (where border effects would mix in): where ringing shows best."""
    arr = np.asarray(image, dtype=np.float32)
    gray = arr if arr.ndim == 2 else arr.mean(axis=2)
    strength = np.abs(np.diff(gray, axis=1)).sum(axis=1)
    margin = gray.shape[0] // 8
    if margin:
        strength[:margin] = strength[-margin:] = -1.0
    return int(np.argmax(strength))


def feature_grid(features: np.ndarray, count: int = 16) -> np.ndarray:
    """Tile the first ``count`` feature maps (C x H x W) into one mosaic, each map stretched to [0, 1].

    Tiles are separated by a white line; pass the result through :func:`zoom` before showing it.
    """
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


# --------------------------------------------------------------------------- figures
_MARGIN = {"l": 40, "r": 10, "t": 40, "b": 40}


def energy_figure(energies: np.ndarray, title: str = "TV energy per iteration") -> go.Figure:
    """Line chart of an energy curve (log scale on the y axis when it spans decades)."""
    energies = np.asarray(energies, dtype=float)
    fig = go.Figure(go.Scatter(x=np.arange(1, len(energies) + 1), y=energies, mode="lines"))
    positive = energies[energies > 0]
    log = positive.size == energies.size and positive.size > 1 and positive.max() / positive.min() > 20
    fig.update_layout(title=title, xaxis_title="iteration", yaxis_title="E(x)", height=320,
                      margin=_MARGIN, yaxis_type="log" if log else "linear")
    return fig


def lines_figure(
    x: Sequence[float],
    series: Mapping[str, Sequence[float]],
    *,
    x_title: str,
    y_title: str = "PSNR (dB)",
    title: str = "",
    log_x: bool = False,
    marker: float | None = None,
    marker_text: str = "",
    secondary: Mapping[str, Sequence[float]] | None = None,
    secondary_title: str = "",
) -> go.Figure:
    """Curves against one knob, with the current setting marked by a dashed line.

    Parameters
    ----------
    x : sequence of float
        The knob's values.
    series : mapping
        Curve name -> values on the left axis.
    x_title, y_title, title : str
        Axis titles and chart title.
    log_x : bool
        Logarithmic knob axis.
    marker : float, optional
        The knob's current value (a vertical dashed line).
    marker_text : str
        Label of that line.
    secondary : mapping, optional
        Curves on a right-hand axis (dotted).
    secondary_title : str
        Title of the right-hand axis.
    """
    fig = go.Figure()
    for name, values in series.items():
        fig.add_trace(go.Scatter(x=list(x), y=list(values), mode="lines+markers", name=name))
    for name, values in (secondary or {}).items():
        fig.add_trace(go.Scatter(x=list(x), y=list(values), mode="lines+markers", name=name, yaxis="y2",
                                 line={"dash": "dot"}))
    if marker is not None:  # the label as its own annotation: on a log axis its x is in decades
        fig.add_vline(x=marker, line_dash="dash", line_color="gray")
        if marker_text:
            fig.add_annotation(x=math.log10(marker) if log_x else marker, y=1, yref="paper", text=marker_text,
                               showarrow=False, xanchor="left", yanchor="bottom")
    layout: dict = {
        "title": title or None, "height": 320, "margin": {**_MARGIN, "r": 50 if secondary else 10},
        "xaxis": {"title": x_title, "type": "log" if log_x else "linear"}, "yaxis": {"title": y_title},
        "legend": {"orientation": "h", "y": -0.25},
    }
    if log_x:  # ticks at the measured values, written out (plotly shortens 20, 50 to "2", "5" between decades)
        ticks = sorted({float(v) for v in x if v > 0})
        layout["xaxis"] |= ({"tickvals": ticks, "ticktext": [f"{v:g}" for v in ticks]} if len(ticks) <= 10
                            else {"dtick": 1})
    if secondary:
        layout["yaxis2"] = {"title": secondary_title, "overlaying": "y", "side": "right"}
    fig.update_layout(**layout)
    return fig


def profile_figure(curves: Mapping[str, np.ndarray], *, row: int, shade: np.ndarray | None = None,
                   title: str = "") -> go.Figure:
    """Brightness along one image row for several images (the clean one drawn thick and black).

    Parameters
    ----------
    curves : mapping
        Name -> the row's values.
    row : int
        The row's index (for the title).
    shade : numpy.ndarray, optional
        One bool per column: True columns (missing pixels) get a red band.
    title : str
        Chart title (default: the row).
    """
    fig = go.Figure()
    for name, values in curves.items():
        values = np.asarray(values, dtype=float)
        fig.add_trace(go.Scatter(x=np.arange(values.size), y=values, mode="lines", name=name,
                                 line={"width": 3 if name == "clean" else 1.5,
                                       "color": "black" if name == "clean" else None}))
    if shade is not None:
        missing = np.asarray(shade, dtype=bool)
        edges = np.flatnonzero(np.diff(np.concatenate([[0], missing.astype(np.int8), [0]])))
        for start, stop in zip(edges[::2], edges[1::2], strict=True):
            fig.add_vrect(x0=start - 0.5, x1=stop - 0.5, fillcolor="red", opacity=0.12, line_width=0)
    fig.update_layout(title=title or f"row {row}", xaxis_title="column (pixel)", yaxis_title="brightness",
                      height=320, margin=_MARGIN, legend={"orientation": "h", "y": -0.25})
    return fig


def kernels_figure(x: np.ndarray, kernels: Mapping[str, np.ndarray]) -> go.Figure:
    """The interpolation kernels ``w(x)`` against the distance in low-resolution pixels."""
    fig = go.Figure()
    for name, weights in kernels.items():
        fig.add_trace(go.Scatter(x=x, y=weights, mode="lines", name=name, line_shape="hv" if name == "nearest"
                                 else "linear"))
    fig.add_hline(y=0, line_color="gray", line_width=1)
    fig.update_layout(xaxis_title="distance x from the low-resolution pixel (pixels)", yaxis_title="weight w(x)",
                      height=320, margin=_MARGIN, legend={"orientation": "h", "y": -0.25},
                      xaxis={"dtick": 1})
    return fig


def bm3d_group_figure(image: np.ndarray, coords: np.ndarray, block: int, search_box: tuple[int, int, int, int]):
    """The image with the search window (blue, dashed) and the matched blocks (yellow; reference in red)."""
    fig = go.Figure(go.Heatmap(z=image, colorscale="gray", showscale=False,
                               hoverinfo="skip"))
    top, left, bottom, right = search_box
    fig.add_shape(type="rect", x0=left - 0.5, x1=right - 0.5, y0=top - 0.5, y1=bottom - 0.5,
                  line={"color": "#1f77b4", "dash": "dash", "width": 2})
    for i, (r, c) in enumerate(coords):
        fig.add_shape(type="rect", x0=c - 0.5, x1=c + block - 0.5, y0=r - 0.5, y1=r + block - 0.5,
                      line={"color": "red" if i == 0 else "yellow", "width": 2 if i == 0 else 1})
    fig.update_yaxes(autorange="reversed", scaleanchor="x", visible=False)
    fig.update_xaxes(visible=False)
    fig.update_layout(height=420, margin={"l": 0, "r": 0, "t": 10, "b": 0})
    return fig


def attention_figure(weights: np.ndarray) -> go.Figure:
    """Heatmap of channel-attention weights: one row per residual block (numbered from 1), one column per channel."""
    weights = np.asarray(weights)
    blocks, channels = weights.shape
    fig = go.Figure(go.Heatmap(z=weights, x=list(range(1, channels + 1)), y=list(range(1, blocks + 1)),
                               colorscale="Viridis", zmin=0, zmax=1, colorbar={"title": "weight"},
                               hovertemplate="block %{y}, channel %{x}: %{z:.2f}<extra></extra>"))
    fig.update_layout(xaxis_title="channel", yaxis_title="residual block", height=300,
                      yaxis={"dtick": 1}, margin={"l": 40, "r": 10, "t": 10, "b": 40})
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


def shipped_card(name: str) -> ModelCard:
    """The card of the shipped network ``name``, from the weights manifest (no torch; raises ``WeightsError``)."""
    return model_card(name)


_TASK_SHORT = {"denoise": "denoising", "sr": "super-resolution", "combined": "combined task"}
_TASK_WORDS = {**_TASK_SHORT, "combined": "the survey's combined degradation (motion blur, x2 downsampling, "
               "noise), restored in one go"}


def card_title(card: ModelCard) -> str:
    """One line for a card's header: the task, the size and the training it had."""
    task = _TASK_SHORT.get(card.task, card.task)
    colour = "" if card.task == "sr" else (" (colour)" if "channels=3" in card.architecture else " (gray)")
    steps = f", {card.total_steps:,} training steps" if card.total_steps is not None else ""
    params = f", {card.parameters / 1e6:.2f} M parameters" if card.parameters is not None else ""
    return f"{task}{colour}{params}{steps}"


def card_markdown(card: ModelCard) -> str:
    """A shipped network's card as Markdown: what it is, what it learned from, how long, where, chosen on what."""
    size = f", {card.megabytes:.1f} MB" if card.megabytes is not None else ""
    stored = f" (stored as {card.stored_as})" if card.stored_as != "float32" else ""
    params = f"{card.parameters:,} parameters" if card.parameters is not None else "parameters not recorded"
    total = f"{card.total_steps:,} optimisation steps" if card.total_steps is not None else "steps not recorded"
    runs = len(card.runs)
    history = total + (f" over {runs} runs, each starting from the weights the one before it kept" if runs > 1
                       else " in one run")
    minutes, timed = card.recorded_minutes
    if runs > 1 and timed:
        history += (f"; {minutes / 60:.1f} hours of training in all" if timed == runs else
                    f"; {minutes / 60:.1f} hours in the {timed} run{'s' if timed > 1 else ''} whose time was recorded")
    if card.minutes is None and card.machine == "not recorded":
        last = "The machine and time were not recorded then."
    else:
        took = f"{card.minutes:.0f} minutes" if card.minutes is not None else "time not recorded"
        last = f"The last run: {took}, on {card.machine}."
    task = _TASK_WORDS.get(card.task, card.task or "not recorded")
    lines = [
        f"- **Task:** {task}. **Network:** `{card.architecture}`: {params}{size}{stored}.",
        f"- **Trained on:** {card.data}.",
        f"- **Training:** {history}. {last}",
        f"- **Checkpoint chosen on:** {card.chosen_on}.",
    ]
    if card.chosen_on_report_set:
        lines.append("- **Caveat:** the checkpoint was chosen on a set that the benchmark report also quotes, "
                     "so the report's number on that set is not a score on unseen images.")
    return "\n".join(lines)


def reproduce_script(card: ModelCard) -> str:
    """The commands that remake a shipped network, oldest run first, each headed by a comment saying what it kept."""
    blocks = []
    for i, run in enumerate(card.runs, 1):
        kept = f"{run.steps:,} steps kept" if run.steps is not None else "steps not recorded"
        if run.minutes is not None:
            kept += f", {run.minutes:.0f} min" + (f" on {run.machine}" if run.machine else "")
        head = [f"# run {i} of {len(card.runs)}: {run.model}, {kept}"]
        head += [f"#   {line}" for line in _wrap(run.note)] if run.note else []
        blocks.append("\n".join([*head, run.command or "# (command not recorded)"]))
    return "\n\n".join(blocks)


def _wrap(text: str, width: int = 100) -> list[str]:
    return textwrap.wrap(text, width) or [text]
