"""The scenery being drawn: the plan, the size, the random stream, the palette, and what has been placed where
(the ground line, the sun or moon, the spans taken on the ground, what was drawn and why)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from pipeline.illustrate.plan import ScenePlan
from pipeline.illustrate.shadow.palettes import Palette
from pipeline.types import Character


@dataclass
class Scenery:
    """One scene as it is drawn: every layer reads it and marks on it what it drew."""

    plan: ScenePlan
    size: tuple[int, int]
    rng: np.random.Generator
    palette: Palette
    looks_seed: int
    ss: int
    cast: tuple[Character, ...]  # the story's characters, whose looks are told apart (figures.cast_looks)
    ground: np.ndarray = field(default_factory=lambda: np.zeros(0))  # ground y per pixel column (inf = water)
    sky_body: tuple[float, float, float] | None = None  # x, y, radius of the sun or moon
    drawn: dict[str, str] = field(default_factory=dict)
    taken: list[tuple[float, float]] = field(default_factory=list)  # x spans used on the ground
    people_x: list[float] = field(default_factory=list)  # where the people stand, for animals to face them
    subtitle_top: float = 0.82  # the subtitles' band starts here (a fraction of the height): ground stays above it

    @property
    def w(self) -> int:
        return self.size[0]

    @property
    def h(self) -> int:
        return self.size[1]

    @property
    def unit(self) -> float:
        """Scale of things: a person is about 0.3 units tall."""
        return min(self.h, self.w * 0.75)

    def wants(self, element: str) -> bool:
        return element in self.plan.elements

    def spawn(self) -> np.random.Generator:
        """A separate stream for a loop whose count follows the pixel size (stars, grass, rain): the main stream
        then advances by one draw at any size, so a picture has the same composition at 720p and at 4K."""
        return np.random.default_rng(int(self.rng.integers(2**63)))

    def mark(self, element: str, reason: str | None = None) -> None:
        self.drawn.setdefault(element, reason or self.plan.elements.get(element, "composition"))

    def ground_at(self, x: float) -> float:
        return float(self.ground[int(min(max(x, 0), self.w - 1))])

    def nearest_ground(self, x: float) -> float:
        solid = np.flatnonzero(np.isfinite(self.ground))
        return float(solid[np.argmin(np.abs(solid - x))]) if len(solid) else x

    def free_spot(self, width: float, lo: float = 0.08, hi: float = 0.92) -> float | None:
        """An x on solid ground whose span [x - width/2, x + width/2] overlaps nothing taken yet."""
        margin = width / 2 / self.w + 0.01  # the whole span inside the frame: nothing cut by its edge
        lo, hi = max(lo, margin), min(hi, 1 - margin)
        if hi < lo:
            return None
        for _ in range(40):
            x = float(self.rng.uniform(lo, hi)) * self.w
            if self.claim(x, width):
                return x
        return None

    def claim(self, x: float, width: float) -> bool:
        """Take the span [x - width/2, x + width/2] when it lies in the frame, on solid ground and free."""
        span = (x - width / 2, x + width / 2)
        if span[0] < 0 or span[1] > self.w:
            return False
        under = self.ground[int(max(0, span[0])) : int(min(self.w, span[1])) + 1]
        # on solid ground, and not where a cliff falls away into the sea (below the subtitles' line)
        on_ground = np.isfinite(under).all() and float(under.max()) < self.h * self.subtitle_top
        if on_ground and all(span[1] < a or span[0] > b for a, b in self.taken):
            self.taken.append(span)
            return True
        return False

    def beside(self, width: float, gap: float) -> float | None:
        """A free spot just beside one of the people (a prop at hand), else anywhere free."""
        for px in self.people_x:
            for side in (1, -1) if self.rng.random() < 0.5 else (-1, 1):
                x = px + side * (gap + width / 2)
                if self.claim(x, width):
                    return x
        return self.free_spot(width, 0.05, 0.95)

    @property
    def terrain(self) -> str:
        if self.wants("cave"):
            return "cave"
        return "sea" if self.wants("sea") else "land"

    @property
    def horizon(self) -> float:
        return self.h * (0.6 if self.terrain == "sea" else 0.64)
