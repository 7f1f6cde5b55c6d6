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
#: Settings that keep the contract quick where the defaults train for long (the contract checks shape, range and
#: determinism; quality is tested elsewhere).
QUICK = {"zs_denoise": {"iterations": 50}}


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
    out1 = run_algorithm(name, obs, QUICK.get(name), seed=0)
    out2 = run_algorithm(name, obs, QUICK.get(name), seed=0)
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


def test_the_spec_is_the_only_source_of_defaults() -> None:
    """Every parameter of a spec reaches its runner, and the runner states no default of its own for it.

    A default written twice (spec and runner) drifts apart silently; the registry resolves every parameter from
    the spec (and the observation-dependent ``auto_params``), so the runner must not have another opinion.
    """
    import inspect

    for spec in REGISTRY.values():
        signature = inspect.signature(spec.load())
        accepted = signature.parameters
        for param in spec.params:
            assert param.name in accepted, f"{spec.name}: runner does not take {param.name!r}"
            default = accepted[param.name].default
            assert default is inspect.Parameter.empty, (
                f"{spec.name}: the runner restates the default of {param.name!r} ({default!r}); the spec's is "
                f"{param.default!r}")
        own = {p.name for p in spec.params} | {"observation", "rng"}
        extra = [n for n, p in accepted.items() if n not in own and p.default is inspect.Parameter.empty]
        assert not extra, f"{spec.name}: runner needs {extra}, which the spec does not provide"


def test_priors_are_the_registered_denoisers_and_every_solver_takes_them() -> None:
    """One protocol: the denoisers usable as a prior are exactly the specs that name one, and both solvers
    that plug a denoiser in (plug-and-play, the classic chain) offer exactly those names."""
    from restoration.registry import denoiser
    from restoration.specs import PRIORS

    assert set(PRIORS) == {s.name for s in REGISTRY.values() if s.prior is not None}
    assert all("denoise" in REGISTRY[n].tasks for n in PRIORS)
    for solver in ("pnp", "classic_chain"):
        choices = {p.name: p for p in REGISTRY[solver].params}["denoiser"].choices
        assert set(PRIORS) <= set(choices) <= set(PRIORS) | {"none"}, solver
    noisy = degrade(make_scene(32, 40), "gaussian_noise(sigma=20)", seed=0)
    for name in PRIORS:
        out = denoiser(name)(noisy.degraded, 20.0)
        assert out.shape == noisy.degraded.shape, name
        assert psnr(noisy.clean, np.clip(out, 0, 1)) > psnr(noisy.clean, np.clip(noisy.degraded, 0, 1)) + 2.0, name
    with pytest.raises(ParameterError, match="cannot serve as a prior"):
        denoiser("bicubic")
    blurred = degrade(make_scene(32, 32), "motion_blur(length=5, angle=0) | gaussian_noise(sigma=5)", seed=0)
    out = run_algorithm("pnp", blurred, {"denoiser": "wavelet", "iterations": 2})
    assert out.shape == blurred.clean.shape
