"""The zero-shot denoiser on the Restore page: it runs, its progress moves the bar, and no Streamlit call breaks."""

from __future__ import annotations

import pandas as pd
from apptools import ROOT, TIMEOUT, no_exception
from streamlit.testing.v1 import AppTest

from ui.keys import DEGRADE_SEED, DEGRADE_SIZE, RESTORE_METHODS, RESTORE_PARAM_PREFIX, RESTORE_RUN, RESTORE_TABLE


def test_restore_runs_the_zero_shot_denoiser_with_its_progress() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    at.switch_page("pages/1_Degrade.py").run()
    at.selectbox(key=DEGRADE_SIZE).set_value(128 * 128).run()
    at.number_input(key=DEGRADE_SEED).set_value(3).run()
    at.switch_page("pages/2_Restore.py").run()
    at.multiselect(key=RESTORE_METHODS).set_value(["zs_denoise"]).run()
    iterations = [w for w in at.get("slider") + at.get("number_input")
                  if w.key and w.key.startswith(f"{RESTORE_PARAM_PREFIX}zs_denoise.") and "iterations" in w.key]
    assert iterations, "the iterations knob is shown"
    iterations[0].set_value(200).run()
    at.button(key=RESTORE_RUN).click().run()
    no_exception(at)
    assert not at.error, [e.value for e in at.error]
    table = at.session_state[RESTORE_TABLE]
    assert isinstance(table, pd.DataFrame)
    psnr = dict(zip(table["method"], table["PSNR (dB)"], strict=True))
    assert psnr["zs_denoise"] > psnr["degraded"] + 3
    at.run()  # a rerun replays nothing of the training's progress and raises nothing
    no_exception(at)
