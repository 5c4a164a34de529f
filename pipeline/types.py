"""Typed data that flows between the stages: request → Story → (Narration, Score, Illustrations) → Video."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Callable, Literal

from pydantic import BaseModel, ConfigDict, Field

Language = Literal["ru", "en"]
Gender = Literal["male", "female", "neutral"]
Role = Literal["narrator", "hero", "villain", "helper", "donor", "other"]

# (stage name, fraction done in 0..1)
Progress = Callable[[str, float], None]

# The pipeline's stages in the order a render runs them; progress, cache folders and errors use these names.
STAGES = ("write", "narrate", "compose", "illustrate", "upscale", "assemble")
MAX_TITLE_CHARS = 200  # the longest title a StoryRequest takes; the bot trims or refuses longer ones


def no_progress(stage: str, fraction: float) -> None:
    return None


class Genre(StrEnum):
    fable = "fable"
    bylina = "bylina"
    fairy_tale = "fairy_tale"
    novella = "novella"
    comedy = "comedy"
    tragedy = "tragedy"
    drama = "drama"
    horror = "horror"
    fantasy = "fantasy"
    scifi = "scifi"
    detective = "detective"


class Length(StrEnum):
    short = "short"
    standard = "standard"
    long = "long"

    @property
    def target_seconds(self) -> float:
        """How long the story should take to read aloud."""
        return {"short": 60.0, "standard": 150.0, "long": 330.0}[self.value]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)

    def digest(self) -> str:
        """A stable hash of the content, used as a cache key."""
        payload = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()[:20]


class StoryRequest(Frozen):
    title: str = Field(min_length=1, max_length=MAX_TITLE_CHARS)
    genre: Genre
    language: Language = "ru"
    length: Length = Length.standard
    seed: int = 0


class StageSeeds(Frozen):
    """Per-stage seeds: "other music" changes only `music`, and the other stages come from the cache."""

    voices: int = 0
    music: int = 0
    pictures: int = 0

    @classmethod
    def from_seed(cls, seed: int) -> StageSeeds:
        return cls(voices=seed, music=seed, pictures=seed)


class Character(Frozen):
    id: str  # stable key, e.g. "hero"; Line.speaker refers to it
    name: str  # as written in the text, nominative
    gender: Gender
    role: Role


class Line(Frozen):
    text: str
    speaker: str = "narrator"  # a Character.id, or "narrator"


class Scene(Frozen):
    setting: str  # English key of the place: forest, castle, village, sea, mountains, city, cave, field, house...
    time_of_day: Literal["dawn", "day", "dusk", "night"] = "day"
    props: tuple[str, ...] = ()  # English keys of things in the scene: moon, tree, sword, dragon, ...
    lines: tuple[Line, ...]

    @property
    def text(self) -> str:
        return " ".join(line.text for line in self.lines)


class Story(Frozen):
    request: StoryRequest
    title: str
    characters: tuple[Character, ...]
    scenes: tuple[Scene, ...]

    @property
    def lines(self) -> list[Line]:
        return [line for scene in self.scenes for line in scene.lines]

    def character(self, character_id: str) -> Character | None:
        return next((c for c in self.characters if c.id == character_id), None)


class Clip(Frozen):
    scene: int
    line: int  # index within the scene
    speaker: str
    voice: str  # backend voice name, e.g. "festival:msu_ru_nsh_clunits" or "espeak:ru+f2"
    text: str
    start: float  # seconds from the start of the narration track
    duration: float


class Narration(Frozen):
    audio: Path  # one mono wav of the whole story, pauses included
    sample_rate: int
    duration: float
    clips: tuple[Clip, ...]

    def scene_span(self, scene: int) -> tuple[float, float]:
        """(start, end) of a scene: from its first clip to the start of the next scene's first clip."""
        starts = [c.start for c in self.clips if c.scene == scene]
        later = [c.start for c in self.clips if c.scene > scene]
        return min(starts), (min(later) if later else self.duration)


class Score(Frozen):
    midi: Path
    audio: Path  # wav, at least `duration` long
    duration: float
    mood: str


class DrawnElement(Frozen):
    name: str  # what was drawn: "moon", "castle", "hero figure"
    reason: str  # why: the word or setting it came from


class Illustration(Frozen):
    scene: int
    image: Path  # the composited picture (PNG)
    width: int
    height: int
    layers: tuple[Path, ...] = ()  # back to front RGBA PNGs of the same size, for parallax
    elements: tuple[DrawnElement, ...] = ()


class Video(Frozen):
    path: Path
    duration: float
    width: int
    height: int
    thumbnail: Path
    parts: tuple[Path, ...] = ()  # when the file was split to fit the upload limit: the parts to send, in order


class StageError(RuntimeError):
    """A stage failed in a way the user should be told about (not a bug)."""

    def __init__(self, stage: str, message: str):
        super().__init__(f"{stage}: {message}")
        self.stage = stage


class MissingExtra(RuntimeError):
    """A backend was asked for whose optional dependencies are not installed (no silent fallback)."""

    def __init__(self, backend: str, extra: str, module: str | None):
        super().__init__(f"the {backend} backend needs {module or 'an optional package'}: "
                         f"pip install 'digiteller[{extra}]'")
        self.extra = extra


@contextmanager
def needs_extra(extra: str, backend: str) -> Iterator[None]:
    """Wrap a backend's lazy import: a missing package becomes a MissingExtra naming the extra to install."""
    try:
        yield
    except ModuleNotFoundError as exc:
        raise MissingExtra(backend, extra, exc.name) from exc
