"""Drawing primitives: a supersampled RGBA canvas, poses and puppets in figure units, smooth outlines, soft
light patches and fractal ridges."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

import numpy as np
from PIL import Image, ImageDraw

from pipeline.illustrate.shadow.palettes import RGB

Point = tuple[float, float]


class Canvas:
    """An RGBA layer drawn at `ss`× and reduced at the end, so silhouette edges are antialiased."""

    def __init__(self, size: tuple[int, int], ss: int):
        self.size = size
        self.ss = ss
        self.image = Image.new("RGBA", (size[0] * ss, size[1] * ss), (0, 0, 0, 0))
        self.draw = ImageDraw.Draw(self.image)

    def _xy(self, points: Iterable[Point]) -> list[Point]:
        return [(x * self.ss, y * self.ss) for x, y in points]

    def polygon(self, points: Iterable[Point], color: RGB, alpha: int = 255) -> None:
        pts = self._xy(points)
        if len(pts) >= 3:
            self.draw.polygon(pts, fill=(*color, alpha))

    def ellipse(self, cx: float, cy: float, rx: float, ry: float, color: RGB, alpha: int = 255) -> None:
        s = self.ss
        self.draw.ellipse(((cx - rx) * s, (cy - ry) * s, (cx + rx) * s, (cy + ry) * s), fill=(*color, alpha))

    def rect(self, x0: float, y0: float, x1: float, y1: float, color: RGB, alpha: int = 255) -> None:
        s = self.ss
        self.draw.rectangle((min(x0, x1) * s, min(y0, y1) * s, max(x0, x1) * s, max(y0, y1) * s), fill=(*color, alpha))

    def line(self, points: list[Point], width: float, color: RGB, alpha: int = 255) -> None:
        """A thick polyline with round joints and ends (limbs, branches, masts)."""
        pts = self._xy(points)
        w = max(1.0, width * self.ss)
        self.draw.line(pts, fill=(*color, alpha), width=max(1, round(w)), joint="curve")
        for x, y in (pts[0], pts[-1]):
            self.draw.ellipse((x - w / 2, y - w / 2, x + w / 2, y + w / 2), fill=(*color, alpha))

    def tapered(self, points: list[Point], w0: float, w1: float, color: RGB) -> None:
        """A polyline whose width goes from w0 to w1 (branches, tails, horns)."""
        n = len(points)
        for i in range(n - 1):
            w = w0 + (w1 - w0) * (i / max(1, n - 2))
            self.line([points[i], points[i + 1]], w, color)

    def finish(self) -> Image.Image:
        return self.image.reduce(self.ss) if self.ss > 1 else self.image


@dataclass(frozen=True)
class Pose:
    """Maps figure units (u forward, v up, 1 = figure height) to pixels."""

    x: float
    y: float  # the ground under the figure
    height: float
    facing: int = 1

    def pt(self, u: float, v: float) -> Point:
        return (self.x + self.facing * u * self.height, self.y - v * self.height)

    def pts(self, uv: Iterable[Point]) -> list[Point]:
        return [self.pt(u, v) for u, v in uv]

    def len(self, units: float) -> float:
        return units * self.height


def smooth(points: Iterable[Point], closed: bool = False, steps: int = 6) -> list[Point]:
    """A Catmull-Rom spline through the points, for organic outlines."""
    pts = np.asarray(list(points), dtype=float)
    if len(pts) < 3:
        return [(float(x), float(y)) for x, y in pts]
    ext = np.vstack([pts[-1:], pts, pts[:2]]) if closed else np.vstack([pts[:1], pts, pts[-1:]])
    t = np.linspace(0, 1, steps, endpoint=False)[:, None]
    out: list[Point] = []
    for i in range(1, len(ext) - 2):
        p0, p1, p2, p3 = ext[i - 1], ext[i], ext[i + 1], ext[i + 2]
        seg = 0.5 * (2 * p1 + (p2 - p0) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2 + (3 * p1 - p0 - 3 * p2 + p3) * t**3)
        out.extend((float(x), float(y)) for x, y in seg)
    if not closed:
        out.append((float(pts[-1][0]), float(pts[-1][1])))
    return out


def limb_outline(points: list[Point], widths: list[float]) -> list[Point]:
    """The outline of a smooth tapered stroke along `points` (widths in px at each point), round at both ends."""
    centre = np.asarray(smooth(points, steps=5))
    if len(centre) < 2:
        return []
    half = np.interp(np.linspace(0, 1, len(centre)), np.linspace(0, 1, len(widths)), widths) / 2
    d = np.gradient(centre, axis=0)
    d /= np.linalg.norm(d, axis=1, keepdims=True) + 1e-9
    normal = np.stack([-d[:, 1], d[:, 0]], axis=1)
    left, right = centre + normal * half[:, None], centre - normal * half[:, None]
    a_end, a_start = math.atan2(d[-1, 1], d[-1, 0]), math.atan2(d[0, 1], d[0, 0])
    arc = np.linspace(math.pi / 2, -math.pi / 2, 7)
    cap_end = [_polar(centre[-1], half[-1], a_end + a) for a in arc]
    cap_start = [_polar(centre[0], half[0], a_start + math.pi + a) for a in arc]
    return [*map(tuple, left), *cap_end, *map(tuple, right[::-1]), *cap_start]


def _polar(origin: np.ndarray, radius: float, angle: float) -> Point:
    return (float(origin[0] + radius * math.cos(angle)), float(origin[1] + radius * math.sin(angle)))


@dataclass
class Puppet:
    """Draws one figure: shapes and limbs in the pose's units, optionally hunched forward."""

    canvas: Canvas
    pose: Pose
    ink: RGB
    hunch: float = 0.0

    def pt(self, u: float, v: float) -> Point:
        lift = max(0.0, v - 0.45) / 0.55
        return self.pose.pt(u + self.hunch * lift, v - self.hunch * 0.5 * lift)

    def pts(self, uv: Iterable[Point]) -> list[Point]:
        return [self.pt(u, v) for u, v in uv]

    def shape(self, uv: Iterable[Point], smooth_edges: bool = True) -> None:
        pts = self.pts(uv)
        self.canvas.polygon(smooth(pts, closed=True) if smooth_edges else pts, self.ink)

    def limb(self, uv: Iterable[Point], widths: Iterable[float]) -> None:
        self.canvas.polygon(limb_outline(self.pts(uv), [self.pose.len(w) for w in widths]), self.ink)

    def disk(self, u: float, v: float, r: float) -> None:
        self.canvas.ellipse(*self.pt(u, v), self.pose.len(r), self.pose.len(r), self.ink)


