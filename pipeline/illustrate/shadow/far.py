"""Far layer: distant ridges or mountains, sea, city, mist, birds."""
from __future__ import annotations

import numpy as np
from PIL import Image

from pipeline.illustrate.shadow.canvas import Canvas, blend_patch, midpoint_ridge
from pipeline.illustrate.shadow.layout import Scenery
from pipeline.illustrate.shadow.things import draw_sky_things
from pipeline.illustrate.shadow.palettes import RGB, mix
from pipeline.types import Genre


def draw_far(scenery: Scenery) -> Image.Image:
    canvas = Canvas(scenery.size, scenery.ss)
    pal, rng, h = scenery.palette, scenery.rng, scenery.h
    mountains = scenery.wants("mountains")
    if scenery.terrain == "sea":
        distant_coast = rng.uniform(0.0, 0.5)
        _ridge_fill(canvas, scenery, base=scenery.horizon, amp=h * 0.05, rough=0.55, color=pal.plane(0.3), lo=distant_coast)
    else:
        if mountains:
            _mountains(canvas, scenery, scenery.horizon - h * 0.02, h * 0.34, pal.plane(0.18))
            _mountains(canvas, scenery, scenery.horizon + h * 0.02, h * 0.2, pal.plane(0.34))
            scenery.mark("mountains")
        else:
            _ridge_fill(canvas, scenery, base=scenery.horizon - h * 0.03, amp=h * 0.1, rough=0.5, color=pal.plane(0.28))
        if scenery.wants("city"):
            _draw_city(canvas, scenery, scenery.horizon + h * 0.02)
        _ridge_fill(canvas, scenery, base=scenery.horizon + h * 0.03, amp=h * 0.05, rough=0.5, color=pal.plane(0.5))
    for kind in ("birds", "bats"):
        if scenery.wants(kind) or (kind == "bats" and scenery.plan.genre == Genre.horror and scenery.plan.time_of_day == "night"):
            _draw_flock(canvas, scenery, kind)
    image = canvas.finish()
    if scenery.terrain == "sea":
        _draw_sea(scenery, image)
    _draw_mist(scenery, image)
    draw_sky_things(image, scenery)
    return image


def _mountains(canvas: Canvas, scenery: Scenery, base: float, amp: float, color: RGB) -> None:
    """A range of sharp peaks (straight flanks roughened by fractal noise), with snow on the tallest."""
    rng, w = scenery.rng, scenery.w
    xs = np.arange(w, dtype=float)
    n = int(rng.integers(3, 6))
    peak_x, peak_h = rng.uniform(-0.1, 1.1, n) * w, amp * rng.uniform(0.45, 1.0, n)
    slopes = peak_h / (w * rng.uniform(0.12, 0.25, n))
    height = np.max(peak_h[:, None] - slopes[:, None] * np.abs(xs[None, :] - peak_x[:, None]), axis=0)
    height = np.maximum(height + amp * 0.06 * midpoint_ridge(rng, w, 0.62), amp * 0.05)
    profile = base - height
    fill_below(canvas, scenery, profile, color)
    snow = mix(color, scenery.palette.glow, 0.45)
    for px, ph, slope in zip(peak_x, peak_h, slopes):
        if 0 <= px < w and profile[int(px)] <= base - ph * 0.95:  # only peaks that are not hidden by another
            drop = ph * 0.18
            ks = np.linspace(1, -1, 7)
            zigzag = [(px + k * drop / slope, base - ph + drop * (0.55 + 0.45 * (i % 2))) for i, k in enumerate(ks)]
            canvas.polygon([(px, float(profile[int(px)]))] + zigzag, snow)


