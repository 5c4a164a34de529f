"""Colours: a palette per genre, lightened or darkened by the time of day."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from pipeline.types import Genre

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Palette:
    sky: tuple[RGB, RGB, RGB]  # top, middle, horizon
    glow: RGB  # sun or moon
    ink: RGB  # the nearest silhouettes
    light: RGB  # lit windows and fire

    def plane(self, depth: float) -> RGB:
        """Colour of a silhouette plane: 0 = the horizon's colour, 1 = ink (aerial perspective)."""
        return mix(self.sky[2], self.ink, depth)


GENRE_PALETTES: dict[Genre, Palette] = {
    Genre.horror: Palette(((8, 12, 8), (38, 58, 34), (132, 156, 82)), (218, 228, 176), (4, 7, 5), (196, 226, 96)),
    Genre.fairy_tale: Palette(((38, 30, 92), (156, 74, 126), (254, 178, 94)), (255, 228, 164), (28, 14, 38), (255, 204, 96)),
    Genre.comedy: Palette(((58, 138, 228), (130, 192, 246), (252, 238, 184)), (255, 248, 214), (32, 32, 54), (255, 222, 96)),
    Genre.tragedy: Palette(((30, 40, 58), (90, 106, 126), (174, 184, 194)), (228, 232, 242), (12, 15, 22), (206, 214, 232)),
    Genre.bylina: Palette(((82, 114, 170), (216, 170, 94), (252, 216, 128)), (255, 238, 176), (44, 26, 12), (255, 194, 84)),
    Genre.fable: Palette(((66, 126, 148), (168, 202, 172), (242, 232, 184)), (255, 246, 204), (20, 32, 26), (255, 216, 124)),
    Genre.drama: Palette(((38, 12, 32), (138, 40, 54), (242, 124, 74)), (255, 212, 164), (22, 7, 13), (255, 172, 92)),
    Genre.novella: Palette(((68, 56, 48), (160, 122, 84), (234, 204, 152)), (255, 238, 200), (32, 24, 18), (255, 202, 124)),
    # fantasy: violet dusk over a teal horizon, with cold magic light
    Genre.fantasy: Palette(((26, 20, 78), (96, 62, 152), (116, 206, 192)), (236, 250, 255), (14, 10, 34), (150, 255, 224)),
    # science fiction: deep space blue into a magenta horizon, cyan lights
    Genre.scifi: Palette(((4, 6, 26), (24, 42, 100), (222, 96, 172)), (184, 240, 255), (6, 8, 22), (96, 236, 255)),
    # detective: grey-sepia noir, gas-lamp yellow
    Genre.detective: Palette(((30, 32, 36), (86, 90, 94), (180, 172, 150)), (240, 232, 206), (10, 10, 12), (255, 214, 140)),
}

_DAY_BLUE = (176, 206, 236)
_DAWN_PINK = (252, 172, 168)


def mix(a: Iterable[float], b: Iterable[float], t: float) -> RGB:
    return tuple(int(round(x + (y - x) * t)) for x, y in zip(a, b))  # type: ignore[return-value]


def _scaled(color: RGB, k: float) -> RGB:
    return tuple(int(min(255, round(c * k))) for c in color)  # type: ignore[return-value]


def palette_for(genre: Genre, time_of_day: str) -> Palette:
    """The genre sets the mood's hues; the time of day sets how light the sky is."""
    base = GENRE_PALETTES[genre]
    top, mid, horizon = base.sky
    if time_of_day == "night":
        sky = (_scaled(top, 0.2), _scaled(mid, 0.3), _scaled(horizon, 0.48))
        return Palette(sky, mix(base.glow, (235, 240, 255), 0.3), _scaled(base.ink, 0.6), base.light)
    if time_of_day == "day":
        sky = tuple(mix(_scaled(c, 1.2), _DAY_BLUE, k) for c, k in ((top, 0.55), (mid, 0.45), (horizon, 0.3)))
        return Palette(sky, base.glow, base.ink, base.light)  # type: ignore[arg-type]
    if time_of_day == "dawn":
        sky = (mix(top, _DAY_BLUE, 0.25), mix(mid, _DAWN_PINK, 0.35), mix(horizon, _DAWN_PINK, 0.3))
        return Palette(sky, base.glow, base.ink, base.light)
    return base
