"""Classic super-resolution beyond interpolation: iterative back-projection and sparse coding.

Both methods start from the bicubic enlargement and add what interpolation cannot:

* **Iterative back-projection** (Irani & Peleg 1991) uses the *forward model*: the
  low-resolution image ``y`` was made from the unknown sharp image ``x`` by a blur
  ``k`` (if known) and bicubic downsampling ``D``: ``y = D (k * x)``. Starting from
  the bicubic guess, it repeatedly simulates the observation from the current
  estimate, measures the error ``r = y - D (k * x)``, enlarges the error and adds it
  back (through the kernel's mirror image): ``x <- x + step * k' * U(r)``. This is
  a Landweber iteration for ``min ||D (k * x) - y||^2``: the result reproduces the
  observation exactly, but noise and aliasing are fed back too, so with noise it
  must stop early.

* **Sparse-coding super-resolution** (Yang, Wright, Huang & Ma 2010; Zeyde, Elad &
  Protter 2010) learns *two* dictionaries with a shared code. From pairs of (bicubic
  enlargement, true high-resolution) images, every patch gives a low-resolution
  *feature* vector -- first and second derivatives of the bicubic enlargement,
  reduced by PCA -- and a high-resolution vector: the detail the bicubic enlargement
  missed (``HR - bicubic``). The dictionaries ``D_l`` (features) and ``D_h``
  (details) are trained *jointly*, so that one sparse code ``a`` explains both:
  ``f ~ D_l a`` and ``h ~ D_h a`` (scripts/build_dictionary.py; shipped in
  ``assets/dictionaries``). To enlarge a new image, each feature patch is coded over
  ``D_l`` with a few atoms (OMP), ``D_h a`` predicts its missing detail, and the
  overlapping predictions are averaged and added to the bicubic enlargement; a
  final back-projection (10 steps in the registry's defaults) then makes the result
  consistent with the input.

Colour images are processed on the luma (Y of YCbCr, where the eye sees detail);
the chroma channels are enlarged bicubically, the usual SR convention.

References
----------
M. Irani and S. Peleg, "Improving resolution by image registration", CVGIP: Graphical
Models and Image Processing 53(3), 1991. J. Yang, J. Wright, T. Huang and Y. Ma, "Image
super-resolution via sparse representation", IEEE TIP 19(11), 2010. R. Zeyde, M. Elad
and M. Protter, "On single image scale-up using sparse-representations", Curves and
Surfaces 2010.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from ..colour import from_ycbcr, to_ycbcr
from ..errors import RestorationError
from ..noise import noise_level
from ..observation import Observation
from ..ops import blur, imresize
from ..physics import blur_downsample_mask, image_to_planes, planes_to_image
from .sparse import DICTIONARY_DIR, assemble_patches, extract_patches, omp

__all__ = [
    "CoupledDictionary",
    "auto_back_projection",
    "auto_sparse_sr",
    "back_projection",
    "coupled_dictionary_file",
    "feature_maps",
    "from_ycbcr",
    "load_coupled_dictionary",
    "run_back_projection",
    "run_sparse_sr",
    "sr_pairs",
    "sr_sparse",
    "to_ycbcr",
]

#: Scale factors with a shipped coupled dictionary.
TRAINED_SCALES: tuple[int, ...] = (2, 3, 4)


# --------------------------------------------------------------------------- iterative back-projection
def back_projection(
    image: np.ndarray,
    scale: int,
    *,
    kernel: np.ndarray | None = None,
    boundary: str = "reflect",
    iterations: int = 20,
    step: float = 1.0,
    start: np.ndarray | None = None,
) -> np.ndarray:
    """Iterative back-projection (Irani & Peleg): make the estimate reproduce the observation.

    Forward model ``y = D (k * x)``: blur by ``k`` (identity when None) on the
    high-resolution grid, then MATLAB's anti-aliased bicubic downsampling ``D``
    (:func:`restoration.physics.blur_downsample_mask`, the degradation pipeline's operator).
    Each iteration computes ``x <- x + step * k' * U(y - D (k * x))`` where ``U`` is
    bicubic enlargement and ``k'`` the flipped kernel. More iterations fit the
    observation more closely -- sharper, but noise and aliasing are amplified too.

    Parameters
    ----------
    image : numpy.ndarray
        hxw or hxwxC low-resolution float image.
    scale : int
        Enlargement factor.
    kernel : numpy.ndarray, optional
        Blur applied before the downsampling (known kernel; odd-sized, sums to 1).
    boundary : {"reflect", "wrap"}
        Border rule of that blur.
    iterations : int
        Number of back-projection steps (0 = bicubic enlargement only).
    step : float
        Step size (1 = add the whole enlarged error each time; smaller is slower and more stable).
    start : numpy.ndarray, optional
        Starting high-resolution estimate (default: bicubic enlargement).

    Returns
    -------
    numpy.ndarray
        float32 image of shape ``(scale * h, scale * w[, C])`` (not clipped).

    References
    ----------
    M. Irani and S. Peleg, CVGIP: Graphical Models and Image Processing 53(3), 1991.
    """
    y = np.asarray(image, dtype=np.float64)
    h, w = y.shape[:2]
    hr_shape = (h * scale, w * scale)
    x = (imresize(y, output_shape=hr_shape) if start is None else np.asarray(start, np.float64)).astype(np.float64)
    k = None if kernel is None or np.asarray(kernel).size <= 1 else np.asarray(kernel, dtype=np.float64)
    flipped = None if k is None else k[::-1, ::-1].copy()
    forward, _ = blur_downsample_mask(hr_shape, k, scale, None, boundary)  # the pipeline's own operator
    for _ in range(int(iterations)):
        err = y - planes_to_image(forward(image_to_planes(x)), y.ndim == 2)
        back = imresize(err, output_shape=hr_shape).astype(np.float64)
        if flipped is not None:
            back = blur(back, flipped, boundary=boundary)  # type: ignore[arg-type]
        x += step * back
    return x.astype(np.float32)


# --------------------------------------------------------------------------- sparse-coding SR
_FILTERS = (
    np.array([[-1.0, 0.0, 1.0]]),
    np.array([[-1.0], [0.0], [1.0]]),
    np.array([[1.0, 0.0, -2.0, 0.0, 1.0]]),
    np.array([[1.0], [0.0], [-2.0], [0.0], [1.0]]),
)


def feature_maps(mid: np.ndarray) -> np.ndarray:
    """The four derivative maps of Yang et al.: first and second differences along x and y.

    Parameters
    ----------
    mid : numpy.ndarray
        HxW bicubic enlargement.

    Returns
    -------
    numpy.ndarray
        ``(4, H, W)`` float32 array (mirrored border).
    """
    arr = np.asarray(mid, dtype=np.float32)
    return np.stack([ndimage.correlate(arr, f, mode="mirror") for f in _FILTERS])


def sr_pairs(
    mid: np.ndarray, size: int, stride: int, hr: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray, np.ndarray]:
    """Feature and detail patches of one (bicubic enlargement, high-resolution) pair.

    Parameters
    ----------
    mid : numpy.ndarray
        HxW bicubic enlargement of the low-resolution image.
    size, stride : int
        Patch side and spacing on the high-resolution grid.
    hr : numpy.ndarray, optional
        The true HxW high-resolution image (training); gives the detail patches.

    Returns
    -------
    features : numpy.ndarray
        ``(N, 4 * size**2)`` raw feature patches (the four maps concatenated).
    details : numpy.ndarray or None
        ``(N, size**2)`` patches of ``hr - mid`` (None without ``hr``).
    rows, cols : numpy.ndarray
        The patch grid.
    """
    maps = feature_maps(mid)
    parts = []
    rows = cols = np.zeros(0, dtype=np.intp)
    for m in maps:
        p, rows, cols = extract_patches(m, size, stride)
        parts.append(p)
    features = np.hstack(parts)
    details = None
    if hr is not None:
        details, _, _ = extract_patches(np.asarray(hr, np.float32) - np.asarray(mid, np.float32), size, stride)
    return features, details, rows, cols


@dataclass(frozen=True)
class CoupledDictionary:
    """A pair of dictionaries sharing their sparse codes, for one scale factor.

    Attributes
    ----------
    scale : int
        The enlargement factor it was trained for.
    patch_size : int
        Patch side on the high-resolution grid.
    projection : numpy.ndarray
        ``(4 * patch_size**2, d)`` PCA basis that reduces raw features to ``d`` numbers.
    low : numpy.ndarray
        ``d x K`` feature dictionary (unit-norm columns).
    high : numpy.ndarray
        ``patch_size**2 x K`` detail dictionary: atom ``k`` of ``low`` predicts detail ``high[:, k]``.
    atoms_per_patch : int
        Sparsity used in training (and the default at run time).
    info : dict
        Training data and settings.
    """

    scale: int
    patch_size: int
    projection: np.ndarray
    low: np.ndarray
    high: np.ndarray
    atoms_per_patch: int
    info: dict

    def save(self, path: str) -> None:
        """Write the dictionary as a compressed ``.npz`` file."""
        np.savez_compressed(
            path, scale=np.int64(self.scale), patch_size=np.int64(self.patch_size),
            projection=self.projection.astype(np.float32), low=self.low.astype(np.float32),
            high=self.high.astype(np.float32), atoms_per_patch=np.int64(self.atoms_per_patch),
            info=np.array(json.dumps(self.info, sort_keys=True)),
        )


def coupled_dictionary_file(scale: int) -> str:
    """File name of the shipped coupled dictionary for ``scale``."""
    return f"sr_coupled_x{int(scale)}.npz"


@functools.lru_cache(maxsize=8)
def load_coupled_dictionary(scale: int) -> CoupledDictionary:
    """Load the shipped coupled dictionary for ``scale`` (one of :data:`TRAINED_SCALES`).

    Raises
    ------
    RestorationError
        If the file is missing (rebuild with ``python scripts/build_dictionary.py``).
    """
    path = DICTIONARY_DIR / coupled_dictionary_file(scale)
    if not path.exists():
        raise RestorationError(f"the coupled dictionary {path} is missing; "
                               "rebuild it with python scripts/build_dictionary.py")
    with np.load(path, allow_pickle=False) as data:
        return CoupledDictionary(
            scale=int(data["scale"]), patch_size=int(data["patch_size"]),
            projection=data["projection"].astype(np.float32), low=data["low"].astype(np.float32),
            high=data["high"].astype(np.float32), atoms_per_patch=int(data["atoms_per_patch"]),
            info=json.loads(str(data["info"])),
        )


def _dictionary_for(scale: int) -> CoupledDictionary:
    """The shipped dictionary of ``scale``, or of the nearest trained scale (ties: the smaller)."""
    nearest = min(TRAINED_SCALES, key=lambda s: (abs(s - scale), s))
    return load_coupled_dictionary(nearest)


def _sparse_sr_luma(y: np.ndarray, scale: int, dico: CoupledDictionary, *, stride: int, atoms: int) -> np.ndarray:
    """Bicubic enlargement of one channel plus the sparse-coded detail."""
    h, w = y.shape
    hr_shape = (h * scale, w * scale)
    mid = imresize(y, output_shape=hr_shape).astype(np.float32)
    size = dico.patch_size
    pad = max(0, size - min(hr_shape))
    work = np.pad(mid, ((0, pad), (0, pad)), mode="symmetric") if pad else mid
    feats, _, rows, cols = sr_pairs(work, size, stride)
    reduced = feats @ dico.projection
    codes = omp(dico.low, reduced, max_atoms=atoms)
    detail = codes.reconstruct(dico.high)
    total, count = assemble_patches(detail, rows, cols, work.shape)
    out = work + total / np.maximum(count, 1e-12)
    return out[: hr_shape[0], : hr_shape[1]]


def sr_sparse(
    image: np.ndarray,
    scale: int,
    *,
    stride: int | None = None,
    atoms: int | None = None,
    back_projection_iterations: int = 0,
    dictionary: CoupledDictionary | None = None,
) -> np.ndarray:
    """Sparse-coding super-resolution with a coupled (feature, detail) dictionary.

    Each patch of the bicubic enlargement is described by its derivative features,
    coded with ``atoms`` atoms of the feature dictionary (OMP), and gets the detail
    ``D_h a`` that the same code predicts; overlapping details are averaged and added
    to the bicubic enlargement. Scale factors other than 2, 3 and 4 use the dictionary
    of the nearest trained factor (a mismatch: expect a smaller gain).

    Parameters
    ----------
    image : numpy.ndarray
        hxw or hxwx3 low-resolution image.
    scale : int
        Enlargement factor.
    stride : int, optional
        Patch spacing on the high-resolution grid; smaller averages more overlapping
        predictions (better, slower). Default: ``max(2, scale - 1)``.
    atoms : int, optional
        Atoms per patch; more fits the features more closely (default: as trained).
    back_projection_iterations : int
        Back-projection steps afterwards (0 = none; the registry uses 10): the result then
        reproduces the input when downsampled (+0.07 to +0.15 dB on validation images).
    dictionary : CoupledDictionary, optional
        Default: the shipped one for ``scale``.

    Returns
    -------
    numpy.ndarray
        float32 image of shape ``(scale * h, scale * w[, 3])`` (not clipped).

    References
    ----------
    J. Yang et al., IEEE TIP 19(11), 2010; R. Zeyde, M. Elad and M. Protter, Curves and Surfaces 2010.
    """
    arr = np.asarray(image, dtype=np.float32)
    dico = dictionary or _dictionary_for(scale)
    step = max(2, scale - 1) if stride is None else max(1, int(stride))
    n_atoms = dico.atoms_per_patch if atoms is None else int(atoms)
    colour = arr.ndim == 3 and arr.shape[2] == 3
    if colour:
        ycc = to_ycbcr(arr)
        luma = _sparse_sr_luma(ycc[..., 0].astype(np.float32), scale, dico, stride=step, atoms=n_atoms)
        if back_projection_iterations > 0:
            luma = back_projection(ycc[..., 0], scale, iterations=back_projection_iterations, start=luma)
        chroma = imresize(ycc[..., 1:], output_shape=luma.shape)
        return from_ycbcr(np.dstack([luma, chroma])).astype(np.float32)
    planes = arr[..., None] if arr.ndim == 2 else arr
    out = []
    for c in range(planes.shape[2]):
        up = _sparse_sr_luma(planes[..., c], scale, dico, stride=step, atoms=n_atoms)
        if back_projection_iterations > 0:
            up = back_projection(planes[..., c], scale, iterations=back_projection_iterations, start=up)
        out.append(up)
    result = np.stack(out, axis=2)
    return (result[..., 0] if arr.ndim == 2 else result).astype(np.float32)


# --------------------------------------------------------------------------- registry glue
#: Full back-projection steps that still gain with noise of level sigma: ``int(min(10, BP_NOISE_BUDGET / sigma^2))``.
BP_NOISE_BUDGET = 40.0
#: With a known blur and noise: this many damped steps when fewer than that many full steps would gain.
BP_DAMPED_STEPS = 3
#: ... of size ``min(1, (BP_DAMPED_SIGMA / sigma)^2)`` (at least 0.05, the smallest the spec allows).
BP_DAMPED_SIGMA = 4.0


def auto_back_projection(observation: Observation) -> dict[str, object]:
    """Steps and step size that follow the noise: what back-projection can still gain.

    Every step feeds the observation's error back into the estimate, the noise included, so with noise the
    iteration must stop early -- and where even one step loses, the honest setting is none:

    * **no noise**: 10 full steps (converged at x2-x4: +0.5 to +0.9 dB over bicubic);
    * **noise and a known blur**: ``int(min(10, 40 / sigma^2))`` full steps while that is at least 3 (sigma up to
      3.6); beyond, 3 *damped* steps of size ``min(1, (4 / sigma)^2)``, which still undo part of the blur (+0.3 dB
      over bicubic at sigma 5, +0.15 at 7, about +0.02 at 10 on held-out CBSD432 crops with a 9-pixel motion blur;
      within 0.1 dB of bicubic at higher noise);
    * **noise and no blur**: ``int(min(10, 40 / sigma^2))`` full steps, which is **0 from sigma 6.4 up**: the result
      is then exactly the bicubic enlargement. Damped steps do not help there (every setting tried lost PSNR
      against bicubic on the same crops): without a blur to undo, back-projection only re-fits the noise.

    The values are shown as the method's automatic parameters (``iterations``, ``step``), so a result equal to
    bicubic interpolation says why: 0 iterations.
    """
    sig = noise_level(observation, noise_free="zero")
    if sig <= 0:
        return {"iterations": 10, "step": 1.0}
    full = int(min(10, BP_NOISE_BUDGET / sig**2))
    blurred = observation.kernel is not None and observation.kernel.size > 1
    if blurred and full < BP_DAMPED_STEPS:
        step = max(0.05, min(1.0, (BP_DAMPED_SIGMA / sig) ** 2))
        return {"iterations": BP_DAMPED_STEPS, "step": round(float(step), 2)}
    return {"iterations": full, "step": 1.0}


def auto_sparse_sr(observation: Observation) -> dict[str, object]:
    """Defaults: patch stride ``max(2, scale - 1)`` on the high-resolution grid and 10 back-projection steps.

    Validation on six CBSD432 images (Y channel): stride 1 is only 0.01-0.04 dB better
    than these strides at 4-5x the cost, and the final back-projection adds 0.07-0.15 dB.
    """
    return {"stride": max(2, int(observation.scale) - 1), "back_projection": 10}


def run_back_projection(observation: Observation, *, iterations: int, step: float) -> np.ndarray:
    """Registry adapter: back-projection with the observation's scale and (when known) its blur kernel."""
    kernel = observation.kernel
    return back_projection(np.asarray(observation.degraded, np.float32), observation.scale, kernel=kernel,
                           boundary=observation.boundary, iterations=iterations, step=step)


def run_sparse_sr(
    observation: Observation, *, stride: int, atoms: int, back_projection: int
) -> np.ndarray:
    """Registry adapter for :func:`sr_sparse`."""
    if observation.scale <= 1:
        return np.asarray(observation.degraded, dtype=np.float32).copy()
    return sr_sparse(np.asarray(observation.degraded, np.float32), observation.scale, stride=stride, atoms=atoms,
                     back_projection_iterations=back_projection)

