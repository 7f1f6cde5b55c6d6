"""Bad input everywhere it can enter: image files, the command line, uploads, parameters, zip archives.

Every failure must be a :class:`restoration.errors.RestorationError` subclass with a one-line
readable message (the command line: exit status 2 and one ``error: ...`` line, no traceback);
everything accepted must give a valid, finite result. The awkward files come from
:mod:`malformed` (made on the fly: no binary fixtures in the repository).
"""

from __future__ import annotations

import io
import json
import math
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from malformed import ERROR, OK, corpus

from restoration import errors
from restoration.__main__ import main
from restoration.degradations import Observation, degrade
from restoration.errors import RestorationError
from restoration.images import encode_png, load_image, validate_image
from restoration.metrics import compare, psnr, ssim
from restoration.registry import run_algorithm

ROOT = Path(__file__).resolve().parents[1]
CORPUS = corpus()
IDS = [name for name, _, _ in CORPUS]


def _check_image(image: np.ndarray) -> None:
    assert image.dtype == np.float32
    assert image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 3), image.shape
    assert image.shape[0] >= 1 and image.shape[1] >= 1
    assert np.all(np.isfinite(image)) and image.min() >= 0.0 and image.max() <= 1.0


def _check_message(exc: BaseException) -> None:
    text = str(exc)
    assert text and "\n" not in text and "Traceback" not in text, repr(text)
    assert len(text) < 400, text


def _expect(expectation: str, load: object) -> None:
    """Run ``load()`` and check the corpus expectation: a valid image, or that error type."""
    if expectation == OK:
        _check_image(load())  # type: ignore[operator]
        return
    cls = getattr(errors, expectation)
    with pytest.raises(RestorationError) as info:
        load()  # type: ignore[operator]
    assert type(info.value) is cls, f"expected {expectation}, got {type(info.value).__name__}: {info.value}"
    _check_message(info.value)


# --------------------------------------------------------------------------- the corpus itself
def test_corpus_covers_the_brief() -> None:
    names = set(IDS)
    for needed in ("empty.png", "random.png", "text.jpg", "png_named.jpg", "two_pages.tif", "animated.gif",
                   "palette.png", "alpha.png", "gray16.png", "cmyk.jpg", "one_pixel.png", "extreme_1x5000.png",
                   "bomb_100000x100000.png", "bitmap.bmp", "bad_crc.png"):
        assert needed in names
    assert sum(n.startswith("truncated_") and n.endswith(".png") for n in names) >= 3
    assert sum(n.startswith("truncated_") and n.endswith(".jpg") for n in names) >= 3
    assert {e for _, _, e in CORPUS} <= {OK, *ERROR}
    bomb = dict((n, d) for n, d, _ in CORPUS)["bomb_100000x100000.png"]
    assert len(bomb) < 200  # small on disk, 10^10 pixels claimed


# --------------------------------------------------------------------------- (a) load_image
@pytest.mark.parametrize(("name", "data", "expectation"), CORPUS, ids=IDS)
def test_load_image_from_bytes(name: str, data: bytes, expectation: str) -> None:
    _expect(expectation, lambda: load_image(data))


