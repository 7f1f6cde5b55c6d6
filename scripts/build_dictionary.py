"""Learn the dictionaries shipped in ``assets/dictionaries/`` (offline, deterministic).

Two kinds of dictionaries are built, both from the project's own gallery
(``assets/gallery``, public-domain / CC0 / matplotlib-licensed images, always
present), leaving out every gallery image that is also a standard test image
(``cameraman`` is Set12's first image), so that no benchmark image was seen in training:

* ``ksvd_gray_8x8.npz`` -- 256 zero-mean atoms of 8x8 pixels for sparse denoising and
  inpainting (:mod:`restoration.classic.sparse`): K-SVD on 8x8 patches of the gallery's
  luma, starting from the over-complete DCT.
* ``sr_coupled_x{2,3,4}.npz`` -- coupled (feature, detail) dictionaries for sparse-coding
  super-resolution (:mod:`restoration.classic.superres`): for every scale, pairs of
  (derivative features of the bicubic enlargement, high-resolution detail) patches are
  learned *jointly* (one K-SVD on the concatenated, energy-balanced vectors, as Yang et al.
  2010), then the detail half is refitted by least squares to the codes that the feature
  half alone gives (Zeyde et al. 2010) -- which is how the dictionaries are used at run time.

Only derived numbers are stored (atoms, a PCA basis), never image pixels. The files record
the command line, the training images and the settings in their ``info`` field.

Rebuild everything (1 to 8 minutes on 2 cores, depending on their load; deterministic)::

    python scripts/build_dictionary.py

Options: ``--only gray`` or ``--only sr``, ``--seed``, ``--out``; ``--validate DIR`` prints
the denoising / SR PSNR on a few images of a folder (e.g. ``../shared/datasets/Train400``)
for the candidate dictionaries, without using them for training.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from pathlib import Path

import numpy as np

from restoration.classic.sparse import (
    DICTIONARY_DIR,
    PATCH_DICTIONARY_FILE,
    Dictionary,
    dct_dictionary,
    denoise_sparse,
    extract_patches,
    ksvd,
    omp,
)
from restoration.classic.superres import (
    CoupledDictionary,
    coupled_dictionary_file,
    sr_pairs,
    sr_sparse,
)
from restoration.colour import to_ycbcr
from restoration.gallery import list_gallery
from restoration.images import load_image, to_gray
from restoration.metrics import psnr
from restoration.ops import imresize, modcrop

ROOT = Path(__file__).resolve().parents[1]

#: Gallery images left out of training because they are standard test images (Set12 / Set5 / Kodak24).
EXCLUDED = ("cameraman",)


def training_images(luma: str = "gray") -> tuple[list[np.ndarray], list[str]]:
    """The gallery images used for training, as 2-D luma arrays, and their keys."""
    images, keys = [], []
    for item in list_gallery():
        if item.key in EXCLUDED:
            continue
        img = item.load()
        if img.ndim == 3:
            img = to_gray(img) if luma == "gray" else to_ycbcr(img)[..., 0].astype(np.float32)
        images.append(np.asarray(img, dtype=np.float32))
        keys.append(item.key)
    return images, keys


def sample_rows(counts: list[int], total: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Split ``total`` samples over sources in proportion to their sizes; random rows of each."""
    weights = np.asarray(counts, dtype=float) / float(sum(counts))
    take = np.maximum(1, np.round(weights * total).astype(int))
    return [np.sort(rng.choice(c, size=min(int(t), c), replace=False)) for c, t in zip(counts, take, strict=True)]


# --------------------------------------------------------------------------- the gray patch dictionary
def build_gray(args: argparse.Namespace, rng: np.random.Generator) -> Dictionary:
    """K-SVD on 8x8 zero-mean patches of the gallery luma, from the over-complete DCT."""
    images, keys = training_images("gray")
    size = 8
    all_patches = [extract_patches(img, size, 1)[0] for img in images]
    picks = sample_rows([p.shape[0] for p in all_patches], args.gray_patches * 3, rng)
    patches = np.vstack([p[i] for p, i in zip(all_patches, picks, strict=True)]).astype(np.float32)
    patches -= patches.mean(axis=1, keepdims=True)
    # flat patches teach nothing: keep the textured ones (std above 2 grey levels), then subsample
    std = patches.std(axis=1)
    patches = patches[std > 2.0 / 255.0]
    patches = patches[rng.permutation(patches.shape[0])[: args.gray_patches]]
    print(f"gray: {patches.shape[0]} patches from {len(images)} images", flush=True)
    n = size * size
    tol = (args.gray_gain * args.gray_sigma / 255.0) ** 2 * n
    dc = np.full((n, 1), 1.0 / np.sqrt(n), dtype=np.float32)
    start = np.hstack([dc, dct_dictionary(size, args.gray_atoms)])
    learned, codes = ksvd(patches, start, iterations=args.gray_iterations, max_atoms=args.gray_max_atoms + 1,
                          tolerance=tol, fixed_atoms=1, rng=rng, log=True)
    atoms = learned[:, 1:]
    atoms = atoms - atoms.mean(axis=0)
    atoms /= np.maximum(np.linalg.norm(atoms, axis=0), 1e-12)
    info = {
        "what": "K-SVD dictionary of zero-mean 8x8 patches (the DC atom is implicit)",
        "training_images": keys,
        "excluded": list(EXCLUDED),
        "patches": int(patches.shape[0]),
        "iterations": args.gray_iterations,
        "coding": f"OMP to ||r||^2 <= ({args.gray_gain} * {args.gray_sigma}/255)^2 * 64, at most "
                  f"{args.gray_max_atoms} atoms",
        "start": "over-complete separable DCT (16 x 16 frequencies, DC dropped)",
        "seed": args.seed,
        "command": args.command,
        "mean_atoms": float(codes.counts.mean() - 1),
    }
    return Dictionary(atoms=atoms.astype(np.float32), patch_size=size, info=info)


