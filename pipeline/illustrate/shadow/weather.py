"""Weather over a finished layer: rain streaks, snowflakes, a lightning bolt, magic sparks.

Each function draws onto an RGBA layer of the picture's final size; `unit` is the scene's scale (a person is
about 0.3 units tall), so the weather looks the same at 720p and at 4K.
"""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from pipeline.illustrate.shadow.palettes import RGB


def _overlay(layer: Image.Image) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    over = Image.new("RGBA", layer.size, (0, 0, 0, 0))
    return over, ImageDraw.Draw(over)


def rain(layer: Image.Image, rng: np.random.Generator, unit: float, color: RGB) -> None:
    """Thin slanted streaks, fewer and fainter than real rain so the figures still read."""
    over, draw = _overlay(layer)
    w, h = layer.size
    slant = rng.uniform(-0.35, 0.1)
    width = max(1, round(unit / 700))
    for _ in range(int(w * h / 2600)):
        x, y = rng.uniform(-0.1 * w, 1.1 * w), rng.uniform(-0.05 * h, h)
        length = unit * rng.uniform(0.03, 0.07)
        draw.line((x, y, x + slant * length, y + length), fill=(*color, int(rng.uniform(50, 120))), width=width)
    layer.alpha_composite(over)


def snow(layer: Image.Image, rng: np.random.Generator, unit: float, color: RGB) -> None:
    """Flakes of several sizes: big near ones are few, small far ones many."""
    over, draw = _overlay(layer)
    w, h = layer.size
    for _ in range(int(w * h / 2200)):
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        r = unit * (0.0015 + 0.006 * rng.random() ** 3)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(*color, int(rng.uniform(120, 230))))
    layer.alpha_composite(over)


def lightning(layer: Image.Image, rng: np.random.Generator, unit: float, top: float, bottom: float, color: RGB) -> None:
    """A jagged bolt from the clouds toward the horizon with one fork, over a soft glow."""
    over, draw = _overlay(layer)
    x = layer.width * rng.uniform(0.2, 0.8)
    points, y = [(x, top)], top
    step = (bottom - top) / 9
    while y < bottom:
        y += step * rng.uniform(0.6, 1.2)
        x += unit * rng.uniform(-0.06, 0.06)
        points.append((x, min(y, bottom)))
    fork_at = int(rng.integers(2, max(3, len(points) - 2)))
    fork = [points[fork_at]]
    for _ in range(3):
        fork.append((fork[-1][0] + unit * rng.uniform(0.02, 0.06), fork[-1][1] + step * rng.uniform(0.5, 1.0)))
    width = max(1, round(unit * 0.006))
    glow, glow_draw = _overlay(layer)
    glow_draw.line(points, fill=(*color, 150), width=width * 8)
    layer.alpha_composite(glow.filter(ImageFilter.GaussianBlur(unit * 0.02)))
    draw.line(points, fill=(*color, 255), width=width, joint="curve")
    draw.line(fork, fill=(*color, 220), width=max(1, width // 2), joint="curve")
    layer.alpha_composite(over)


def sparks(layer: Image.Image, rng: np.random.Generator, unit: float, color: RGB) -> None:
    """Floating motes of light, brighter in their cores (fairy dust, fireflies, magic)."""
    over, draw = _overlay(layer)
    w, h = layer.size
    for _ in range(int(rng.integers(25, 45))):
        x, y = rng.uniform(0.05, 0.95) * w, rng.uniform(0.3, 0.9) * h
        r = unit * rng.uniform(0.004, 0.01)
        draw.ellipse((x - r * 3, y - r * 3, x + r * 3, y + r * 3), fill=(*color, 40))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(*color, 230))
    layer.alpha_composite(over.filter(ImageFilter.GaussianBlur(max(0.5, unit * 0.002))))
