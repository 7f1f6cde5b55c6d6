"""Pure functions of the pages: charts, tables, the survey layout, comparison views and uploads (no Streamlit run)."""

from __future__ import annotations

import io
import math
import stat
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from restoration import REGISTRY, RestorationError, SpecError, degrade
from restoration.images import encode_png
from ui import charts, compare, survey, uploads, widgets  # the repository root is on sys.path (tests/conftest.py)


def _results() -> pd.DataFrame:
    """A small tidy benchmark frame: 2 categories x 2 images, 2 degradations, 4 methods (+ one failure)."""
    rows = []
    methods = {"degraded": ("input", 0.0), "median": ("filter", 2.0), "wavelet": ("wavelet", 3.0),
               "cnn_denoise": ("deep", 5.0)}
    for degradation, task, offset in (("gaussian_noise(sigma=25)", "denoise", 0.0),
                                      ("motion_blur(length=9) | downsample(scale=2)", "combined", -3.0)):
        for category, shift in (("portrait", 0.0), ("urban scene", -1.0)):
            for i in range(2):
                for method, (family, gain) in methods.items():
                    if task == "combined" and method in ("median", "wavelet"):
                        continue
                    rows.append({
                        "image": f"{category[:3]}{i}", "category": category, "degradation": degradation, "task": task,
                        "method": method, "family": family, "psnr": 20.0 + offset + shift + gain + i,
                        "ssim": 0.5 + gain / 10.0, "seconds": 0.0 if method == "degraded" else 0.01 * (1 + gain),
                        "error": "",
                    })
    rows.append({"image": "por0", "category": "portrait", "degradation": "gaussian_noise(sigma=25)",
                 "task": "denoise", "method": "bm3d", "family": "nonlocal", "psnr": np.nan, "ssim": np.nan,
                 "seconds": np.nan, "error": "boom"})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- charts
def test_category_means_orders_degraded_first_and_skips_errors() -> None:
    table = charts.category_means(_results(), "psnr", "gaussian_noise(sigma=25)")
    assert list(table.columns) == ["degraded", "median", "wavelet", "cnn_denoise"]  # no bm3d: it failed
    assert list(table.index) == ["portrait", "urban scene"]
    assert table.loc["portrait", "median"] == pytest.approx(22.5)
    assert table.loc["urban scene", "degraded"] == pytest.approx(19.5)


def test_method_means_default_degradation_is_the_first() -> None:
    means = charts.method_means(_results())
    assert list(means["method"]) == ["degraded", "median", "wavelet", "cnn_denoise"]
    assert list(means.columns) == ["method", "family", "psnr", "ssim", "seconds", "images"]
    assert means["images"].tolist() == [4, 4, 4, 4]
    assert charts.method_means(_results().iloc[0:0]).empty


def test_category_bars_one_trace_per_method() -> None:
    fig = charts.category_bars(_results(), "psnr", "motion_blur(length=9) | downsample(scale=2)")
    assert isinstance(fig, go.Figure)
    assert [t.name for t in fig.data] == ["degraded", "cnn_denoise"]
    assert all(t.type == "bar" for t in fig.data) and fig.layout.barmode == "group"
    assert list(fig.data[0].x) == ["portrait", "urban scene"]
    assert fig.layout.yaxis.range[0] < min(fig.data[0].y)  # the axis starts below the lowest bar
    assert f"the axis starts at {fig.layout.yaxis.range[0]:g}, not 0" in fig.layout.yaxis.title.text
    assert "SSIM" in charts.category_bars(_results(), "ssim").layout.yaxis.title.text
    with pytest.raises(ValueError, match="metric"):
        charts.category_bars(_results(), "mse")


def test_category_heatmap_values_and_labels() -> None:
    fig = charts.category_heatmap(_results(), "psnr")
    (trace,) = fig.data
    assert trace.type == "heatmap"
    assert list(trace.x) == ["degraded", "median", "wavelet", "cnn_denoise"]
    assert list(trace.y) == ["portrait", "urban scene"]
    assert np.asarray(trace.z).shape == (2, 4)
    assert trace.text[0][1] == "22.50"