def save_gray(dico: Dictionary, out: Path) -> Path:
    path = out / PATCH_DICTIONARY_FILE
    np.savez_compressed(path, atoms=dico.atoms.astype(np.float32), patch_size=np.int64(dico.patch_size),
                        info=np.array(json.dumps(dico.info, sort_keys=True)))
    return path


# --------------------------------------------------------------------------- coupled SR dictionaries
def sr_training_pairs(
    images: list[np.ndarray], scale: int, size: int, total: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Random (raw feature, detail) patch pairs from bicubic-degraded copies of the images."""
    feats, details = [], []
    for img in images:
        hr = modcrop(img, scale)
        lr = imresize(hr, 1.0 / scale)
        mid = imresize(lr, output_shape=hr.shape)
        f, d, _, _ = sr_pairs(mid, size, 1, hr)
        feats.append(f)
        details.append(d)
    picks = sample_rows([f.shape[0] for f in feats], total * 2, rng)
    f_all = np.vstack([f[i] for f, i in zip(feats, picks, strict=True)])
    d_all = np.vstack([d[i] for d, i in zip(details, picks, strict=True)])  # type: ignore[index]
    # drop the flattest patches (no detail to learn), keep ``total`` at random
    energy = (f_all.astype(np.float64) ** 2).sum(axis=1)
    keep = np.flatnonzero(energy > np.quantile(energy, 0.1))
    keep = keep[rng.permutation(keep.size)[:total]]
    return f_all[keep].astype(np.float32), d_all[keep].astype(np.float32)


def build_coupled(
    args: argparse.Namespace, scale: int, rng: np.random.Generator, refit: bool = True
) -> CoupledDictionary:
    """Joint K-SVD of (PCA features, details), then a least-squares refit of the detail half."""
    images, keys = training_images("ycbcr")
    size = args.sr_patch if args.sr_patch else 3 * scale
    feats, details = sr_training_pairs(images, scale, size, args.sr_patches, rng)
    # PCA of the raw features: keep 99.9 % of their energy
    cov = feats.astype(np.float64).T @ feats.astype(np.float64)
    evals, evecs = np.linalg.eigh(cov)
    evals, evecs = evals[::-1], evecs[:, ::-1]
    dims = int(np.searchsorted(np.cumsum(evals) / evals.sum(), 0.999) + 1)
    projection = evecs[:, :dims].astype(np.float32)
    low_f = feats @ projection
    # energy-balanced concatenation: both halves weigh the same in the joint fit
    rms_f = float(np.sqrt((low_f.astype(np.float64) ** 2).sum(1).mean()))
    rms_h = float(np.sqrt((details.astype(np.float64) ** 2).sum(1).mean()))
    joint = np.hstack([low_f / rms_f, details / rms_h]).astype(np.float32)
    print(f"sr x{scale}: {joint.shape[0]} pairs, patch {size}, PCA {feats.shape[1]} -> {dims} dims", flush=True)
    start = joint[rng.choice(joint.shape[0], size=args.sr_atoms, replace=False)].T.copy()
    start /= np.maximum(np.linalg.norm(start, axis=0), 1e-12)
    learned, _ = ksvd(joint, start, iterations=args.sr_iterations, max_atoms=args.sr_sparsity, rng=rng, log=True)
    low = learned[:dims] * rms_f
    high = learned[dims:] * rms_h
    norms = np.maximum(np.linalg.norm(low, axis=0), 1e-12)
    low, high = low / norms, high / norms  # unit-norm feature atoms; the detail atoms follow the same scaling
    if refit:
        codes = omp(low, low_f, max_atoms=args.sr_sparsity)
        a = codes.to_dense(low.shape[1])
        gram = a.T @ a + 1e-6 * np.eye(a.shape[1])
        high = np.linalg.solve(gram, a.T @ details.astype(np.float64)).T
    info = {
        "what": f"coupled dictionaries for x{scale} sparse-coding SR (features: 4 derivative maps of the bicubic "
                f"enlargement, {size}x{size} patches, PCA to {dims} dims; details: HR - bicubic)",
        "training_images": keys,
        "excluded": list(EXCLUDED),
        "channel": "Y of YCbCr (MATLAB rgb2ycbcr); gray images as they are",
        "degradation": f"imresize(hr, 1/{scale}) bicubic, anti-aliased, float (no uint8 rounding)",
        "pairs": int(joint.shape[0]),
        "atoms": args.sr_atoms,
        "sparsity": args.sr_sparsity,
        "iterations": args.sr_iterations,
        "training": "joint K-SVD on energy-balanced [features; details]"
                    + ("; detail half refitted by least squares to the feature-only OMP codes" if refit else ""),
        "seed": args.seed,
        "command": args.command,
    }
    return CoupledDictionary(scale=scale, patch_size=size, projection=projection, low=low.astype(np.float32),
                             high=high.astype(np.float32), atoms_per_patch=args.sr_sparsity, info=info)


# --------------------------------------------------------------------------- validation (not used for training)
def validation_images(folder: Path, count: int) -> list[np.ndarray]:
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".png", ".jpg", ".bmp", ".tif"))
    step = max(1, len(files) // count)
    return [load_image(p) for p in files[::step][:count]]


def validate_gray(dico: Dictionary, images: list[np.ndarray]) -> None:
    for sigma in (15, 25, 50):
        scores, base = [], []
        for i, img in enumerate(images):
            gray = to_gray(img)
            noisy = gray + np.random.default_rng(i).standard_normal(gray.shape).astype(np.float32) * sigma / 255
            scores.append(psnr(gray, denoise_sparse(noisy, sigma=sigma, dictionary=dico, stride=2)))
            base.append(psnr(gray, denoise_sparse(noisy, sigma=sigma, dictionary=dct_dictionary(), stride=2)))
        print(f"  validation sigma {sigma}: learned {np.mean(scores):.2f} dB, DCT {np.mean(base):.2f} dB", flush=True)


def validate_sr(dico: CoupledDictionary, images: list[np.ndarray]) -> float:
    s = dico.scale
    scores, base = [], []
    for img in images:
        y = to_ycbcr(img)[..., 0] if img.ndim == 3 else img
        hr = modcrop(y.astype(np.float32), s)
        lr = np.clip(imresize(hr, 1.0 / s), 0, 1)
        scores.append(psnr(hr, np.clip(sr_sparse(lr, s, dictionary=dico), 0, 1), crop_border=s))
        base.append(psnr(hr, np.clip(imresize(lr, output_shape=hr.shape), 0, 1), crop_border=s))
    print(f"  validation x{s}: sparse SR {np.mean(scores):.2f} dB, bicubic {np.mean(base):.2f} dB", flush=True)
    return float(np.mean(scores))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=DICTIONARY_DIR, help="output folder")
    parser.add_argument("--only", choices=("gray", "sr"), help="build only one kind")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--gray-patches", type=int, default=60000)
    parser.add_argument("--gray-atoms", type=int, default=256)
    parser.add_argument("--gray-iterations", type=int, default=30)
    parser.add_argument("--gray-sigma", type=float, default=15.0, help="residual level (0-255) of training codes")
    parser.add_argument("--gray-gain", type=float, default=1.15)
    parser.add_argument("--gray-max-atoms", type=int, default=12)
    parser.add_argument("--sr-scales", type=int, nargs="+", default=[2, 3, 4])
    parser.add_argument("--sr-patches", type=int, default=100000)
    parser.add_argument("--sr-atoms", type=int, default=512)
    parser.add_argument("--sr-sparsity", type=int, default=3)
    parser.add_argument("--sr-iterations", type=int, default=15)
    parser.add_argument("--sr-patch", type=int, default=0, help="patch side on the HR grid (0 = 3 * scale)")
    parser.add_argument("--no-refit", action="store_true", help="ship the jointly trained detail half as it is")
    parser.add_argument("--validate", type=Path, help="folder of validation images (prints PSNR only)")
    parser.add_argument("--validate-count", type=int, default=6)
    args = parser.parse_args(argv)
    args.command = "python scripts/build_dictionary.py" + "".join(
        f" {shlex.quote(a)}" for a in (sys.argv[1:] if argv is None else argv))
    args.out.mkdir(parents=True, exist_ok=True)
    val = validation_images(args.validate, args.validate_count) if args.validate else []
    print(f"$ {args.command}", flush=True)
    t0 = time.perf_counter()
    if args.only in (None, "gray"):
        dico = build_gray(args, np.random.default_rng(args.seed))
        print(f"wrote {save_gray(dico, args.out)}", flush=True)
        if val:
            validate_gray(dico, val)
    if args.only in (None, "sr"):
        for scale in args.sr_scales:
            coupled = build_coupled(args, scale, np.random.default_rng(args.seed + scale), refit=not args.no_refit)
            path = args.out / coupled_dictionary_file(scale)
            coupled.save(str(path))
            print(f"wrote {path}", flush=True)
            if val:
                validate_sr(coupled, val)
    print(f"done in {time.perf_counter() - t0:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
