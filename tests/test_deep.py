"""Deep-model plumbing: training CLI on tiny generated data, checked weights, tiled inference."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch  # pinned in requirements.txt: a missing torch fails these tests instead of skipping them
from scenes import make_scene

from restoration import degrade
from restoration.deep.archs import build
from restoration.deep.inference import denoise_array, pad_to_multiple
from restoration.deep.train import TrainConfig, train
from restoration.deep.weights import WeightsError, load_model, manifest
from restoration.errors import RestorationError
from restoration.images import save_image

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("train")
    for i in range(4):
        save_image(make_scene(40, 44, seed=i), folder / f"img{i}.png")
    return folder


def _scenes(folder: Path, count: int, size: int, seed: int, prefix: str) -> Path:
    """``count`` generated ``size`` x ``size`` scenes saved as PNG in a new ``folder``."""
    folder.mkdir()
    for i in range(count):
        save_image(make_scene(size, size, seed=seed + i), folder / f"{prefix}{i}.png")
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
    comb = train(_cfg(tiny_data, tmp_path, task="combined", out="comb", channels=3, patch=16, sigma_max=20,
                      stages=2, pad=2, val_crop=24))
    assert comb["scale"] == 2 and comb["arch"] == "UnfoldedRestorer" and comb["pad"] == 2
    assert comb["arch_args"]["stages"] == 2 and np.isfinite(comb["validation"]["psnr"])
    assert "centre 24x24" in comb["validation"]["setting"]
    wdir = tmp_path / "w"
    names = {"cnn_sr": "sr", "cnn_combined": "comb"}
    monkeypatch.setattr(upscale, "load_model", lambda name: load_model(names[name], wdir))
    monkeypatch.setattr(upscale, "model_info", lambda name: manifest(wdir)[names[name]])
    scene = make_scene(36, 30, colour=True)
    obs = degrade(scene, "downsample(scale=3)")
    out = upscale.run_cnn_sr(obs)
    assert out.shape == scene.shape and np.all(np.isfinite(out))
    with pytest.raises(RestorationError, match="trained for x2, x3, x4"):
        upscale.run_cnn_sr(degrade(make_scene(40, 40), "downsample(scale=5)"))
    obs = degrade(scene, "motion_blur(length=5, angle=0) | downsample(scale=2) | gaussian_noise(sigma=10)")
    out = upscale.run_cnn_combined(obs, sigma=10.0, blind=False, bf16=False)
    assert out.shape == scene.shape and np.all(np.isfinite(out))
    gray = upscale.run_cnn_combined(degrade(make_scene(36, 30), "downsample(scale=2)"), sigma=0.0, blind=True,
                                  bf16=False)
    assert gray.shape == (36, 30)
    with pytest.raises(RestorationError, match="x2"):
        upscale.run_cnn_combined(degrade(scene, "downsample(scale=3)"), sigma=5.0, blind=False, bf16=False)
    with pytest.raises(RestorationError, match="mask"):
        upscale.run_cnn_combined(degrade(scene, "downsample(scale=2) | random_mask(missing=0.3)"), sigma=0.0,
                                 blind=False, bf16=False)


def test_unfolded_data_step_is_the_physics_data_step():
    """The network's differentiable torch data step equals the physics layer's closed form (tested there)."""
    from restoration.deep.archs.unfolded import data_step
    from restoration.ops import motion_kernel
    from restoration.physics import PeriodicBlurDecimate

    rng = np.random.default_rng(1)
    h, w, alpha = 32, 40, 0.05
    op = PeriodicBlurDecimate(motion_kernel(7, 20), (h, w), 2)
    z, y = rng.random((h, w)), rng.random((h // 2, w // 2))
    x = data_step(torch.tensor(z)[None, None], torch.tensor(y)[None, None],
                  torch.tensor(op.otf.astype(np.complex64))[None, None], torch.tensor(alpha).view(1, 1, 1, 1), 2)
    reference = op.data_step(z, y, alpha)
    np.testing.assert_allclose(x[0, 0].double().numpy(), reference, atol=1e-4 * np.abs(reference).max())


def test_unfolded_schedule_starts_on_dpir_and_tiles_agree():
    from restoration.deep.combined import restore_planes

    torch.manual_seed(0)
    model = build("UnfoldedRestorer", stages=4, features=8, blocks=1).eval()
    with torch.no_grad():
        alpha, beta = model.schedule(torch.tensor([10 / 255, 0.0]))
    np.testing.assert_allclose(beta[0].numpy() * 255, np.geomspace(49, 10, 4), rtol=1e-5)
    np.testing.assert_allclose(alpha[0].numpy(), 0.23 * (10 / beta[0].numpy() / 255) ** 2, rtol=1e-5)
    assert beta[1, -1] * 255 == pytest.approx(1.0)  # noise-free: the level floor
    planes = make_scene(60, 52)[None, None].astype(np.float32)
    whole = restore_planes(model, planes, None, np.array([5.0]), tile=256)
    tiled = restore_planes(model, planes, None, np.array([5.0]), tile=24, overlap=12)
    assert whole.shape == tiled.shape == (1, 1, 120, 104)
    assert np.abs(whole - tiled).mean() < 2e-3


def test_unfolded_colour_prior_restores_rgb_in_one_pass():
    from restoration.deep.combined import restore_with, trace_with

    torch.manual_seed(0)
    model = build("UnfoldedRestorer", stages=2, features=8, blocks=1, channels=3).eval()
    clean = np.stack([make_scene(48, 40), make_scene(48, 40)[::-1], make_scene(48, 40)[:, ::-1]], axis=-1)
    obs = degrade(clean.astype(np.float32), "motion_blur(length=5, angle=30) | downsample(scale=2) | "
                  "gaussian_noise(sigma=5)", seed=0)
    out = restore_with(model, obs)
    assert out.shape == clean.shape and out.dtype == np.float32
    gray = restore_with(model, degrade(clean[..., 0], "downsample(scale=2)", seed=0))
    assert gray.shape == clean.shape[:2]
    trace = trace_with(model, obs)
    assert len(trace.prior) == 2 and trace.prior[-1].shape == clean.shape
    np.testing.assert_allclose(trace.prior[-1], out, atol=1e-4)


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


def test_denoiser_continued_with_init_is_validated_first(tiny_data, tmp_path):
    """--init with weights of the same architecture continues them: the start is validated and weights are
    written only when they beat it; gray weights seeding a colour model start afresh (nothing to beat)."""
    first = train(_cfg(tiny_data, tmp_path, out="g"))
    start = first["validation"]["psnr"]
    more = train(_cfg(tiny_data, tmp_path, out="g2", init="g", lr=1.0, steps=2, seed=3))
    history = torch.load(tmp_path / "ck" / "g2.ckpt", weights_only=False)["history"]
    assert history[0]["step"] == 0 and history[0]["val_psnr"] == pytest.approx(start, abs=1e-3)
    if more:
        assert more["validation"]["psnr"] > start and more["init"]["sha256"] == first["sha256"]
    else:  # (the likely case: a learning rate of 1 wrecks it)
        assert "g2" not in manifest(tmp_path / "w")
    train(_cfg(tiny_data, tmp_path, out="c", channels=3, init="g", steps=2))
    assert torch.load(tmp_path / "ck" / "c.ckpt", weights_only=False)["history"][0]["step"] == 2
    assert "c" in manifest(tmp_path / "w")


def test_a_continuation_says_whether_its_held_out_split_was_trained_on_before(tiny_data, tmp_path):
    """Weights chosen on a --val folder were trained on every image: a continuation holding a split out of that
    folder says its start saw them; one continuing weights that held out the same split says it never did."""
    from restoration.deep.train import _held_out_status

    train(_cfg(tiny_data, tmp_path, out="a"))  # --val folder: trained on all of tiny_data
    train(_cfg(tiny_data, tmp_path, out="b", val=None, val_split=1))  # held img0.png out
    split = {"val": None, "val_split": 1}
    assert _held_out_status(_cfg(tiny_data, tmp_path, init="a", **split), ["img0.png"]).endswith(
        "the weights it continues were trained on them")
    assert _held_out_status(_cfg(tiny_data, tmp_path, init="b", **split), ["img0.png"]) == "never trained on"
    assert _held_out_status(_cfg(tiny_data, tmp_path, **split), ["img0.png"]) == "never trained on"
    assert "not in the manifest" in _held_out_status(_cfg(tiny_data, tmp_path, init="x.pt", **split), ["img0.png"])
    entry = train(_cfg(tiny_data, tmp_path, out="a2", init="a", steps=2, lr=1e-4, **split))
    status = torch.load(tmp_path / "ck" / "a2.ckpt", weights_only=False)["held_status"]  # kept for a resume
    assert status == "not trained on in this run; the weights it continues were trained on them"
    if entry:  # (written only when it beat its start)
        assert entry["validation"]["set"] == f"{tiny_data.name} held-out split (1 images, {status})"


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


def test_shipped_combined_model_restores_the_survey_degradation():
    """The shipped unfolded network on a photo crop: far above bicubic, clearly above the classic chain.

    (Measured 2026-12-05: bicubic 25.04, classic_chain 27.71, cnn_combined 28.67 dB with five colour priors, one
    per stage (28.69, 28.52 and 28.44 after their earlier runs; 28.31 with four, 28.28 with three); the
    shared-prior model they replaced gave 27.57 here. The issue's bar, +1 dB over the chain on Kodak24 and the
    gallery, is not reached: see docs/benchmarks/deep.md.)
    """
    from restoration import degrade, psnr, run_algorithm
    from restoration.degradations import PRESETS
    from restoration.gallery import load_gallery_image

    img = load_gallery_image("coffee_cup")[100:228, 200:328]
    obs = degrade(img, PRESETS["combined"].spec, seed=0)
    ours = psnr(obs.clean, run_algorithm("cnn_combined", obs))
    chain = psnr(obs.clean, run_algorithm("classic_chain", obs))
    bicubic = psnr(obs.clean, run_algorithm("bicubic", obs))
    assert ours > bicubic + 2.0 and ours > chain + 0.3, (bicubic, chain, ours)


def test_unfolded_trace_records_every_stage():
    """The teaching trace: one data and one prior estimate per stage, the last prior estimate is the output."""
    from restoration import degrade
    from restoration.deep.colour import OPP_GAIN
    from restoration.deep.combined import restore_with, trace_with

    torch.manual_seed(0)
    model = build("UnfoldedRestorer", stages=3, features=8, blocks=1).eval()
    for colour in (False, True):
        obs = degrade(make_scene(40, 36, colour=colour), "motion_blur(length=5, angle=30) | downsample(scale=2) | "
                      "gaussian_noise(sigma=10)", seed=1)
        trace = trace_with(model, obs)
        assert len(trace.data) == len(trace.prior) == 3 and trace.alpha.shape == trace.beta.shape == (3,)
        assert all(t.shape == obs.clean.shape for t in trace.data + trace.prior)
        np.testing.assert_allclose(trace.prior[-1], restore_with(model, obs), atol=1e-5)
        # DPIR's schedule on the luminance plane, given back on the image's scale
        gain = OPP_GAIN[0] if colour else 1.0
        assert trace.beta[0] == pytest.approx(49.0 / gain, rel=1e-4) and trace.beta[-1] == pytest.approx(10.0, rel=1e-4)
        assert not np.allclose(trace.data[0], trace.prior[0])
    assert model.iterates is None  # the caller's (shared) model never records


def test_combined_training_continues_a_trained_model(tiny_data, tmp_path):
    """--init with a whole unfolded model continues it: validated first, only better weights written,
    and the manifest names what it started from and how that was made."""
    from restoration.deep.train import _provenance

    kw = dict(task="combined", channels=3, patch=16, sigma_max=20, stages=2, pad=2, val_crop=24)
    first = train(_cfg(tiny_data, tmp_path, out="comb", **kw), command="python -m restoration train first")
    start = first["validation"]["psnr"]
    more = train(_cfg(tiny_data, tmp_path, out="comb2", init="comb", lr=1e-2, steps=4, seed=3, **kw),
                 command="python -m restoration train second")
    ckpt = torch.load(tmp_path / "ck" / "comb2.ckpt", weights_only=False)
    assert ckpt["history"][0]["step"] == 0
    assert ckpt["history"][0]["val_psnr"] == pytest.approx(start, abs=1e-3)  # the trained weights, re-validated
    assert ckpt["provenance"]["name"] == "comb" and ckpt["provenance"]["command"].endswith("first")
    assert ckpt["provenance"]["minutes"] == first["minutes"]  # each run's time and machine go on with it
    assert ckpt["provenance"]["trained_on"] == first["trained_on"]
    if more:  # written only because it beat the start
        assert more["validation"]["psnr"] > start and more["init"]["sha256"] == first["sha256"]
    else:
        assert "comb2" not in manifest(tmp_path / "w")
    assert _provenance("elsewhere.pt", tmp_path / "w") == {"file": "elsewhere.pt"}
    path = tmp_path / "w" / "manifest.json"  # a note written into an entry by hand goes on with what it made
    entries = json.loads(path.read_text())
    entries["comb"]["note"] = "resumed once"
    path.write_text(json.dumps(entries))
    assert _provenance("comb", tmp_path / "w")["note"] == "resumed once"


def test_untied_priors_start_as_the_shared_model_and_train_apart(tiny_data, tmp_path):
    """--priors K: each group of stages gets its own prior, seeded from a shared model's, so training
    continues from the same output; the groups then part, and a bad K is a clear error."""
    from restoration.deep.combined import restore_with

    model = build("UnfoldedRestorer", stages=5, features=8, blocks=1, channels=3, priors=3)
    assert model.prior_of(1) is model.prior and model.prior_of(2) is model.stage_priors[0]
    assert model.prior_of(3) is model.stage_priors[0] and model.prior_of(4) is model.stage_priors[1]
    with pytest.raises(ValueError, match="priors"):
        build("UnfoldedRestorer", stages=2, priors=3)
    for k in (4, 5):  # three groups split further: every stage starts with the weights it had
        finer = build("UnfoldedRestorer", stages=5, features=8, blocks=1, channels=3, priors=k)
        finer.load_state_dict(finer.untie(model.state_dict()))
        for t in range(5):
            for a, b in zip(finer.prior_of(t).parameters(), model.prior_of(t).parameters(), strict=True):
                assert torch.equal(a, b)
        assert len({id(finer.prior_of(t)) for t in range(5)}) == k
    with pytest.raises(ValueError, match="cannot seed 2"):  # stages 2 and 3 had different priors
        build("UnfoldedRestorer", stages=5, features=8, blocks=1, channels=3, priors=2).untie(model.state_dict())

    kw = dict(task="combined", channels=3, patch=16, sigma_max=20, stages=3, pad=2, val_crop=24)
    train(_cfg(tiny_data, tmp_path, out="shared", **kw), command="python -m restoration train shared")
    shared = load_model("shared", tmp_path / "w")
    untied = build("UnfoldedRestorer", **{**manifest(tmp_path / "w")["shared"]["arch_args"], "priors": 3})
    untied.load_state_dict(untied.untie(shared.state_dict()))
    obs = degrade(make_scene(40, 36, colour=True), "motion_blur(length=5, angle=30) | downsample(scale=2) | "
                  "gaussian_noise(sigma=10)", seed=1)
    np.testing.assert_allclose(restore_with(untied.eval(), obs), restore_with(shared, obs), atol=1e-4)

    train(_cfg(tiny_data, tmp_path, out="untied", init="shared", priors=3, lr=1e-2, steps=3, seed=2, **kw),
          command="python -m restoration train untied")
    ckpt = torch.load(tmp_path / "ck" / "untied.ckpt", weights_only=False)
    state = ckpt["model"]
    assert ckpt["history"][0]["val_psnr"] == pytest.approx(manifest(tmp_path / "w")["shared"]["validation"]["psnr"],
                                                           abs=1e-3)
    first = state["prior.head.weight"]
    assert not torch.equal(first, state["stage_priors.0.head.weight"])  # trained apart
    assert not torch.equal(state["stage_priors.0.head.weight"], state["stage_priors.1.head.weight"])
    with pytest.raises(RestorationError, match="--priors"):
        train(_cfg(tiny_data, tmp_path, out="bad", priors=4, **kw))
    torch.save(state, tmp_path / "untied_state.pt")
    with pytest.raises(RestorationError, match="do not fit --priors"):  # three priors cannot go back into one
        train(_cfg(tiny_data, tmp_path, out="back", init=str(tmp_path / "untied_state.pt"), **kw))


def test_weights_stored_in_float16_halve_the_file_and_load_as_float32(tiny_data, tmp_path):
    """--store float16 writes half-size weights that load into the float32 model (manifest: stored_as)."""
    kw = dict(task="combined", channels=3, patch=16, sigma_max=20, stages=2, pad=2, val_crop=24, val_every=4)
    full = train(_cfg(tiny_data, tmp_path, out="full", **kw))
    half = train(_cfg(tiny_data, tmp_path, out="half", store="float16", **kw))  # same seed: the same training
    assert "stored_as" not in full and half["stored_as"] == "float16"
    w = tmp_path / "w"
    saved = torch.load(w / half["file"], weights_only=True)
    assert {v.dtype for v in saved.values() if v.is_floating_point()} == {torch.float16}
    stored = torch.load(w / full["file"], weights_only=True)
    assert sum(v.nbytes for v in saved.values()) < 0.51 * sum(v.nbytes for v in stored.values())
    a, b = load_model("full", w), load_model("half", w)
    assert all(p.dtype == torch.float32 for p in b.parameters())
    for (name, p), q in zip(a.state_dict().items(), b.state_dict().values(), strict=True):
        assert torch.equal(q, p.half().float()), name  # the same weights, rounded once
    with pytest.raises(RestorationError, match="--store"):
        train(_cfg(tiny_data, tmp_path, store="int8"))


def test_continuing_on_pages_drawn_with_other_fonts_says_so(tiny_data, tmp_path, monkeypatch, capsys):
    """The manifest records the fonts of the pages; continuing where they differ warns that the scores differ."""
    from restoration.deep import train as train_module

    monkeypatch.setattr(train_module, "PAGE_TRAIN_COUNT", 3)
    monkeypatch.setattr(train_module, "PAGE_VAL_COUNT", 2)
    kw = dict(task="combined", channels=3, patch=16, sigma_max=20, stages=2, pad=2, val_crop=24, pages=0.3,
              steps=2)
    first = train(_cfg(tiny_data, tmp_path, out="comb", **kw))
    assert first["page_fonts"]
    train(_cfg(tiny_data, tmp_path, out="same", init="comb", **kw))
    assert "drawn here with" not in capsys.readouterr().err
    path = tmp_path / "w" / "manifest.json"
    entries = json.loads(path.read_text())
    entries["comb"]["page_fonts"] = ["Elsewhere.ttf"]  # as if trained on a machine with other fonts
    path.write_text(json.dumps(entries))
    train(_cfg(tiny_data, tmp_path, out="other", init="comb", **kw))
    assert "drawn here with" in capsys.readouterr().err
    # a run resumed where the fonts changed since its checkpoint would compare scores on different pages
    train(_cfg(tiny_data, tmp_path, out="paused", stop_after=1, **kw))
    monkeypatch.setattr(train_module, "page_fonts", lambda cfg: ["Other.ttf"])
    with pytest.raises(RestorationError, match="--no-resume"):
        train(_cfg(tiny_data, tmp_path, out="paused", **kw))


def test_held_out_split_is_deterministic_and_never_trained_on(tiny_data, tmp_path):
    from restoration.deep.train import held_out, load_data

    names = [f"{i:03d}.png" for i in range(20)]
    assert held_out(names, 4) == ["000.png", "005.png", "010.png", "015.png"]
    assert held_out(list(reversed(names)), 4) == held_out(names, 4)  # by name, not by listing order
    with pytest.raises(RestorationError, match="leaves no training images"):
        held_out(names, 20)
    images, val, held = load_data(_cfg(tiny_data, tmp_path, val=None, val_split=1, channels=3))
    assert len(images) == 3 and len(val) == 1 and held == ["img0.png"]
    entry = train(_cfg(tiny_data, tmp_path, val=None, val_split=1))
    assert entry["validation"]["images"] == ["img0.png"] and "held-out" in entry["validation"]["set"]
    assert entry["trained_on"]["device"] == "cpu" and entry["trained_on"]["precision"] == "float32"


def test_pack_of_crops_trains_like_the_folder(tiny_data, tmp_path):
    from restoration.deep.packing import read_pack
    from restoration.deep.train import load_data, pack_crops

    pack = tmp_path / "pack.npz"
    info = pack_crops(str(tiny_data), str(pack), count=6, size=32, val_split=1)
    assert info["crops"] == 6 and info["held_out"] == 1 and info["codec"] == "webp"
    data = read_pack(pack)
    assert data["crops"].shape == (6, 32, 32, 3) and data["crops"].dtype == np.uint8
    assert list(data["val_names"]) == ["img0.png"] and data["val_0"].shape == (40, 44, 3)
    raw = tmp_path / "raw.npz"
    pack_crops(str(tiny_data), str(raw), count=6, size=32, val_split=1, codec="raw")
    with np.load(raw) as stored:  # raw stores the pixels themselves ...
        assert stored["crops"].shape == (6, 32, 32, 3) and "crops__shape" not in stored.files
        assert np.array_equal(stored["crops"], data["crops"]) and np.array_equal(stored["val_0"], data["val_0"])
    with np.load(pack) as stored:  # ... WebP encoded images, decoded exactly (the same seeded crops)
        assert stored["crops"].ndim == 1 and list(stored["crops__shape"]) == [6, 32, 32, 3]
    images, val, held = load_data(_cfg(pack, tmp_path, data=str(pack), val=None, channels=3))
    assert len(images) == 6 and images[0].shape == (32, 32, 3) and len(val) == 1 and held == ["img0.png"]
    entry = train(_cfg(tiny_data, tmp_path, data=str(pack), val=None, out="packed"))
    assert entry["data"] == "pack.npz (packed crops)" and entry["validation"]["images"] == ["img0.png"]
    res = subprocess.run([sys.executable, "-m", "restoration", "pack-crops", str(tiny_data), str(tmp_path / "p2.npz"),
                          "--count", "3", "--size", "16", "--val-split", "1"], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert res.returncode == 0 and json.loads(res.stdout)["crops"] == 3


def test_pack_stores_held_out_centre_crops_for_a_combined_run(tiny_data, tmp_path, monkeypatch):
    """--val-crop packs what a combined run with that --val-crop validates on; other runs are refused."""
    from restoration.deep import packing
    from restoration.deep.train import _centre_crop, load_data, pack_crops

    whole, cropped = tmp_path / "whole.npz", tmp_path / "cropped.npz"
    pack_crops(str(tiny_data), str(whole), count=4, size=16, val_split=1, codec="raw")
    info = pack_crops(str(tiny_data), str(cropped), count=4, size=16, val_split=1, val_crop=24)
    assert info["val_crop"] == 24 and packing.read_pack(cropped)["val_0"].shape == (24, 24, 3)
    combined = {"task": "combined", "val": None, "channels": 3}
    _, val_whole, _ = load_data(_cfg(tiny_data, tmp_path, data=str(whole), val_crop=20, **combined))
    _, val_cropped, _ = load_data(_cfg(tiny_data, tmp_path, data=str(cropped), val_crop=20, **combined))
    assert np.array_equal(_centre_crop(val_whole[0], 20), _centre_crop(val_cropped[0], 20))
    for bad in ({"val_crop": 0}, {"val_crop": 32}, {"task": "denoise", "val_crop": 20}):
        with pytest.raises(RestorationError, match="centre 24x24 crops"):
            load_data(_cfg(tiny_data, tmp_path, data=str(cropped), **{**combined, **bad}))
    monkeypatch.setattr("PIL.features.check", lambda name: name != "webp")
    packing._read_pack.cache_clear()
    with pytest.raises(RestorationError, match="--codec raw"):
        load_data(_cfg(tiny_data, tmp_path, data=str(cropped), val_crop=20, **combined))
    packing._read_pack.cache_clear()
    assert load_data(_cfg(tiny_data, tmp_path, data=str(whole), val_crop=20, **combined))[0]  # raw needs no WebP
    import restoration.__main__ as cli

    parser = cli.build_parser()
    codec_choices = next(a.choices for sp in parser._subparsers._group_actions[0].choices.values()
                         for a in sp._actions if a.dest == "codec")
    assert tuple(codec_choices) == packing.CODECS


def test_time_budget_stops_training_and_ends_the_schedule(tiny_data, tmp_path, monkeypatch):
    from restoration.deep import train as train_mod

    clock = iter(range(0, 10_000, 30))  # every call to time.time() is 30 s later
    monkeypatch.setattr(train_mod.time, "time", lambda: float(next(clock)))
    entry = train(_cfg(tiny_data, tmp_path, steps=1000, val_every=1000, time_budget=2.0))
    ckpt = torch.load(tmp_path / "ck" / "tiny.ckpt", weights_only=False)
    assert 0 < ckpt["step"] < 10 and entry["steps"] == ckpt["step"]  # stopped by the 2-minute budget
    assert ckpt["trained_s"] >= 120
    lrs = [g["lr"] for g in ckpt["optimizer"]["param_groups"]]
    assert lrs[0] < 3e-4  # the cosine schedule follows the budget (it would still be at 1e-3 after 2 of 1000 steps)


def test_precision_and_device_choices(monkeypatch):
    from restoration.deep import precision
    from restoration.deep.train import _use_bf16, pick_device

    cpu = pick_device("cpu")
    assert pick_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    monkeypatch.setattr(precision, "bf16_native", lambda: False)
    assert _use_bf16("auto", cpu) is False and _use_bf16("on", cpu) is True
    monkeypatch.setattr(precision, "bf16_native", lambda: True)
    assert _use_bf16("auto", cpu) is True and _use_bf16("off", cpu) is False and _use_bf16(False, cpu) is False
    if not torch.cuda.is_available():
        with pytest.raises(RestorationError, match="no CUDA"):
            pick_device("cuda")


def test_synthetic_pages_are_seeded_documents():
    from restoration.deep.pages import render_page

    a, b, again = render_page(3, 96), render_page(4, 96), render_page(3, 96)
    assert a.shape == (96, 96, 3) and a.dtype == np.float32
    assert np.array_equal(a, again) and not np.array_equal(a, b)
    pages = [render_page(s, 96) for s in range(12)]
    for page in pages:
        assert 0.0 <= page.min() and page.max() <= 1.0
        assert np.median(page) > 0.6  # mostly paper
        assert np.mean(page.mean(axis=2) < np.median(page) - 0.25) > 0.003  # and some ink
    gray = [p for p in pages if np.array_equal(p[..., 0], p[..., 2])]
    assert 0 < len(gray) < len(pages)  # both gray and colour pages


def test_pool_draws_each_source_by_its_share():
    from restoration.deep.train import _Pool

    pool = _Pool([([np.zeros((2, 2))], 0.7), ([np.ones((2, 2)), np.ones((2, 2))], 0.3)])
    rng = np.random.default_rng(0)
    ones = np.mean([pool.pick(rng)[0, 0] for _ in range(4000)])
    assert abs(ones - 0.3) < 0.03
    assert len(pool) == 3 and len(list(pool)) == 3


def test_training_with_gray_photos_and_pages(tiny_data, tmp_path, monkeypatch):
    from restoration.deep import train as train_module
    from restoration.deep.train import load_extras

    monkeypatch.setattr(train_module, "PAGE_TRAIN_COUNT", 6)  # (160 pages take seconds to draw)

    gray_dir = _scenes(tmp_path / "gray", 8, 64, seed=10, prefix="g")
    cfg = _cfg(tiny_data, tmp_path, task="combined", channels=3, val=None, val_split=1, val_crop=32, patch=24,
               unshuffle=2, stages=1, blur_max=5, gray_data=str(gray_dir), gray_share=0.3, pages=0.2)
    sources, parts = load_extras(cfg)
    assert [share for _, share, _ in sources] == [0.3, 0.2]
    assert all(img.shape[2] == 3 and np.array_equal(img[..., 0], img[..., 1]) for img in sources[0][0])
    assert len(sources[0][0]) == 7 and "g0.png" in parts[0][0]  # one of eight held out (val_split // 4, at least 1)
    entry = train(cfg)
    assert "gray (gray) (30% of crops)" in entry["data"]
    assert "synthetic pages" in entry["data"] and "50% of crops" in entry["data"]
    assert "gray held-out split" in entry["validation"]["set"] and "synthetic pages (8" in entry["validation"]["set"]
    from restoration.deep.pages import font_files

    assert entry["page_fonts"] == ([Path(f).name for f in font_files()] or ["Pillow built-in"])
    monkeypatch.setattr("restoration.deep.pages.font_files", lambda: ())
    assert train_module.page_fonts(cfg) == ["Pillow built-in"]
    assert train_module.page_fonts(_cfg(tiny_data, tmp_path)) is None  # no pages, nothing to record
    with pytest.raises(RestorationError, match="share"):
        load_extras(_cfg(tiny_data, tmp_path, gray_data=str(gray_dir), gray_share=0.6, pages=0.5))


def test_pack_carries_gray_crops_and_pages(tiny_data, tmp_path, monkeypatch):
    from restoration.deep import train as train_module
    from restoration.deep.train import load_extras, pack_crops

    monkeypatch.setattr(train_module, "PAGE_TRAIN_COUNT", 3)
    gray_dir = _scenes(tmp_path / "gray", 4, 48, seed=20, prefix="g")
    pack = tmp_path / "pack.npz"
    info = pack_crops(str(tiny_data), str(pack), count=6, size=32, val_split=1, gray_data=str(gray_dir),
                      gray_count=5, pages=True)
    assert info["gray_crops"] == 5 and info["gray_held_out"] == 1 and info["pages"] == 3
    cfg = _cfg(tiny_data, tmp_path, data=str(pack), val=None, channels=3, gray_share=0.25, pages=0.25)
    sources, parts = load_extras(cfg)
    assert [len(images) for images, _, _ in sources] == [5, 3]
    assert sources[0][2] == "gray (gray, packed crops)" and sources[0][0][0].shape == (32, 32, 3)
    assert "g0.png" in parts[0][0] and len(parts[1][1]) == 8
    from restoration.deep.pages import render_page

    assert np.allclose(parts[1][1][0], render_page(train_module.PAGE_VAL_SEED), atol=0.5 / 255)
    assert train_module.page_fonts(cfg) == info["fonts"]  # the pack's fonts, wherever it is read
    monkeypatch.setattr("restoration.deep.pages.font_files", lambda: ("/elsewhere/Other.ttf",))
    assert train_module.page_fonts(cfg) == info["fonts"]
    with pytest.raises(RestorationError, match="--gray-data"):
        load_extras(_cfg(tiny_data, tmp_path, gray_share=0.2))


def test_gray_crops_get_the_apps_shared_noise_half_of_the_time(tiny_data, tmp_path):
    from restoration.deep.train import _sample_combined

    gray = np.repeat(make_scene(64, 64, seed=1)[..., None], 3, axis=2).astype(np.float32)
    colour = make_scene(64, 64, colour=True, seed=2).astype(np.float32)
    cfg = _cfg(tiny_data, tmp_path, task="combined", channels=3, batch=16, patch=24, blur_max=5)
    rng = np.random.default_rng(0)
    shared = independent = 0
    for _ in range(4):
        _, low, _, sigma = _sample_combined([gray], cfg, rng)
        same = [np.array_equal(o[..., 0], o[..., 1]) and np.array_equal(o[..., 1], o[..., 2])
                for o, s in zip(low, sigma, strict=True) if s > 1.0]
        shared, independent = shared + sum(same), independent + len(same) - sum(same)
    assert shared > 10 and independent > 10, (shared, independent)
    _, low, _, _ = _sample_combined([colour], cfg, rng)
    assert not any(np.array_equal(o[..., 0], o[..., 1]) for o in low)


def test_learning_rate_warms_up_then_follows_the_cosine(tiny_data, tmp_path):
    """--warmup N ramps the rate linearly over N steps; the cosine (over steps or the time budget) is unchanged."""
    from restoration.deep.train import learning_rate

    plain = _cfg(tiny_data, tmp_path, lr=1e-3, lr_min=1e-5, steps=100)
    warm = _cfg(tiny_data, tmp_path, lr=1e-3, lr_min=1e-5, steps=100, warmup=10)
    assert learning_rate(plain, 0) == pytest.approx(1e-3)
    assert learning_rate(warm, 0) == pytest.approx(1e-4)  # a tenth of the rate on the first step
    assert learning_rate(warm, 4) == pytest.approx(0.5 * learning_rate(plain, 4))
    for step in (9, 50, 99):  # after the ramp, the same schedule
        assert learning_rate(warm, step) == pytest.approx(learning_rate(plain, step))
    assert learning_rate(plain, 100) == pytest.approx(1e-5)
    budget = _cfg(tiny_data, tmp_path, lr=1e-3, lr_min=1e-5, steps=100, time_budget=1.0)
    assert learning_rate(budget, 10, seconds=60.0) == pytest.approx(1e-5)  # the budget ends the cosine early
    assert learning_rate(budget, 50, seconds=1.0) == pytest.approx(learning_rate(plain, 50))
    with pytest.raises(RestorationError, match="--warmup"):
        train(_cfg(tiny_data, tmp_path, warmup=-1))


@pytest.mark.parametrize("average_wins", [True, False])
def test_weight_average_is_scored_beside_the_weights_and_the_better_is_kept(tiny_data, tmp_path, monkeypatch,
                                                                           average_wins):
    """--ema D keeps a moving average of the weights; each validation scores both, the better one is written."""
    from restoration.deep import train as train_mod

    rounds = []

    def fake_validate(net, images, cfg):  # rises with every validation; the average's parameters are frozen
        is_average = not any(p.requires_grad for p in net.parameters())
        if not is_average:  # the trained weights are scored first
            rounds.append(1)
        return 20.0 + len(rounds) + (0.5 if is_average == average_wins else 0.0)

    monkeypatch.setattr(train_mod, "_validate", fake_validate)
    entry = train(_cfg(tiny_data, tmp_path, ema=0.5, steps=4, val_every=2))
    ckpt = torch.load(tmp_path / "ck" / "tiny.ckpt", weights_only=False)
    assert ckpt["ema"]["n_averaged"].item() == 4  # updated after every step
    assert all("val_psnr_average" in h for h in ckpt["history"])
    assert entry["ema"] == {"decay": 0.5, "kept": "average" if average_wins else "trained weights"}
    assert entry["steps"] == 4
    saved = torch.load(tmp_path / "w" / entry["file"], weights_only=True)
    average = {k.removeprefix("module."): v for k, v in ckpt["ema"].items() if k.startswith("module.")}
    wanted = average if average_wins else ckpt["model"]
    other = ckpt["model"] if average_wins else average
    assert all(torch.equal(saved[k], wanted[k]) for k in saved)
    assert not all(torch.equal(saved[k], other[k]) for k in saved)  # the two differ, so the check means something


def test_weight_average_follows_its_decay_and_resumes(tiny_data, tmp_path):
    from restoration.deep.train import _weight_average

    net = torch.nn.Linear(2, 1, bias=False)
    with torch.no_grad():
        net.weight.fill_(1.0)
    average = _weight_average(net, 0.9)
    average.update_parameters(net)  # the first update copies the weights
    with torch.no_grad():
        net.weight.fill_(3.0)
    average.update_parameters(net)
    assert torch.allclose(average.module.weight, torch.full((1, 2), 0.9 * 1.0 + 0.1 * 3.0))
    assert _weight_average(net, 0.0) is None
    again = _weight_average(net, 0.9, average.state_dict())
    assert torch.equal(again.module.weight, average.module.weight) and again.n_averaged.item() == 2

    first = train(_cfg(tiny_data, tmp_path, ema=0.9, stop_after=2))  # a run stopped and resumed
    assert first["steps"] == 2
    train(_cfg(tiny_data, tmp_path, ema=0.9))
    ckpt = torch.load(tmp_path / "ck" / "tiny.ckpt", weights_only=False)
    assert ckpt["step"] == 4 and ckpt["ema"]["n_averaged"].item() == 4  # the average went on, not afresh
    continued = train(_cfg(tiny_data, tmp_path, out="next", init="tiny", steps=2))
    assert continued["init"]["ema"] == manifest(tmp_path / "w")["tiny"]["ema"]  # the history says what was kept
    assert "ema" not in continued  # this run kept no average
    with pytest.raises(RestorationError, match="--ema"):
        train(_cfg(tiny_data, tmp_path, out="bad", ema=1.0))


#: Runtime requirements (requirements.txt) that a lent GPU machine's Python does not have: the training
#: command must run there from a pack with torch, NumPy, SciPy, Pillow, scikit-image, pandas and tqdm alone.
NOT_ON_GPU_MACHINE = ("pywt", "plotly", "streamlit", "dask", "distributed")


def test_training_from_a_pack_runs_without_the_apps_other_requirements(tmp_path, monkeypatch):
    """The combined training's whole path (pack, gray crops, pages, validation, --ema) imports none of them."""
    from restoration.deep import train as train_module
    from restoration.deep.train import pack_crops

    monkeypatch.setattr(train_module, "PAGE_TRAIN_COUNT", 3)
    photos = _scenes(tmp_path / "photos", 4, 64, seed=30, prefix="p")
    pack = tmp_path / "pack.npz"
    pack_crops(str(photos), str(pack), count=6, size=48, val_split=1, gray_data=str(photos), gray_count=3,
               pages=True)
    code = (
        "import runpy, sys\n"
        f"blocked = {NOT_ON_GPU_MACHINE!r}\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in blocked:\n"
        "            raise ImportError('not on the GPU machine: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "sys.argv = ['restoration', *sys.argv[1:]]\n"
        "runpy.run_module('restoration', run_name='__main__', alter_sys=True)\n"
    )
    args = ["train", "--task", "combined", "--data", str(pack), "--val-crop", "32", "--out", "gpu", "--channels", "3",
            "--stages", "2", "--pad", "2", "--steps", "2", "--batch", "2", "--patch", "24", "--blur-max", "5",
            "--features", "8", "--blocks", "1", "--val-every", "2", "--gray-share", "0.2", "--pages", "0.2",
            "--ema", "0.9", "--out-dir", str(tmp_path / "w"), "--checkpoint-dir", str(tmp_path / "ck"), "--no-bf16"]
    res = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    entry = json.loads(res.stdout)
    assert entry["steps"] == 2 and "synthetic pages" in entry["validation"]["set"] and "ema" in entry
    blocked = subprocess.run([sys.executable, "-c", code.replace("runpy.run_module", "import pywt; runpy.run_module")],
                             cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "not on the GPU machine: pywt" in blocked.stderr  # the guard itself works


def test_the_gpu_script_gives_options_the_cli_takes(tmp_path):
    """scripts/train_on_gpu.sh runs once, on a lent machine: its commands must parse here, where it can be tested."""
    import shlex

    from restoration.__main__ import build_parser

    script = (ROOT / "scripts" / "train_on_gpu.sh").read_text()
    pack = " ".join(line.lstrip("# ").rstrip("\\") for line in script.splitlines()
                    if line.startswith("#   python -m restoration pack-crops") or line.startswith("#       --size"))
    start = script.index("python3 -m restoration train")
    train_line = script[start:script.index("2>&1", start)].replace("\\\n", " ")
    values = {"$pack": "p.npz", "$minutes": "8", "$batch": "64", "$lr": "1e-4", "$seed": "11", "$out": "o"}
    parser = build_parser()
    parsed = []
    for command in (pack, train_line):
        words = shlex.split(command.replace('"', ""))[3:]
        words = [values.get(w, w) for w in words]
        parsed.append(parser.parse_args(words))
        assert parsed[-1].func is not None
    packed, args = parsed
    assert args.init == "cnn_combined" and args.ema == 0.999 and args.data == "p.npz"
    assert 0 < args.val_crop <= packed.val_crop  # the pack's held-out crops are what the run validates on
    res = subprocess.run(["bash", str(ROOT / "scripts" / "train_on_gpu.sh"), "1", "0"], cwd=tmp_path,
                         env={"OUT": str(tmp_path), "PATH": "/usr/bin:/bin"}, capture_output=True, text=True)
    assert res.returncode == 2 and "artifacts/gpu/combined.npz is missing" in res.stderr
