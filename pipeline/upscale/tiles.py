"""Running a net over a picture tile by tile (memory stays bounded at 4K), and enlarging a picture to an exact
size through an upscaler."""
from __future__ import annotations

from typing import Callable

import numpy as np
from PIL import Image

TILE = 256  # px of the input a net sees at once
PAD = 10  # px of context around each tile, cropped away after the net


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


def upscale_to(image: Image.Image, size: tuple[int, int], upscaler) -> Image.Image:
    """Apply the upscaler (an Upscaler, or None for none) while the image is at least 2× smaller than `size` on
    both sides, then Lanczos to exactly `size`."""
    image = image.convert("RGB")
    width, height = size
    while upscaler is not None and image.width * 2 <= width and image.height * 2 <= height:
        image = upscaler.upscale(image)
    if image.size != (width, height):
        image = image.resize((width, height), Image.Resampling.LANCZOS)
    return image
