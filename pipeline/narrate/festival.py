"""The festival voice (festvox-ru's msu_ru_nsh_clunits for Russian) and the offline narrator: festival
reads the narrator's lines (espeak-ng when festival or its voice is missing), espeak-ng voices chosen by
gender, role and age read the characters'."""
from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.media import run
from pipeline.narrate.casting import cast_voices
from pipeline.narrate.espeak import EspeakVoice
from pipeline.narrate.reader import VoiceNarrator
from pipeline.narrate.voice import STAGE, SynthItem, Voice
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

    @property
    def name(self) -> str:
        return f"festival:{self.voice}"

    @property
    def identity(self) -> str:
        return self.name

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


def festival_voice(language: Language) -> FestivalVoice | None:
    """The best installed festival voice for the language, or None."""
    if shutil.which("festival") is None:
        return None
    folder = FESTIVAL_VOICES_DIR / FESTIVAL_LANGUAGE_DIRS[language]
    installed = sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []
    preferred = [v for v in FESTIVAL_PREFERRED[language] if v in installed]
    choice = (preferred or installed or [None])[0]
    return FestivalVoice(choice) if choice else None


def narrator_voice(language: Language) -> Voice:
    return festival_voice(language) or EspeakVoice(f"{language}+m1", pitch=42, speed=150)


class FestivalNarrator(VoiceNarrator):
    """festival (festvox-ru) for the narrator, espeak-ng voices for the characters."""

    def cast(self, story: Story, seed: int) -> dict[str, Voice]:
        return cast_voices(story, seed, narrator_voice(story.request.language))
