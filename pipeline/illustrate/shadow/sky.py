"""Sky layer: the gradient, the sun or moon, stars, clouds, lightning, and things that hang in the sky."""
from __future__ import annotations

from typing import Iterable

import numpy as np
from PIL import Image

from pipeline.illustrate.shadow import weather
from pipeline.illustrate.shadow.canvas import Canvas
from pipeline.illustrate.shadow.icons import draw_sky_icons
from pipeline.illustrate.shadow.layout import Scenery
from pipeline.illustrate.shadow.palettes import RGB, mix
from pipeline.types import Genre


def draw_sky(scenery: Scenery) -> Image.Image:
    w, h, pal = scenery.w, scenery.h, scenery.palette
    stops_y = np.array([0.0, 0.42, scenery.horizon / h + 0.04])
    stops = np.array(pal.sky, np.float32) / 255
    t = np.linspace(0, 1, h)
    column = np.stack([np.interp(t, stops_y, stops[:, c]) for c in range(3)], axis=1)
    sky = np.repeat(column[:, None, :], w, axis=1).astype(np.float32)
    body = _place_sky_body(scenery)
    if body:
        x, y, r = body
        yy, xx = np.ogrid[0:h, 0:w]
        dist = np.sqrt((xx - x) ** 2 + ((yy - y) * 1.15) ** 2).astype(np.float32)
        glow = np.exp(-dist / (r * 5))[..., None] * 0.55 + np.exp(-dist / (r * 1.6))[..., None] * 0.35
        sky += (np.array(pal.glow, np.float32) / 255 - sky) * np.clip(glow, 0, 1)
    _vignette(sky)
    rgba = np.concatenate([sky, np.ones((h, w, 1), np.float32)], axis=2)
    if scenery.wants("stars") and scenery.plan.time_of_day in ("night", "dusk"):
        _draw_stars(scenery, rgba)
    if body:
        _draw_sky_body(scenery, rgba, *body)
    image = Image.fromarray((np.clip(rgba, 0, 1) * 255 + 0.5).astype(np.uint8), "RGBA")
    if scenery.wants("clouds"):
        image.alpha_composite(_draw_clouds(scenery))
    if scenery.wants("lightning"):
        light = mix(pal.glow, (255, 255, 255), 0.6)
        weather.lightning(image, scenery.spawn(), scenery.unit, scenery.horizon * 0.3, scenery.horizon * 1.02, light)
        scenery.mark("lightning")
    if scenery.terrain != "cave":
        draw_sky_icons(image, scenery)
    return image


def _place_sky_body(scenery: Scenery) -> tuple[float, float, float] | None:
    moon = scenery.wants("moon")
    if not moon and not scenery.wants("sun"):
        return None
    rng = scenery.rng
    low = scenery.plan.time_of_day in ("dusk", "dawn") and not moon
    x = scenery.w * float(rng.choice([rng.uniform(0.15, 0.38), rng.uniform(0.62, 0.85)]))
    y = scenery.horizon * (rng.uniform(0.72, 0.88) if low else rng.uniform(0.2, 0.38))
    r = scenery.unit * (rng.uniform(0.07, 0.1) if moon and scenery.plan.genre == Genre.horror else rng.uniform(0.045, 0.07))
    scenery.sky_body = (x, y, r)
    return scenery.sky_body


def _disk_alpha(xx: np.ndarray, yy: np.ndarray, cx: float, cy: float, r: float) -> np.ndarray:
    return np.clip(r - np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2) + 0.5, 0, 1)


def _paint(rgba: np.ndarray, alpha: np.ndarray, color: Iterable[float], box: tuple[int, int, int, int]) -> None:
    x0, y0, x1, y1 = box
    region = rgba[y0:y1, x0:x1, :3]
    region += (np.array(list(color), np.float32) - region) * alpha[..., None]


def _box(scenery: Scenery, cx: float, cy: float, r: float) -> tuple[int, int, int, int]:
    return (max(0, int(cx - r - 2)), max(0, int(cy - r - 2)), min(scenery.w, int(cx + r + 3)), min(scenery.h, int(cy + r + 3)))


