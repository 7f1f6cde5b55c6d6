import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from restoration.errors import ImageDecodeError, ImageTooLargeError, ImageValueError
from restoration.images import (
    as_float_image,
    downscale_to_max_pixels,
    encode_png,
    load_image,
    read_image_size,
    save_image,
    to_gray,
    to_rgb,
    to_uint8,
    validate_image,
)


def _encode(im: Image.Image, fmt: str = "PNG", **kw) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format=fmt, **kw)
    return buf.getvalue()


def _gradient(w=40, h=30):
    return (np.arange(w)[None, :] * 255 // (w - 1) + np.zeros((h, 1))).astype(np.uint8)


def test_gray_png_roundtrip_exact():
    arr = _gradient()
    out = load_image(_encode(Image.fromarray(arr)))
    assert out.dtype == np.float32 and out.shape == arr.shape
    np.testing.assert_allclose(out, arr / 255.0, atol=1e-7)
    assert np.array_equal(to_uint8(out), arr)


def test_rgb_and_path(tmp_path):
    arr = np.stack([_gradient(), _gradient()[::-1], np.full((30, 40), 7, np.uint8)], axis=2)
    path = tmp_path / "x.png"
    Image.fromarray(arr).save(path)
    out = load_image(path)
    assert out.shape == (30, 40, 3)
    assert out[0, 0, 2] == pytest.approx(7 / 255)
    assert read_image_size(path) == (40, 30)


def test_sixteen_bit_gray_uses_full_depth():
    arr = (np.arange(64, dtype=np.uint16).reshape(8, 8) * 1000).astype(np.uint16)
    out = load_image(_encode(Image.fromarray(arr)))
    np.testing.assert_allclose(out, arr / 65535.0, atol=1e-6)


def test_palette_with_transparency_composited_on_white():
    im = Image.new("P", (4, 4), 0)
    im.putpalette([255, 0, 0] + [0, 0, 0] * 255)
    im.info["transparency"] = 0
    out = load_image(_encode(im, transparency=0))
    np.testing.assert_allclose(out, 1.0)  # fully transparent -> white


def test_alpha_composite_and_drop():
    rgba = np.zeros((2, 2, 4), np.uint8)
    rgba[..., 0] = 255  # red
    rgba[..., 3] = 0  # transparent
    data = _encode(Image.fromarray(rgba, "RGBA"))
    np.testing.assert_allclose(load_image(data), 1.0)
    dropped = load_image(data, alpha="drop")
    np.testing.assert_allclose(dropped[..., 0], 1.0)
    np.testing.assert_allclose(dropped[..., 1:], 0.0)
    la = Image.fromarray(np.stack([np.zeros((2, 2), np.uint8), np.full((2, 2), 255, np.uint8)], 2), "LA")
    assert load_image(_encode(la)).shape == (2, 2)


def test_cmyk_jpeg_becomes_rgb():
    im = Image.new("CMYK", (8, 8), (0, 255, 255, 0))  # red in CMYK
    out = load_image(_encode(im, "JPEG", quality=95))
    assert out.shape == (8, 8, 3)
    assert out[..., 0].mean() > 0.8 and out[..., 1].mean() < 0.2


def test_exif_orientation_applied():
    arr = np.zeros((10, 20, 3), np.uint8)
    arr[:, :10] = 255  # left half white
    im = Image.fromarray(arr)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 CW when displayed
    out = load_image(_encode(im, "JPEG", exif=exif, quality=95))
    assert out.shape == (20, 10, 3)
    assert out[:5].mean() > 0.8  # the white half is now on top


def test_multiframe_gif_first_frame():
    frames = [Image.new("L", (6, 6), v) for v in (10, 200)]
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:])
    out = load_image(buf.getvalue())
    assert out.mean() == pytest.approx(10 / 255, abs=0.02)


def test_multipage_tiff_first_page():
    pages = [Image.new("L", (5, 5), v) for v in (50, 150)]
    buf = io.BytesIO()
    pages[0].save(buf, format="TIFF", save_all=True, append_images=pages[1:])
    assert load_image(buf.getvalue()).mean() == pytest.approx(50 / 255)


@pytest.mark.parametrize("fmt", ["BMP", "WEBP", "TIFF"])
def test_other_formats(fmt):
    arr = np.stack([_gradient()] * 3, axis=2)
    kw = {"lossless": True} if fmt == "WEBP" else {}
    out = load_image(_encode(Image.fromarray(arr), fmt, **kw))
    assert out.shape == arr.shape


