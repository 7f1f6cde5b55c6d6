"""Deep-model plumbing: training CLI on tiny generated data, checked weights, tiled inference."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scenes import make_scene

torch = pytest.importorskip("torch")

from restoration.deep.archs import build  # noqa: E402
from restoration.deep.inference import denoise_array, pad_to_multiple  # noqa: E402
from restoration.deep.train import TrainConfig, train  # noqa: E402
from restoration.deep.weights import WeightsError, load_model, manifest  # noqa: E402
from restoration.errors import RestorationError  # noqa: E402
from restoration.images import save_image  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("train")
    for i in range(4):
        save_image(make_scene(40, 44, seed=i), folder / f"img{i}.png")
    return folder


def _cfg(tiny_data, tmp_path, **kw):
    base = dict(task="denoise", data=str(tiny_data), val=str(tiny_data), out="tiny", out_dir=str(tmp_path / "w"),
                checkpoint_dir=str(tmp_path / "ck"), features=8, blocks=2, steps=4, batch=2, patch=32, val_every=2,
                bf16=False)
    base.update(kw)
    return TrainConfig(**base)


def test_train_writes_checked_weights_and_manifest(tiny_data, tmp_path):
    entry = train(_cfg(tiny_data, tmp_path), command="python -m restoration train ...")
    wdir = tmp_path / "w"
    info = manifest(wdir)["tiny"]
    assert info == entry
    assert info["arch"] == "AttentionDenoiser"
    assert info["arch_args"] == {"channels": 1, "features": 8, "blocks": 2, "unshuffle": 2}
    assert info["steps"] in (2, 4) and np.isfinite(info["validation"]["psnr"])
    assert info["command"].startswith("python -m restoration train")
    model = load_model("tiny", wdir)
    out = denoise_array(model, make_scene(33, 35), 25, channels=1)
    assert out.shape == (33, 35) and np.all(np.isfinite(out))
    # tampered weights are refused
    weights = wdir / info["file"]
    weights.write_bytes(weights.read_bytes() + b"x")
    from restoration.deep import weights as wmod

    wmod._load.cache_clear()
    with pytest.raises(WeightsError, match="checksum"):
        load_model("tiny", wdir)
    with pytest.raises(WeightsError, match="no weights named"):
        load_model("nope", wdir)


def test_resume_continues_where_it_stopped(tiny_data, tmp_path):
    first = train(_cfg(tiny_data, tmp_path, stop_after=2))
    assert first["steps"] == 2
    ckpt = torch.load(tmp_path / "ck" / "tiny.ckpt", weights_only=False)
    assert ckpt["step"] == 2
    train(_cfg(tiny_data, tmp_path))
    ckpt = torch.load(tmp_path / "ck" / "tiny.ckpt", weights_only=False)
    assert ckpt["step"] == 4 and [h["step"] for h in ckpt["history"]] == [2, 4]


def test_train_cli_progress_and_errors(tiny_data, tmp_path):
    args = [sys.executable, "-m", "restoration", "train", "--task", "denoise", "--data", str(tiny_data),
            "--out", "cli", "--out-dir", str(tmp_path / "w"), "--checkpoint-dir", str(tmp_path / "ck"),
            "--features", "8", "--blocks", "1", "--steps", "2", "--batch", "2", "--patch", "32", "--val-every", "2",
            "--no-bf16", "--stop-after", "5"]
    res = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert "step" in res.stderr and "2/2" in res.stderr  # tqdm progress bar
    entry = json.loads(res.stdout)
    assert "--stop-after" not in entry["command"] and "--steps 2" in entry["command"]
    bad = subprocess.run([*args[:7], str(tmp_path / "nothing"), *args[8:]], cwd=ROOT, capture_output=True,
                         text=True, timeout=300)
    assert bad.returncode == 2 and "error: training folder not found" in bad.stderr


def test_tiled_inference_matches_whole_image():
    torch.manual_seed(0)
    model = build("AttentionDenoiser", channels=1, features=8, blocks=2).eval()
    for block in model.body:  # give the zero-initialised convs some weight so the test means something
        torch.nn.init.normal_(block.conv2.weight, std=0.05)
    img = make_scene(100, 90)
    whole = denoise_array(model, img, 20, channels=1, tile=512)
    tiled = denoise_array(model, img, 20, channels=1, tile=32, overlap=16)
    np.testing.assert_allclose(tiled, whole, atol=1e-4)


def test_pad_to_multiple():
    arr, size = pad_to_multiple(np.zeros((5, 7, 3)), 4)
    assert arr.shape == (8, 8, 3) and size == (5, 7)


def test_attention_and_features_recorded():
    model = build("AttentionDenoiser", channels=3, features=8, blocks=3).eval()
    model.set_record(True)
    with torch.no_grad():
        model(torch.rand(1, 3, 16, 16), torch.full((1, 1, 8, 8), 0.1))
    assert len(model.features) == 3 and model.features[0].shape == (1, 8, 8, 8)
    w = model.body[0].attention.last_weights
    assert w.shape == (1, 8, 1, 1) and bool(((w > 0) & (w < 1)).all())


def test_train_sr_and_combined_tasks(tiny_data, tmp_path, monkeypatch):
    """Both enlarging tasks train a few steps, record their settings, and plug into the registry runners."""
    from restoration import degrade
    from restoration.deep import upscale

    sr = train(_cfg(tiny_data, tmp_path, task="sr", out="sr", patch=24, unshuffle=4, scales="2,3,4", val_scale=2))
    assert sr["scales"] == [2, 3, 4] and sr["arch_args"]["unshuffle"] == 4 and sr["loss"] == "l1"
    assert "Y channel" in sr["validation"]["setting"] and np.isfinite(sr["validation"]["psnr"])
    comb = train(_cfg(tiny_data, tmp_path, task="combined", out="comb", channels=3, patch=16, unshuffle=4,
                      sigma_max=20))
    assert comb["scale"] == 2 and comb["arch_args"]["channels"] == 3 and np.isfinite(comb["validation"]["psnr"])
    wdir = tmp_path / "w"
    monkeypatch.setattr(upscale, "load_model", lambda name: load_model({"cnn_sr": "sr"}.get(name, "comb"), wdir))
    monkeypatch.setattr(upscale, "model_info", lambda name: manifest(wdir)["sr"])
    scene = make_scene(36, 30, colour=True)
    obs = degrade(scene, "downsample(scale=3)")
    out = upscale.run_cnn_sr(obs)
    assert out.shape == scene.shape and np.all(np.isfinite(out))
    with pytest.raises(RestorationError, match="trained for x2, x3, x4"):
        upscale.run_cnn_sr(degrade(make_scene(40, 40), "downsample(scale=5)"))
    obs = degrade(scene, "motion_blur(length=5, angle=0) | downsample(scale=2) | gaussian_noise(sigma=10)")
    out = upscale.run_cnn_combined(obs, sigma=10.0, blind=False)
    assert out.shape == scene.shape and np.all(np.isfinite(out))
    gray = upscale.run_cnn_combined(degrade(make_scene(36, 30), "downsample(scale=2)"), sigma=0.0, blind=True)
    assert gray.shape == (36, 30)
    with pytest.raises(RestorationError, match="x2"):
        upscale.run_cnn_combined(degrade(scene, "downsample(scale=3)"), sigma=5.0, blind=False)


def test_train_config_errors(tiny_data, tmp_path):
    with pytest.raises(RestorationError, match="divisible by every scale"):
        train(_cfg(tiny_data, tmp_path, task="sr", patch=20, unshuffle=2, scales="3"))
    with pytest.raises(RestorationError, match="multiple of --unshuffle"):
        train(_cfg(tiny_data, tmp_path, task="sr", patch=30, unshuffle=4))
    with pytest.raises(RestorationError, match="luma"):
        train(_cfg(tiny_data, tmp_path, task="sr", channels=3, patch=24, unshuffle=4))
    with pytest.raises(RestorationError, match="integers"):
        train(_cfg(tiny_data, tmp_path, task="sr", patch=24, scales="x2"))


def test_init_from_gray_weights_seeds_a_colour_model(tiny_data, tmp_path):
    train(_cfg(tiny_data, tmp_path, out="g"))
    colour = train(_cfg(tiny_data, tmp_path, out="c", channels=3, init="g", steps=2, val_every=2))
    assert colour["arch_args"]["channels"] == 3
    with pytest.raises(RestorationError, match="--init"):
        train(_cfg(tiny_data, tmp_path, out="c2", channels=3, init="missing"))


def test_colour_init_reproduces_gray_model_on_gray_input(tiny_data, tmp_path):
    from restoration.deep.train import _init_from

    train(_cfg(tiny_data, tmp_path, out="g"))
    gray_model = load_model("g", tmp_path / "w")
    colour = build("AttentionDenoiser", channels=3, features=8, blocks=2)
    _init_from(colour, "g", tmp_path / "w")
    colour.eval()
    img = make_scene(32, 32)
    a = denoise_array(gray_model, img, 25, channels=1)
    b = denoise_array(colour, np.repeat(img[..., None], 3, axis=2), 25, channels=3)
    for c in range(3):
        np.testing.assert_allclose(b[..., c], a, atol=1e-4)


def test_gray_model_on_colour_runs_channels_as_a_batch():
    torch.manual_seed(1)
    model = build("AttentionDenoiser", channels=1, features=8, blocks=2).eval()
    for block in model.body:
        torch.nn.init.normal_(block.conv2.weight, std=0.05)
    img = make_scene(40, 36, colour=True)
    batched = denoise_array(model, img, 15, channels=1)
    single = np.stack([denoise_array(model, img[..., c], 15, channels=1) for c in range(3)], axis=2)
    np.testing.assert_allclose(batched, single, atol=1e-5)
    fast = denoise_array(model, img, 15, channels=1, bf16=True)
    assert np.abs(fast - single).max() < 0.05  # bfloat16: close, not equal
