"""Narration's text and voices: spelled-out numbers, long lines, silero-stress marks reaching festival,
the per-line cache, and the Silero TTS backend through a local torch.hub repo with a tiny model."""
from __future__ import annotations

import json
import os
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from pipeline.media import read_wav, rms_dbfs, run
from pipeline.narrate import CODE_VERSION, cache_tag, make_narrator
from pipeline.narrate.casting import age_of, cast_speakers
from pipeline.narrate.espeak import espeak_text
from pipeline.narrate.festival import FestivalVoice
from pipeline.narrate.espeak import EspeakVoice
from pipeline.narrate.reader import LineCache, line_gap, line_jobs, pause_after, speech_bounds, trim_silence
from pipeline.narrate.stress import accent, stressed_words
from pipeline.narrate.text import spell_out, split_long
from pipeline.narrate.voice import SynthItem
from pipeline.settings import PipelineSettings
from pipeline.types import Character, Genre, Line, MissingExtra, Scene, StageError, Story, StoryRequest
from tests.test_narrate import RATE, festival_narrator, make_story, median_pitch, span


@pytest.mark.parametrize(("written", "said"), [
    ("25 ноября 1812 года", "двадцать пятого ноября тысяча восемьсот двенадцатого года"),
    ("В 1812 году", "В тысяча восемьсот двенадцатом году"),
    ("в 1999 г.", "в тысяча девятьсот девяносто девятом году"),
    ("к 3 часам", "к трём часам"),
    ("5 км", "пять километров"),
    ("21 €", "двадцать один евро"),
    ("Пётр I жил в XVIII веке", "Пётр первый жил в восемнадцатом веке"),
    ("3-го числа 5-й раз", "третьего числа пятый раз"),
    ("т.е. и т. д.", "то есть и так далее"),
    ("в 10:30", "в десять тридцать"),
    ("2–3 дня", "от двух до трёх дня"),
    ("1 000 000 монет", "один миллион монет"),
])  # fmt: skip
def test_russian_numbers_dates_and_abbreviations_become_words(written: str, said: str) -> None:
    assert spell_out(written, "ru") == said


@pytest.mark.parametrize(("written", "said"), [
    ("On March 3rd, 1812", "On March the third eighteen twelve"),
    ("Mr. Smith paid $5", "Mister Smith paid five dollars"),
    ("in 1999, 2 km, i.e. 1%", "in nineteen ninety-nine, two kilometres, that is one percent"),
])  # fmt: skip
def test_english_numbers_and_abbreviations_become_words(written: str, said: str) -> None:
    assert spell_out(written, "en") == said


def test_long_text_is_cut_between_sentences_and_clauses_never_inside_a_word() -> None:
    text = ("Долго шёл Иван через тёмный лес, через болота и овраги, мимо старых дубов; "
            "и наконец увидел избушку на курьих ножках. " * 6 + "Конец.")  # fmt: skip
    pieces = split_long(text, max_chars=120)
    assert len(pieces) > 6 and all(len(p) <= 120 for p in pieces)
    assert " ".join(pieces).split() == text.split()  # every word whole, in order
    assert all(p.endswith((".", ",", ";")) for p in pieces[:-1])  # cuts fall at marks, not mid-clause


def test_accentor_marks_the_stressed_vowel_by_context() -> None:
    castle = accent("Старинный замок стоял на высокой горе.", "ru")
    lock = accent("Он повесил на дверь тяжёлый замок и ушёл.", "ru")
    assert "з+амок" in castle and "зам+ок" in lock
    assert "н+а" not in castle  # one-syllable words are left to the engine
    assert accent("An old castle", "en") == "An old castle"


def festival_phones(text: str, tmp_path: Path) -> list[str]:
    script = tmp_path / "phones.scm"
    script.write_text(f'(voice_msu_ru_nsh_clunits)\n(set! u (utt.synth (Utterance Text "{text}")))\n'
                      "(print (mapcar item.name (utt.relation.items u 'Segment)))\n", encoding="utf-8")  # fmt: skip
    return run(["festival", "-b", str(script)], stage="test").decode().split('"')[1::2]


