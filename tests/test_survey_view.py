"""The survey view's story: degraded rows, claimed vs measured gains, one sentence per table, and its chart."""

from __future__ import annotations

import json
import math
import re

import pandas as pd
import pytest

from ui import charts, survey  # the repository root is on sys.path (tests/conftest.py)

COMBINED = "combined"
# method: (family, PSNR gain over 20 dB, SSIM)
METHODS = {
    "degraded": ("input", 0.0, 0.40), "bicubic": ("interpolation", 1.0, 0.50), "median": ("filter", 1.5, 0.55),
    "bm3d_bicubic": ("chain", 2.0, 0.60), "wavelet": ("wavelet", 2.5, 0.62), "classic_chain": ("chain", 4.0, 0.70),
    "pnp": ("pnp", 5.0, 0.75),
}


def _results(methods: dict[str, tuple[str, float, float]] = METHODS, base: float = 20.0,
             per_category: int = 2) -> pd.DataFrame:
    """Two categories x ``per_category`` images, one degradation; urban scenes 2 dB lower."""
    rows = []
    for category, shift in (("natural landscape", 0.0), ("urban scene", -2.0)):
        for i in range(per_category):
            for method, (family, gain, ssim) in methods.items():
                rows.append({"image": f"{category[:3]}{i}", "category": category, "degradation": COMBINED,
                             "task": "combined", "method": method, "family": family, "psnr": base + shift + gain,
                             "ssim": ssim, "seconds": 0.1, "error": ""})
    return pd.DataFrame(rows)


def _one_sentence(text: str) -> bool:
    """One sentence: ends with a full stop and no full stop inside is followed by a new sentence."""
    return text.endswith(".") and not re.search(r"\.\s+[A-Z]", text[:-1])


# --------------------------------------------------------------------------- degraded rows
def test_measured_tables_can_start_with_the_degraded_input() -> None:
    results = _results()
    t3 = survey.measured_table3(results, COMBINED, degraded=True)
    assert t3.loc[0, "method"] == survey.DEGRADED_ROW and t3.loc[0, "ours"] == "degraded"
    assert t3.loc[0, "PSNR"] == pytest.approx(19.0) and t3.loc[0, "SSIM"] == pytest.approx(0.4)
    pd.testing.assert_frame_equal(t3.iloc[1:].reset_index(drop=True), survey.measured_table3(results, COMBINED))
    t4 = survey.measured_table4(results, COMBINED, degraded=True)
    assert len(t4) == 8 and t4["method"].tolist()[::4] == [survey.DEGRADED_ROW] * 2
    assert t4.loc[4, ["category", "PSNR"]].tolist() == ["urban scene", pytest.approx(18.0)]
    t5 = survey.measured_table5(results, COMBINED, degraded=True)
    assert t5["method"].tolist() == [survey.DEGRADED_ROW, "traditional filters", "wavelet transform", "deep learning"]


def test_degraded_row_without_degraded_results_says_none_ran() -> None:
    results = _results()
    t3 = survey.measured_table3(results[results["method"] != "degraded"], COMBINED, degraded=True)
    assert t3.loc[0, "ours"] == "— (none ran)" and math.isnan(t3.loc[0, "PSNR"])


# --------------------------------------------------------------------------- claimed vs measured
def test_incomplete_tables_are_the_printed_short_ones() -> None:
    assert set(survey.INCOMPLETE) == {"Table 4", "Table 6"}
    assert len(survey.TABLE4) == 3 and len(survey.TABLE6) == 5
    assert all(survey.INCOMPLETE_LABEL in text for text in survey.INCOMPLETE.values())


