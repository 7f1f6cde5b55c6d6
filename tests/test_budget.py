"""The time budget (restoration.budget) and the other bounded resources of the app.

Limits the issue asks for, each checked here: a run-time estimate per method and a budget that
holds slow methods back; the upload size limit; the pixel limit per image; the total-pixel limit
per benchmark zip; bounded caches; temporary files removed.
"""

from __future__ import annotations

import ast
import io
import json
import math
import subprocess
import sys
import tempfile
import time
import tomllib
import zipfile
from pathlib import Path

import numpy as np
import pytest

from restoration import REGISTRY, RestorationError, costs, degrade, get_algorithm, run_algorithm
from restoration.algorithm import RunCost
from restoration.budget import (
    ADVICE,
    BUDGET_ENV,
    DEFAULT_BUDGET_S,
    estimate,
    machine_factor,
    split_by_budget,
    time_budget,
)
from restoration.images import encode_png

ROOT = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------- estimates and the budget
def test_every_registered_method_has_a_measured_cost() -> None:
    for name, spec in REGISTRY.items():
        assert isinstance(spec.cost, RunCost), f"{name} has no run cost"
        assert spec.cost.gray > 0 and spec.cost.colour > 0, name


def test_run_cost_scales_with_pixels_and_colour() -> None:
    cost = RunCost(gray=2.0, colour=5.0)
    assert cost.seconds((1000, 1000)) == pytest.approx(2.0)
    assert cost.seconds((1000, 1000, 3)) == pytest.approx(5.0)
    assert cost.seconds((500, 1000, 3)) == pytest.approx(2.5)
    assert cost.seconds((1000, 1000, 1)) == pytest.approx(2.0)  # a single channel is gray
    with pytest.raises(ValueError, match=">= 0"):
        RunCost(gray=-1.0, colour=1.0)


def test_slow_methods_are_held_back_on_big_images_only() -> None:
    bm3d, median = get_algorithm("bm3d"), get_algorithm("median")
    small, big = (384, 512, 3), (3000, 4000, 3)
    assert not estimate(bm3d, small, budget=30).over
    held = estimate(bm3d, big, budget=30)
    assert held.over and held.seconds == pytest.approx(bm3d.cost.colour * 12.0)
    assert not estimate(median, big, budget=30).over  # a fast method runs even on a 12-megapixel photo

    to_run, held_back = split_by_budget([median, bm3d], big, budget=30)
    assert [e.method for e in to_run] == ["median"] and [e.method for e in held_back] == ["bm3d"]
    to_run, held_back = split_by_budget([median, bm3d], big, budget=30, run_anyway=True)
    assert [e.method for e in to_run] == ["median", "bm3d"] and held_back == []


def test_the_message_names_the_method_the_estimate_the_budget_and_what_to_do() -> None:
    held = estimate(get_algorithm("bm3d"), (3000, 4000, 3), budget=30)
    text = held.message()
    assert text.startswith("BM3D") and "4000×3000 colour image" in text and "12.0 megapixels" in text
    assert f"about {held.seconds / 60:.0f} min" in text and "time budget of 30 s" in text
    assert text.endswith(ADVICE) and "Run slow methods anyway" in text
    assert "on the largest 4000×3000" in held.message("Fewer images.", image="the largest")


def test_a_method_without_a_cost_is_never_refused() -> None:
    from dataclasses import replace

    unknown = estimate(replace(get_algorithm("bm3d"), cost=None), (5000, 5000, 3), budget=1)
    assert math.isnan(unknown.seconds) and not unknown.over


def test_budget_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(BUDGET_ENV, raising=False)
    assert time_budget() == DEFAULT_BUDGET_S == 30.0
    monkeypatch.setenv(BUDGET_ENV, "2.5")
    assert time_budget() == 2.5
    assert estimate(get_algorithm("wavelet"), (1000, 1000, 3)).budget == 2.5
    for off in ("0", "off", "none", " OFF "):
        monkeypatch.setenv(BUDGET_ENV, off)
        assert time_budget() == math.inf
    for bad in ("soon", "-3", "nan"):
        monkeypatch.setenv(BUDGET_ENV, bad)
        with pytest.raises(RestorationError, match=BUDGET_ENV):
            time_budget()


