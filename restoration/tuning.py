"""Self-supervised tuning: choose a denoiser's strength from the noisy image alone (Noise2Self).

A denoiser is *J-invariant* when its output at a pixel does not depend on that pixel's own noisy value: it can
only predict the pixel from its neighbours. For such a denoiser, the error against the *noisy* image equals the
error against the (unknown) clean image plus the noise variance, a constant: so the knob value that minimises the
self-supervised loss ``||f(y) - y||^2`` on the masked pixels also minimises the true error, without the clean
image and without knowing sigma (Batson and Royer, "Noise2Self: blind denoising by self-supervision", ICML 2019).

:func:`self_tune` turns any registered denoiser into a J-invariant one by masking a grid of pixels (every 4th
pixel in each direction, replaced by an interpolation of its neighbours) with scikit-image's
:func:`~skimage.restoration.calibrate_denoiser`, tries a range of values of the method's strength knob around
the automatic rule, and returns the value with the lowest loss and the whole loss curve. The methods' ``tuning``
parameter uses it: ``"auto"`` (the default) keeps the noise-level rules, ``"self"`` takes the value chosen here.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock

import numpy as np

from .errors import ParameterError
from .observation import Observation

__all__ = ["TUNABLE", "TuningResult", "self_tune", "tuned_value"]

#: The knob each self-tunable method exposes, and the factors tried around its automatic value.
TUNABLE: dict[str, tuple[str, tuple[float, ...]]] = {
    "tv": ("lam", tuple(float(f) for f in np.geomspace(0.25, 4.0, 9))),
    "wavelet": ("sigma", tuple(float(f) for f in np.geomspace(0.4, 2.5, 9))),
    "nlm": ("sigma", tuple(float(f) for f in np.geomspace(0.4, 2.5, 9))),
    "bm3d": ("sigma", tuple(float(f) for f in np.geomspace(0.5, 2.0, 5))),  # BM3D is slow: fewer tries
}
_MEMO: OrderedDict[tuple, TuningResult] = OrderedDict()
_MEMO_SIZE = 16
_MEMO_LOCK = Lock()


@dataclass(frozen=True)
class TuningResult:
    """What self-supervised tuning tried and chose.

    Attributes
    ----------
    method, knob : str
        The registered method and its tuned parameter.
    values : tuple of float
        The knob values tried, increasing.
    losses : tuple of float
        The self-supervised loss of each (mean squared difference between the J-invariant output and the noisy
        image on the masked pixels; lower is better).
    best : float
        The value with the lowest loss.
    automatic : float
        The value the automatic (noise-level) rule would have used.
    """

    method: str
    knob: str
    values: tuple[float, ...]
    losses: tuple[float, ...]
    best: float
    automatic: float


def _automatic(method: str, knob: str, observation: Observation) -> float:
    from .noise import noise_level
    from .registry import get_algorithm

    value = float(get_algorithm(method).defaults_for(observation).get(knob, 0.0))
    if knob == "sigma" and value <= 0:  # 0 means "the known level, or an estimate"
        value = noise_level(observation, floor=0.5)
    return max(value, 1e-6)


def self_tune(method: str, observation: Observation) -> TuningResult:
    """Choose ``method``'s strength knob for ``observation`` from the noisy pixels alone.

    Parameters
    ----------
    method : str
        One of :data:`TUNABLE` (``tv``, ``wavelet``, ``nlm``, ``bm3d``).
    observation : Observation
        A noisy image; neither its clean image nor its recorded sigma is used to judge (the automatic value,
        the centre of the range tried, may use the recorded sigma like the ``auto`` rule).

    Returns
    -------
    TuningResult
        Memoised per image and method (a bounded in-process cache), so showing the curve after a run costs
        nothing more.

    Raises
    ------
    ParameterError
        For a method that cannot be self-tuned.
    """
    from skimage.restoration import calibrate_denoiser

    from .registry import run_algorithm

    if method not in TUNABLE:
        raise ParameterError(f"{method!r} has no self-supervised tuning (available: {', '.join(TUNABLE)})")
    knob, factors = TUNABLE[method]
    noisy = np.asarray(observation.degraded, dtype=np.float64)
    centre = _automatic(method, knob, observation)
    values = tuple(round(centre * f, 6) for f in factors)
    key = (method, hashlib.sha256(noisy.tobytes()).hexdigest(), noisy.shape, values)
    with _MEMO_LOCK:
        if key in _MEMO:
            _MEMO.move_to_end(key)
            return _MEMO[key]

    def denoise(image: np.ndarray, *, value: float, channel_axis: int | None = None) -> np.ndarray:
        # the masked copy is just another noisy image: no recorded sigma, so nothing is taken from the truth
        masked = Observation(degraded=np.asarray(image, dtype=np.float32), sigma=None, noise=("gaussian",))
        return run_algorithm(method, masked, {knob: value, "tuning": "auto"})

    grid: dict[str, list] = {"value": list(values)}
    if noisy.ndim == 3:
        grid["channel_axis"] = [-1]
    _, (tested, losses) = calibrate_denoiser(noisy, denoise, grid, stride=4, approximate_loss=True,
                                             extra_output=True)
    tried = [float(t["value"]) for t in tested]
    order = np.argsort(tried)
    result = TuningResult(
        method=method, knob=knob, values=tuple(tried[i] for i in order),
        losses=tuple(float(losses[i]) for i in order), best=float(tried[int(np.argmin(losses))]),
        automatic=float(centre),
    )
    with _MEMO_LOCK:
        _MEMO[key] = result
        while len(_MEMO) > _MEMO_SIZE:
            _MEMO.popitem(last=False)
    return result


def tuned_value(method: str, observation: Observation, tuning: str, value: float) -> float:
    """The knob value a runner uses: ``value`` for ``tuning="auto"``, the self-tuned one for ``"self"``.

    Parameters
    ----------
    method : str
        The registered method.
    observation : Observation
        Its input.
    tuning : {"auto", "self"}
        The method's ``tuning`` parameter.
    value : float
        The knob's value from the parameters (the automatic rule's, or the user's).

    Returns
    -------
    float
    """
    if tuning == "self":
        return self_tune(method, observation).best
    if tuning != "auto":
        raise ParameterError(f"tuning must be 'auto' or 'self', got {tuning!r}")
    return value
