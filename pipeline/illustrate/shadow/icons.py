"""Silhouettes from real vector assets: a curated subset of game-icons.net (CC BY 3.0), rendered with resvg.

The SVG paths are rasterised once per (icon, size) into an alpha mask; the illustrator tints the mask with
the scene's palette, so an icon reads as one more shadow-theatre cut-out. ICON_PROPS says which element is drawn
with which icon, where it goes (the sky, a landmark, a figure, a prop, hanging from the top) and how big.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path

import numpy as np
from PIL import Image

from pipeline.illustrate.shadow.canvas import Canvas
from pipeline.illustrate.shadow.layout import Scenery
from pipeline.illustrate.shadow.palettes import mix

ICON_SET = Path(__file__).resolve().parent / "assets" / "game-icons.json"


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


@dataclass(frozen=True)
class IconProp:
    icon: str  # a name in assets/game-icons.json
    place: str  # sky (sky layer), landmark (near layer), figure / prop / hanging (figures layer)
    size: float  # in scenery units (a person is about 0.3)


ICON_PROPS: dict[str, IconProp] = {
    "planet": IconProp("ringed-planet", "sky", 0.2),
    "spaceship": IconProp("spaceship", "sky", 0.15),
    "rocket": IconProp("rocket", "sky", 0.13),
    "ufo": IconProp("ufo", "sky", 0.15),
    "satellite": IconProp("satellite", "sky", 0.09),
    "lighthouse": IconProp("lighthouse", "landmark", 0.5),
    "tent": IconProp("camping-tent", "landmark", 0.24),
    "well": IconProp("well", "landmark", 0.2),
    "portal": IconProp("magic-portal", "landmark", 0.36),
    "clock tower": IconProp("clock-tower", "landmark", 0.55),
    "snowman": IconProp("snowman", "landmark", 0.18),
    "robot": IconProp("vintage-robot", "figure", 0.25),
    "alien": IconProp("alien-stare", "figure", 0.2),
    "unicorn": IconProp("unicorn", "figure", 0.28),
    "deer": IconProp("deer", "figure", 0.26),
    "magnifying glass": IconProp("magnifying-glass", "prop", 0.1),
    "revolver": IconProp("revolver", "prop", 0.08),
    "ray gun": IconProp("ray-gun", "prop", 0.08),
    "footprints": IconProp("footprint", "prop", 0.08),
    "hat": IconProp("fedora", "prop", 0.07),
    "pipe": IconProp("smoking-pipe", "prop", 0.07),
    "letter": IconProp("envelope", "prop", 0.07),
    "key": IconProp("key", "prop", 0.07),
    "handcuffs": IconProp("handcuffs", "prop", 0.07),
    "crystal": IconProp("crystal-cluster", "prop", 0.11),
    "staff": IconProp("wizard-staff", "prop", 0.16),
    "skull": IconProp("skull-crossed-bones", "prop", 0.07),
    "mushrooms": IconProp("mushrooms", "prop", 0.07),
    "treasure": IconProp("open-treasure-chest", "prop", 0.11),
    "cauldron": IconProp("cauldron", "prop", 0.12),
    "pumpkin": IconProp("pumpkin-lantern", "prop", 0.08),
    "book": IconProp("spell-book", "prop", 0.08),
    "spider": IconProp("hanging-spider", "hanging", 0.1),
    "cobweb": IconProp("spider-web", "hanging", 0.2),
}


def _wanted_icons(scenery: Scenery, place: str) -> list[tuple[str, IconProp, str]]:
    """(element, icon, reason): from the plan, and characters who are one of the icon creatures."""
    wanted = {a.animal: f"character: {a.character.name}" for a in scenery.plan.actors if a.animal in ICON_PROPS}
    wanted.update((e, r) for e, r in scenery.plan.elements.items() if e in ICON_PROPS and e not in wanted)
    return [(element, ICON_PROPS[element], reason) for element, reason in wanted.items() if ICON_PROPS[element].place == place]


def draw_sky_icons(image: Image.Image, scenery: Scenery) -> None:
    """Planets and ships hang in the upper sky, away from the sun or moon."""
    pal, rng = scenery.palette, scenery.rng
    placed = [(scenery.sky_body[0], scenery.sky_body[1], scenery.sky_body[2] * 1.5)] if scenery.sky_body else []
    for element, prop, reason in _wanted_icons(scenery, "sky"):
        size = scenery.unit * prop.size * rng.uniform(0.9, 1.15)
        for _ in range(20):  # somewhere clear of the sun or moon and of the other things in the sky
            x, y = scenery.w * rng.uniform(0.1, 0.9), scenery.horizon * rng.uniform(0.18, 0.6)
            if all(math.hypot(x - px, y - py) > size * 0.6 + pr for px, py, pr in placed):
                break
        placed.append((x, y, size * 0.6))
        # a planet shines like the moon; craft are dark against a light sky and catch the light in a dark one
        lit = element == "planet" or scenery.plan.time_of_day in ("night", "dusk")
        color = mix(pal.glow, pal.sky[1], 0.35) if lit else pal.plane(0.8)
        stamp(image, prop.icon, x, y + size / 2, size, color, mirror=bool(rng.random() < 0.5))
        scenery.mark(element, reason)


def draw_icons(canvas: Canvas, scenery: Scenery, place: str) -> None:
    """Landmarks, creatures and props standing on the ground (or hanging from the top edge), in ink."""
    rng, ss = scenery.rng, canvas.ss
    for element, prop, reason in _wanted_icons(scenery, place):
        size = scenery.unit * prop.size * rng.uniform(0.92, 1.08)
        if place == "hanging":
            x, bottom = scenery.w * rng.choice([rng.uniform(0.04, 0.2), rng.uniform(0.8, 0.96)]), size * rng.uniform(1.0, 1.6)
            if element == "spider":
                canvas.line([(x, 0), (x, bottom - size * 0.5)], max(1.0, scenery.unit / 900), scenery.palette.ink)
        else:
            spot = scenery.free_spot(size * 0.8, 0.06, 0.94)
            if spot is None:
                continue
            x, bottom = spot, scenery.ground_at(spot) + scenery.unit * (0.012 if place == "prop" else 0.02)
        facing_left = bool(scenery.people_x) and np.mean(scenery.people_x) < x
        stamp(canvas.image, prop.icon, x * ss, bottom * ss, size * ss, scenery.palette.ink, mirror=facing_left)
        scenery.mark(element, reason)
