"""Real-ESRGAN through ncnn on the CPU: scale, colour range and channel order, tiling, upscale_to."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from pipeline.upscale import NcnnRealEsrgan, make_upscaler, model_scale, upscale_to


@pytest.fixture(scope="module")
def upscaler() -> NcnnRealEsrgan:
    return NcnnRealEsrgan(threads=2)


def smooth_image(width: int, height: int) -> Image.Image:
    """Slow colour waves, different in each channel, so a swapped or inverted channel shows."""
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    rgb = np.stack([
        128 + 100 * np.sin(xx / 9),
        128 + 90 * np.cos(yy / 7),
        70 + 50 * np.sin((xx + yy) / 12),
    ], axis=-1)
    return Image.fromarray(rgb.astype(np.uint8), "RGB")


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float(10 * np.log10(255**2 / mse))


def test_model_scale():
    assert model_scale("realesr-animevideov3-x4") == 4
    assert model_scale("realesrgan-x4plus") == 4
    assert model_scale("realesr-animevideov3-x2") == 2


def test_output_is_exactly_scale_times_the_input_and_not_blank(upscaler):
    out = upscaler.upscale(smooth_image(50, 30))
    assert upscaler.scale == 4
    assert out.mode == "RGB" and out.size == (200, 120)
    assert np.asarray(out, np.float32).std() > 20


def test_result_is_close_to_a_bicubic_upscale(upscaler):
    image = smooth_image(64, 48)
    out = np.asarray(upscaler.upscale(image))
    bicubic = np.asarray(image.resize((256, 192), Image.Resampling.BICUBIC))
    assert psnr(out, bicubic) > 25  # a wrong channel order or 0..255 input would be far off
    assert np.abs(out.mean(axis=(0, 1)) - bicubic.mean(axis=(0, 1))).max() < 12


def test_accepts_rgba_and_grey_input(upscaler):
    assert upscaler.upscale(smooth_image(16, 12).convert("RGBA")).mode == "RGB"
    assert upscaler.upscale(smooth_image(16, 12).convert("L")).size == (64, 48)


def test_tiled_matches_untiled(upscaler):
    image = smooth_image(70, 45)
    whole = np.asarray(upscaler.upscale(image), np.float32)
    tiled_upscaler = NcnnRealEsrgan(tile=24)
    tiled = np.asarray(tiled_upscaler.upscale(image), np.float32)
    assert tiled.shape == whole.shape
    assert np.abs(tiled - whole).mean() < 0.5
    assert np.abs(tiled - whole).max() <= 8


class CountingUpscaler:
    scale = 2

    def __init__(self):
        self.calls = 0

    def upscale(self, image: Image.Image) -> Image.Image:
        self.calls += 1
        return image.resize((image.width * 2, image.height * 2))


def test_upscale_to_applies_the_upscaler_while_at_least_twice_too_small():
    counting = CountingUpscaler()
    out = upscale_to(smooth_image(40, 30), (170, 130), counting)
    assert counting.calls == 2  # 40×30 → 80×60 → 160×120, then Lanczos
    assert out.size == (170, 130) and out.mode == "RGB"


def test_upscale_to_reaches_the_exact_size(upscaler):
    assert upscale_to(smooth_image(40, 30), (200, 150), upscaler).size == (200, 150)
    assert upscale_to(smooth_image(40, 30), (30, 20), upscaler).size == (30, 20)
    assert upscale_to(smooth_image(40, 30), (100, 100), None).size == (100, 100)


def test_make_upscaler():
    assert isinstance(make_upscaler("ncnn", threads=1), NcnnRealEsrgan)
    with pytest.raises(ValueError):
        make_upscaler("waifu2x")
    with pytest.raises(ValueError):
        NcnnRealEsrgan(model="no-such-model-x4")