def test_budget_module_stays_light() -> None:
    code = "import sys, restoration.budget; sys.exit(any(m in sys.modules for m in ('torch', 'streamlit')))"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


def test_estimating_a_classic_method_measures_the_machine_without_torch() -> None:
    code = ("import os, sys; os.environ.pop('RESTORATION_MACHINE_FACTOR', None); "
            "from restoration import REGISTRY, budget; budget.estimate(REGISTRY['bm3d'], (512, 512, 3)); "
            "sys.exit(0 if 0.25 <= budget.machine_factor() <= 20 and 'torch' not in sys.modules else 1)")
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


# --------------------------------------------------------------------------- costs from the data file
def test_the_specs_read_their_costs_from_the_data_file() -> None:
    data = json.loads(costs.COSTS_FILE.read_text())
    methods = data["costs"]["methods"]
    for name, spec in REGISTRY.items():
        assert name in methods, f"{name} has no cost in {costs.COSTS_FILE.name}: run scripts/bench_costs.py"
        assert spec.cost == RunCost(gray=methods[name]["gray"], colour=methods[name]["colour"],
                                    fixed=methods[name].get("fixed", 0.0)), name
    assert set(methods) <= set(REGISTRY), "costs of methods that are not registered"
    for spec_file in (ROOT / "restoration" / "specs").glob("*.py"):  # no hand-copied constants left
        assert "RunCost(" not in spec_file.read_text(), spec_file.name
    assert costs.measured_cost("no_such_method") is None


def test_the_data_file_says_where_and_when_it_was_measured_and_ships_with_the_package() -> None:
    data = json.loads(costs.COSTS_FILE.read_text())
    for part in ("costs", "calibration"):
        assert data[part]["date"] and data[part]["commit"] and data[part]["machine"]["flags"]
    machine = data["calibration"]["machine"]
    assert {"cpu", "torch_capability", "bf16_native", "cores", "load_average_1min"} <= set(machine)
    calibration = data["calibration"]
    assert calibration["numpy_s"] > 0 and calibration["torch_s"] > 0 and calibration["costs_torch_threads"] >= 1
    assert calibration["torch_precision"] == ("bf16" if machine["bf16_native"] else "float32")
    assert costs.COSTS_FILE.is_relative_to(ROOT / "restoration")
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert "data/*.json" in package_data["restoration"]


# --------------------------------------------------------------------------- scaled to the machine at hand
@pytest.fixture
def measured(monkeypatch: pytest.MonkeyPatch) -> dict[str, float]:
    """Machine factors measured afresh with stand-in workload times (in multiples of the reference times)."""
    monkeypatch.delenv(costs.FACTOR_ENV, raising=False)
    monkeypatch.setattr(costs, "_factors", {})
    ref = costs.calibration()
    speed = {"numpy": 1.0, "torch": 1.0, "threads": ref["costs_torch_threads"], "calls": 0}

    def numpy_workload(repeats: int = 5) -> float:
        speed["calls"] += 1
        return ref["numpy_s"] * speed["numpy"]

    monkeypatch.setattr(costs, "numpy_workload", numpy_workload)
    monkeypatch.setattr(costs, "torch_workload", lambda bf16, repeats=5: ref["torch_s"] * speed["torch"])
    monkeypatch.setattr(costs, "torch_threads", lambda: speed["threads"])
    return speed


def test_a_five_times_slower_machine_gets_five_times_the_estimate(measured: dict[str, float]) -> None:
    bm3d, cnn = get_algorithm("bm3d"), get_algorithm("cnn_denoise")
    shape = (1000, 1000, 3)
    measured["numpy"] = 5.0
    assert machine_factor() == pytest.approx(5.0)
    assert estimate(bm3d, shape).seconds == pytest.approx(5.0 * bm3d.cost.colour)
    assert estimate(cnn, shape).seconds == pytest.approx(5.0 * cnn.cost.colour)  # the NumPy around the network
    measured["numpy"] = 1.0  # measured once per process: the factor does not change
    assert machine_factor() == pytest.approx(5.0) and measured["calls"] == 1


