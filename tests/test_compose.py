"""The compose stage: moods per genre, the seeded generator, real FluidSynth rendering, looping and fades."""
from __future__ import annotations

import sys
import wave
from collections import Counter
from pathlib import Path

import numpy as np
import pretty_midi
import pytest

from pipeline.compose import COMPOSERS, cache_tag, make_composer
from pipeline.compose.fluidsynth import SoundFontComposer, loop_to_length, render_midi, write_midi
from pipeline.compose.motif import MotifGenerator
from pipeline.compose.theory import MODES, MOODS, Segment, scene_segments
from pipeline.compose.transformer import DEFAULT_WEIGHTS
from pipeline.compose.transformer.generator import TransformerGenerator
from pipeline.media import read_wav, rms_dbfs
from pipeline.settings import PipelineSettings
from pipeline.types import Genre, Line, MissingExtra, Scene, Score, Story, StoryRequest

RATE = 22050  # half the default rate keeps the tests quick; the code path is the same
SETTINGS = PipelineSettings(sample_rate=RATE)


def story_in(genre: Genre) -> Story:
    return Story(request=StoryRequest(title="Кот", genre=genre), title="Кот", characters=(), scenes=())


def notes_of(midi: pretty_midi.PrettyMIDI) -> list[tuple[int, int, float, float, int]]:
    return [(i.program, n.pitch, round(n.start, 4), round(n.end, 4), n.velocity)
            for i in midi.instruments for n in i.notes]


@pytest.fixture(scope="module")
def composer() -> SoundFontComposer:
    return SoundFontComposer(SETTINGS.soundfont, RATE, MotifGenerator())


@pytest.fixture(scope="module")
def horror(composer: SoundFontComposer, tmp_path_factory: pytest.TempPathFactory) -> Score:
    return composer.compose(story_in(Genre.horror), 12.3, tmp_path_factory.mktemp("horror"), seed=7)


@pytest.fixture(scope="module")
def comedy(composer: SoundFontComposer, tmp_path_factory: pytest.TempPathFactory) -> Score:
    return composer.compose(story_in(Genre.comedy), 8.0, tmp_path_factory.mktemp("comedy"), seed=7)


