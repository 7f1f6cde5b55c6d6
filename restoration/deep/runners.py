"""Registry runners of the deep methods (imported only when one runs)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..noise import estimate_noise_sigma, noise_level
from ..observation import Observation
from .colour import from_planes, to_planes
from .inference import denoise_array
from .precision import bf16_native
from .weights import load_model, manifest

__all__ = [
    "CNNInternals", "cnn_denoise_defaults", "denoise_cnn", "explain_cnn", "run_cnn_denoise",
]

GRAY_MODEL = "cnn_denoise_gray"
COLOR_MODEL = "cnn_denoise_color"

def denoise_cnn(image: np.ndarray, *, sigma: float, bf16: bool = False) -> np.ndarray:
    """Denoise with the shipped attention CNN at noise level ``sigma`` (0-255 scale).

    Gray images use the gray model. Colour images use the colour model when one is shipped;
    otherwise the gray model denoises the three channels of an orthonormal opponent-colour
    transform (luminance and two colour differences) and the result is transformed back.
    ``bf16`` computes the network under bfloat16 autocast: faster only on a CPU that executes it
    natively (:func:`~restoration.deep.precision.bf16_native`, the registry's default).
    """
    if image.ndim == 2:
        return denoise_array(load_model(GRAY_MODEL), image, sigma, channels=1, bf16=bf16)
    if COLOR_MODEL in manifest():
        return denoise_array(load_model(COLOR_MODEL), image, sigma, channels=3, bf16=bf16)
    planes, sigmas = to_planes(image, sigma)  # opponent channels, each mapped onto [0, 1] (see .colour)
    out = denoise_array(load_model(GRAY_MODEL), np.moveaxis(planes, 0, -1), sigmas, channels=1, bf16=bf16)
    return from_planes(np.moveaxis(out, -1, 0), colour=True)


def cnn_denoise_defaults(observation: Observation) -> dict[str, object]:
    """Use the known noise level, or estimate it when the observation does not say.

    bfloat16 arithmetic by default only where the CPU executes it natively
    (:func:`~restoration.deep.precision.bf16_native`): there it is about twice as fast, for 0.03 dB
    less than float32 (measured on Kodak24 crops, docs/benchmarks/deep.md); elsewhere PyTorch emulates
    it 8-14x slower than float32, which is then the default, for gray and colour images alike.
    """
    return {"sigma": float(np.clip(noise_level(observation), 0.0, 75.0)), "bf16": bf16_native()}


def run_cnn_denoise(observation: Observation, *, sigma: float, blind: bool, bf16: bool) -> np.ndarray:
    """Registry adapter: denoise the observation (blind mode re-estimates sigma from the image)."""
    if blind:
        sigma = float(np.clip(estimate_noise_sigma(observation.degraded), 0.0, 75.0))
    return np.clip(denoise_cnn(observation.degraded, sigma=sigma, bf16=bf16), 0.0, 1.0).astype(np.float32)


@dataclass
class CNNInternals:
    """What the denoiser computes on the way (for the teaching page).

    Attributes
    ----------
    output : numpy.ndarray
        The denoised image.
    noise : numpy.ndarray
        The predicted noise (input minus output): what the network learned to recognise.
    features : list of numpy.ndarray
        Feature maps (C x H/2 x W/2) after each residual block.
    attention : numpy.ndarray
        Channel-attention weights, one row per residual block, in (0, 1).
    parameters : int
        Number of learned parameters.
    layers : list of str
        A readable list of the layers.
    """

    output: np.ndarray
    noise: np.ndarray
    features: list[np.ndarray]
    attention: np.ndarray
    parameters: int
    layers: list[str]


def explain_cnn(image: np.ndarray, sigma: float) -> CNNInternals:
    """Run the gray denoiser on a (small) gray image and keep its intermediate results.

    A private copy of the shared model is used, so recording never disturbs concurrent users.
    """
    import copy

    import torch

    from .inference import pad_to_multiple

    model = copy.deepcopy(load_model(GRAY_MODEL))
    model.set_record(True)
    padded, (h, w) = pad_to_multiple(np.asarray(image, np.float32), 2)
    x = torch.from_numpy(padded)[None, None]
    s = torch.full((1, 1, padded.shape[0] // 2, padded.shape[1] // 2), sigma / 255.0)
    with torch.inference_mode():
        out = model(x, s)[0, 0].numpy()[:h, :w]
    features = [f[0].numpy() for f in model.features or []]
    attention = np.stack([b.attention.last_weights[0, :, 0, 0].numpy() for b in model.body])
    head = f"head: conv 3x3, {model.head.in_channels} -> {model.head.out_channels}"
    layers = [head + " (pixel-unshuffled input + noise map)"]
    layers += [f"block {i + 1}: conv 3x3, ReLU, conv 3x3, channel attention, + skip" for i in range(len(model.body))]
    layers.append(f"tail: conv 3x3, {model.tail.in_channels} -> {model.tail.out_channels}, pixel-shuffle = noise")
    return CNNInternals(
        output=np.clip(out, 0.0, 1.0).astype(np.float32),
        noise=(np.asarray(image, np.float32) - out).astype(np.float32),
        features=features,
        attention=attention,
        parameters=sum(p.numel() for p in model.parameters()),
        layers=layers,
    )


def cnn_prior(image: np.ndarray, sigma: float) -> np.ndarray:
    """The shipped CNN denoiser as a prior (the :data:`~restoration.algorithm.Denoiser` protocol).

    bfloat16 only where the CPU executes it natively (:func:`~restoration.deep.precision.bf16_native`).
    """
    return denoise_cnn(image, sigma=sigma, bf16=bf16_native())
