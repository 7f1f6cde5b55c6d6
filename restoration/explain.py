"""A look inside the algorithms: the public API of the Learn page.

Each function runs one method on a (small) image and returns its intermediate results, so a page, a notebook or
a lecture can show how the method works without reaching into the family modules. The classic ones are plain
numpy; the deep ones import torch on first call only, so ``import restoration.explain`` stays light.

Functions
---------
wavelet_subbands
    The wavelet coefficients of an image before and after thresholding, and the reconstruction.
tv_trace
    Total-variation restoration of an observation with the energy at every iteration.
match_group
    The block-matching step of BM3D: the blocks grouped with one reference block.
sparse_code_patch, load_dictionary
    Orthogonal matching pursuit of one patch over the shipped dictionary.
cnn_internals
    The gray denoiser's predicted noise, feature maps and channel-attention weights.
pnp_trace
    The iterates of plug-and-play half-quadratic splitting with a named denoiser prior.
unfolded_trace
    The shipped unfolded network's estimate after every data step and every prior step.
noise2self
    The masking behind self-supervised tuning, its loss curve, and (when the clean image is known) the true error.
filter_settings, filter_window_curve
    The knob that gives each traditional filter a window, and PSNR against the window width for all five filters.
blur_spectrum, wiener_boundary, border_psnr, richardson_lucy_trace
    Deconvolution: what a blur keeps of each frequency, the ringing frame of a periodic FFT against the mirrored
    extension, and Richardson-Lucy's estimate as the iterations go on.
interpolation_kernels, back_projection_trace, sparse_sr_patch, sr_correction
    Super-resolution: the interpolation kernels, back-projection step by step, one patch of sparse-coding SR,
    and what a method adds to the bicubic enlargement (the CNN's correction).
hole_psnr
    Inpainting: PSNR measured on the missing pixels only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .classic.bm3d import BlockGroup, match_group
from .classic.deconvolution import deconv_richardson_lucy, deconv_wiener
from .classic.sparse import Dictionary, PatchCode, load_dictionary, omp, sparse_code_patch
from .classic.superres import _dictionary_for, back_projection, feature_maps  # the nearest trained scale, as sparse_sr
from .classic.variational import data_term_for, tv_solve
from .classic.wavelet import WaveletSubbands, wavelet_subbands
from .colour import to_ycbcr
from .errors import ParameterError
from .metrics import psnr
from .noise import noise_level
from .observation import Observation
from .ops import imresize
from .physics import blur_downsample_mask, image_to_planes
from .tuning import TuningResult, self_tune

if TYPE_CHECKING:  # the deep results are torch-free dataclasses, but their modules import torch
    from .deep.combined import UnfoldedTrace
    from .deep.pnp import PnPResult
    from .deep.runners import CNNInternals

__all__ = [
    "FILTERS",
    "INTERPOLATIONS",
    "BlockGroup",
    "BoundaryView",
    "Correction",
    "Dictionary",
    "IterationTrace",
    "Noise2SelfView",
    "PatchCode",
    "SRPatchCode",
    "WaveletSubbands",
    "ZeroShotView",
    "back_projection_trace",
    "blur_spectrum",
    "border_psnr",
    "cnn_internals",
    "filter_settings",
    "filter_window_curve",
    "hole_psnr",
    "interpolation_kernels",
    "load_dictionary",
    "match_group",
    "noise2self",
    "pnp_trace",
    "richardson_lucy_trace",
    "sparse_code_patch",
    "sparse_sr_patch",
    "sr_correction",
    "tv_trace",
    "unfolded_trace",
    "wavelet_subbands",
    "wiener_boundary",
    "zero_shot_trace",
]


def tv_trace(observation: Observation, lam: float, *, iterations: int = 150) -> tuple[np.ndarray, list[float]]:
    """Total-variation restoration of ``observation`` with its energy at every iteration.

    Minimises ``E(x) = D(x) + lam * TV(x)``, where the data term ``D`` matches the observation's degradation
    (denoising, deblurring, super-resolution or inpainting), for exactly ``iterations`` steps.

    Parameters
    ----------
    observation : Observation
        What to restore.
    lam : float
        Regularisation weight: larger gives flatter, cartoon-like regions.
    iterations : int
        Number of solver iterations (no early stop, so the whole energy curve is returned).

    Returns
    -------
    image : numpy.ndarray
        The result on the output grid (not clipped).
    energies : list of float
        ``E(x_k)`` after every iteration.
    """
    data = data_term_for(observation)
    x, energies = tv_solve(data, lam, iterations=iterations, tol=0.0)
    return data.to_image(x), list(energies)


def cnn_internals(image: np.ndarray, sigma: float) -> CNNInternals:
    """Run the shipped gray denoiser on a small gray image and keep what happens inside.

    Parameters
    ----------
    image : numpy.ndarray
        A noisy gray image, float in [0, 1].
    sigma : float
        Its noise level on the 0-255 scale (the network's noise-level map).

    Returns
    -------
    CNNInternals
        Output, predicted noise, the feature maps after each residual block, the channel-attention weights, the
        parameter count and a one-line description of each layer.
    """
    from .deep.runners import explain_cnn

    return explain_cnn(image, sigma)


def pnp_trace(observation: Observation, denoiser: str = "cnn_denoise", *, iterations: int = 8) -> PnPResult:
    """Plug-and-play half-quadratic splitting on ``observation``, keeping every iterate.

    Parameters
    ----------
    observation : Observation
        A denoising, deblurring, super-resolution or inpainting observation.
    denoiser : str
        The prior, by registry name (one of :data:`restoration.specs.PRIORS`; default the shipped CNN).
    iterations : int
        Number of alternations of the data step and the denoiser.

    Returns
    -------
    PnPResult
        The result, the iterates and the denoiser level used at each iteration.
    """
    from .deep.pnp import pnp_hqs
    from .registry import denoiser as as_prior

    return pnp_hqs(observation, as_prior(denoiser), iterations=iterations, record=True)


def unfolded_trace(observation: Observation, sigma: float | None = None) -> UnfoldedTrace:
    """The shipped unfolded network (``cnn_combined``) stage by stage on a small combined observation.

    Parameters
    ----------
    observation : Observation
        Motion blur, x2 downsampling and Gaussian noise, as the network was trained on.
    sigma : float, optional
        Noise level on the 0-255 scale; by default the observation's, or estimated.

    Returns
    -------
    UnfoldedTrace
        The estimate after each data step and each prior step, with the learned weights of each stage.
    """
    from .deep.upscale import trace_combined

    return trace_combined(observation, sigma)


@dataclass(frozen=True)
class Noise2SelfView:
    """What self-supervised tuning does, step by step (see :func:`noise2self`).

    Attributes
    ----------
    hidden : numpy.ndarray
        Boolean mask of the pixels hidden for the loss (one in ``stride`` x ``stride``).
    filled : numpy.ndarray
        The noisy image with those pixels replaced by the mean of their four neighbours (what the denoiser sees).
    tuning : TuningResult
        The knob values tried, their self-supervised losses and the choice.
    true_mse : tuple of float or None
        The mean squared error against the clean image of each value (only for teaching: never used to choose).
    """

    hidden: np.ndarray
    filled: np.ndarray
    tuning: TuningResult
    true_mse: tuple[float, ...] | None


def noise2self(observation: Observation, method: str = "tv", *, stride: int = 4) -> Noise2SelfView:
    """Self-supervised (Noise2Self) tuning of ``method`` on ``observation``, with what it hides and sees.

    Parameters
    ----------
    observation : Observation
        A noisy image (its clean image, when known, is used only for :attr:`Noise2SelfView.true_mse`).
    method : str
        A self-tunable method (:data:`restoration.tuning.TUNABLE`).
    stride : int
        Spacing of the hidden grid.

    Returns
    -------
    Noise2SelfView
    """
    from scipy import ndimage

    from .observation import Observation as Obs
    from .registry import run_algorithm

    noisy = np.asarray(observation.degraded, dtype=np.float64)
    gray = noisy if noisy.ndim == 2 else noisy.mean(axis=2)
    hidden = np.zeros(gray.shape, dtype=bool)
    offset = stride // 2
    hidden[offset::stride, offset::stride] = True
    cross = np.array([[0.0, 0.25, 0.0], [0.25, 0.0, 0.25], [0.0, 0.25, 0.0]])
    if noisy.ndim == 2:
        neighbours = ndimage.convolve(noisy, cross, mode="mirror")
    else:
        neighbours = np.stack([ndimage.convolve(noisy[..., c], cross, mode="mirror")
                               for c in range(noisy.shape[2])], axis=-1)
    filled = noisy.copy()
    filled[hidden] = neighbours[hidden]
    blind = Obs(degraded=observation.degraded, sigma=None, noise=observation.noise)  # the truth stays out
    tuning = self_tune(method, blind)
    true_mse = None
    if observation.clean is not None:
        clean = np.asarray(observation.clean, dtype=np.float64)
        true_mse = tuple(float(np.mean((run_algorithm(method, blind, {tuning.knob: v}) - clean) ** 2))
                         for v in tuning.values)
    return Noise2SelfView(hidden=hidden, filled=filled.astype(np.float32), tuning=tuning, true_mse=true_mse)


# --------------------------------------------------------------------------- shared helpers
def _clean_of(observation: Observation, purpose: str) -> np.ndarray:
    """The observation's clean image, or a ParameterError saying why it is needed."""
    if observation.clean is None:
        raise ParameterError(f"{purpose} needs the clean image (an observation made by restoration.degrade)")
    return np.asarray(observation.clean, dtype=np.float32)


def _whole(value: Any, name: str, low: int, high: int) -> int:
    """``value`` as an int in ``[low, high]``, or a ParameterError naming ``name``."""
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        raise ParameterError(f"{name} must be a whole number, not {value!r}") from None
    if number != value or not low <= number <= high:
        raise ParameterError(f"{name} must be a whole number from {low} to {high}, not {value!r}")
    return number


def _positive(value: Any, name: str, high: float) -> float:
    """``value`` as a finite float in ``(0, high]``, or a ParameterError naming ``name``."""
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise ParameterError(f"{name} must be a number, not {value!r}") from None
    if not (np.isfinite(number) and 0.0 < number <= high):
        raise ParameterError(f"{name} must be above 0 and at most {high:g}, not {value!r}")
    return number


def _psnr_or_none(clean: np.ndarray | None, image: np.ndarray) -> float | None:
    if clean is None or clean.shape != image.shape:
        return None
    return float(psnr(clean, np.clip(image, 0.0, 1.0)))


@dataclass(frozen=True)
class IterationTrace:
    """An iterative method's estimate after chosen numbers of steps (a look inside its convergence).

    Attributes
    ----------
    steps : tuple of int
        The step counts, increasing.
    images : tuple of numpy.ndarray
        The estimate after each count (not clipped).
    psnr : tuple of float or None
        PSNR of each estimate against the clean image, when the observation has one.
    residual : tuple of float or None
        Root-mean-square misfit ``||A x - y||`` to the observation, on the 0-255 scale, where the method
        computes it (back-projection drives it to zero).
    """

    steps: tuple[int, ...]
    images: tuple[np.ndarray, ...]
    psnr: tuple[float, ...] | None
    residual: tuple[float, ...] | None = None


# --------------------------------------------------------------------------- traditional filters
#: The five traditional filters, in the order the Learn page shows them.
FILTERS: tuple[str, ...] = ("mean", "median", "gaussian", "bilateral", "wiener_filter")


def filter_settings(name: str, window: int, sigma: float | None = None) -> dict[str, Any]:
    """The parameters that give one traditional filter a neighbourhood ``window`` pixels wide.

    The mean, median and adaptive Wiener filters take the window as their ``size``. The Gaussian and bilateral
    filters weight their neighbours by a bell of width ``sigma_spatial``; ``sigma_spatial = window / 4`` puts
    two standard deviations on each side inside the window, so the five filters compare at one scale. A wider
    window removes more noise and more detail.

    Parameters
    ----------
    name : str
        One of :data:`FILTERS`.
    window : int
        Odd window width in pixels, 3 to 15.
    sigma : float, optional
        Noise level on the 0-255 scale, given to the adaptive Wiener filter (which subtracts it from the local
        variance); None lets it use the observation's level.

    Returns
    -------
    dict
        Parameters for :func:`restoration.run_algorithm`; the others keep their defaults.

    Raises
    ------
    ParameterError
        For an unknown filter or a window that is not an odd whole number from 3 to 15.
    """
    if name not in FILTERS:
        raise ParameterError(f"{name!r} is not a traditional filter (one of: {', '.join(FILTERS)})")
    width = _whole(window, "window", 3, 15)
    if width % 2 == 0:
        raise ParameterError(f"window must be odd (a centre pixel and the same reach on each side), not {width}")
    if name in ("mean", "median"):
        return {"size": width}
    if name in ("gaussian", "bilateral"):
        return {"sigma_spatial": width / 4.0}
    settings: dict[str, Any] = {"size": width}
    if sigma is not None and sigma > 0:
        settings["sigma"] = float(sigma)
    return settings


def filter_window_curve(
    observation: Observation, windows: Sequence[int], *, filters: Sequence[str] = FILTERS
) -> dict[str, list[float]]:
    """PSNR of each traditional filter against the window width (the noise-detail trade-off as a curve).

    Parameters
    ----------
    observation : Observation
        A noisy observation with its clean image.
    windows : sequence of int
        Odd window widths, 3 to 15 (see :func:`filter_settings`).
    filters : sequence of str
        Names from :data:`FILTERS`.

    Returns
    -------
    dict
        Filter name -> PSNR in dB for each window, in the order given.

    Raises
    ------
    ParameterError
        Without a clean image, or for a bad filter name or window.
    """
    from .registry import run_algorithm

    clean = _clean_of(observation, "a PSNR curve")
    sigma = observation.sigma
    return {name: [float(psnr(clean, run_algorithm(name, observation, filter_settings(name, w, sigma))))
                   for w in windows] for name in filters}


# --------------------------------------------------------------------------- deblurring
def _kernel_of(observation: Observation) -> np.ndarray:
    kernel = observation.kernel
    if kernel is None or np.asarray(kernel).size <= 1:
        raise ParameterError("this look inside needs a blurred observation (one with a blur kernel)")
    return np.asarray(kernel, dtype=np.float32)


def blur_spectrum(kernel: np.ndarray, size: int = 64) -> np.ndarray:
    """How much of each spatial frequency a blur keeps: ``|K(w)|``, zero frequency in the centre.

    Blurring multiplies the image's Fourier transform by ``K``; where ``|K|`` is near zero that frequency is
    lost, and dividing by it (the inverse filter) multiplies the noise there by a huge number. A motion blur has
    dark stripes across the direction of motion, a Gaussian blur a smooth dark surround.

    Parameters
    ----------
    kernel : numpy.ndarray
        2-D blur kernel.
    size : int
        Side of the frequency grid (at least the kernel's size is used).

    Returns
    -------
    numpy.ndarray
        ``size x size`` float32 array in [0, 1] (1 = kept entirely).
    """
    k = np.asarray(kernel, dtype=np.float64)
    if k.ndim != 2 or k.size == 0 or not np.all(np.isfinite(k)):
        raise ParameterError("the kernel must be a non-empty, finite 2-D array")
    n = max(_whole(size, "size", 1, 1024), *k.shape)
    big = np.zeros((n, n))
    big[: k.shape[0], : k.shape[1]] = k
    big = np.roll(big, (-(k.shape[0] // 2), -(k.shape[1] // 2)), axis=(0, 1))
    magnitude = np.abs(np.fft.fftshift(np.fft.fft2(big)))
    peak = float(magnitude.max())
    return (magnitude / peak if peak > 0 else magnitude).astype(np.float32)


@dataclass(frozen=True)
class BoundaryView:
    """Wiener deconvolution of one observation under two border models (see :func:`wiener_boundary`).

    Attributes
    ----------
    periodic : numpy.ndarray
        The plain FFT result: the image is treated as periodic, so its left edge meets its right edge.
    extended : numpy.ndarray
        The result on the mirrored, tapered extension (what the registry's ``wiener_deconv`` does).
    strength : float
        The multiplier of the noise-to-signal ratio used.
    sigma : float
        The noise level used (0-255 scale).
    """

    periodic: np.ndarray
    extended: np.ndarray
    strength: float
    sigma: float


def wiener_boundary(observation: Observation, *, strength: float = 0.1, regulariser: str = "gradient") -> BoundaryView:
    """Wiener deconvolution with and without a border model: the boundary effect, side by side.

    The FFT assumes the image repeats: its right edge continues at its left edge. A photograph does not, so the
    deconvolution explains the jump at the seam as sharp detail that the blur smeared across the border, and a
    frame of stripes appears along the edges. Mirroring the image outwards and tapering the margin removes the
    seam (:func:`restoration.physics.extend_and_taper`).

    Parameters
    ----------
    observation : Observation
        A blurred (and possibly noisy) observation with its kernel.
    strength : float
        Multiplies the noise-to-signal ratio ``NSR``: larger is smoother, smaller sharper and noisier (about 0
        is the plain inverse filter ``Y / K``).
    regulariser : {"gradient", "laplacian", "flat"}
        The signal model behind ``NSR`` (see :func:`restoration.classic.deconvolution.deconv_wiener`).

    Returns
    -------
    BoundaryView
    """
    kernel = _kernel_of(observation)
    level = _positive(strength, "strength", 1000.0)
    if regulariser not in ("gradient", "laplacian", "flat"):
        raise ParameterError(f"regulariser must be 'gradient', 'laplacian' or 'flat', not {regulariser!r}")
    sigma = noise_level(observation, floor=0.5)
    y = np.asarray(observation.degraded, dtype=np.float32)
    runs = {b: deconv_wiener(y, kernel, sigma=sigma, regulariser=regulariser, strength=level,  # type: ignore[arg-type]
                             boundary=b) for b in ("wrap", "reflect")}
    return BoundaryView(periodic=runs["wrap"], extended=runs["reflect"], strength=level, sigma=float(sigma))


def border_psnr(reference: np.ndarray, image: np.ndarray, width: int = 8) -> tuple[float, float]:
    """PSNR on a frame of ``width`` pixels along the border and on the rest, separately.

    Parameters
    ----------
    reference, image : numpy.ndarray
        Same-shaped images (``image`` is clipped to [0, 1]).
    width : int
        Width of the frame in pixels.

    Returns
    -------
    (float, float)
        PSNR in dB on the frame and inside it.
    """
    ref = np.asarray(reference, dtype=np.float64)
    est = np.clip(np.asarray(image, dtype=np.float64), 0.0, 1.0)
    if ref.shape != est.shape:
        raise ParameterError(f"the images differ in shape: {ref.shape} and {est.shape}")
    w = _whole(width, "width", 1, max(1, (min(ref.shape[:2]) - 1) // 2))
    inside = np.zeros(ref.shape[:2], dtype=bool)
    inside[w:-w, w:-w] = True

    def db(region: np.ndarray) -> float:
        mse = float(np.mean((ref[region] - est[region]) ** 2))
        return float("inf") if mse == 0 else 10.0 * float(np.log10(1.0 / mse))

    return db(~inside), db(inside)


def _steps(steps: Sequence[int], high: int) -> tuple[int, ...]:
    counts = sorted({_whole(n, "a step count", 1, high) for n in steps})
    if not counts:
        raise ParameterError("give at least one step count")
    return tuple(counts)


def richardson_lucy_trace(observation: Observation, steps: Sequence[int] = (1, 3, 10, 30, 100)) -> IterationTrace:
    """Richardson-Lucy deconvolution stopped after each of ``steps`` iterations.

    RL recovers the coarse structure first and the fine detail later; on noisy data the late iterations amplify
    the noise, so the PSNR rises, peaks and falls again (semi-convergence): the iteration count is the
    regulariser. Each count is a fresh run, so the cost is the sum of ``steps``.

    Parameters
    ----------
    observation : Observation
        A blurred observation with its kernel.
    steps : sequence of int
        Iteration counts, 1 to 1000.

    Returns
    -------
    IterationTrace
        The estimates and, with a clean image, their PSNR.
    """
    kernel = _kernel_of(observation)
    counts = _steps(steps, 1000)
    y = np.asarray(observation.degraded, dtype=np.float32)
    images = tuple(deconv_richardson_lucy(y, kernel, iterations=n) for n in counts)
    clean = None if observation.clean is None else np.asarray(observation.clean, dtype=np.float32)
    scores = [_psnr_or_none(clean, im) for im in images]
    return IterationTrace(steps=counts, images=images,
                          psnr=None if any(s is None for s in scores) else tuple(float(s) for s in scores))  # type: ignore[arg-type]


# --------------------------------------------------------------------------- super-resolution
#: The interpolation methods, from the crudest kernel to the widest.
INTERPOLATIONS: tuple[str, ...] = ("nearest", "bilinear", "bicubic", "lanczos")


def interpolation_kernels(
    methods: Sequence[str] = INTERPOLATIONS, *, radius: int = 4, samples: int = 15
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The weight ``w(x)`` each interpolation gives a low-resolution pixel at distance ``x``.

    Measured, not drawn: a row with one bright pixel is enlarged ``samples`` times by the app's own resizer
    (:func:`restoration.ops.imresize`), and the enlarged row is that method's kernel sampled every
    ``1 / samples`` pixel. Box (nearest), triangle (bilinear), Keys' cubic (negative lobes: sharper) and
    Lanczos-3 (more lobes: sharper still, with slight ringing).

    Parameters
    ----------
    methods : sequence of str
        Names from :data:`INTERPOLATIONS`.
    radius : int
        Distances from ``-radius`` to ``radius`` low-resolution pixels.
    samples : int
        Samples per pixel.

    Returns
    -------
    x : numpy.ndarray
        Distances in low-resolution pixels.
    kernels : dict
        Method -> weights at ``x``.
    """
    reach = _whole(radius, "radius", 3, 32)
    per_pixel = _whole(samples, "samples", 2, 64)
    for name in methods:
        if name not in INTERPOLATIONS:
            raise ParameterError(f"{name!r} is not an interpolation (one of: {', '.join(INTERPOLATIONS)})")
    n = 2 * reach + 1
    impulse = np.zeros((1, n), dtype=np.float64)
    impulse[0, reach] = 1.0
    out_len = n * per_pixel
    u = np.arange(1, out_len + 1) / per_pixel + 0.5 * (1.0 - 1.0 / per_pixel)  # imresize's sample positions
    x = u - (reach + 1)
    kernels = {m: np.asarray(imresize(impulse, output_shape=(1, out_len), method=m), dtype=np.float64)[0]  # type: ignore[arg-type]
               for m in methods}
    return x, kernels


def _low_resolution(observation: Observation) -> int:
    scale = int(observation.scale)
    if scale < 2:
        raise ParameterError("this look inside needs a downsampled observation (scale 2 or more)")
    return scale


def back_projection_trace(observation: Observation, *, iterations: int = 20, step: float = 1.0) -> IterationTrace:
    """Iterative back-projection one step at a time, with its fit to the observation and its PSNR.

    Starting from the bicubic enlargement ``x_0``, each step simulates the observation ``A x`` (blur when known,
    then the pipeline's bicubic downsampling), enlarges the error and adds it back:
    ``x <- x + step * U(y - A x)``. The misfit ``||A x - y||`` falls towards zero -- the result reproduces the
    input -- while the PSNR against the truth saturates, and with noise it falls: the noise is fitted too.

    Parameters
    ----------
    observation : Observation
        A downsampled observation.
    iterations : int
        Number of steps, 0 to 200.
    step : float
        Fraction of the enlarged error added back, (0, 2].

    Returns
    -------
    IterationTrace
        Steps 0 (bicubic) to ``iterations``, the estimates, their PSNR (with a clean image) and the misfit.
    """
    scale = _low_resolution(observation)
    count = _whole(iterations, "iterations", 0, 200)
    rate = _positive(step, "step", 2.0)
    y = np.asarray(observation.degraded, dtype=np.float32)
    h, w = y.shape[:2]
    kernel = observation.kernel if observation.kernel is not None and observation.kernel.size > 1 else None
    forward, _ = blur_downsample_mask((h * scale, w * scale), kernel, scale, None, observation.boundary)
    target = image_to_planes(y)

    def misfit(x: np.ndarray) -> float:
        return float(np.sqrt(np.mean((forward(image_to_planes(x)) - target) ** 2)) * 255.0)

    x = back_projection(y, scale, kernel=kernel, boundary=observation.boundary, iterations=0)
    images = [x]
    for _ in range(count):
        x = back_projection(y, scale, kernel=kernel, boundary=observation.boundary, iterations=1, step=rate,
                            start=x)
        images.append(x)
    clean = None if observation.clean is None else np.asarray(observation.clean, dtype=np.float32)
    scores = [_psnr_or_none(clean, im) for im in images]
    return IterationTrace(
        steps=tuple(range(count + 1)), images=tuple(images),
        psnr=None if any(s is None for s in scores) else tuple(float(s) for s in scores),  # type: ignore[arg-type]
        residual=tuple(misfit(im) for im in images),
    )


@dataclass(frozen=True)
class Correction:
    """What a super-resolution method adds to the bicubic enlargement (see :func:`sr_correction`).

    Attributes
    ----------
    bicubic : numpy.ndarray
        The bicubic enlargement, in [0, 1].
    output : numpy.ndarray
        The method's result, in [0, 1].
    correction : numpy.ndarray
        ``output - bicubic``: the detail the method put back (positive: brighter than bicubic).
    """

    bicubic: np.ndarray
    output: np.ndarray
    correction: np.ndarray


def sr_correction(
    observation: Observation, method: str = "cnn_sr", params: Mapping[str, Any] | None = None
) -> Correction:
    """A super-resolution method's result and its correction to the bicubic enlargement.

    ``cnn_sr`` enlarges bicubically and then predicts the detail bicubic missed, so its correction is exactly
    what the network learned; for back-projection or sparse SR it shows what the forward model or the coupled
    dictionary put back.

    Parameters
    ----------
    observation : Observation
        A downsampled observation.
    method : str
        A registered super-resolution method.
    params : mapping, optional
        Its parameters (missing ones take their defaults).

    Returns
    -------
    Correction
    """
    from .registry import run_algorithm

    _low_resolution(observation)
    bicubic = run_algorithm("bicubic", observation)
    output = run_algorithm(method, observation, params)
    return Correction(bicubic=bicubic, output=output, correction=output - bicubic)


@dataclass(frozen=True)
class SRPatchCode:
    """One patch of sparse-coding super-resolution, opened up (see :func:`sparse_sr_patch`).

    Attributes
    ----------
    indices : numpy.ndarray
        The atoms OMP chose, in the order it picked them.
    coefficients : numpy.ndarray
        Their weights in the shared code ``a``.
    bicubic : numpy.ndarray
        The ``p x p`` patch of the bicubic enlargement (luma).
    detail : numpy.ndarray
        The predicted missing detail ``D_h a``.
    true_detail : numpy.ndarray or None
        The detail bicubic really missed (clean minus bicubic), when the clean image is known.
    atoms : numpy.ndarray
        ``(k, p, p)`` detail atoms (columns of ``D_h``) of the chosen indices.
    scale : int
        The scale the coupled dictionary was trained for.
    """

    indices: np.ndarray
    coefficients: np.ndarray
    bicubic: np.ndarray
    detail: np.ndarray
    true_detail: np.ndarray | None
    atoms: np.ndarray
    scale: int


def sparse_sr_patch(observation: Observation, y: int, x: int, *, atoms: int | None = None) -> SRPatchCode:
    """Code one patch of the bicubic enlargement over the coupled dictionary, as ``sparse_sr`` does.

    The patch's features (first and second derivatives of the bicubic enlargement, reduced by PCA) are coded
    with a few atoms of the feature dictionary ``D_l``; the same code over the detail dictionary ``D_h``
    predicts the detail bicubic missed. ``sparse_sr`` does this for every patch and averages the overlaps.

    Parameters
    ----------
    observation : Observation
        A downsampled observation (colour images use their luma).
    y, x : int
        Top-left corner of the patch on the enlarged grid.
    atoms : int, optional
        Atoms per patch (default: as the dictionary was trained).

    Returns
    -------
    SRPatchCode
    """
    scale = _low_resolution(observation)
    dico = _dictionary_for(scale)
    lr = np.asarray(observation.degraded, dtype=np.float32)
    luma = to_ycbcr(lr)[..., 0].astype(np.float32) if lr.ndim == 3 else lr
    h, w = luma.shape
    mid = np.asarray(imresize(luma, output_shape=(h * scale, w * scale)), dtype=np.float32)
    p = dico.patch_size
    top = _whole(y, "patch row", 0, mid.shape[0] - p)
    left = _whole(x, "patch column", 0, mid.shape[1] - p)
    n_atoms = dico.atoms_per_patch if atoms is None else _whole(atoms, "atoms", 1, dico.low.shape[1])
    window = (slice(top, top + p), slice(left, left + p))
    features = np.concatenate([m[window].reshape(-1) for m in feature_maps(mid)])[None]
    codes = omp(dico.low, features @ dico.projection, max_atoms=n_atoms)
    used = codes.indices[0] >= 0
    indices = codes.indices[0][used].astype(np.int64)
    detail = codes.reconstruct(dico.high)[0].reshape(p, p)
    true_detail = None
    if observation.clean is not None:
        clean = np.asarray(observation.clean, dtype=np.float32)
        clean_luma = to_ycbcr(clean)[..., 0].astype(np.float32) if clean.ndim == 3 else clean
        if clean_luma.shape == mid.shape:
            true_detail = clean_luma[window] - mid[window]
    return SRPatchCode(indices=indices, coefficients=codes.coefficients[0][used].astype(np.float64),
                       bicubic=mid[window].copy(), detail=detail, true_detail=true_detail,
                       atoms=dico.high[:, indices].T.reshape(-1, p, p).copy(), scale=dico.scale)


# --------------------------------------------------------------------------- inpainting
def hole_psnr(observation: Observation, image: np.ndarray) -> float:
    """PSNR on the missing pixels only: how well a method invented what was lost.

    The known pixels are copied by every inpainting method, so the whole-image PSNR mostly measures how much is
    missing; this one compares the methods where they differ.

    Parameters
    ----------
    observation : Observation
        An inpainting observation with its clean image and mask.
    image : numpy.ndarray
        A restored image of the clean image's shape (clipped to [0, 1]).

    Returns
    -------
    float
        PSNR in dB over the missing pixels.
    """
    clean = np.asarray(_clean_of(observation, "the PSNR on the holes"), dtype=np.float64)
    if observation.mask is None:
        raise ParameterError("the PSNR on the holes needs an observation with missing pixels (a mask)")
    est = np.clip(np.asarray(image, dtype=np.float64), 0.0, 1.0)
    missing = ~np.asarray(observation.mask, dtype=bool)
    if est.shape != clean.shape or missing.shape != clean.shape[:2]:
        raise ParameterError(f"the image's shape {est.shape} does not match the observation's {clean.shape}")
    if not missing.any():
        raise ParameterError("no pixel is missing")
    mse = float(np.mean((est[missing] - clean[missing]) ** 2))
    return float("inf") if mse == 0 else 10.0 * float(np.log10(1.0 / mse))


@dataclass(frozen=True)
class ZeroShotView:
    """What the zero-shot network saw and learned on one noisy image (:func:`zero_shot_trace`).

    Attributes
    ----------
    pair : tuple of numpy.ndarray
        One pair of half-size images it trains on: in every 2x2 block a random pixel, and one of its neighbours
        there (a new pair is drawn at every step).
    losses : tuple of float
        Its training loss at every step (on the noisy pairs; it never sees a clean image).
    snapshots : tuple of (int, numpy.ndarray)
        The denoised image after a few numbers of steps (step, image), the last one the result.
    result : numpy.ndarray
        The final result, clipped to [0, 1].
    """

    pair: tuple[np.ndarray, np.ndarray]
    losses: tuple[float, ...]
    snapshots: tuple[tuple[int, np.ndarray], ...]
    result: np.ndarray


def zero_shot_trace(observation: Observation, *, iterations: int = 150, seed: int = 0) -> ZeroShotView:
    """Train the zero-shot denoiser (``zs_denoise``) on ``observation`` and keep what it saw along the way.

    Parameters
    ----------
    observation : Observation
        A noisy image (its clean image is not used).
    iterations : int
        Training steps (a few seconds per hundred on a small image).
    seed : int
        Seed of the network's initialisation.

    Returns
    -------
    ZeroShotView

    Raises
    ------
    ParameterError
        For fewer than 10 steps or an image under ``MIN_SIDE`` (12) pixels on a side.
    """
    from .deep.zeroshot import MIN_SIDE, TrainingTrace, zs_denoise

    if int(iterations) < 10:
        raise ParameterError(f"the zero-shot network needs at least 10 training steps, got {iterations}")
    if min(observation.degraded.shape[:2]) < MIN_SIDE:
        raise ParameterError(f"the zero-shot network needs an image of at least {MIN_SIDE}x{MIN_SIDE} pixels")
    trace = TrainingTrace()
    out = zs_denoise(observation.degraded, iterations=int(iterations), seed=int(seed), trace=trace)
    assert trace.pair is not None
    return ZeroShotView(
        pair=(np.asarray(trace.pair[0], np.float32), np.asarray(trace.pair[1], np.float32)),
        losses=tuple(trace.losses),
        snapshots=tuple((int(k), np.clip(img, 0.0, 1.0).astype(np.float32)) for k, img in trace.snapshots),
        result=np.clip(out, 0.0, 1.0).astype(np.float32),
    )
