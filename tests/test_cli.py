"""The command line, driven through a real subprocess."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from scenes import make_scene

from restoration.images import load_image, save_image

ROOT = Path(__file__).resolve().parents[1]


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "restoration", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture
def clean_png(tmp_path):
    path = tmp_path / "clean.png"
    save_image(make_scene(48, 64, colour=True), path)
    return path


def test_methods_lists_registry():
    out = cli("methods")
    assert out.returncode == 0
    assert "median" in out.stdout and "Traditional filters" in out.stdout
    data = json.loads(cli("methods", "--json").stdout)
    assert {"identity", "median", "bicubic"} <= {m["name"] for m in data}
    sr = cli("methods", "--task", "sr").stdout
    assert "bicubic" in sr and "median" not in sr


def test_steps_lists_presets():
    out = cli("steps")
    assert out.returncode == 0 and "motion_blur(" in out.stdout and "combined" in out.stdout


def test_restore_with_degrade_reports_metrics(clean_png, tmp_path):
    out_png, deg_png = tmp_path / "out.png", tmp_path / "deg.png"
    res = cli("restore", str(clean_png), str(out_png), "--method", "median", "--degrade",
              "salt_pepper(amount=0.1)", "--param", "size=3", "--seed", "4", "--save-degraded", str(deg_png))
    assert res.returncode == 0, res.stderr
    report = json.loads(res.stdout)
    assert report["restored"]["psnr"] > report["degraded"]["psnr"] + 5
    assert load_image(out_png).shape == (48, 64, 3) and deg_png.exists()


def test_restore_already_degraded_sr(clean_png, tmp_path):
    out_png = tmp_path / "big.png"
    res = cli("restore", str(clean_png), str(out_png), "--method", "bicubic", "--scale", "2")
    assert res.returncode == 0, res.stderr
    assert load_image(out_png).shape == (96, 128, 3)
    assert "restored" not in json.loads(res.stdout)  # no ground truth, no metrics


def test_degrade_command(clean_png, tmp_path):
    out_png = tmp_path / "lr.png"
    res = cli("degrade", str(clean_png), str(out_png), "--degrade", "downsample(scale=4)")
    assert res.returncode == 0, res.stderr
    assert load_image(out_png).shape == (12, 16, 3)
    assert json.loads(res.stdout)["task"] == "sr"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["restore", "{clean}", "{out}", "--method", "mediam"], "did you mean 'median'"),
        (["restore", "{missing}", "{out}", "--method", "median"], "no such file"),
        (["restore", "{garbage}", "{out}", "--method", "median"], "not an image"),
        (["restore", "{clean}", "{out}", "--method", "median", "--degrade", "blur("], "cannot parse"),
        (["restore", "{clean}", "{out}", "--method", "median", "--degrade", "jpeg", "--param", "size=99"], "<= 15"),
        (["restore", "{clean}", "{out}", "--method", "median", "--degrade", "downsample"], "does not solve"),
        (["restore", "{clean}", "{out}", "--method", "median", "--param", "size"], "key=value"),
        (["restore", "{clean}", "{tmp}/nodir/x.png", "--method", "identity"], "cannot write"),
        (["benchmark", "--images", "{tmp}/none", "--degrade", "jpeg", "--methods", "median", "--out", "{tmp}/r.csv"],
         "not found"),
        (["benchmark", "--images", "{tmp}", "--degrade", "jpeg", "--methods", "median", "--out", "{tmp}/r.txt"],
         "csv or .json"),
        (["methods", "--task", "colourise"], "unknown task"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_input_one_line_exit_2(args, message, clean_png, tmp_path):
    garbage = tmp_path / "garbage.png"
    garbage.write_bytes(b"definitely not a png")
    subst = {"clean": clean_png, "out": tmp_path / "o.png", "missing": tmp_path / "missing.png",
             "garbage": garbage, "tmp": tmp_path}
    res = cli(*[a.format(**subst) for a in args])
    assert res.returncode == 2
    assert message in res.stderr
    assert "Traceback" not in res.stderr
    assert res.stderr.strip().splitlines()[-1].startswith("error:")


def test_benchmark_folder_of_categories(tmp_path):
    for cat in ("portrait", "indoor"):
        (tmp_path / "imgs" / cat).mkdir(parents=True)
        for i in range(2):
            save_image(make_scene(32, 40, seed=i), tmp_path / "imgs" / cat / f"{cat}{i}.png")
    out = tmp_path / "r.json"
    res = cli("benchmark", "--images", str(tmp_path / "imgs"), "--degrade", "gaussian_noise(sigma=25)",
              "--methods", "identity,median", "--out", str(out), "--quiet", "--workers", "2")
    assert res.returncode == 0, res.stderr
    table = pd.read_json(out)
    assert len(table) == 4 * 3  # images x (degraded, identity, median)
    assert "Mean per method" in res.stdout and "per category" in res.stdout
    assert "portrait" in res.stdout and "improvement" in res.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["restore", "{clean}", "{out}", "--method", "median", "--scheduler", "tcp://127.0.0.1:8786"],
         "apply when INPUT is a folder"),
        (["restore", "{folder}", "{clean}", "--method", "median"], "must be a folder"),
        (["restore", "{folder}", "{folder}", "--method", "median"], "must differ"),
        (["restore", "{folder}", "{tmp}/o", "--method", "median", "--save-degraded", "{tmp}/d.png"], "one image"),
        (["restore", "{folder}", "{tmp}/o", "--method", "mediam"], "did you mean 'median'"),
        (["restore", "{folder}", "{tmp}/o", "--method", "median", "--scheduler", "localhost:port"],
         "not a Dask scheduler address"),
        (["benchmark", "--images", "{folder}", "--degrade", "jpeg", "--methods", "median", "--out", "{tmp}/r.csv",
          "--scheduler", "tcp://"], "not a Dask scheduler address"),
    ],
)
def test_restore_folder_bad_input_one_line_exit_2(args, message, clean_png, tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    save_image(make_scene(24, 32), folder / "p.png")
    subst = {"clean": clean_png, "out": tmp_path / "o.png", "folder": folder, "tmp": tmp_path}
    res = cli(*[a.format(**subst) for a in args])
    assert res.returncode == 2
    assert message in res.stderr
    assert "Traceback" not in res.stderr
    assert res.stderr.strip().splitlines()[-1].startswith("error:")


def test_restore_folder_locally(tmp_path):
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    save_image(make_scene(32, 40, colour=True), src / "x.jpg")
    save_image(make_scene(32, 40, seed=1), src / "sub" / "y.png")
    res = cli("restore", str(src), str(tmp_path / "out"), "--method", "median", "--workers", "2", "--quiet")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["restored"] == 2
    assert load_image(tmp_path / "out" / "x.png").shape == (32, 40, 3)
    assert load_image(tmp_path / "out" / "sub" / "y.png").shape == (32, 40)
