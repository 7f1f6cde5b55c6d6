"""Unit tests of the widget helpers behind the task rule and the Degrade page's notes (no Streamlit session)."""

from __future__ import annotations

import numpy as np
from scenes import make_scene

from restoration import degrade
from restoration.registry import task_rule
from ui import widgets

BLUR_NOISE_MASK = "gaussian_blur(sigma=1.6) | gaussian_noise(sigma=5) | random_mask(missing=0.3)"


def test_methods_for_an_observation_follow_the_task_rule():
    obs = degrade(make_scene(32, 32, colour=True), BLUR_NOISE_MASK, seed=0)
    assert obs.task == "inpaint"
    assert set(widgets.methods_for(obs)) == set(task_rule(obs).methods) == {"identity", "tv_inpaint", "pnp"}
    assert widgets.default_methods(widgets.methods_for(obs)) == ["tv_inpaint", "pnp"]
    # a task name still lists every method registered for it (the Benchmark page mixes pipelines of one task)
    assert {"biharmonic", "sparse"} <= set(widgets.methods_for("inpaint"))
    assert widgets.methods_key(obs) == "inpaint: noise+blur+mask"
    assert widgets.methods_key(degrade(make_scene(32, 32), "random_mask(missing=0.3)")) == "inpaint: mask"


def test_the_degrade_page_explains_the_rule():
    obs = degrade(make_scene(32, 32), BLUR_NOISE_MASK, seed=0)
    text = widgets.task_rule_text(obs)
    assert text.startswith("It contains noise + blur + missing pixels, so the task is **inpaint**")
    assert "Biharmonic inpainting (leaves the noise and the blur)" in widgets.offer_note(obs) and text.endswith(".")
    plain = degrade(make_scene(32, 32), "gaussian_noise(sigma=25)")
    assert widgets.offer_note(plain) == "" and "methods" in widgets.task_rule_text(plain)


def test_unknown_noise_notes():
    image = make_scene(48, 48, colour=True)
    assert widgets.unknown_noise_note(degrade(image, "gaussian_noise(sigma=25)")) == ("", False)  # known
    assert widgets.unknown_noise_note(degrade(image, "gaussian_blur(sigma=2)")) == ("", False)  # known: none
    note, warn = widgets.unknown_noise_note(degrade(image, "poisson_noise(peak=20)"))
    assert "σ ≈" in note and not warn  # denoising: only the estimate
    note, warn = widgets.unknown_noise_note(degrade(image, "gaussian_blur(sigma=1.6) | camera_noise(jpeg=90)"))
    assert warn and "plug-and-play" in note
    photo = widgets.observation_from_degraded(image, "deblur", blur="gaussian_blur(sigma=1.6)")
    note, warn = widgets.unknown_noise_note(photo)
    assert warn and "enter a noise level" in note
    stated = widgets.observation_from_degraded(image, "deblur", sigma=5.0, blur="gaussian_blur(sigma=1.6)")
    assert widgets.unknown_noise_note(stated) == ("", False)


def test_upload_failure_and_working_size_texts():
    assert "still uses the earlier upload **a.png**" in widgets.upload_failed_note("b.png", "a.png")
    assert "no earlier upload" in widgets.upload_failed_note("b.png", None)
    assert widgets.size_label(512 * 512) == "up to 0.26 megapixels (512 × 512 or the same area)"
    assert widgets.size_label(1000) == "up to 1,000 pixels"


def test_values_between_slider_steps():
    assert widgets._on_grid(3.0, 0.0, 1.0) and not widgets._on_grid(2.55, 0.0, 1.0)
    assert widgets._on_grid(2.2, 0.25, 0.05) and widgets._on_grid(np.float64(0.3), 0.1, 0.1)
