"""Registry entries, one light module per family (text and numbers only: no heavy imports).

Each module defines ``SPECS: tuple[AlgorithmSpec, ...]``; :mod:`restoration.registry`
lists the modules explicitly. The runners they name live in :mod:`restoration.classic`
and :mod:`restoration.deep` and are imported only when a method runs.
"""

from . import (
    baselines,
    chain,
    deconvolution,
    deep,
    filters,
    inpainting,
    interpolation,
    nonlocal_methods,
    priors,
    sparse,
    superres,
    variational,
    wavelet,
)
from .priors import PRIORS

__all__ = [
    "PRIORS",
    "baselines", "chain", "deconvolution", "deep", "filters", "inpainting", "interpolation", "nonlocal_methods",
    "priors", "sparse", "superres", "variational", "wavelet",
]
