"""Pictures from the vocabulary (pipeline.illustrate.vocabulary) on the stage: flat-coloured emoji art shaded to the
scene's light, and game-icons silhouettes in the scene's ink, standing on the ground at the scale of the figures.

Everything is rendered from its SVG at the output size (resvg), so it is as sharp at 4K as at 720p. A thing is
placed whole inside the frame, on the ground (above the subtitles' band), beside the people when it is something
one holds, never over a face; the title's things come first and larger.
"""
from __future__ import annotations

from functools import lru_cache
from io import BytesIO

import numpy as np
from PIL import Image

from pipeline.illustrate import vocabulary
from pipeline.illustrate.shadow.icons import ICON_PROPS
from pipeline.illustrate.shadow.layout import Scenery
from pipeline.illustrate.shadow.palettes import RGB, mix
from pipeline.illustrate.vocabulary import Drawable

TITLE_SCALE = 1.5  # the title's things are larger than life, so a viewer sees what the story is about
_SHADE = {"night": 0.5, "dusk": 0.32, "dawn": 0.2, "day": 0.08}  # how far emoji colours go toward the scene's ink


@lru_cache(maxsize=128)
def _raster(drawable: Drawable, height: int) -> Image.Image:
    """The drawable as RGBA, cropped to what it covers and `height` pixels tall."""
    import resvg_py

    def render(side: int) -> Image.Image:
        png = resvg_py.svg_to_bytes(svg_string=vocabulary.svg(drawable), width=side, height=side, skip_system_fonts=True)
        with Image.open(BytesIO(bytes(png))) as image:
            image = image.convert("RGBA")
        box = image.getchannel("A").point(lambda a: 255 if a > 8 else 0).getbbox()
        return image.crop(box) if box else image

    first = render(max(8, height))
    if first.height < height * 0.97:  # the art has margins: render larger so what it covers is `height` tall
        first = render(max(8, round(height * height / max(1, first.height))))
    return first


def thing_image(drawable: Drawable, height: float, ink: RGB, shade: float) -> Image.Image:
    """An emoji in its colours, pulled `shade` of the way toward the scene's ink; an icon in ink."""
    art = _raster(drawable, max(4, int(round(height))))
    if drawable.kind == "icon":
        cut = Image.new("RGBA", art.size, (*ink, 255))
        cut.putalpha(art.getchannel("A"))
        return cut
    if shade <= 0:
        return art.copy()
    rgba = np.asarray(art, dtype=np.float32).copy()
    rgba[..., :3] = rgba[..., :3] * (1 - shade) + np.asarray(ink, np.float32) * shade
    return Image.fromarray(rgba.astype(np.uint8), "RGBA")


def paste(layer: Image.Image, art: Image.Image, x: float, bottom: float, mirror: bool = False) -> tuple[int, int, int, int]:
    """Composite `art` centred on x with its lowest pixel on `bottom` (cropped to the layer); returns its box."""
    if mirror:
        art = art.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    left, top = int(round(x - art.width / 2)), int(round(bottom - art.height))
    src = (max(0, -left), max(0, -top), min(art.width, layer.width - left), min(art.height, layer.height - top))
    if src[2] > src[0] and src[3] > src[1]:
        layer.alpha_composite(art, dest=(left + src[0], top + src[1]), source=src)
    return (left, top, left + art.width, top + art.height)


def _height(scenery: Scenery, drawable: Drawable, title: bool) -> float:
    size = scenery.unit * drawable.size * (TITLE_SCALE if title else 1.0)
    ceiling = scenery.h * (scenery.subtitle_top - 0.1)  # it stands on the ground and its top stays in the frame
    return min(size, ceiling)


def _art(scenery: Scenery, drawable: Drawable, height: float) -> Image.Image:
    pal = scenery.palette
    ink = mix(pal.ink, pal.sky[2], 0.1) if drawable.kind == "icon" else pal.ink
    return thing_image(drawable, height, ink, _SHADE.get(scenery.plan.time_of_day, 0.2))


def _ordered(scenery: Scenery, places: tuple[str, ...]) -> list[tuple[str, Drawable, bool]]:
    plan = scenery.plan
    items = [(e, d, e in plan.title) for e, d in plan.things.items() if d.place in places and e not in scenery.drawn]
    return sorted(items, key=lambda item: not item[2])  # the title's things first


def draw_ground_things(layer: Image.Image, scenery: Scenery, places: tuple[str, ...], ss: int = 1) -> None:
    """Landmarks, vehicles, trees, creatures and props from the vocabulary, standing on the ground."""
    for element, drawable, title in _ordered(scenery, places):
        place_thing(layer, scenery, element, drawable, title, ss)