def fill_below(canvas: Canvas, scenery: Scenery, profile: np.ndarray, color: RGB) -> None:
    """Fill from a per-column outline down to the bottom edge."""
    xs = range(0, scenery.w, max(1, scenery.w // 500))
    outline = [(float(x), float(profile[x])) for x in xs]
    canvas.polygon(outline + [(scenery.w, float(profile[-1])), (scenery.w, scenery.h), (0, scenery.h)], color)


def _ridge_fill(
    canvas: Canvas, scenery: Scenery, base: float, amp: float, rough: float, color: RGB, lo: float = 0.0
) -> np.ndarray:
    """A filled fractal ridge from `base` (± amp) down to the bottom, over the columns from lo×width."""
    profile = base - amp * (0.5 + 0.5 * midpoint_ridge(scenery.rng, scenery.w, rough))
    x0 = int(lo * scenery.w)
    xs = np.arange(x0, scenery.w, max(1, scenery.w // 400))
    points = [(float(x), float(profile[x])) for x in xs] + [(scenery.w, float(profile[-1])), (scenery.w, scenery.h), (x0, scenery.h)]
    canvas.polygon(points, color)
    return profile


def _draw_city(canvas: Canvas, scenery: Scenery, base: float) -> None:
    rng, pal, u = scenery.rng, scenery.palette, scenery.unit
    color, light = pal.plane(0.45), mix(pal.light, pal.plane(0.45), 0.3)
    x = rng.uniform(-0.05, 0.05) * scenery.w
    while x < scenery.w:
        bw, bh = u * rng.uniform(0.05, 0.12), u * rng.uniform(0.08, 0.3)
        canvas.rect(x, base - bh, x + bw, base, color)
        roof = rng.random()
        if roof < 0.15:
            canvas.polygon([(x + bw * 0.3, base - bh), (x + bw * 0.5, base - bh - u * 0.1), (x + bw * 0.7, base - bh)], color)
        elif roof < 0.25:
            canvas.ellipse(x + bw / 2, base - bh, bw * 0.4, bw * 0.4, color)
        windows(canvas, rng, x, base - bh, bw, bh, light, density=0.35)
        x += bw * rng.uniform(0.85, 1.1)
    scenery.mark("city")


def windows(
    canvas: Canvas, rng: np.random.Generator, x: float, top: float, bw: float, bh: float, light: RGB, density: float
) -> None:
    size = max(1.0, bw * 0.12)
    for wy in np.arange(top + size * 2, top + bh - size * 2, size * 2.6):
        for wx in np.arange(x + size, x + bw - size * 1.5, size * 2.2):
            if rng.random() < density:
                canvas.rect(wx, wy, wx + size, wy + size * 1.4, light)


def _draw_flock(canvas: Canvas, scenery: Scenery, kind: str) -> None:
    rng, u = scenery.rng, scenery.unit
    cx, cy = rng.uniform(0.2, 0.8) * scenery.w, rng.uniform(0.15, 0.4) * scenery.horizon
    color = scenery.palette.plane(0.85)
    for _ in range(int(rng.integers(5, 10))):
        x, y = cx + rng.normal(0, u * 0.12), cy + rng.normal(0, u * 0.05)
        span = u * rng.uniform(0.018, 0.03)
        flap = rng.uniform(-0.4, 0.6)
        if kind == "bats":
            _bat(canvas, x, y, span * 1.2, flap, color)
        else:
            _bird(canvas, x, y, span, flap, color)
    scenery.mark(kind)


def _bird(canvas: Canvas, x: float, y: float, span: float, flap: float, color: RGB) -> None:
    tip = y - span * flap
    wing = [(-1.0, None), (-0.4, -0.25), (0.0, 0.0), (0.4, -0.25), (1.0, None), (0.45, -0.05), (0.0, 0.18), (-0.45, -0.05)]
    canvas.polygon([(x + span * du, tip if dv is None else y + span * dv) for du, dv in wing], color)


def _bat(canvas: Canvas, x: float, y: float, span: float, flap: float, color: RGB) -> None:
    tip = y - span * flap * 0.8
    wing = [(0.0, 0.0), (0.35, -0.3), (0.7, -0.2), (1.0, tip), (0.85, 0.05), (0.65, 0.0), (0.5, 0.15), (0.3, 0.05), (0.15, 0.2)]
    for side in (-1, 1):
        canvas.polygon([(x + side * px * span, (py if px < 1 else 0) * span + (tip if px == 1 else y)) for px, py in wing], color)
    canvas.ellipse(x, y + span * 0.05, span * 0.12, span * 0.2, color)


def _draw_sea(scenery: Scenery, image: Image.Image) -> None:
    """Open water from the horizon down: sky colours darkened, with a glittering path under the sun or moon."""
    w, h, pal = scenery.w, scenery.h, scenery.palette
    top = int(scenery.horizon)
    t = np.linspace(0, 1, h - top, dtype=np.float32)[:, None, None]
    near, far = np.array(pal.plane(0.75), np.float32) / 255, np.array(pal.plane(0.25), np.float32) / 255
    water = np.broadcast_to(far + (near - far) * t**0.7, (h - top, w, 3)).copy()
    if scenery.sky_body:
        x, _, r = scenery.sky_body
        rng = scenery.spawn()
        path = np.zeros((h - top, w), np.float32)
        for _ in range(int(h * 0.25)):
            y = int((h - top) * rng.random() ** 1.5)
            half = r * (0.5 + 1.8 * y / (h - top)) * rng.uniform(0.3, 1.0)
            cx = x + rng.normal(0, r * 0.3)
            path[y : y + max(1, h // 360), int(max(0, cx - half)) : int(min(w, cx + half))] = rng.uniform(0.4, 0.9)
        water += (np.array(pal.glow, np.float32) / 255 - water) * path[..., None]
    rgba = np.concatenate([water, np.ones((h - top, w, 1), np.float32)], axis=2)
    blend_patch(image, rgba, 0, top)
    scenery.ground = np.full(w, np.inf)
    scenery.mark("sea")


def _draw_mist(scenery: Scenery, image: Image.Image) -> None:
    """A band of translucent mist at the foot of the far hills, thicker where the noise says so."""
    w, h, pal = scenery.w, scenery.h, scenery.palette
    y0, y1 = int(scenery.horizon - h * 0.1), min(h, int(scenery.horizon + h * 0.16))
    t = np.linspace(-1, 1, y1 - y0, dtype=np.float32)[:, None]
    density = 0.5 + 0.5 * midpoint_ridge(scenery.rng, w, 0.55).astype(np.float32)[None, :]
    thick = 0.9 if scenery.wants("fog") else 0.75 if scenery.plan.genre == Genre.horror or scenery.wants("reeds") else 0.5
    alpha = thick * np.exp(-(t**2) * 3.5) * (0.55 + 0.45 * density)
    patch = np.empty((y1 - y0, w, 4), np.float32)
    patch[..., :3] = np.array(mix(pal.sky[2], (255, 255, 255), 0.12), np.float32) / 255
    patch[..., 3] = alpha
    blend_patch(image, patch, 0, y0)
    scenery.mark("mist", "composition")