def test_festival_reads_plus_as_the_stressed_vowel(tmp_path: Path) -> None:
    """festvox-ru's notation: `+` before the vowel makes it the stressed (long) phone."""
    assert festival_phones("з+амок", tmp_path) == ["pau", "z", "aa", "m", "ay", "k", "pau"]
    assert festival_phones("зам+ок", tmp_path) == ["pau", "z", "a", "m", "oo", "k", "pau"]


def test_stress_marks_reach_festival_in_the_stage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    read: list[str] = []
    real = FestivalVoice.synthesize

    def recording(self: FestivalVoice, items: list[SynthItem]) -> None:
        read.extend(item.text for item in items)
        real(self, items)

    monkeypatch.setattr(FestivalVoice, "synthesize", recording)
    story = make_story("ru", [[("narrator", "Старинный замок стоял на горе, 25 ноября 1812 года.")]])
    narration = festival_narrator().narrate(story, tmp_path, seed=0)
    assert len(read) == 1 and "з+амок" in read[0] and "дв+адцать п+ятого" in read[0]
    assert len(stressed_words(read[0])) >= 6
    assert narration.clips[0].duration > 2.0


def test_a_very_long_line_is_one_clip_read_in_pieces(tmp_path: Path) -> None:
    sentence = "Шёл Иван по лесу, и птицы пели ему, и ветер шумел в ветвях старых дубов."
    story = make_story("ru", [[("narrator", " ".join([sentence] * 5))], [("hero", "Пришёл!")]])
    narration = festival_narrator().narrate(story, tmp_path, seed=0)
    samples, _ = read_wav(narration.audio)
    long_clip = narration.clips[0]
    assert len(narration.clips) == 2 and long_clip.duration > 15
    assert rms_dbfs(span(samples, long_clip.start, long_clip.duration)) > -30


def test_line_cache_reads_each_line_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    story = make_story("ru", [[("narrator", "Жил-был кот."), ("hero", "Я кот!")], [("villain", "А я нет.")]])
    narrator = festival_narrator(cache_dir=tmp_path / "cache")
    first = narrator.narrate(story, tmp_path / "a", seed=1)

    def must_not_run(self: object, items: list[SynthItem]) -> None:
        raise AssertionError(f"engine called again for {[i.text for i in items]}")

    monkeypatch.setattr(FestivalVoice, "synthesize", must_not_run)
    monkeypatch.setattr("pipeline.narrate.espeak.EspeakVoice.synthesize", must_not_run)
    again = narrator.narrate(story, tmp_path / "b", seed=1)
    assert again.clips == first.clips
    assert np.allclose(read_wav(again.audio)[0], read_wav(first.audio)[0], atol=2 / 32768)  # 16-bit cache
    assert len(list((tmp_path / "cache" / "narrate-lines").glob("*/*.wav"))) == 3


def test_a_line_cached_by_other_code_is_not_read(tmp_path: Path) -> None:
    story = make_story("ru", [[("narrator", "Жил-был кот.")]])
    [job] = line_jobs(story, {"narrator": FestivalVoice()})
    paths = {LineCache(tmp_path, version).path(job, RATE) for version in (str(CODE_VERSION), "other")}
    assert len(paths) == 2


# --- Silero TTS through a local torch.hub repo ---------------------------------------------------------

