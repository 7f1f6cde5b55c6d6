"""restoration: degrade images, restore them with every major algorithm family, and measure the result.

The package is importable without torch or streamlit; deep models load on demand.

Quick start
-----------
>>> import numpy as np
>>> from restoration import degrade, run_algorithm, psnr
>>> clean = np.linspace(0, 1, 64 * 64, dtype=np.float32).reshape(64, 64)
>>> obs = degrade(clean, "gaussian_noise(sigma=25)", seed=0)
>>> restored = run_algorithm("median", obs, {"size": 3})
>>> psnr(obs.clean, restored) > psnr(obs.clean, obs.degraded)
True
"""

from .algorithm import FAMILIES
from .degradations import PRESETS, STEPS, TASKS, Observation, Pipeline, Preset, degrade
from .errors import (
    ImageDecodeError,
    ImageTooLargeError,
    ImageValueError,
    ParameterError,
    RestorationError,
    SpecError,
    TaskMismatchError,
    UnknownMethodError,
)
from .images import encode_png, load_image
from .metrics import psnr, ssim
from .params import ParamSpec
from .registry import REGISTRY, AlgorithmSpec, get_algorithm, list_algorithms, run_algorithm

__version__ = "0.1.0"

__all__ = [
    "FAMILIES",
    "PRESETS",
    "REGISTRY",
    "STEPS",
    "TASKS",
    "AlgorithmSpec",
    "ImageDecodeError",
    "ImageTooLargeError",
    "ImageValueError",
    "Observation",
    "ParamSpec",
    "ParameterError",
    "Pipeline",
    "Preset",
    "RestorationError",
    "SpecError",
    "TaskMismatchError",
    "UnknownMethodError",
    "__version__",
    "degrade",
    "encode_png",
    "get_algorithm",
    "list_algorithms",
    "load_image",
    "psnr",
    "run_algorithm",
    "ssim",
]