def test_runtime_scatter_points_per_family_and_degraded_line() -> None:
    fig = charts.runtime_scatter(_results(), "gaussian_noise(sigma=25)")
    names = {t.name for t in fig.data}
    assert names == {"filter", "wavelet", "deep"}
    assert fig.layout.xaxis.type == "log"
    assert any(shape.y0 == pytest.approx(20.0) for shape in fig.layout.shapes)  # the degraded input's line


def test_empty_results_give_a_message_figure() -> None:
    empty = _results().iloc[0:0]
    for fig in (charts.category_bars(empty), charts.category_heatmap(empty), charts.runtime_scatter(empty)):
        assert not fig.data and fig.layout.annotations[0].text == "No results to show"


def test_restore_bars_best_on_top_by_title_and_no_truth_message() -> None:
    from restoration import get_algorithm

    table = pd.DataFrame({"method": ["tv", "degraded", "median"], "PSNR (dB)": [27.0, 20.0, 25.0]})
    (trace,) = charts.restore_bars(table).data
    # ascending: plotly draws the last bar on top; bars carry titles, the registry name is in the hover
    assert list(trace.y) == ["Degraded input", get_algorithm("median").title, get_algorithm("tv").title]
    assert [row[0] for row in trace.customdata] == ["degraded", "median", "tv"]
    assert "%{customdata[0]}" in trace.hovertemplate
    grey, red = trace.marker.color[:2]
    assert grey != red  # the degraded input in grey
    no_truth = pd.DataFrame({"method": ["degraded", "median"], "PSNR (dB)": [np.nan, np.nan]})
    assert not charts.restore_bars(no_truth).data


def test_flatten_multiindex_and_rounding() -> None:
    table = pd.DataFrame({"a": [1.23456, 2.0]}, index=pd.MultiIndex.from_tuples([("x", "p"), ("x", "q")],
                                                                                names=["degradation", None]))
    flat = charts.flatten(table, digits=2)
    assert list(flat.columns) == ["degradation", "level_1", "a"]
    assert flat["a"].tolist() == [1.23, 2.0]
    plain = pd.DataFrame({"v": [1, 2]})
    assert charts.flatten(plain).equals(plain)


def test_style_best_marks_per_column_and_per_row() -> None:
    frame = pd.DataFrame({"method": ["degraded", "a", "b"], "psnr": [30.0, 25.0, 27.0], "seconds": [0.0, 2.0, 1.0]})
    html = charts.style_best(frame, ["psnr", "seconds"], digits={"psnr": 2}).to_html()
    ctx = charts.style_best(frame, ["psnr", "seconds"])._compute().ctx
    marked = {(r, c) for (r, c), props in ctx.items() if props}
    assert marked == {(2, 1), (2, 2)}  # b: best PSNR (degraded skipped) and fastest (lower is better)
    assert "27.00" in html
    wide = pd.DataFrame({"category": ["p", "q"], "degraded": [40.0, 1.0], "a": [1.0, 3.0], "b": [2.0, 2.0]})
    ctx = charts.style_best(wide, ["degraded", "a", "b"], axis=1)._compute().ctx
    assert {(r, c) for (r, c), props in ctx.items() if props} == {(0, 3), (1, 2)}


# --------------------------------------------------------------------------- survey
def test_reported_tables_match_the_survey() -> None:
    assert survey.TABLE3["PSNR"].tolist() == [22.56, 30.28] and survey.TABLE3["SSIM"].tolist() == [0.81, 0.92]
    assert len(survey.TABLE4) == 3 and survey.TABLE4["PSNR"].tolist() == [23.12, 31.05, 22.78]
    assert survey.TABLE5["PSNR"].tolist() == [25.02, 27.56, 30.28]
    assert len(survey.TABLE6) == 5 and survey.TABLE6.loc[4, "deep learning"] == 31.22
    gain = 100 * (30.28 - 22.56) / 22.56
    assert gain == pytest.approx(survey.TABLE3_CLAIMS["PSNR"], abs=0.05)
    assert "Data" in survey.DIFFERENCES and "Degradation" in survey.DIFFERENCES and "Models" in survey.DIFFERENCES


