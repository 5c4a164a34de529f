"""Figures layer: people, animals, creatures, props in hand, weather in front of them."""
from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, replace
from typing import Iterable, Sequence

import numpy as np
from PIL import Image, ImageFilter

from pipeline.illustrate.plan import ANIMALS, Actor, keyword_elements
from pipeline.illustrate.shadow import weather
from pipeline.illustrate.shadow.canvas import Canvas, Point, Pose, Puppet, glow
from pipeline.illustrate.shadow.icons import draw_icons
from pipeline.illustrate.shadow.layout import Scenery
from pipeline.illustrate.shadow.palettes import RGB, mix
from pipeline.illustrate.shadow.things import draw_actor_thing, draw_ground_things, draw_missing_title, least_crowded
from pipeline.types import Character


@dataclass(frozen=True)
class Look:
    """How a character is drawn; derived from the character and the picture seed, so it holds across scenes."""

    kind: str  # warrior, maiden, sorcerer, king, horned, witch, elder, crone, peasant
    height: float  # relative to the standard figure
    headwear: str  # helmet, cap, hair, hood, crown, horns, witch_hat, kokoshnik, scarf, none
    cape: bool


_KINDS: dict[tuple[str, str], tuple[str, ...]] = {
    ("hero", "male"): ("warrior",),
    ("hero", "female"): ("maiden",),
    ("villain", "male"): ("sorcerer", "king", "horned"),
    ("villain", "female"): ("witch",),
    ("helper", "male"): ("elder", "peasant"),
    ("helper", "female"): ("maiden", "crone"),
    ("donor", "male"): ("elder",),
    ("donor", "female"): ("crone",),
}
_HEADWEAR = {
    "warrior": ("helmet", "cap", "hair"), "maiden": ("kokoshnik", "hair"), "sorcerer": ("hood",), "king": ("crown",),
    "horned": ("horns",), "witch": ("witch_hat",), "elder": ("hood", "none"), "crone": ("scarf",),
    "peasant": ("cap", "hair"),
}


_CAPED = ("warrior", "king", "horned")
_FEMALE = ("maiden", "witch", "crone")
_HEIGHTS = {"warrior": 1.0, "maiden": 0.92, "king": 1.08, "sorcerer": 1.12, "horned": 1.15, "witch": 0.9, "elder": 0.95, "crone": 0.82}


def look_for(character: Character, seed: int) -> Look:
    rng = np.random.default_rng([seed % 2**32, zlib.crc32(character.id.encode())])
    gender = character.gender if character.gender != "neutral" else ("male", "female")[int(rng.integers(2))]
    kinds = _KINDS.get((character.role, gender), ("peasant",) if gender == "male" else ("maiden",))
    kind = kinds[int(rng.integers(len(kinds)))]
    height = _HEIGHTS.get(kind, 0.96) * rng.uniform(0.97, 1.03)
    headwear = _HEADWEAR[kind][int(rng.integers(len(_HEADWEAR[kind])))]
    return Look(kind, height, headwear, cape=kind in _CAPED and rng.random() < 0.8)


def cast_looks(characters: Sequence[Character], seed: int) -> dict[str, Look]:
    """Every character's look, in the cast's order, told apart: when a character's headwear is already worn by
    someone before it, it takes another that its kind, or another kind of its role and gender (or a helper's),
    can wear, if any is left."""
    looks: dict[str, Look] = {}
    for character in characters:
        look = look_for(character, seed)
        worn = {other.headwear for other in looks.values()}
        if look.headwear in worn:
            gender = "female" if look.kind in _FEMALE else "male"
            kinds = [look.kind, *_KINDS.get((character.role, gender), ()), *_KINDS[("helper", gender)]]
            free = [(kind, wear) for kind in dict.fromkeys(kinds) for wear in _HEADWEAR[kind] if wear not in worn]
            if free:
                kind, wear = free[0]
                height = look.height * _HEIGHTS.get(kind, 0.96) / _HEIGHTS.get(look.kind, 0.96)
                look = Look(kind, height, wear, cape=look.cape and kind in _CAPED)
        looks[character.id] = look
    return looks


