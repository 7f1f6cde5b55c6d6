"""BM3D: block-matching and 3-D collaborative filtering (Dabov et al., 2007).

How BM3D works, in four ideas
-----------------------------
1. **Block matching.** Natural images repeat themselves: a small square block
   (8x8 pixels) usually has many near-copies nearby (along an edge, in a texture,
   in a flat region). For a *reference block* we look at every block inside a
   search window around it and keep the ones whose mean squared difference is
   below a threshold ``tau_match``, at most ``max_group`` of them, best first.
2. **A 3-D group and a 3-D transform.** The matched blocks are stacked into a
   3-D array (the *group*). A 2-D transform of each block (DCT or the bior1.5
   wavelet) followed by a 1-D Haar transform *across* the stack concentrates the
   signal -- which the blocks share -- into very few coefficients, while the white
   noise stays spread evenly over all of them with the same standard deviation.
3. **Shrinkage.** Step 1 sets every 3-D coefficient below ``lambda_3d * sigma`` to
   zero (hard thresholding). Step 2 repeats the matching on the step-1 result (the
   *basic estimate*) and applies an empirical Wiener filter: each noisy coefficient
   is multiplied by ``b^2 / (b^2 + sigma^2)`` where ``b`` is the same coefficient of
   the basic estimate.
4. **Aggregation.** Every pixel is covered by many blocks from many groups. The
   filtered blocks are put back and averaged, each group weighted by how little
   noise it is expected to hold (1 / number of kept coefficients, or 1 / the Wiener
   filter's energy) and each block tapered by a Kaiser window.

Colour images (CBM3D) are turned into an opponent colour space (one luminance and
two colour-difference channels, an orthonormal change of basis so the noise stays
white with the same sigma); the groups are found on the luminance only -- it has the
best signal-to-noise ratio -- and the same groups filter all three channels.

How this implementation is made fast (pure NumPy / SciPy, no compiled code of its own)
--------------------------------------------------------------------------------------
* The 2-D transform of *every* block of the image is computed once, as one matrix
  product ``(number of blocks, 64) @ (64, 64)``; a group then only gathers rows.
* Block matching works on a tile of 8x8 reference blocks at once. The squared
  distances between the tile's references and every block of the tile's search area
  are ``|a|^2 + |b|^2 - 2 a.b``, i.e. one matrix product (BLAS) once the norms are
  folded into the vectors. Each reference takes its own 39x39 window out of that
  table; its best matches come from a cheap upper bound (the k-th smallest distance
  of every 4th candidate) and a sort of the few candidates under it.
* Groups are batched by size (a power of two); the Haar transform along a batch is
  a cascade of sums and differences of whole arrays.
* Aggregation happens in the *transform* domain: the filtered, weighted coefficients
  are summed per block position (a sparse matrix product adds up repeated positions),
  then one inverse 2-D transform per position and 64 shifted additions put the blocks
  back -- instead of an inverse transform per block per group.
* OpenBLAS is kept to one thread during the call (see :func:`_single_threaded_blas`).

On a 2-core machine a 512x512 gray image takes about 2 s, several times less than the
reference implementation (see ``docs/benchmarks/nonlocal.md``).

References
----------
K. Dabov, A. Foi, V. Katkovnik and K. Egiazarian, "Image denoising by sparse 3-D
transform-domain collaborative filtering", IEEE Trans. Image Processing 16(8), 2007.
K. Dabov et al., "Color image denoising via sparse 3D collaborative filtering with
grouping constraint in luminance-chrominance space", ICIP 2007 (CBM3D).
M. Lebrun, "An analysis and implementation of the BM3D image denoising method",
Image Processing On Line 2, 2012 (a detailed walk through every step).
"""

from __future__ import annotations

import ctypes
import math
import os
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Literal

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..colour import OPPONENT
from ..errors import ImageValueError
from ..noise import noise_level
from ..observation import Observation

__all__ = [
    "BlockGroup",
    "StageSettings",
    "bm3d_auto_params",
    "bm3d_settings",
    "denoise_bm3d",
    "match_group",
    "run_bm3d",
]

Transform2D = Literal["dct", "bior1.5"]

#: Reference blocks processed per block-matching tile (rows x columns of the reference grid).
_TILE = 8
#: Norm given to padding positions: far from every real block.
_FAR = np.float32(1e30)
#: Groups transformed together in one batch (bounds the memory of a batch).
_BATCH = 1024
#: Largest number of pixels denoised in one pass; larger images go in overlapping bands.
_BAND_PIXELS = 1 << 20


