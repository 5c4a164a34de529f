"""The `Voice` protocol every engine's voices follow, what they are asked to read (`SynthItem`), and the
pitch helpers the engines with few speakers share (Silero, Piper)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from pipeline.media import run

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
