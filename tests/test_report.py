"""Self-describing exports (``ui.report``) and the Restore page's winner in words (``ui.compare``): no Streamlit."""

from __future__ import annotations

import io
import json
import math
import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from restoration import __version__, degrade, get_algorithm
from ui import compare, report, survey  # the repository root is on sys.path (tests/conftest.py)

SPEC = "motion_blur(length=9, angle=30) | downsample(scale=2) | gaussian_noise(sigma=10)"


def _table(psnrs: dict[str, float], seconds: dict[str, float] | None = None) -> pd.DataFrame:
    """A metric table with the given PSNRs (``degraded`` first) in :func:`ui.compare.metric_table`'s layout."""
    seconds = seconds or {}
    rows = []
    for name, value in psnrs.items():
        secs = math.nan if name == compare.DEGRADED else seconds.get(name, 0.1)
        rows.append({
            "method": name, "title": compare.title_of(name),
            "family": "input" if name == compare.DEGRADED else get_algorithm(name).family_title,
            "PSNR (dB)": value, "SSIM": 0.5 + value / 100, "gain (dB)": value - psnrs.get("degraded", math.nan),
            "seconds": secs, "time (s)": compare.time_text(secs), "best": "",
        })
    return pd.DataFrame(rows, columns=list(compare.METRIC_COLUMNS))


@pytest.fixture(scope="module")
def run() -> dict:
    """A real little run on the survey's combined degradation: bicubic, the classic chain and BM3D + bicubic."""
    from restoration import run_algorithm

    rng = np.random.default_rng(1)
    y, x = np.mgrid[0:48, 0:48] / 48.0
    clean = np.clip(np.stack([x, y, 0.5 + 0.3 * np.sin(6 * x * y)], axis=2)
                    + 0.02 * rng.standard_normal((48, 48, 3)), 0, 1).astype(np.float32)
    obs = degrade(clean, SPEC, seed=0)
    images = {m: run_algorithm(m, obs, {}, seed=0) for m in ("bicubic", "bm3d_bicubic")}
    table = compare.metric_table(images, {"bicubic": 0.01, "bm3d_bicubic": 0.2}, clean=obs.clean,
                                 degraded=compare.degraded_on_grid(obs))
    params = {m: compare.resolved_params(m, {}, obs) for m in images}
    return {"obs": obs, "images": images, "table": table, "params": params}


# --------------------------------------------------------------------------- the winner in words
def test_visibility_rule_of_thumb() -> None:
    assert compare.visibility(0.05) == "invisible"
    assert compare.visibility(-0.3) == "barely visible side by side"
    assert compare.visibility(0.7) == "visible when you look closely"
    assert compare.visibility(1.5) == compare.visibility(math.inf) == "clearly visible"
    assert compare.visibility(math.nan) == "" and compare.visibility("x") == ""  # type: ignore[arg-type]
    assert "rule of thumb" in compare.VISIBILITY_RULE.lower()
    for number in ("0.1", "0.5", "1 dB"):
        assert number in compare.VISIBILITY_RULE


def test_winner_summary_states_gaps_visibility_and_time() -> None:
    table = _table({"degraded": 20.0, "median": 26.3, "wavelet": 26.0}, {"median": 2.4, "wavelet": 0.2})
    text = compare.winner_summary(table)
    assert text is not None
    assert text.startswith("**Median filter** wins with 26.30 dB")
    assert "0.30 dB above the runner-up **Wavelet shrinkage" in text and "(barely visible side by side)" in text
    assert "6.30 dB above the degraded input (clearly visible)" in text
    assert "It took 2.40 s, 12× as long as the runner-up (0.20 s)." in text


def test_winner_summary_edge_cases() -> None:
    single = compare.winner_summary(_table({"degraded": 20.0, "median": 20.05}))
    assert single is not None and "reaches 20.05 dB" in single and "(invisible)" in single
    assert "run more methods" in single
    tie = compare.winner_summary(_table({"degraded": 20.0, "median": 25.0, "wavelet": 25.0}))
    assert tie is not None and "share the highest PSNR" in tie
    timed_tie = compare.winner_summary(_table({"degraded": 20.0, "median": 25.0, "wavelet": 25.0},
                                              {"median": 0.1, "wavelet": 0.4}))
    assert timed_tie is not None and "runner-up" not in timed_tie
    assert "took 0.10 s, 4.0× faster than **" in timed_tie and "(0.40 s)." in timed_tie
    worse = compare.winner_summary(_table({"degraded": 30.0, "median": 28.0}))
    assert worse is not None and "2.00 dB below the degraded input" in worse and "No method improved" in worse
    faster = compare.winner_summary(_table({"degraded": 20.0, "median": 26.0, "wavelet": 25.0},
                                           {"median": 0.1, "wavelet": 0.4}))
    assert faster is not None and "4.0× faster than the runner-up" in faster
    no_truth = _table({"degraded": math.nan, "median": math.nan})
    assert compare.winner_summary(no_truth) is None
    assert compare.winner_summary(pd.DataFrame()) is None
    assert compare.winner_summary(_table({"degraded": 20.0})) is None


