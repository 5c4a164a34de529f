"""The `Voice` protocol and the offline engines behind it: festival (festvox-ru) and espeak-ng."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from pipeline.media import run
from pipeline.speech.stress import STRESS, VOWELS, strip_stress

STAGE = "narrate"


@dataclass(frozen=True)
class SynthItem:
    text: str  # already made speakable, with `+` stress marks where the language has them
    wav: Path  # where the engine writes its raw output


class Voice(Protocol):
    """One speaking voice of one engine. `synthesize` writes each item's wav; it may leave a wav
    missing or empty when the engine silently fails, the caller checks and retries. `identity` is
    everything that changes the sound (the per-line cache is keyed by it)."""

    @property
    def name(self) -> str: ...

    @property
    def identity(self) -> str: ...

    @property
    def batch_size(self) -> int: ...

    def synthesize(self, items: Sequence[SynthItem]) -> None: ...


def shift_pitch(wav: Path, cents: int) -> None:
    """Move a clip's pitch by `cents` in place, keeping its length (sox `pitch`)."""
    if cents and wav.is_file():
        shifted = wav.with_suffix(".pitch.wav")
        run(["sox", str(wav), str(shifted), "pitch", str(cents)], stage=STAGE, timeout=120)
        shifted.replace(wav)


def pitch_label(cents: int) -> str:
    return f"{cents:+d}c" if cents else ""


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


# espeak-ng's phoneme mnemonics for Russian vowels ("a#" is one phoneme; "@-" only joins consonants).
ESPEAK_VOWEL = re.compile(r"[aAeEiIoOuUyV8]#?|@(?!-)")
ESPEAK_STRESSED = {"а": "A", "я": "A", "о": "o", "ё": "8", "е": "e", "э": "E", "и": "i", "ы": "y", "у": "u", "ю": "u"}
ESPEAK_REDUCED = {"а": "@", "о": "@", "я": "I", "е": "I", "э": "I"}  # the rest keep their quality unstressed


def restressed_phonemes(word: str, phonemes: str) -> str | None:
    """espeak's phonemes of `word` ("з+амок") with the stress moved to the marked vowel, or None when
    espeak already stresses it there (or its phonemes cannot be matched to the letters)."""
    letters = [c.lower() for c in word.replace(STRESS, "") if c in VOWELS]
    target = sum(c in VOWELS for c in word.split(STRESS, 1)[0])
    plain = phonemes.replace("'", "")
    vowels = list(ESPEAK_VOWEL.finditer(plain))
    if phonemes.count("'") != 1 or len(vowels) != len(letters):
        return None
    current = sum(v.start() < phonemes.index("'") for v in vowels)
    if current == target:
        return None
    pieces, end = [], 0
    for index, (vowel, letter) in enumerate(zip(vowels, letters)):
        pieces.append(plain[end : vowel.start()])
        if index == target:
            pieces.append("'" + ESPEAK_STRESSED[letter])
        elif index == current and letter in ESPEAK_REDUCED:
            pretonic = index in (0, target - 1) and letter in "ао"
            pieces.append("V" if pretonic else ESPEAK_REDUCED[letter])
        else:
            pieces.append(vowel.group(0))
        end = vowel.end()
    return "".join(pieces) + plain[end:]


def espeak_text(texts: Sequence[str], voice: str, binary: str) -> list[str]:
    """The texts with stress marks turned into what espeak-ng reads: words espeak already stresses
    right lose their marks, the others are given as [[phonemes]] with the stress moved."""
    words = sorted({w for text in texts for w in re.findall(rf"\w*\{STRESS}\w+", text)})
    fixes: dict[str, str] = {}
    if words and voice.startswith("ru"):
        said = run([binary, "-v", voice, "-q", "-x"], stage=STAGE, timeout=60,
                   input_bytes="\n".join(strip_stress(w) for w in words).encode()).decode().split("\n")  # fmt: skip
        said = [line.strip() for line in said if line.strip()]
        if len(said) == len(words):
            fixes = {w: f"[[{p}]]" for w, ph in zip(words, said) if (p := restressed_phonemes(w, ph))}
    return [re.sub(rf"\w*\{STRESS}\w+", lambda m: fixes.get(m.group(0), strip_stress(m.group(0))), text)
            .replace(STRESS, " ") for text in texts]  # fmt: skip


@dataclass(frozen=True)
class EspeakVoice:
    """espeak-ng 1.51 reads no stress mark in plain text (it says "плюс" for `+` and ignores U+0301);
    words it would stress elsewhere than silero-stress are given to it as phonemes."""

    voice: str  # language + variant, e.g. "ru+f2"
    pitch: int = 50  # 0..99, espeak's default 50
    speed: int = 165  # words per minute
    binary: str = "espeak-ng"

    @property
    def name(self) -> str:
        return f"espeak:{self.voice}"

    @property
    def identity(self) -> str:
        return f"{self.name}:p{self.pitch}:s{self.speed}"

    @property
    def batch_size(self) -> int:
        return 8

    def synthesize(self, items: Sequence[SynthItem]) -> None:
        texts = espeak_text([item.text for item in items], self.voice, self.binary)
        for item, text in zip(items, texts):
            text_file = item.wav.with_suffix(".txt")
            text_file.write_text(text + "\n", encoding="utf-8")
            run(
                [self.binary, "-v", self.voice, "-p", str(self.pitch), "-s", str(self.speed),
                 "-f", str(text_file), "-w", str(item.wav)],
                stage=STAGE,
                timeout=120,
            )  # fmt: skip
