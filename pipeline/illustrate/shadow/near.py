"""Near layer: the ground and what stands on it."""
from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw

from pipeline.illustrate.shadow.canvas import Canvas, Point, Pose, blend_patch, limb_outline, midpoint_ridge
from pipeline.illustrate.shadow.far import fill_below, windows
from pipeline.illustrate.shadow.icons import draw_icons
from pipeline.illustrate.shadow.layout import Scenery
from pipeline.illustrate.shadow.palettes import RGB, mix
from pipeline.illustrate.shadow.things import draw_ground_things
from pipeline.types import Genre


def draw_near(scenery: Scenery) -> Image.Image:
    canvas = Canvas(scenery.size, scenery.ss)
    pal, rng, h, w = scenery.palette, scenery.rng, scenery.h, scenery.w
    mid_y = scenery.horizon + h * 0.1
    if scenery.terrain == "sea":
        _draw_shore(canvas, scenery)
    else:
        _draw_midground(canvas, scenery, mid_y)
        if scenery.wants("water"):
            _draw_river(canvas, scenery, mid_y)
        profile = h * (scenery.subtitle_top - 0.02) - h * 0.035 * (0.5 + 0.5 * midpoint_ridge(rng, w, 0.45))
        scenery.ground = profile
        _fill_profile(canvas, scenery, profile, pal.ink)
    _draw_ground_things(canvas, scenery)
    draw_icons(canvas, scenery, "landmark")
    draw_ground_things(canvas.image, scenery, ("landmark", "tree", "vehicle"), canvas.ss)
    if scenery.terrain == "cave":
        _draw_cave(canvas, scenery)
    image = canvas.finish()
    _darken_downwards(image, int(mid_y - h * 0.05), int(h * 0.9), 0.45)
    if scenery.wants("fog"):
        _fog_over_ground(scenery, image, mid_y)
    return image


def _fog_over_ground(scenery: Scenery, image: Image.Image, mid_y: float) -> None:
    """Low fog in front of the midground: the near ground fades into it."""
    w, h = scenery.w, scenery.h
    y0, y1 = max(0, int(mid_y - h * 0.12)), min(h, int(mid_y + h * 0.2))
    t = np.linspace(-1, 1, y1 - y0, dtype=np.float32)[:, None]
    density = 0.5 + 0.5 * midpoint_ridge(scenery.rng, w, 0.6).astype(np.float32)[None, :]
    patch = np.empty((y1 - y0, w, 4), np.float32)
    patch[..., :3] = np.array(mix(scenery.palette.sky[2], (255, 255, 255), 0.2), np.float32) / 255
    patch[..., 3] = 0.6 * np.exp(-(t**2) * 3) * (0.4 + 0.6 * density)
    blend_patch(image, patch, 0, y0)
    scenery.mark("fog")


def _darken_downwards(image: Image.Image, y0: int, y1: int, strength: float) -> None:
    """Shade the midground darker toward the viewer, so the flat plane reads as receding ground."""
    y0, y1 = max(0, y0), min(image.height, y1)
    band = np.asarray(image.crop((0, y0, image.width, image.height)), dtype=np.float32)
    ramp = np.clip((np.arange(band.shape[0], dtype=np.float32) / max(1, y1 - y0)), 0, 1) * strength
    band[..., :3] *= (1 - ramp)[:, None, None]
    image.paste(Image.fromarray(band.astype(np.uint8), "RGBA"), (0, y0))


