"""The grammar writer, the write stage's offline backend: a plot grammar after Propp's morphology of the folktale.

A skeleton of Propp's functions (plot.py) is told scene by scene with text variants and genre lexicons
(ru.py, en.py); the title names the hero, or the thing or place the tale is about (pipeline/write/title.py);
Russian names and noun phrases are declined (pipeline/write/morphology.py); the text grows chunk by chunk
until it takes as long to read aloud as the request asks (plan.py).
"""
from __future__ import annotations

import random
import re
from typing import Mapping

from pipeline.morph import is_cyrillic
from pipeline.types import Genre, Length, Line, Scene, Story, StoryRequest
from pipeline.write.grammar import GenreLexicon, LanguagePack
from pipeline.write.grammar.cast import Cast, ShortName, cast_story
from pipeline.write.grammar.packs import PACKS, look_up
from pipeline.write.grammar.plan import (
    Extra,
    PlannedScene,
    choose_beat,
    fit_length,
    plan_functions,
    tell_essentials,
    tell_more_of_the_hero,
)
from pipeline.write.grammar.plot import DARK_ENDINGS, DAYTIME, WHERE, TimeOfDay
from pipeline.write.grammar.render import Renderer
from pipeline.write.morphology import transliterate
from pipeline.write.quality import MIN_HERO_CASE_FORMS, hero_case_forms
from pipeline.write.text import drop_repeated_sentences, target_words
from pipeline.write.grammar.subject import subject_lines
from pipeline.write.title import TitleReading, TitleSubject, read_title, title_subject

MAX_PROPS = 8


