"""Registry entries: deconvolution (filled in by the classic-families work)."""

from ..algorithm import AlgorithmSpec

SPECS: tuple[AlgorithmSpec, ...] = ()
