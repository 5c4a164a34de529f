"""Arbitrary text thrown at the title parser and the story writer: no exception escapes, every story is whole."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from bot.titles import clean_title, title_problem
from pipeline.genres import split_title_and_genre
from pipeline.settings import PipelineSettings
from pipeline.types import Genre, Length, StoryRequest
from pipeline.write import make_writer

TITLE_LIMIT = 200

ZOO = [
    "",
    "   \n\t ",
    "Я" * 5000,
    "🐉🔥🐉",
    "<b>Кощей</b> & <script>alert(1)</script>",
    "**Кощей** _Бессмертный_ [ссылка](http://x)",
    "Ко\u200bщей\u200d\u2060 Бес\u0000смертный\x1b[31m",
    "שלום עולם",
    "مرحبا بالعالم ужасы",
    "東京の夜 horror",
    "Баба-Яга &amp; &lt;Кощей&gt;",
    "../../etc/passwd",
    "Кот\u202eв сапогах",
]

titles = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300
) | st.sampled_from(ZOO)


@given(titles)
@settings(max_examples=300, deadline=None)
def test_the_parser_answers_every_text_with_a_title_or_a_reason(text):
    cleaned = clean_title(text)
    assert all(ch.isprintable() or ch == " " for ch in cleaned)
    title, genre = split_title_and_genre(cleaned)
    assert genre is None or isinstance(genre, Genre)
    problem = title_problem(title, TITLE_LIMIT)
    if problem is None:
        StoryRequest(title=title, genre=genre or Genre.fairy_tale)  # a valid request, never a validation error
    else:
        assert problem in {"title_empty", "title_too_long", "title_no_letters"}


@pytest.mark.parametrize("text", ZOO)
def test_the_zoo_gets_a_clean_title_or_a_reason(text):
    title, _ = split_title_and_genre(clean_title(text))
    problem = title_problem(title, TITLE_LIMIT)
    if not any(ch.isalpha() for ch in text) or len(text) > TITLE_LIMIT:
        assert problem is not None
    else:
        assert problem is None and "\u200b" not in title and "\x1b" not in title


accepted_titles = titles.map(lambda t: split_title_and_genre(clean_title(t))[0]).filter(
    lambda t: title_problem(t, TITLE_LIMIT) is None
)


@given(
    title=accepted_titles,
    genre=st.sampled_from(list(Genre)),
    language=st.sampled_from(["ru", "en"]),
    seed=st.integers(0, 2**31 - 1),
)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
def test_the_writer_tells_a_whole_story_for_any_accepted_title(title, genre, language, seed):
    story = make_writer("grammar", PipelineSettings()).write(StoryRequest(title=title, genre=genre, language=language, length=Length.short, seed=seed))
    assert len(story.scenes) >= 2
    speakers = {c.id for c in story.characters} | {"narrator"}
    for scene in story.scenes:
        assert scene.lines and all(line.text.strip() for line in scene.lines)
        assert all(line.speaker in speakers for line in scene.lines)


@pytest.mark.slow
def test_a_title_full_of_markup_emoji_and_bidi_marks_renders_a_whole_video(tmp_path):
    from pipeline.render import Pipeline
    from pipeline.settings import PipelineSettings
    from tests.media_checks import assert_story_video

    title, genre = split_title_and_genre(clean_title("<b>Робот</b> 🚀 & «Зорг»\u202e №7 — 100% *фантастика*"))
    assert title_problem(title, TITLE_LIMIT) is None and genre is Genre.scifi
    assert title == "<b>Робот</b> 🚀 & «Зорг» №7 — 100%"
    request = StoryRequest(title=title, genre=genre, length=Length.short, seed=3)
    out = tmp_path / "story.mp4"
    Pipeline.from_settings(PipelineSettings(cache_dir=tmp_path / "cache")).render(request, out, size=(320, 180))
    assert_story_video(out, 320, 180, min_seconds=30)