def blend_patch(layer: Image.Image, patch: np.ndarray, x0: int, y0: int) -> None:
    """Alpha-composite a float RGBA patch (0..1) onto a layer at (x0, y0)."""
    img = Image.fromarray((np.clip(patch, 0, 1) * 255 + 0.5).astype(np.uint8), "RGBA")
    layer.alpha_composite(img, dest=(x0, y0))


def glow(layer: Image.Image, cx: float, cy: float, radius: float, color: RGB, strength: float) -> None:
    """A soft round light (fire, lantern) as a translucent patch."""
    r = int(radius * 2.2)
    x0, y0 = max(0, int(cx) - r), max(0, int(cy) - r)
    x1, y1 = min(layer.width, int(cx) + r), min(layer.height, int(cy) + r)
    if x1 <= x0 or y1 <= y0:
        return
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    alpha = strength * np.exp(-(((xx - cx) ** 2 + (yy - cy) ** 2) / (radius**2)))
    patch = np.empty((y1 - y0, x1 - x0, 4), np.float32)
    patch[..., :3] = np.array(color, np.float32) / 255
    patch[..., 3] = alpha
    blend_patch(layer, patch, x0, y0)


def midpoint_ridge(rng: np.random.Generator, width: int, roughness: float, octaves: int = 9) -> np.ndarray:
    """A 1-D fractal profile by midpoint displacement, one value per pixel column, in [-1, 1]."""
    n = 2**octaves + 1
    h = np.zeros(n)
    h[[0, -1]] = rng.uniform(-1, 1, 2)
    step, amp = n - 1, 1.0
    while step > 1:
        half = step // 2
        mids = np.arange(half, n - 1, step)
        h[mids] = (h[mids - half] + h[mids + half]) / 2 + rng.uniform(-amp, amp, len(mids))
        amp *= roughness
        step = half
    h /= max(1e-6, np.abs(h).max())
    return np.interp(np.linspace(0, n - 1, width), np.arange(n), h)