@pytest.mark.parametrize(("name", "data", "expectation"), CORPUS, ids=IDS)
def test_load_image_from_path_and_file_object(name: str, data: bytes, expectation: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    _expect(expectation, lambda: load_image(path))
    _expect(expectation, lambda: load_image(str(path)))
    _expect(expectation, lambda: load_image(io.BytesIO(data)) if data else load_image(data))


def test_wrong_extension_loads_by_content() -> None:
    data = dict((n, d) for n, d, _ in CORPUS)
    np.testing.assert_array_equal(load_image(data["png_named.jpg"]), load_image(data["plain.png"]))


def test_bomb_is_refused_with_and_without_our_limit() -> None:
    bomb = dict((n, d) for n, d, _ in CORPUS)["bomb_100000x100000.png"]
    for limit in (None, 10**12):  # Pillow's own fence still holds when ours is off
        with pytest.raises(errors.ImageTooLargeError, match="too large"):
            load_image(bomb, max_pixels=limit)


# --------------------------------------------------------------------------- (b) command line
def _run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(("name", "data", "expectation"), CORPUS, ids=IDS)
def test_cli_degrade_each_file(
    name: str, data: bytes, expectation: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / name
    src.write_bytes(data)
    out = tmp_path / "out.png"
    code, stdout, stderr = _run_cli(["degrade", str(src), str(out), "--degrade", "gaussian_noise(sigma=10)"], capsys)
    if expectation == OK:
        assert code == 0, stderr
        assert not stderr
        _check_image(load_image(out))
        assert json.loads(stdout)["task"] == "denoise"
    else:
        assert code == 2
        assert not out.exists()
        lines = stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), stderr
        assert "Traceback" not in stderr


def test_cli_subprocess_bad_and_awkward_files(tmp_path: Path) -> None:
    """Through a real interpreter: exit status, one line on stderr, never a traceback."""
    data = dict((n, d) for n, d, _ in CORPUS)
    bad, good = tmp_path / "truncated.png", tmp_path / "cmyk.jpg"
    bad.write_bytes(data["truncated_half.png"])
    good.write_bytes(data["cmyk.jpg"])
    run = [sys.executable, "-m", "restoration", "restore"]
    res = subprocess.run([*run, str(bad), str(tmp_path / "o.png"), "--method", "median"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert res.stderr.strip().splitlines() == [res.stderr.strip()] and res.stderr.startswith("error: ")
    res = subprocess.run([*run, str(good), str(tmp_path / "o.png"), "--method", "median",
                          "--degrade", "salt_pepper(amount=0.1)"], cwd=ROOT, capture_output=True, text=True,
                         timeout=300)
    assert res.returncode == 0, res.stderr
    _check_image(load_image(tmp_path / "o.png"))


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--scale", "0"], "upscaling factor"),
        (["--scale", "100000"], "upscaling factor"),
        (["--sigma", "nan"], "sigma"),
        (["--sigma", "-5"], "sigma"),
        (["--param", "size=" + "9" * 400], "far outside"),
        (["--param", "size=nan"], "must be a number"),
        (["--degrade", "gaussian_noise(sigma=\udcff)"], "cannot parse"),
        (["--degrade", "downsample(scale=8) | downsample(scale=8)"], "smaller than"),
        (["--degrade", "gaussian_noise", "--crop-border", "100"], "leaves nothing"),
    ],
)
def test_cli_parameter_extremes(extra: list[str], message: str, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "in.png"
    src.write_bytes(encode_png(np.full((16, 16), 0.5, np.float32)))
    code, _, stderr = _run_cli(["restore", str(src), str(tmp_path / "o.png"), "--method", "median", *extra], capsys)
    assert code == 2
    assert len(stderr.strip().splitlines()) == 1 and message in stderr, stderr


# --------------------------------------------------------------------------- (c) uploads
@pytest.mark.parametrize(("name", "data", "expectation"), CORPUS, ids=IDS)
def test_decode_upload_each_file(name: str, data: bytes, expectation: str) -> None:
    """The function behind the Degrade page's uploader (through ``ui.cache.load_upload``)."""
    from ui import uploads

    _expect(expectation, lambda: uploads.decode_upload(data, 128 * 128)[0])
    if expectation == OK:
        image, original = uploads.decode_upload(data, 128 * 128)
        assert image.shape[0] * image.shape[1] <= 128 * 128 and min(original) >= 1


def test_upload_widget_shows_clear_errors() -> None:
    """The real page through AppTest: bad files give an error box, never an exception; good ones load."""
    from streamlit.testing.v1 import AppTest

    from ui.keys import DEGRADE_SOURCE, DEGRADE_UPLOAD, SHARED_NAME

    data = dict((n, d) for n, d, _ in CORPUS)
    at = AppTest.from_file(str(ROOT / "pages" / "1_Degrade.py"), default_timeout=120.0)
    at.run()
    at.radio(key=DEGRADE_SOURCE).set_value("upload").run()
    for name in ("truncated_half.png", "bomb_100000x100000.png", "text.jpg", "bad_crc.png"):
        at.file_uploader(key=DEGRADE_UPLOAD).upload(name, data[name], "image/png").run()
        assert not at.exception, [e.value for e in at.exception]
        assert any(name in e.value for e in at.error), [e.value for e in at.error]
    at.file_uploader(key=DEGRADE_UPLOAD).upload("two_pages.tif", data["two_pages.tif"], "image/tiff").run()
    assert not at.exception and not at.error
    assert at.session_state[SHARED_NAME] == "two_pages.tif"


# --------------------------------------------------------------------------- parameter extremes (API)
@pytest.mark.parametrize(
    "spec",
    [
        "gaussian_noise(sigma=0)", "gaussian_noise(sigma=255)", "gaussian_noise(sigma=255, clip=false)",
        "downsample(scale=1)", "downsample(scale=8)", "random_mask(missing=1)", "random_mask(missing=0)",
        "block_mask(size=512, count=100)", "block_mask(count=0)", "motion_blur(length=101, angle=45)",
        "box_blur(size=101)", "defocus_blur(radius=50)", "gaussian_blur(sigma=20)", "gaussian_blur(sigma=0)",
        "poisson_noise(peak=0.1)", "salt_pepper(amount=1)", "jpeg(quality=1)", "scribble_mask(strokes=100, width=64)",
        "text_mask(size=128)", "motion_blur(length=101) | downsample(scale=8) | gaussian_noise(sigma=255)",
    ],
)
@pytest.mark.parametrize("shape", [(24, 20), (1, 1), (1, 64), (9, 9, 3)], ids=str)
def test_degradation_extremes_are_finite_or_clear(spec: str, shape: tuple[int, ...]) -> None:
    image = np.random.default_rng(0).random(shape).astype(np.float32)
    try:
        obs = degrade(image, spec)
    except RestorationError as exc:  # e.g. an image smaller than the downsampling factor
        _check_message(exc)
        assert "smaller than" in str(exc)
        return
    assert np.all(np.isfinite(obs.degraded))
    assert obs.degraded.shape[:2] == (shape[0] // obs.scale, shape[1] // obs.scale)
    if "clip=false" not in spec:
        assert obs.degraded.min() >= 0.0 and obs.degraded.max() <= 1.0
    if "random_mask(missing=1)" in spec:
        assert not obs.mask.any() and obs.task == "inpaint"
    if "random_mask(missing=0)" in spec:
        assert obs.mask.all()


@pytest.mark.parametrize(
    "array",
    [
        np.array([[np.nan, 0.5]]), np.array([[np.inf, 0.5]]), np.array([[-np.inf]]), np.full((3, 3), 2.0),
        np.full((3, 3), -0.5), np.zeros((0, 3)), np.zeros((3, 3, 4)), np.zeros(5), np.zeros((3, 3), np.uint8),
        np.zeros((3, 3), bool), np.zeros((3, 3), object), np.zeros((3, 3), complex), np.zeros((3, 3), "U1"),
        "not an array", None, [[0.5]],
    ],
    ids=lambda a: f"{getattr(a, 'dtype', type(a).__name__)}{getattr(a, 'shape', '')}",
)
def test_validate_image_refuses_clearly(array: object) -> None:
    with pytest.raises(errors.ImageValueError) as info:
        validate_image(array)
    _check_message(info.value)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"data_range": 0}, "data_range"), ({"data_range": -1.0}, "data_range"),
        ({"data_range": float("nan")}, "data_range"), ({"data_range": "1"}, "data_range"),
        ({"crop_border": 1.5}, "whole number"), ({"crop_border": -1}, ">= 0"), ({"crop_border": 50}, "nothing"),
    ],
)
def test_metric_options_refused_clearly(kwargs: dict, message: str) -> None:
    a = np.random.default_rng(0).random((16, 16))
    for metric in (psnr, ssim):
        with pytest.raises(errors.ImageValueError, match=message):
            metric(a, a * 0.5, **kwargs)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (np.zeros((0, 4)), np.zeros((0, 4))), (np.zeros((4, 4)), np.zeros((4, 5))),
        (np.zeros((4, 4), "U1"), np.zeros((4, 4), "U1")), (np.zeros((4, 4), object), np.zeros((4, 4), object)),
        (np.full((4, 4), np.nan), np.zeros((4, 4))), (np.zeros(8), np.zeros(8)),
    ],
    ids=["empty", "shapes", "strings", "objects", "nan", "1-d"],
)
def test_metric_inputs_refused_clearly(a: np.ndarray, b: np.ndarray) -> None:
    for metric in (psnr, ssim):
        with pytest.raises(errors.ImageValueError) as info:
            metric(a, b)
        _check_message(info.value)


