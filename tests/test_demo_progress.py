"""The home page's quick demo: progress per method and a bounded cache keyed by everything that changes a run."""

from __future__ import annotations

import math

import numpy as np
import pytest

from restoration import ParameterError, RestorationError
from ui import demo  # the repository root is on sys.path (tests/conftest.py)

METHODS = ["median", "gaussian"]


def _image(size: int = 48) -> np.ndarray:
    return demo.synthetic_image(size)


def _run(**kwargs: object) -> demo.DemoResult:
    arguments: dict[str, object] = {"methods": METHODS, "max_pixels": None}
    arguments.update(kwargs)
    return demo.run_demo(_image(), "noise25", 3, **arguments)  # type: ignore[arg-type]


def test_progress_is_reported_per_method() -> None:
    steps: list[demo.DemoStep] = []
    result = _run(on_progress=steps.append)
    names = [demo.BASELINE, *METHODS]
    assert [s.done for s in steps] == [0, 1, 2, 3] and {s.total for s in steps} == {3}
    assert [s.method for s in steps] == [None, *names]
    assert [s.next for s in steps] == [*names, None]
    assert all(math.isfinite(s.psnr) and s.seconds >= 0 and s.error is None for s in steps[1:])
    by_method = dict(zip(result.table["method"], result.table["PSNR (dB)"], strict=True))
    assert all(s.psnr == pytest.approx(by_method[s.method]) for s in steps[1:])
    assert not result.from_cache


def test_a_failing_method_is_reported_too(monkeypatch: pytest.MonkeyPatch) -> None:
    real = demo.run_algorithm

    def refuse_median(name: str, *args: object, **kwargs: object) -> np.ndarray:
        if name == "median":
            raise ParameterError("median refused")
        return real(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(demo, "run_algorithm", refuse_median)
    steps: list[demo.DemoStep] = []
    result = _run(on_progress=steps.append)
    failed = [s for s in steps if s.error is not None]
    assert [(s.method, s.error, s.done) for s in failed] == [("median", "median refused", 2)]
    assert math.isnan(failed[0].psnr) and result.failures == {"median": "median refused"}


def test_params_reach_the_methods() -> None:
    plain = _run(methods=["median"])
    wider = _run(methods=["median"], params={"median": {"size": 7}})
    assert not np.array_equal(plain.restored["median"], wider.restored["median"])
    bad = _run(methods=["median"], params={"median": {"size": "huge"}})
    assert "median" in bad.failures  # a bad value fails that method, never the demo
    with pytest.raises(ParameterError):
        _run(params=["median"])


def test_a_rerun_is_served_from_the_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    cache = demo.DemoCache(max_entries=4)
    first = _run(cache=cache)
    assert len(cache) == 1 and not first.from_cache

    def refuse(*args: object, **kwargs: object) -> np.ndarray:
        raise AssertionError("a cached run must not restore again")

    monkeypatch.setattr(demo, "run_algorithm", refuse)
    steps: list[demo.DemoStep] = []
    again = _run(cache=cache, on_progress=steps.append)
    assert again.from_cache and not steps
    assert again.table.equals(first.table)
    assert all(np.array_equal(again.restored[k], first.restored[k]) for k in first.restored)
    # a copy: changing what one caller got changes nothing for the next
    again.restored["median"][:] = 0.0
    again.table.loc[0, "PSNR (dB)"] = -1.0
    third = _run(cache=cache)
    assert np.array_equal(third.restored["median"], first.restored["median"])
    assert third.table.equals(first.table)


@pytest.mark.parametrize("change", ["seed", "preset", "methods", "params", "image", "max_pixels"])
def test_everything_that_changes_the_result_changes_the_key(change: str) -> None:
    image = _image()
    base = {"image": image, "preset": "noise25", "seed": 3, "methods": METHODS, "params": None, "max_pixels": None}
    other = dict(base)
    other[change] = {
        "seed": 4, "preset": "noise50", "methods": ["median"], "params": {"median": {"size": 5}},
        "image": np.where(image > 0.5, image, image * 0.99).astype(np.float32), "max_pixels": 32 * 32,
    }[change]
    assert demo.demo_key(**base) == demo.demo_key(**dict(base))  # type: ignore[arg-type]
    assert demo.demo_key(**base) != demo.demo_key(**other)  # type: ignore[arg-type]


def test_the_cache_is_bounded() -> None:
    cache = demo.DemoCache(max_entries=2)
    for seed in (1, 2, 3):
        demo.run_demo(_image(), "noise25", seed, methods=["median"], max_pixels=None, cache=cache)
    assert len(cache) == 2
    oldest = demo.demo_key(_image(), "noise25", 1, ["median"], None, None)
    newest = demo.demo_key(_image(), "noise25", 3, ["median"], None, None)
    assert oldest not in cache and newest in cache
    small = demo.DemoCache(max_bytes=1000)  # one result is larger: nothing is kept
    demo.run_demo(_image(), "noise25", 1, methods=["median"], max_pixels=None, cache=small)
    assert len(small) == 0 and small.nbytes == 0
    with pytest.raises(ParameterError):
        demo.DemoCache(max_entries=0)


def test_bad_input_is_refused_before_the_cache() -> None:
    cache = demo.DemoCache()
    with pytest.raises(RestorationError):
        demo.run_demo(np.full((8, 8), 2.0, np.float32), "noise25", cache=cache)
    with pytest.raises(RestorationError):
        demo.run_demo(_image(), "no such preset", cache=cache)
    assert len(cache) == 0


def test_the_shared_cache_is_bounded() -> None:
    assert 1 <= demo.DEMO_CACHE.max_entries <= 16 and demo.DEMO_CACHE.max_bytes <= 512 * 2**20