# --------------------------------------------------------------------------- settings
@dataclass(frozen=True)
class StageSettings:
    """Parameters of one BM3D step (names follow Dabov et al. 2007, Table I).

    Attributes
    ----------
    block_size : int
        Side N1 of the square blocks.
    step : int
        Distance between reference blocks (smaller = more groups, slower, slightly better).
    max_group : int
        Largest number of blocks in a group, N2 (a power of two).
    search_window : int
        Side Ns of the square window searched for matches around a reference block (odd).
    tau_match : float
        Largest mean squared difference between two blocks, on the 0-255 scale, for
        them to be grouped.
    transform : {"dct", "bior1.5"}
        The 2-D transform applied to each block.
    kaiser_beta : float
        Shape of the Kaiser window that tapers blocks during aggregation (0 = flat).
    lambda_3d : float
        Hard-threshold multiplier (step 1 only): coefficients below ``lambda_3d * sigma`` vanish.
    lambda_2d : float
        Step 1 only: before matching, block coefficients below ``lambda_2d * sigma`` are
        zeroed so that strong noise does not decide the matches (0 = off).
    """

    block_size: int
    step: int
    max_group: int
    search_window: int
    tau_match: float
    transform: Transform2D
    kaiser_beta: float = 2.0
    lambda_3d: float = 2.7
    lambda_2d: float = 0.0

    def __post_init__(self) -> None:
        if self.block_size < 2:
            raise ValueError(f"block_size must be >= 2, got {self.block_size}")
        if self.step < 1:
            raise ValueError(f"step must be >= 1, got {self.step}")
        if self.max_group < 1 or self.max_group & (self.max_group - 1):
            raise ValueError(f"max_group must be a power of two, got {self.max_group}")
        if self.search_window < 1 or self.search_window % 2 == 0:
            raise ValueError(f"search_window must be odd and positive, got {self.search_window}")
        if self.transform == "bior1.5" and self.block_size & (self.block_size - 1):
            raise ValueError("the bior1.5 transform needs a power-of-two block_size")


def bm3d_settings(sigma: float) -> tuple[StageSettings, StageSettings]:
    """Default parameters for noise level ``sigma`` (0-255 scale).

    The starting point is the "normal profile" of Dabov et al. (2007, Table I): 8x8
    blocks, a reference block every 3 pixels, a 39x39 search window, groups of up to
    16 (step 1, bior1.5 + Haar, hard threshold 2.7 sigma) and 32 blocks (step 2, DCT +
    Haar). Only the matching thresholds follow the noise here. Two noisy copies of the
    *same* block already differ by ``2 sigma^2`` on average, so a fixed ``tau_match``
    (3000 in the paper) rejects good matches once sigma passes about 35; we use
    ``max(3000, 4 sigma^2)`` for step 1 and ``max(400, 1.4 sigma^2)`` for step 2 (the
    paper's 3500 at sigma = 50). On Set12 this beats the paper's separate high-noise
    profile (12x12 blocks and a pre-filter before matching) by about 0.35 dB at sigma = 50
    in this implementation (four Set12 images), and moves sigma = 25 by about +0.01 dB.

    Parameters
    ----------
    sigma : float
        Noise standard deviation on the 0-255 scale.

    Returns
    -------
    (StageSettings, StageSettings)
        Settings of the hard-thresholding step and of the Wiener step.
    """
    sigma = max(float(sigma), 0.0)
    hard = StageSettings(block_size=8, step=3, max_group=16, search_window=39,
                         tau_match=max(3000.0, 4.0 * sigma**2), transform="bior1.5", lambda_3d=2.7)
    wiener = StageSettings(block_size=8, step=3, max_group=32, search_window=39,
                           tau_match=max(400.0, 1.4 * sigma**2), transform="dct")
    return hard, wiener


# --------------------------------------------------------------------------- BLAS threads
_BLAS_LOCK = threading.Lock()
_blas_depth = 0
_blas_saved: list[tuple[Any, int]] = []


@lru_cache(maxsize=1)
def _openblas_controls() -> tuple[tuple[Any, Any], ...]:
    """(get, set) thread-count functions of every OpenBLAS loaded in this process (Linux only).

    NumPy and SciPy wheels each bundle an OpenBLAS under a prefixed name; the libraries
    are found in ``/proc/self/maps`` and their (already loaded) symbols looked up with
    ctypes. Anywhere this fails, nothing is returned and nothing is changed.
    """
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in os.path.basename(line.strip()).lower()}
    except OSError:
        return ()
    controls = []
    for path in sorted(paths):
        if not os.path.isfile(path):
            continue
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix, suffix in (("", ""), ("", "64_"), ("scipy_", ""), ("scipy_", "64_")):
            get = getattr(lib, f"{prefix}openblas_get_num_threads{suffix}", None)
            put = getattr(lib, f"{prefix}openblas_set_num_threads{suffix}", None)
            if get is not None and put is not None:
                get.restype = ctypes.c_int
                put.argtypes = [ctypes.c_int]
                controls.append((get, put))
                break
    return tuple(controls)


@contextmanager
def _single_threaded_blas() -> Iterator[None]:
    """Run matrix products on one thread for the duration of the block.

    BM3D makes thousands of small matrix products. A multi-threaded OpenBLAS wakes a
    second thread for each and busy-waits for it; on a machine whose other core is busy
    this made BM3D three times *slower* in our measurements, while one thread costs
    almost nothing when the machine is idle.
    """
    global _blas_depth
    with _BLAS_LOCK:
        if _blas_depth == 0:
            _blas_saved.clear()
            for get, put in _openblas_controls():
                _blas_saved.append((put, get()))
                put(1)
        _blas_depth += 1
    try:
        yield
    finally:
        with _BLAS_LOCK:
            _blas_depth -= 1
            if _blas_depth == 0:
                for put, previous in _blas_saved:
                    put(previous)


# --------------------------------------------------------------------------- small transforms
@lru_cache(maxsize=16)
def _dct_matrix(n: int) -> np.ndarray:
    """Orthonormal DCT-II matrix: row k is the k-th cosine basis vector."""
    k = np.arange(n)[:, None]
    j = np.arange(n)[None, :]
    mat = np.cos(np.pi * (2 * j + 1) * k / (2 * n)) * math.sqrt(2.0 / n)
    mat[0] /= math.sqrt(2.0)
    return mat