def test_rendered_audio_has_the_duration_and_is_not_silent(horror: Score) -> None:
    samples, rate = read_wav(horror.audio)
    assert rate == RATE
    assert abs(len(samples) / rate - 12.3) < 0.1
    middle = samples[len(samples) // 2 - rate: len(samples) // 2 + rate]
    assert rms_dbfs(middle) > -35
    frames, _ = read_wav(horror.audio, mono=False)  # both channels: the peak is in one of them
    assert -3.2 < 20 * np.log10(np.max(np.abs(frames))) < -2.8
    assert horror.midi.name == "score.mid" and horror.mood == MOODS[Genre.horror].name


def test_audio_is_16_bit_stereo(horror: Score) -> None:
    with wave.open(str(horror.audio)) as wav:
        assert (wav.getsampwidth(), wav.getnchannels(), wav.getframerate()) == (2, 2, RATE)


def test_fade_in_and_out(horror: Score) -> None:
    samples, rate = read_wav(horror.audio)
    middle = rms_dbfs(samples[len(samples) // 2 - rate: len(samples) // 2 + rate])
    assert rms_dbfs(samples[: rate // 10]) < middle - 20
    assert rms_dbfs(samples[-rate // 10:]) < middle - 20


def pitch_classes(midi: pretty_midi.PrettyMIDI) -> Counter[int]:
    return Counter(n.pitch % 12 for i in midi.instruments for n in i.notes)


def test_horror_is_slow_and_minor_comedy_quick_and_major(horror: Score, comedy: Score) -> None:
    dark, playful = pretty_midi.PrettyMIDI(str(horror.midi)), pretty_midi.PrettyMIDI(str(comedy.midi))
    dark_tempo, playful_tempo = (m.get_tempo_changes()[1][0] for m in (dark, playful))
    assert dark_tempo < 70 < 120 < playful_tempo
    for midi, mood, third in ((dark, MOODS[Genre.horror], 3), (playful, MOODS[Genre.comedy], 4)):
        used = pitch_classes(midi)
        assert set(used) <= mood.scale
        tonic = mood.tonic % 12
        assert (tonic + third) % 12 in used  # the mode's own third is there...
        assert (tonic + 7 - third) % 12 not in used  # ...and the other mode's third is not
    assert MOODS[Genre.horror].mode == "minor" and MOODS[Genre.comedy].mode == "major"


@pytest.mark.parametrize("genre", list(Genre))
def test_every_mood_keeps_its_scale_tempo_and_length(genre: Genre) -> None:
    mood = MOODS[genre]
    bars = 2 * mood.phrase_bars
    midi = MotifGenerator().generate(mood, bars, seed=3)
    assert set(pitch_classes(midi)) <= mood.scale
    assert midi.get_tempo_changes()[1][0] == pytest.approx(mood.tempo, rel=1e-3)
    assert {i.program for i in midi.instruments} == {mood.pad, mood.melody, mood.bass}
    last_note = max(n.end for i in midi.instruments for n in i.notes)
    assert bars * mood.bar_seconds - 1.0 < last_note <= bars * mood.bar_seconds + 1e-6
    assert mood.mode in MODES


def test_same_seed_same_music_other_seed_other_music(tmp_path: Path) -> None:
    mood = MOODS[Genre.fairy_tale]
    generator = MotifGenerator()
    first, again, other = (generator.generate(mood, 16, seed) for seed in (5, 5, 6))
    assert notes_of(first) == notes_of(again)
    assert notes_of(first) != notes_of(other)
    first.write(str(tmp_path / "a.mid"))
    again.write(str(tmp_path / "b.mid"))
    assert (tmp_path / "a.mid").read_bytes() == (tmp_path / "b.mid").read_bytes()


def test_the_melody_repeats_with_variation() -> None:
    mood = MOODS[Genre.fable]
    midi = MotifGenerator().generate(mood, 4 * mood.phrase_bars, seed=11)
    melody = next(i for i in midi.instruments if i.program == mood.melody)
    phrase_seconds = mood.phrase_bars * mood.bar_seconds

    def phrase_rhythm(k: int) -> list[float]:
        return [round(n.start - k * phrase_seconds, 3) for n in melody.notes
                if k * phrase_seconds <= n.start < (k + 1) * phrase_seconds]

    phrases = [phrase_rhythm(k) for k in range(4)]
    assert all(phrases)
    shared = len(set(phrases[0]) & set(phrases[1])) / len(set(phrases[0]))
    assert shared > 0.5  # recognisably the same motif, while the pitches differ somewhere
    pitches = [[n.pitch for n in melody.notes if k * phrase_seconds <= n.start < (k + 1) * phrase_seconds]
               for k in range(4)]
    assert len({tuple(p) for p in pitches}) > 1


def decaying_notes(onsets: list[int], start: int, total: int, length: int) -> np.ndarray:
    """A toy 'render': each note a decaying sine that rings `length` frames, shifted by `start`."""
    out = np.zeros(total, dtype=np.float32)
    t = np.arange(length)
    note = (np.sin(t * 0.05) * np.exp(-t / 400)).astype(np.float32)
    for onset in onsets:
        begin = start + onset
        if begin < total:
            out[begin: begin + length] += note[: total - begin]
    return out


def test_looping_matches_a_continuous_performance() -> None:
    loop, ring, total = 1000, 1500, 4300
    onsets = [0, 250, 700, 990]
    rendered = decaying_notes(onsets, 0, loop + ring, ring)[:, None]
    continuous = sum(decaying_notes(onsets, k * loop, total, ring) for k in range(5))
    looped = loop_to_length(rendered, loop, total)
    assert looped.shape == (total, 1)
    np.testing.assert_allclose(looped[:, 0], continuous, atol=1e-5)


def test_long_scores_loop_the_rendered_piece(tmp_path: Path) -> None:
    composer = SoundFontComposer(SETTINGS.soundfont, RATE, MotifGenerator(), max_piece_seconds=5.0)
    score = composer.compose(story_in(Genre.comedy), 20.0, tmp_path, seed=1)
    samples, rate = read_wav(score.audio)
    assert abs(len(samples) / rate - 20.0) < 0.1
    piece = pretty_midi.PrettyMIDI(str(score.midi))
    assert piece.get_end_time() < 15.0  # the MIDI covers one piece; the audio repeats it
    for second in (6, 10, 14):
        assert rms_dbfs(samples[(second - 1) * rate: (second + 1) * rate]) > -35


def test_make_composer() -> None:
    assert set(COMPOSERS) == {"transformer", "motif"}
    composer = make_composer("motif", SETTINGS)
    assert isinstance(composer, SoundFontComposer) and isinstance(composer.generator, MotifGenerator)
    assert composer.sample_rate == RATE and composer.soundfont == SETTINGS.soundfont
    with pytest.raises(ValueError):
        make_composer("nope", SETTINGS)


def test_the_transformer_composer_without_torch_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)  # an image built without torch
    for module in [m for m in sys.modules if m.startswith("pipeline.compose.transformer.")]:
        monkeypatch.delitem(sys.modules, module)
    with pytest.raises(MissingExtra) as error:
        make_composer("transformer", SETTINGS)
    assert error.value.extra == "cpu" and "transformer composer" in str(error.value)


# --- the trained model ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def trained() -> SoundFontComposer:
    """The pipeline's default composer, on the weights committed in the repository."""
    assert DEFAULT_WEIGHTS.exists(), "the trained music model's weights are missing"
    composer = make_composer("transformer", SETTINGS)
    assert isinstance(composer.generator, TransformerGenerator)
    return composer


def melody_of(midi: pretty_midi.PrettyMIDI, program: int) -> list[pretty_midi.Note]:
    return next(i for i in midi.instruments if i.program == program).notes


def test_the_model_plays_horror_slow_and_minor_comedy_quick_and_major(trained: SoundFontComposer) -> None:
    pace = {}
    for genre in (Genre.horror, Genre.comedy):
        mood = MOODS[genre]
        midi = trained.generator.generate_segments([Segment(mood, 0.0, 12.0)], seed=2)
        assert set(pitch_classes(midi)) <= mood.scale
        melody = melody_of(midi, mood.melody)
        third = 4 if mood.mode == "major" else 3
        used = pitch_classes(midi)
        assert mood.tonic % 12 in used and (mood.tonic + third) % 12 in used
        assert (mood.tonic + 7 - third) % 12 not in used
        assert max(n.end - n.start for n in melody) <= 4.0 + 1e-6
        low, high = mood.velocity
        assert all(low <= n.velocity <= high for n in melody)
        assert {i.program for i in midi.instruments} == {mood.pad, mood.melody, mood.bass}
        assert midi.get_tempo_changes()[1][0] == pytest.approx(mood.tempo, rel=1e-3)
        pace[genre] = len({round(n.start, 2) for n in melody}) / 12.0
    assert pace[Genre.comedy] > 2 * pace[Genre.horror]


def test_the_model_renders_the_requested_length(trained: SoundFontComposer, tmp_path: Path) -> None:
    score = trained.compose(story_in(Genre.fairy_tale), 9.5, tmp_path, seed=3)
    samples, rate = read_wav(score.audio)
    assert abs(len(samples) / rate - 9.5) < 0.05
    assert rms_dbfs(samples[len(samples) // 2 - rate: len(samples) // 2 + rate]) > -35
    assert score.mood == MOODS[Genre.fairy_tale].name


@pytest.mark.parametrize("genre", [Genre.scifi, Genre.fantasy, Genre.detective])
def test_the_new_genres_render_with_the_trained_model(trained: SoundFontComposer, genre: Genre, tmp_path: Path) -> None:
    score = trained.compose(story_in(genre), 15.0, tmp_path, seed=0)
    samples, rate = read_wav(score.audio)
    assert abs(len(samples) / rate - 15.0) < 0.05 and rms_dbfs(samples) > -40


def test_a_zero_length_note_does_not_hang_fluidsynth(composer: SoundFontComposer, tmp_path: Path) -> None:
    midi = pretty_midi.PrettyMIDI()
    pad = pretty_midi.Instrument(program=89)
    pad.notes += [pretty_midi.Note(60, 57, 0.0, 1.0), pretty_midi.Note(60, 57, 1.0, 1.0)]  # the second: start == end
    midi.instruments.append(pad)
    write_midi(midi, tmp_path / "score.mid")
    wav = render_midi(tmp_path / "score.mid", tmp_path / "score.wav", composer.soundfont, RATE, timeout=30)
    frames, rate = read_wav(wav, mono=False)
    assert len(frames) / rate < 10


def scene(text: str, time_of_day: str = "day") -> Scene:
    return Scene(setting="forest", time_of_day=time_of_day, lines=(Line(text=text),))


def test_the_music_darkens_with_the_story(trained: SoundFontComposer) -> None:
    story = Story(request=StoryRequest(title="Кот", genre=Genre.fairy_tale), title="Кот", characters=(),
                  scenes=(scene("Кот весело пел песни на празднике, и все смеялись."),
                          scene("Кот шёл по лесу."),
                          scene("Ночью пришла беда: страшное чудовище, тьма и крик.", "night")))
    segments = scene_segments(story, 30.0, scene_starts=[0.0, 8.0, 16.0])
    base = MOODS[Genre.fairy_tale]
    assert [(s.start, s.end) for s in segments] == [(0.0, 8.0), (8.0, 16.0), (16.0, 30.0)]
    bright, plain, dark = (s.mood for s in segments)
    assert plain == base and bright.mode == "major" and bright.tempo > base.tempo
    assert dark.mode == "minor" and dark.tempo < base.tempo and dark.velocity[1] < base.velocity[1]
    midi = trained.generator.generate_segments(segments, seed=5)
    times, tempi = midi.get_tempo_changes()
    assert list(times) == pytest.approx([0.0, 8.0, 16.0], abs=0.01)
    assert list(tempi) == pytest.approx([bright.tempo, base.tempo, dark.tempo])
    for segment in segments:
        heard = {n.pitch % 12 for i in midi.instruments for n in i.notes if segment.start <= n.start < segment.end}
        assert heard <= segment.mood.scale
    darker = {n.pitch % 12 for i in midi.instruments for n in i.notes if n.start >= 16.0}
    assert (base.tonic + 3) % 12 in darker and (base.tonic + 4) % 12 not in darker  # the minor third now


def test_missing_weights_are_an_error_not_the_rule_based_generator(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="weights not found"):
        make_composer("transformer", PipelineSettings(sample_rate=RATE, music_weights=tmp_path / "none.pt"))


def test_the_cache_tag_names_backend_weights_soundfont_rate_and_code(tmp_path: Path) -> None:
    weights = tmp_path / "model.pt"
    weights.write_bytes(b"old")
    settings = PipelineSettings(sample_rate=RATE, music_weights=weights)
    before = cache_tag("transformer", settings)
    assert "model.pt" in before and str(RATE) in before and SETTINGS.soundfont.name in before
    weights.write_bytes(b"new")  # retrained weights, the same size
    assert cache_tag("transformer", settings) != before
    motif = cache_tag("motif", settings)
    assert motif.startswith("motif") and "model.pt" not in motif
    assert cache_tag("motif", PipelineSettings(sample_rate=44100)) != cache_tag("motif", SETTINGS)
    assert cache_tag("motif", settings) == motif
