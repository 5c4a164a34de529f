"""The narrate stage with the real engines: festival (festvox-ru) and espeak-ng."""
from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from pipeline.media import read_wav, rms_dbfs
from pipeline.narrate import Narrator, make_narrator
from pipeline.narrate.casting import cast_voices
from pipeline.narrate.espeak import EspeakVoice
from pipeline.narrate.festival import FestivalNarrator, FestivalVoice, narrator_voice
from pipeline.narrate.reader import LEAD_IN_SECONDS, line_gap
from pipeline.narrate.text import speakable
from pipeline.narrate.voice import SynthItem
from pipeline.settings import PipelineSettings
from pipeline.types import Character, Genre, Language, Line, Narration, Scene, StageError, Story, StoryRequest

RATE = 22050  # lower than production's 44100 to keep the tests quick; the code path is the same
ZOO = "«Привет» — мир… 100% №5"


def festival_narrator(cache_dir: Path | None = None) -> Narrator:
    """The offline narrator at the tests' rate, built by the factory; a line cache only under `cache_dir`."""
    if cache_dir is None:
        return make_narrator("festival", PipelineSettings(sample_rate=RATE, narrate_line_cache=False))
    return make_narrator("festival", PipelineSettings(sample_rate=RATE, cache_dir=cache_dir))


def make_story(language: Language, scenes: list[list[tuple[str, str]]]) -> Story:
    """A story by hand: scenes of (speaker, text); a male hero and a female villain."""
    return Story(
        request=StoryRequest(title="Перо", genre=Genre.fairy_tale, language=language),
        title="Перо",
        characters=(
            Character(id="hero", name="Иван", gender="male", role="hero"),
            Character(id="villain", name="Яга", gender="female", role="villain"),
        ),
        scenes=tuple(
            Scene(setting="forest", lines=tuple(Line(text=text, speaker=speaker) for speaker, text in lines))
            for lines in scenes
        ),
    )


RU_STORY = make_story("ru", [
    [
        ("narrator", "Жил-был в дремучем лесу храбрый охотник Иван."),
        ("hero", "— Сегодня я найду волшебное перо! — сказал он."),
        ("villain", "«Не найдёшь ты пера, Иван», — прошипела колдунья."),
    ],
    [
        ("narrator", ZOO),
        ("hero", "— Отдай перо, старуха! Иначе — беда…"),
        ("villain", "Ха-ха! Никогда ты его не получишь, глупец!"),
        ("narrator", "Вот и сказке конец."),
    ],
])  # fmt: skip


@pytest.fixture(scope="module")
def ru_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Narration, list[float]]:
    fractions: list[float] = []
    narration = festival_narrator().narrate(
        RU_STORY, tmp_path_factory.mktemp("narrate"), seed=3, progress=lambda stage, f: fractions.append(f)
    )
    return narration, fractions


@pytest.fixture(scope="module")
def ru_audio(ru_run: tuple[Narration, list[float]]) -> np.ndarray:
    samples, rate = read_wav(ru_run[0].audio)
    assert rate == RATE
    return samples


def span(samples: np.ndarray, start: float, duration: float) -> np.ndarray:
    return samples[round(start * RATE) : round((start + duration) * RATE)]


