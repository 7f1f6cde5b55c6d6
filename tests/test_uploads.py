"""ui.uploads: decoding uploaded images and zip archives, without Streamlit.

The app's own paths through the uploaders (AppTest) and a corpus of hostile files are in
``tests/test_bad_inputs.py``; these are the module's unit tests.
"""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pytest

from restoration import RestorationError
from restoration.images import encode_png
from ui import uploads


def _png(height: int = 20, width: int = 30) -> bytes:
    return encode_png(np.linspace(0, 1, height * width, dtype=np.float32).reshape(height, width))


def _zip(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_module_does_not_import_streamlit() -> None:
    code = "import sys, ui.uploads; print('streamlit' in sys.modules)"
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("data", [b"", b"not a zip at all", b"PK\x03\x04 truncated", _zip({"a.png": _png()})[:-30]])
def test_bad_zip_is_refused(data: bytes, tmp_path: Path) -> None:
    with pytest.raises(RestorationError, match="not a zip"):
        uploads.safe_extract_zip(data, tmp_path)
    assert not any(tmp_path.iterdir())


def test_too_many_entries_are_refused_before_parsing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = _zip({f"faces/{i}.png": b"" for i in range(12)}, zipfile.ZIP_STORED)
    with pytest.raises(RestorationError, match="more than 10 entries"):
        uploads.safe_extract_zip(data, tmp_path, max_files=10)
    assert len(uploads.safe_extract_zip(data, tmp_path, max_files=12)) == 12
    # the default limit, counted from the raw bytes before zipfile builds its directory
    many = _zip({str(i): b"" for i in range(uploads.ZIP_MAX_FILES + 1)}, zipfile.ZIP_STORED)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("zipfile must not parse an archive with too many entries")

    monkeypatch.setattr(zipfile, "ZipFile", refuse)
    with pytest.raises(RestorationError, match="entries"):
        uploads.images_from_zip(many, None)


def test_zip_bomb_is_refused(tmp_path: Path) -> None:
    bomb = _zip({"faces/bomb.png": b"\0" * (4 << 20)})  # 4 MB of zeros, a few kB compressed
    assert len(bomb) < 64 << 10
    with pytest.raises(RestorationError, match="over the limit"):
        uploads.safe_extract_zip(bomb, tmp_path / "a", max_bytes=1 << 20)
    # a header that lies about the size is caught while writing
    lying = bytearray(bomb)
    central = lying.rfind(b"PK\x01\x02")
    lying[central + 24 : central + 28] = (100).to_bytes(4, "little")
    lying[22:26] = (100).to_bytes(4, "little")
    with pytest.raises(RestorationError, match="damaged|more than"):
        uploads.safe_extract_zip(bytes(lying), tmp_path / "b", max_bytes=1 << 20)


def test_good_archive_gives_images_by_category(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    data = _zip({
        "bench/faces/a.png": _png(), "bench/text/b.png": _png(40, 40), "bench/text/notes.txt": b"skip me",
        "bench/text/bad.png": b"broken", "__MACOSX/bench/._a.png": b"junk",
    })
    found = uploads.images_from_zip(data, 16 * 16)
    assert [(i.category, i.name) for i in found.images] == [("faces", "a"), ("text", "b")]
    assert all(i.pixels is not None and i.pixels.size <= 16 * 16 for i in found.images)
    assert len(found.skipped) == 1 and "bad.png" in found.skipped[0]
    assert list(tmp_path.iterdir()) == []  # the temporary folder is gone


def test_image_limits_are_checked_from_the_headers(monkeypatch: pytest.MonkeyPatch) -> None:
    data = _zip({f"faces/{i}.png": _png(100, 100) for i in range(3)})  # 30,000 pixels in all
    found = uploads.images_from_zip(data, None, max_images=2)
    assert len(found.images) == 2 and "1 images over the limit of 2" in found.skipped[0]

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("nothing may be decoded before the total is checked")

    monkeypatch.setattr(uploads, "load_image", refuse)
    with pytest.raises(RestorationError, match="megapixels in all"):
        uploads.images_from_zip(data, None, max_total_pixels=20_000)


def test_decode_upload() -> None:
    image, original = uploads.decode_upload(_png(100, 300), 50 * 50)
    assert original == (100, 300) and image.shape[0] * image.shape[1] <= 2500
    with pytest.raises(RestorationError, match="over the limit"):
        uploads.decode_upload(_png(100, 300), None, max_image_pixels=10_000)
    with pytest.raises(RestorationError):
        uploads.decode_upload(b"", None)


def test_images_from_files_names_categories_and_skips() -> None:
    from restoration.images import encode_png
    from ui.uploads import images_from_files

    png = encode_png(np.full((20, 24), 0.5, np.float32))
    found = images_from_files([("trip/night/a.png", png), ("b/a.png", png), ("broken.png", b"not an image"),
                               ("c.png", png)], None, max_images=2)
    assert [(i.name, i.category) for i in found.images] == [("a", "night"), ("a-2", "all")]
    assert found.images[0].pixels.shape == (20, 24)
    assert any(s.startswith("broken.png:") for s in found.skipped)
    assert any("over the limit of 2 images" in s for s in found.skipped)
