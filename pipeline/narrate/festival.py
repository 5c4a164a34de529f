"""The festival voice (festvox-ru's msu_ru_nsh_clunits for Russian) and the offline narrator: festival
reads the narrator's lines (espeak-ng when festival or its voice is missing), espeak-ng voices chosen by
gender, role and age read the characters'. English stories are read by the Piper voice en_US-joe-medium
(pipeline.narrate.english) unless `english="espeak"`.

festvox-ru reads "?" and "!" exactly like "." and has no rate control that works with its unit
selection, so its clips get their tune and pace from sox afterwards (voice.intonation_effects, tempo)."""
from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.media import run
from pipeline.narrate.casting import cast_voices, genre_tempo
from pipeline.narrate.espeak import EspeakVoice
from pipeline.narrate.reader import LineCache, VoiceNarrator
from pipeline.narrate.voice import (STAGE, SynthItem, Voice, intonation_effects, sox_in_place, tempo_effects,
                                    wav_seconds)
from pipeline.types import Language, Story

FESTIVAL_VOICES_DIR = Path("/usr/share/festival/voices")
FESTIVAL_LANGUAGE_DIRS: dict[Language, str] = {"ru": "russian", "en": "english"}
FESTIVAL_PREFERRED: dict[Language, tuple[str, ...]] = {
    "ru": ("msu_ru_nsh_clunits",),
    "en": ("cmu_us_slt_arctic_hts", "cmu_us_awb_cg", "rab_diphone", "kal_diphone", "ked_diphone"),
}


def scheme_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# Festival loads a voice in ~1.5 s, longer than it takes to read a line, so one process reads a batch.
# unwind-protect keeps a line that festival cannot read from stopping the rest of the batch, and drops
# what it read of that line before the error, so a failure is an empty wav, never a cut-off one.
FESTIVAL_BATCH_PRELUDE = """
(define (dt_collect utt) (set! dt_waves (cons (utt.wave utt) dt_waves)) utt)
(define (dt_join waves)
  (let ((whole (car waves)))
    (mapcar (lambda (w) (wave.append whole w)) (cdr waves))
    whole))
(define (dt_synth infile outfile)
  (set! dt_waves nil)
  (set! tts_hooks (list utt.synth dt_collect))
  (unwind-protect (tts_file infile nil) (set! dt_waves nil))
  (if dt_waves (wave.save (dt_join (reverse dt_waves)) outfile 'riff)))
"""


@dataclass(frozen=True)
class FestivalVoice:
    """festival reads `+` before a vowel as that vowel's stress (festvox-ru's letter-to-sound rules)."""

    voice: str = "msu_ru_nsh_clunits"
    binary: str = "festival"
    tempo: float = 1.0  # >1 speaks quicker (sox tempo, pitch kept)

    @property
    def name(self) -> str:
        return f"festival:{self.voice}"

    @property
    def identity(self) -> str:
        return f"{self.name}:t{self.tempo:.3f}"

    @property
    def batch_size(self) -> int:
        return 6

    def synthesize(self, items: Sequence[SynthItem]) -> None:
        calls = []
        for item in items:
            text_file = item.wav.with_suffix(".txt")
            text_file.write_text(item.text + "\n", encoding="utf-8")
            calls.append(f"(dt_synth {scheme_string(str(text_file))} {scheme_string(str(item.wav))})")
        script = items[0].wav.with_suffix(".scm")
        script.write_text(f"(voice_{self.voice})\n{FESTIVAL_BATCH_PRELUDE}\n" + "\n".join(calls) + "\n")
        run([self.binary, "-b", str(script)], stage=STAGE, timeout=60 + 30 * len(items))
        for item in items:
            if item.wav.is_file() and item.wav.stat().st_size > 44:
                tune = intonation_effects(item.text, wav_seconds(item.wav))
                sox_in_place(item.wav, [*tune, *tempo_effects(self.tempo)])


def festival_voice(language: Language, tempo: float = 1.0) -> FestivalVoice | None:
    """The best installed festival voice for the language, or None."""
    if shutil.which("festival") is None:
        return None
    folder = FESTIVAL_VOICES_DIR / FESTIVAL_LANGUAGE_DIRS[language]
    installed = sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []
    preferred = [v for v in FESTIVAL_PREFERRED[language] if v in installed]
    choice = (preferred or installed or [None])[0]
    return FestivalVoice(choice, tempo=tempo) if choice else None


def narrator_voice(language: Language, tempo: float = 1.0) -> Voice:
    return festival_voice(language, tempo) or EspeakVoice(f"{language}+m1", pitch=42, speed=round(150 * tempo))


OFFLINE_ENGLISH = ("joe", "espeak")  # the offline narrator's English voices (setting narrator_en)


class FestivalNarrator(VoiceNarrator):
    """festival (festvox-ru) for the narrator, espeak-ng voices for the characters, at the genre's pace;
    English stories with `english="joe"` are read by the Piper voice en_US-joe-medium and its variants."""

    def __init__(self, sample_rate: int, workers: int, cache: LineCache, english: str = "joe"):
        super().__init__(sample_rate, workers, cache)
        if english not in OFFLINE_ENGLISH:
            raise ValueError(f"unknown English voice {english!r}; choose one of: {', '.join(OFFLINE_ENGLISH)}")
        self.english = english

    def cast(self, story: Story, seed: int) -> dict[str, Voice]:
        if story.request.language == "en" and self.english == "joe":
            from pipeline.narrate.english import cast_english

            return cast_english(story, seed)
        return cast_voices(story, seed, narrator_voice(story.request.language, genre_tempo(story)))