def _fill_profile(canvas: Canvas, scenery: Scenery, profile: np.ndarray, color: RGB) -> None:
    xs = [x for x in range(0, scenery.w, max(1, scenery.w // 500)) if np.isfinite(profile[x])]
    if xs:
        pts = [(float(x), float(profile[x])) for x in xs]
        canvas.polygon(pts + [(xs[-1] + 1, scenery.h), (xs[0], scenery.h)], color)
    _grass(canvas, scenery, profile, color)


def _grass(canvas: Canvas, scenery: Scenery, profile: np.ndarray, color: RGB) -> None:
    """Tufts along the ground line (taller in a field, reeds in a swamp)."""
    rng, u = scenery.spawn(), scenery.unit
    field_, reeds = scenery.wants("field"), scenery.wants("reeds")
    tall = 0.07 if field_ else 0.1 if reeds else 0.025
    step = u * (0.006 if field_ else 0.012)
    for x in np.arange(0, scenery.w, step):
        y = profile[int(x)]
        if not np.isfinite(y) or rng.random() < 0.35:
            continue
        blade = u * tall * rng.uniform(0.3, 1.0)
        lean = rng.normal(0, 0.25) * blade
        canvas.polygon([(x - step * 0.6, y + 2), (x + lean, y - blade), (x + step * 0.6, y + 2)], color)
        if reeds and rng.random() < 0.15:
            canvas.ellipse(x + lean, y - blade, u * 0.005, u * 0.018, color)
        if field_ and rng.random() < 0.08:
            canvas.ellipse(x + lean, y - blade, u * 0.006, u * 0.014, color)
    for element in ("field", "reeds"):
        if scenery.wants(element):
            scenery.mark(element)


def _draw_midground(canvas: Canvas, scenery: Scenery, mid_y: float) -> None:
    """The plane between far hills and the ground: a tree line, the castle on its hill, houses, a church."""
    pal, rng, h = scenery.palette, scenery.rng, scenery.h
    color = pal.plane(0.78)
    profile = mid_y - h * 0.07 * (0.5 + 0.5 * midpoint_ridge(rng, scenery.w, 0.5))
    castle_side = rng.choice([-1, 1])
    if scenery.wants("castle") or scenery.wants("tower"):
        _draw_castle_on_hill(canvas, scenery, castle_side, profile, mix(color, pal.ink, 0.15))
    if scenery.wants("trees"):
        _tree_line(canvas, scenery, profile, color)
    for element, draw in (("church", _church), ("mill", _mill)):
        if scenery.wants(element):
            x = scenery.w * (0.5 - castle_side * rng.uniform(0.15, 0.35))
            draw(canvas, scenery, x, float(profile[int(x)]) + h * 0.01, color)
            scenery.mark(element)
    fill_below(canvas, scenery, profile, color)
    if scenery.wants("train"):
        rail_y = float(np.min(profile)) + h * 0.01
        canvas.rect(0, rail_y, scenery.w, scenery.h, color)  # the embankment
        _draw_train(canvas, scenery, rail_y, mix(color, pal.ink, 0.5))
    if scenery.wants("village"):
        _village(canvas, scenery, profile, color, castle_side)


def _draw_castle_on_hill(canvas: Canvas, scenery: Scenery, side: int, profile: np.ndarray, color: RGB) -> None:
    rng, u, w = scenery.rng, scenery.unit, scenery.w
    big = scenery.wants("castle")
    cx = w * (0.5 + side * rng.uniform(0.16, 0.28))
    width = u * (rng.uniform(0.45, 0.6) if big else 0.1)
    hill_top = float(profile[int(cx)]) - u * rng.uniform(0.06, 0.12)
    half = width * 1.4
    flat = width * 0.55 / half  # flat under the walls, so no corner of the castle hangs in the air
    slope = [(max(0.0, abs(dx) - flat) / (1 - flat)) ** 1.5 for dx in np.linspace(-1, 1, 48)]
    hill = [(cx + dx * half, hill_top + k * u * 0.2) for dx, k in zip(np.linspace(-1, 1, 48), slope)]
    canvas.polygon(hill + [(cx + half, scenery.h), (cx - half, scenery.h)], color)
    if big:
        _castle(canvas, rng, cx, hill_top + u * 0.01, width, u * rng.uniform(0.3, 0.4), color, scenery.palette.light)
        scenery.mark("castle")
    if scenery.wants("tower"):
        tx = cx + (width * 0.8 if big else 0)
        _tower(canvas, rng, tx, hill_top + u * 0.02, u * 0.06, u * 0.38, color, scenery.palette.light, roof="cone")
        scenery.mark("tower")


def _castle(
    canvas: Canvas, rng: np.random.Generator, cx: float, base: float, width: float, height: float, color: RGB, light: RGB
) -> None:
    """Curtain walls between towers of varied height; crenellations, spires with pennants, lit windows."""
    n = int(rng.integers(3, 6))
    xs = np.linspace(cx - width / 2, cx + width / 2, n)
    wall_h = height * rng.uniform(0.3, 0.4)
    canvas.rect(xs[0], base - wall_h, xs[-1], base + height * 0.1, color)
    _merlons(canvas, xs[0], xs[-1], base - wall_h, height * 0.035, color)
    keep = int(rng.integers(1, n - 1))
    for i, x in enumerate(xs):
        th = height * (1.0 if i == keep else rng.uniform(0.5, 0.8))
        tw = width * (0.16 if i == keep else rng.uniform(0.08, 0.12))
        _tower(canvas, rng, x, base, tw, th, color, light, roof="cone" if rng.random() < 0.6 else "merlons")
    gate_w = width * 0.06
    gx = (xs[keep] + xs[keep - 1]) / 2
    gate = mix(color, (0, 0, 0), 0.5)
    canvas.rect(gx - gate_w, base - wall_h * 0.45, gx + gate_w, base, gate)
    canvas.ellipse(gx, base - wall_h * 0.45, gate_w, gate_w, gate)


def _tower(
    canvas: Canvas, rng: np.random.Generator, x: float, base: float, tw: float, th: float, color: RGB, light: RGB, roof: str
) -> None:
    top = base - th
    canvas.rect(x - tw / 2, top, x + tw / 2, base, color)
    if roof == "cone":
        eave = tw * 0.12
        spire = top - tw * rng.uniform(1.3, 2.0)
        canvas.polygon([(x - tw / 2 - eave, top), (x, spire), (x + tw / 2 + eave, top)], color)
        canvas.line([(x, spire), (x, spire - tw * 0.5)], max(1.0, tw * 0.04), color)
        canvas.polygon([(x, spire - tw * 0.5), (x + tw * 0.45, spire - tw * 0.4), (x, spire - tw * 0.3)], color)
    else:
        canvas.rect(x - tw * 0.6, top - tw * 0.15, x + tw * 0.6, top + tw * 0.05, color)
        _merlons(canvas, x - tw * 0.6, x + tw * 0.6, top - tw * 0.15, tw * 0.18, color)
    for wy in np.arange(top + tw * 0.6, base - tw * 0.8, tw * 1.1):
        if rng.random() < 0.55:
            ww = tw * 0.14
            canvas.rect(x - ww, wy, x + ww, wy + tw * 0.35, light)
            canvas.ellipse(x, wy, ww, ww, light)


def _merlons(canvas: Canvas, x0: float, x1: float, top: float, size: float, color: RGB) -> None:
    for x in np.arange(x0, x1 - size * 0.5, size * 2):
        canvas.rect(x, top - size, x + size, top + 1, color)


def _tree_line(canvas: Canvas, scenery: Scenery, profile: np.ndarray, color: RGB) -> None:
    rng, u = scenery.rng, scenery.unit
    x = -u * 0.03
    while x < scenery.w + u * 0.03:
        height = u * rng.uniform(0.12, 0.26)
        base = float(profile[int(min(max(x, 0), scenery.w - 1))]) + u * 0.02
        _any_tree(canvas, scenery, x, base, height, color)
        x += height * rng.uniform(0.18, 0.42)
    scenery.mark("trees")


def _any_tree(canvas: Canvas, scenery: Scenery, x: float, base: float, height: float, color: RGB) -> None:
    genre, rng = scenery.plan.genre, scenery.rng
    if genre == Genre.horror and rng.random() < 0.5:
        _bare_tree(canvas, rng, x, base, height, color)
    elif genre in (Genre.fairy_tale, Genre.comedy, Genre.fable, Genre.bylina) and rng.random() < 0.35:
        _round_tree(canvas, rng, x, base, height * 0.8, color)
    else:
        _fir(canvas, rng, x, base, height, color)


def _fir(canvas: Canvas, rng: np.random.Generator, x: float, base: float, height: float, color: RGB) -> None:
    """Tiers of drooping triangles on a thin trunk."""
    tiers = int(rng.integers(4, 7))
    width = height * rng.uniform(0.28, 0.38)
    canvas.rect(x - width * 0.05, base - height * 0.2, x + width * 0.05, base, color)
    for i in range(tiers):
        k = (i + 1) / tiers
        top = base - height * (1 - 0.8 * i / tiers)
        bottom = base - height * 0.12 - (height * 0.88) * (1 - k) * 0.85
        half = width * (0.25 + 0.75 * k) / 2
        droop = bottom + half * 0.15
        canvas.polygon([(x, top), (x + half, droop), (x + half * 0.5, bottom), (x - half * 0.5, bottom), (x - half, droop)], color)


def _round_tree(canvas: Canvas, rng: np.random.Generator, x: float, base: float, height: float, color: RGB) -> None:
    """A leafy tree: a tapering trunk that forks, under a lumpy dome of leaf puffs."""
    trunk = height * 0.05
    top = (x + rng.normal(0, trunk), base - height * 0.62)
    bend = (x + rng.normal(0, trunk * 0.5), base - height * 0.3)
    canvas.polygon(limb_outline([(x, base), bend, top], [trunk * 2.6, trunk * 1.4, trunk]), color)
    for side in (-1, 1):
        fork = (x + side * height * rng.uniform(0.12, 0.22), base - height * rng.uniform(0.62, 0.75))
        canvas.polygon(limb_outline([(x, base - height * 0.38), fork], [trunk * 1.1, trunk * 0.4]), color)
    cx, cy, radius = top[0], base - height * 0.7, height * 0.34
    for _ in range(28):
        angle, dist = rng.uniform(0, 2 * math.pi), math.sqrt(rng.random())
        px, py = cx + math.cos(angle) * dist * radius * 0.85, cy + math.sin(angle) * dist * radius * 0.55
        r = radius * rng.uniform(0.15, 0.28)
        canvas.ellipse(px, py, r, r * 0.85, color)


def _bare_tree(canvas: Canvas, rng: np.random.Generator, x: float, base: float, height: float, color: RGB) -> None:
    """A gnarled leafless tree by recursive branching."""
    _branch(canvas, rng, (x, base), -math.pi / 2 + rng.normal(0, 0.08), height * 0.38, height * 0.07, 6, color)


def _branch(
    canvas: Canvas, rng: np.random.Generator, start: Point, angle: float, length: float, width: float, depth: int, color: RGB
) -> None:
    mid = (start[0] + math.cos(angle + rng.normal(0, 0.2)) * length / 2, start[1] + math.sin(angle) * length / 2)
    end = (mid[0] + math.cos(angle) * length / 2, mid[1] + math.sin(angle + rng.normal(0, 0.15)) * length / 2)
    canvas.tapered([start, mid, end], width, width * 0.7, color)
    if depth == 0:
        return
    for spread in (rng.uniform(0.25, 0.6), -rng.uniform(0.25, 0.6))[: 2 if rng.random() < 0.9 else 1]:
        _branch(canvas, rng, end, angle + spread, length * rng.uniform(0.62, 0.78), width * 0.66, depth - 1, color)


def _church(canvas: Canvas, scenery: Scenery, x: float, base: float, color: RGB) -> None:
    u, light = scenery.unit, scenery.palette.light
    bw, bh = u * 0.12, u * 0.1
    canvas.rect(x - bw / 2, base - bh, x + bw / 2, base, color)
    canvas.polygon([(x - bw * 0.6, base - bh), (x, base - bh - u * 0.05), (x + bw * 0.6, base - bh)], color)
    drum_w, drum_h = bw * 0.35, u * 0.06
    canvas.rect(x - drum_w / 2, base - bh - drum_h - u * 0.02, x + drum_w / 2, base - bh, color)
    _onion(canvas, x, base - bh - drum_h - u * 0.02, drum_w * 0.75, color)
    canvas.rect(x - bw * 0.05, base - bh * 0.6, x + bw * 0.05, base - bh * 0.25, light)


def _onion(canvas: Canvas, x: float, base: float, r: float, color: RGB) -> None:
    canvas.ellipse(x, base - r * 0.9, r, r, color)
    canvas.polygon([(x - r * 0.7, base - r * 1.5), (x, base - r * 3.0), (x + r * 0.7, base - r * 1.5)], color)
    canvas.line([(x, base - r * 3.0), (x, base - r * 3.9)], max(1.0, r * 0.08), color)
    canvas.line([(x - r * 0.3, base - r * 3.55), (x + r * 0.3, base - r * 3.55)], max(1.0, r * 0.08), color)


def _mill(canvas: Canvas, scenery: Scenery, x: float, base: float, color: RGB) -> None:
    u = scenery.unit
    bw, bh = u * 0.06, u * 0.16
    canvas.polygon([(x - bw, base), (x - bw * 0.6, base - bh), (x + bw * 0.6, base - bh), (x + bw, base)], color)
    canvas.polygon([(x - bw * 0.75, base - bh), (x, base - bh - bw), (x + bw * 0.75, base - bh)], color)
    hub = (x, base - bh - bw * 0.2)
    turn = scenery.rng.uniform(0, math.pi / 2)
    for k in range(4):
        a = turn + k * math.pi / 2
        tip = (hub[0] + math.cos(a) * u * 0.14, hub[1] + math.sin(a) * u * 0.14)
        side = (math.cos(a + math.pi / 2) * u * 0.018, math.sin(a + math.pi / 2) * u * 0.018)
        canvas.line([hub, tip], max(1.0, u * 0.004), color)
        inner = (hub[0] + (tip[0] - hub[0]) * 0.3, hub[1] + (tip[1] - hub[1]) * 0.3)
        canvas.polygon([inner, tip, (tip[0] + side[0], tip[1] + side[1]), (inner[0] + side[0], inner[1] + side[1])], color)


def _village(canvas: Canvas, scenery: Scenery, profile: np.ndarray, color: RGB, castle_side: int) -> None:
    rng, u = scenery.rng, scenery.unit
    lo, hi = (0.05, 0.5) if castle_side > 0 else (0.5, 0.95)
    smoke = mix(color, scenery.palette.sky[2], 0.5)
    for x in rng.uniform(lo - 0.05, hi + 0.05, 3) * scenery.w:  # trees among the houses
        base = float(profile[int(min(max(x, 0), scenery.w - 1))]) + u * 0.015
        _any_tree(canvas, scenery, x, base, u * rng.uniform(0.12, 0.18), color)
    for x in sorted(rng.uniform(lo, hi, int(rng.integers(3, 6))) * scenery.w):
        size = u * rng.uniform(0.07, 0.1)
        _house(canvas, rng, x, float(profile[int(x)]) + u * 0.015, size, color, scenery.palette.light, smoke)
    scenery.mark("village")


def _house(
    canvas: Canvas, rng: np.random.Generator, x: float, base: float, size: float, color: RGB, light: RGB, smoke: RGB
) -> None:
    """An izba: log walls, a steep roof with an overhang, a chimney, a lit window with a cross frame."""
    bw, bh = size * 1.3, size * 0.8
    canvas.rect(x - bw / 2, base - bh, x + bw / 2, base, color)
    roof_top = base - bh - size * 0.75
    canvas.polygon([(x - bw * 0.62, base - bh), (x, roof_top), (x + bw * 0.62, base - bh)], color)
    chimney = x + bw * 0.22
    canvas.rect(chimney - size * 0.07, roof_top + size * 0.2, chimney + size * 0.07, base - bh - size * 0.2, color)
    for k in range(4):  # a wisp of smoke
        puff = (chimney + k * size * 0.12, roof_top + size * 0.05 - k * size * 0.2)
        canvas.ellipse(*puff, size * (0.07 + 0.03 * k), size * (0.05 + 0.02 * k), smoke, 150 - 30 * k)
    ww = size * 0.22
    wx = x - bw * 0.2 if rng.random() < 0.5 else x + bw * 0.15
    canvas.rect(wx - ww / 2, base - bh * 0.72, wx + ww / 2, base - bh * 0.72 + ww * 1.1, light)
    wy, bar = base - bh * 0.72, max(1.0, ww * 0.12)
    canvas.line([(wx, wy), (wx, wy + ww * 1.1)], bar, color)
    canvas.line([(wx - ww / 2, wy + ww * 0.5), (wx + ww / 2, wy + ww * 0.5)], bar, color)


def _draw_train(canvas: Canvas, scenery: Scenery, rail_y: float, color: RGB) -> None:
    u, rng = scenery.unit, scenery.rng
    car_w, car_h = u * 0.14, u * 0.06
    direction = rng.choice([-1, 1])
    x = scenery.w * rng.uniform(0.3, 0.6)
    smoke = mix(color, scenery.palette.sky[2], 0.55)
    for k in range(5):
        puff = (x + direction * (car_w * 0.35 - k * u * 0.05), rail_y - car_h * 2.2 - k * u * 0.02)
        canvas.ellipse(*puff, u * (0.015 + 0.008 * k), u * (0.012 + 0.006 * k), smoke, 200 - 30 * k)
    canvas.rect(x - car_w / 2, rail_y - car_h, x + car_w / 2, rail_y - car_h * 0.2, color)  # boiler
    cab = x - direction * car_w * 0.35
    canvas.rect(cab - car_w * 0.15, rail_y - car_h * 1.7, cab + car_w * 0.15, rail_y - car_h * 0.2, color)
    funnel = x + direction * car_w * 0.3
    canvas.rect(funnel - u * 0.006, rail_y - car_h * 1.8, funnel + u * 0.006, rail_y - car_h, color)
    for k in range(1, 4):
        cx = x - direction * k * car_w * 1.1
        canvas.rect(cx - car_w / 2, rail_y - car_h * 1.4, cx + car_w / 2, rail_y - car_h * 0.2, color)
        windows(canvas, rng, cx - car_w / 2, rail_y - car_h * 1.3, car_w, car_h * 0.7, scenery.palette.light, density=0.8)
    for k in range(16):
        wx = x + direction * car_w * 0.4 - direction * k * car_w * 0.28
        canvas.ellipse(wx, rail_y - car_h * 0.15, car_h * 0.18, car_h * 0.18, color)
    canvas.rect(0, rail_y - u * 0.003, scenery.w, rail_y + u * 0.003, color)
    scenery.mark("train")


def _draw_river(canvas: Canvas, scenery: Scenery, mid_y: float) -> None:
    """A band of water between the midground and the ground, lit along the reflection of the sky body."""
    pal, rng, u = scenery.palette, scenery.spawn(), scenery.unit
    top, bottom = mid_y + scenery.h * 0.005, scenery.h * 0.86
    water = mix(pal.sky[2], pal.ink, 0.45)
    canvas.rect(0, top, scenery.w, bottom, water)
    gx = scenery.sky_body[0] if scenery.sky_body else scenery.w / 2
    for _ in range(int(50 * scenery.w / 1280)):
        y = rng.uniform(top, bottom)
        half = u * rng.uniform(0.01, 0.06) * (1 + (y - top) / (bottom - top))
        x = gx + rng.normal(0, u * 0.06) if rng.random() < 0.6 else rng.uniform(0, scenery.w)
        canvas.rect(x - half, y, x + half, y + max(1.0, u * 0.002), mix(pal.glow, pal.sky[2], 0.4), 200)
    if scenery.wants("bridge"):
        _bridge(canvas, scenery, top, bottom, water)
    scenery.mark("water")


def _bridge(canvas: Canvas, scenery: Scenery, top: float, bottom: float, water: RGB) -> None:
    """A humped stone bridge whose three arches stand in the river."""
    u, rng = scenery.unit, scenery.rng
    color = scenery.palette.plane(0.9)
    x, half, hump = scenery.w * rng.uniform(0.3, 0.7), u * 0.4, u * 0.05
    deck, foot = top - u * 0.01, top + (bottom - top) * 0.6
    upper = [(x + half * k, deck - hump * (1 - k * k)) for k in np.linspace(-1, 1, 24)]
    canvas.polygon(upper + [(x + half, foot), (x - half, foot)], color)
    canvas.polygon(limb_outline([(px, py - u * 0.03) for px, py in upper], [u * 0.008] * len(upper)), color)  # handrail
    for px, py in upper[::3]:
        canvas.rect(px - u * 0.003, py - u * 0.03, px + u * 0.003, py, color)
    for k in (-0.6, 0.0, 0.6):
        ax = x + half * k
        rise = (foot - deck + hump * (1 - k * k)) * 0.75
        canvas.ellipse(ax, foot, half * 0.22, rise, water)
    scenery.mark("bridge")


def _draw_shore(canvas: Canvas, scenery: Scenery) -> None:
    """At sea: rows of stylised waves and a rocky shore on one side where figures can stand."""
    rng, pal, u, w, h = scenery.rng, scenery.palette, scenery.unit, scenery.w, scenery.h
    side = rng.choice([-1, 1])
    crowd = len(scenery.plan.actors) + sum(d.place != "sky" for d in scenery.plan.things.values())
    width = w * (rng.uniform(0.3, 0.4) + min(0.2, 0.05 * crowd))  # room on the shore for who stands there
    if scenery.wants("ship"):
        _ship(canvas, scenery, w * (0.5 - side * rng.uniform(0.05, 0.25)), scenery.horizon + h * 0.12, u * 0.3, pal.plane(0.85))
    for row, depth in ((0.8, 0.8), (0.9, 0.95)):
        _waves(canvas, scenery, h * row, u * 0.03 * (1 + row - 0.8), pal.plane(depth))
    xs = np.arange(w)
    edge = (xs < width) if side < 0 else (xs > w - width)
    dist = np.where(side < 0, width - xs, xs - (w - width)) / width
    drop_off = h * 2.0 * np.clip(0.25 - dist, 0, 1) ** 1.5  # the cliff falls away at the water's edge
    cliff = h * 0.78 - h * 0.03 * (0.5 + 0.5 * midpoint_ridge(rng, w, 0.5)) + drop_off
    profile = np.where(edge, cliff, np.inf)
    scenery.ground = profile
    _fill_profile(canvas, scenery, profile, pal.ink)
    scenery.mark("shore", "setting: sea")


def _waves(canvas: Canvas, scenery: Scenery, y: float, amp: float, color: RGB) -> None:
    """A row of curling wave crests over a band of water colour down to the bottom edge."""
    period = amp * 7
    pts: list[Point] = [(0.0, scenery.h)]
    for x in np.arange(-period, scenery.w + period, period / 12):
        phase = (x % period) / period
        crest = y - amp * (math.sin(phase * math.pi) ** 3) * (1.6 if phase > 0.5 else 1.0)
        pts.append((float(x), crest))
    pts.append((scenery.w, scenery.h))
    canvas.polygon(pts, color)


def _ship(canvas: Canvas, scenery: Scenery, x: float, water_y: float, size: float, color: RGB) -> None:
    """A sailing ship: curved hull, high stern, two masts with bellied sails and pennants."""
    facing = scenery.rng.choice([-1, 1])
    p = Pose(x, water_y, size, facing)
    hull = [(-0.5, 0.12), (-0.42, 0.0), (0.38, 0.0), (0.55, 0.14), (0.3, 0.1), (-0.3, 0.1), (-0.42, 0.2), (-0.5, 0.2)]
    canvas.polygon(p.pts(hull), color)
    for mast_u, mast_h in ((-0.12, 0.85), (0.18, 0.75)):
        canvas.line(p.pts([(mast_u, 0.08), (mast_u, mast_h)]), p.len(0.012), color)
        for k, (lo, hi) in enumerate(((0.2, 0.45), (0.5, 0.7))):
            half = 0.14 - 0.03 * k
            left, right, mid = mast_u - half, mast_u + half, (lo + hi) / 2
            belly = [(left, hi), (right, hi), (right + 0.04, mid), (right, lo), (left, lo), (left + 0.04, mid)]
            canvas.polygon(p.pts(belly), color)
        canvas.polygon(p.pts([(mast_u, mast_h), (mast_u + 0.12, mast_h - 0.03), (mast_u, mast_h - 0.06)]), color)
    canvas.line(p.pts([(0.38, 0.1), (0.62, 0.28)]), p.len(0.01), color)  # bowsprit
    scenery.mark("ship")


def _draw_cave(canvas: Canvas, scenery: Scenery) -> None:
    """Seen from inside: a black rock frame around a ragged opening, stalactites hanging from its top."""
    rng, w, h, u, ink = scenery.rng, scenery.w, scenery.h, scenery.unit, scenery.palette.ink
    cx, cy, rx, ry = w * 0.5, h * 0.55, w * 0.42, h * 0.5
    noise = midpoint_ridge(rng, 256, 0.6)
    angles = np.linspace(0, 2 * math.pi, 256, endpoint=False)
    opening = [(cx + math.cos(a) * rx * (1 + 0.07 * n), cy + math.sin(a) * ry * (1 + 0.07 * n)) for a, n in zip(angles, noise)]
    frame = Image.new("L", canvas.image.size, 255)
    ImageDraw.Draw(frame).polygon([(x * canvas.ss, y * canvas.ss) for x, y in opening], fill=0)
    canvas.image.paste((*ink, 255), mask=frame)
    for x in rng.uniform(cx - rx * 0.8, cx + rx * 0.8, 14):
        k = (x - cx) / rx
        top = cy - ry * math.sqrt(max(0.0, 1 - k * k)) - 2
        length, half = u * rng.uniform(0.04, 0.16), u * rng.uniform(0.012, 0.03)
        canvas.polygon([(x - half, top), (x + rng.normal(0, half * 0.3), top + length), (x + half, top)], ink)
    scenery.mark("cave")


def _draw_ground_things(canvas: Canvas, scenery: Scenery) -> None:
    """Things that stand on the ground in front: a single house, graves, a road, a big tree, a framing branch."""
    rng, u, pal = scenery.rng, scenery.unit, scenery.palette
    if scenery.wants("road") and scenery.terrain == "land":
        _road(canvas, scenery)
    if scenery.wants("house"):
        x = scenery.free_spot(u * 0.4, 0.06, 0.94)
        if x is not None:
            _house(canvas, rng, x, scenery.ground_at(x) + u * 0.02, u * 0.2, pal.ink, pal.light, mix(pal.ink, pal.sky[2], 0.45))
            scenery.mark("house")
    if scenery.wants("graves"):
        _graves(canvas, scenery)
    framing_tree = scenery.wants("big tree") or (scenery.wants("trees") and rng.random() < 0.7)
    if framing_tree and scenery.terrain == "land":
        side = rng.choice([-1, 1])
        x = scenery.w * (0.5 + side * rng.uniform(0.4, 0.47))
        height = u * rng.uniform(0.7, 0.95)
        leafy = scenery.wants("big tree") or rng.random() < 0.5  # "дуб", "tree" ask for a broad tree, not a fir
        draw = _bare_tree if scenery.plan.genre in (Genre.horror, Genre.tragedy) else _round_tree if leafy else _fir
        draw(canvas, rng, x, scenery.ground_at(x) + u * 0.02, height, pal.ink)
        scenery.taken.append((x - u * 0.1, x + u * 0.1))
        scenery.mark("big tree", scenery.plan.elements.get("big tree", scenery.plan.elements.get("trees")))


def _road(canvas: Canvas, scenery: Scenery) -> None:
    """A pale road winding from the bottom edge toward the horizon."""
    u, h, pal = scenery.unit, scenery.h, scenery.palette
    x0 = scenery.w * scenery.rng.uniform(0.35, 0.65)
    color = mix(pal.ink, pal.sky[2], 0.28)
    pts_l, pts_r = [], []
    for k in np.linspace(0, 1, 30):
        y = h - (h - scenery.horizon - h * 0.2) * k
        x = x0 + math.sin(k * 5 + 1) * u * 0.15 * (1 - k)
        half = u * (0.22 * (1 - k) + 0.01)
        pts_l.append((x - half, y))
        pts_r.append((x + half, y))
    canvas.polygon(pts_l + pts_r[::-1], color)
    scenery.mark("road")


def _graves(canvas: Canvas, scenery: Scenery) -> None:
    rng, u, ink = scenery.rng, scenery.unit, scenery.palette.ink
    for _ in range(int(rng.integers(3, 6))):
        x = scenery.free_spot(u * 0.06)
        if x is None:
            continue
        y = scenery.ground_at(x) + u * 0.01
        tilt = rng.normal(0, 0.05)
        if rng.random() < 0.5:
            p = Pose(x, y, u * rng.uniform(0.1, 0.16))
            canvas.line(p.pts([(0, 0), (tilt, 1)]), p.len(0.09), ink)
            canvas.line(p.pts([(-0.3 + tilt * 0.7, 0.72), (0.3 + tilt * 0.7, 0.72)]), p.len(0.09), ink)
        else:
            gw, gh = u * 0.035, u * rng.uniform(0.06, 0.1)
            canvas.rect(x - gw, y - gh, x + gw, y, ink)
            canvas.ellipse(x, y - gh, gw, gw, ink)
    scenery.mark("graves")
