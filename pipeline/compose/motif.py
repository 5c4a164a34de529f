"""The rule-based generator: a chord progression, a pad, a bass line and a one-chord motif repeated with variation."""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Sequence

import pretty_midi

from pipeline.compose.theory import (
    PROGRESSIONS,
    RENDER_TAIL,
    Mood,
    Segment,
    add_bass,
    add_pad,
    clip_note,
    degree_pitch,
    join_segments,
    new_instrument,
    velocity,
)


@dataclass(frozen=True)
class MotifNote:
    onset: float  # beats from the start of the chord
    length: float  # beats
    step: int  # scale steps above the chord's root


class MotifGenerator:
    """Rule-based: a chord progression, a pad, a bass line and a one-chord motif repeated with variation.

    The form cycles A A' B A'': A' and A'' mutate the motif, B uses a second progression and the
    motif turned upside down. Every note is diatonic to the mood's mode.
    """

    def generate_segments(self, segments: Sequence[Segment], seed: int) -> pretty_midi.PrettyMIDI:
        parts = []
        for k, segment in enumerate(segments):
            piece = self.generate(segment.mood, math.ceil(segment.seconds / segment.mood.bar_seconds), seed + k)
            for instrument in piece.instruments:
                instrument.notes = [pretty_midi.Note(n.velocity, n.pitch, n.start + segment.start,
                                                     n.end + segment.start) for n in instrument.notes]
            parts.append(piece.instruments)
        return join_segments(segments, parts)

    def generate(self, mood: Mood, bars: int, seed: int) -> pretty_midi.PrettyMIDI:
        """Music in the mood, exactly `bars` bars long at mood.tempo, the same for the same seed."""
        rng = random.Random(seed)
        progression_a, progression_b = rng.sample(PROGRESSIONS[mood.mode], 2)
        motif = make_motif(rng, mood)
        midi = pretty_midi.PrettyMIDI(initial_tempo=mood.tempo)
        midi.time_signature_changes.append(pretty_midi.TimeSignature(mood.meter, 4, 0.0))
        pad, melody, bass = (new_instrument(program, pan) for program, pan in
                             ((mood.pad, 44), (mood.melody, 84), (mood.bass, 64)))
        phrase_seconds = mood.phrase_bars * mood.bar_seconds
        for phrase in range(math.ceil(bars / mood.phrase_bars)):
            section = phrase % 4
            progression = progression_b if section == 2 else progression_a
            phrase_motif = vary_motif(rng, motif, mood, invert=section == 2) if section else motif
            for position, root in enumerate(progression):
                start = phrase * phrase_seconds + position * mood.chord_bars * mood.bar_seconds
                swell = math.sin(math.pi * (position + 0.5) / 4)
                add_pad(pad, mood, root, start, rng)
                add_bass(bass, mood, root, start)
                notes = cadence(phrase_motif, mood) if position == 3 else phrase_motif
                add_melody(melody, mood, root, notes, start, swell, rng)
        end = bars * mood.bar_seconds
        # A harmless event after the end keeps FluidSynth rendering while the last notes ring out.
        bass.control_changes.append(pretty_midi.ControlChange(7, 100, end + RENDER_TAIL))
        for instrument in (pad, melody, bass):
            instrument.notes = [clip_note(n, end) for n in instrument.notes if n.start < end]
        midi.instruments.extend([pad, melody, bass])
        return midi


def make_motif(rng: random.Random, mood: Mood) -> list[MotifNote]:
    """A rhythm over one chord's span, with a melody that walks by steps and lands on chord tones on downbeats."""
    span = mood.chord_bars * mood.meter
    slots = round(span / mood.pulse)
    notes: list[MotifNote] = []
    slot, step = 0, rng.choice((0, 2, 4))
    while slot < slots:
        length = min(rng.choice((1, 1, 2, 2, 3, 4)), slots - slot)
        onset = slot * mood.pulse
        if notes and rng.random() < 0.12:  # a breath
            slot += length
            continue
        if notes:
            step = max(-3, min(7, step + rng.choice((-2, -1, -1, 1, 1, 2))))
        if onset % mood.meter == 0:
            step = nearest_chord_tone(step)
        notes.append(MotifNote(onset, length * mood.pulse, step))
        slot += length
    return notes


def nearest_chord_tone(step: int) -> int:
    return min((-5, -3, 0, 2, 4, 7, 9), key=lambda tone: (abs(tone - step), tone))


def vary_motif(rng: random.Random, motif: list[MotifNote], mood: Mood, invert: bool) -> list[MotifNote]:
    """The motif with a few notes nudged or split; turned upside down around its first note for a B section."""
    first = motif[0].step
    notes = [MotifNote(n.onset, n.length, 2 * first - n.step) for n in motif] if invert else list(motif)
    for _ in range(rng.randint(1, 2)):
        index = rng.randrange(len(notes))
        note = notes[index]
        if note.length >= 2 * mood.pulse and rng.random() < 0.5:
            half = note.length / 2
            notes[index:index + 1] = [MotifNote(note.onset, half, note.step),
                                      MotifNote(note.onset + half, half, note.step + rng.choice((-1, 1)))]
        elif index > 0:
            notes[index] = MotifNote(note.onset, note.length, note.step + rng.choice((-1, 1)))
    return notes


def cadence(motif: list[MotifNote], mood: Mood) -> list[MotifNote]:
    """The end of a phrase: the motif's first note held over the whole chord."""
    return [MotifNote(0.0, mood.chord_bars * mood.meter, nearest_chord_tone(motif[0].step))]


def add_melody(instrument: pretty_midi.Instrument, mood: Mood, root: int, motif: list[MotifNote],
               start: float, swell: float, rng: random.Random) -> None:
    centre = root if root <= 3 else root - 7  # keeps the tune near the tonic whatever the chord
    beat = mood.beat_seconds
    for note in motif:
        accent = 0.15 if note.onset % mood.meter == 0 else 0.0
        onset = start + note.onset * beat
        instrument.notes.append(pretty_midi.Note(
            velocity(rng, mood, 0.55 + 0.3 * swell + accent), degree_pitch(mood, centre + note.step),
            onset, onset + note.length * beat * 0.95))
