"""The same Real-ESRGAN nets in torch (CPU or CUDA), with weights converted from the shipped ncnn files
(pipeline/upscale/weights.py), so the two backends give the same pictures."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image

from pipeline.upscale.tiles import PAD, TILE, upscale_tiled
from pipeline.upscale.weights import load_network, load_official


class TorchRealEsrgan:
    """Real-ESRGAN in torch: weights converted from the shipped ncnn files into `cache_dir` on first use, or
    read from an official basicsr .pth file given as `weights` (then `model` only names it)."""

    def __init__(
        self,
        model: str,
        device: str,
        cache_dir: Path | None = None,
        weights: Path | None = None,
        tile: int = TILE,
        pad: int = PAD,
    ):
        if weights is not None:
            net = load_official(weights)
        elif cache_dir is not None:
            net = load_network(model, cache_dir)
        else:
            raise ValueError("the torch upscaler needs cache_dir (for the converted weights) or an official weights file")
        self.model = model
        self.scale = net.upscale
        self.tile = tile
        self.pad = pad
        self.device = torch.device(device)
        self._net = net.to(self.device)

    def upscale(self, image: Image.Image) -> Image.Image:
        return upscale_tiled(image, self.scale, self.tile, self.pad, self._run)

    def _run(self, chw: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            batch = torch.from_numpy(np.ascontiguousarray(chw))[None].to(self.device)
            return self._net(batch)[0].float().cpu().numpy()
