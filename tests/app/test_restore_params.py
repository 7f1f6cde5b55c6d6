"""The Restore page's parameter widgets: automatic values that follow the observation, and never a stale one.

Regression test of the load test's wrong result (``docs/benchmarks/load_test.md``: a ``wavelet``
PSNR of 24.90 dB where 33.7 was right). The parameter widgets were created without a value
(the value was only seeded into session state), so a widget's own default was Streamlit's:
a slider's minimum, a select box's first option. A browser that mounts a widget without
receiving the server's value (a remount racing with reruns on a busy server) shows that
default and sends it back with the next click. For the wavelet that is sigma 0, threshold
scale 0.1, levels 0, shifts 1: exactly 24.90 dB on that session's image. The test replays
what such a browser does and checks that the run still uses the automatic values.
"""

from __future__ import annotations

from typing import Any

import pytest
from apptools import ROOT, TIMEOUT, no_exception
from streamlit.testing.v1 import AppTest

from restoration import get_algorithm, psnr, run_algorithm
from ui.keys import (
    DEGRADE_PRESET,
    DEGRADE_SEED,
    DEGRADE_SIZE,
    RESTORE_METHODS,
    RESTORE_PARAM_PREFIX,
    RESTORE_RUN,
    RESTORE_TABLE,
    SHARED_OBSERVATION,
)

DEGRADE, RESTORE = "pages/1_Degrade.py", "pages/2_Restore.py"


def _params(at: AppTest, method: str) -> dict[str, Any]:
    """The method's parameter widgets by parameter name (keys ``restore.param.<method>.<gen>.<name>=<auto>``)."""
    prefix = f"{RESTORE_PARAM_PREFIX}{method}."
    found = {}
    for kind in ("slider", "selectbox", "number_input", "checkbox"):
        for widget in at.get(kind):
            if widget.key and widget.key.startswith(prefix):
                found[widget.key[len(prefix):].split("=", 1)[0].split(".")[-1]] = widget
    return found


def _browser_fallback(widget: Any) -> None:
    """What a browser does with a widget it mounts without the server's value: it takes the widget's own default."""
    proto = widget.proto
    if widget.type == "selectbox":
        widget.select_index(proto.default)
    elif widget.type == "slider":
        widget.set_value(type(widget.value)(proto.default[0]))
    else:
        widget.set_value(type(widget.value)(proto.default))


def _start(size: int = 128 * 128) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    at.switch_page(DEGRADE).run()
    at.selectbox(key=DEGRADE_SIZE).set_value(size).run()
    at.number_input(key=DEGRADE_SEED).set_value(1).run()
    no_exception(at)
    return at


def test_a_browser_falling_back_to_widget_defaults_still_runs_the_automatic_values() -> None:
    at = _start()
    observation = at.session_state[SHARED_OBSERVATION]
    at.switch_page(RESTORE).run()
    at.multiselect(key=RESTORE_METHODS).set_value(["median", "wavelet"]).run()
    no_exception(at)
    automatic = get_algorithm("wavelet").defaults_for(observation)
    widgets = _params(at, "wavelet")
    assert set(widgets) == set(automatic)
    assert {name: w.value for name, w in widgets.items()} == automatic
    for widget in [*widgets.values(), *_params(at, "median").values()]:
        _browser_fallback(widget)
    at.button(key=RESTORE_RUN).click().run()
    no_exception(at)

    table = at.session_state[RESTORE_TABLE]
    shown = dict(zip(table["method"], table["PSNR (dB)"], strict=True))
    expected = psnr(observation.clean, run_algorithm("wavelet", observation, automatic, seed=1))
    # Streamlit's own widget defaults: what the load test's 24.90 dB was computed with
    fallback = dict(automatic, sigma=0.0, threshold_scale=0.1, levels=0, shifts=1)
    wrong = psnr(observation.clean, run_algorithm("wavelet", observation, fallback, seed=1))
    assert abs(expected - wrong) > 1.0, "the check must tell the two parameter sets apart"
    assert shown["wavelet"] == pytest.approx(expected, abs=1e-6)


def test_automatic_values_follow_the_observation_and_edits_stay_until_they_change() -> None:
    at = _start()
    at.switch_page(RESTORE).run()
    at.multiselect(key=RESTORE_METHODS).set_value(["wavelet"]).run()
    widgets = _params(at, "wavelet")
    assert widgets["sigma"].value == 25.0 and widgets["threshold_scale"].value == pytest.approx(1.035)
    widgets["threshold_scale"].set_value(1.5).run()
    no_exception(at)
    assert any("Changed from the automatic values: threshold scale 1.5" in c.value for c in at.caption)

    # another seed: the automatic values do not change, so the edit stays
    at.switch_page(DEGRADE).run()
    at.number_input(key=DEGRADE_SEED).set_value(2).run()
    at.switch_page(RESTORE).run()
    no_exception(at)
    widgets = _params(at, "wavelet")
    assert widgets["sigma"].value == 25.0 and widgets["threshold_scale"].value == pytest.approx(1.5)

    # another noise level: every parameter follows it, the edit included (it was made for sigma 25)
    at.switch_page(DEGRADE).run()
    at.selectbox(key=DEGRADE_PRESET).set_value("noise50").run()
    at.switch_page(RESTORE).run()
    no_exception(at)
    widgets = _params(at, "wavelet")
    auto = get_algorithm("wavelet").defaults_for(at.session_state[SHARED_OBSERVATION])
    assert widgets["sigma"].value == 50.0 and widgets["threshold_scale"].value == pytest.approx(auto["threshold_scale"])
    assert len([k for k in at.session_state if str(k).startswith(f"{RESTORE_PARAM_PREFIX}wavelet.")]) == len(auto)

    # "Automatic values" forgets an edit
    widgets["levels"].set_value(2).run()
    at.button(key="restore.reset.wavelet").click().run()
    no_exception(at)
    assert {name: w.value for name, w in _params(at, "wavelet").items()} == auto
    assert not any("Changed from the automatic values" in c.value for c in at.caption)


def test_a_rerun_does_not_push_the_method_selection_back_to_the_browser() -> None:
    """A value written through session state on every run would undo a pick made while the run was on its way."""
    at = AppTest.from_file(str(ROOT / RESTORE), default_timeout=TIMEOUT)
    at.run()
    at.multiselect(key=RESTORE_METHODS).set_value(["median"]).run()
    at.run()
    no_exception(at)
    assert at.multiselect(key=RESTORE_METHODS).value == ["median"]
    assert not at.multiselect(key=RESTORE_METHODS).proto.set_value