def _draw_sky_body(scenery: Scenery, rgba: np.ndarray, x: float, y: float, r: float) -> None:
    box = _box(scenery, x, y, r)
    yy, xx = np.mgrid[box[1] : box[3], box[0] : box[2]].astype(np.float32)
    color = np.array(scenery.palette.glow, np.float32) / 255
    disk = _disk_alpha(xx, yy, x, y, r)
    if scenery.wants("moon"):
        crescent = scenery.plan.genre not in (Genre.horror, Genre.tragedy) and scenery.rng.random() < 0.5
        if crescent:
            disk *= 1 - _disk_alpha(xx, yy, x + r * 0.45, y - r * 0.2, r * 0.92)
        _paint(rgba, disk, color, box)
        for _ in range(0 if crescent else 4):  # a few soft "seas" on a full moon
            cx, cy = x + scenery.rng.uniform(-0.6, 0.4) * r, y + scenery.rng.uniform(-0.6, 0.5) * r
            spread = r * scenery.rng.uniform(0.15, 0.3)
            spot = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / spread**2) * disk * 0.18
            _paint(rgba, spot, color * 0.75, box)
        scenery.mark("moon")
    else:
        _paint(rgba, disk, np.minimum(color * 1.05, 1), box)
        scenery.mark("sun")


def _draw_stars(scenery: Scenery, rgba: np.ndarray) -> None:
    rng = scenery.spawn()
    count = int(scenery.w * scenery.h / (3500 if scenery.plan.time_of_day == "night" else 9000))
    scale = scenery.unit / 720
    for _ in range(count):
        x, y = rng.uniform(0, scenery.w), scenery.horizon * rng.random() ** 1.6
        r = scale * (0.5 + 1.2 * rng.random() ** 4)
        box = _box(scenery, x, y, r + 1)
        yy, xx = np.mgrid[box[1] : box[3], box[0] : box[2]].astype(np.float32)
        brightness = rng.uniform(0.35, 1.0) * (1 - 0.6 * y / scenery.horizon)
        _paint(rgba, _disk_alpha(xx, yy, x, y, r + 0.3) * brightness, (1.0, 0.98, 0.9), box)
    scenery.mark("stars")


def _draw_clouds(scenery: Scenery) -> Image.Image:
    rng, pal = scenery.rng, scenery.palette
    canvas = Canvas(scenery.size, scenery.ss)
    night = scenery.plan.time_of_day == "night"
    color = mix(pal.sky[0], pal.ink, 0.4) if night else mix(pal.glow, pal.sky[1], 0.45)
    shade = mix(color, pal.sky[0], 0.3)
    for _ in range(int(rng.integers(3, 6))):
        cx, cy = rng.uniform(-0.05, 1.05) * scenery.w, rng.uniform(0.2, 0.55) * scenery.horizon
        width = scenery.unit * rng.uniform(0.25, 0.5)
        alpha = int(rng.uniform(150, 220) if night else rng.uniform(170, 235))
        _cloud(canvas, rng, cx, cy, width, shade, color, alpha)
    scenery.mark("clouds")
    return canvas.finish()


def _cloud(
    canvas: Canvas, rng: np.random.Generator, cx: float, cy: float, width: float, shade: RGB, color: RGB, alpha: int
) -> None:
    """A flat-bottomed cloud: puffs resting on one baseline, a darker underside below the lit tops."""
    puffs = sorted((cx + rng.uniform(-0.45, 0.45) * width, rng.uniform(0.1, 0.24) * width) for _ in range(6))
    for px, r in puffs:
        canvas.ellipse(px, cy - r * 0.7, r, r * 0.7, shade, alpha)
    canvas.rect(puffs[0][0], cy - width * 0.06, puffs[-1][0], cy, shade, alpha)
    for px, r in puffs:
        canvas.ellipse(px - r * 0.08, cy - r * 0.86, r * 0.9, r * 0.62, color, alpha)


def _vignette(sky: np.ndarray) -> None:
    h, w, _ = sky.shape
    yy, xx = np.ogrid[-1 : 1 : complex(0, h), -1 : 1 : complex(0, w)]
    sky *= (1 - 0.28 * np.clip(xx**2 * 0.6 + yy**2 * 0.5, 0, 1) ** 1.5)[..., None].astype(np.float32)