def draw_figures(scenery: Scenery) -> Image.Image:
    canvas = Canvas(scenery.size, scenery.ss)
    lights: list[tuple[float, float, float]] = []
    people = [a for a in scenery.plan.actors if a.animal is None]
    looks = cast_looks(scenery.cast, scenery.looks_seed)
    crowned = _crowned(scenery, people)
    for actor, (x, facing) in zip(people, _figure_spots(scenery, people)):
        if actor.thing is not None:  # "Колобок": the bun itself, the same in every scene
            draw_actor_thing(canvas.image, scenery, actor.thing, x, facing, canvas.ss)
            scenery.mark(f"{actor.character.role} figure", f"character: {actor.character.name}")
            scenery.mark(actor.thing.label, actor.reason)
            continue
        look = looks[actor.character.id]
        if actor is crowned:
            look = replace(look, headwear="crown")
            scenery.mark("crown", f"character: {actor.character.name}" if _named(actor, "crown") else None)
        pose = Pose(x, scenery.ground_at(x) + scenery.unit * 0.012, scenery.unit * 0.3 * look.height, facing)
        hold = _held_item(scenery, actor, look)
        _person(canvas, pose, look, scenery.palette.ink, hold, lights)
        scenery.mark(f"{actor.character.role} figure", f"character: {actor.character.name}")
    _draw_animals(canvas, scenery)
    for place in ("figure", "prop", "hanging"):
        draw_icons(canvas, scenery, place)
    draw_ground_things(canvas.image, scenery, ("figure", "prop"), canvas.ss)
    if scenery.wants("sword") and "sword" not in scenery.drawn:
        _sword_in_stone(canvas, scenery)
    if scenery.wants("campfire"):
        _campfire(canvas, scenery, lights)
    dragon = next((f"character: {a.character.name}" for a in scenery.plan.actors if a.animal == "dragon"), None)
    if dragon or scenery.wants("dragon"):
        _dragon(canvas, scenery)
        scenery.mark("dragon", dragon)
    image = Image.new("RGBA", scenery.size, (0, 0, 0, 0))
    for x, y, r in lights:  # the halo goes behind the silhouettes, the bright core in front
        glow(image, x, y, r, scenery.palette.light, 0.45)
    silhouettes = canvas.finish()
    image.alpha_composite(_halo(silhouettes, scenery))
    image.alpha_composite(silhouettes)
    for x, y, r in lights:
        glow(image, x, y, r * 0.1, mix(scenery.palette.light, (255, 255, 255), 0.5), 0.95)
    if scenery.wants("ghost"):
        _ghost(image, scenery)
    draw_missing_title(image, scenery)
    _draw_weather(image, scenery)
    return image


def _draw_weather(image: Image.Image, scenery: Scenery) -> None:
    pal = scenery.palette
    if scenery.wants("rain"):
        weather.rain(image, scenery.spawn(), scenery.unit, mix(pal.sky[2], (255, 255, 255), 0.35))
        scenery.mark("rain")
    if scenery.wants("snow"):
        weather.snow(image, scenery.spawn(), scenery.unit, (246, 248, 255))
        scenery.mark("snow")
    if scenery.wants("magic sparks"):
        weather.sparks(image, scenery.spawn(), scenery.unit, pal.light)
        scenery.mark("magic sparks")


def _named(actor: Actor, element: str) -> bool:
    """Whether the character's name itself calls for an element ("Царь" → crown)."""
    return element in keyword_elements(actor.character.name).keys()


def _crowned(scenery: Scenery, people: list[Actor]) -> Actor | None:
    """Who wears the crown: a character named king or tsar, else, if the scene speaks of a crown, its villain or hero."""
    named = next((a for a in people if _named(a, "crown")), None)
    if named or not scenery.wants("crown"):
        return named
    by_role = {a.character.role: a for a in reversed(people)}
    return by_role.get("villain") or by_role.get("hero") or (people[0] if people else None)