HUBCONF = '''
"""A tiny stand-in for snakers4/silero-models with Silero's call signature: a voice per speaker
(its own pitch), silence for the first try of a line marked "[silent once]"."""
import json
from pathlib import Path

import torch

dependencies = ["torch"]
LOG = Path(__file__).with_name("calls.jsonl")
PITCH = {"aidar": 110.0, "eugene": 130.0, "baya": 210.0, "kseniya": 240.0, "xenia": 260.0}


class TinyTTS(torch.nn.Module):
    speakers = [*PITCH, "random"]

    def __init__(self):
        super().__init__()
        self.shape = torch.nn.Linear(1, 1)

    def apply_tts(self, text=None, ssml_text=None, speaker="xenia", sample_rate=48000, put_accent=True,
                  put_yo=True):
        if speaker not in PITCH:
            raise ValueError(f"unknown speaker {speaker}")
        seen = LOG.read_text() if LOG.exists() else ""
        silent = "silent once" in text and "silent once" not in seen
        with LOG.open("a") as log:
            log.write(json.dumps({"text": text, "speaker": speaker, "rate": sample_rate}) + "\\n")
        seconds = 0.07 * sum(c.isalpha() for c in text)
        t = torch.arange(int(seconds * sample_rate)) / sample_rate
        wave = 0.3 * torch.sin(2 * torch.pi * PITCH[speaker] * t) * (1 + 0.2 * torch.sin(2 * torch.pi * 3 * t))
        return wave * 0 if silent else wave


def silero_tts(language="ru", speaker="v4_ru"):
    return TinyTTS(), "example text"
'''


@pytest.fixture
def silero_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "silero-models"
    repo.mkdir()
    (repo / "hubconf.py").write_text(textwrap.dedent(HUBCONF), encoding="utf-8")
    return repo


def silero_settings(repo: Path, tmp_path: Path) -> PipelineSettings:
    return PipelineSettings(silero_repo=str(repo), silero_source="local", cache_dir=tmp_path / "cache",
                            narrate_line_cache=False, sample_rate=RATE, tts_device="cpu")  # fmt: skip


def test_silero_backend_casts_speakers_and_reads_stressed_text(silero_repo: Path, tmp_path: Path) -> None:
    from pipeline.narrate.silero import SileroNarrator

    narrator = make_narrator("silero", silero_settings(silero_repo, tmp_path))
    assert isinstance(narrator, SileroNarrator)
    story = make_story("ru", [
        [("narrator", "[silent once] Старинный замок стоял на горе."), ("hero", "Я найду перо!")],
        [("villain", "Не найдёшь, глупец!"), ("hero", "Найду, вот увидишь."), ("narrator", "Так и вышло.")],
    ])  # fmt: skip
    narration = narrator.narrate(story, tmp_path / "out", seed=2)
    samples, rate = read_wav(narration.audio)
    assert rate == RATE
    voices = {clip.speaker: {c.voice for c in narration.clips if c.speaker == clip.speaker} for clip in narration.clips}
    assert all(len(v) == 1 for v in voices.values())
    assert voices["narrator"] <= {"silero:aidar", "silero:eugene"}  # a male narrator
    assert next(iter(voices["villain"])).startswith(("silero:baya", "silero:kseniya", "silero:xenia"))  # a woman

    def pitch_of(speaker: str) -> float:
        return median_pitch(np.concatenate([span(samples, c.start, c.duration) for c in narration.clips
                                            if c.speaker == speaker]), RATE)  # fmt: skip

    assert pitch_of("villain") > 1.25 * pitch_of("hero")  # a woman's voice, though shifted down as a villain's
    for clip in narration.clips:
        assert rms_dbfs(span(samples, clip.start, clip.duration)) > -30, clip
    calls = [json.loads(line) for line in (silero_repo / "calls.jsonl").read_text().splitlines()]
    assert {c["rate"] for c in calls} == {48000}
    first_reads = [c["text"] for c in calls if "silent once" in c["text"]]
    assert len(first_reads) == 2  # the silent clip was retried once, and the retry was heard
    assert "з+амок" in first_reads[0]


def test_silero_repo_that_cannot_load_is_a_stage_error(tmp_path: Path) -> None:
    with pytest.raises(StageError, match="cannot load Silero TTS") as failure:
        make_narrator("silero", silero_settings(tmp_path / "nowhere", tmp_path))
    assert failure.value.stage == "narrate"


# --- Piper voices from a folder -------------------------------------------------------------------------