def test_claims_agree_with_the_survey_and_the_measured_tables() -> None:
    results = _results()
    claims = survey.claims_vs_measured(results, COMBINED, COMBINED)
    assert list(claims.columns) == list(survey.CLAIM_COLUMNS)
    t3 = claims[(claims["table"] == "Table 3")].set_index(["base_kind", "metric"])
    assert t3.loc[("traditional method", "PSNR"), "claimed_gain"] == pytest.approx(survey.TABLE3_CLAIMS["PSNR"],
                                                                                 abs=0.05)
    assert t3.loc[("traditional method", "SSIM"), "claimed_gain"] == pytest.approx(survey.TABLE3_CLAIMS["SSIM"],
                                                                                 abs=0.05)
    measured = survey.measured_table3(results, COMBINED).set_index("method")
    assert t3.loc[("traditional method", "PSNR"), "measured_gain"] == pytest.approx(
        measured.loc["gain of deep over traditional (%)", "PSNR"], abs=0.01)
    assert t3.loc[("BM3D then bicubic", "PSNR"), "measured_gain"] == pytest.approx(
        measured.loc["gain of deep over survey-style (%)", "PSNR"], abs=0.01)
    row = t3.loc[("traditional method", "PSNR")]
    assert (row["method"], row["base_method"], row["n"]) == ("pnp", "classic_chain", 4)
    assert row["measured_degraded"] == pytest.approx(19.0)
    # Table 4: the survey printed a pair only for natural landscapes; we measured both categories (2 images each)
    t4 = claims[(claims["table"] == "Table 4") & (claims["metric"] == "PSNR")].set_index("category")
    assert t4.loc["natural landscape", "claimed_gain"] == pytest.approx(100 * (31.05 - 23.12) / 23.12)
    assert math.isnan(t4.loc["urban scene", "claimed_gain"]) and t4.loc["urban scene", "n"] == 2
    # Table 6: portrait printed (PSNR only) but not measured here
    t6 = claims[claims["table"] == "Table 6"].set_index(["category", "metric"])
    assert t6.loc[("portrait", "PSNR"), "claimed_gain"] == pytest.approx(100 * (31.22 - 25.67) / 25.67)
    assert math.isnan(t6.loc[("portrait", "SSIM"), "claimed_gain"])
    assert math.isnan(t6.loc[("portrait", "PSNR"), "measured_gain"]) and t6.loc[("portrait", "PSNR"), "n"] == 0
    assert t6.loc[("urban scene", "PSNR"), "base_method"] == "median"


def test_n_is_the_number_of_images_behind_the_means() -> None:
    results = _results(per_category=3)
    failed = (results["method"] == "pnp") & (results["image"] == "nat0")
    results.loc[failed, "error"] = "refused"
    claims = survey.claims_vs_measured(results, COMBINED, COMBINED)
    t3 = claims[(claims["table"] == "Table 3") & (claims["metric"] == "PSNR")]
    assert t3["n"].tolist() == [5, 5]  # pnp has 5 of the 6 images
    t4 = claims[(claims["table"] == "Table 4") & (claims["metric"] == "PSNR")].set_index("category")
    assert t4.loc["natural landscape", "n"] == 2 and t4.loc["urban scene", "n"] == 3


# --------------------------------------------------------------------------- sentences
def test_one_plain_sentence_per_table() -> None:
    claims = survey.claims_vs_measured(_results(), COMBINED, COMBINED)
    sentences = survey.conclusions(claims)
    assert list(sentences) == ["Table 3", "Table 4", "Table 5", "Table 6"]
    for name, text in sentences.items():
        assert _one_sentence(text), (name, text)
    t3 = sentences["Table 3"]
    assert "+34.2 % PSNR (22.56 → 30.28 dB)" in t3
    assert "+4.3 % (pnp over classic_chain: 23.00 → 24.00 dB, n = 4 images)" in t3
    assert "+14.3 % over the survey-style BM3D then bicubic" in t3
    assert "incomplete as printed" in sentences["Table 4"] and "incomplete as printed" in sentences["Table 6"]
    assert "+34.3 % on natural landscape (23.12 → 31.05 dB)" in sentences["Table 4"]
    assert "+4.5 % on urban scene (n = 2 images)" in sentences["Table 4"]
    assert "+21.0 % PSNR" in sentences["Table 5"] and "+9.9 %" in sentences["Table 5"]
    assert "+21.6 % on portrait" in sentences["Table 6"]


def test_sentences_in_ssim() -> None:
    claims = survey.claims_vs_measured(_results(), COMBINED, COMBINED)
    sentences = survey.conclusions(claims, "ssim")
    assert "+13.6 % SSIM (0.810 → 0.920)" in sentences["Table 3"]
    assert "an SSIM gain" in sentences["Table 4"]
    assert "portrait" not in sentences["Table 6"]  # the survey printed no SSIM row for portraits
    with pytest.raises(ValueError, match="PSNR or SSIM"):
        survey.conclusions(claims, "seconds")


