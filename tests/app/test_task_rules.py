"""AppTest of the task rule end to end: a custom pipeline built on the Degrade page, the methods the Restore page
offers and pre-selects for it (``restoration.registry.task_rule``: only methods that undo every step)."""

from __future__ import annotations

import pytest
from apptools import ROOT, TIMEOUT, no_exception
from streamlit.testing.v1 import AppTest

from restoration import PRESETS
from restoration.registry import task_rule
from ui import widgets
from ui.keys import DEGRADE_PRESET, DEGRADE_SPEC_TEXT, RESTORE_METHODS, SHARED_OBSERVATION

DEGRADE, RESTORE = "pages/1_Degrade.py", "pages/2_Restore.py"
BLUR_NOISE_MASK = "gaussian_blur(sigma=1.6) | gaussian_noise(sigma=5) | random_mask(missing=0.3)"


def _app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    no_exception(at)
    at.switch_page(DEGRADE).run()
    no_exception(at)
    return at


def _captions(at: AppTest) -> str:
    return "\n".join(c.value for c in at.caption)


def _degrade_with(at: AppTest, text: str) -> None:
    at.text_input(key=DEGRADE_SPEC_TEXT).input(text).run()
    no_exception(at)


def test_degrade_page_names_the_task_of_a_custom_pipeline() -> None:
    at = _app()
    _degrade_with(at, BLUR_NOISE_MASK)
    observation = at.session_state[SHARED_OBSERVATION]
    assert observation.kinds == {"blur", "noise", "mask"}
    assert observation.task == "inpaint"  # inpainting with more to undo, not "combined"
    text = _captions(at)
    assert "noise + blur + missing pixels, so the task is **inpaint**" in text
    assert "Total-variation inpainting" in text and "Plug-and-play" in text
    assert "Biharmonic inpainting (leaves the noise and the blur)" in text  # why it is not offered


def test_restore_offers_only_methods_that_undo_every_step() -> None:
    at = _app()
    _degrade_with(at, BLUR_NOISE_MASK)
    at.switch_page(RESTORE).run()
    no_exception(at)
    picker = at.multiselect(key=RESTORE_METHODS)
    rule = task_rule({"blur", "noise", "mask"})
    assert set(picker.options) == {widgets.method_label(n) for n in rule.methods}
    assert "bicubic" not in rule.methods and "classic_chain" not in rule.methods
    assert picker.value == ["tv_inpaint", "pnp"]

    # back to a plain mask: the same task, but every inpainting method again, and the defaults re-applied
    at.switch_page(DEGRADE).run()
    _degrade_with(at, "random_mask(missing=0.3)")
    at.switch_page(RESTORE).run()
    no_exception(at)
    picker = at.multiselect(key=RESTORE_METHODS)
    assert {"biharmonic", "sparse"} <= set(task_rule({"mask"}).methods)
    assert set(picker.value) == set(task_rule({"mask"}).defaults)


@pytest.mark.parametrize(("preset", "deep"), [("noise25", "cnn_denoise"), ("sr2", "cnn_sr"),
                                              ("combined", "cnn_combined")])
def test_restore_preselects_the_survey_deep_method(preset: str, deep: str) -> None:
    at = _app()
    at.selectbox(key=DEGRADE_PRESET).set_value(preset).run()
    no_exception(at)
    at.switch_page(RESTORE).run()
    no_exception(at)
    chosen = at.multiselect(key=RESTORE_METHODS).value
    assert deep in chosen
    assert chosen == list(task_rule(at.session_state[SHARED_OBSERVATION]).defaults)
    if preset == "combined":  # the survey's blur + x2 + noise: interpolation alone leaves the blur and the noise
        labels = set(at.multiselect(key=RESTORE_METHODS).options)
        assert widgets.method_label("bicubic") not in labels and widgets.method_label("cnn_combined") in labels
        assert PRESETS[preset].task == at.session_state[SHARED_OBSERVATION].task == "combined"
