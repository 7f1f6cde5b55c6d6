"""Biharmonic inpainting: fill the missing pixels with the smoothest surface through the known ones.

The model
---------
Treat the image as a thin elastic plate pinned at the known pixels. The plate takes
the shape that bends least: among all images equal to the observation at the known
pixels, the one minimising the *bending energy*

``E(u) = sum_p (Lap u)_p^2``,

where ``Lap`` is the 5-point discrete Laplacian (the sum of the four neighbours minus
four times the pixel, mirrored at the image border). Setting the derivative to zero
gives the biharmonic equation ``Lap(Lap u) = 0`` at every missing pixel. Compared with
harmonic filling (``Lap u = 0``, a soap film), the plate also continues the *slope* of
the known surface into the hole, so smooth gradients cross holes without a crease; it
cannot invent texture or continue sharp edges across large holes, which come out blurred.

Solving it fast
---------------
The equations couple each missing pixel with its neighbours up to two pixels away,
one sparse linear system for the whole image. scikit-image solves it directly (a sparse
LU factorisation), which is exact but slow when much of the image is missing (about
1.7 s for half of a 512x512 image missing at random, 8 s for 80 % on a 2-core machine).
The default solver here is faster:

1. **coarse-to-fine start**: the mask and the known values are averaged over 2x2
   blocks, recursively, until the problem is small enough to solve directly; each
   coarse solution, enlarged, is the starting guess one level finer;
2. **conjugate gradients** on the (symmetric positive definite) system of the
   missing pixels, with a diagonal preconditioner, matrix-free (two Laplacians per step),
   all colour channels at once (they share the system);
3. only the bounding box of the missing pixels (plus a margin) is solved.

On random masks this reaches the direct solution to better than 1e-4 within a few
tens of iterations. On very large holes (hundreds of pixels across) the iteration
stops before full convergence and the fill is slightly smoother than the exact
biharmonic one; ``solver="direct"`` calls scikit-image for the exact answer.

References
----------
S. B. Damelin and N. S. Hoang, "On surface completion and image inpainting by
biharmonic functions: numerical aspects", Int. J. Math. Math. Sci. 2018 (the method of
``skimage.restoration.inpaint_biharmonic``); W. L. Briggs, V. E. Henson and
S. F. McCormick, *A Multigrid Tutorial*, 2nd ed., SIAM 2000 (coarse-to-fine starts).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from scipy import ndimage, sparse
from scipy.sparse.linalg import splu

from ..observation import Observation

__all__ = ["Solver", "inpaint_biharmonic", "run_biharmonic"]

Solver = Literal["multigrid", "direct"]

_DIRECT_MAX = 3000  # unknowns solved by a sparse factorisation on the coarsest level


def _laplacian(u: np.ndarray) -> np.ndarray:
    """5-point Laplacian of a C x H x W stack with a mirrored (zero-flux) border; symmetric operator."""
    out = np.zeros_like(u)
    d = u[:, 1:, :] - u[:, :-1, :]
    out[:, :-1, :] += d
    out[:, 1:, :] -= d
    d = u[:, :, 1:] - u[:, :, :-1]
    out[:, :, :-1] += d
    out[:, :, 1:] -= d
    return out


def _diagonal(shape: tuple[int, int]) -> np.ndarray:
    """Diagonal of ``Lap^T Lap`` on an HxW grid: ``deg^2 + deg`` with ``deg`` the number of neighbours."""
    h, w = shape
    deg = np.full((h, w), 4.0)
    deg[0, :] -= 1
    deg[-1, :] -= 1
    deg[:, 0] -= 1
    deg[:, -1] -= 1
    return deg**2 + deg


def _laplacian_matrix(h: int, w: int) -> sparse.csr_matrix:
    def second(n: int) -> sparse.dia_matrix:
        main = -2.0 * np.ones(n)
        main[0] += 1
        main[-1] += 1
        if n == 1:
            main[:] = 0.0
        return sparse.diags([np.ones(n - 1), main, np.ones(n - 1)], [-1, 0, 1])

    return (sparse.kron(second(h), sparse.eye(w)) + sparse.kron(sparse.eye(h), second(w))).tocsr()


def _solve_direct(values: np.ndarray, unknown: np.ndarray) -> np.ndarray:
    """Exact minimiser of ``||Lap u||^2`` by a sparse factorisation (small problems)."""
    c, h, w = values.shape
    lap = _laplacian_matrix(h, w)
    u = unknown.ravel()
    lap_u, lap_k = lap[:, u], lap[:, ~u]
    a = (lap_u.T @ lap_u).tocsc()
    flat = values.reshape(c, -1)
    rhs = -(lap_u.T @ (lap_k @ flat[:, ~u].T))
    sol = splu(a, permc_spec="MMD_AT_PLUS_A", diag_pivot_thresh=0.0, options={"SymmetricMode": True}).solve(
        np.asarray(rhs, dtype=np.float64))
    out = flat.copy()
    out[:, u] = np.asarray(sol).T.reshape(c, -1)
    return out.reshape(c, h, w)


def _dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per-channel inner products of two C x H x W stacks, accumulated in float64."""
    return np.einsum("chw,chw->c", a, b, dtype=np.float64)