def test_a_degraded_input_above_the_surveys_traditional_is_said() -> None:
    claims = survey.claims_vs_measured(_results(base=24.0), COMBINED, COMBINED)
    t3 = survey.conclusions(claims)["Table 3"]
    assert "our un-restored input alone measures 23.00 dB, above the survey's traditional method (22.56 dB)" in t3
    assert _one_sentence(t3)
    low = survey.conclusions(survey.claims_vs_measured(_results(), COMBINED, COMBINED))["Table 3"]
    assert "un-restored" not in low  # 19 dB: below the survey's 22.56


def test_sentences_say_what_did_not_run() -> None:
    classic = {k: v for k, v in METHODS.items() if k != "pnp"}
    sentences = survey.conclusions(survey.claims_vs_measured(_results(classic), COMBINED, COMBINED))
    assert "no deep-learning method ran on this degradation" in sentences["Table 3"]
    assert "no category in which both a traditional and a deep-learning method ran" in sentences["Table 4"]
    no_wavelet = {k: v for k, v in METHODS.items() if k != "wavelet"}
    t5 = survey.conclusions(survey.claims_vs_measured(_results(no_wavelet), COMBINED, COMBINED))["Table 5"]
    assert "(no wavelet method ran on this degradation)" in t5
    empty = survey.conclusions(survey.claims_vs_measured(_results().iloc[:0], "a", "b"))
    assert list(empty) == ["Table 3", "Table 4", "Table 5", "Table 6"]
    assert all(_one_sentence(text) for text in empty.values())


# --------------------------------------------------------------------------- chart
def test_gain_chart_claimed_beside_measured() -> None:
    claims = survey.claims_vs_measured(_results(), COMBINED, COMBINED)
    spec = charts.survey_gain_chart(claims)
    json.dumps(spec, allow_nan=False)  # valid JSON: no NaN reaches Vega-Lite
    values = spec["data"]["values"]
    sources = {v["source"] for v in values}
    assert sources == set(charts.SURVEY_SOURCES)
    by = {(v["label"], v["source"]): v for v in values}
    t3 = by[("Table 3: vs traditional method", "claimed by the survey")]
    assert t3["gain"] == pytest.approx(34.22, abs=0.01) and t3["text"] == "+34.2 %"
    assert by[("Table 3: vs traditional method", "measured here")]["who"] == "pnp over classic_chain (n = 4)"
    assert by[("Table 4: vs traditional method · urban scene", "claimed by the survey")]["text"] == "not printed"
    assert by[("Table 6: vs traditional filter · portrait", "measured here")]["text"] == "not measured"
    assert ("Table 6: vs traditional filter · portrait", "claimed by the survey") in by
    bars = spec["layer"][0]
    assert bars["mark"]["type"] == "bar" and bars["encoding"]["yOffset"]["field"] == "source"
    assert "http" not in json.dumps(spec)  # nothing fetched from elsewhere


def test_gain_chart_is_valid_vega_lite() -> None:
    """The spec validates against the Vega-Lite schema that Altair (a Streamlit dependency) ships, offline."""
    jsonschema = pytest.importorskip("jsonschema")
    try:
        from altair.vegalite.v6.schema import load_schema
    except ImportError:  # another Altair major version
        from altair.vegalite.v5.schema import load_schema  # type: ignore[no-redef]
    claims = survey.claims_vs_measured(_results(), COMBINED, COMBINED)
    for spec in (charts.survey_gain_chart(claims), charts.survey_gain_chart(claims, "SSIM"),
                 charts.survey_gain_chart(claims.iloc[:0])):
        jsonschema.validate(spec, load_schema())


def test_gain_chart_ssim_and_edge_cases() -> None:
    claims = survey.claims_vs_measured(_results(), COMBINED, COMBINED)
    labels = {v["label"] for v in charts.survey_gain_chart(claims, "ssim")["data"]["values"]}
    assert "Table 6: vs traditional filter · portrait" not in labels  # neither printed nor measured in SSIM
    empty = charts.survey_gain_chart(claims.iloc[:0])
    assert empty["data"]["values"] == [{"text": "No gains to compare"}]
    with pytest.raises(ValueError, match="PSNR or SSIM"):
        charts.survey_gain_chart(claims, "seconds")