def _halo(silhouettes: Image.Image, scenery: Scenery) -> Image.Image:
    """A faint rim of sky light around the figures, so they read even against a dark castle or forest."""
    radius = max(1.0, scenery.unit * 0.006)
    alpha = silhouettes.getchannel("A").filter(ImageFilter.GaussianBlur(radius)).point(lambda a: min(255, a * 2) * 22 // 100)
    halo = Image.new("RGBA", silhouettes.size, (*mix(scenery.palette.glow, scenery.palette.sky[2], 0.5), 0))
    halo.putalpha(alpha)
    return halo


def _figure_spots(scenery: Scenery, people: list[Actor]) -> list[tuple[float, int]]:
    """Heroes and helpers on one side facing right, villains on the other facing left."""
    spots = []
    for actor in people:
        villain = actor.character.role == "villain"
        lo, hi = (0.58, 0.86) if villain else (0.14, 0.45)
        x = scenery.free_spot(scenery.unit * 0.16, lo, hi) or scenery.free_spot(scenery.unit * 0.1)
        if x is None:  # crowded: stand in front of someone rather than on water
            x = scenery.nearest_ground(scenery.w * (hi + lo) / 2)
        spots.append((x, -1 if villain else 1))
        scenery.people_x.append(x)
    animals = any(scenery.wants(a) for a in ANIMALS) or any(a.animal for a in scenery.plan.actors)
    if len(spots) == 1 and not animals and scenery.rng.random() < 0.5:  # a lone figure may face either way
        spots[0] = (spots[0][0], -spots[0][1])
    return spots


def _held_item(scenery: Scenery, actor: Actor, look: Look) -> str:
    role = actor.character.role
    if scenery.wants("sword") and role == "hero" and "sword" not in scenery.drawn:
        scenery.mark("sword")
        return "sword"
    if scenery.wants("lantern") and "lantern" not in scenery.drawn:
        scenery.mark("lantern")
        return "lantern"
    if look.kind in ("elder", "crone", "sorcerer"):
        return "staff"
    return "none"


def _person(canvas: Canvas, p: Pose, look: Look, ink: RGB, hold: str, lights: list[tuple[float, float, float]]) -> None:
    """A profile silhouette facing +u: legs and tunic or a long robe, torso, arms by what is held, head with a nose."""
    old = look.kind in ("witch", "crone", "elder", "sorcerer")
    f = Puppet(canvas, p, ink, hunch=0.05 if old else 0.0)
    if look.cape:
        f.shape(CAPE)
    if look.kind == "maiden":
        f.shape(DRESS)
    elif look.kind in ROBED:
        f.shape(ROBE)
        if look.kind in ("witch", "sorcerer"):
            for u in np.linspace(-0.12, 0.1, 5):  # a tattered hem
                f.shape([(u - 0.03, 0.03), (u + 0.01, -0.005), (u + 0.03, 0.03)], smooth_edges=False)
    else:
        f.limb(*FRONT_LEG)
        f.limb(*BACK_LEG)
        f.shape(FRONT_BOOT, smooth_edges=False)
        f.shape(BACK_BOOT, smooth_edges=False)
        f.shape(TUNIC)
    f.limb(BACK_ARM, (0.055, 0.042, 0.032))
    f.shape(TORSO)
    f.limb([(0.0, 0.8), (0.012, 0.87)], (0.05, 0.045))  # neck
    _front_arm(f, look, hold, lights)
    _head(f, look, HEAD_CENTER)


def _front_arm(f: Puppet, look: Look, hold: str, lights: list[tuple[float, float, float]]) -> None:
    widths = (0.055, 0.044, 0.034)
    shoulder = (0.03, 0.78)
    if hold == "sword":
        f.limb([shoulder, (0.12, 0.69), (0.2, 0.77)], widths)
        f.shape([(0.19, 0.78), (0.215, 0.8), (0.44, 1.22), (0.4, 1.2)], smooth_edges=False)  # blade
        f.limb([(0.15, 0.83), (0.26, 0.76)], (0.022, 0.022))  # cross-guard
        f.disk(0.18, 0.745, 0.02)  # pommel
    elif hold == "staff":
        f.limb([shoulder, (0.11, 0.65), (0.2, 0.64)], widths)
        f.limb([(0.23, 0.0), (0.2, 0.64), (0.18, 1.04)], (0.02, 0.022, 0.024))
        f.disk(0.18, 1.06, 0.032)
    elif hold == "lantern":
        f.limb([shoulder, (0.12, 0.64), (0.23, 0.62)], widths)
        f.limb([(0.235, 0.6), (0.235, 0.55)], (0.006, 0.006))
        f.shape([(0.2, 0.55), (0.27, 0.55), (0.26, 0.46), (0.21, 0.46)], smooth_edges=False)
        lights.append((*f.pt(0.235, 0.5), f.pose.len(0.4)))
    elif look.kind in ("sorcerer", "horned", "witch", "king"):
        f.limb([shoulder, (0.16, 0.74), (0.3, 0.79)], widths)  # reaching, menacing
        for k in (-1, 0, 1):
            f.limb([(0.3, 0.79), (0.36, 0.8 + 0.025 * k), (0.39, 0.775 + 0.03 * k)], (0.014, 0.01, 0.004))
    elif look.kind == "maiden":
        f.limb([shoulder, (0.06, 0.62), (0.1, 0.7)], widths)  # hands at the heart
    else:
        f.limb([shoulder, (0.13, 0.67), (0.25, 0.74)], widths)  # a gesture, as if speaking
        f.disk(0.26, 0.745, 0.022)


def _head(f: Puppet, look: Look, center: Point) -> None:
    hu, hv = center

    def at(points: Iterable[Point]) -> list[Point]:
        return [(hu + u * HEAD_SCALE, hv + v * HEAD_SCALE) for u, v in points]

    wear = look.headwear
    if wear == "kokoshnik":
        f.limb(at([(-0.05, -0.02), (-0.085, -0.15), (-0.075, -0.36)]), (0.035, 0.03, 0.014))  # braid
    if wear == "hood":
        f.shape(at([(0.07, 0.0), (0.06, 0.07), (0.0, 0.1), (-0.09, 0.07), (-0.2, -0.02), (-0.1, -0.06), (-0.09, -0.14), (-0.03, -0.1)]))
    f.shape(at(HEAD))
    if look.kind in ("elder", "king", "sorcerer"):
        f.shape(at([(0.062, -0.03), (0.055, -0.1), (0.03, -0.2), (0.0, -0.12), (-0.02, -0.05)]))  # beard
    shapes = HEADWEAR_SHAPES.get(wear)
    if shapes:
        for shape, smooth_edges in shapes:
            f.shape(at(shape), smooth_edges=smooth_edges)
    if wear == "cap":
        f.limb(at([(-0.02, 0.07), (-0.1, 0.13), (-0.17, 0.14)]), (0.022, 0.016, 0.004))  # feather
    elif wear == "horns":
        for du in (0.0, 0.035):
            f.limb(at([(0.0 + du, 0.055), (0.04 + du, 0.12), (0.01 + du, 0.19), (-0.04 + du, 0.21)]), (0.032, 0.024, 0.012, 0.003))
    elif wear == "witch_hat":
        f.shape(at([(-0.14, 0.045), (0.13, 0.06), (0.13, 0.075), (-0.14, 0.065)]))
        f.limb(at([(-0.005, 0.06), (-0.03, 0.2), (-0.11, 0.29), (-0.17, 0.27)]), (0.12, 0.06, 0.025, 0.004))


ROBED = ("witch", "sorcerer", "king", "elder", "crone")
HEAD_CENTER = (0.02, 0.91)
HEAD_SCALE = 1.12  # shadow puppets have slightly large heads
HEAD = [(-0.062, 0.0), (-0.055, 0.045), (-0.02, 0.072), (0.03, 0.07), (0.058, 0.035), (0.063, 0.01), (0.09, -0.018),
        (0.064, -0.026), (0.066, -0.042), (0.055, -0.062), (0.02, -0.074), (-0.03, -0.062), (-0.056, -0.035)]
TORSO = [(0.035, 0.84), (0.078, 0.8), (0.088, 0.72), (0.07, 0.6), (0.066, 0.52), (-0.066, 0.52), (-0.072, 0.62),
         (-0.084, 0.74), (-0.07, 0.81), (-0.03, 0.84)]
TUNIC = [(0.062, 0.56), (0.09, 0.45), (0.135, 0.33), (0.04, 0.35), (-0.03, 0.33), (-0.125, 0.34), (-0.085, 0.45), (-0.066, 0.56)]
FRONT_LEG = ([(0.03, 0.48), (0.078, 0.27), (0.12, 0.06)], (0.09, 0.055, 0.042))
BACK_LEG = ([(-0.03, 0.48), (-0.045, 0.27), (-0.085, 0.06)], (0.09, 0.055, 0.042))
FRONT_BOOT = [(0.095, 0.1), (0.145, 0.1), (0.15, 0.045), (0.205, 0.02), (0.205, 0.0), (0.1, 0.0)]
BACK_BOOT = [(-0.11, 0.1), (-0.06, 0.1), (-0.055, 0.045), (-0.005, 0.02), (-0.005, 0.0), (-0.11, 0.0)]
BACK_ARM = [(-0.035, 0.78), (-0.075, 0.64), (-0.06, 0.5)]
DRESS = [(0.04, 0.83), (0.075, 0.78), (0.066, 0.66), (0.055, 0.56), (0.1, 0.4), (0.15, 0.2), (0.2, 0.015), (0.12, 0.0),
         (0.0, 0.01), (-0.12, 0.0), (-0.19, 0.015), (-0.13, 0.2), (-0.09, 0.4), (-0.06, 0.56), (-0.066, 0.7), (-0.066, 0.79), (-0.025, 0.835)]
ROBE = [(0.04, 0.83), (0.08, 0.79), (0.086, 0.6), (0.1, 0.35), (0.135, 0.02), (0.0, 0.0), (-0.14, 0.0), (-0.11, 0.35),
        (-0.09, 0.6), (-0.082, 0.78), (-0.03, 0.835)]
CAPE = [(-0.02, 0.83), (-0.09, 0.76), (-0.16, 0.55), (-0.24, 0.3), (-0.3, 0.08), (-0.25, 0.12), (-0.2, 0.06), (-0.15, 0.11),
        (-0.1, 0.09), (-0.06, 0.45), (0.0, 0.75)]
HEADWEAR_SHAPES: dict[str, list[tuple[list[Point], bool]]] = {
    "helmet": [([(-0.068, 0.005), (-0.062, 0.05), (-0.03, 0.085), (-0.004, 0.13), (0.004, 0.18), (0.012, 0.13), (0.04, 0.085),
                 (0.068, 0.045), (0.072, 0.005)], False),
               ([(-0.068, 0.01), (-0.085, -0.07), (-0.02, -0.075), (-0.035, 0.0)], True)],
    "cap": [([(-0.07, 0.015), (-0.05, 0.07), (0.02, 0.088), (0.075, 0.055), (0.095, 0.03)], True)],
    "hair": [([(-0.068, -0.04), (-0.08, 0.03), (-0.04, 0.085), (0.03, 0.085), (0.07, 0.045), (0.03, 0.05), (-0.01, 0.035), (-0.04, 0.0)], True)],
    "crown": [([(-0.055, 0.045), (-0.065, 0.14), (-0.032, 0.095), (-0.002, 0.155), (0.028, 0.095), (0.06, 0.14), (0.058, 0.045)], False)],
    "kokoshnik": [([(-0.05, 0.03), (-0.065, 0.1), (-0.025, 0.16), (0.03, 0.16), (0.068, 0.1), (0.058, 0.03)], True)],
    "scarf": [([(0.062, 0.03), (0.03, 0.088), (-0.04, 0.09), (-0.085, 0.03), (-0.1, -0.1), (-0.05, -0.08), (0.0, -0.085), (0.04, -0.07)], True)],
}


# --- animals -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Beast:
    """A side-view animal facing +u, in units of its height; `size` is that height in person heights."""

    size: float
    shapes: tuple[tuple[Point, ...], ...]  # smooth closed outlines: body, tail...
    head: tuple[Point, ...]  # neck and head, turned up by `howl`
    ears: tuple[tuple[Point, ...], ...]
    legs: tuple[tuple[tuple[Point, ...], tuple[float, ...]], ...]  # centre line and widths
    pivot: Point = (0.45, 0.7)  # where the neck meets the body


def _wolf_legs(scale: float = 1.0) -> tuple:
    front, hind = (0.12 * scale, 0.06 * scale, 0.05 * scale), (0.2 * scale, 0.07 * scale, 0.05 * scale)
    return (
        (((0.28, 0.55), (0.25, 0.3), (0.28, 0.03)), front),
        (((-0.28, 0.58), (-0.34, 0.24), (-0.28, 0.03)), hind),
        (((0.38, 0.55), (0.4, 0.3), (0.39, 0.03)), front),
        (((-0.38, 0.6), (-0.44, 0.24), (-0.38, 0.03)), hind),
    )


_WOLF_BODY = ((0.36, 0.78), (0.46, 0.66), (0.42, 0.46), (0.2, 0.42), (-0.1, 0.44), (-0.35, 0.48), (-0.5, 0.58), (-0.48, 0.72),
              (-0.25, 0.72), (0.05, 0.73), (0.25, 0.78))
_WOLF_HEAD = ((0.28, 0.76), (0.4, 0.9), (0.5, 0.98), (0.6, 0.97), (0.68, 0.93), (0.86, 0.85), (0.87, 0.81), (0.7, 0.78),
              (0.6, 0.74), (0.52, 0.6), (0.38, 0.55))
_WOLF_EARS = (((0.5, 0.96), (0.51, 1.09), (0.58, 0.97)), ((0.45, 0.93), (0.44, 1.05), (0.51, 0.95)))
_PIVOT = (0.35, 0.7)

_BEAR_LEG, _BEAR_HIND = (0.2, 0.15, 0.15), (0.24, 0.15, 0.15)
_HORSE_LEG, _HORSE_HIND = (0.12, 0.055, 0.05), (0.2, 0.07, 0.05)

BEASTS: dict[str, Beast] = {
    "wolf": Beast(
        size=0.55,
        shapes=(_WOLF_BODY, ((-0.46, 0.72), (-0.6, 0.6), (-0.68, 0.4), (-0.64, 0.3), (-0.56, 0.42), (-0.48, 0.58))),
        head=_WOLF_HEAD,
        ears=_WOLF_EARS,
        legs=_wolf_legs(),
        pivot=_PIVOT,
    ),
    "dog": Beast(
        size=0.48,
        shapes=(_WOLF_BODY, ((-0.47, 0.7), (-0.6, 0.85), (-0.64, 0.98), (-0.58, 0.99), (-0.53, 0.82), (-0.45, 0.64))),
        head=_WOLF_HEAD,
        ears=(((0.5, 0.96), (0.46, 1.04), (0.56, 0.97)),),
        legs=_wolf_legs(),
        pivot=_PIVOT,
    ),
    "fox": Beast(
        size=0.4,
        shapes=(
            tuple((u, v * 0.85) for u, v in _WOLF_BODY),
            ((-0.46, 0.6), (-0.7, 0.54), (-0.95, 0.44), (-1.08, 0.36), (-0.9, 0.3), (-0.65, 0.34), (-0.45, 0.46)),
        ),
        head=((0.28, 0.66), (0.4, 0.82), (0.5, 0.9), (0.6, 0.89), (0.68, 0.85), (0.92, 0.78), (0.7, 0.72), (0.6, 0.68),
              (0.52, 0.53), (0.38, 0.46)),
        ears=(((0.49, 0.88), (0.5, 1.05), (0.59, 0.89)), ((0.43, 0.85), (0.42, 1.01), (0.51, 0.87))),
        legs=_wolf_legs(0.85),
        pivot=(0.35, 0.6),
    ),
    "bear": Beast(
        size=0.55,
        shapes=(((0.3, 0.8), (0.45, 0.7), (0.48, 0.45), (0.25, 0.36), (-0.2, 0.36), (-0.45, 0.42), (-0.55, 0.62),
                 (-0.45, 0.8), (-0.2, 0.88), (0.05, 0.95), (0.2, 0.9)),),
        head=((0.32, 0.78), (0.45, 0.8), (0.55, 0.78), (0.7, 0.66), (0.72, 0.6), (0.6, 0.56), (0.48, 0.5), (0.36, 0.55)),
        ears=(((0.43, 0.78), (0.44, 0.86), (0.5, 0.86), (0.51, 0.78), (0.47, 0.76)),),
        legs=(
            (((0.2, 0.5), (0.18, 0.25), (0.2, 0.03)), _BEAR_LEG),
            (((-0.25, 0.5), (-0.22, 0.28), (-0.25, 0.03)), _BEAR_HIND),
            (((0.3, 0.5), (0.32, 0.25), (0.33, 0.03)), _BEAR_LEG),
            (((-0.35, 0.55), (-0.33, 0.28), (-0.36, 0.03)), _BEAR_HIND),
        ),
    ),
    "horse": Beast(
        size=0.72,
        shapes=(
            ((0.42, 0.98), (0.52, 0.85), (0.5, 0.65), (0.3, 0.58), (-0.2, 0.58), (-0.45, 0.65), (-0.55, 0.82),
             (-0.5, 0.98), (-0.25, 0.97), (0.1, 0.95), (0.3, 1.0)),
            ((-0.52, 0.95), (-0.65, 0.8), (-0.68, 0.5), (-0.6, 0.45), (-0.58, 0.7), (-0.5, 0.85)),  # tail
            ((0.26, 1.0), (0.36, 1.22), (0.52, 1.43), (0.42, 1.24), (0.3, 1.06)),  # mane
        ),
        head=((0.3, 0.98), (0.42, 1.2), (0.52, 1.38), (0.58, 1.45), (0.66, 1.42), (0.82, 1.22), (0.86, 1.14), (0.8, 1.1),
              (0.68, 1.18), (0.6, 1.18), (0.55, 1.0), (0.5, 0.82)),
        ears=(((0.56, 1.43), (0.57, 1.55), (0.62, 1.44)),),
        legs=(
            (((0.3, 0.7), (0.27, 0.35), (0.3, 0.03)), _HORSE_LEG),
            (((-0.3, 0.75), (-0.37, 0.3), (-0.3, 0.03)), _HORSE_HIND),
            (((0.4, 0.7), (0.42, 0.35), (0.41, 0.03)), _HORSE_LEG),
            (((-0.4, 0.78), (-0.47, 0.3), (-0.4, 0.03)), _HORSE_HIND),
        ),
        pivot=(0.42, 0.95),
    ),
    "cat": Beast(  # sitting, its tail curled round its paws
        size=0.22,
        shapes=(((0.12, 0.65), (0.2, 0.45), (0.22, 0.2), (0.2, 0.0), (-0.25, 0.0), (-0.32, 0.15), (-0.28, 0.4), (-0.1, 0.58)),),
        head=((0.0, 0.75), (0.04, 0.86), (0.13, 0.9), (0.23, 0.85), (0.3, 0.74), (0.24, 0.64), (0.12, 0.6), (0.03, 0.64)),
        ears=(((0.03, 0.82), (0.05, 1.0), (0.12, 0.88)), ((0.15, 0.88), (0.22, 1.02), (0.25, 0.82))),
        legs=(
            (((0.15, 0.4), (0.18, 0.2), (0.19, 0.02)), (0.09, 0.065, 0.06)),
            (((-0.28, 0.06), (-0.05, 0.02), (0.18, 0.03), (0.32, 0.1)), (0.08, 0.07, 0.06, 0.04)),
        ),
        pivot=(0.1, 0.6),
    ),
    "hare": Beast(  # sitting, ears up
        size=0.22,
        shapes=(
            ((0.2, 0.35), (0.15, 0.1), (0.05, 0.0), (-0.25, 0.0), (-0.38, 0.15), (-0.3, 0.4), (-0.1, 0.5), (0.1, 0.5)),
            ((-0.34, 0.22), (-0.44, 0.2), (-0.42, 0.1), (-0.33, 0.1)),
        ),
        head=((0.08, 0.5), (0.14, 0.62), (0.24, 0.64), (0.36, 0.55), (0.35, 0.5), (0.24, 0.45), (0.12, 0.4)),
        ears=(
            ((0.14, 0.6), (0.05, 0.85), (0.02, 1.0), (0.09, 0.85), (0.2, 0.62)),
            ((0.1, 0.6), (-0.05, 0.8), (-0.1, 0.93), (-0.02, 0.82), (0.16, 0.6)),
        ),
        legs=((((0.15, 0.3), (0.2, 0.15), (0.26, 0.02)), (0.07, 0.05, 0.05)),),
        pivot=(0.1, 0.45),
    ),
}


def _draw_animals(canvas: Canvas, scenery: Scenery) -> None:
    ink, u = scenery.palette.ink, scenery.unit
    wanted = [(a.animal, f"character: {a.character.name}") for a in scenery.plan.actors if a.animal]
    wanted += [(e, scenery.plan.elements[e]) for e in (*ANIMALS, "raven", "owl") if scenery.wants(e)]
    for animal, reason in dict(wanted).items():
        if animal in ("raven", "owl"):
            _perched_bird(canvas, scenery, animal, ink)
        elif animal == "snake":
            x = scenery.free_spot(u * 0.2)
            if x is None:
                continue
            _snake(canvas, Pose(x, scenery.ground_at(x) + u * 0.01, u * 0.05, int(scenery.rng.choice([-1, 1]))), ink)
        elif animal in BEASTS:
            beast = BEASTS[animal]
            x = scenery.free_spot(u * 0.3 * beast.size * 1.8)
            if x is None and any(a.animal == animal for a in scenery.plan.actors):  # a character is always on stage
                x = least_crowded(scenery, u * 0.3 * beast.size * 1.8)
            if x is None:
                continue
            focus = float(np.mean(scenery.people_x)) if scenery.people_x else scenery.w / 2
            facing = -1 if x > focus else 1
            pose = Pose(x, scenery.ground_at(x) + u * 0.012, u * 0.3 * beast.size, facing)
            howl = animal in ("wolf", "dog") and scenery.plan.time_of_day == "night"
            _beast(canvas, pose, beast, ink, howl)
        else:
            continue
        scenery.mark(animal, reason)


def _rotate(points: Iterable[Point], pivot: Point, angle: float) -> list[Point]:
    c, s = math.cos(angle), math.sin(angle)
    pu, pv = pivot
    return [(pu + (u - pu) * c - (v - pv) * s, pv + (u - pu) * s + (v - pv) * c) for u, v in points]


def _beast(canvas: Canvas, p: Pose, beast: Beast, ink: RGB, howl: bool = False) -> None:
    f = Puppet(canvas, p, ink)
    turn = 0.75 if howl else 0.0  # a howling wolf lifts its head to the moon
    for centre, widths in beast.legs:
        f.limb(list(centre), widths)
    for shape in beast.shapes:
        f.shape(list(shape))
    f.shape(_rotate(beast.head, beast.pivot, turn))
    for ear in beast.ears:
        f.shape(_rotate(ear, beast.pivot, turn), smooth_edges=len(ear) > 4)


def _snake(canvas: Canvas, p: Pose, ink: RGB) -> None:
    pts = [(k * 0.4, 0.15 + 0.15 * math.sin(k * 1.6)) for k in np.linspace(-2.5, 2.5, 30)]
    canvas.tapered(p.pts(pts), p.len(0.05), p.len(0.25), ink)
    head = pts[-1]
    canvas.ellipse(*p.pt(head[0] + 0.15, head[1] + 0.05), p.len(0.22), p.len(0.15), ink)
    canvas.line(p.pts([(head[0] + 0.35, head[1] + 0.05), (head[0] + 0.55, head[1] + 0.1)]), p.len(0.03), ink)


def _perched_bird(canvas: Canvas, scenery: Scenery, kind: str, ink: RGB) -> None:
    """A raven or an owl on a branch that reaches in from the top corner — a frame as in a shadow play."""
    rng, u, w = scenery.rng, scenery.unit, scenery.w
    side = rng.choice([-1, 1])
    start = (w * (0.5 + side * 0.5), scenery.h * rng.uniform(0.08, 0.22))  # from the frame edge, not beyond it
    end = (w * (0.5 + side * rng.uniform(0.18, 0.28)), start[1] + u * rng.uniform(0.03, 0.08))
    mid = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2 + u * 0.03)
    canvas.tapered([start, mid, end], u * 0.03, u * 0.008, ink)
    for k in (0.35, 0.7):
        fx = start[0] + (end[0] - start[0]) * k
        twig = [(fx, start[1] + (end[1] - start[1]) * k), (fx - side * u * 0.05, start[1] - u * 0.05)]
        canvas.tapered(twig, u * 0.01, u * 0.003, ink)
    perch = (start[0] + (end[0] - start[0]) * 0.6, start[1] + (end[1] - start[1]) * 0.6 + u * 0.02)
    p = Pose(perch[0], perch[1] - u * 0.005, u * 0.1, -side)
    if kind == "owl":
        canvas.ellipse(*p.pt(0, 0.45), p.len(0.28), p.len(0.45), ink)
        canvas.ellipse(*p.pt(0, 0.95), p.len(0.25), p.len(0.22), ink)
        for s in (-1, 1):
            canvas.polygon(p.pts([(0.12 * s, 1.1), (0.22 * s, 1.32), (0.2 * s, 1.05)]), ink)
        for s in (-1, 1):
            canvas.ellipse(*p.pt(0.1 * s, 0.97), p.len(0.06), p.len(0.06), scenery.palette.light)
    else:
        canvas.ellipse(*p.pt(0, 0.45), p.len(0.42), p.len(0.25), ink)
        canvas.ellipse(*p.pt(0.35, 0.7), p.len(0.16), p.len(0.15), ink)
        canvas.polygon(p.pts([(0.45, 0.75), (0.75, 0.62), (0.45, 0.62)]), ink)  # beak
        canvas.polygon(p.pts([(-0.3, 0.5), (-0.85, 0.15), (-0.75, 0.35), (-0.25, 0.3)]), ink)  # tail
        for s in (-0.08, 0.08):
            canvas.line(p.pts([(s, 0.25), (s + 0.05, 0.0)]), p.len(0.04), ink)