def write_tiny_piper_voice(folder: Path, name: str, pitch: float, rate: int = 22050) -> None:
    """A Piper voice file with Piper's inputs and output: every phoneme id is 30 ms of a tone at the
    voice's pitch. piper-tts really phonemizes the text with its espeak-ng and runs it with onnxruntime."""
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper, numpy_helper

    symbols, hop = 1024, int(0.03 * rate)
    t = np.arange(symbols * hop).reshape(symbols, hop) / rate
    table = (0.4 * np.sin(2 * np.pi * pitch * t) * (0.6 + 0.4 * np.sin(np.arange(symbols)))[:, None]).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("Gather", ["table", "input"], ["frames"]),
         helper.make_node("Reshape", ["frames", "shape"], ["output"])],
        "tiny_piper",
        [helper.make_tensor_value_info("input", TensorProto.INT64, [1, "phonemes"]),
         helper.make_tensor_value_info("input_lengths", TensorProto.INT64, [1]),
         helper.make_tensor_value_info("scales", TensorProto.FLOAT, [3])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 1, "samples"])],
        initializer=[numpy_helper.from_array(table, "table"),
                     numpy_helper.from_array(np.array([1, 1, -1], dtype=np.int64), "shape")],
    )  # fmt: skip
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, str(folder / f"{name}.onnx"))
    chars = [chr(c) for c in (*range(0x20, 0x250), *range(0x250, 0x2B0), *range(0x2B0, 0x370))]
    config = {"audio": {"sample_rate": rate}, "espeak": {"voice": "ru"}, "num_symbols": symbols, "num_speakers": 1,
              "phoneme_type": "espeak", "phoneme_id_map": {c: [i % symbols] for i, c in enumerate(chars)}}  # fmt: skip
    (folder / f"{name}.onnx.json").write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")


def test_piper_backend_reads_with_voices_from_a_folder(tmp_path: Path) -> None:
    pytest.importorskip("piper")
    voices = tmp_path / "voices"
    voices.mkdir()
    write_tiny_piper_voice(voices, "ru_RU-denis-medium", pitch=110)
    write_tiny_piper_voice(voices, "ru_RU-dmitri-medium", pitch=130)
    write_tiny_piper_voice(voices, "ru_RU-irina-medium", pitch=230)
    settings = PipelineSettings(piper_voices_dir=voices, cache_dir=tmp_path / "cache", narrate_line_cache=False,
                                tts_device="cpu", sample_rate=RATE)  # fmt: skip
    story = make_story("ru", [[("narrator", "Старинный замок стоял на горе."), ("hero", "Я найду перо!")],
                              [("villain", "Не найдёшь, глупец!"), ("hero", "Найду.")]])  # fmt: skip
    narration = make_narrator("piper", settings).narrate(story, tmp_path / "out", seed=0)
    samples, _ = read_wav(narration.audio)
    voice_of = {c.speaker: c.voice for c in narration.clips}
    assert voice_of == {"narrator": "piper:ru_RU-denis-medium", "hero": "piper:ru_RU-dmitri-medium",
                        "villain": "piper:ru_RU-irina-medium-300cx1.12"}  # fmt: skip
    for clip in narration.clips:
        assert clip.duration > 0.3 and rms_dbfs(span(samples, clip.start, clip.duration)) > -30, clip
    villain, hero = ([span(samples, c.start, c.duration) for c in narration.clips if c.speaker == s]
                     for s in ("villain", "hero"))  # fmt: skip
    assert median_pitch(np.concatenate(villain), RATE) > 1.25 * median_pitch(np.concatenate(hero), RATE)


def test_piper_without_piper_tts_names_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "piper", None)  # as if piper-tts were not installed
    monkeypatch.delitem(sys.modules, "pipeline.narrate.piper", raising=False)
    with pytest.raises(MissingExtra, match=r"digiteller\[piper\]"):
        make_narrator("piper", PipelineSettings(piper_voices_dir=tmp_path, cache_dir=tmp_path / "cache"))


def story_with(*characters: Character) -> Story:
    lines = tuple(Line(text="Я здесь.", speaker=c.id) for c in characters)
    return Story(request=StoryRequest(title="Перо", genre=Genre.fairy_tale), title="Перо", characters=characters,
                 scenes=(Scene(setting="forest", lines=lines),))  # fmt: skip


