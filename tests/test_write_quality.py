"""The writer's quality panel, a subset (bench/writer.py runs it whole): what a reader checks in a story."""
from __future__ import annotations

import re
from functools import cache

import pytest

from pipeline.settings import PipelineSettings
from pipeline.types import Character, Genre, Length, Line, Scene, Story, StoryRequest
from pipeline.write import make_writer
from pipeline.write.quality import (
    MAX_MISSPELLED_SHARE,
    PANEL_TITLES,
    StoryReport,
    check_story,
    hero_case_forms,
    hunspell_misspelled,
    panel_requests,
)
from pipeline.write.text import count_words

WRITER = make_writer("grammar", PipelineSettings())
SUBSET = panel_requests(lengths=(Length.standard,), titles_per_language=3) + [
    StoryRequest(title=PANEL_TITLES[language][-1], genre=genre, language=language, length=length)
    for language in ("ru", "en") for genre in Genre for length in (Length.short, Length.long)
]


@cache
def report(request: StoryRequest) -> StoryReport:
    return check_story(WRITER.write(request))


@pytest.mark.parametrize("request_", SUBSET, ids=lambda r: f"{r.language}-{r.title}-{r.genre.value}-{r.length.value}")
def test_a_panel_story_passes_what_a_reader_checks(request_):
    assert report(request_).problems(request_.language) == []


def test_the_whole_subset_is_spelled_right():
    reports = [report(request) for request in SUBSET]
    share = sum(len(r.misspelled) for r in reports) / sum(r.checked_words for r in reports)
    assert share < MAX_MISSPELLED_SHARE / 2, share


@pytest.mark.parametrize("genre", list(Genre))
def test_a_long_russian_story_has_at_least_700_words(genre):
    for title in PANEL_TITLES["ru"][:3]:
        story = WRITER.write(StoryRequest(title=title, genre=genre, length=Length.long))
        assert count_words(" ".join(line.text for line in story.lines)) >= 700, (title, genre)


def test_even_a_short_russian_tale_declines_the_heros_name():
    for genre in Genre:
        story = WRITER.write(StoryRequest(title="Баба Яга", genre=genre, length=Length.short, seed=2))
        forms = hero_case_forms(story)
        assert len(forms) >= 3 and "баба яга" in forms, (genre, forms)


def test_the_spell_checker_catches_a_misspelling_and_knows_the_folk_words():
    assert hunspell_misspelled(["корова", "карова", "кладенец", "молодильные"], "ru") == ["карова"]
    assert hunspell_misspelled(["house", "hause", "bylina"], "en") == ["hause"]


def test_the_checks_see_a_bad_story():
    request = StoryRequest(title="Гарри Поттер", genre=Genre.drama)
    lines = (Line(text="Гарри Поттер сидел, а «где мой друг» спросил он."), Line(text="Превед медвед!", speaker="ghost"))
    hero = Character(id="hero", name="Гарри Поттер", gender="male", role="hero")
    story = Story(request=request, title="x", characters=(hero,), scenes=(Scene(setting="void", lines=lines),))
    report = check_story(story)
    assert report.scenes == 1 and report.undrawable_scenes == 1 and report.unvoiced_lines == 2
    assert set(report.misspelled) == {"Превед", "медвед"}
    assert len(report.problems("ru")) == 5


def test_the_writer_varies_how_sentences_begin():
    """No three sentences in a row start with the same word (an English article aside)."""
    for request in SUBSET[:: len(SUBSET) // 12]:
        first_words = [words[0] for line in WRITER.write(request).lines
                       for sentence in re.split(r"(?<=[.!?])\s+", line.text)
                       if (words := [w for w in re.findall(r"\w+", sentence.lower()) if w not in ("the", "a", "an")])]
        runs = [first_words[i] for i in range(len(first_words) - 2) if len(set(first_words[i:i + 3])) == 1]
        assert not runs, (request, runs)


def test_characters_speak_in_every_tale_even_a_short_one():
    for language in ("ru", "en"):
        for genre in Genre:
            for seed in range(3):
                request = StoryRequest(title=PANEL_TITLES[language][1], genre=genre, language=language,
                                       length=Length.short, seed=seed)
                assert any(line.speaker != "narrator" for line in WRITER.write(request).lines), request
