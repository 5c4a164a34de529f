"""Planning a tale and fitting it to length: the skeleton's functions (some optional, by the seed), a beat
for each, its essential chunks, then more chunks and descriptive lines until the tale is long enough,
and more of the hero where a Russian tale has not yet declined the name enough."""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from pipeline.types import Genre, Story, StoryRequest
from pipeline.write.grammar import Beat, LanguagePack
from pipeline.write.grammar.plot import SKELETONS
from pipeline.write.grammar.render import Rendered
from pipeline.write.quality import hero_case_forms, hero_name_forms, mentions

@dataclass
class PlannedScene:
    functions: list[str]
    beats: list[Beat]
    parts: list[list[Rendered]] = field(default_factory=list)  # per beat: its chunks, rendered
    closings: list[Rendered] = field(default_factory=list)  # the beats' `last` chunks: always in, at the end
    included: list[int] = field(default_factory=list)  # per beat: how many chunks are in
    sights: list[Rendered] = field(default_factory=list)  # the place described, after the scene's first line
    moods: list[Rendered] = field(default_factory=list)  # the genre's mood, opening the scene
    first: bool = False  # the tale's first scene: its opening formula must stay first
    subject_lines: list[Rendered] = field(default_factory=list)  # the title's subject, where the beats lack it

    def rendered(self) -> list[Rendered]:
        told = [chunk for part, n in zip(self.parts, self.included) for chunk in part[:n]]
        if self.first:
            return [*told[:1], *self.moods, *self.sights, *told[1:2], *self.subject_lines, *told[2:], *self.closings]
        return [*self.moods, *told[:1], *self.subject_lines, *self.sights, *told[1:], *self.closings]

    @property
    def words(self) -> int:
        return sum(r.words for r in self.rendered())


def plan_functions(request: StoryRequest, rng: random.Random) -> list[list[str]]:
    plan = []
    for scene in SKELETONS[request.length]:
        kept = [f.rstrip("?") for f in scene if not f.endswith("?") or rng.random() < 0.5]
        if kept:
            plan.append(kept)
    return plan


def choose_beat(function: str, genre: Genre, features: set[str], pack: LanguagePack, rng: random.Random) -> Beat | None:
    candidates = [b for b in pack.beats.get(function, ()) if genre in b.genres and b.needs <= features]
    if not candidates:
        return None
    # Beats written for a few genres carry the genre's flavour: prefer them.
    weights = [1.0 if len(b.genres) == len(Genre) else 3.0 for b in candidates]
    return rng.choices(candidates, weights=weights)[0]


@dataclass(frozen=True)
class Extra:
    """A descriptive line that may be added to fill length: a sight of one scene's place, or a mood for any scene."""

    rendered: Rendered
    scene: int | None = None  # None: a mood, goes to the scene that is shortest then


def tell_essentials(scenes: list[PlannedScene]) -> None:
    """Each beat's first chunk, and some dialogue even in the shortest tale: characters speak in every story."""
    for scene in scenes:
        scene.included = [1 for _ in scene.beats]
    if not any(has_dialogue(chunk) for scene in scenes for chunk in scene.rendered()):
        include_shortest_chunk(scenes, has_dialogue)


def fit_length(scenes: list[PlannedScene], extras: list[Extra], target: int) -> None:
    """Add chunks, a round at a time over the whole tale, then descriptive lines, until long enough."""
    total = sum(scene.words for scene in scenes)
    depth = max((len(part) for scene in scenes for part in scene.parts), default=1)
    for level in range(1, depth):
        for scene in scenes:
            for index, part in enumerate(scene.parts):
                if total >= target:
                    return
                if len(part) > level and scene.included[index] <= level:
                    scene.included[index] = level + 1
                    total += part[level].words
    for extra in extras:
        if total >= target:
            return
        if extra.scene is not None:
            scenes[extra.scene].sights.append(extra.rendered)
        else:
            shortest = min(scenes, key=lambda scene: (len(scene.moods), scene.words))
            shortest.moods.append(extra.rendered)
        total += extra.rendered.words


def include_shortest_chunk(scenes: list[PlannedScene], wanted) -> bool:
    """Take in the shortest next chunk of any beat for which `wanted(chunk)` holds; False if none does."""
    candidates = [
        (part[scene.included[index]].words, scene, index)
        for scene in scenes
        for index, part in enumerate(scene.parts)
        if scene.included[index] < len(part) and wanted(part[scene.included[index]])
    ]
    if not candidates:
        return False
    _, scene, index = min(candidates, key=lambda candidate: candidate[0])
    scene.included[index] += 1
    return True


def tell_more_of_the_hero(scenes: list[PlannedScene], story: Story, hero_lines: list[Rendered]) -> bool:
    """Take in the shortest next chunk that names the hero in a form the story lacks, else one of the
    language's hero lines (into the shortest scene); False if nothing does.

    A reader of a Russian tale should see the hero's name decline ("Гарри Поттера", "Гарри Поттеру"),
    and a short tale told only by its essential chunks may name the hero in the nominative alone.
    """
    hero = story.character("hero")
    if hero is None:
        return False
    present = hero_case_forms(story)
    missing = {form for form in hero_name_forms(hero.name, hero.gender) if form.lower() not in present}

    def names_missing(rendered: Rendered) -> bool:
        return any(mentions(line.text, form) for line in rendered.lines for form in missing)

    if include_shortest_chunk(scenes, names_missing):
        return True
    line = next((line for line in hero_lines if names_missing(line)), None)
    if line is None:
        return False
    hero_lines.remove(line)
    min(scenes, key=lambda scene: scene.words).moods.append(line)
    return True


def has_dialogue(rendered: Rendered) -> bool:
    return any(line.speaker != "narrator" for line in rendered.lines)

