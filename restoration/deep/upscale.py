"""Registry runners of the networks that enlarge: ``cnn_sr`` (bicubic SR) and ``cnn_combined`` (the survey's task).

* ``cnn_sr`` is an :class:`~restoration.deep.archs.denoiser.AttentionDenoiser` with ``unshuffle=4``
  trained by ``python -m restoration train --task sr``. The low-resolution input is first enlarged by
  MATLAB's bicubic interpolation (:func:`restoration.ops.imresize`); the network predicts the
  detail that interpolation misses, working on 4x4 folded blocks so that its cost stays close to that
  of the small input. It works on the luma (Y of YCbCr, BT.601) as the SR literature does; the chroma
  channels are enlarged bicubically. One model covers x2, x3 and x4: the scale is its conditioning map.
* ``cnn_combined`` is the unfolded network of :mod:`restoration.deep.archs.unfolded`, trained by
  ``python -m restoration train --task combined``: exact data steps with the observation's own blur
  kernel and downsampling, alternating with a learned prior, end to end. It is told the kernel and the
  noise level (known, or estimated in blind mode).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..colour import from_ycbcr, to_ycbcr
from ..errors import ParameterError
from ..noise import estimate_noise_sigma, noise_level
from ..observation import Observation
from ..ops import imresize
from .inference import apply_network
from .precision import bf16_native
from .weights import load_model, model_info

if TYPE_CHECKING:
    from .combined import UnfoldedTrace

__all__ = [
    "COMBINED_MODEL",
    "SR_MODEL",
    "cnn_combined_defaults",
    "restore_combined",
    "run_cnn_combined",
    "run_cnn_sr",
    "super_resolve",
    "trace_combined",
]

SR_MODEL = "cnn_sr"
COMBINED_MODEL = "cnn_combined"


def _enlarge(model: object, image: np.ndarray, scale: int, level: float) -> np.ndarray:
    h, w = image.shape[:2]
    up = imresize(image, output_shape=(h * scale, w * scale))
    arr = up[..., None] if up.ndim == 2 else up
    out = apply_network(model, arr, level)
    return out[..., 0] if up.ndim == 2 else out


def super_resolve(image: np.ndarray, scale: int) -> np.ndarray:
    """Enlarge ``image`` (HxW or HxWx3 in [0, 1]) by ``scale`` with the shipped SR network.

    Raises
    ------
    ParameterError
        If the network was not trained for ``scale``.
    """
    scales = model_info(SR_MODEL).get("scales", [2, 3, 4])
    if scale not in scales:
        raise ParameterError(
            f"cnn_sr is trained for x{', x'.join(map(str, scales))}; this image is downscaled by {scale}. "
            "Use bicubic or sparse_sr for other factors.")
    model = load_model(SR_MODEL)
    img = np.asarray(image, dtype=np.float32)
    if img.ndim == 2:
        return _enlarge(model, img, scale, scale / 10.0)
    ycc = to_ycbcr(img)
    h, w = img.shape[:2]
    out = imresize(ycc, output_shape=(h * scale, w * scale)).astype(np.float64)
    out[..., 0] = _enlarge(model, ycc[..., 0].astype(np.float32), scale, scale / 10.0)
    return from_ycbcr(out).astype(np.float32)


def run_cnn_sr(observation: Observation) -> np.ndarray:
    """Registry adapter: enlarge the observation by its scale factor."""
    if observation.scale < 2:
        raise ParameterError("cnn_sr needs a downsampled image (scale 2, 3 or 4)")
    return np.clip(super_resolve(observation.degraded, observation.scale), 0.0, 1.0)


def restore_combined(observation: Observation, sigma: float | None = None, *, bf16: bool = False) -> np.ndarray:
    """Restore a blurred, x2-downsampled, noisy observation with the shipped unfolded network.

    Parameters
    ----------
    observation : Observation
        The low-resolution observation with its blur kernel (or none) and ``scale == 2``.
    sigma : float, optional
        Its noise level on the 0-255 scale (default: the observation's).
    bf16 : bool
        bfloat16 arithmetic in the network's prior (pays only on a CPU with native bfloat16; the
        registry default follows :func:`~restoration.deep.precision.bf16_native`).
    """
    from .combined import restore_with

    info = model_info(COMBINED_MODEL)
    return restore_with(load_model(COMBINED_MODEL), observation, sigma=sigma, pad=int(info.get("pad", 6)),
                        bf16=bf16)


def trace_combined(observation: Observation, sigma: float | None = None) -> UnfoldedTrace:
    """The shipped unfolded network's estimate after every data and prior step, on a small observation.

    Raises
    ------
    ParameterError
        If the observation is not x2-downsampled or is larger than 256x256 (it runs in one piece).
    """
    from .combined import trace_with

    if observation.scale != 2:
        raise ParameterError("cnn_combined is trained for x2 downsampling")
    if max(observation.degraded.shape[:2]) > 256:
        raise ParameterError("the stage-by-stage view is for small images (at most 256x256 observed pixels)")
    info = model_info(COMBINED_MODEL)
    return trace_with(load_model(COMBINED_MODEL), observation, sigma=sigma, pad=int(info.get("pad", 6)))


def cnn_combined_defaults(observation: Observation) -> dict[str, object]:
    """Use the known noise level, or estimate it when the observation does not say.

    bfloat16 in the network's prior by default only where the CPU executes it natively
    (:func:`~restoration.deep.precision.bf16_native`); float32 where it would be emulated (much slower).
    """
    return {"sigma": float(np.clip(noise_level(observation), 0.0, 50.0)), "bf16": bf16_native()}


def run_cnn_combined(observation: Observation, *, sigma: float, blind: bool, bf16: bool) -> np.ndarray:
    """Registry adapter: the combined degradation (blur, x2, noise) undone with the known kernel."""
    if observation.scale != 2:
        raise ParameterError(
            f"cnn_combined is trained for the survey's x2 downsampling; this image is downscaled by "
            f"{observation.scale}. Use classic_chain or pnp for other factors.")
    if observation.mask is not None:
        raise ParameterError("cnn_combined does not fill missing pixels; use pnp or classic_chain with a mask.")
    if blind:
        sigma = float(np.clip(estimate_noise_sigma(observation.degraded), 0.0, 50.0))
    return restore_combined(observation, sigma, bf16=bf16)
