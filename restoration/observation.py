"""The observation: a degraded image together with what is known about how it was degraded.

A leaf module (numpy only, plus the image checks): the degradation pipeline produces observations, every
restoration method consumes them, and the physics operators are built from them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from .errors import ImageTooLargeError, ParameterError
from .images import DEFAULT_MAX_PIXELS, validate_image

__all__ = ["STEP_KINDS", "TASKS", "TASK_KINDS", "Observation", "Task", "task_for"]

Task = Literal["denoise", "deblur", "sr", "inpaint", "combined"]
#: The restoration tasks, in the order the app presents them.
TASKS: tuple[str, ...] = ("denoise", "deblur", "sr", "inpaint", "combined")

#: What a degradation can do to an image, as far as undoing it is concerned: add noise (Gaussian, Poisson, impulse,
#: camera or JPEG artefacts), blur, shrink the grid (downsampling), or lose pixels (a mask).
STEP_KINDS: tuple[str, ...] = ("noise", "blur", "downsample", "mask")

#: The kinds of step each task stands for in its plain form (the survey's "combined" is blur + downsampling +
#: noise). :func:`task_for` maps every mix of kinds onto one of these tasks.
TASK_KINDS: dict[str, frozenset[str]] = {
    "denoise": frozenset({"noise"}),
    "deblur": frozenset({"blur", "noise"}),
    "sr": frozenset({"downsample"}),
    "inpaint": frozenset({"mask"}),
    "combined": frozenset({"blur", "downsample", "noise"}),
}


def task_for(kinds: Iterable[str]) -> str:
    """The task a degradation poses, from the kinds of step it contains.

    The task names the step that most changes what a method must do, in this order:

    1. **downsampling** -- alone it is super-resolution (``"sr"``); with anything else (blur, noise, a mask) it is
       ``"combined"``, the survey's main experiment (blur + downsampling + noise) and its relatives;
    2. else **missing pixels** -- ``"inpaint"``, also when blur or noise come with them (inpainting with more to
       undo: the methods offered must then undo those too, see :func:`restoration.registry.task_rule`);
    3. else **blur** -- ``"deblur"`` (with or without noise);
    4. else ``"denoise"`` (noise only, or no degradation at all).

    Parameters
    ----------
    kinds : iterable of str
        Kinds of step, each one of :data:`STEP_KINDS` (e.g. ``{"blur", "noise", "mask"}``); repeats are fine.

    Returns
    -------
    str
        One of :data:`TASKS`.

    Raises
    ------
    ParameterError
        For a kind that is not one of :data:`STEP_KINDS`.

    Examples
    --------
    >>> task_for({"blur", "noise", "mask"}), task_for({"blur", "downsample", "noise"}), task_for(())
    ('inpaint', 'combined', 'denoise')
    """
    if isinstance(kinds, str):
        kinds = (kinds,)
    found = frozenset(kinds)
    unknown = sorted(str(k) for k in found if k not in STEP_KINDS)
    if unknown:
        raise ParameterError(
            f"unknown kind(s) of degradation step {', '.join(unknown)} (known: {', '.join(STEP_KINDS)})"
        )
    if "downsample" in found:
        return "sr" if found == {"downsample"} else "combined"
    if "mask" in found:
        return "inpaint"
    if "blur" in found:
        return "deblur"
    return "denoise"


# --------------------------------------------------------------------------- observations
@dataclass
class Observation:
    """A degraded image together with what is known about how it was degraded.

    Attributes
    ----------
    degraded : numpy.ndarray
        The observed pixels (float32; values may leave [0, 1] for unclipped noise).
    clean : numpy.ndarray or None
        Ground truth on the output grid (cropped to a multiple of ``scale``), if known.
    kernel : numpy.ndarray or None
        The blur kernel applied on the high-resolution grid (all blurs composed), if any.
    scale : int
        Total downsampling factor (1 = none); the restored image is ``scale`` times larger.
    mask : numpy.ndarray or None
        HxW boolean array, True where the pixel was observed (inpainting).
    sigma : float or None
        Standard deviation of the additive Gaussian noise, on the 0-255 scale: 0 when the pipeline added none,
        None when it is unknown (a photo from elsewhere). Methods read it through
        :func:`restoration.noise.noise_level`, which estimates it when unknown.
    noise : tuple of str
        Kinds of noise or artefact applied ("gaussian", "poisson", "salt_pepper", "jpeg").
    boundary : str
        Border extension used by the blur ("reflect" or "wrap").
    spec : str
        The canonical pipeline text that produced the observation.
    seed : int or None
        The seed of the random steps.
    notes : list of str
        Caveats found while applying the pipeline.
    """

    degraded: np.ndarray
    clean: np.ndarray | None = None
    kernel: np.ndarray | None = None
    scale: int = 1
    mask: np.ndarray | None = None
    sigma: float | None = None
    noise: tuple[str, ...] = ()
    boundary: str = "reflect"
    spec: str = ""
    seed: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def kinds(self) -> frozenset[str]:
        """The kinds of degradation the observation went through (a subset of :data:`STEP_KINDS`).

        ``"noise"`` when any noise or artefact was recorded (or a positive ``sigma`` is known), ``"blur"`` for a
        kernel of more than one pixel, ``"downsample"`` for ``scale > 1`` and ``"mask"`` when pixels are missing.
        """
        kinds = set()
        if self.noise or (self.sigma or 0) > 0:
            kinds.add("noise")
        if self.kernel is not None and self.kernel.size > 1:
            kinds.add("blur")
        if self.scale > 1:
            kinds.add("downsample")
        if self.mask is not None:
            kinds.add("mask")
        return frozenset(kinds)

    @property
    def task(self) -> str:
        """The restoration task this observation poses (one of :data:`TASKS`; see :func:`task_for`)."""
        return task_for(self.kinds)

    @property
    def output_shape(self) -> tuple[int, ...]:
        """Shape of the restored image: the degraded shape times ``scale`` in H and W."""
        h, w = self.degraded.shape[:2]
        return (h * self.scale, w * self.scale, *self.degraded.shape[2:])

    @property
    def is_gray(self) -> bool:
        """True for a single-channel observation."""
        return self.degraded.ndim == 2

    @classmethod
    def from_degraded(cls, degraded: np.ndarray, *, scale: int = 1, sigma: float | None = None) -> Observation:
        """Wrap an already degraded image (e.g. an uploaded photo) with no ground truth.

        Parameters
        ----------
        degraded : numpy.ndarray
            The photo, float in [0, 1].
        scale : int
            Upscaling factor, 1 to 8 (the range of the ``downsample`` step); the restored
            image may have at most :data:`~restoration.images.DEFAULT_MAX_PIXELS` pixels.
        sigma : float, optional
            Known noise level on the 0-255 scale, 0 to 255 (0 = known to be free of Gaussian noise); None
            (the default) when unknown, so that methods estimate it.

        Raises
        ------
        ImageValueError, ParameterError, ImageTooLargeError
            For an invalid image, a scale or sigma out of range, or an output too large.
        """
        degraded = validate_image(degraded, name="degraded image")
        if isinstance(scale, bool) or not isinstance(scale, (int, np.integer)) or not 1 <= scale <= 8:
            raise ParameterError(f"the upscaling factor must be a whole number from 1 to 8, got {scale!r}")
        if sigma is not None and (
            isinstance(sigma, bool) or not isinstance(sigma, (int, float, np.number)) or not 0 <= sigma <= 255
        ):
            raise ParameterError(f"the noise level sigma must be a number from 0 to 255, got {sigma!r}")
        out_pixels = degraded.shape[0] * degraded.shape[1] * int(scale) ** 2
        if scale > 1 and out_pixels > DEFAULT_MAX_PIXELS:
            raise ImageTooLargeError(
                f"upscaling a {degraded.shape[1]}x{degraded.shape[0]} image x{scale} gives {out_pixels:,} pixels, "
                f"over the limit of {DEFAULT_MAX_PIXELS:,}; use a smaller image or factor"
            )
        noise = ("gaussian",) if sigma else ()
        return cls(degraded=degraded, scale=int(scale), sigma=None if sigma is None else float(sigma), noise=noise,
                   spec="")

    def summary(self) -> dict[str, Any]:
        """JSON-friendly description (no pixel arrays)."""
        return {
            "task": self.task,
            "kinds": [k for k in STEP_KINDS if k in self.kinds],
            "spec": self.spec,
            "seed": self.seed,
            "scale": self.scale,
            "sigma": self.sigma,
            "noise": list(self.noise),
            "kernel_shape": None if self.kernel is None else list(self.kernel.shape),
            "missing_fraction": None if self.mask is None else float(1.0 - self.mask.mean()),
            "degraded_shape": list(self.degraded.shape),
            "output_shape": list(self.output_shape),
            "notes": list(self.notes),
        }