def test_one_bit_and_float_modes():
    one = Image.fromarray(np.array([[0, 255]], np.uint8)).convert("1")
    np.testing.assert_array_equal(load_image(_encode(one)), [[0.0, 1.0]])
    f = Image.fromarray(np.array([[0.25, 2.0]], np.float32), "F")
    np.testing.assert_allclose(load_image(_encode(f, "TIFF")), [[0.25, 1.0]])


def test_mode_conversion():
    arr = np.stack([_gradient()] * 3, axis=2)
    data = _encode(Image.fromarray(arr))
    assert load_image(data, mode="gray").shape == (30, 40)
    assert load_image(_encode(Image.fromarray(_gradient())), mode="rgb").shape == (30, 40, 3)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"hello, this is not an image", "not an image"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 10, "not an image|could not be read"),
    ],
)
def test_bad_bytes_clear_errors(data, message):
    with pytest.raises(ImageDecodeError, match=message):
        load_image(data)


def test_truncated_file():
    data = _encode(Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64), np.uint8)))
    with pytest.raises(ImageDecodeError, match="truncated|corrupted"):
        load_image(data[: len(data) // 2])


def test_missing_and_empty_paths(tmp_path):
    with pytest.raises(ImageDecodeError, match="no such file"):
        load_image(tmp_path / "nope.png")
    (tmp_path / "empty.png").write_bytes(b"")
    with pytest.raises(ImageDecodeError, match="empty"):
        load_image(tmp_path / "empty.png")
    with pytest.raises(ImageDecodeError, match="folder"):
        load_image(tmp_path)


def _png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = chunk(b"IDAT", zlib.compress(b"\x00" * 16))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + idat + chunk(b"IEND", b"")


def test_pixel_limit_checked_before_decoding():
    bomb = _png_header_only(100_000, 100_000)  # 10 gigapixels announced in the header
    with pytest.raises(ImageTooLargeError, match="over the limit|too large"):
        load_image(bomb)
    small = _encode(Image.fromarray(_gradient()))
    with pytest.raises(ImageTooLargeError, match="1,200 pixels, over the limit of 1,000"):
        load_image(small, max_pixels=1000)


def test_downscale_to_max_pixels():
    img = np.random.default_rng(0).random((300, 200)).astype(np.float32)
    small = downscale_to_max_pixels(img, 10_000)
    assert small.shape[0] * small.shape[1] <= 10_000
    assert small.shape[0] / small.shape[1] == pytest.approx(1.5, rel=0.05)
    assert small.dtype == np.float32 and small.min() >= 0 and small.max() <= 1
    assert downscale_to_max_pixels(img, 10**6) is img


def test_validate_image():
    ok = np.zeros((4, 4), np.float64)
    assert validate_image(ok).dtype == np.float32
    assert validate_image(np.zeros((4, 4, 1))).shape == (4, 4)
    for bad, msg in [
        (np.zeros((4, 4), np.uint8), "floating point"),
        (np.zeros((4, 4, 4)), "HxW"),
        (np.full((4, 4), np.nan), "NaN"),
        (np.full((4, 4), 2.0), r"\[0, 1\]"),
        (np.zeros((0, 4)), "empty"),
        ([[0.0]], "NumPy array"),
    ]:
        with pytest.raises(ImageValueError, match=msg):
            validate_image(bad)


def test_as_float_image_and_conversions():
    assert as_float_image(np.array([[0, 255]], np.uint8))[0, 1] == 1.0
    assert as_float_image(np.array([[65535]], np.uint16))[0, 0] == 1.0
    rgb = to_rgb(np.full((2, 2), 0.5, np.float32))
    assert rgb.shape == (2, 2, 3)
    np.testing.assert_allclose(to_gray(rgb), 0.5, atol=1e-6)


def test_encode_png_and_save(tmp_path):
    img = np.random.default_rng(1).random((5, 7, 3)).astype(np.float32)
    back = load_image(encode_png(img))
    np.testing.assert_allclose(back, to_uint8(img) / 255.0, atol=1e-7)
    save_image(img, tmp_path / "a.tif")
    assert load_image(tmp_path / "a.tif").shape == (5, 7, 3)
    with pytest.raises(ImageValueError, match="format"):
        save_image(img, tmp_path / "a.unknownext")
