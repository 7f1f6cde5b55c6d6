"""The Learn page, section by section, with ``streamlit.testing.v1.AppTest``.

Every section opens without an exception or an error box and shows its maths; pictures side by side fill equal
columns (one width per row), and every picture is sent enlarged by whole pixels to at least the width it can take
(so the browser only ever shrinks it, never smooths it up). The widgets of the deblurring, super-resolution and
inpainting sections are driven through their ranges, and the labels are checked against what runs: block numbers,
colours, noise levels, symbols.
"""

from __future__ import annotations

import base64
import io
import json
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import streamlit
from apptools import ROOT, TIMEOUT, no_exception
from PIL import Image
from streamlit.elements.image import ImageMixin
from streamlit.testing.v1 import AppTest

from restoration import get_algorithm
from ui import learn
from ui.keys import LEARN_BLOCK, LEARN_FAMILY, LEARN_SIGMA, LEARN_UNFOLDED_STAGE

LEARN = str(ROOT / "pages" / "4_Learn.py")
SECTION_KEYS = [s.key for s in learn.SECTIONS]


def _open(key: str, shown: list[dict[str, Any]] | None = None) -> AppTest:
    """The Learn page with section ``key`` open (``shown`` then holds only that section's pictures)."""
    at = AppTest.from_file(LEARN, default_timeout=TIMEOUT)
    at.run()
    no_exception(at)
    if shown is not None:
        shown.clear()
    at.radio(key=LEARN_FAMILY).set_value(key).run()
    _clean(at)
    return at


def _clean(at: AppTest) -> None:
    no_exception(at)
    assert not [e.value for e in at.error], [e.value for e in at.error]


def _captions(at: AppTest) -> str:
    return " ".join(str(c.value) for c in at.caption) + " " + " ".join(
        caption for image in at.get("image") for caption in image.captions)


def _texts(at: AppTest) -> str:
    return " ".join(str(m.value) for m in at.markdown)


def _shape(image: Any) -> tuple[int, ...]:
    """The pixel shape of what a page sent: an array, or a PNG data URI (what the pages send)."""
    if isinstance(image, str):
        assert image.startswith("data:image/png;base64,"), image[:40]
        return np.asarray(Image.open(io.BytesIO(base64.b64decode(image.split(",", 1)[1])))).shape
    return np.asarray(image).shape


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """Every ``st.image`` / ``column.image`` call of the script runs: where, at what width, and of what array."""
    calls: list[dict[str, Any]] = []
    original = ImageMixin.image

    def record(self: Any, image: Any, *args: Any, **kwargs: Any) -> Any:
        cursor = self._cursor
        calls.append({"path": tuple(cursor.parent_path) if cursor is not None else (), "width": kwargs.get("width"),
                      "shape": _shape(image), "caption": kwargs.get("caption", ""),
                      "uri": isinstance(image, str)})
        return original(self, image, *args, **kwargs)

    monkeypatch.setattr(ImageMixin, "image", record)
    monkeypatch.setattr(streamlit, "image", lambda *a, **k: record(streamlit._main, *a, **k))
    yield calls


@pytest.mark.parametrize("key", SECTION_KEYS)
def test_every_section_opens_with_its_maths_and_fixed_size_images(key: str, shown: list[dict[str, Any]]) -> None:
    section = next(s for s in learn.SECTIONS if s.key == key)
    at = _open(key, shown)
    assert at.subheader[0].value == section.title
    assert len(at.get("latex")) == len(section.maths)
    if key != "selfsup":  # a way of tuning, not a family: its text names the methods it tunes
        assert "In this app:" in _texts(at)
    calls = [c for c in shown if c["caption"] or c["width"]]
    if key != "nonlocal":  # BM3D's look inside is a chart
        assert calls, f"{key} shows no image"
    rows: dict[tuple[int, ...], set[object]] = defaultdict(set)
    for call in calls:
        width, name = call["width"], f"{key}: {call['caption']!r} ({call['shape']}, width {call['width']!r})"
        if len(call["path"]) >= 2:  # inside st.columns: the row is the path without the column index
            rows[call["path"][:-1]].add(width)
            assert width == "stretch" and call["shape"][1] >= learn.PICTURE_PIXELS, name
        else:  # a picture of its own in the page: a fixed width, no wider than its pixels
            assert isinstance(width, int) and 0 < width <= call["shape"][1], name
    assert all(len(widths) == 1 for widths in rows.values()), f"{key}: one row, several widths: {dict(rows)}"
    assert all(call["uri"] for call in shown), f"{key}: a picture sent as a media file, not a data URI"


