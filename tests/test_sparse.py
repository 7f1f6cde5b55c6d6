"""Tests of sparse representation: OMP, K-SVD, the shipped dictionary, denoising and inpainting."""

from __future__ import annotations

import numpy as np
import pytest
from scenes import make_scene

from restoration import degrade, psnr, run_algorithm
from restoration.classic import sparse as sp
from restoration.specs.sparse import SPECS

SPARSE = {s.name: s for s in SPECS}["sparse"]


def synthetic_problem(n_signals: int = 300, n: int = 64, k: int = 256, nonzeros: int = 5, seed: int = 0):
    """A random unit-norm dictionary and signals that are exact ``nonzeros``-sparse combinations of it."""
    rng = np.random.default_rng(seed)
    dictionary = rng.standard_normal((n, k))
    dictionary /= np.linalg.norm(dictionary, axis=0)
    codes = np.zeros((n_signals, k))
    for i in range(n_signals):
        support = rng.choice(k, nonzeros, replace=False)
        codes[i, support] = rng.choice([-1.0, 1.0], nonzeros) * rng.uniform(0.5, 2.0, nonzeros)
    return dictionary, codes, codes @ dictionary.T


def test_omp_recovers_a_known_sparse_code_exactly():
    dictionary, codes, signals = synthetic_problem()
    found = sp.omp(dictionary, signals, max_atoms=10, tolerance=1e-8)
    dense = found.to_dense(dictionary.shape[1])
    assert np.array_equal(dense != 0, codes != 0)  # the same supports
    np.testing.assert_allclose(dense, codes, atol=1e-4)
    assert np.all(found.counts == 5)
    np.testing.assert_allclose(found.reconstruct(dictionary), signals, atol=1e-4)


def test_masked_omp_recovers_the_code_from_the_known_rows():
    dictionary, codes, signals = synthetic_problem(n_signals=100, seed=1)
    mask = np.random.default_rng(2).random(signals.shape) < 0.75  # a quarter of the samples missing
    found = sp.omp(dictionary, np.where(mask, signals, 0.0), max_atoms=10, tolerance=1e-8, mask=mask)
    dense = found.to_dense(dictionary.shape[1])
    big = np.abs(dense) > 1e-3
    assert np.mean(np.all(big == (codes != 0), axis=1)) > 0.95
    # the full atoms predict the missing samples
    assert np.abs(found.reconstruct(dictionary) - signals)[~mask].mean() < 0.05


def test_omp_error_stopping_rule_and_fixed_atom():
    rng = np.random.default_rng(3)
    dictionary = sp.load_dictionary().with_dc()
    signals = rng.standard_normal((200, 64)).astype(np.float32) * 0.1 + 0.5
    tol = 0.02
    found = sp.omp(dictionary, signals, max_atoms=40, tolerance=tol, fixed_atoms=1)
    resid = ((signals - found.reconstruct(dictionary)) ** 2).sum(axis=1)
    assert np.all(found.indices[:, 0] == 0)  # the DC atom is always first
    done = found.counts < 40
    assert np.all(resid[done] <= tol * 1.0001)
    # removing the last atom would leave the residual above the target (it stops as soon as it can)
    assert found.counts.min() >= 2


def test_ksvd_lowers_the_representation_error():
    dictionary, _, signals = synthetic_problem(n_signals=600, n=16, k=32, nonzeros=2, seed=4)
    start = np.random.default_rng(5).standard_normal(dictionary.shape)
    start /= np.linalg.norm(start, axis=0)

    def error(d):
        codes = sp.omp(d, signals, max_atoms=2)
        return float(((signals - codes.reconstruct(d)) ** 2).sum())

    learned, _ = sp.ksvd(signals, start, iterations=10, max_atoms=2, rng=np.random.default_rng(0))
    assert error(learned) < 0.5 * error(start)
    np.testing.assert_allclose(np.linalg.norm(learned, axis=0), 1.0, atol=1e-4)


def test_shipped_dictionary():
    dico = sp.load_dictionary()
    assert dico.atoms.shape == (64, 256) and dico.patch_size == 8
    np.testing.assert_allclose(np.linalg.norm(dico.atoms, axis=0), 1.0, atol=1e-4)
    np.testing.assert_allclose(dico.atoms.mean(axis=0), 0.0, atol=1e-5)
    assert "training_images" in dico.info and "command" in dico.info
    assert "cameraman" not in dico.info["training_images"]  # a Set12 image is never trained on
    assert dico.atom_images().shape == (256, 8, 8)


