"""Real-ESRGAN through ncnn on the CPU: scale, colour range and channel order, tiling, upscale_to."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from pipeline.settings import PipelineSettings
from pipeline.upscale import UPSCALERS, cache_tag, make_upscaler
from pipeline.upscale.models import model_files, model_scale
from pipeline.upscale.ncnn import NcnnRealEsrgan
from pipeline.upscale.tiles import upscale_to

MODEL = "realesr-animevideov3-x4"


@pytest.fixture(scope="module")
def upscaler() -> NcnnRealEsrgan:
    return NcnnRealEsrgan(MODEL, threads=2)


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
    return float("inf") if mse == 0 else float(10 * np.log10(255**2 / mse))


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
    tiled_upscaler = NcnnRealEsrgan(MODEL, threads=2, tile=24)
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


def test_make_upscaler(tmp_path):
    settings = PipelineSettings(upscale_model=MODEL, upscale_threads=1, upscale_device="cpu", cache_dir=tmp_path)
    assert isinstance(make_upscaler("ncnn", settings), NcnnRealEsrgan)
    torch_upscaler = make_upscaler("torch", settings)
    assert torch_upscaler.scale == 4 and str(torch_upscaler.device) == "cpu"
    assert (tmp_path / "realesrgan-torch" / "realesr-animevideov3-x4.safetensors").exists()
    with pytest.raises(ValueError):
        make_upscaler("waifu2x", settings)
    with pytest.raises(ValueError):
        NcnnRealEsrgan(model="no-such-model-x4", threads=1)


def test_auto_is_the_default_and_upscales_only_raster_pictures(upscaler):
    from pipeline.upscale import AutoUpscaler, needs_upscaling

    settings = PipelineSettings(upscale_model=MODEL, upscale_threads=1, upscale_device="cpu")
    assert PipelineSettings().upscaler == "auto"
    assert not needs_upscaling("auto", vector=True)  # vector art is drawn at the output size
    assert needs_upscaling("auto", vector=False) and needs_upscaling("ncnn", vector=True)
    assert not needs_upscaling("none", vector=False)
    auto = make_upscaler("auto", settings)
    assert isinstance(auto, AutoUpscaler) and auto.scale == 4 and auto.backend == "ncnn"  # no CUDA here: ncnn
    image = smooth_image(20, 16)
    assert np.array_equal(np.asarray(auto.upscale(image)), np.asarray(upscaler.upscale(image)))


def test_cache_tag_names_the_backend_model_and_code_version():
    from pipeline.upscale import CODE_VERSION

    tags = {cache_tag(name, PipelineSettings()) for name in UPSCALERS}
    assert len(tags) == len(UPSCALERS)
    other_model = cache_tag("ncnn", PipelineSettings(upscale_model="realesrgan-x4plus"))
    assert other_model not in tags and "realesrgan-x4plus" in other_model
    assert all(tag.endswith(f"v{CODE_VERSION}") for tag in tags)


# --- the same nets in torch, weights converted from the shipped ncnn files ---------------------------------

@pytest.fixture(scope="module")
def sr_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("sr-cache")


@pytest.mark.parametrize("model", ["realesr-animevideov3-x4", "realesr-animevideov3-x2", "realesrgan-x4plus"])
def test_torch_gives_the_same_picture_as_ncnn(model, sr_cache):
    import torch

    from pipeline.upscale.torch_esrgan import TorchRealEsrgan

    torch.set_num_threads(1)
    image = smooth_image(36, 28)
    by_torch = TorchRealEsrgan(model, "cpu", cache_dir=sr_cache).upscale(image)
    by_ncnn = NcnnRealEsrgan(model, threads=1).upscale(image)
    assert by_torch.size == by_ncnn.size == (36 * model_scale(model), 28 * model_scale(model))
    assert np.asarray(by_torch, np.float32).std() > 20
    assert psnr(np.asarray(by_torch), np.asarray(by_ncnn)) >= 40


def test_conversion_is_cached_and_holds_every_ncnn_weight(sr_cache):
    from pipeline.upscale.weights import cached_weights, read_weights, state_dict_from_ncnn

    path = cached_weights("realesr-animevideov3-x4", sr_cache)
    written = path.stat().st_mtime_ns
    assert cached_weights("realesr-animevideov3-x4", sr_cache).stat().st_mtime_ns == written
    config, state = state_dict_from_ncnn(*model_files("realesr-animevideov3-x4"))
    assert config == {"arch": "SRVGGNetCompact", "num_feat": 64, "num_conv": 16, "upscale": 4}
    arrays = [a for _, found in read_weights(*model_files("realesr-animevideov3-x4")) for a in found]
    assert sum(a.size for a in arrays) == sum(t.numel() for t in state.values())


def test_an_official_basicsr_checkpoint_loads(sr_cache, tmp_path):
    """Official .pth files keep the weights under "params_ema" with basicsr's names; our archs use the same names."""
    import torch

    from pipeline.upscale.torch_esrgan import TorchRealEsrgan
    from pipeline.upscale.weights import load_network

    net = load_network("realesr-animevideov3-x4", sr_cache)
    torch.save({"params_ema": net.state_dict()}, tmp_path / "realesr-animevideov3.pth")
    official = TorchRealEsrgan("realesr-animevideov3", "cpu", weights=tmp_path / "realesr-animevideov3.pth")
    converted = TorchRealEsrgan("realesr-animevideov3-x4", "cpu", cache_dir=sr_cache)
    image = smooth_image(20, 16)
    assert official.scale == 4
    assert np.array_equal(np.asarray(official.upscale(image)), np.asarray(converted.upscale(image)))


def test_torch_tiles_match_the_whole_picture(sr_cache):
    from pipeline.upscale.torch_esrgan import TorchRealEsrgan

    image = smooth_image(60, 44)
    whole = np.asarray(TorchRealEsrgan(MODEL, "cpu", cache_dir=sr_cache, tile=512).upscale(image), np.float32)
    tiled = np.asarray(TorchRealEsrgan(MODEL, "cpu", cache_dir=sr_cache, tile=20).upscale(image), np.float32)
    assert np.abs(tiled - whole).mean() < 0.5
