"""Property-based tests (hypothesis): the decoder, the pipeline parser, the degradations and the metrics.

Budgets are small (``max_examples`` 40-150, no deadline) so that the whole file runs in well
under a minute on a slow, shared machine; the properties, not the example counts, are the point.
"""

# Every float strategy says allow_subnormal=False: the deep tests turn on torch.set_flush_denormal (a process-wide
# CPU flag that makes subnormal floats zero), after which Hypothesis refuses to generate subnormals.

from __future__ import annotations

import io
import math
import os
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from malformed import crafted_png
from PIL import Image

from restoration.degradations import STEPS, Pipeline, degrade
from restoration.errors import RestorationError, SpecError
from restoration.images import load_image
from restoration.metrics import psnr, ssim

# database=None: no example database written into the working tree. CI runs derandomised (the same examples every
# time, so a red CI is reproducible); set RESTORATION_FUZZ_RANDOM=1 to explore new examples locally.
COMMON = {"deadline": None, "database": None, "suppress_health_check": [HealthCheck.too_slow],
          "derandomize": not os.environ.get("RESTORATION_FUZZ_RANDOM")}
FUZZ = settings(max_examples=150, **COMMON)
FEW = settings(max_examples=40, **COMMON)


def _valid_image(image: np.ndarray) -> None:
    assert image.dtype == np.float32
    assert image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 3)
    assert np.all(np.isfinite(image)) and image.min() >= 0.0 and image.max() <= 1.0


def _seed_png() -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.arange(48, dtype=np.uint8).reshape(6, 8)).save(buf, format="PNG")
    return buf.getvalue()


def _seed_jpeg() -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.arange(192, dtype=np.uint8).reshape(8, 8, 3)).save(buf, format="JPEG")
    return buf.getvalue()


SEEDS = [_seed_png(), _seed_jpeg()]


# --------------------------------------------------------------------------- (a) the decoder
@FUZZ
@given(st.binary(max_size=512))
def test_decoder_on_arbitrary_bytes(data: bytes) -> None:
    try:
        image = load_image(data, max_pixels=1 << 20)
    except RestorationError:
        return
    _valid_image(image)


@FUZZ
@given(st.sampled_from(SEEDS), st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=6),
       st.integers(0, 10**6))
def test_decoder_on_mutated_real_files(seed: bytes, flips: list[tuple[int, int]], cut: int) -> None:
    """Real PNG/JPEG files with a few bytes changed and maybe cut short: error or valid image, nothing else."""
    data = bytearray(seed)
    for at, value in flips:
        data[at % len(data)] = value
    data = data[: max(1, cut % (len(data) + 1))]
    try:
        image = load_image(bytes(data), max_pixels=1 << 20)
    except RestorationError:
        return
    _valid_image(image)


@FEW
@given(st.integers(0, 2**31 - 1), st.integers(0, 2**31 - 1), st.binary(max_size=64))
def test_decoder_on_crafted_png_headers(width: int, height: int, pixels: bytes) -> None:
    """Any header size with any (small) pixel data: refused before decoding when too large, never a crash."""
    data = crafted_png(width, height, idat=zlib.compress(pixels))
    try:
        image = load_image(data, max_pixels=1 << 16)
    except RestorationError:
        return
    assert image.shape == (height, width)
    _valid_image(image)


# --------------------------------------------------------------------------- (b) the pipeline parser
@FUZZ
@given(st.text(max_size=200))
def test_parser_on_arbitrary_text(text: str) -> None:
    try:
        pipeline = Pipeline.parse(text)
    except SpecError as exc:
        assert str(exc)
        return
    assert Pipeline.parse(pipeline.to_text()) == pipeline


_JUNK = st.sampled_from(["nan", "inf", "-1", "1e999", "'x'", "true", "()", "[1]", "1j", "", "9" * 40, "--1",
                         "None", "\x00", "\ud800", "b'1'", "1_0", "0x10", ".5", "1e-300"])


@st.composite
def near_valid_specs(draw: st.DrawFn) -> str:
    """Pipeline text built from real step and parameter names, with values sometimes in range and sometimes not."""
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        step = STEPS[draw(st.sampled_from(sorted(STEPS)))]
        args = []
        for spec in draw(st.lists(st.sampled_from(step.params), max_size=len(step.params) + 1)) if step.params else []:
            if spec.kind == "choice":
                value = draw(st.sampled_from([*map(str, spec.choices), "nonsense"]))
            elif spec.kind == "bool":
                value = draw(st.sampled_from(["true", "false", "True", "0", "1", "maybe"]))
            elif spec.kind == "int":
                value = str(draw(st.integers(int(spec.low or 0) - 3, int(spec.high or 100) + 3)))
            else:
                value = repr(draw(st.floats((spec.low or 0) - 2, (spec.high or 100) + 2, allow_nan=False,
                                            allow_subnormal=False)))
            if draw(st.booleans()) and draw(st.booleans()):
                value = draw(_JUNK)
            name = spec.name if draw(st.integers(0, 9)) else spec.name + "x"
            args.append(f"{name}={value}")
        parts.append(f"{step.name}({', '.join(args)})" if args or draw(st.booleans()) else step.name)
    sep = draw(st.sampled_from([" | ", "|", " |", " || "]))
    return sep.join(parts)