def median_pitch(samples: np.ndarray, rate: int) -> float:
    """Median F0 in Hz over voiced 40 ms frames, by autocorrelation in 60–400 Hz."""
    size, shortest, longest = int(0.04 * rate), int(rate / 400), int(rate / 60)
    pitches = []
    for start in range(0, samples.size - size, size // 2):
        frame = samples[start : start + size] - samples[start : start + size].mean()
        if rms_dbfs(frame) < -35:
            continue
        corr = np.correlate(frame, frame, "full")[size - 1 :]
        lag = shortest + int(np.argmax(corr[shortest:longest]))
        if corr[lag] > 0.5 * corr[0]:
            pitches.append(rate / lag)
    assert pitches, "no voiced frames"
    return float(np.median(pitches))


def test_a_clip_per_line_in_story_order(ru_run: tuple[Narration, list[float]]) -> None:
    narration, _ = ru_run
    assert narration.audio.name == "narration.wav" and narration.sample_rate == RATE
    assert [(c.scene, c.line, c.speaker) for c in narration.clips] == [
        (s, i, line.speaker) for s, scene in enumerate(RU_STORY.scenes) for i, line in enumerate(scene.lines)
    ]
    assert narration.clips[3].text == ZOO  # subtitles get the text as written


def test_every_clip_is_heard(ru_run: tuple[Narration, list[float]], ru_audio: np.ndarray) -> None:
    for clip in ru_run[0].clips:
        assert clip.duration > 0.4, clip
        assert rms_dbfs(span(ru_audio, clip.start, clip.duration)) > -40, clip


def test_clips_have_matching_loudness(ru_run: tuple[Narration, list[float]], ru_audio: np.ndarray) -> None:
    levels = [rms_dbfs(span(ru_audio, c.start, c.duration)) for c in ru_run[0].clips]
    assert max(levels) - min(levels) < 4, levels


def test_timings_are_the_real_positions(ru_run: tuple[Narration, list[float]], ru_audio: np.ndarray) -> None:
    narration, _ = ru_run
    with wave.open(str(narration.audio)) as wav:
        assert wav.getnchannels() == 1
        assert wav.getnframes() / wav.getframerate() == pytest.approx(narration.duration, abs=1 / RATE)
    clips = narration.clips
    assert clips[0].start == pytest.approx(LEAD_IN_SECONDS, abs=0.01)
    assert clips[-1].start + clips[-1].duration < narration.duration
    for before, after in zip(clips, clips[1:]):
        gap = after.start - (before.start + before.duration)
        expected = line_gap(before.text, before.speaker == after.speaker, before.scene == after.scene)
        assert gap == pytest.approx(expected, abs=0.01), (before, after)
        # the pause is silence, so the picture and subtitle changes fall between words
        assert rms_dbfs(span(ru_audio, before.start + before.duration, gap)) < -60
    assert narration.scene_span(1)[0] == clips[3].start


def test_each_character_keeps_one_voice_and_voices_differ(ru_run: tuple[Narration, list[float]],
                                                          ru_audio: np.ndarray) -> None:
    voices: dict[str, set[str]] = {}
    for clip in ru_run[0].clips:
        voices.setdefault(clip.speaker, set()).add(clip.voice)
    assert voices["narrator"] == {"festival:msu_ru_nsh_clunits"}
    assert len(voices["hero"]) == 1 and len(voices["villain"]) == 1
    assert voices["hero"] != voices["villain"]
    assert all(v.startswith("espeak:ru+") for v in voices["hero"] | voices["villain"])

    def pitch_of(speaker: str) -> float:
        parts = [span(ru_audio, c.start, c.duration) for c in ru_run[0].clips if c.speaker == speaker]
        return median_pitch(np.concatenate(parts), RATE)

    assert pitch_of("villain") > 1.15 * pitch_of("hero")  # a woman's voice, even a villain's low one


def test_progress_reaches_one(ru_run: tuple[Narration, list[float]]) -> None:
    fractions = ru_run[1]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert fractions == sorted(fractions) and len(fractions) >= 3


def test_english_story_with_the_espeak_voices(tmp_path: Path) -> None:
    story = make_story("en", [
        [("narrator", "Once upon a time — long ago — a hunter lived in the woods…"),
         ("hero", "“I will find the magic feather!” he said.")],
        [("villain", "Ha! You have a 0% chance, fool."), ("narrator", "The end.")],
    ])  # fmt: skip
    settings = PipelineSettings(sample_rate=RATE, narrate_line_cache=False, narrator_en="espeak")
    narration = make_narrator("festival", settings).narrate(story, tmp_path, seed=0)
    samples, _ = read_wav(narration.audio)
    assert len(narration.clips) == 4
    assert all(c.voice.startswith(("espeak:en", "festival:")) for c in narration.clips)
    assert len({c.voice for c in narration.clips}) == 3
    for clip in narration.clips:
        assert rms_dbfs(span(samples, clip.start, clip.duration)) > -40, clip


def test_festival_reads_the_punctuation_zoo(tmp_path: Path) -> None:
    item = SynthItem(speakable(ZOO, "ru"), tmp_path / "zoo.wav")
    FestivalVoice().synthesize([item])
    samples, rate = read_wav(item.wav)
    assert samples.size / rate > 1.5 and rms_dbfs(samples) > -40


@pytest.mark.parametrize("text", [
    ZOO,
    "— Кто здесь? — спросил кот.",
    "Он сказал: «Иди (если хочешь) домой»; она — нет!",
    "“Quoted” don’t — okay…",
    "Кот - идёт , а пёс ; нет",
])  # fmt: skip
def test_speakable_leaves_no_mark_festival_chokes_on(text: str) -> None:
    clean = speakable(text, "ru")
    assert not set(clean) & set("«»—–…%№“”’()\"")
    assert " ," not in clean and " ;" not in clean and not clean.startswith((",", "-"))
    assert clean.replace(" ", "")  # something is left to read


def test_speakable_words_for_signs() -> None:
    assert speakable("100% и 2% и 21% №5", "ru") == "сто процентов и два процента и двадцать один процент номер пять"
    assert speakable("50% & №3", "en") == "fifty percent and number three"


def test_casting_is_consistent_and_seeded() -> None:
    narrator = narrator_voice("ru")
    first = cast_voices(RU_STORY, 7, narrator)
    assert first == cast_voices(RU_STORY, 7, narrator)
    assert first["narrator"] == narrator and first["hero"] != first["villain"]
    castings = [cast_voices(RU_STORY, seed, narrator) for seed in range(8)]
    assert len({(c["hero"], c["villain"]) for c in castings}) > 1
    villain, hero = first["villain"], first["hero"]
    assert isinstance(villain, EspeakVoice) and isinstance(hero, EspeakVoice)
    assert villain.pitch < hero.pitch  # villains speak lower than their own voice's usual


def test_engine_that_is_missing_raises_stage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = EspeakVoice("ru+m3", binary=str(tmp_path / "no-such-espeak"))
    monkeypatch.setattr("pipeline.narrate.casting.character_voice", lambda *args: broken)
    story = make_story("ru", [[("hero", "Я найду перо!")]])
    with pytest.raises(StageError, match="no-such-espeak is not installed") as failure:
        festival_narrator().narrate(story, tmp_path, seed=0)
    assert failure.value.stage == "narrate"


def test_engine_writing_an_empty_wav_raises_stage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def empty_wavs(self: FestivalVoice, items: list[SynthItem]) -> None:
        calls.append(len(items))
        for item in items:
            item.wav.write_bytes(b"")  # what festival does with text it cannot read

    monkeypatch.setattr(FestivalVoice, "synthesize", empty_wavs)
    story = make_story("ru", [[("narrator", "Жил-был кот.")]])
    with pytest.raises(StageError, match=r"festival:msu_ru_nsh_clunits produced no audio for scene 1, line 1"):
        festival_narrator().narrate(story, tmp_path, seed=0)
    assert calls == [1, 1]  # tried, then retried once
    assert not (tmp_path / "narration.wav").exists()


def test_line_with_nothing_to_read_is_refused(tmp_path: Path) -> None:
    story = make_story("ru", [[("narrator", "Жил-был кот."), ("hero", "— …")]])
    with pytest.raises(StageError, match="scene 1, line 2 has nothing to read aloud"):
        festival_narrator().narrate(story, tmp_path, seed=0)


def test_make_narrator() -> None:
    narrator = make_narrator("festival", PipelineSettings(sample_rate=RATE, narrate_workers=3))
    assert isinstance(narrator, FestivalNarrator)
    assert (narrator.sample_rate, narrator.workers) == (RATE, 3)
    with pytest.raises(ValueError, match="unknown narrator 'nope'"):
        make_narrator("nope", PipelineSettings())