def _dragon(canvas: Canvas, scenery: Scenery) -> None:
    """A winged dragon gliding across the sky, neck stretched forward, spiked tail trailing."""
    rng, u = scenery.rng, scenery.unit
    facing = int(rng.choice([-1, 1]))
    x = scenery.w * (0.5 + rng.uniform(-0.15, 0.15))
    y = scenery.h * rng.uniform(0.3, 0.38) if scenery.terrain == "cave" else scenery.horizon * rng.uniform(0.45, 0.6)
    p = Pose(x, y, u * (0.16 if scenery.terrain == "cave" else 0.22), facing)
    ink = scenery.palette.ink
    canvas.ellipse(*p.pt(0, 0.3), p.len(0.55), p.len(0.18), ink)
    canvas.tapered(p.pts([(0.4, 0.35), (0.7, 0.5), (0.95, 0.55), (1.1, 0.5)]), p.len(0.2), p.len(0.09), ink)
    canvas.polygon(p.pts([(1.05, 0.58), (1.45, 0.48), (1.4, 0.42), (1.05, 0.42)]), ink)  # head and jaw
    for du in (0.0, 0.08):
        canvas.polygon(p.pts([(1.02 - du, 0.56), (0.9 - du, 0.75), (1.1 - du, 0.58)]), ink)  # horns
    tail = [(-0.5, 0.3), (-0.9, 0.15), (-1.3, 0.25), (-1.6, 0.1)]
    canvas.tapered(p.pts(tail), p.len(0.14), p.len(0.04), ink)
    canvas.polygon(p.pts([(-1.55, 0.14), (-1.78, 0.05), (-1.6, 0.0)]), ink)
    flap = rng.uniform(0.6, 1.1)
    wing = [(0.2, 0.4), (0.0, 0.4 + flap), (-0.35, 0.45 + flap * 1.3), (-0.45, 0.9), (-0.62, 0.7), (-0.58, 0.5),
            (-0.8, 0.5), (-0.35, 0.35)]
    canvas.polygon(p.pts(wing), ink)
    for ru, rv in ((-0.35, 0.45 + flap * 1.3), (-0.45, 0.9), (-0.62, 0.7)):
        canvas.line(p.pts([(0.0, 0.4 + flap), (ru, rv)]), p.len(0.025), ink)
    for lu in (0.3, -0.3):
        canvas.tapered(p.pts([(lu, 0.2), (lu - 0.05, 0.02), (lu - 0.18, -0.02)]), p.len(0.08), p.len(0.04), ink)