def test_section_keys_and_titles_are_unique() -> None:
    assert len(set(SECTION_KEYS)) == len(SECTION_KEYS)
    assert {"filter", "deblur", "sr", "inpaint"} <= set(SECTION_KEYS)
    assert len({s.title for s in learn.SECTIONS}) == len(learn.SECTIONS)


def test_filters_show_all_five_and_the_window_chart() -> None:
    at = _open("filter")
    captions = _captions(at)
    for name in ("mean", "median", "gaussian", "bilateral", "wiener_filter"):
        assert f"{get_algorithm(name).title} (" in captions, name
    charts = at.get("plotly_chart")
    assert len(charts) == 1 and "window" in charts[0].proto.spec
    at.slider(key="learn.window").set_value(11).run()
    _clean(at)
    assert "w / 4 = 2.75" in _captions(at)


def test_deblur_section_widgets(shown: list[dict[str, Any]]) -> None:
    at = _open("deblur")
    captions = _captions(at)
    assert "almost the inverse filter" in captions and "outer 8 pixels" in captions
    assert len(at.get("plotly_chart")) == 4  # Wiener, Richardson-Lucy, TV energy, the ringing profile
    at.selectbox(key=learn.LEARN_DEBLUR_KERNEL).set_value("Gaussian, sigma 1.6 px").run()
    _clean(at)
    at.radio(key=learn.LEARN_DEBLUR_BOUNDARY).set_value("wrap").run()
    _clean(at)
    at.select_slider(key=learn.LEARN_DEBLUR_STRENGTH).set_value(0.001).run()
    at.select_slider(key=learn.LEARN_DEBLUR_RL).set_value(200).run()
    at.select_slider(key=learn.LEARN_DEBLUR_LAM).set_value(0.05).run()
    at.slider(key=learn.LEARN_DEBLUR_SIGMA).set_value(0.0).run()
    at.slider(key=learn.LEARN_DEBLUR_ROW).set_value(0).run()
    _clean(at)
    assert "Wiener, s = 0.001" in _captions(at) and "Richardson-Lucy, t = 200" in _captions(at)
    kernel = next(c for c in shown if "the kernel k" in str(c["caption"]))
    assert kernel["shape"][1] >= learn.PICTURE_PIXELS  # an 11-pixel kernel, enlarged by whole pixels


@pytest.mark.parametrize("scale", [2, 4])
def test_super_resolution_section_widgets(scale: int) -> None:
    at = _open("sr")
    at.radio(key=learn.LEARN_SR_SCALE).set_value(scale).run()
    _clean(at)
    at.slider(key=learn.LEARN_SR_SIGMA).set_value(5.0).run()
    at.slider(key=learn.LEARN_SR_STEPS).set_value(0).run()
    _clean(at)
    captions = _captions(at)
    assert f"to enlarge x{scale}" in captions and "x_0" in captions
    assert any("noise-free" in i.value for i in at.info)  # the learned methods are not offered on noisy input
    at.slider(key=learn.LEARN_SR_SIGMA).set_value(0.0).run()
    _clean(at)
    assert not at.info
    captions = _captions(at)
    assert "The CNN's correction" in _texts(at) and f"{get_algorithm('cnn_sr').title}: output - bicubic" in captions
    at.slider(key=learn.LEARN_SR_ROW).set_value(0).run()
    at.slider(key=learn.LEARN_SR_COL).set_value(at.slider(key=learn.LEARN_SR_COL).max).run()
    _clean(at)


@pytest.mark.parametrize("mask", list(learn.MASKS))
def test_inpainting_section_every_mask(mask: str) -> None:
    at = _open("inpaint")
    at.selectbox(key=learn.LEARN_INPAINT_MASK).set_value(mask).run()
    _clean(at)
    if mask == "random pixels":
        at.slider(key=learn.LEARN_INPAINT_MISSING).set_value(0.9).run()
        at.slider(key=learn.LEARN_INPAINT_SIGMA).set_value(10.0).run()
        at.slider(key=learn.LEARN_INPAINT_ITER).set_value(1).run()
        _clean(at)
        assert "90% missing" in _captions(at)
    captions = _captions(at)
    assert captions.count("on the holes") == 4 and "z_" in captions


