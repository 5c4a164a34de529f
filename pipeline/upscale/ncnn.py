"""Real-ESRGAN through the plain `ncnn` package on the CPU (no Vulkan)."""
from __future__ import annotations

import numpy as np
from PIL import Image

from pipeline.upscale.models import model_files, model_scale
from pipeline.upscale.tiles import PAD, TILE, upscale_tiled


class NcnnRealEsrgan:
    """Real-ESRGAN through the plain `ncnn` package; the net is loaded once and reused across pictures."""

    def __init__(self, model: str, threads: int, tile: int = TILE, pad: int = PAD):
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
