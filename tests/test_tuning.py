"""Self-supervised tuning (Noise2Self): the strength knob chosen from the noisy image alone."""

from __future__ import annotations

import numpy as np
import pytest

from restoration import degrade, psnr, run_algorithm
from restoration.errors import ParameterError
from restoration.gallery import load_gallery_image
from restoration.observation import Observation
from restoration.tuning import TUNABLE, self_tune


@pytest.fixture(scope="module")
def noisy() -> tuple[np.ndarray, Observation]:
    clean = load_gallery_image("coffee_cup")[:160, :160].mean(axis=2)
    obs = degrade(clean, "gaussian_noise(sigma=25)", seed=0)
    # what a user's photo gives: no clean image, no known sigma
    return clean, Observation(degraded=obs.degraded, sigma=None, noise=("gaussian",))


@pytest.mark.parametrize("method", ["tv", "wavelet", "nlm"])
def test_self_tuning_finds_a_near_oracle_value_without_the_clean_image(method: str, noisy) -> None:
    clean, blind = noisy
    assert blind.clean is None and blind.sigma is None
    result = self_tune(method, blind)
    knob = TUNABLE[method][0]
    assert result.knob == knob and len(result.values) == len(result.losses) >= 5
    assert list(result.values) == sorted(result.values) and result.best in result.values
    assert result.losses[result.values.index(result.best)] == min(result.losses)
    scores = [psnr(clean, run_algorithm(method, blind, {knob: v})) for v in result.values]
    chosen = scores[result.values.index(result.best)]
    assert chosen > max(scores) - 0.6, (method, scores, result.best)  # judged on the truth, afterwards
    assert chosen > min(scores) + 0.3  # and the range tried matters: a wrong value costs
    # the registry's "self" runs exactly the chosen value, and the result is memoised
    via_param = run_algorithm(method, blind, {"tuning": "self"})
    np.testing.assert_array_equal(via_param, run_algorithm(method, blind, {knob: result.best}))
    assert self_tune(method, blind) is result


def test_bm3d_self_tuning_runs_and_bad_requests_are_refused() -> None:
    clean = load_gallery_image("astronaut")[:64, :64]
    blind = Observation(degraded=degrade(clean, "gaussian_noise(sigma=20)", seed=1).degraded, sigma=None)
    result = self_tune("bm3d", blind)
    assert result.knob == "sigma" and 8.0 < result.best < 45.0
    with pytest.raises(ParameterError, match="no self-supervised tuning"):
        self_tune("median", blind)
    with pytest.raises(ParameterError):
        run_algorithm("tv", blind, {"tuning": "guess"})
