import math

import numpy as np
import pytest
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from restoration.errors import ImageValueError
from restoration.metrics import compare, psnr, rgb_to_y, ssim


def _pair(shape, seed=0, noise=0.05):
    rng = np.random.default_rng(seed)
    ref = rng.random(shape)
    est = np.clip(ref + noise * rng.standard_normal(shape), 0, 1)
    return ref.astype(np.float32), est.astype(np.float32)


@pytest.mark.parametrize("shape", [(32, 40), (32, 40, 3), (7, 9), (64, 64, 3)])
def test_agree_with_scikit_image(shape):
    ref, est = _pair(shape)
    r64, e64 = ref.astype(np.float64), est.astype(np.float64)
    assert psnr(ref, est) == pytest.approx(peak_signal_noise_ratio(r64, e64, data_range=1.0), abs=1e-6)
    kw = {"channel_axis": -1} if len(shape) == 3 else {}
    assert ssim(ref, est) == pytest.approx(structural_similarity(r64, e64, data_range=1.0, **kw), abs=1e-6)


def test_psnr_by_hand():
    ref = np.zeros((4, 4))
    est = np.full((4, 4), 0.1)  # MSE = 0.01 -> 20 dB
    assert psnr(ref, est) == pytest.approx(20.0, abs=1e-9)
    assert psnr(ref * 255, est * 255, data_range=255) == pytest.approx(20.0, abs=1e-9)
    assert psnr(ref, ref) == math.inf
    est2 = ref.copy()
    est2[0, 0] = 1.0  # one pixel off by 1: MSE = 1/16 -> 10 log10(16)
    assert psnr(ref, est2) == pytest.approx(10 * math.log10(16), abs=1e-9)


def test_ssim_by_hand():
    a = np.random.default_rng(0).random((16, 16))
    assert ssim(a, a) == pytest.approx(1.0)
    # a constant offset keeps structure and contrast; only luminance drops. For 7x7 windows of a
    # constant image pair (var = 0) SSIM reduces to (2 mu_x mu_y + C1) / (mu_x^2 + mu_y^2 + C1).
    x, y = np.full((9, 9), 0.2), np.full((9, 9), 0.6)
    c1 = (0.01 * 1.0) ** 2
    expected = (2 * 0.2 * 0.6 + c1) / (0.2**2 + 0.6**2 + c1)
    assert ssim(x, y) == pytest.approx(expected, abs=1e-9)


def test_y_channel_definition():
    white = np.ones((2, 2, 3))
    black = np.zeros((2, 2, 3))
    assert rgb_to_y(white) == pytest.approx(np.full((2, 2), 235 / 255))
    assert rgb_to_y(black) == pytest.approx(np.full((2, 2), 16 / 255))
    red = np.zeros((1, 1, 3))
    red[..., 0] = 1
    assert rgb_to_y(red)[0, 0] == pytest.approx((16 + 65.481) / 255)
    # PSNR on Y equals PSNR computed by hand from the luma
    ref, est = _pair((20, 20, 3))
    y_r, y_e = rgb_to_y(ref), rgb_to_y(est)
    by_hand = 10 * math.log10(1 / np.mean((y_r - y_e) ** 2))
    assert psnr(ref, est, y_channel=True) == pytest.approx(by_hand, abs=1e-9)
    assert ssim(ref, est, y_channel=True) == pytest.approx(structural_similarity(y_r, y_e, data_range=1.0), abs=1e-9)
    gray_r, gray_e = ref[..., 0], est[..., 0]
    assert psnr(gray_r, gray_e, y_channel=True) == psnr(gray_r, gray_e)


def test_crop_border():
    ref, est = _pair((20, 24, 3))
    est[:2] = 1 - ref[:2]  # damage only the top border
    assert psnr(ref, est, crop_border=2) == pytest.approx(psnr(ref[2:-2, 2:-2], est[2:-2, 2:-2]))
    assert psnr(ref, est, crop_border=2) > psnr(ref, est)
    assert ssim(ref, est, crop_border=3) == pytest.approx(ssim(ref[3:-3, 3:-3], est[3:-3, 3:-3]))
    with pytest.raises(ImageValueError, match="leaves nothing"):
        psnr(ref, est, crop_border=10)


def test_errors_and_small_images():
    with pytest.raises(ImageValueError, match="differ in shape"):
        psnr(np.zeros((4, 4)), np.zeros((4, 5)))
    with pytest.raises(ImageValueError, match="NaN"):
        ssim(np.zeros((8, 8)), np.full((8, 8), np.nan))
    assert math.isnan(ssim(np.zeros((2, 2)), np.ones((2, 2))))
    assert -1 <= ssim(np.zeros((4, 5)), np.eye(4, 5)) <= 1
    assert -1 <= ssim(np.zeros((4, 5)), np.eye(4, 5), gaussian_weights=True) <= 1


def test_compare():
    ref, est = _pair((16, 16))
    out = compare(ref, est)
    assert out == {"psnr": psnr(ref, est), "ssim": ssim(ref, est)}