def test_measured_tables_in_the_survey_layout() -> None:
    results = _results()
    noise = "gaussian_noise(sigma=25)"
    reps = survey.representatives(results, noise)
    assert reps == {"degraded": "degraded", "traditional": "wavelet", "traditional filters": "median",
                    "wavelet": "wavelet", "deep learning": "cnn_denoise", survey.SURVEY_STYLE: None}
    t3 = survey.measured_table3(results, noise)
    assert t3["method"].tolist()[0:3:2] == survey.TABLE3["method"].tolist()
    assert t3.loc[1, "ours"] == "— (none ran)" and math.isnan(t3.loc[1, "PSNR"])  # bm3d_bicubic: combined only
    assert t3.loc[3, "PSNR"] == pytest.approx(round(100 * (25.0 - 23.0) / 23.0, 2))
    assert math.isnan(t3.loc[4, "PSNR"])
    t4 = survey.measured_table4(results, noise)
    survey_style = "traditional, survey-style (BM3D then bicubic)"
    assert t4[["category", "method"]].values.tolist() == [
        ["portrait", "traditional"], ["portrait", survey_style], ["portrait", "deep learning"],
        ["urban scene", "traditional"], ["urban scene", survey_style], ["urban scene", "deep learning"],
    ]
    t5 = survey.measured_table5(results, noise)
    assert t5["ours"].tolist() == ["median", "wavelet", "cnn_denoise"]
    t6 = survey.measured_table6(results, noise)
    assert list(t6.columns) == list(survey.TABLE6.columns)
    assert t6.loc[0, "degraded"] == pytest.approx(20.5) and t6.loc[1, "metric"] == "SSIM"
    combined = survey.measured_table5(results, "motion_blur(length=9) | downsample(scale=2)")
    assert combined["ours"].tolist()[:2] == ["— (none ran)", "— (none ran)"] and math.isnan(combined.loc[0, "PSNR"])


def _combined_results() -> pd.DataFrame:
    """The survey's combined experiment: both traditional rows (classic_chain, bm3d_bicubic), bicubic and pnp."""
    rows = []
    methods = {"degraded": ("input", 0.0, 0.40), "bicubic": ("interpolation", 1.0, 0.50),
               "bm3d_bicubic": ("chain", 2.0, 0.60), "classic_chain": ("chain", 4.0, 0.70),
               "pnp": ("pnp", 5.0, 0.75)}
    for category, shift in (("portrait", 0.0), ("urban scene", -2.0)):
        for method, (family, gain, ssim) in methods.items():
            rows.append({"image": f"{category[:3]}0", "category": category, "degradation": "combined", "task":
                         "combined", "method": method, "family": family, "psnr": 20.0 + shift + gain, "ssim": ssim,
                         "seconds": 0.1, "error": ""})
    return pd.DataFrame(rows)