def test_few_speakers_still_give_every_character_a_voice_of_their_own() -> None:
    story = story_with(Character(id="hero", name="Иван", gender="male", role="hero"),
                       Character(id="villain", name="Кощей", gender="male", role="villain"),
                       Character(id="helper", name="Серый Волк", gender="male", role="helper"),
                       Character(id="elder", name="старый царь", gender="male", role="other"),
                       Character(id="friend", name="друг Павел", gender="male", role="helper"))  # fmt: skip
    cast = cast_speakers(story, seed=0, pools={"male": ["aidar"], "female": ["baya"], "neutral": []})
    assert cast["narrator"] == ("aidar", 0)
    assert len(set(cast.values())) == len(cast)  # one speaker, six distinct voices
    assert cast["villain"][1] < cast["hero"][1] and cast["elder"][1] < cast["hero"][1]


@pytest.mark.parametrize(("name", "age"), [
    ("старая няня", "old"), ("дед Матвей", "old"), ("the old king", "old"), ("царевна Марья", "young"),
    ("the little boy", "young"), ("Иван", "adult"), ("Баба Яга", "adult"),
])  # fmt: skip
def test_age_is_read_from_the_name(name: str, age: str) -> None:
    assert age_of(Character(id="x", name=name, gender="male", role="other")) == age


def test_espeak_is_given_silero_stress_as_phonemes_where_its_own_differs() -> None:
    marked = accent("Он пришёл потом, уже ночью, и сел на горе.", "ru")
    assert "пот+ом" in marked and "уж+е" in marked and "гор+е" in marked
    [prepared] = espeak_text([marked], "ru", "espeak-ng")
    assert "+" not in prepared and "[[" in prepared
    said = run(["espeak-ng", "-v", "ru", "-q", "-x", prepared], stage="test").decode()
    unmarked = run(["espeak-ng", "-v", "ru", "-q", "-x", "потом уже горе"], stage="test").decode()
    assert "p'ot" in unmarked and "'uZ" in unmarked and "g'or" in unmarked  # espeak's own dictionary
    assert "t'o" in said and "Z'" in said and "r;'e" in said  # the last syllables, as silero-stress put them
    assert "ночью" in prepared  # words espeak already stresses right stay as text