def test_metric_table_time_column_has_a_dash_for_the_input() -> None:
    rng = np.random.default_rng(0)
    clean = rng.random((16, 16)).astype(np.float32)
    table = compare.metric_table({"median": clean}, {"median": 0.25}, clean=clean, degraded=clean * 0.9)
    assert list(table["time (s)"]) == ["—", "0.250"]
    assert compare.time_text(None) == "—" and compare.time_text(math.inf) == "—"  # type: ignore[arg-type]


def test_colour_scale_svg_has_ticks_and_range() -> None:
    svg = compare.colour_scale_svg(25, unit="grey levels")
    assert svg.startswith("<svg") and svg.endswith("</svg>") and "linearGradient" in svg
    ticks = re.findall(r'text-anchor="middle">([^<]+)<', svg)
    assert ticks == ["0", "6.25", "12.5", "18.8", "25+"]
    assert "grey levels" in svg
    assert compare.colour_scale_svg(-3).count("<text") == 6  # a bad top falls back to 1; never raises
    assert "&lt;b&gt;" in compare.colour_scale_svg(10, unit="<b>")


def test_resolved_params_fill_every_parameter(run: dict) -> None:
    for name, used in run["params"].items():
        assert set(used) >= {p.name for p in get_algorithm(name).params}
    assert compare.resolved_params("no_such_method", {"a": 1}) == {"a": 1}
    assert compare.resolved_params("median", {"size": -5}) == {"size": -5}  # refused values come back as given


# --------------------------------------------------------------------------- names and the CSV
def test_export_names_are_sanitised_and_self_describing() -> None:
    assert report.export_name("kodim05", SPEC, "bm3d", "png") == \
        "kodim05__motion_blur-downsample-gaussian_noise__bm3d.png"
    assert report.export_name("My photo (é).JPG", "", "report", "html") == "My-photo-e__as-is__report.html"
    odd = report.export_name("../../etc/passwd", "not a pipeline((", "a/b\\c", "csv")
    assert "/" not in odd and "\\" not in odd and not odd.startswith(".") and odd.endswith(".csv")
    assert report.export_name("", "", "", "") == "image__as-is__untitled.bin"
    assert len(report.export_name("x" * 500, SPEC, "y" * 500, "png")) < 200
    assert report.pipeline_slug("gaussian_noise(sigma=25)") == "gaussian_noise"


def test_export_table_has_image_pipeline_seed_and_parameters(run: dict) -> None:
    csv = report.export_table(run["table"], run["params"], image="Test scene", pipeline=SPEC, seed=7,
                              task="combined")
    assert list(csv.columns) == list(report.EXPORT_COLUMNS)
    back = pd.read_csv(io.StringIO(csv.to_csv(index=False)))
    assert list(back["method"]) == ["degraded", "bicubic", "bm3d_bicubic"]
    assert (back["pipeline"] == SPEC).all() and (back["seed"] == 7).all() and (back["image"] == "Test scene").all()
    assert json.loads(back.loc[2, "parameters"]) == json.loads(json.dumps(run["params"]["bm3d_bicubic"]))
    assert pd.isna(back.loc[0, "parameters"]) and pd.isna(back.loc[0, "seconds"])
    empty = report.export_table(pd.DataFrame(), {}, image="x", pipeline="", seed=0, task="denoise")
    assert empty.empty and list(empty.columns) == list(report.EXPORT_COLUMNS)