def _sword_in_stone(canvas: Canvas, scenery: Scenery) -> None:
    u, ink = scenery.unit, scenery.palette.ink
    x = scenery.free_spot(u * 0.12)
    if x is None:
        return
    p = Pose(x, scenery.ground_at(x) + u * 0.01, u * 0.1)
    canvas.ellipse(*p.pt(0, 0.1), p.len(0.45), p.len(0.3), ink)
    canvas.line(p.pts([(0.02, 0.3), (0.02, 1.0)]), p.len(0.06), ink)
    canvas.line(p.pts([(-0.14, 0.9), (0.18, 0.9)]), p.len(0.05), ink)
    canvas.ellipse(*p.pt(0.02, 1.1), p.len(0.05), p.len(0.05), ink)
    scenery.mark("sword")


def _campfire(canvas: Canvas, scenery: Scenery, lights: list[tuple[float, float, float]]) -> None:
    u, pal = scenery.unit, scenery.palette
    x = scenery.free_spot(u * 0.15, 0.3, 0.7)
    if x is None:
        return
    p = Pose(x, scenery.ground_at(x) + u * 0.008, u * 0.1)
    for side in (-1, 1):  # crossed logs
        canvas.line(p.pts([(-0.35 * side, 0.02), (0.35 * side, 0.18)]), p.len(0.07), pal.ink)
    flame_colors = (mix(pal.light, (255, 90, 20), 0.5), pal.light, mix(pal.light, (255, 255, 255), 0.5))
    for k, color in enumerate(flame_colors):
        s = 1 - k * 0.3
        tongues = [(-0.25, 0.1), (-0.15, 0.5), (-0.05, 0.4), (0.02, 0.95), (0.12, 0.45), (0.22, 0.6), (0.25, 0.1)]
        canvas.polygon(p.pts([(u * s, v if v == 0.1 else v * s) for u, v in tongues]), color)
    lights.append((*p.pt(0, 0.35), u * 0.3))
    scenery.mark("campfire")


