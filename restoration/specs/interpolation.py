"""Registry entries: interpolation (nearest, bilinear, bicubic, Lanczos enlargement)."""

from ..algorithm import AlgorithmSpec
from ..costs import measured_cost

_INTERP = "restoration.classic.interpolation"
_SR = frozenset({"sr", "combined"})
_SCALE = frozenset({"scale"})
#: Interpolation enlarges: it undoes the downsampling only (on the combined task it leaves blur and noise).
_UNDOES = frozenset({"downsample"})

SPECS: tuple[AlgorithmSpec, ...] = (
    AlgorithmSpec(
        name="nearest",
        title="Nearest-neighbour interpolation",
        family="interpolation",
        tasks=_SR,
        undoes=_UNDOES,
        entry=f"{_INTERP}:run_nearest",
        cost=measured_cost("nearest"),
        reference="R. C. Gonzalez and R. E. Woods, Digital Image Processing, 4th ed., 2018, sec. 2.4.",
        explanation=(
            "Each new pixel copies the nearest original pixel, so every pixel becomes a small square. Nothing is "
            "invented or smoothed: the result is blocky, with staircase edges."
        ),
        needs=_SCALE,
    ),
    AlgorithmSpec(
        name="bilinear",
        title="Bilinear interpolation",
        family="interpolation",
        tasks=_SR,
        undoes=_UNDOES,
        entry=f"{_INTERP}:run_bilinear",
        cost=measured_cost("bilinear"),
        reference="R. C. Gonzalez and R. E. Woods, Digital Image Processing, 4th ed., 2018, sec. 2.4.",
        explanation=(
            "Each new pixel is a distance-weighted average of the 2x2 nearest original pixels (a straight line "
            "between neighbours, along each axis). No blocks, but edges and fine detail come out blurred."
        ),
        needs=_SCALE,
    ),
    AlgorithmSpec(
        name="bicubic",
        default_rank=11,
        title="Bicubic interpolation",
        family="interpolation",
        tasks=_SR,
        undoes=_UNDOES,
        entry=f"{_INTERP}:run_bicubic",
        cost=measured_cost("bicubic"),
        reference="R. Keys, Cubic convolution interpolation for digital image processing, IEEE TASSP 1981.",
        explanation=(
            "Enlarges the image by fitting a smooth cubic curve through each 4x4 neighbourhood. It invents no "
            "detail, so edges look soft: the standard baseline of super-resolution."
        ),
        needs=_SCALE,
    ),
    AlgorithmSpec(
        name="lanczos",
        title="Lanczos interpolation (3 lobes)",
        family="interpolation",
        tasks=_SR,
        undoes=_UNDOES,
        entry=f"{_INTERP}:run_lanczos",
        cost=measured_cost("lanczos"),
        reference=(
            "C. E. Duchon, Lanczos filtering in one and two dimensions, J. Appl. Meteorol. 1979; "
            "P. Thevenaz, T. Blu and M. Unser, Interpolation revisited, IEEE TMI 2000."
        ),
        explanation=(
            "Weights the 6x6 nearest pixels with a windowed sinc, the ideal band-limited interpolator cut to "
            "three lobes. It is the sharpest of the interpolators, at the price of faint ripples (ringing) "
            "next to strong edges."
        ),
        needs=_SCALE,
    ),
)