def _pcg(values: np.ndarray, unknown: np.ndarray, start: np.ndarray, iterations: int, tol: float) -> np.ndarray:
    """Jacobi-preconditioned conjugate gradients on ``P (Lap Lap) P u = -P Lap Lap (known)``, all channels at once.

    The vectors are float32 (the Laplacians are memory-bound: half the bytes, about
    twice the speed); inner products are accumulated in float64.
    """
    m = unknown[None].astype(np.float32)
    known_part = (values * (1.0 - m)).astype(np.float32)
    b = -_laplacian(_laplacian(known_part)) * m
    x = (start * m).astype(np.float32)
    r = b - _laplacian(_laplacian(x)) * m
    inv_diag = (m / _diagonal(unknown.shape)[None]).astype(np.float32)
    z = r * inv_diag
    p = z.copy()
    rz = _dot(r, z)
    b_norm = np.sqrt(_dot(b, b)) + 1e-30
    for _ in range(int(iterations)):
        if np.all(np.sqrt(_dot(r, r)) <= tol * b_norm):
            break
        ap = _laplacian(_laplacian(p))
        ap *= m
        alpha = (rz / np.maximum(_dot(p, ap), 1e-300)).astype(np.float32)
        x += alpha[:, None, None] * p
        r -= alpha[:, None, None] * ap
        z = r * inv_diag
        rz_new = _dot(r, z)
        beta = (rz_new / np.maximum(rz, 1e-300)).astype(np.float32)
        p *= beta[:, None, None]
        p += z
        rz = rz_new
    return known_part.astype(np.float64) + x.astype(np.float64) * m


def _solve_multilevel(values: np.ndarray, unknown: np.ndarray, iterations: int, tol: float) -> np.ndarray:
    """Coarse-to-fine conjugate gradients (see the module docstring)."""
    c, h, w = values.shape
    n_unknown = int(unknown.sum())
    if n_unknown == 0:
        return values
    if n_unknown <= _DIRECT_MAX or min(h, w) < 8:
        return _solve_direct(values, unknown)
    # restrict: a coarse pixel is known when any of its 2x2 children is; value = mean of the known children
    h2, w2 = (h + 1) // 2, (w + 1) // 2
    pad = ((0, 2 * h2 - h), (0, 2 * w2 - w))
    known = np.pad((~unknown).astype(np.float64), pad)
    counts = known.reshape(h2, 2, w2, 2).sum(axis=(1, 3))
    sums = np.stack([np.pad(v * (~unknown), pad) for v in values]).reshape(c, h2, 2, w2, 2).sum(axis=(2, 4))
    coarse_unknown = counts == 0
    coarse = np.where(coarse_unknown[None], 0.0, sums / np.maximum(counts, 1.0)[None])
    coarse = _solve_multilevel(coarse, coarse_unknown, 2 * iterations, tol)
    start = np.stack([ndimage.zoom(p, 2, order=1, mode="nearest", grid_mode=True)[:h, :w] for p in coarse])
    return _pcg(values, unknown, start, iterations, tol)