class GrammarWriter:
    """Propp's functions told with genre lexicons; seeded, so the same request gives the same tale."""

    def write(self, request: StoryRequest) -> Story:
        rng = random.Random(f"{request.title}\n{request.genre}\n{request.language}\n{request.length}\n{request.seed}")
        pack = PACKS[request.language]
        lexicon = pack.genres[request.genre]
        reading = read_title(request.title, request.language)
        subject = title_subject(reading, request.genre.value)
        cast = cast_story(reading, lexicon, pack, rng, request.language, subject)
        renderer = Renderer(cast, {slot: rng.choice(options) for slot, options in lexicon.words.items()}, request.language)
        features = {"portable_quest"} if cast.entities["quest"].portable else set()
        planned = plan_functions(request, rng)
        features.add("donor" if any("donor" in scene for scene in planned) else "no_donor")
        scenes = self._plan(request, planned, features, pack, rng)
        for scene in scenes:
            scene.parts = [[renderer.chunk(chunk) for chunk in beat.chunks] for beat in scene.beats]
            scene.closings = [renderer.chunk(chunk) for beat in scene.beats for chunk in beat.last]
        scenes[0].first = True
        tell_essentials(scenes)
        self._let_the_subject_recur(request, scenes, subject, cast, renderer, rng)
        fit_length(scenes, self._extras(scenes, lexicon, cast, renderer, rng), target_words(request))
        self._describe_bare_scenes(scenes, cast, renderer, pack)
        story = self._story(request, reading, scenes, cast, lexicon.night or reading.night, pack, subject)
        hero_lines = [renderer.chunk(line) for line in pack.hero_lines]
        while request.language == "ru" and len(hero_case_forms(story)) < MIN_HERO_CASE_FORMS:
            if not tell_more_of_the_hero(scenes, story, hero_lines):
                break
            story = self._story(request, reading, scenes, cast, lexicon.night or reading.night, pack, subject)
        return story

    @staticmethod
    def _let_the_subject_recur(request: StoryRequest, scenes: list[PlannedScene], subject: TitleSubject,
                               cast: Cast, renderer: Renderer, rng: random.Random) -> None:
        """A scene whose beats do not name the title's subject gets a line in which it acts or is spoken of,
        fitting its role and the part of the plot (subject.py); no line is told twice."""
        used: set[str] = set()
        missing = "missing" in subject.qualities or request.genre == Genre.detective
        for scene in scenes:
            # a missing thing must go missing where the villainy is told, unless the villain is seen to take it
            loss = missing and subject.role == "quest" and any(
                f == "villainy" and "portable_quest" not in b.needs for f, b in zip(scene.functions, scene.beats))
            if not loss and cast.subject_slots & set().union(*(r.mentions for r in scene.rendered())):
                continue
            functions = scene.functions if loss else [f for f in scene.functions if f != "villainy"] or scene.functions
            lines = [line for line in subject_lines(request.language, subject.role, subject.kind, functions,
                                                    loss) if line not in used]
            told = [r for part, n in zip(scene.parts, scene.included) for r in part[:n]]
            at = 2 if scene.first else 1
            neighbours = {_first_word(r.lines[-1].text) for r in told[:at][-1:]}  # the line before it and after it
            neighbours |= {_first_word(r.lines[0].text) for r in told[at:at + 1]}
            rendered = {line: renderer.chunk(line) for line in lines}
            hero = {_first_word(cast.entities["hero"].form("nomn"))}  # the tales' most common first word
            varied = [line for line in lines if _first_word(rendered[line].lines[0].text) not in neighbours | hero]
            lines = varied or [line for line in lines if _first_word(rendered[line].lines[0].text) not in neighbours] or lines
            if lines:  # a short tale takes the shortest line: its essential beats already fill it
                line = min(lines, key=len) if request.length == Length.short else rng.choice(lines)
                used.add(line)
                scene.subject_lines.append(rendered[line])

    def _describe_bare_scenes(self, scenes: list[PlannedScene], cast: Cast, renderer: Renderer,
                              pack: LanguagePack) -> None:
        """A scene with nothing to draw in its words gets a line describing its place."""
        described = {line.text for scene in scenes for r in scene.sights for line in r.lines}
        for scene in scenes:
            rendered = scene.rendered()
            lines = [line for r in rendered for line in r.lines]
            mentions = set().union(*(r.mentions for r in rendered))
            if self._props(scene, lines, mentions, cast, pack):
                continue
            place = cast.places[WHERE[scene.functions[0]]]
            for sight in map(renderer.chunk, place.sights):
                if sight.lines[0].text not in described:
                    scene.sights.append(sight)
                    described.add(sight.lines[0].text)
                    break

    @staticmethod
    def _plan(request: StoryRequest, planned: list[list[str]], features: set[str], pack: LanguagePack,
              rng: random.Random) -> list[PlannedScene]:
        scenes = []
        for functions in planned:
            chosen = [(f, choose_beat(f, request.genre, features, pack, rng)) for f in functions]
            kept = [(f, b) for f, b in chosen if b is not None]
            if kept:
                scenes.append(PlannedScene(functions=[f for f, _ in kept], beats=[b for _, b in kept]))
        return scenes

    @staticmethod
    def _extras(scenes: list[PlannedScene], lexicon: GenreLexicon, cast: Cast, renderer: Renderer,
                rng: random.Random) -> list[Extra]:
        """Descriptive lines to fill length: each place's sights in its own scenes, then the genre's moods."""
        extras: list[Extra] = []
        for where, place in cast.places.items():
            at = [i for i, s in enumerate(scenes) if WHERE[s.functions[0]] == where]
            sights = list(place.sights)
            rng.shuffle(sights)
            extras += [Extra(renderer.chunk(line), at[i % len(at)]) for i, line in enumerate(sights) if at]
        extras += [Extra(renderer.chunk(line)) for line in lexicon.atmosphere]
        rng.shuffle(extras)  # sights and moods interleave, so that no single scene swells
        return extras

    def _story(self, request: StoryRequest, reading: TitleReading, planned: list[PlannedScene], cast: Cast,
               night: bool, pack: LanguagePack, subject: TitleSubject) -> Story:
        scenes, mentioned = [], set()
        told: set[str] = set()
        for index, scene in enumerate(planned):
            rendered = scene.rendered()
            lines = drop_repeated_sentences([line for r in rendered for line in r.lines], told)
            if not lines:
                continue
            lines = shorten_repeated_names(lines, cast.short_names)
            mentions = set().union(*(r.mentions for r in rendered))
            mentioned |= mentions
            scenes.append(
                Scene(
                    setting=cast.places[WHERE[scene.functions[0]]].setting,
                    time_of_day=self._time_of_day(scene, index == len(planned) - 1, request.genre, night,
                                                  "night" in subject.qualities),
                    props=self._props(scene, lines, mentions, cast, pack),
                    lines=tuple(lines),
                )
            )
        mentioned.add("hero")
        characters = tuple(c for role, c in cast.characters.items() if role in mentioned)
        title = reading.cleaned or cast.characters["hero"].name
        if request.language == "en" and is_cyrillic(title):
            title = transliterate(title)
        return Story(request=request, title=title, characters=characters, scenes=tuple(scenes))

    @staticmethod
    def _time_of_day(scene: PlannedScene, last: bool, genre: Genre, night: bool, at_night: bool = False) -> TimeOfDay:
        """The scene's time: its function's, darker in a dark genre or title; all night when the title says
        "night" (a night train runs at night), but for a dawn closing a tale that ends well."""
        time = DAYTIME[scene.functions[0]]
        if at_night:
            return "dawn" if last and genre not in DARK_ENDINGS else "night"
        if last and genre in DARK_ENDINGS:
            return "dusk" if time == "day" else time
        if night and time == "day":
            return "dusk"
        if night and time == "dawn" and not last:
            return "night"
        return time

    @staticmethod
    def _props(scene: PlannedScene, lines: list[Line], mentions: set[str], cast: Cast,
               pack: LanguagePack) -> tuple[str, ...]:
        props: list[str] = [p for beat in scene.beats for p in beat.props]
        props += [p for role in ("villain", "helper", "quest", "gift", "subject") if role in mentions for p in cast.entities[role].props]
        for line in lines:
            for word in re.findall(r"\w+", line.text):
                key = look_up(word, pack.prop_words)
                if key:
                    props.append(key)
        return tuple(dict.fromkeys(props))[:MAX_PROPS]


def shorten_repeated_names(lines: list[Line], short_names: Mapping[str, ShortName]) -> list[Line]:
    """Within a scene, name a character in full once, then mostly by the short name: 'Гарри Поттер ... Гарри'.

    A repeated nominative is always shortened; other cases alternate full and short, because it is
    there that a reader sees the name decline ('Гарри Поттеру', 'Гарри Поттером').
    """
    for short in short_names.values():
        fulls = sorted(short.full_to_short, key=len, reverse=True)
        pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(f) for f in fulls) + r")(?!\w)", re.IGNORECASE)
        state = {"named": False, "last_full": True}

        def shorten(match: re.Match) -> str:
            full = match.group(0)
            canonical = full if full in short.full_to_short else _lower_first(full)
            nominative = canonical == short.nominative
            if not state["named"] or (not nominative and not state["last_full"]):
                state["named"], state["last_full"] = True, True
                return full
            state["last_full"] = False
            replacement = short.full_to_short.get(canonical, full)
            return replacement[:1].upper() + replacement[1:] if full[:1].isupper() else replacement

        lines = [Line(text=pattern.sub(shorten, line.text), speaker=line.speaker) for line in lines]
    return lines


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _first_word(text: str) -> str:
    words = [w for w in re.findall(r"\w+", text.lower()) if w not in ("the", "a", "an")]
    return words[0] if words else ""