def _ghost(image: Image.Image, scenery: Scenery) -> None:
    """A pale translucent shape with a ragged hem, drawn on its own canvas so it can be see-through."""
    u, rng = scenery.unit, scenery.rng
    canvas = Canvas(scenery.size, scenery.ss)
    x = scenery.w * rng.uniform(0.55, 0.8)
    p = Pose(x, scenery.ground_at(x) - u * 0.05 if np.isfinite(scenery.ground_at(x)) else scenery.h * 0.7, u * 0.3, -1)
    color = mix(scenery.palette.glow, (255, 255, 255), 0.4)
    canvas.ellipse(*p.pt(0, 0.82), p.len(0.13), p.len(0.16), color)
    hem = [(0.18 - 0.09 * k, 0.05 * (k % 2)) for k in range(5)]
    canvas.polygon(p.pts([(0.13, 0.82), *hem, (-0.2, 0.1), (-0.13, 0.82)]), color)
    canvas.line(p.pts([(0.1, 0.68), (0.3, 0.6), (0.38, 0.66)]), p.len(0.04), color)
    for eye in (0.03, 0.09):
        canvas.ellipse(*p.pt(eye, 0.86), p.len(0.02), p.len(0.03), scenery.palette.ink)
    ghost = canvas.finish()
    ghost.putalpha(ghost.getchannel("A").point(lambda a: a * 55 // 100))
    image.alpha_composite(ghost)
    scenery.mark("ghost")
