"""No-reference quality: NIQE with the project's own natural-scene model, sharpness, noise level."""

from __future__ import annotations

import numpy as np
import pytest

from restoration import degrade
from restoration.errors import ImageValueError
from restoration.gallery import load_gallery_image
from restoration.quality import MODEL_FILE, NiqeModel, fit_niqe, niqe, niqe_features, quality_report, sharpness


@pytest.fixture(scope="module")
def photo() -> np.ndarray:
    return load_gallery_image("coffee_cup")[:256, :384]  # a gallery photo: never part of the fit


def test_shipped_model_says_where_it_came_from() -> None:
    model = NiqeModel.load()
    assert model.mean.shape == (36,) and model.cov.shape == (36, 36)
    assert np.allclose(model.cov, model.cov.T) and np.all(np.linalg.eigvalsh(model.cov) > -1e-9)
    assert "CBSD432" in model.info["data"] and model.info["patches"] > 1000
    assert model.info["command"].startswith("python scripts/fit_niqe.py") and model.info["commit"]
    assert MODEL_FILE.stat().st_size < 50_000  # parameters only, no image


def test_features_are_36_per_patch(photo: np.ndarray) -> None:
    feats = niqe_features(photo)
    assert feats.shape == (2 * 4, 36) and np.all(np.isfinite(feats))
    sharp = niqe_features(photo, sharp_only=True)
    assert 1 <= len(sharp) <= len(feats)
    with pytest.raises(ImageValueError, match="at least 192x192"):
        niqe_features(photo[:100])


def test_niqe_rises_with_noise_and_blur(photo: np.ndarray) -> None:
    clean = niqe(photo)
    noisy = [niqe(np.clip(degrade(photo, f"gaussian_noise(sigma={s})", seed=0).degraded, 0, 1)) for s in (10, 30)]
    blurred = [niqe(degrade(photo, f"gaussian_blur(sigma={b})").degraded) for b in (1.5, 3.0)]
    assert clean < noisy[0] < noisy[1], (clean, noisy)
    assert clean < blurred[0] < blurred[1], (clean, blurred)


def test_sharpness_falls_with_blur_and_report(photo: np.ndarray) -> None:
    blurred = degrade(photo, "gaussian_blur(sigma=2)").degraded
    assert sharpness(blurred) < sharpness(photo)
    noisy = np.clip(degrade(photo, "gaussian_noise(sigma=20)", seed=1).degraded, 0, 1)
    report = quality_report(noisy, reference=photo)
    assert set(report) == {"niqe", "sharpness", "noise_sigma", "psnr", "ssim"}
    assert 15 < report["noise_sigma"] < 25 and report["psnr"] < 25
    small = quality_report(photo[:64, :64])
    assert small["niqe"] is None and "psnr" not in small


def test_a_model_can_be_refitted_and_saved(photo: np.ndarray, tmp_path) -> None:
    images = [photo, photo[:, ::-1], load_gallery_image("astronaut")[:384, :384]]
    model = fit_niqe(images * 6, {"data": "test"})
    assert model.info["images"] == 18
    path = tmp_path / "m.npz"
    model.save(path)
    again = NiqeModel.load(path)
    np.testing.assert_allclose(again.mean, model.mean)
    assert np.isfinite(niqe(photo, again))


def test_no_reference_table_ranks_the_results(photo: np.ndarray) -> None:
    from ui import charts, compare

    noisy = np.clip(degrade(photo, "gaussian_noise(sigma=25)", seed=2).degraded, 0, 1)
    table = compare.no_reference_table({"median": np.clip(degrade(photo, "gaussian_noise(sigma=5)", seed=3)
                                                          .degraded, 0, 1), "identity": noisy}, noisy)
    assert list(table["method"]) == ["degraded", "median", "identity"]  # the degraded input first, then by NIQE
    assert list(table["rank"].iloc[1:]) == [1, 2] and np.isnan(table["rank"].iloc[0])
    assert table["NIQE"].iloc[1] < table["NIQE"].iloc[2]
    assert list(compare.rank_as_text(table)["rank"]) == ["—", "1", "2"]  # shown without "None"
    fig = charts.tuning_figure([0.1, 0.2, 0.4], [3.0, 2.0, 2.5], 0.2, 0.15, knob="lam", title="t")
    assert len(fig.data) == 2 and fig.data[1].x == (0.2,)


def test_quality_command(tmp_path, capsys) -> None:
    import json

    from restoration.__main__ import main
    from restoration.images import save_image

    clean = load_gallery_image("astronaut")[:256, :256]
    noisy = np.clip(degrade(clean, "gaussian_noise(sigma=25)", seed=0).degraded, 0, 1)
    save_image(clean, tmp_path / "clean.png")
    save_image(noisy, tmp_path / "noisy.png")
    assert main(["quality", str(tmp_path / "clean.png"), str(tmp_path / "noisy.png")]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [d["image"] for d in lines] == [str(tmp_path / "clean.png"), str(tmp_path / "noisy.png")]
    assert lines[0]["niqe"] < lines[1]["niqe"] and lines[1]["noise_sigma"] > 15
    assert main(["quality", str(tmp_path / "noisy.png"), "--reference", str(tmp_path / "clean.png")]) == 0
    scored = json.loads(capsys.readouterr().out)
    assert 19 < scored["psnr"] < 22 and 0 < scored["ssim"] < 1
    assert main(["quality", str(tmp_path / "missing.png"), str(tmp_path / "clean.png")]) == 1  # one bad, one good
    captured = capsys.readouterr()
    assert "error:" in captured.err and len(captured.out.splitlines()) == 1
    assert main(["quality", str(tmp_path / "missing.png")]) == 2