def test_patches_round_trip():
    image = make_scene(37, 45)
    patches, rows, cols = sp.extract_patches(image, 8, 3)
    assert rows[-1] == 37 - 8 and cols[-1] == 45 - 8
    total, count = sp.assemble_patches(patches, rows, cols, image.shape)
    assert count.min() > 0
    np.testing.assert_allclose(total / count, image, atol=1e-6)


def test_sparse_code_patch_explains_the_patch():
    image = make_scene()
    code = sp.sparse_code_patch(image, 10, 20, sigma=5)
    dico = sp.load_dictionary()
    rebuilt = code.mean + (dico.atoms[:, code.indices] @ code.coefficients).reshape(8, 8)
    np.testing.assert_allclose(rebuilt, code.reconstruction, atol=1e-5)
    assert ((code.patch - code.reconstruction) ** 2).sum() <= (1.15 * 5 / 255) ** 2 * 64 * 1.001
    assert len(code.indices) == len(code.coefficients) >= 1
    with pytest.raises(ValueError, match="does not fit"):
        sp.sparse_code_patch(image, 60, 0)


# measured on these scenes: denoise +7.1 / +7.5 dB (gray / colour), inpaint +20.9 / +20.7 dB over the 0-filled input
CASES = [("gaussian_noise(sigma=25)", 5.0), ("random_mask(missing=0.5)", 12.0)]


@pytest.mark.parametrize("colour", [False, True], ids=["gray", "colour"])
@pytest.mark.parametrize(("spec", "margin"), CASES, ids=["denoise", "inpaint"])
def test_sparse_beats_the_degraded_input(spec, margin, colour):
    obs = degrade(make_scene(64, 80, colour=colour, seed=3), spec, seed=1)
    out = run_algorithm(SPARSE, obs, seed=0)
    assert out.shape == obs.clean.shape and out.dtype == np.float32
    assert psnr(obs.clean, out) > psnr(obs.clean, np.clip(obs.degraded, 0, 1)) + margin


def test_adaptation_is_seeded_and_helps_or_keeps():
    obs = degrade(make_scene(64, 80, seed=4), "gaussian_noise(sigma=20)", seed=2)
    plain = run_algorithm(SPARSE, obs, {"stride": 1})
    a = run_algorithm(SPARSE, obs, {"stride": 1, "adapt_iterations": 3}, seed=5)
    b = run_algorithm(SPARSE, obs, {"stride": 1, "adapt_iterations": 3}, seed=5)
    np.testing.assert_array_equal(a, b)
    assert psnr(obs.clean, a) > psnr(obs.clean, plain) - 0.3


def test_masked_adaptation_runs_and_keeps_known_pixels():
    obs = degrade(make_scene(48, 56, seed=5), "random_mask(missing=0.4)", seed=3)
    out = run_algorithm(SPARSE, obs, {"adapt_iterations": 2}, seed=1)
    np.testing.assert_allclose(out[obs.mask], np.clip(obs.degraded[obs.mask], 0, 1), atol=1e-6)


def test_auto_params_follow_the_observation():
    noisy = degrade(make_scene(), "gaussian_noise(sigma=15)")
    masked = degrade(make_scene(), "random_mask(missing=0.3)")
    assert SPARSE.defaults_for(noisy)["sigma"] == 15.0
    assert SPARSE.defaults_for(masked)["sigma"] == 0.0
    assert SPARSE.defaults_for(masked)["stride"] == 1
    assert SPARSE.defaults_for(noisy)["adapt_iterations"] == 3
    assert SPARSE.defaults_for(degrade(make_scene(), "gaussian_noise(sigma=30)"))["adapt_iterations"] == 0


def test_tiny_images_and_edge_cases():
    tiny = np.full((5, 6), 0.4, np.float32)
    out = sp.denoise_sparse(tiny + 0.01, sigma=10)
    assert out.shape == tiny.shape
    mask = np.zeros((5, 6), bool)
    np.testing.assert_array_equal(sp.inpaint_sparse(tiny, mask), np.full_like(tiny, 0.5))
    assert sp.denoise_sparse(tiny, sigma=0) is not tiny
