"""Tests of the task rule: the task a degradation poses and the methods that can undo all of it.

``restoration.observation.task_for`` decides the task from the kinds of step (noise, blur, downsampling, mask);
``restoration.registry.task_rule`` adds the methods to offer (registered for the task *and* undoing every step)
and the ones to pre-select. Every combination of kinds is checked against an explicit table.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scenes import make_scene

from restoration import PRESETS, ParameterError, Pipeline, degrade, psnr, run_algorithm
from restoration.observation import STEP_KINDS, TASK_KINDS, TASKS, Observation, task_for
from restoration.registry import REGISTRY, TaskRule, preselect, task_rule

# One pipeline per combination of kinds of step (the order of the steps is the app's usual one).
_STEP_TEXT = {
    "blur": "gaussian_blur(sigma=1.6)",
    "downsample": "downsample(scale=2)",
    "noise": "gaussian_noise(sigma=10)",
    "mask": "random_mask(missing=0.3)",
}

# kinds -> (task, methods offered, methods pre-selected); registry order.
TABLE: dict[frozenset[str], tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    frozenset(): ("denoise", ("identity", "mean", "gaussian", "median", "bilateral", "wiener_filter", "wavelet",
                              "sparse", "tv", "nlm", "bm3d", "cnn_denoise", "zs_denoise"),
                  ("wavelet", "tv", "bm3d", "cnn_denoise")),
    frozenset({"noise"}): ("denoise", ("identity", "mean", "gaussian", "median", "bilateral", "wiener_filter",
                                       "wavelet", "sparse", "tv", "nlm", "bm3d", "cnn_denoise", "zs_denoise"),
                           ("wavelet", "tv", "bm3d", "cnn_denoise")),
    frozenset({"blur"}): ("deblur", ("identity", "tv_deconv", "wiener_deconv", "richardson_lucy", "pnp"),
                          ("tv_deconv", "wiener_deconv", "pnp")),
    frozenset({"blur", "noise"}): ("deblur", ("identity", "tv_deconv", "wiener_deconv", "richardson_lucy", "pnp"),
                                   ("tv_deconv", "wiener_deconv", "pnp")),
    frozenset({"downsample"}): ("sr", ("identity", "tv_sr", "nearest", "bilinear", "bicubic", "lanczos",
                                       "back_projection", "sparse_sr", "cnn_sr", "pnp"),
                                ("tv_sr", "bicubic", "cnn_sr", "pnp")),
    frozenset({"mask"}): ("inpaint", ("identity", "sparse", "tv_inpaint", "biharmonic", "pnp"),
                          ("sparse", "tv_inpaint", "biharmonic", "pnp")),
    frozenset({"mask", "noise"}): ("inpaint", ("identity", "sparse", "tv_inpaint", "pnp"),
                                   ("sparse", "tv_inpaint", "pnp")),
    frozenset({"mask", "blur"}): ("inpaint", ("identity", "tv_inpaint", "pnp"), ("tv_inpaint", "pnp")),
    frozenset({"mask", "blur", "noise"}): ("inpaint", ("identity", "tv_inpaint", "pnp"), ("tv_inpaint", "pnp")),
    frozenset({"downsample", "noise"}): ("combined", ("identity", "tv_sr", "classic_chain", "bm3d_bicubic",
                                                      "cnn_combined", "pnp"),
                                         ("tv_sr", "classic_chain", "cnn_combined", "pnp")),
    frozenset({"downsample", "blur"}): ("combined", ("identity", "tv_sr", "back_projection", "classic_chain",
                                                     "cnn_combined", "pnp"),
                                        ("tv_sr", "classic_chain", "cnn_combined", "pnp")),
    # the survey's combined task
    frozenset({"downsample", "blur", "noise"}): ("combined", ("identity", "tv_sr", "classic_chain", "cnn_combined",
                                                              "pnp"),
                                                 ("tv_sr", "classic_chain", "cnn_combined", "pnp")),
    frozenset({"downsample", "mask"}): ("combined", ("identity", "tv_sr", "pnp"), ("tv_sr", "pnp")),
    frozenset({"downsample", "mask", "noise"}): ("combined", ("identity", "tv_sr", "pnp"), ("tv_sr", "pnp")),
    frozenset({"downsample", "mask", "blur"}): ("combined", ("identity", "tv_sr", "pnp"), ("tv_sr", "pnp")),
    frozenset(STEP_KINDS): ("combined", ("identity", "tv_sr", "pnp"), ("tv_sr", "pnp")),
}


def _combinations() -> list[frozenset[str]]:
    return [frozenset(c) for r in range(len(STEP_KINDS) + 1) for c in itertools.combinations(STEP_KINDS, r)]


def _pipeline(kinds: frozenset[str]) -> str:
    return " | ".join(_STEP_TEXT[k] for k in ("blur", "downsample", "noise", "mask") if k in kinds)


def test_the_table_covers_every_combination():
    assert set(TABLE) == set(_combinations())
    assert {task for task, _, _ in TABLE.values()} == set(TASKS)  # every task is reached
    for task, kinds in TASK_KINDS.items():
        assert task_for(kinds) == task  # each task's plain form poses that task


@pytest.mark.parametrize("kinds", _combinations(), ids=lambda k: "+".join(sorted(k)) or "nothing")
def test_task_and_methods_of_every_combination(kinds):
    task, methods, defaults = TABLE[kinds]
    rule = task_rule(kinds)
    assert isinstance(rule, TaskRule)
    assert rule.task == task == task_for(kinds)
    assert rule.methods == methods
    assert rule.defaults == defaults
    # the rule itself: registered for the task, and undoes every step (the baseline is the only exception)
    for name in rule.methods:
        spec = REGISTRY[name]
        assert task in spec.tasks
        assert spec.family == "baseline" or kinds <= spec.removes, name
    for name in rule.left_out:
        assert task in REGISTRY[name].tasks and not kinds <= REGISTRY[name].removes
    assert set(rule.methods).isdisjoint(rule.left_out)
    assert "identity" not in rule.defaults and set(rule.defaults) <= set(rule.methods)


@pytest.mark.parametrize("kinds", _combinations(), ids=lambda k: "+".join(sorted(k)) or "nothing")
def test_pipelines_and_observations_follow_the_same_rule(kinds):
    text = _pipeline(kinds)
    obs = degrade(make_scene(32, 32, colour=True), text, seed=0)
    assert obs.kinds == kinds
    assert obs.task == Pipeline.parse(text).task == TABLE[kinds][0]
    assert task_rule(obs) == task_rule(kinds)
    assert obs.summary()["task"] == obs.task


def test_blur_noise_mask_is_inpainting_with_more():
    """The issue's case: no bicubic (it returns the input) and no classic chain (it leaves the holes)."""
    rule = task_rule({"blur", "noise", "mask"})
    assert rule.task == "inpaint"
    assert "bicubic" not in rule.methods and "classic_chain" not in rule.methods
    assert "biharmonic" in rule.left_out  # it fills the holes but leaves the blur and the noise
    assert rule.key == "inpaint: noise+blur+mask"