def place_thing(layer: Image.Image, scenery: Scenery, element: str, drawable: Drawable, title: bool, ss: int = 1,
                force: bool = False) -> bool:
    """Put one thing on the ground; `force` puts it somewhere even on a crowded stage (the title's things)."""
    height = _height(scenery, drawable, title)
    art = _art(scenery, drawable, height * ss)
    width = art.width / ss
    gap = scenery.unit * 0.05
    if drawable.place == "prop":
        x = scenery.beside(width, gap)
    else:
        x = scenery.free_spot(width * 1.05, 0.04, 0.96)
    if x is None and (force or title):
        x = least_crowded(scenery, width)
    if x is None:
        return False
    ground = scenery.ground_at(x)
    if not np.isfinite(ground):  # over water: a ship floats on the sea line, anything else stands on the shore
        ground = scenery.horizon + scenery.h * 0.12 if drawable.place == "vehicle" else scenery.ground_at(scenery.nearest_ground(x))
    bottom = min(ground + scenery.unit * 0.012, scenery.h * scenery.subtitle_top)
    facing_left = bool(scenery.people_x) and float(np.mean(scenery.people_x)) < x
    paste(layer, art, x * ss, bottom * ss, mirror=facing_left and drawable.kind == "icon")
    scenery.mark(element, scenery.plan.elements.get(element))
    return True


def least_crowded(scenery: Scenery, width: float) -> float:
    """The x (whole span in the frame, on solid ground) farthest from everything taken, faces included."""
    xs = np.linspace(width / 2 + 2, scenery.w - width / 2 - 2, 64)
    flat = [x for x in xs if np.isfinite(scenery.ground_at(x)) and scenery.ground_at(x) < scenery.h * scenery.subtitle_top]
    solid = flat or [x for x in xs if np.isfinite(scenery.ground_at(x))] or list(xs)
    taken = [(a + b) / 2 for a, b in scenery.taken] + list(scenery.people_x)
    best = max(solid, key=lambda x: min((abs(x - t) for t in taken), default=scenery.w))
    scenery.taken.append((best - width / 2, best + width / 2))
    return float(best)


def draw_sky_things(layer: Image.Image, scenery: Scenery, ss: int = 1) -> None:
    """Things that belong in the sky (a star, a comet, a cloud of its own) high up, clear of the sun or moon."""
    rng = scenery.rng
    placed = [scenery.sky_body] if scenery.sky_body else []
    for element, drawable, title in _ordered(scenery, ("sky",)):
        height = _height(scenery, drawable, title) * 0.8
        for _ in range(20):
            x, y = scenery.w * rng.uniform(0.12, 0.88), scenery.horizon * rng.uniform(0.2, 0.55)
            if all(np.hypot(x - px, y - py) > height + pr for px, py, pr in placed):
                break
        placed.append((x, y, height * 0.6))
        paste(layer, _art(scenery, drawable, height * ss), x * ss, (y + height / 2) * ss)
        scenery.mark(element, scenery.plan.elements.get(element))


def draw_actor_thing(layer: Image.Image, scenery: Scenery, drawable: Drawable, x: float, facing: int, ss: int = 1) -> None:
    """A character drawn as what its name names (a bun, a hedgehog), at a character's scale, where it stands."""
    height = scenery.unit * max(drawable.size, 0.14) * 1.2
    height = min(height, scenery.h * (scenery.subtitle_top - 0.1))
    art = _art(scenery, drawable, height * ss)
    bottom = min(scenery.ground_at(x) + scenery.unit * 0.012, scenery.h * scenery.subtitle_top)
    paste(layer, art, x * ss, bottom * ss, mirror=facing < 0 and drawable.kind == "icon")


def draw_missing_title(layer: Image.Image, scenery: Scenery) -> None:
    """The title's things the scene names must show: whatever the hand-drawn layers left out goes in front."""
    for element in scenery.plan.title:
        if element in scenery.drawn:
            continue
        drawable = scenery.plan.things.get(element)
        if drawable is None:
            match = vocabulary.find(element)
            drawable = match.drawable if match else None
        if drawable is None and element in ICON_PROPS:  # an icon prop with no room left: it goes in anyway
            prop = ICON_PROPS[element]
            drawable = Drawable("icon", prop.icon, element, "prop", prop.size)
        if drawable is None:
            continue
        if drawable.place == "sky":
            draw_sky_things_one(layer, scenery, element, drawable)
        else:
            place_thing(layer, scenery, element, drawable, title=True, force=True)


def draw_sky_things_one(layer: Image.Image, scenery: Scenery, element: str, drawable: Drawable) -> None:
    height = _height(scenery, drawable, True) * 0.8
    x, y = scenery.w * 0.5, scenery.horizon * 0.35
    if scenery.sky_body and abs(scenery.sky_body[0] - x) < height * 2:
        x = scenery.w * (0.25 if scenery.sky_body[0] > scenery.w / 2 else 0.75)
    paste(layer, _art(scenery, drawable, height), x, y + height / 2)
    scenery.mark(element, scenery.plan.elements.get(element))