# --------------------------------------------------------------------------- the report
class _Collect(HTMLParser):
    """Tags, ids and image sources of a document (to check it parses and what it holds)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.ids: set[str] = set()
        self.sources: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(str(values["id"]))
        if tag == "img":
            self.sources.append(str(values.get("src")))
        for key in ("href", "src"):
            if values.get(key):
                self.links.append(str(values[key]))


def _parse(document: str) -> _Collect:
    parser = _Collect()
    parser.feed(document)
    return parser


def test_restore_report_is_one_offline_page_with_everything(run: dict) -> None:
    obs, table = run["obs"], run["table"]
    images = {"clean": obs.clean, "degraded": compare.degraded_on_grid(obs), **run["images"]}
    maps = {n: compare.error_map(im, obs.clean) for n, im in images.items() if n != "clean"}
    doc = report.RestoreReport(
        image="Test <scene>", pipeline=SPEC, seed=3, task="combined", table=table, images=images,
        params=run["params"], summary=compare.winner_summary(table), error_maps=maps,
        survey=report.restore_survey_comparison(table, image="Test <scene>", pipeline=SPEC, task="combined"),
        errors={"cnn_combined": "no weights"}, created="2025-01-02T03:04:05+00:00",
    )
    html = doc.to_html()
    parsed = _parse(html)
    assert {"setup", "verdict", "metric-table", "chart", "images", "error-maps", "survey", "parameters",
            "errors", "provenance"} <= parsed.ids
    assert len(parsed.sources) == len(images) + len(maps)
    assert all(src.startswith("data:image/png;base64,") for src in parsed.sources)
    assert all(link.startswith("data:") for link in parsed.links)  # nothing from the network
    assert "script" not in parsed.tags and "link" not in parsed.tags
    assert "Test &lt;scene&gt;" in html and "<scene>" not in html  # names are escaped
    assert "2025-01-02T03:04:05+00:00" in html and __version__ in html and "commit" in html
    assert "Table 3" in html and "+34.2 % PSNR" in html and "Table 5" not in html  # combined: section 4.1 only
    assert "nothing to compare (no deep-learning method ran on this degradation)" in html  # no deep method ran
    assert survey.DEGRADED_ROW in html and "Degraded input" in html  # the floor row of the measured table
    assert "Result size</dt><dd>48×48 px" in html
    assert "Bicubic interpolation" in html and "bm3d_bicubic" in html  # titles, with the registry name beside
    assert "<svg" in html and "PSNR per method" in html
    assert doc.file_name() == "Test-scene__motion_blur-downsample-gaussian_noise__report.html"


def test_restore_report_without_ground_truth_or_survey() -> None:
    noisy = np.full((8, 8, 3), 0.5, np.float32)
    table = compare.metric_table({"median": noisy}, {"median": 0.1}, clean=None, degraded=noisy)
    doc = report.RestoreReport(image="photo.png", pipeline="", seed=0, task="denoise", table=table,
                               images={"degraded": noisy, "median": noisy}, params={"median": {"size": 3}})
    html = doc.to_html()
    assert "came degraded" in html and "No clean original" in html and 'id="chart"' not in html
    assert report.restore_survey_comparison(table, image="photo", pipeline="", task="denoise") is None
    assert report.restore_survey_comparison(_table({"degraded": 20.0, "bicubic": 22.0}), image="x",
                                            pipeline="downsample(scale=2)", task="sr") is None
    # broken input never raises: the report still opens
    broken = report.RestoreReport(image="", pipeline="", seed=0, task="", table=pd.DataFrame(), images={})
    assert broken.to_html().startswith("<!DOCTYPE html>")


def test_restore_survey_comparison_speaks_like_the_survey_view() -> None:
    noise = "gaussian_noise(sigma=25)"
    table = _table({"degraded": 20.0, "median": 25.0, "wavelet": 26.0, "cnn_denoise": 27.5})
    for task in ("denoise", "deblur"):
        found = report.restore_survey_comparison(table, image="x", pipeline=noise, task=task)
        assert found is not None and (found.table, found.section, found.degradation) == ("Table 5", "4.2", noise)
    assert found.reported.equals(survey.TABLE5)
    assert list(found.measured["method"]) == [survey.DEGRADED_ROW, "traditional filters", "wavelet transform",
                                              "deep learning"]
    assert list(found.measured["ours"]) == ["degraded", "median", "wavelet", "cnn_denoise"]
    tidy = pd.DataFrame({"image": "x", "category": "this image", "degradation": noise, "task": "denoise",
                         "method": list(table["method"]), "family": ["input", "filter", "wavelet", "deep"],
                         "psnr": table["PSNR (dB)"], "ssim": table["SSIM"], "seconds": table["seconds"], "error": ""})
    assert found.conclusion == survey.conclusions(survey.claims_vs_measured(tidy, noise, noise))["Table 5"]
    assert "+10.0 % (cnn_denoise over median: 25.00 → 27.50 dB, n = 1 image)" in found.conclusion
    combined = report.restore_survey_comparison(_table({"degraded": 20.0, "bm3d_bicubic": 23.0}), image="x",
                                                pipeline=SPEC, task="combined")
    assert combined is not None and combined.table == "Table 3"
    assert combined.measured["method"].iloc[0] == survey.DEGRADED_ROW


def test_bars_svg_orders_and_escapes() -> None:
    svg = report.bars_svg(["low <a>", "high", "none"], [20.0, 30.0, math.nan], grey=[True, False, False])
    assert svg.index("high") < svg.index("low &lt;a&gt;") and "none" not in svg
    assert "#a3a8b8" in svg and "#ff4b4b" in svg
    assert "No PSNR" in report.bars_svg(["a"], [math.nan])
    assert "PSNR (dB; the axis starts at 18, not 0)" in svg  # floor(20) - 2: the truncation is stated
    assert "PSNR (dB)</text>" in report.bars_svg(["a", "b"], [1.0, 3.0])  # an axis from 0 needs no note


def test_html_table_marks_best_and_dashes_missing() -> None:
    frame = pd.DataFrame({"method": ["degraded", "a", "b"], "PSNR (dB)": [40.0, 20.0, 25.0],
                          "seconds": [math.nan, 1.0, 2.0]})
    out = report.html_table(frame, formats={"PSNR (dB)": ".2f", "seconds": ".3f"}, key="method",
                            best={"PSNR (dB)": "max", "seconds": "min"})
    assert out.count('class="best"') == 2 and "<strong>25.00</strong>" in out and "<strong>1.000</strong>" in out
    assert "—" in out and "40.00" in out and "<strong>40.00" not in out  # the input is never best
    assert "No rows" in report.html_table(pd.DataFrame())


def _benchmark() -> pd.DataFrame:
    rows = []
    for degradation, task in (("gaussian_noise(sigma=25)", "denoise"), (SPEC, "combined")):
        for image, category in (("a", "portrait"), ("b", "urban scene")):
            methods = {"degraded": ("input", 20.0), "median": ("filter", 24.0), "wavelet": ("wavelet", 25.0),
                       "cnn_denoise": ("deep", 27.0)} if task == "denoise" else {
                "degraded": ("input", 22.0), "classic_chain": ("chain", 25.0), "bm3d_bicubic": ("chain", 24.0),
                "cnn_combined": ("deep", 25.5)}
            for method, (family, psnr) in methods.items():
                rows.append({"image": image, "category": category, "degradation": degradation, "task": task,
                             "method": method, "family": family, "psnr": psnr, "ssim": psnr / 40,
                             "seconds": 0.0 if method == "degraded" else 0.1, "error": ""})
    rows.append({"image": "a", "category": "portrait", "degradation": SPEC, "task": "combined", "method": "pnp",
                 "family": "pnp", "psnr": math.nan, "ssim": math.nan, "seconds": math.nan, "error": "boom"})
    return pd.DataFrame(rows)


def test_benchmark_report_has_tables_charts_and_both_survey_sections() -> None:
    frame = _benchmark()
    comparisons = report.benchmark_survey_comparisons(frame)
    assert [(c.table, c.section) for c in comparisons] == [("Table 3", "4.1"), ("Table 4", "4.1"),
                                                           ("Table 5", "4.2"), ("Table 6", "4.2")]
    assert "+2.0 % (cnn_combined over classic_chain" in comparisons[0].conclusion
    assert "n = 2 images" in comparisons[0].conclusion
    # one way to say it: the sentences are ui.survey's, on the same degradations
    expected = survey.conclusions(survey.claims_vs_measured(frame, SPEC, "gaussian_noise(sigma=25)"), "PSNR")
    assert {c.table: c.conclusion for c in comparisons} == expected
    assert [c.degradation for c in comparisons] == [SPEC, SPEC, "gaussian_noise(sigma=25)", "gaussian_noise(sigma=25)"]
    for c in comparisons[:3]:  # the measured tables start with the degraded input, like the Benchmark page
        assert c.measured["method"].iloc[0] == survey.DEGRADED_ROW
    only_noise = report.benchmark_survey_comparisons(frame[frame["task"] == "denoise"])
    assert [c.table for c in only_noise] == ["Table 5", "Table 6"]
    assert report.benchmark_survey_comparisons(frame[frame["task"] == "sr"]) == []
    html = report.benchmark_report_html(frame, {"seed": 5}, created="2025-01-01T00:00:00+00:00")
    parsed = _parse(html)
    assert "script" not in parsed.tags and all(link.startswith("data:") for link in parsed.links)
    assert html.count("<svg") == 2 and "Mean per method" in html and "per category" in html
    assert "1 failed" in html and "Median filter" in html
    assert all(f'data-table="Table {n}"' in html for n in (3, 4, 5, 6))
    assert html.count(f"({survey.INCOMPLETE_LABEL})") == 2  # Tables 4 and 6 are marked incomplete as printed
    assert "No benchmark results" in report.benchmark_report_html(pd.DataFrame())
    assert "No benchmark results" in report.benchmark_report_html(pd.DataFrame({"x": [1]}))


def test_provenance_names_version_and_commit() -> None:
    stamp = report.provenance("2025-05-05")
    assert stamp["created"] == "2025-05-05" and stamp["version"] == __version__ and stamp["commit"]


def test_report_module_needs_no_streamlit() -> None:
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    code = f"import sys; sys.path.insert(0, {str(root)!r}); import ui.report; print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root)
    assert out.stdout.strip() == "False"
