"""The `Voice` protocol every engine's voices follow, what they are asked to read (`SynthItem`), and the
sox helpers the engines share: pitch shifts for engines with few speakers (Silero, Piper), speaking rate
for engines without a rate control, and intonation for festival, which reads "?" and "!" like ".".
"""
from __future__ import annotations

import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from pipeline.media import run

STAGE = "narrate"

QUESTION_RISE_CENTS = 350  # a question's last word rises this much (a listener hears a question)
QUESTION_RISE_SECONDS = 0.3  # over this long, starting this long plus QUESTION_HOLD_SECONDS before the end
QUESTION_HOLD_SECONDS = 0.15
EXCLAIM_CENTS = 150  # an exclamation starts this much higher and falls back over its first second
EXCLAIM_TEMPO = 1.06  # and is said a little quicker


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


def sox_in_place(wav: Path, effects: Sequence[str]) -> None:
    """Run sox effects on a clip in place; a missing or header-only wav (the engine failed) is left alone."""
    if effects and wav.is_file() and wav.stat().st_size > 44:
        processed = wav.with_suffix(".sox.wav")
        run(["sox", str(wav), str(processed), *effects], stage=STAGE, timeout=120)
        processed.replace(wav)


def shift_pitch(wav: Path, cents: int) -> None:
    """Move a clip's pitch by `cents` in place, keeping its length (sox `pitch`)."""
    if cents:
        sox_in_place(wav, ["pitch", str(cents)])


def pitch_label(cents: int) -> str:
    return f"{cents:+d}c" if cents else ""


def tempo_effects(tempo: float) -> list[str]:
    """sox effects that speak `tempo` times as fast without changing the pitch (WSOLA tuned for speech)."""
    return ["tempo", "-s", f"{tempo:.3f}"] if abs(tempo - 1.0) > 0.005 else []


def wav_seconds(wav: Path) -> float:
    with wave.open(str(wav), "rb") as clip:
        return clip.getnframes() / clip.getframerate()


def intonation_effects(text: str, seconds: float) -> list[str]:
    """sox effects that give a clip the tune of its last mark: a question rises on its last word, an
    exclamation starts high and falls, quicker. For engines that read "?" and "!" flat (festival)."""
    mark = text.rstrip()[-1:] if text.strip() else ""
    if mark == "?" and seconds > QUESTION_RISE_SECONDS + QUESTION_HOLD_SECONDS + 0.1:
        start = seconds - QUESTION_RISE_SECONDS - QUESTION_HOLD_SECONDS
        return ["bend", f"{start:.3f},{QUESTION_RISE_CENTS},{QUESTION_RISE_SECONDS:.3f}"]
    if mark == "!" and seconds > 0.5:
        fall = min(1.0, seconds * 0.6)
        return ["pitch", str(EXCLAIM_CENTS), "bend", f"0,{-EXCLAIM_CENTS},{fall:.3f}", *tempo_effects(EXCLAIM_TEMPO)]
    return []
