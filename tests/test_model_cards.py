"""Model cards: where each shipped network comes from, read from the weights manifest (no torch, no weights loaded).

The real manifest is walked independently of the code under test (its nested ``init`` records), and the Learn
page is opened with AppTest to check that the deep and plug-and-play sections show a card per shipped network.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from apptools import ROOT, TIMEOUT, no_exception
from streamlit.testing.v1 import AppTest

from restoration.deep.weights import WEIGHTS_DIR, ModelCard, TrainingRun, WeightsError, manifest, model_card
from ui import learn
from ui.keys import LEARN_FAMILY


def _chain(entry: dict[str, Any]) -> list[dict[str, Any]]:
    """The entry and its nested init records, newest first."""
    out = [entry]
    while isinstance(out[-1].get("init"), dict):
        out.append(out[-1]["init"])
    return out


def test_every_shipped_model_has_a_card_that_matches_its_manifest_entry() -> None:
    entries = manifest()
    assert set(entries) >= {"cnn_combined", "cnn_denoise_color", "cnn_denoise_gray", "cnn_sr"}
    for name, entry in entries.items():
        card = model_card(name)
        chain = _chain(entry)
        assert [r.steps for r in card.runs] == [e.get("steps") for e in reversed(chain)], name
        assert [r.command for r in card.runs] == [e.get("command", "") for e in reversed(chain)], name
        assert card.total_steps == sum(e["steps"] for e in chain), name
        assert [r.minutes for r in card.runs] == [e.get("minutes") for e in reversed(chain)], name
        assert [bool(r.machine) for r in card.runs] == [bool(e.get("trained_on")) for e in reversed(chain)], name
        assert card.runs[-1].model == name
        assert card.parameters == entry["parameters"]
        assert card.megabytes == pytest.approx((WEIGHTS_DIR / entry["file"]).stat().st_size / 1e6)
        assert f"{entry['validation']['psnr']:.2f} dB" in card.chosen_on


def test_the_combined_model_is_traced_back_to_the_colour_denoiser_it_started_from() -> None:
    card = model_card("cnn_combined")
    assert card.runs[0].model == "cnn_denoise_color"
    # the colour denoiser's first run (the shipped colour denoiser continued it later, from the same weights)
    assert card.runs[0].command == model_card("cnn_denoise_color").runs[0].command
    assert all(r.model == "cnn_combined" and "--task combined" in r.command for r in card.runs[1:])
    assert len(card.runs) > 2 and card.stored_as == "float16"
    assert "Intel" in card.machine or "AMD" in card.machine or "cuda" in card.machine.lower()


def test_models_chosen_on_a_reported_set_are_flagged_and_the_others_are_not() -> None:
    assert not model_card("cnn_denoise_gray").chosen_on_report_set  # held-out Train400 (continued run)
    assert not model_card("cnn_sr").chosen_on_report_set  # held-out CBSD432 (continued run)
    assert not model_card("cnn_denoise_color").chosen_on_report_set  # held-out CBSD432
    assert not model_card("cnn_combined").chosen_on_report_set


def _write(tmp_path: Path, entries: dict[str, Any]) -> Path:
    (tmp_path / "manifest.json").write_text(json.dumps(entries))
    return tmp_path


@pytest.mark.parametrize(("where", "flagged"), [
    ("Set12", True), ("Set5; x4", True), ("Kodak24 (24 images)", True), ("CBSD68", True),
    ("Set50", False), ("CBSD432 held-out split", False), ("MySet12x", False), ("BSD68", True),
])
def test_report_sets_are_matched_as_whole_names(tmp_path: Path, where: str, flagged: bool) -> None:
    d = _write(tmp_path, {"m": {"validation": {"set": where, "psnr": 30.0}}})
    assert model_card("m", d).chosen_on_report_set is flagged


def test_a_sparse_or_odd_entry_gives_a_card_that_says_what_is_not_recorded(tmp_path: Path) -> None:
    d = _write(tmp_path, {
        "bare": {},
        "named_init": {"steps": 10, "command": "b", "init": "weights/old.pt", "file": "missing.pt"},
        "file_init": {"steps": 5, "init": {"file": "x.pt"}},
        "cpu_only": {"trained_on": {"device": "cpu", "name": "Some CPU"}},
        "averaged": {"steps": 4, "note": "Resumed once.", "ema": {"decay": 0.999, "kept": "average"},
                     "init": {"name": "raw", "steps": 2, "ema": {"decay": 0.999, "kept": "trained weights"}}},
    })
    raw, averaged = model_card("averaged", d).runs
    assert averaged.note == ("Resumed once. The weights kept are the moving average of the trained weights "
                             "(decay 0.999), which scored higher on the held-out data.")
    assert raw.note == ""  # kept its trained weights: nothing to say
    assert model_card("cpu_only", d).machine == "Some CPU, CPU"  # no "None cores" where the count is missing
    bare = model_card("bare", d)
    assert bare.runs == (TrainingRun("bare", None, "", ""),)
    assert bare.total_steps is None and bare.megabytes is None and bare.minutes is None
    assert bare.machine == "not recorded" and bare.chosen_on == "not recorded" and not bare.chosen_on_report_set
    text = learn.card_markdown(bare)
    assert "not recorded" in text and "Caveat" not in text
    assert "(command not recorded)" in learn.reproduce_script(bare)

    named = model_card("named_init", d)
    assert [r.model for r in named.runs] == ["weights/old.pt", "named_init"]
    assert named.runs[0].steps is None and named.total_steps is None
    assert "not recorded" in named.runs[0].note
    assert [r.model for r in model_card("file_init", d).runs] == ["x.pt", "file_init"]
    with pytest.raises(WeightsError, match="no weights named"):
        model_card("absent", d)


def test_card_text_and_reproduce_script() -> None:
    runs = (TrainingRun("a", 100, "python -m restoration train --out a", ""),
            TrainingRun("b", 50, "python -m restoration train --out b --init a", "resumed once " * 20, 90.0, "a GPU"))
    card = ModelCard("b", "combined", "Net(channels=3)", 1234, 0.5, "float16", "CBSD432", runs,
                     "Set12; best validation PSNR 30.00 dB", True)
    assert card.total_steps == 150
    text = learn.card_markdown(card)
    assert "150 optimisation steps over 2 runs" in text and "1,234 parameters, 0.5 MB (stored as float16)" in text
    assert card.minutes == 90.0 and card.machine == "a GPU"  # the last run's
    assert "90 minutes, on a GPU" in text and "Caveat" in text
    assert card.recorded_minutes == (90.0, 1) and "1.5 hours in the 1 run whose time was recorded" in text
    timed = dataclasses.replace(card, runs=(dataclasses.replace(runs[0], minutes=30.0), runs[1]))
    assert "2.0 hours of training in all" in learn.card_markdown(timed)
    assert learn.card_title(card) == "combined task (colour), 0.00 M parameters, 150 training steps"
    script = learn.reproduce_script(card)
    assert script.index("# run 1 of 2: a, 100 steps kept\n") < script.index("--out a") < script.index(
        "# run 2 of 2: b, 50 steps kept, 90 min on a GPU")
    assert all(len(line) <= 104 for line in script.splitlines() if line.startswith("#   "))  # the note is wrapped


def test_reading_a_card_imports_no_torch() -> None:
    code = ("import sys; from restoration.deep.weights import model_card; model_card('cnn_combined'); "
            "assert 'torch' not in sys.modules; import ui.learn; assert 'torch' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


@pytest.mark.parametrize(("key", "names"), [
    ("deep", ["cnn_denoise_gray", "cnn_denoise_color", "cnn_sr"]),
    ("pnp", ["cnn_combined", "cnn_denoise_color"]),
])
def test_learn_page_shows_a_card_for_each_network_of_the_section(key: str, names: list[str]) -> None:
    at = AppTest.from_file(str(ROOT / "pages" / "4_Learn.py"), default_timeout=TIMEOUT)
    at.run()
    at.radio(key=LEARN_FAMILY).set_value(key).run()
    no_exception(at)
    assert not at.error and not at.warning
    labels = [e.label for e in at.expander]
    assert [label.split(":")[0] for label in labels] == names
    codes = [str(c.value) for c in at.code if "restoration train" in str(c.value)]
    assert len(codes) == len(names)
    for name, code in zip(names, codes, strict=True):
        assert manifest()[name]["command"] in code
    text = " ".join(str(m.value) for m in at.markdown)
    assert "Checkpoint chosen on" in text
    assert "Caveat" not in text  # no shipped model was chosen on a set the report quotes