def test_labels_match_what_runs() -> None:
    at = _open("filter")
    noise = at.slider(key=LEARN_SIGMA)
    assert "0-255" not in noise.label and "grey levels" in noise.label and (noise.min, noise.max) == (5, 50)

    at = _open("pnp")
    at.slider(key=learn.LEARN_PNP_SIGMA).set_value(10.0).run()
    _clean(at)
    captions = _captions(at)
    assert "noise sigma = 10 " in captions and "sigma = 10 " in captions.split("observation y")[1]
    latex = " ".join(str(x.value) for x in at.get("latex"))
    assert r"\alpha_t" in latex and r"\beta_t" in latex and r"\sigma_k" in latex
    stage = at.slider(key=LEARN_UNFOLDED_STAGE).value
    assert f"alpha_{stage} = " in captions and f"beta_{stage} = " in captions and "sigma_8 = " in captions
    assert " alpha " not in captions


def test_cnn_blocks_are_numbered_as_on_the_slider() -> None:
    at = _open("deep")
    slider = at.slider(key=LEARN_BLOCK)
    assert slider.min == 1
    attention = next(c for c in at.get("plotly_chart") if "residual block" in c.proto.spec)
    blocks = json.loads(attention.proto.spec)["data"][0]["y"]
    assert blocks[0] == 1 and blocks[-1] == slider.max
    assert f"numbered 1 to {int(slider.max)}" in _captions(at)


def test_bm3d_caption_names_the_colours_drawn() -> None:
    at = _open("nonlocal")
    caption = _captions(at)
    assert "search window (blue, dashed)" in caption and "(yellow)" in caption
    fig = learn.bm3d_group_figure(np.zeros((20, 20)), np.array([[2, 2], [8, 8]]), 4, (0, 0, 20, 20))
    window, reference, match = fig.layout.shapes
    assert window.line.color == "#1f77b4" and window.line.dash == "dash"
    assert reference.line.color == "red" and match.line.color == "yellow"


def test_attention_figure_rows_start_at_one() -> None:
    fig = learn.attention_figure(np.full((9, 64), 0.5))
    assert list(fig.data[0].y) == list(range(1, 10))


def test_log_axes_label_every_measured_value_in_full() -> None:
    """Between decades plotly labels 20 and 50 as "2" and "5": a log x axis names the measured values instead."""
    counts = (1, 2, 5, 10, 20, 50, 100, 200)
    axis = learn.lines_figure(counts, {"RL": [20.0 + i for i in range(8)]}, x_title="t", log_x=True).layout.xaxis
    assert list(axis.tickvals) == list(counts) and list(axis.ticktext) == ["1", "2", "5", "10", "20", "50", "100",
                                                                           "200"]
    many = learn.lines_figure(np.geomspace(1e-3, 10, 25), {"s": np.ones(25)}, x_title="s", log_x=True).layout.xaxis
    assert many.tickvals is None and many.dtick == 1  # too many to label: one tick per decade
    linear = learn.lines_figure(counts, {"RL": np.ones(8)}, x_title="t").layout.xaxis
    assert linear.tickvals is None  # a linear axis keeps plotly's own ticks


def test_zoom_repeats_whole_pixels() -> None:
    tiny = np.array([[0.0, 1.0], [0.25, 2.0]], dtype=np.float32)
    big = learn.zoom(tiny, 100)
    assert big.shape == (100, 100) and big.dtype == np.float32
    np.testing.assert_array_equal(big[:50, :50], 0.0)
    np.testing.assert_array_equal(big[50:, 50:], 1.0)  # clipped to [0, 1]
    assert set(np.unique(big)) == {0.0, 0.25, 1.0}  # no value in between: nothing was smoothed
    assert learn.zoom(np.zeros((128, 128)), 256).shape == (256, 256)
    assert learn.zoom(np.zeros((136, 136)), 256).shape == (272, 272)  # at least the width, never less
    assert learn.zoom(np.zeros((3, 5, 3)), 20).shape == (12, 20, 3)


def test_display_helpers() -> None:
    assert learn.signed_image(np.array([-1.0, 0.0, 0.5, 2.0]), 1.0).tolist() == [0.0, 0.5, 0.75, 1.0]
    ref = np.zeros((4, 4), np.float32)
    assert learn.error_image(ref, np.full((4, 4), 0.1), top=0.2).max() == pytest.approx(0.5)
    mask = np.ones((4, 4), bool)
    mask[1, 2] = False
    marked = learn.mark_missing(ref, mask)
    assert marked.shape == (4, 4, 3) and marked[1, 2].tolist() == pytest.approx([1.0, 0.15, 0.15])
    mask[3, :] = False
    assert learn.busiest_row(mask) == 3
    image = np.zeros((16, 16), np.float32)
    image[8, ::2] = 1.0
    assert learn.edgiest_row(image) == 8