def test_combined_tables_show_both_traditional_rows() -> None:
    results = _combined_results()
    reps = survey.representatives(results, "combined")
    assert reps["traditional"] == "classic_chain" and reps[survey.SURVEY_STYLE] == "bm3d_bicubic"
    assert reps["deep learning"] == "pnp"
    t3 = survey.measured_table3(results, "combined")
    assert t3["method"].tolist() == [
        "traditional method", "traditional, survey-style (BM3D then bicubic)", "deep neural network",
        "gain of deep over traditional (%)", "gain of deep over survey-style (%)",
    ]
    assert t3["ours"].tolist()[:3] == ["classic_chain", "bm3d_bicubic", "pnp"]
    assert t3["PSNR"].tolist()[:3] == pytest.approx([23.0, 21.0, 24.0])  # means over the two categories
    assert t3.loc[3, "PSNR"] == pytest.approx(round(100 * 1.0 / 23.0, 2))
    assert t3.loc[4, "PSNR"] == pytest.approx(round(100 * 3.0 / 21.0, 2))
    assert t3.loc[4, "SSIM"] == pytest.approx(round(100 * 0.15 / 0.60, 3))
    t4 = survey.measured_table4(results, "combined")
    assert len(t4) == 6 and t4["ours"].tolist()[:3] == ["classic_chain", "bm3d_bicubic", "pnp"]
    assert t4.loc[4, "PSNR"] == pytest.approx(20.0)  # urban scene, bm3d_bicubic
    without = results[results["method"] != "bm3d_bicubic"]
    assert survey.measured_table3(without, "combined").loc[1, "ours"] == "— (none ran)"


def test_survey_methods_are_registered_for_their_task() -> None:
    assert set(survey.FIXED.values()) <= {m for names in survey.SURVEY_METHODS.values() for m in names}
    for task, names in survey.SURVEY_METHODS.items():
        for name in names:
            assert task in REGISTRY[name].tasks
    assert "classic_chain" in survey.TRADITIONAL_ROWS and "bm3d_bicubic" in survey.TRADITIONAL_ROWS
    assert "cannot undo blur" in survey.TRADITIONAL_ROWS


# --------------------------------------------------------------------------- comparison views
def test_metric_table_gain_and_best() -> None:
    rng = np.random.default_rng(0)
    clean = rng.random((24, 24, 3)).astype(np.float32)
    noisy = np.clip(clean + rng.normal(0, 0.2, clean.shape), 0, 1).astype(np.float32)
    better = np.clip(clean + rng.normal(0, 0.05, clean.shape), 0, 1).astype(np.float32)
    table = compare.metric_table({"median": better, "identity": noisy}, {"median": 0.5, "identity": 0.1},
                                 clean=clean, degraded=noisy)
    assert list(table.columns) == list(compare.METRIC_COLUMNS)
    assert table["method"].tolist() == ["degraded", "median", "identity"]
    assert table.loc[0, "gain (dB)"] == 0 and table.loc[2, "gain (dB)"] == pytest.approx(0)
    assert table.loc[1, "gain (dB)"] > 5 and table.loc[1, "best"] == "PSNR, SSIM"
    assert table.loc[0, "title"] == "Degraded input" and table.loc[1, "family"] == "Traditional filters"
    no_truth = compare.metric_table({"median": better}, {"median": 0.5}, clean=None, degraded=noisy)
    assert no_truth["PSNR (dB)"].isna().all() and (no_truth["best"] == "").all()


def test_degraded_on_grid_enlarges_for_super_resolution() -> None:
    obs = degrade(np.full((32, 32, 3), 0.5, np.float32), "downsample(scale=2)")
    grid = compare.degraded_on_grid(obs)
    assert grid.shape == obs.output_shape == (32, 32, 3)
    assert np.array_equal(grid[::2, ::2], np.clip(obs.degraded, 0, 1))


def test_crop_box_zoom_and_draw_box() -> None:
    assert compare.crop_box((100, 200), 50, 50, 40) == (30, 80, 40, 40)
    assert compare.crop_box((100, 200), 0, 100, 40) == (60, 0, 40, 40)  # kept inside the image
    assert compare.crop_box((10, 12), 50, 50, 64) == (0, 0, 10, 12)  # shrunk to fit
    image = np.arange(100 * 200, dtype=np.float32).reshape(100, 200)
    zoomed = compare.zoom(image, (30, 80, 40, 40), target=256)
    assert zoomed.shape == (240, 240)  # factor 6, nearest neighbour
    assert zoomed[0, 0] == zoomed[5, 5] == image[30, 80] and zoomed[6, 6] == image[31, 81]
    boxed = compare.draw_box(np.zeros((50, 50), np.float32), (10, 10, 20, 20))
    assert boxed.shape == (50, 50, 3)
    assert boxed[10, 15].tolist() == pytest.approx([1.0, 0.1, 0.1]) and boxed[20, 20].tolist() == [0, 0, 0]


