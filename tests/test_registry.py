"""Contract tests run over every registered algorithm, plus registry behaviour."""

import numpy as np
import pytest
from scenes import make_scene

from restoration.algorithm import FAMILIES
from restoration.degradations import PRESETS, TASKS, degrade
from restoration.errors import ParameterError, RestorationError, TaskMismatchError, UnknownMethodError
from restoration.metrics import psnr
from restoration.registry import REGISTRY, get_algorithm, list_algorithms, run_algorithm

# One representative degradation per task, small enough for every method to be quick.
TASK_SPECS = {
    "denoise": "gaussian_noise(sigma=20)",
    "deblur": "gaussian_blur(sigma=1.2) | gaussian_noise(sigma=2)",
    "sr": "downsample(scale=2)",
    "inpaint": "random_mask(missing=0.3)",
    "combined": "motion_blur(length=5, angle=30) | downsample(scale=2) | gaussian_noise(sigma=5)",
}
CASES = [(name, task) for name, spec in REGISTRY.items() for task in TASKS if task in spec.tasks]


def test_registry_entries_are_complete():
    assert {"identity", "median", "bicubic"} <= set(REGISTRY)
    for name, spec in REGISTRY.items():
        assert spec.name == name
        assert spec.family in FAMILIES
        assert spec.title and spec.explanation and spec.reference
        assert spec.tasks <= set(TASKS)
        for p in spec.params:
            assert p.help, f"{name}.{p.name} needs a help text"
            p.coerce(p.default)
        spec.to_dict()


@pytest.mark.parametrize(("name", "task"), CASES)
@pytest.mark.parametrize("colour", [False, True], ids=["gray", "rgb"])
def test_contract(name, task, colour):
    image = make_scene(48, 56, colour=colour, seed=2)
    obs = degrade(image, TASK_SPECS[task], seed=1)
    out1 = run_algorithm(name, obs, seed=0)
    out2 = run_algorithm(name, obs, seed=0)
    assert out1.shape == obs.output_shape == obs.clean.shape
    assert out1.dtype == np.float32
    assert np.all((out1 >= 0) & (out1 <= 1))
    np.testing.assert_array_equal(out1, out2)  # same seed, same pixels


def test_median_beats_salt_and_pepper(gray_image):
    obs = degrade(gray_image, "salt_pepper(amount=0.1)", seed=0)
    assert psnr(obs.clean, run_algorithm("median", obs)) > psnr(obs.clean, obs.degraded) + 8


def test_bicubic_beats_nearest_on_natural_content():
    yy, xx = np.mgrid[0:64, 0:64]
    smooth = (0.5 + 0.4 * np.sin(xx / 5.0) * np.cos(yy / 7.0)).astype(np.float32)
    obs = degrade(smooth, "downsample(scale=4)")
    assert psnr(obs.clean, run_algorithm("bicubic", obs)) > psnr(obs.clean, run_algorithm("identity", obs)) + 3


def test_lookup_and_listing():
    assert get_algorithm("median").family == "filter"
    with pytest.raises(UnknownMethodError, match="did you mean 'median'"):
        get_algorithm("mediann")
    assert all("sr" in s.tasks for s in list_algorithms(task="sr"))
    assert [s.name for s in list_algorithms(family="baseline")] == ["identity"]
    with pytest.raises(RestorationError, match="unknown task"):
        list_algorithms(task="denoize")
    with pytest.raises(RestorationError, match="unknown family"):
        list_algorithms(family="magic")


def test_task_mismatch_and_bad_params(gray_image):
    obs = degrade(gray_image, PRESETS["sr4"].spec)
    with pytest.raises(TaskMismatchError, match="does not solve 'sr'"):
        run_algorithm("median", obs)
    noisy = degrade(gray_image, "gaussian_noise(sigma=10)")
    with pytest.raises(ParameterError, match="no parameter 'radius'"):
        run_algorithm("median", noisy, {"radius": 2})
    with pytest.raises(ParameterError, match="<= 15"):
        run_algorithm("median", noisy, {"size": "99"})
    assert run_algorithm("median", noisy, {"size": "5"}).shape == gray_image.shape