def test_the_stage_cache_key_changes_with_the_voices(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def tag(name: str, **options: object) -> str:
        return cache_tag(name, PipelineSettings(**options))  # type: ignore[arg-type]

    write_voice = (tmp_path / "ru_RU-denis-medium.onnx").write_bytes
    write_voice(b"one")
    tags = [tag("festival"), tag("festival", sample_rate=RATE), tag("silero"),
            tag("silero", silero_models={"ru": "v3_1_ru"}), tag("piper", piper_voices_dir=tmp_path / "a"),
            tag("piper", piper_voices_dir=tmp_path)]  # fmt: skip
    assert len(set(tags)) == len(tags)
    assert tag("festival", narrate_workers=7, narrate_line_cache=False) == tags[0]  # these change no sound
    write_voice(b"two")
    os.utime(tmp_path / "ru_RU-denis-medium.onnx", ns=(1, 1))
    assert tag("piper", piper_voices_dir=tmp_path) != tags[-1]  # a voice replaced in the same folder
    monkeypatch.setattr("pipeline.narrate.CODE_VERSION", CODE_VERSION + 1)
    assert tag("festival") != tags[0]
    with pytest.raises(ValueError, match="unknown narrator"):
        tag("nope")


# --- what a listener notices in Russian: tune, pauses, pace, word ends -------------------------------


def festival_clips(tmp_path: Path, texts: list[str], tempo: float = 1.0) -> list[np.ndarray]:
    items = [SynthItem(accent(spell_out(t, "ru"), "ru"), tmp_path / f"f{i}.wav") for i, t in enumerate(texts)]
    FestivalVoice(tempo=tempo).synthesize(items)
    return [read_wav(item.wav)[0] for item in items]


def speech_end(samples: np.ndarray, rate: int, seconds: float) -> np.ndarray:
    """The last `seconds` of speech (the clip's trailing silence left out)."""
    loud = np.flatnonzero(np.abs(samples) > 0.05 * np.abs(samples).max())
    return samples[max(0, loud[-1] - round(seconds * rate)) : loud[-1]]


def test_festival_asks_a_question_and_exclaims(tmp_path: Path) -> None:
    statement, question, exclamation = festival_clips(
        tmp_path, ["Ты придёшь завтра.", "Ты придёшь завтра?", "Ты придёшь завтра!"])  # fmt: skip
    rate = 16000  # festvox-ru's rate
    assert median_pitch(speech_end(question, rate, 0.3), rate) > 1.12 * median_pitch(speech_end(statement, rate, 0.3), rate)
    assert median_pitch(exclamation[: rate // 2], rate) > 1.04 * median_pitch(statement[: rate // 2], rate)
    assert exclamation.size < 0.97 * statement.size  # said quicker


def silences(samples: np.ndarray, rate: int, below_db: float = -45.0) -> list[float]:
    """Lengths of the silent stretches inside a clip (10 ms frames this far under the loudest)."""
    frame = rate // 100
    level = np.array([np.sqrt(np.mean(samples[i : i + frame] ** 2)) for i in range(0, samples.size - frame, frame)])
    quiet = 20 * np.log10(level / level.max() + 1e-12) < below_db
    runs, length = [], 0
    for q in quiet:
        if q:
            length += 1
        elif length:
            runs.append(length / 100)
            length = 0
    return runs


def test_pauses_grow_with_the_punctuation_and_between_speakers(tmp_path: Path) -> None:
    assert pause_after("да,") < pause_after("да;") == pause_after("да:") < pause_after("да.") < pause_after("да...")
    assert pause_after("Кто?»") > pause_after("да.") > pause_after("да")
    same, other, scene = line_gap("Да.", True, True), line_gap("Да.", False, True), line_gap("Да.", True, False)
    assert same < other < scene and line_gap("И тут…", True, True) > same
    story = make_story("ru", [[("narrator", "Иван шёл по лесу. Было тихо, и он устал.")]])
    narration = festival_narrator().narrate(story, tmp_path, seed=0)
    samples, _ = read_wav(narration.audio)
    inner = silences(span(samples, narration.clips[0].start, narration.clips[0].duration), RATE)
    assert max(inner) >= 0.3, inner  # the sentence end is heard as a pause


def test_the_genre_sets_the_pace(tmp_path: Path) -> None:
    line = "Старый дом стоял на краю деревни, и никто не входил в него."
    durations = {}
    for genre in (Genre.horror, Genre.comedy):
        story = Story(request=StoryRequest(title="Дом", genre=genre), title="Дом", characters=(),
                      scenes=(Scene(setting="house", lines=(Line(text=line),)),))  # fmt: skip
        durations[genre] = festival_narrator().narrate(story, tmp_path / genre.value, seed=0).clips[0].duration
    assert durations[Genre.horror] > 1.12 * durations[Genre.comedy], durations


def test_trimming_keeps_the_fading_word_ends(tmp_path: Path) -> None:
    texts = ["Вот и сказке конец", "Он вышел в лес", "Пора спать"]
    items = [SynthItem(accent(t, "ru"), tmp_path / f"e{i}.wav") for i, t in enumerate(texts)]
    FestivalVoice().synthesize(items)
    EspeakVoice("ru+m3").synthesize([SynthItem(t, tmp_path / f"s{i}.wav") for i, t in enumerate(texts)])
    for raw in [*(i.wav for i in items), *(tmp_path / f"s{i}.wav" for i in range(3))]:
        samples, rate = read_wav(raw)
        start, end = speech_bounds(samples, rate)
        frame = rate // 100
        cut = [samples[i : i + frame] for i in (*range(0, start - frame, frame), *range(end, samples.size - frame, frame))]
        loudest_cut = max((rms_dbfs(f) for f in cut), default=-120.0)
        assert loudest_cut < rms_dbfs(samples) - 30, raw  # nothing a listener could hear was cut off
        kept = trim_silence(samples, rate)
        assert rms_dbfs(kept[-rate // 50 :]) < rms_dbfs(kept) - 20, raw  # the clip ends faded, not mid-sound