def test_error_map_and_colour_scale() -> None:
    scale = compare.colour_map(np.array([0.0, 0.5, 1.0, 7.0]))
    assert scale.dtype == np.uint8 and scale.shape == (4, 3)
    assert scale[0].tolist() == [0, 0, 4] and scale[2].tolist() == scale[3].tolist() == [252, 253, 191]
    assert scale[:3].sum(axis=1).tolist() == sorted(scale[:3].sum(axis=1).tolist())  # dark to bright
    a = np.zeros((8, 8, 3), np.float32)
    b = a.copy()
    b[0, 0] = 0.2
    mapped = compare.error_map(b, a, vmax=0.2)
    assert mapped.shape == (8, 8, 3) and mapped[0, 0].tolist() == [252, 253, 191] and mapped[1, 1].tolist() == [0, 0, 4]
    with pytest.raises(ValueError):
        compare.error_map(a, a[:4])


def test_kernel_image_peak_is_white() -> None:
    kernel = np.array([[0, 1, 0], [1, 4, 1], [0, 1, 0]], np.float32) / 8
    picture = compare.kernel_image(kernel, target=30)
    assert picture.shape == (30, 30) and picture.max() == 1.0 and picture[0, 0] == 0.0


def test_slider_html_is_self_contained() -> None:
    left = np.zeros((10, 20), np.float32)
    right = np.ones((10, 20, 3), np.float32)
    document = compare.slider_html(left, right, "Degraded <input>", "BM3D")
    assert document.count("data:image/png;base64,") == 2
    assert "http://" not in document and "https://" not in document and "<link" not in document
    assert "<script src" not in document
    assert "Degraded &lt;input&gt;" in document  # labels are escaped
    assert 'data-position="50"' in document and "clip-path: inset(0 50% 0 0)" in document
    with pytest.raises(ValueError, match="differ in size"):
        compare.slider_html(left, np.zeros((5, 5)), "a", "b")


# --------------------------------------------------------------------------- widgets' pure helpers
def test_default_methods_one_per_family_no_identity() -> None:
    names = widgets.methods_for("denoise")
    assert names[0] == "identity"  # baselines first (FAMILIES order)
    chosen = widgets.default_methods(names)
    assert "identity" not in chosen and 1 <= len(chosen) <= 4
    families = [REGISTRY[n].family for n in chosen]
    assert len(set(families)) == len(families)
    assert widgets.default_methods(["identity"]) == []
    combined = widgets.default_methods(widgets.methods_for("combined"))
    assert {"classic_chain", "cnn_combined"} <= set(combined)  # our strongest classic beside the survey's deep kind
    assert "cnn_sr" in widgets.default_methods(widgets.methods_for("sr"))
    assert widgets.method_label("median").startswith("Median") and widgets.method_label("degraded") == "Degraded input"


def test_pipeline_task_and_observation_from_degraded() -> None:
    assert widgets.pipeline_task("gaussian_noise(sigma=5)") == "denoise"
    assert widgets.pipeline_task("motion_blur(length=9) | downsample(scale=2) | gaussian_noise(sigma=10)") == "combined"
    with pytest.raises(SpecError):
        widgets.pipeline_task("nonsense(")
    photo = np.full((20, 30, 3), 0.4, np.float32)
    sr = widgets.observation_from_degraded(photo, "sr", scale=3)
    assert sr.task == "sr" and sr.output_shape == (60, 90, 3) and sr.clean is None
    blurred = widgets.observation_from_degraded(photo, "deblur", sigma=2, blur="gaussian_blur(sigma=1.5)")
    assert blurred.task == "deblur" and blurred.kernel is not None and blurred.kernel.shape[0] > 1
    assert widgets.observation_from_degraded(photo, "denoise", sigma=10).sigma == 10
    with pytest.raises(SpecError, match="blur steps only"):
        widgets.observation_from_degraded(photo, "deblur", blur="gaussian_noise(sigma=3)")
    with pytest.raises(SpecError):
        widgets.observation_from_degraded(photo, "inpaint")