def test_the_torch_factor_covers_precision_and_threads(measured: dict[str, float]) -> None:
    cnn, median = get_algorithm("cnn_denoise"), get_algorithm("median")
    measured["torch"] = 5.0  # e.g. an AVX2-only CPU: float32 here against native bf16 on the reference machine
    assert estimate(cnn, (1000, 1000)).seconds == pytest.approx(5.0 * cnn.cost.gray)
    assert estimate(median, (1000, 1000)).seconds == pytest.approx(median.cost.gray)  # classic: unaffected
    costs._factors.clear()
    measured["torch"], measured["threads"] = 1.0, 1  # the same core, but one thread where the costs used two
    assert machine_factor(torch=True) == pytest.approx(costs.calibration()["costs_torch_threads"])


def test_the_factor_is_clipped_and_can_be_fixed(measured: dict[str, float], monkeypatch: pytest.MonkeyPatch) -> None:
    measured["numpy"] = 1000.0
    assert machine_factor() == costs.FACTOR_RANGE[1]
    costs._factors.clear()
    measured["numpy"] = 0.001
    assert machine_factor() == costs.FACTOR_RANGE[0]
    monkeypatch.setenv(costs.FACTOR_ENV, "3")
    assert machine_factor() == machine_factor(torch=True) == 3.0
    monkeypatch.setenv(costs.FACTOR_ENV, "fast")  # malformed: ignored, the measurement counts
    assert machine_factor() == costs.FACTOR_RANGE[0]