@FUZZ
@given(near_valid_specs())
def test_parser_on_near_valid_specs(text: str) -> None:
    try:
        pipeline = Pipeline.parse(text)
    except SpecError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert Pipeline.parse(pipeline.to_text()) == pipeline
    assert Pipeline.parse(pipeline.to_text(full=True)).to_text(full=True) == pipeline.to_text(full=True)


# --------------------------------------------------------------------------- (c) degradations
def _images(min_side: int = 1) -> st.SearchStrategy[np.ndarray]:
    shapes = st.tuples(st.integers(min_side, 12), st.integers(min_side, 12), st.sampled_from([0, 3]))
    return shapes.flatmap(
        lambda s: arrays(np.float32, s[:2] if s[2] == 0 else s,
                         elements=st.floats(0, 1, width=32, allow_nan=False, allow_subnormal=False))
    )


@st.composite
def valid_specs(draw: st.DrawFn) -> str:
    """Pipelines with every parameter drawn inside its range (masks last, as the parser requires)."""
    names = draw(st.lists(st.sampled_from(sorted(STEPS)), min_size=1, max_size=3))
    names.sort(key=lambda n: STEPS[n].kind == "mask")
    parts = []
    for name in names:
        args = []
        for spec in STEPS[name].params:
            if spec.kind == "choice":
                value = str(draw(st.sampled_from(spec.choices)))
            elif spec.kind == "bool":
                value = draw(st.sampled_from(["true", "false"]))
            elif spec.kind == "int":
                value = str(draw(st.integers(int(spec.low), min(int(spec.high), 40))))
            else:
                value = repr(draw(st.floats(spec.low, min(spec.high, 60.0), allow_nan=False, allow_subnormal=False)))
            args.append(f"{spec.name}={value}")
        parts.append(f"{name}({', '.join(args)})")
    return " | ".join(parts)


@settings(max_examples=120, **COMMON)
@given(_images(), valid_specs(), st.integers(0, 2**32 - 1))
def test_degradations_on_small_random_images(image: np.ndarray, spec: str, seed: int) -> None:
    try:
        obs = degrade(image, spec, seed=seed)
    except RestorationError as exc:  # only for an image smaller than the downsampling factor
        assert "smaller than" in str(exc), exc
        return
    h, w = image.shape[:2]
    assert obs.degraded.shape == (h // obs.scale, w // obs.scale, *image.shape[2:])
    assert obs.clean is not None and obs.clean.shape == (h // obs.scale * obs.scale, w // obs.scale * obs.scale,
                                                         *image.shape[2:])
    assert obs.degraded.dtype == np.float32 and np.all(np.isfinite(obs.degraded))
    if "clip=false" not in spec:
        assert obs.degraded.min() >= 0.0 and obs.degraded.max() <= 1.0
    if obs.mask is not None:
        assert obs.mask.shape == obs.degraded.shape[:2] and obs.mask.dtype == bool
    if obs.kernel is not None:
        assert np.all(np.isfinite(obs.kernel)) and obs.kernel.sum() == pytest.approx(1.0, abs=1e-4)
    again = degrade(image, spec, seed=seed)
    np.testing.assert_array_equal(again.degraded, obs.degraded)  # same seed, same pixels


# --------------------------------------------------------------------------- (d) metrics
@st.composite
def image_pairs(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    shape = draw(st.tuples(st.integers(3, 12), st.integers(3, 12)))
    if draw(st.booleans()):
        shape = (*shape, 3)
    values = st.floats(0, 1, allow_nan=False, allow_subnormal=False)
    return draw(arrays(np.float64, shape, elements=values)), draw(arrays(np.float64, shape, elements=values))


@FUZZ
@given(image_pairs())
def test_psnr_properties(pair: tuple[np.ndarray, np.ndarray]) -> None:
    a, b = pair
    assert psnr(a, a) == math.inf  # documented: identical images give inf
    value = psnr(a, b)
    assert value == psnr(b, a)  # symmetric
    if float(np.mean((a - b) ** 2)) == 0.0:  # identical, or differences so small that the MSE underflows
        assert value == math.inf
    else:
        assert math.isfinite(value) and value >= 0.0  # MSE <= 1 for images in [0, 1]
    assert psnr(a * 255, b * 255, data_range=255) == pytest.approx(value, rel=1e-9)


@settings(max_examples=80, **COMMON)
@given(image_pairs())
def test_ssim_properties(pair: tuple[np.ndarray, np.ndarray]) -> None:
    a, b = pair
    assert ssim(a, a) == pytest.approx(1.0, abs=1e-9)
    value = ssim(a, b)
    assert -1.0 - 1e-9 <= value <= 1.0 + 1e-9
    assert value == pytest.approx(ssim(b, a), abs=1e-9)  # symmetric


@FEW
@given(image_pairs(), st.floats(0, 1, allow_nan=False, allow_subnormal=False))
def test_metrics_fall_as_noise_grows(pair: tuple[np.ndarray, np.ndarray], t: float) -> None:
    """Moving the estimate further along a straight line from the reference never raises PSNR."""
    a, b = pair
    assume(not np.array_equal(a, b))
    near = a + 0.5 * t * (b - a)
    far = a + t * (b - a)
    assert psnr(a, far) <= psnr(a, near) + 1e-9
