"""The espeak-ng voice: the characters' voices of the offline narrator (and its narrator when festival is
missing). espeak-ng 1.51 reads no stress mark in plain text, so silero-stress's marks are turned into
phonemes where espeak's own stress differs."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.media import run
from pipeline.narrate.stress import STRESS, VOWELS, strip_stress
from pipeline.narrate.voice import STAGE, SynthItem

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
