"""The 388-event performance encoding of Music Transformer (Oore et al. 2018, Huang et al. 2018).

128 note-on, 128 note-off, 100 time-shifts of 10 ms to 1 s, 32 velocity bins. Times are quantised
to 10 ms and velocities to their bin, so notes already on that grid round-trip exactly.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import numpy as np

NOTE_ON = 0
NOTE_OFF = 128
TIME_SHIFT = 256
VELOCITY = 356
VOCAB_SIZE = 388
STEPS_PER_SECOND = 100
MAX_SHIFT_STEPS = 100
VELOCITY_BINS = 32
BIN_WIDTH = 4  # 128 velocities / 32 bins


@dataclass(frozen=True, order=True)
class Note:
    start: float  # seconds
    end: float
    pitch: int
    velocity: int


def velocity_bin(velocity: int) -> int:
    return min(VELOCITY_BINS - 1, max(0, (velocity - 1) // BIN_WIDTH))


def bin_velocity(index: int) -> int:
    """The velocity a bin decodes to: its top value, so 127 and 4, 8, ... survive unchanged."""
    return min(127, (index + 1) * BIN_WIDTH)


def quantise(notes: Iterable[Note]) -> list[Note]:
    """Notes on the encoding's grid (10 ms, velocity bins), at least one step long, sorted."""
    out = []
    for note in notes:
        start = round(note.start * STEPS_PER_SECOND)
        end = max(start + 1, round(note.end * STEPS_PER_SECOND))
        out.append(Note(start / STEPS_PER_SECOND, end / STEPS_PER_SECOND, note.pitch,
                        bin_velocity(velocity_bin(note.velocity))))
    return sorted(out)


def encode(notes: Iterable[Note]) -> np.ndarray:
    """Notes → event ids. At equal times note-offs come before note-ons, so a repeated pitch re-strikes."""
    events: list[tuple[int, int, int, int]] = []  # (step, 0 = off / 1 = on, pitch, velocity)
    for note in notes:
        start = round(note.start * STEPS_PER_SECOND)
        end = max(start + 1, round(note.end * STEPS_PER_SECOND))
        events.append((start, 1, note.pitch, note.velocity))
        events.append((end, 0, note.pitch, note.velocity))
    events.sort()
    tokens: list[int] = []
    now, current_bin = 0, -1
    for step, is_on, pitch, velocity in events:
        while step > now:
            shift = min(step - now, MAX_SHIFT_STEPS)
            tokens.append(TIME_SHIFT + shift - 1)
            now += shift
        if is_on:
            vbin = velocity_bin(velocity)
            if vbin != current_bin:
                tokens.append(VELOCITY + vbin)
                current_bin = vbin
            tokens.append(NOTE_ON + pitch)
        else:
            tokens.append(NOTE_OFF + pitch)
    return np.asarray(tokens, dtype=np.int16)


def decode(tokens: Iterable[int], max_note_seconds: float | None = None) -> list[Note]:
    """Event ids → notes, sorted. A note-on of a sounding pitch ends the earlier note; a missing note-off
    ends the note at the last event (or after `max_note_seconds`, when given)."""
    now, velocity = 0, 64
    open_notes: dict[int, tuple[int, int]] = {}
    notes: list[Note] = []

    def close(pitch: int, at: int) -> None:
        start, vel = open_notes.pop(pitch)
        if max_note_seconds is not None:
            at = min(at, start + round(max_note_seconds * STEPS_PER_SECOND))
        if at > start:
            notes.append(Note(start / STEPS_PER_SECOND, at / STEPS_PER_SECOND, pitch, vel))

    for token in map(int, tokens):
        if token < NOTE_OFF:
            if token in open_notes:
                close(token, now)
            open_notes[token] = (now, velocity)
        elif token < TIME_SHIFT:
            if token - NOTE_OFF in open_notes:
                close(token - NOTE_OFF, now)
        elif token < VELOCITY:
            now += token - TIME_SHIFT + 1
        elif token < VOCAB_SIZE:
            velocity = bin_velocity(token - VELOCITY)
    for pitch in list(open_notes):
        close(pitch, now)
    return sorted(notes)


def transpose(tokens: np.ndarray, semitones: int) -> np.ndarray | None:
    """The same events a few semitones up or down; None when a pitch would leave 0..127."""
    tokens = np.asarray(tokens)
    is_pitch = tokens < TIME_SHIFT
    pitches = tokens[is_pitch] % 128 + semitones
    if pitches.size and (pitches.min() < 0 or pitches.max() > 127):
        return None
    out = tokens.copy()
    out[is_pitch] = tokens[is_pitch] + semitones
    return out