def test_metrics_on_tiny_images_are_documented_values() -> None:
    one = np.full((1, 1), 0.5)
    assert psnr(one, one) == math.inf
    assert math.isfinite(psnr(one, one * 0.5))
    assert math.isnan(ssim(one, one))  # documented: SSIM is undefined under 3x3
    assert compare(np.zeros((3, 3)), np.zeros((3, 3))) == {"psnr": math.inf, "ssim": 1.0}


@pytest.mark.parametrize(
    ("method", "spec", "shape"),
    [
        ("median", "gaussian_noise(sigma=255)", (1, 1)),
        ("median", "salt_pepper(amount=1)", (1, 64, 3)),
        ("gaussian", "gaussian_noise(sigma=0)", (2, 2)),
        ("wiener_deconv", "motion_blur(length=101, angle=30)", (5, 7)),  # blur far longer than the image
        ("richardson_lucy", "box_blur(size=101)", (6, 6)),
        ("bicubic", "downsample(scale=8)", (8, 8)),
        ("tv_inpaint", "random_mask(missing=1)", (6, 6)),  # mask covering everything
        ("tv_inpaint", "random_mask(missing=0)", (6, 6)),  # and nothing
        ("identity", "jpeg(quality=1)", (1, 1)),
    ],
)
def test_registry_methods_on_extreme_observations(method: str, spec: str, shape: tuple[int, ...]) -> None:
    obs = degrade(np.random.default_rng(1).random(shape).astype(np.float32), spec)
    out = run_algorithm(method, obs)
    assert out.shape == obs.output_shape and np.all(np.isfinite(out))
    assert out.min() >= 0.0 and out.max() <= 1.0