def test_crop_percent_keeps_at_least_16_pixels() -> None:
    image = np.zeros((100, 200), np.float32)
    assert widgets.crop_percent(image, (25, 75), (0, 50)).shape == (50, 100)
    assert widgets.crop_percent(image, (50, 50), (100, 100)).shape == (16, 16)
    assert widgets.crop_percent(np.zeros((8, 8)), (0, 10), (0, 10)).shape == (8, 8)


def _zip(entries: dict[str, bytes], *, link: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
        if link:
            info = zipfile.ZipInfo(link)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def _png(h: int = 24, w: int = 32) -> bytes:
    return encode_png(np.linspace(0, 1, h * w, dtype=np.float32).reshape(h, w))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_zip({"../up.png": b"x"}), "'..'"),
        (_zip({"/abs/a.png": b"x"}), "absolute"),
        (_zip({"a/ok.png": b"x"}, link="a/link.png"), "symbolic link"),
        (b"PK\x03\x04 not really", "not a zip"),
    ],
)
def test_safe_extract_zip_refuses_unsafe_archives(tmp_path: Path, data: bytes, message: str) -> None:
    with pytest.raises(RestorationError, match=message):
        uploads.safe_extract_zip(data, tmp_path)
    assert not any(tmp_path.iterdir())


def test_safe_extract_zip_limits_and_skips(tmp_path: Path) -> None:
    data = _zip({"a/x.png": b"1" * 100, "a/y.png": b"2" * 100, "a/notes.txt": b"t", "__MACOSX/a/._x.png": b"m",
                 "a/.hidden.png": b"h"})
    written = uploads.safe_extract_zip(data, tmp_path)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in written) == ["a/x.png", "a/y.png"]
    with pytest.raises(RestorationError, match="over the limit"):
        uploads.safe_extract_zip(data, tmp_path / "small", max_bytes=150)
    with pytest.raises(RestorationError, match="entries"):
        uploads.safe_extract_zip(data, tmp_path / "few", max_files=2)


def test_images_from_zip_reads_categories_and_cleans_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    data = _zip({"bench/faces/a.png": _png(), "bench/text/b.png": _png(40, 40), "bench/text/bad.png": b"nope"})
    found = uploads.images_from_zip(data, max_pixels=16 * 16)
    assert [(i.category, i.name) for i in found.images] == [("faces", "a"), ("text", "b")]
    assert all(i.pixels is not None and i.pixels.size <= 16 * 16 for i in found.images)
    assert len(found.skipped) == 1 and "bad.png" in found.skipped[0]
    assert not any(tmp_path.iterdir())  # the temporary folder is gone
    with pytest.raises(RestorationError, match="no images"):
        uploads.images_from_zip(_zip({"a/readme.txt": b"x"}), None)


def _png_header(width: int, height: int) -> bytes:
    """A small real PNG whose header claims another size: enough for the size check, never decoded."""
    import struct
    import zlib

    data = bytearray(_png(8, 8))
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)


def test_decode_upload_refuses_huge_images_before_decoding() -> None:
    from restoration import ImageTooLargeError

    with pytest.raises(ImageTooLargeError, match="over the limit"):
        uploads.decode_upload(_png_header(8000, 6000), 512 * 512)


def test_decode_upload_downscales_and_reports_the_original_size() -> None:
    image, original = uploads.decode_upload(_png(100, 300), 50 * 50)
    assert original == (100, 300) and image.shape[0] * image.shape[1] <= 2500
    full, _ = uploads.decode_upload(_png(10, 20), None)
    assert full.shape == (10, 20)
    with pytest.raises(RestorationError):
        uploads.decode_upload(b"", 100)