def test_the_factor_is_measured_once_under_concurrent_first_use(measured: dict[str, float],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import threading
    import time

    slow = costs.numpy_workload

    def numpy_workload(repeats: int = 5) -> float:
        time.sleep(0.05)
        return slow(repeats)

    monkeypatch.setattr(costs, "numpy_workload", numpy_workload)
    measured["numpy"] = 2.0
    found: list[float] = []
    threads = [threading.Thread(target=lambda: found.append(machine_factor())) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert found == [pytest.approx(2.0)] * 4 and measured["calls"] == 1


def test_the_real_workloads_are_short() -> None:
    start = time.perf_counter()
    assert 0 < costs.numpy_workload(repeats=2) < 0.25
    assert time.perf_counter() - start < 1.0


# --------------------------------------------------------------------------- never below what was observed here
def test_runs_at_default_parameters_raise_later_estimates() -> None:
    median = get_algorithm("median")
    shape = (500, 500, 3)
    costs.record_run("median", shape, 100.0)  # the first run of a method warms it up: not kept
    assert estimate(median, shape).seconds == pytest.approx(median.cost.seconds(shape))
    costs.record_run("median", shape, 3.0)
    assert estimate(median, shape).seconds == pytest.approx(3.0)
    assert estimate(median, (1000, 1000, 3)).seconds == pytest.approx(12.0)  # per megapixel
    assert estimate(median, (500, 500)).seconds == pytest.approx(median.cost.seconds((500, 500)))  # gray: apart
    costs.record_run("median", shape, 0.0)
    costs.record_run("median", shape, 0.0)  # the median of the last three: back to the measured cost
    assert estimate(median, shape).seconds == pytest.approx(median.cost.seconds(shape))
    costs.record_run("median", (100, 100, 3), 50.0)  # too small to say anything
    assert costs.observed_seconds("median", shape) == 0.0


def test_the_table_of_observed_runs_is_bounded() -> None:
    for i in range(costs.MAX_OBSERVED + 20):
        costs.record_run(f"m{i}", (500, 500), 1.0)
        costs.record_run(f"m{i}", (500, 500), 1.0)
    assert len(costs._observed) == costs.MAX_OBSERVED
    assert math.isnan(costs.observed_seconds("m0", (500, 500)))  # the oldest went first
    assert costs.observed_seconds(f"m{costs.MAX_OBSERVED + 19}", (500, 500)) == pytest.approx(1.0)


def test_run_algorithm_records_runs_at_default_parameters_only() -> None:
    observation = degrade(np.full((256, 256), 0.5, np.float32), "gaussian_noise(sigma=10)", seed=0)
    shape = observation.output_shape
    for _ in range(2):
        run_algorithm("identity", observation)
    assert costs.observed_seconds("identity", shape) > 0
    mean = get_algorithm("mean")
    other = {"size": 15 if mean.defaults_for(observation)["size"] != 15 else 13}
    for _ in range(2):
        run_algorithm("mean", observation, other)
    assert math.isnan(costs.observed_seconds("mean", shape))


# --------------------------------------------------------------------------- other bounded resources
def test_upload_size_is_limited_by_the_server_config() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert 0 < config["server"]["maxUploadSize"] <= 50  # MB


def test_every_streamlit_cache_is_bounded() -> None:
    """Each st.cache_data / st.cache_resource in ui/cache.py has max_entries (and max_size when it holds images)."""
    tree = ast.parse((ROOT / "ui" / "cache.py").read_text())
    cached = 0
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef):
            continue
        for decorator in node.decorator_list:
            if isinstance(decorator, ast.Call) and getattr(decorator.func, "attr", "") in ("cache_data",
                                                                                           "cache_resource"):
                cached += 1
                keywords = {k.arg for k in decorator.keywords}
                assert "max_entries" in keywords, f"{node.name} has an unbounded cache"
                returns = ast.unparse(node.returns) if node.returns else ""
                if "ndarray" in returns or "Observation" in returns or "BenchmarkImage" in returns:
                    assert "max_size" in keywords, f"{node.name} caches images without max_size"
    assert cached >= 8
    # and no other module creates caches of its own
    for path in [*(ROOT / "ui").glob("*.py"), *(ROOT / "pages").glob("*.py"), ROOT / "app.py"]:
        if path.name != "cache.py":
            assert "@st.cache_" not in path.read_text(), f"{path} defines a cache outside ui/cache.py"


def _png(height: int, width: int) -> bytes:
    return encode_png(np.full((height, width), 0.5, np.float32))


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_zip_total_pixels_are_capped_from_the_headers(monkeypatch: pytest.MonkeyPatch) -> None:
    from ui import uploads

    data = _zip({f"set/faces/{i}.png": _png(100, 100) for i in range(5)})  # 50,000 pixels in all
    assert len(uploads.images_from_zip(data, None).images) == 5

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("nothing may be decoded before the total is checked")

    monkeypatch.setattr(uploads, "load_image", refuse)
    with pytest.raises(RestorationError, match=r"0\.1 megapixels in all, over the limit of 0 megapixels"):
        uploads.images_from_zip(data, 64 * 64, max_total_pixels=40_000)


def test_zip_total_pixel_limit_is_a_hundred_megapixels_and_counts_only_usable_images(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ui import uploads

    assert uploads.ZIP_MAX_TOTAL_PIXELS == 100_000_000
    data = _zip({"a/small.png": _png(100, 100), "a/huge.png": _png(150, 150), "a/broken.png": b"nope"})
    # one image over the per-image limit: skipped, not counted
    found = uploads.images_from_zip(data, None, max_total_pixels=25_000, max_image_pixels=15_000)
    assert [i.name for i in found.images] == ["small"]
    assert len(found.skipped) == 2


def test_zip_temporary_files_are_removed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from ui import uploads

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    uploads.images_from_zip(_zip({"faces/a.png": _png(20, 20)}), None)
    with pytest.raises(RestorationError):
        uploads.images_from_zip(_zip({"../evil.png": _png(20, 20)}), None)
    with pytest.raises(RestorationError):
        uploads.images_from_zip(_zip({"faces/readme.txt": b"no images"}), None)
    assert list(tmp_path.iterdir()) == []


def test_a_fixed_cost_is_paid_whatever_the_size() -> None:
    """A method that trains on a fixed number of crops (zs_denoise) costs seconds even on a tiny image."""
    from restoration.algorithm import RunCost

    cost = RunCost(gray=2.0, colour=4.0, fixed=6.0)
    assert cost.seconds((10, 10)) > 6.0
    assert abs(cost.seconds((1000, 1000)) - 8.0) < 1e-9
    assert abs(cost.seconds((1000, 1000, 3)) - 10.0) < 1e-9
    assert get_algorithm("zs_denoise").cost.fixed > 1.0  # measured, from restoration/data/costs.json
