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
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .classic.bm3d import BlockGroup, match_group
from .classic.sparse import Dictionary, PatchCode, load_dictionary, sparse_code_patch
from .classic.variational import data_term_for, tv_solve
from .classic.wavelet import WaveletSubbands, wavelet_subbands
from .observation import Observation
from .tuning import TuningResult, self_tune

if TYPE_CHECKING:  # the deep results are torch-free dataclasses, but their modules import torch
    from .deep.combined import UnfoldedTrace
    from .deep.pnp import PnPResult
    from .deep.runners import CNNInternals

__all__ = [
    "BlockGroup",
    "Dictionary",
    "Noise2SelfView",
    "PatchCode",
    "WaveletSubbands",
    "cnn_internals",
    "load_dictionary",
    "match_group",
    "noise2self",
    "pnp_trace",
    "sparse_code_patch",
    "tv_trace",
    "unfolded_trace",
    "wavelet_subbands",
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