@pytest.mark.parametrize(
    ("method", "spec", "shape"),
    [
        ("nlm", "gaussian_noise(sigma=25)", (1, 64)),
        ("nlm", "gaussian_noise(sigma=25)", (64, 1)),
        ("tv_sr", "motion_blur(length=9) | downsample(scale=2) | gaussian_noise(sigma=10)", (2, 2)),
        ("classic_chain", "motion_blur(length=9) | downsample(scale=2) | gaussian_noise(sigma=10)", (3, 3)),
        ("pnp", "motion_blur(length=9) | downsample(scale=2) | gaussian_noise(sigma=10)", (2, 2)),
    ],
)
def test_tiny_images_once_broken(method: str, spec: str, shape: tuple[int, ...]) -> None:
    """Regressions: a one-row image through NL-means, a 1x1 low-resolution image through the TV operator."""
    obs = degrade(np.full(shape, 0.5, np.float32), spec)
    out = run_algorithm(method, obs)
    assert out.shape == obs.output_shape and np.all(np.isfinite(out))


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"size": "9" * 400}, errors.ParameterError), ({"size": 10**5000}, errors.ParameterError),
        ({"size": float("inf")}, errors.ParameterError), ({"size": 0}, errors.ParameterError),
        ({"size": "abc"}, errors.ParameterError), ({"nope": 1}, errors.ParameterError),
    ],
    ids=["long text", "huge int", "inf", "zero", "text", "unknown"],
)
def test_registry_parameters_refused_clearly(params: dict, error: type) -> None:
    obs = degrade(np.full((8, 8), 0.5, np.float32), "gaussian_noise(sigma=10)")
    with pytest.raises(error) as info:
        run_algorithm("median", obs, params)
    _check_message(info.value)


@pytest.mark.parametrize(
    "kwargs",
    [{"scale": 0}, {"scale": -2}, {"scale": 9}, {"scale": 2.5}, {"scale": True}, {"sigma": -1.0},
     {"sigma": math.nan}, {"sigma": math.inf}, {"sigma": 256}, {"sigma": "10"}],
    ids=str,
)
def test_observation_from_degraded_refuses_bad_knobs(kwargs: dict) -> None:
    with pytest.raises(errors.ParameterError) as info:
        Observation.from_degraded(np.full((8, 8), 0.5, np.float32), **kwargs)
    _check_message(info.value)


def test_observation_from_degraded_bounds_the_output_size() -> None:
    with pytest.raises(errors.ImageTooLargeError, match="over the limit"):
        Observation.from_degraded(np.zeros((2000, 2000), np.float32), scale=8)
    assert Observation.from_degraded(np.zeros((2000, 2000), np.float32), scale=1).scale == 1


