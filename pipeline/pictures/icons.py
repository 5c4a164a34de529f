"""Silhouettes from real vector assets: a curated subset of game-icons.net (CC BY 3.0), rendered with resvg.

The SVG paths are rasterised once per (icon, size) into an alpha mask; the illustrator tints the mask with
the scene's palette, so an icon reads as one more shadow-theatre cut-out.
"""
from __future__ import annotations

import json
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from PIL import Image

ICON_SET = Path(__file__).resolve().parent.parent / "assets" / "game-icons.json"


@lru_cache(maxsize=1)
def icon_set() -> dict:
    return json.loads(ICON_SET.read_text())


def icon_names() -> tuple[str, ...]:
    return tuple(icon_set()["icons"])


def icon_svg(name: str) -> str:
    icons = icon_set()
    try:
        body = icons["icons"][name]["body"]
    except KeyError:
        raise ValueError(f"no icon {name!r} in {ICON_SET.name}; known: {', '.join(icon_names())}") from None
    width, height = icons.get("width", 512), icons.get("height", 512)
    return f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" color="#000">{body}</svg>'


@lru_cache(maxsize=64)  # a 4K picture's masks are up to ~1 MB each
def icon_mask(name: str, size: int) -> Image.Image:
    """The icon's coverage as an "L" image of size×size, cropped to what it covers (so it can stand on a line)."""
    import resvg_py

    png = resvg_py.svg_to_bytes(svg_string=icon_svg(name), width=size, height=size, skip_system_fonts=True)
    with Image.open(BytesIO(bytes(png))) as image:
        alpha = image.convert("RGBA").getchannel("A")
    box = alpha.getbbox()
    return alpha.crop(box) if box else alpha


def stamp(
    layer: Image.Image,
    name: str,
    x: float,
    bottom: float,
    size: float,
    color: tuple[int, int, int],
    alpha: float = 1.0,
    mirror: bool = False,
) -> tuple[float, float, float, float]:
    """Composite the icon onto an RGBA layer, centred on x with its lowest pixel on `bottom`; returns its box."""
    mask = icon_mask(name, max(4, int(round(size))))
    if mirror:
        mask = mask.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    if alpha < 1:
        mask = mask.point(lambda a: int(a * alpha))
    left, top = int(round(x - mask.width / 2)), int(round(bottom - mask.height))
    cut = Image.new("RGBA", mask.size, (*color, 255))
    cut.putalpha(mask)
    # crop to the layer: alpha_composite takes no negative offsets
    src = (max(0, -left), max(0, -top), min(mask.width, layer.width - left), min(mask.height, layer.height - top))
    if src[2] > src[0] and src[3] > src[1]:
        layer.alpha_composite(cut, dest=(left + src[0], top + src[1]), source=src)
    return (left, top, left + mask.width, top + mask.height)