def inpaint_biharmonic(
    image: np.ndarray,
    mask: np.ndarray,
    *,
    solver: Solver = "multigrid",
    iterations: int = 40,
    tol: float = 1e-6,
) -> np.ndarray:
    """Fill the missing pixels by biharmonic (thin-plate) interpolation of the known ones.

    Minimises the bending energy ``sum_p (Lap u)_p^2`` over the missing pixels, the
    known pixels being fixed (see the module docstring). Colour channels share the
    system and are solved together. The result is clipped, channel by channel, to the
    range of the known values (a plate can overshoot next to steep edges).

    Parameters
    ----------
    image : numpy.ndarray
        HxW or HxWxC float image (values at missing pixels are ignored).
    mask : numpy.ndarray
        HxW boolean array, **True where the pixel is known** (the project's convention;
        scikit-image's own function takes the opposite mask).
    solver : {"multigrid", "direct"}
        ``"multigrid"``: coarse-to-fine conjugate gradients (fast; converged on random
        and thin masks, slightly smoother than exact on very large holes).
        ``"direct"``: ``skimage.restoration.inpaint_biharmonic`` (exact, slow on large masks).
    iterations : int
        Conjugate-gradient steps on the finest level (doubling on each coarser level);
        more is closer to the exact solution on large holes.
    tol : float
        Stop a level when the relative residual falls below ``tol``.

    Returns
    -------
    numpy.ndarray
        The inpainted image, same shape and dtype; known pixels are unchanged.

    References
    ----------
    S. B. Damelin and N. S. Hoang, Int. J. Math. Math. Sci. 2018.
    """
    arr = np.asarray(image)
    known = np.asarray(mask, dtype=bool)
    if known.shape != arr.shape[:2]:
        raise ValueError(f"mask shape {known.shape} does not match image shape {arr.shape[:2]}")
    dtype = arr.dtype if arr.dtype.kind == "f" else np.float32
    if known.all():
        return arr.astype(dtype, copy=True)
    planes = np.asarray(arr, dtype=np.float64)
    planes = planes[None] if planes.ndim == 2 else np.moveaxis(planes, 2, 0)
    if not known.any():  # nothing to interpolate from
        out = np.full(planes.shape, 0.5)
    elif solver == "direct":
        from skimage.restoration import inpaint_biharmonic as sk_inpaint

        res = sk_inpaint(np.moveaxis(planes, 0, 2), ~known, channel_axis=-1)
        out = np.moveaxis(res, 2, 0)
    else:
        unknown = ~known
        rows, cols = np.flatnonzero(unknown.any(axis=1)), np.flatnonzero(unknown.any(axis=0))
        margin = 3
        r0, r1 = max(rows[0] - margin, 0), min(rows[-1] + margin + 1, known.shape[0])
        c0, c1 = max(cols[0] - margin, 0), min(cols[-1] + margin + 1, known.shape[1])
        out = planes.copy()
        box = np.where(known[None, r0:r1, c0:c1], planes[:, r0:r1, c0:c1], 0.0)
        out[:, r0:r1, c0:c1] = _solve_multilevel(box, unknown[r0:r1, c0:c1], int(iterations), float(tol))
        low = planes[:, known].min(axis=1)
        high = planes[:, known].max(axis=1)
        out = np.clip(out, low[:, None, None], high[:, None, None])
        out[:, known] = planes[:, known]
    result = out[0] if arr.ndim == 2 else np.moveaxis(out, 0, 2)
    return np.ascontiguousarray(result).astype(dtype, copy=False)


def run_biharmonic(observation: Observation, *, solver: Solver, iterations: int) -> np.ndarray:
    """Registry adapter: biharmonic inpainting of the observation's missing pixels."""
    degraded = np.asarray(observation.degraded, dtype=np.float32)
    if observation.mask is None:
        return degraded.copy()
    return inpaint_biharmonic(degraded, observation.mask, solver=solver, iterations=iterations)