# --------------------------------------------------------------------------- zip archives
def _zip(entries: list[tuple[str | zipfile.ZipInfo, bytes]], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


def _link(name: str, target: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


PNG = encode_png(np.full((12, 12), 0.5, np.float32))


def _extract(data: bytes, tmp_path: Path, **limits: int) -> list[Path]:
    """Extract into ``tmp_path/dest`` and check that nothing appeared beside it."""
    from ui import uploads

    dest = tmp_path / "dest"
    dest.mkdir()
    try:
        return uploads.safe_extract_zip(data, dest, **limits)
    finally:
        assert sorted(p.name for p in tmp_path.iterdir()) == ["dest"]
        for path in dest.rglob("*"):
            assert not path.is_symlink() and dest.resolve() in path.resolve().parents


def _bomb(size: int) -> bytes:
    return _zip([("faces/bomb.png", b"\0" * size)])


def _lying_bomb() -> bytes:
    """A zip whose headers say 100 bytes for a member that inflates to 8 MB."""
    data = bytearray(_bomb(8 << 20))
    central = data.rfind(b"PK\x01\x02")
    data[central + 24 : central + 28] = (100).to_bytes(4, "little")
    data[22:26] = (100).to_bytes(4, "little")
    return bytes(data)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_zip([("../evil.png", PNG)]), "'..'"),
        (_zip([("faces/../../evil.png", PNG)]), "'..'"),
        (_zip([("..\\evil.png", PNG)]), "'..'"),
        (_zip([("/etc/evil.png", PNG)]), "absolute"),
        (_zip([("C:/evil.png", PNG)]), "absolute"),
        (_zip([("faces/a.png", PNG), (_link("faces/link.png", "/etc/passwd"), b"/etc/passwd")]), "symbolic link"),
        (_bomb(8 << 20), "over the limit"),
        (_lying_bomb(), "damaged"),
        (_zip([(f"f/{i}.png", b"") for i in range(60)], zipfile.ZIP_STORED), "entries"),
        (_zip([("a.png", PNG), ("a.png/b.png", PNG)]), "cannot be unpacked"),
        (_zip([("faces/" + "x" * 300 + "/a.png", PNG)]), "cannot be unpacked"),
        (b"PK\x03\x04 truncated", "not a zip"),
        (b"", "not a zip"),
    ],
    ids=["dotdot", "inner-dotdot", "backslash", "absolute", "drive", "symlink", "bomb", "lying-bomb", "too-many",
         "file-folder-clash", "long-name", "truncated", "empty"],
)
def test_unsafe_zips_are_refused_and_nothing_escapes(data: bytes, message: str, tmp_path: Path) -> None:
    with pytest.raises(RestorationError, match=message) as info:
        _extract(data, tmp_path, max_files=50, max_bytes=4 << 20)
    _check_message(info.value)


def test_entry_count_is_checked_before_the_directory_is_parsed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = _zip([(f"{i}", b"") for i in range(3000)], zipfile.ZIP_STORED)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the archive must be refused before zipfile parses it")

    monkeypatch.setattr(zipfile, "ZipFile", refuse)
    with pytest.raises(RestorationError, match="more than 2,000 entries"):
        _extract(data, tmp_path)


def test_zip_nested_folders_non_images_and_empty_categories(tmp_path: Path) -> None:
    from ui import uploads

    data = _zip([
        ("outer/", b""), ("outer/bench/", b""), ("outer/bench/empty/", b""),
        ("outer/bench/faces/a.png", PNG), ("outer/bench/faces/deep/nested/b.png", PNG),
        ("outer/bench/text/notes.txt", b"not an image"), ("outer/bench/text/c.PNG", PNG),
        ("outer/bench/text/broken.png", b"broken"), ("outer/bench/.hidden/d.png", PNG),
        ("__MACOSX/outer/._a.png", b"junk"), ("outer/bench/text/script.py", b"print('hi')"),
    ])
    written = _extract(data, tmp_path)
    assert all(p.suffix.lower() == ".png" for p in written)
    assert not any(".hidden" in p.parts or "__MACOSX" in p.parts for p in written)
    found = uploads.images_from_zip(data, None)
    assert sorted((i.category, i.name) for i in found.images) == [("faces", "a"), ("text", "c")]
    assert len(found.skipped) == 1 and "broken.png" in found.skipped[0]
    for image in found.images:
        _check_image(image.pixels)


@pytest.mark.parametrize(
    "entries",
    [[], [("faces/", b""), ("text/", b"")], [("faces/readme.txt", b"x")], [("faces/bad.png", b"nope")]],
    ids=["empty", "only-empty-folders", "no-images", "only-broken-images"],
)
def test_zip_without_usable_images_says_so(entries: list[tuple[str, bytes]]) -> None:
    from ui import uploads

    with pytest.raises(RestorationError) as info:
        uploads.images_from_zip(_zip(entries), 64 * 64)
    _check_message(info.value)
    assert "image" in str(info.value)


def test_zip_with_corpus_images_keeps_the_good_ones() -> None:
    from ui import uploads

    data = _zip([(f"set/{'good' if e == OK else 'bad'}/{n}", d) for n, d, e in CORPUS])
    found = uploads.images_from_zip(data, 32 * 32)
    assert sorted(i.name for i in found.images) == sorted(
        n.rsplit(".", 1)[0] for n, _, e in CORPUS if e == OK
    )
    assert {i.category for i in found.images} == {"good"}
    assert all(line.startswith("bad/") for line in found.skipped)