def test_the_survey_combined_task_is_blur_downsampling_noise():
    assert task_for({"blur", "downsample", "noise"}) == "combined"
    assert TASK_KINDS["combined"] == {"blur", "downsample", "noise"}
    assert PRESETS["combined"].task == "combined" == Pipeline.parse(PRESETS["combined"].spec).task
    rule = task_rule(degrade(make_scene(32, 32), PRESETS["combined"].spec))
    assert {"bicubic", "bm3d_bicubic", "back_projection"} <= set(rule.left_out)


@pytest.mark.parametrize("task, deep", [("denoise", "cnn_denoise"), ("sr", "cnn_sr"), ("combined", "cnn_combined")])
def test_defaults_include_the_survey_deep_method(task, deep):
    assert deep in task_rule(TASK_KINDS[task]).defaults


def test_every_preset_keeps_its_task():
    for preset in PRESETS.values():
        assert Pipeline.parse(preset.spec).task == preset.task, preset.key


def test_every_method_is_offered_somewhere_and_states_what_it_undoes():
    offered = set().union(*(task_rule(k).methods for k in _combinations()))
    assert offered == set(REGISTRY)
    for spec in REGISTRY.values():
        assert spec.removes <= set(STEP_KINDS), spec.name
        assert spec.undoes is not None, f"{spec.name}: say which steps it undoes"
        # a method registered for a task undoes at least one of the task's own kinds (or it is the baseline)
        for task in spec.tasks:
            assert spec.family == "baseline" or spec.removes & TASK_KINDS[task], (spec.name, task)


def test_bad_kinds_are_refused_with_a_message():
    with pytest.raises(ParameterError, match="unknown kind"):
        task_for({"blurr"})
    with pytest.raises(ParameterError, match="unknown kind"):
        task_rule(["noise", "fog"])
    assert task_for("mask") == "inpaint"  # one kind given as text


def test_uploaded_photos_follow_the_rule():
    photo = Observation.from_degraded(np.full((16, 16, 3), 0.5, np.float32))
    assert photo.kinds == frozenset() and photo.task == "denoise"
    noisy_small = Observation.from_degraded(np.full((16, 16), 0.5, np.float32), scale=2, sigma=5.0)
    assert noisy_small.kinds == {"downsample", "noise"} and noisy_small.task == "combined"


def test_preselect_one_per_family_by_rank():
    assert preselect(["identity", "median", "bm3d", "nlm", "cnn_denoise"]) == ["median", "bm3d", "cnn_denoise"]
    assert preselect(["tv", "bm3d", "wavelet", "cnn_denoise"], k=2) == ["bm3d", "cnn_denoise"]
    assert preselect(["nope", "identity"]) == []


def test_tv_inpainting_also_deblurs_when_a_blur_is_known():
    """Why tv_inpaint is offered on blur + noise + mask: it fills the holes *through* the blur."""
    obs = degrade(make_scene(64, 64, seed=3), "gaussian_blur(sigma=1.6) | gaussian_noise(sigma=5) | "
                  "random_mask(missing=0.3)", seed=0)
    tv = psnr(obs.clean, run_algorithm("tv_inpaint", obs))
    biharmonic = psnr(obs.clean, run_algorithm("biharmonic", obs))  # fills the holes, keeps the blur
    assert tv > psnr(obs.clean, obs.degraded) + 10  # measured +16.9
    assert tv > biharmonic + 1.5  # measured +3.6