@lru_cache(maxsize=16)
def _bior15_matrix(n: int) -> np.ndarray:
    """Full-depth periodic bior1.5 wavelet analysis as an n x n matrix, rows scaled to unit norm.

    bior1.5 is not orthogonal; scaling each analysis row to unit length makes white
    noise of standard deviation sigma give coefficients of standard deviation sigma,
    so one threshold fits all of them. The synthesis is the exact matrix inverse.
    """
    import pywt

    levels = round(math.log2(n))
    cols = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pywt warns that 8 samples are "too short" for 3 levels
        for unit in np.eye(n):
            cols.append(np.concatenate(pywt.wavedec(unit, "bior1.5", mode="periodization", level=levels)))
    mat = np.array(cols).T
    return mat / np.linalg.norm(mat, axis=1, keepdims=True)


@lru_cache(maxsize=16)
def _transform_pair(kind: Transform2D, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Forward and inverse 2-D transforms of flattened n x n blocks, as (n*n, n*n) float32 matrices.

    The 2-D transform is separable: the 1-D transform along columns then along rows,
    i.e. the Kronecker product of the 1-D matrix with itself.
    """
    one_d = _dct_matrix(n) if kind == "dct" else _bior15_matrix(n)
    forward = np.kron(one_d, one_d)
    inverse = np.linalg.inv(forward)
    return forward.astype(np.float32), inverse.astype(np.float32)


@lru_cache(maxsize=16)
def _haar_matrix(n: int) -> np.ndarray:
    """Orthonormal Haar matrix of size n (a power of two), float32.

    The definition that :func:`_haar_forward` computes in cascade form (kept for the tests
    and for teaching: row 0 is the mean, the last n/2 rows the finest differences).
    """
    mat = np.ones((1, 1))
    while mat.shape[0] < n:
        m = mat.shape[0]
        top = np.kron(mat, [1.0, 1.0])
        bottom = np.kron(np.eye(m), [1.0, -1.0])
        mat = np.vstack([top, bottom]) / math.sqrt(2.0)
    return mat.astype(np.float32)


_HALF_ROOT = np.float32(1.0 / math.sqrt(2.0))


def _haar_forward(groups: np.ndarray) -> np.ndarray:
    """Orthonormal Haar transform along axis 1 of a (C, k, ...) array, k a power of two.

    The cascade form of ``_haar_matrix(k) @ groups``: neighbours (0, 1), (2, 3), ... give
    a scaled difference (the finest details, stored last) and a scaled sum, and the sums
    are transformed again, down to one overall sum. About k log k operations instead of k^2.
    """
    k = groups.shape[1]
    out = np.empty_like(groups)
    sums = groups
    while k > 1:
        even, odd = sums[:, 0::2], sums[:, 1::2]
        half = k // 2
        details = out[:, half:k]
        np.subtract(even, odd, out=details)
        details *= _HALF_ROOT
        sums = even + odd
        sums *= _HALF_ROOT
        k = half
    out[:, :1] = sums
    return out


def _haar_inverse(spectrum: np.ndarray) -> np.ndarray:
    """Inverse of :func:`_haar_forward` (the transposed Haar matrix along axis 1)."""
    k = spectrum.shape[1]
    sums = spectrum[:, :1]
    size = 1
    while size < k:
        details = spectrum[:, size:2 * size]
        finer = np.empty((spectrum.shape[0], 2 * size, *spectrum.shape[2:]), dtype=spectrum.dtype)
        np.add(sums, details, out=finer[:, 0::2])
        np.subtract(sums, details, out=finer[:, 1::2])
        finer *= _HALF_ROOT
        sums = finer
        size *= 2
    return np.array(sums, copy=True) if k == 1 else sums


@lru_cache(maxsize=16)
def _kaiser_window(n: int, beta: float) -> np.ndarray:
    """Flattened n x n Kaiser window (separable), float32."""
    k = np.kaiser(n, beta)
    return np.outer(k, k).ravel().astype(np.float32)


# --------------------------------------------------------------------------- blocks
def _block_columns(image: np.ndarray, n: int) -> np.ndarray:
    """Every n x n block of a 2-D image, one *row per pixel of the block*: shape (n*n, Hp, Wp).

    Row ``u * n + v`` holds pixel (u, v) of the blocks at every position (y, x), i.e. the
    image shifted by (u, v). This layout is built by n*n contiguous copies, much faster
    than copying the overlapping blocks one by one.
    """
    h, w = image.shape
    hp, wp = h - n + 1, w - n + 1
    cols = np.empty((n * n, hp, wp), dtype=np.float32)
    for u in range(n):
        for v in range(n):
            cols[u * n + v] = image[u:u + hp, v:v + wp]
    return cols


def _block_transform(channels: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """2-D transform of every block of every channel: (C, H, W) -> (C, Hp * Wp, n*n).

    Row ``y * Wp + x`` of channel c holds the coefficients of the block whose top-left
    corner is (y, x). ``matrix`` is the (n*n, n*n) transform of flattened blocks; one
    matrix product per channel.
    """
    dim = matrix.shape[0]
    n = math.isqrt(dim)
    c, h, w = channels.shape
    out = np.empty((c, (h - n + 1) * (w - n + 1), dim), dtype=np.float32)
    for ch in range(c):
        cols = _block_columns(channels[ch], n).reshape(dim, -1)
        np.matmul(cols.T, matrix.T, out=out[ch])
    return out


def _reference_grid(length: int, step: int) -> np.ndarray:
    """Positions 0, step, 2 step, ... of reference blocks along one axis, always ending at the last one."""
    grid = np.arange(0, length, step)
    if grid[-1] != length - 1:
        grid = np.append(grid, length - 1)
    return grid


def _smallest(dist: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Column indices and values of the ``k`` smallest entries of each row, in increasing order.

    Equivalent to a row-wise ``argpartition`` followed by a sort (ties go to the lower
    column), but about twice as fast on rows of ~1500 entries: the k-th smallest value
    among every 4th column bounds the k-th smallest of the whole row from above, so only
    the few entries under that bound (about 4k per row) are copied out and sorted.
    """
    n_rows, n_cols = dist.shape
    if n_cols < 8 * k:
        best = np.argsort(dist, axis=1, kind="stable")[:, :k]
        return best, np.take_along_axis(dist, best, axis=1)
    bound = np.partition(dist[:, ::4], k - 1, axis=1)[:, k - 1:k]
    flat = np.flatnonzero(dist <= bound)  # row-major, so grouped by row
    rows = flat // n_cols
    counts = np.bincount(rows, minlength=n_rows)  # each >= k by construction of the bound
    slot = np.arange(len(flat)) - (np.cumsum(counts) - counts)[rows]
    short = np.full((n_rows, counts.max()), np.inf, dtype=dist.dtype)
    short[rows, slot] = dist.ravel()[flat]
    cols = np.zeros(short.shape, dtype=np.int64)
    cols[rows, slot] = flat - rows * n_cols
    order = np.argsort(short, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(cols, order, axis=1), np.take_along_axis(short, order, axis=1)


def _window_starts(ref: np.ndarray, radius: int, length: int) -> np.ndarray:
    """First position of each reference's search window along one axis (may be negative on tiny images)."""
    start = ref - radius
    if length >= 2 * radius + 1:
        start = np.clip(start, 0, length - 2 * radius - 1)
    return start


def _match_tiles(
    features: np.ndarray, ref_y: np.ndarray, ref_x: np.ndarray, radius: int, max_group: int, tau: float
) -> tuple[np.ndarray, np.ndarray]:
    """Block matching for every reference block of a grid.

    Parameters
    ----------
    features : numpy.ndarray
        (Hp, Wp, D) float32: one vector per block position; the distance between
        two blocks is the squared Euclidean distance of their vectors.
    ref_y, ref_x : numpy.ndarray
        Sorted grid positions of the reference blocks (rows and columns).
    radius : int
        Half-side of the search window.
    max_group : int
        Number of best matches kept per reference.
    tau : float
        Distance threshold in the units of ``features``.

    Returns
    -------
    matches : numpy.ndarray
        (len(ref_y) * len(ref_x), max_group) int64 flat block positions ``y * Wp + x``,
        best first; the reference itself is always first.
    sizes : numpy.ndarray
        Group sizes: the number of matches within ``tau``, capped at ``max_group`` and
        rounded down to a power of two.
    """
    hp, wp, dim = features.shape
    win = 2 * radius + 1
    # Squared distances come from one matrix product per tile: with a' = [-2a, |a|^2, 1] and
    # b' = [b, 1, |b|^2], the dot product a'.b' is |a|^2 + |b|^2 - 2 a.b = |a - b|^2.
    # The candidates are padded by the radius so that every window has the same shape; padded
    # positions get a huge norm, hence a huge distance, and are never chosen.
    cand_all = np.zeros((hp + 2 * radius, wp + 2 * radius, dim + 2), dtype=np.float32)
    cand_all[..., dim] = 1.0
    cand_all[..., dim + 1] = _FAR
    inner = cand_all[radius:radius + hp, radius:radius + wp]
    inner[..., :dim] = features
    inner[..., dim + 1] = np.einsum("ijk,ijk->ij", features, features)
    keep = min(max_group, win * win)

    n_ref = len(ref_y) * len(ref_x)
    matches = np.empty((n_ref, keep), dtype=np.int64)
    counts = np.empty(n_ref, dtype=np.int64)
    row_of_ref = np.arange(n_ref).reshape(len(ref_y), len(ref_x))
    # Each window is centred on its reference block, but shifted to stay inside the image when
    # the image is large enough, so that blocks near a border get as many candidates as others.
    start_y = _window_starts(ref_y, radius, hp) + radius  # in padded coordinates
    start_x = _window_starts(ref_x, radius, wp) + radius
    for a in range(0, len(ref_y), _TILE):
        ty, sy = ref_y[a:a + _TILE], start_y[a:a + _TILE]
        for b in range(0, len(ref_x), _TILE):
            tx, sx = ref_x[b:b + _TILE], start_x[b:b + _TILE]
            # The tile's search area covers the windows of all its references.
            y0, y1 = sy.min(), sy.max() + win
            x0, x1 = sx.min(), sx.max() + win
            cand = cand_all[y0:y1, x0:x1].reshape(-1, dim + 2)
            refs = cand_all[ty[:, None] + radius, tx[None, :] + radius].reshape(-1, dim + 2)
            refs = np.concatenate([-2.0 * refs[:, :dim], refs[:, dim + 1:], refs[:, dim:dim + 1]], axis=1)
            dist = (refs @ cand.T).reshape(len(ty), len(tx), y1 - y0, x1 - x0)
            # Each reference keeps its own window out of the tile's table.
            windows = sliding_window_view(dist, (win, win), axis=(2, 3))
            own = windows[np.arange(len(ty))[:, None], np.arange(len(tx))[None, :],
                          (sy - y0)[:, None], (sx - x0)[None, :]].reshape(-1, win * win)
            # The reference itself always comes first.
            itself = ((ty + radius - sy)[:, None] * win + (tx + radius - sx)[None, :]).ravel()
            own[np.arange(len(itself)), itself] = -1.0
            best, best_d = _smallest(own, keep)
            # Window index -> image position.
            wy, wx = np.divmod(best, win)
            gy = (sy - radius).repeat(len(tx))[:, None] + wy
            gx = np.tile(sx - radius, len(ty))[:, None] + wx
            rows = row_of_ref[a:a + len(ty), b:b + len(tx)].ravel()
            matches[rows] = gy * wp + gx
            counts[rows] = np.count_nonzero(best_d <= tau, axis=1)
    counts = np.maximum(counts, 1)
    sizes = 1 << (np.floor(np.log2(counts)).astype(np.int64))
    return matches, sizes


# --------------------------------------------------------------------------- aggregation helpers
def _fold(block_values: np.ndarray, n: int, shape: tuple[int, int], taper: np.ndarray | None = None) -> np.ndarray:
    """Sum blocks back into an image: (C, n*n, Hp, Wp) block values -> (C, H, W).

    Pixel (y + u, x + v) receives value (u, v) of the block at (y, x); n*n shifted
    additions of whole arrays do this for all blocks at once. With ``taper`` (n*n,),
    ``block_values`` is (C, 1, Hp, Wp): one value per block, spread as ``value * taper``.
    """
    c, _, hp, wp = block_values.shape
    out = np.zeros((c, *shape), dtype=np.float32)
    for u in range(n):
        for v in range(n):
            if taper is None:
                out[:, u:u + hp, v:v + wp] += block_values[:, u * n + v]
            else:
                out[:, u:u + hp, v:v + wp] += taper[u * n + v] * block_values[:, 0]
    return out


class _Accumulator:
    """Sums of weighted, filtered block coefficients and of weights, per block position.

    Because the inverse 2-D transform is linear, summing coefficients per block position
    first and inverting once per position gives the same result as inverting every block
    of every group -- with far fewer matrix products.
    """

    def __init__(self, channels: int, n_positions: int, dim: int) -> None:
        self.coefs = np.zeros((channels, n_positions, dim), dtype=np.float32)
        self.weights = np.zeros((channels, n_positions), dtype=np.float32)

    def add(self, positions: np.ndarray, coefs: np.ndarray, weights: np.ndarray) -> None:
        """Add ``coefs`` (C, k, dim) and ``weights`` (C, k) at block ``positions`` (k,), repeats allowed.

        The repeated positions are summed by a sparse matrix product (rows = distinct
        positions, columns = items), several times faster than ``np.add.at``.
        """
        from scipy import sparse

        unique, where = np.unique(positions, return_inverse=True)
        ones = np.ones(len(positions), dtype=np.float32)
        summer = sparse.csr_matrix((ones, (where, np.arange(len(positions)))), shape=(len(unique), len(positions)))
        for ch in range(len(coefs)):
            self.coefs[ch, unique] += summer @ coefs[ch]
        self.weights[:, unique] += (summer @ weights.T).T

    def image(self, settings: StageSettings, shape: tuple[int, int]) -> np.ndarray:
        """Inverse-transform the sums, put the blocks back (Kaiser-tapered) and normalise by the weights."""
        n = settings.block_size
        _, inverse = _transform_pair(settings.transform, n)
        kaiser = _kaiser_window(n, settings.kaiser_beta)
        hp, wp = shape[0] - n + 1, shape[1] - n + 1
        c = len(self.weights)
        # (C, positions, n*n) coefficients -> (C, n*n, positions) pixels, tapered by the window.
        synthesis = kaiser[:, None] * inverse
        blocks = np.empty((c, n * n, hp * wp), dtype=np.float32)
        for ch in range(c):
            np.matmul(synthesis, self.coefs[ch].T, out=blocks[ch])
        numerator = _fold(blocks.reshape(c, n * n, hp, wp), n, shape)
        denominator = _fold(self.weights.reshape(c, 1, hp, wp), n, shape, taper=kaiser)
        return numerator / np.maximum(denominator, 1e-12)


def _groups_by_size(sizes: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """(group size, reference indices) batches, each at most ``_BATCH`` groups."""
    batches = []
    for size in np.unique(sizes):
        refs = np.flatnonzero(sizes == size)
        for start in range(0, len(refs), _BATCH):
            batches.append((int(size), refs[start:start + _BATCH]))
    return batches


# --------------------------------------------------------------------------- the two steps
def _matching_features(channels: np.ndarray, settings: StageSettings, sigma01: float) -> np.ndarray:
    """Vectors used to compare blocks: the DCT of the luminance blocks, shape (Hp, Wp, n*n).

    The DCT is orthonormal, so distances between these vectors are distances between the
    blocks. For colour the luminance is rescaled to the plain mean of R, G and B (as in
    CBM3D), so ``tau_match`` means the same thing for gray and colour images. With
    ``lambda_2d`` > 0, coefficients below ``lambda_2d * sigma`` are zeroed first, so that
    strong noise does not decide which blocks match (off by default).
    """
    n = settings.block_size
    dct, _ = _transform_pair("dct", n)
    coefs = _block_transform(channels[:1], dct)[0]
    if settings.lambda_2d > 0:
        coefs[np.abs(coefs) < settings.lambda_2d * sigma01] = 0.0
    if channels.shape[0] == 3:
        coefs *= np.float32(1.0 / math.sqrt(3.0))
    return coefs.reshape(channels.shape[1] - n + 1, channels.shape[2] - n + 1, n * n)


def _find_groups(features: np.ndarray, settings: StageSettings) -> tuple[np.ndarray, np.ndarray]:
    """Block matching around every reference block of the step's grid (see :func:`_match_tiles`)."""
    n = settings.block_size
    hp, wp = features.shape[:2]
    tau = settings.tau_match * n * n / 255.0**2  # the threshold is a mean over the block's pixels
    return _match_tiles(features, _reference_grid(hp, settings.step), _reference_grid(wp, settings.step),
                        settings.search_window // 2, settings.max_group, tau)


def _step_hard(channels: np.ndarray, sigma01: float, settings: StageSettings) -> np.ndarray:
    """Step 1: grouping on the noisy luminance, 3-D hard thresholding, aggregation."""
    n = settings.block_size
    c, h, w = channels.shape
    forward, _ = _transform_pair(settings.transform, n)
    coefs = _block_transform(channels, forward)  # (C, positions, n*n)
    matches, sizes = _find_groups(_matching_features(channels, settings, sigma01), settings)

    threshold = np.float32(settings.lambda_3d * sigma01)
    sums = _Accumulator(c, coefs.shape[1], n * n)
    for size, refs in _groups_by_size(sizes):
        positions = matches[refs, :size].T  # (size, m): block positions of m groups
        spectrum = _haar_forward(coefs[:, positions])  # (C, size, m, n*n): the 3-D spectra
        small = np.abs(spectrum) <= threshold
        np.copyto(spectrum, 0.0, where=small)
        # Weight of a group = 1 / (number of kept coefficients), per channel.
        kept = size * n * n - np.count_nonzero(small, axis=(1, 3))
        weight = 1.0 / np.maximum(kept, 1).astype(np.float32)  # (C, m)
        estimate = _haar_inverse(spectrum)
        estimate *= weight[:, None, :, None]
        sums.add(positions.ravel(), estimate.reshape(c, -1, n * n),
                 np.broadcast_to(weight[:, None, :], (c, size, len(refs))).reshape(c, -1))
    return sums.image(settings, (h, w))


def _step_wiener(channels: np.ndarray, basic: np.ndarray, sigma01: float, settings: StageSettings) -> np.ndarray:
    """Step 2: grouping on the basic estimate, 3-D empirical Wiener filtering, aggregation."""
    n = settings.block_size
    c, h, w = channels.shape
    forward, _ = _transform_pair(settings.transform, n)
    basic_coefs = _block_transform(basic.astype(np.float32), forward)
    noisy_coefs = _block_transform(channels, forward)
    if settings.transform == "dct" and c == 1:
        features = basic_coefs[0].reshape(h - n + 1, w - n + 1, n * n)
    else:
        features = _matching_features(basic.astype(np.float32), replace(settings, lambda_2d=0.0), sigma01)
    matches, sizes = _find_groups(features, settings)

    noise_power = np.float32(sigma01**2)
    sums = _Accumulator(c, noisy_coefs.shape[1], n * n)
    for size, refs in _groups_by_size(sizes):
        positions = matches[refs, :size].T
        # Empirical Wiener attenuation b^2 / (b^2 + sigma^2), in [0, 1), from the basic estimate's spectrum b.
        shrink = _haar_forward(basic_coefs[:, positions])  # (C, size, m, n*n)
        np.square(shrink, out=shrink)
        np.divide(shrink, shrink + noise_power, out=shrink)
        spectrum = _haar_forward(noisy_coefs[:, positions])
        spectrum *= shrink
        # Weight = 1 / (sigma^2 * energy of the Wiener filter), per channel.
        energy = np.einsum("cgmd,cgmd->cm", shrink, shrink)
        weight = 1.0 / (noise_power * np.maximum(energy, np.float32(1e-6)))  # (C, m)
        estimate = _haar_inverse(spectrum)
        estimate *= weight[:, None, :, None]
        sums.add(positions.ravel(), estimate.reshape(c, -1, n * n),
                 np.broadcast_to(weight[:, None, :], (c, size, len(refs))).reshape(c, -1))
    return sums.image(settings, (h, w))


# --------------------------------------------------------------------------- public API
def _to_channels(image: np.ndarray) -> np.ndarray:
    """(C, H, W) float32 stack: the gray image, or the opponent colour channels."""
    arr = np.asarray(image, dtype=np.float32)
    if arr.ndim == 2:
        return arr[None].copy()
    return np.einsum("ij,hwj->ihw", OPPONENT.astype(np.float32), arr)


def _from_channels(channels: np.ndarray, like: np.ndarray) -> np.ndarray:
    if like.ndim == 2:
        return channels[0]
    return np.einsum("ji,jhw->hwi", OPPONENT, channels)


def _check_image(image: np.ndarray) -> np.ndarray:
    arr = np.asarray(image)
    if arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[2] != 3):
        raise ImageValueError(f"BM3D needs an HxW or HxWx3 image, got shape {arr.shape}")
    if not np.issubdtype(arr.dtype, np.floating):
        raise ImageValueError(f"BM3D needs a float image in [0, 1], got dtype {arr.dtype}")
    return arr


def _pad_small(channels: np.ndarray, size: int) -> tuple[np.ndarray, tuple[int, int]]:
    """Mirror-pad images smaller than one block so that at least one block fits."""
    _, h, w = channels.shape
    ph, pw = max(0, size - h), max(0, size - w)
    if ph or pw:
        channels = np.pad(channels, ((0, 0), (0, ph), (0, pw)), mode="symmetric")
    return channels, (h, w)


def denoise_bm3d(
    image: np.ndarray,
    *,
    sigma: float,
    two_step: bool = True,
    lambda_3d: float | None = None,
    step: int | None = None,
    search_window: int | None = None,
    max_group: int | None = None,
    stage_settings: tuple[StageSettings, StageSettings] | None = None,
) -> np.ndarray:
    """Remove white Gaussian noise with BM3D (gray) or CBM3D (colour).

    The model is ``noisy = clean + n`` with ``n`` white Gaussian noise of known
    standard deviation ``sigma``. See the module docstring for how the method works.

    Parameters
    ----------
    image : numpy.ndarray
        HxW or HxWx3 float image in [0, 1] (noise may push values slightly outside).
    sigma : float
        Noise standard deviation on the 0-255 scale. A larger value removes more
        noise and more fine detail.
    two_step : bool
        Run the Wiener step after the hard-thresholding step (better by about 0.3-0.7 dB,
        roughly twice the time). ``False`` returns the basic estimate.
    lambda_3d : float, optional
        Hard-threshold multiplier of step 1 (default 2.7); larger removes more.
    step : int, optional
        Spacing of reference blocks in both steps (default 3). Larger is faster and
        slightly worse.
    search_window : int, optional
        Side of the square search window (odd; default 39). Larger finds more matches, slower.
    max_group : int, optional
        Largest group in step 1 (a power of two; default 16); step 2 uses twice as many.
    stage_settings : (StageSettings, StageSettings), optional
        Full control over both steps; overrides the defaults of :func:`bm3d_settings`
        (the individual knobs above still apply on top).

    Returns
    -------
    numpy.ndarray
        The denoised image, same shape and dtype as ``image`` (not clipped).

    Notes
    -----
    The result is deterministic. Images above about a megapixel are processed in
    overlapping horizontal bands to bound memory (a pass holds a few arrays of 64 floats
    per pixel); the bands overlap enough that no seam shows. Matrix products run on one
    thread during the call (see :func:`_single_threaded_blas`).

    References
    ----------
    K. Dabov, A. Foi, V. Katkovnik and K. Egiazarian, "Image denoising by sparse 3-D
    transform-domain collaborative filtering", IEEE TIP 16(8), 2007.
    """
    arr = _check_image(image)
    if sigma <= 0:
        return arr.copy()
    hard, wiener = stage_settings or bm3d_settings(sigma)
    if lambda_3d is not None:
        hard = replace(hard, lambda_3d=float(lambda_3d))
    if step is not None:
        hard, wiener = replace(hard, step=int(step)), replace(wiener, step=int(step))
    if search_window is not None:
        hard = replace(hard, search_window=int(search_window))
        wiener = replace(wiener, search_window=int(search_window))
    if max_group is not None:
        hard, wiener = replace(hard, max_group=int(max_group)), replace(wiener, max_group=2 * int(max_group))

    sigma01 = float(sigma) / 255.0
    channels, (h, w) = _pad_small(_to_channels(arr), max(hard.block_size, wiener.block_size))
    with _single_threaded_blas():
        estimate = np.empty_like(channels)
        for top, bottom, keep_top, keep_bottom in _bands(channels.shape[1], channels.shape[2], hard, wiener):
            band = channels[:, top:bottom]
            filtered = _step_hard(band, sigma01, hard)
            if two_step:
                filtered = _step_wiener(band, filtered, sigma01, wiener)
            estimate[:, keep_top:keep_bottom] = filtered[:, keep_top - top:keep_bottom - top]
    result = _from_channels(estimate[:, :h, :w], arr)
    return result.astype(arr.dtype, copy=False)


def _bands(h: int, w: int, hard: StageSettings, wiener: StageSettings) -> list[tuple[int, int, int, int]]:
    """Horizontal bands (top, bottom, keep_top, keep_bottom) that bound the memory of one pass.

    A pass holds a few arrays of 64 floats per pixel, so images above ``_BAND_PIXELS`` are
    cut into bands processed one after the other. Each band overlaps its neighbours by a
    margin wide enough for both steps (a search window plus a block, twice), so the kept
    rows see the same neighbourhood as in one pass and the seams do not show.
    """
    reach = max(s.search_window // 2 + s.block_size for s in (hard, wiener))
    margin = 2 * reach
    rows = max(_BAND_PIXELS // max(w, 1), 2 * margin)
    if h <= rows + 2 * margin:
        return [(0, h, 0, h)]
    bands = []
    for keep_top in range(0, h, rows):
        keep_bottom = min(keep_top + rows, h)
        bands.append((max(keep_top - margin, 0), min(keep_bottom + margin, h), keep_top, keep_bottom))
    return bands


@dataclass(frozen=True)
class BlockGroup:
    """The blocks BM3D groups with one reference block (for teaching pages).

    Attributes
    ----------
    coords : numpy.ndarray
        (k, 2) int array of (row, column) top-left corners, the reference block first,
        then its matches from most to least similar.
    distances : numpy.ndarray
        (k,) mean squared differences to the reference block on the 0-255 scale
        (the quantity compared with ``tau_match``); the first is 0.
    block_size : int
        Side of the blocks.
    search_box : tuple of int
        (top, left, bottom, right), exclusive bottom/right: the pixels the search window covered.
    """

    coords: np.ndarray
    distances: np.ndarray
    block_size: int
    search_box: tuple[int, int, int, int]


def match_group(
    image: np.ndarray,
    row: int,
    col: int,
    *,
    sigma: float,
    step: Literal[1, 2] = 1,
    basic: np.ndarray | None = None,
    settings: StageSettings | None = None,
) -> BlockGroup:
    """The group BM3D would form around the block centred on pixel (``row``, ``col``).

    Matching uses the same distance, window and threshold as :func:`denoise_bm3d`,
    on the luminance (the image itself when gray). The block is clamped to stay inside
    the image, so a click near a border gives the nearest full block.

    Parameters
    ----------
    image : numpy.ndarray
        The noisy HxW or HxWx3 image in [0, 1].
    row, col : int
        The clicked pixel.
    sigma : float
        Noise standard deviation (0-255 scale); chooses the profile and, for step 1 at
        high noise, the pre-filter.
    step : {1, 2}
        Which step's grouping to show: step 1 matches noisy blocks, step 2 matches
        blocks of the basic estimate (computed here unless ``basic`` is given).
    basic : numpy.ndarray, optional
        The step-1 estimate, to avoid recomputing it for step 2.
    settings : StageSettings, optional
        Override the profile of the chosen step.

    Returns
    -------
    BlockGroup
        Block corners (the reference first) and their distances.
    """
    arr = _check_image(image)
    if step not in (1, 2):
        raise ValueError(f"step must be 1 or 2, got {step}")
    hard, wiener = bm3d_settings(sigma)
    chosen = settings or (hard if step == 1 else wiener)
    sigma01 = max(float(sigma), 0.0) / 255.0
    if step == 2:
        source = basic if basic is not None else denoise_bm3d(arr, sigma=sigma, two_step=False)
    else:
        source = arr
    channels = _to_channels(np.asarray(source, dtype=np.float32))
    n = chosen.block_size
    h, w = channels.shape[1:]
    if h < n or w < n:
        raise ImageValueError(f"image {h}x{w} is smaller than one {n}x{n} block")
    ref_y = int(np.clip(row - n // 2, 0, h - n))
    ref_x = int(np.clip(col - n // 2, 0, w - n))
    radius = chosen.search_window // 2
    win = 2 * radius + 1
    # Only the search window is needed: the same window as in denoise_bm3d (shifted inside
    # the image near a border), plus the n - 1 pixels the last blocks reach beyond it.
    start_y = int(_window_starts(np.array([ref_y]), radius, h - n + 1)[0])
    start_x = int(_window_starts(np.array([ref_x]), radius, w - n + 1)[0])
    top, left = max(start_y, 0), max(start_x, 0)
    bottom, right = min(start_y + win + n - 1, h), min(start_x + win + n - 1, w)
    crop = channels[:, top:bottom, left:right]
    features = _matching_features(crop, chosen if step == 1 else replace(chosen, lambda_2d=0.0), sigma01)
    tau = chosen.tau_match * n * n / 255.0**2
    matches, sizes = _match_tiles(features, np.array([ref_y - top]), np.array([ref_x - left]),
                                  radius, chosen.max_group, tau)
    size = int(sizes[0])
    wp = features.shape[1]
    ys, xs = np.divmod(matches[0, :size], wp)
    ref = features[ref_y - top, ref_x - left]
    dist = np.sum((features[ys, xs] - ref) ** 2, axis=1) * 255.0**2 / (n * n)
    dist[0] = 0.0
    coords = np.stack([ys + top, xs + left], axis=1).astype(np.int64)
    return BlockGroup(coords=coords, distances=dist.astype(np.float64), block_size=n,
                      search_box=(top, left, bottom, right))


# --------------------------------------------------------------------------- registry glue
def bm3d_auto_params(observation: Observation) -> dict[str, Any]:
    """Noise-dependent defaults for the registry: the noise level BM3D will assume.

    Every other BM3D setting follows sigma inside :func:`bm3d_settings`; showing sigma
    itself lets a user see (and override) the estimate when the noise is unknown.
    """
    return {"sigma": min(round(noise_level(observation, floor=0.5), 2), 100.0)}


def run_bm3d(
    observation: Observation,
    *,
    sigma: float,
    two_step: bool,
    lambda_3d: float,
    step: int,
    search_window: int,
    max_group: int,
    tuning: str,
) -> np.ndarray:
    """Registry adapter for :func:`denoise_bm3d` (``tuning="self"``: sigma from the noisy image alone,
    :func:`restoration.tuning.self_tune`).

    ``sigma`` = 0 means "the observation's sigma, or an estimate when it is unknown";
    an even ``search_window`` is rounded up to the next odd number.
    """
    from ..tuning import tuned_value

    sigma = tuned_value("bm3d", observation, tuning, sigma)
    level = sigma if sigma > 0 else noise_level(observation, floor=0.5)
    window = search_window + 1 - search_window % 2
    return denoise_bm3d(observation.degraded.astype(np.float32), sigma=level, two_step=two_step,
                        lambda_3d=lambda_3d, step=step, search_window=window, max_group=max_group)


def bm3d_prior(image: np.ndarray, sigma: float) -> np.ndarray:
    """BM3D as a prior (the :data:`~restoration.algorithm.Denoiser` protocol): its settings follow ``sigma``."""
    return denoise_bm3d(np.asarray(image, dtype=np.float32), sigma=max(float(sigma), 0.5))
