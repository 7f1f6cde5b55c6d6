"""AppTest of the Degrade page's smaller details (issue 14, item 8): a preset value between slider steps, the
working size as a pixel budget, a failed upload after a good one, and an unknown noise level on a photo."""

from __future__ import annotations

import numpy as np
from apptools import ROOT, TIMEOUT, no_exception
from streamlit.testing.v1 import AppTest

from restoration.images import encode_png
from ui.keys import (
    DEGRADE_AS_DEGRADED,
    DEGRADE_ASSUMED_SIGMA,
    DEGRADE_ASSUMED_TASK,
    DEGRADE_PRESET,
    DEGRADE_SIZE,
    DEGRADE_SOURCE,
    DEGRADE_SPEC_TEXT,
    DEGRADE_STEP_PREFIX,
    DEGRADE_STEPS,
    DEGRADE_UPLOAD,
    SHARED_NAME,
)

DEGRADE = "pages/1_Degrade.py"


def _app() -> AppTest:
    at = AppTest.from_file(str(ROOT / DEGRADE), default_timeout=TIMEOUT)
    at.run()
    no_exception(at)
    return at


def _png(height: int, width: int) -> bytes:
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    return encode_png(np.stack([x / width, y / height, 0.5 + 0.3 * np.sin(x / 5.0)], axis=-1))


def _warnings(at: AppTest) -> list[str]:
    return [w.value for w in at.warning]


def test_motion_preset_noise_shows_and_keeps_its_decimals() -> None:
    at = _app()
    at.selectbox(key=DEGRADE_PRESET).set_value("motion").run()
    no_exception(at)
    noise = next(s for s in at.session_state[DEGRADE_STEPS] if s["name"] == "gaussian_noise")
    key = f"{DEGRADE_STEP_PREFIX}{noise['uid']}.sigma"
    assert not [s for s in at.slider if s.key == key]  # a slider of whole numbers would show "3"
    box = at.number_input(key=key)
    assert box.value == 2.55 and box.proto.format == "%.2f"
    box.set_value(3.0).run()
    no_exception(at)
    assert "gaussian_noise(sigma=3)" in at.text_input(key=DEGRADE_SPEC_TEXT).value
    assert at.number_input(key=key).value == 3.0  # still a number box: the old value can be typed back
    at.number_input(key=key).set_value(2.55).run()
    no_exception(at)
    assert "gaussian_noise(sigma=2.55)" in at.text_input(key=DEGRADE_SPEC_TEXT).value
    # a value on the slider's steps keeps its slider
    at.selectbox(key=DEGRADE_PRESET).set_value("noise25").run()
    noise = at.session_state[DEGRADE_STEPS][0]
    assert any(s.key == f"{DEGRADE_STEP_PREFIX}{noise['uid']}.sigma" for s in at.slider)


def test_working_size_is_a_pixel_budget() -> None:
    at = _app()
    size = at.selectbox(key=DEGRADE_SIZE)
    assert "pixel budget" in size.label
    assert any("512 × 512 or the same area" in option for option in size.options)
    assert "aspect ratio kept" in size.help


def test_a_failed_upload_says_what_is_used() -> None:
    at = _app()
    at.radio(key=DEGRADE_SOURCE).set_value("upload").run()
    at.file_uploader(key=DEGRADE_UPLOAD).upload("broken.png", b"not an image", "image/png").run()
    no_exception(at)
    assert any("broken.png" in w and "no earlier upload" in w for w in _warnings(at)), _warnings(at)
    assert not any("No file uploaded yet" in i.value for i in at.info)

    at.file_uploader(key=DEGRADE_UPLOAD).upload("good.png", _png(40, 60), "image/png").run()
    no_exception(at)
    assert at.session_state[SHARED_NAME] == "good.png" and not _warnings(at)
    at.file_uploader(key=DEGRADE_UPLOAD).upload("broken.png", b"still not an image", "image/png").run()
    no_exception(at)
    assert any("broken.png" in w and "still uses the earlier upload **good.png**" in w for w in _warnings(at))
    assert at.session_state[SHARED_NAME] == "good.png"


def test_unknown_noise_on_a_photo_is_estimated_and_warned_about() -> None:
    at = _app()
    at.radio(key=DEGRADE_SOURCE).set_value("upload").run()
    at.file_uploader(key=DEGRADE_UPLOAD).upload("photo.png", _png(48, 64), "image/png").run()
    at.checkbox(key=DEGRADE_AS_DEGRADED).check().run()
    no_exception(at)
    assert any("σ ≈" in c.value for c in at.caption)  # denoising: the estimate, as a note
    at.selectbox(key=DEGRADE_ASSUMED_TASK).set_value("deblur").run()
    no_exception(at)
    assert any("σ ≈" in w and "plug-and-play" in w for w in _warnings(at)), _warnings(at)
    at.number_input(key=DEGRADE_ASSUMED_SIGMA).set_value(5.0).run()
    no_exception(at)
    assert not any("plug-and-play" in w for w in _warnings(at))  # a stated level needs no warning
