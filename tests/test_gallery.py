"""Tests of the bundled sample gallery (restoration.gallery, assets/gallery, scripts/build_gallery.py)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from PIL import Image

from restoration.errors import RestorationError
from restoration.gallery import (
    CATEGORIES,
    GalleryImage,
    gallery_dir,
    get_gallery_image,
    list_gallery,
    load_gallery_image,
)

REPO = Path(__file__).resolve().parents[1]
#: Checksums of the third-party data sets we may use but not redistribute.
ALLOWED_LICENCES = {"Public domain", "CC0 1.0", "Matplotlib License"}


@pytest.fixture(scope="module")
def build_script() -> ModuleType:
    """scripts/build_gallery.py imported as a module (scripts/ is not a package)."""
    path = REPO / "scripts" / "build_gallery.py"
    spec = importlib.util.spec_from_file_location("build_gallery", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_gallery"] = module
    spec.loader.exec_module(module)
    return module


def test_categories_are_the_surveys_five() -> None:
    assert CATEGORIES == ("natural landscape", "urban scene", "portrait", "text document", "indoor")


@pytest.mark.parametrize("category", CATEGORIES)
def test_every_category_has_at_least_three_images(category: str) -> None:
    images = list_gallery(category)
    assert len(images) >= 3
    assert all(img.category == category for img in images)


def test_list_gallery_keeps_manifest_order_and_keys_are_unique() -> None:
    manifest = json.loads((gallery_dir() / "manifest.json").read_text(encoding="utf-8"))
    keys = [img.key for img in list_gallery()]
    assert keys == [rec["key"] for rec in manifest["images"]]
    assert len(keys) == len(set(keys))
    assert all(key and key.replace("_", "").isalnum() and key.islower() for key in keys)
    files = [img.file.name for img in list_gallery()]
    assert len(files) == len(set(files))


def test_gallery_dir_is_assets_gallery() -> None:
    assert gallery_dir() == REPO / "assets" / "gallery"


@pytest.mark.parametrize("image", list_gallery(), ids=lambda img: img.key)
def test_every_image_loads_with_its_stated_size_and_mode(image: GalleryImage) -> None:
    assert image.file.is_file()
    assert image.file.suffix == ".png"
    arr = image.load()
    assert arr.dtype == np.float32
    assert 0.0 <= float(arr.min()) and float(arr.max()) <= 1.0
    if image.gray:
        assert arr.shape == (image.height, image.width)
    else:
        assert arr.shape == (image.height, image.width, 3)
    assert max(image.width, image.height) <= 512
    assert float(arr.std()) > 0.05  # real content, not a blank
    with Image.open(image.file) as im:
        assert im.mode == ("L" if image.gray else "RGB")


@pytest.mark.parametrize("image", list_gallery(), ids=lambda img: img.key)
def test_every_record_names_its_source_and_an_allowed_licence(image: GalleryImage) -> None:
    assert image.title.strip()
    assert image.source.strip()
    assert image.description.strip()
    assert image.licence in ALLOWED_LICENCES
    if image.source.startswith("generated"):
        assert "seed" in image.source
    assert "datasets" not in image.source.lower()


def test_licenses_md_lists_every_file() -> None:
    text = (gallery_dir() / "LICENSES.md").read_text(encoding="utf-8")
    for image in list_gallery():
        assert f"`{image.file.name}`" in text


def test_gallery_folder_holds_only_what_the_manifest_lists() -> None:
    listed = {img.file.name for img in list_gallery()} | {"manifest.json", "LICENSES.md"}
    present = {p.name for p in gallery_dir().iterdir() if not p.name.startswith(".")}
    assert present == listed


def test_total_size_is_modest() -> None:
    total = sum(p.stat().st_size for p in gallery_dir().iterdir())
    assert total < 6.5e6


def test_get_and_load_by_key() -> None:
    img = get_gallery_image("astronaut")
    assert img.category == "portrait"
    np.testing.assert_array_equal(load_gallery_image("astronaut"), img.load())


def test_unknown_key_lists_the_keys() -> None:
    with pytest.raises(RestorationError, match="no gallery image called 'nope'.*astronaut"):
        get_gallery_image("nope")


def test_unknown_category_is_a_clear_error() -> None:
    with pytest.raises(RestorationError, match="unknown gallery category 'beach'.*'natural landscape'"):
        list_gallery("beach")


def test_importing_the_gallery_does_not_pull_in_matplotlib() -> None:
    code = "import sys, restoration.gallery as g; g.list_gallery(); print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_build_script_describes_exactly_the_manifest(build_script: ModuleType) -> None:
    entries = {e.key: e for e in build_script.ENTRIES}
    assert [img.key for img in list_gallery()] == list(entries)
    for img in list_gallery():
        entry = entries[img.key]
        assert (entry.category, entry.licence, entry.gray, entry.source) == (
            img.category,
            img.licence,
            img.gray,
            img.source,
        )
    assert build_script.CATEGORIES == CATEGORIES


@pytest.mark.parametrize("key", ["report_page", "scanned_letter"])
def test_generated_images_are_deterministic_and_match_the_assets(build_script: ModuleType, key: str) -> None:
    entry = next(e for e in build_script.ENTRIES if e.key == key)
    assert entry.generated
    first, second = entry.make(), entry.make()
    assert first.tobytes() == second.tobytes()
    stored = get_gallery_image(key).load()
    fresh = np.asarray(first, dtype=np.float32) / 255.0
    assert fresh.shape == stored.shape
    # the committed file should be what the script makes; allow for a rare rounding flip across CPUs
    assert float(np.mean(np.abs(fresh - stored))) < 0.5 / 255.0


def test_generators_change_with_the_seed(build_script: ModuleType) -> None:
    a = np.asarray(build_script.gen_report_page(1), dtype=np.float32)
    b = np.asarray(build_script.gen_report_page(2), dtype=np.float32)
    assert a.shape == b.shape
    assert not np.array_equal(a, b)
