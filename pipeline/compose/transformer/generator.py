"""The trained music model as a compose-stage generator: sample events, then enforce each segment's mood.

Short training does not learn to follow a mood, so the mood is imposed on what the model plays:
its tune is stretched to the mood's pace, transposed so its key becomes the mood's tonic, snapped to
the mood's mode, moved into the melody's register, given the mood's dynamics and instrument, and
harmonised with chords (pad and bass in the mood's texture) chosen to fit it.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import pretty_midi
import torch

from pipeline.compose.theory import (
    MODES,
    PROGRESSIONS,
    Mood,
    Segment,
    add_bass,
    add_pad,
    chord_pitches,
    join_segments,
    new_instrument,
)
from pipeline.compose.transformer.encoding import VELOCITY, Note, decode
from pipeline.compose.transformer.model import MusicTransformer, load_checkpoint

PRIME = [VELOCITY + 19]  # start at a moderate velocity
CHUNK_EVENTS = 128
MAX_EVENTS = 12_000  # a bound on sampling whatever the model does
MAX_NOTE_SECONDS = 4.0
SAME_ONSET = 0.03  # notes starting this close together sound as one chord

# Krumhansl-Kessler key profiles: how strongly each pitch class above the tonic belongs to the key.
MAJOR_PROFILE = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
MINOR_PROFILE = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])


def has_major_third(mode: str) -> bool:
    return 4 in MODES[mode]


def pitch_class_weights(notes: Sequence[Note]) -> np.ndarray:
    weights = np.zeros(12)
    for note in notes:
        weights[note.pitch % 12] += note.end - note.start
    return weights


def estimate_tonic(notes: Sequence[Note], major: bool) -> int:
    """The pitch class whose major (or minor) key profile best correlates with the notes' durations."""
    weights = pitch_class_weights(notes)
    if not weights.any():
        return 0
    profile = MAJOR_PROFILE if major else MINOR_PROFILE
    scores = [np.corrcoef(weights, np.roll(profile, tonic))[0, 1] for tonic in range(12)]
    return int(np.nanargmax(scores))


def snap_to_scale(pitch: int, scale: frozenset[int]) -> int:
    """The pitch, or its nearest neighbour in the scale (the one below on a tie)."""
    for offset in (0, -1, 1, -2, 2):
        if (pitch + offset) % 12 in scale:
            return pitch + offset
    return pitch


def skyline(notes: Sequence[Note]) -> list[Note]:
    """The top voice, monophonic: the highest note of each onset, each cut at the next onset."""
    tops: list[Note] = []
    for note in sorted(notes, key=lambda n: (n.start, -n.pitch)):
        if tops and note.start - tops[-1].start < SAME_ONSET:
            continue
        if tops and tops[-1].end > note.start:
            tops[-1] = Note(tops[-1].start, note.start, tops[-1].pitch, tops[-1].velocity)
        tops.append(note)
    return [n for n in tops if n.end > n.start]


def from_first_note(notes: Sequence[Note]) -> list[Note]:
    """The notes moved earlier so that the first starts at 0 (a stream may open with a long rest)."""
    if not notes:
        return []
    lead = notes[0].start
    return [Note(n.start - lead, n.end - lead, n.pitch, n.velocity) for n in notes]


def typical_gap(notes: Sequence[Note]) -> float:
    """The mean time between successive onsets, rests over 2 s left out: the tune's pace."""
    onsets = np.unique(np.round([n.start for n in notes], 2))
    gaps = np.diff(onsets)
    gaps = gaps[(gaps >= SAME_ONSET) & (gaps <= 2.0)]
    return float(np.mean(gaps)) if gaps.size else 0.25


def target_gap(mood: Mood) -> float:
    """The seconds between melody notes that make the mood's pace."""
    return mood.beat_seconds * min(mood.pulse, 1.0)


# The form of every eight phrases, A A B A C C D C: which of four side-by-side sampled streams each
# phrase plays. Repeating phrases is how songs build motifs, and it needs a quarter of the sampling.
FORM = (0, 0, 1, 0, 2, 2, 3, 2)
STREAMS = 4


@dataclass(frozen=True)
class Phrase:
    """One phrase of the score: real seconds [start, end) play stream `stream` from `raw_start`,
    `factor` times slower than it was sampled."""
    segment: int  # index of its segment
    start: float
    end: float
    stream: int
    raw_start: float
    factor: float

    @property
    def raw_end(self) -> float:
        return self.raw_start + (self.end - self.start) / self.factor

    def place(self, notes: Sequence[Note]) -> list[Note]:
        """The stream's notes of this phrase, timed into the score and cut at the phrase's end."""
        out = []
        for note in notes:
            if self.raw_start <= note.start < self.raw_end:
                start = self.start + (note.start - self.raw_start) * self.factor
                end = min(self.start + (note.end - self.raw_start) * self.factor, start + MAX_NOTE_SECONDS, self.end)
                out.append(Note(start, end, note.pitch, note.velocity))
        return out


def plan(segments: Sequence[Segment], raw_gap: float) -> list[Phrase]:
    """The phrases of every segment at its mood's pace. Every stream keeps the same timeline: each
    group of eight phrases takes one phrase from each."""
    phrases, raw = [], 0.0
    for index, segment in enumerate(segments):
        mood = segment.mood
        factor = target_gap(mood) / raw_gap
        phrase_seconds = mood.phrase_bars * mood.bar_seconds
        count = math.ceil(segment.seconds / phrase_seconds - 1e-9)
        for k in range(count):
            group, position = divmod(k, len(FORM))
            start = segment.start + k * phrase_seconds
            phrases.append(Phrase(index, start, min(start + phrase_seconds, segment.end), FORM[position],
                                  raw + group * phrase_seconds / factor, factor))
        raw += math.ceil(count / len(FORM)) * phrase_seconds / factor
    return phrases


def in_mood(notes: Sequence[Note], mood: Mood, key_notes: Sequence[Note]) -> list[Note]:
    """Notes transposed so the key of `key_notes` lands on the mood's tonic, snapped to the mood's mode
    and moved by octaves into the melody register; times and velocities untouched."""
    tonic = estimate_tonic(key_notes, has_major_third(mood.mode))
    shift = (mood.tonic - tonic) % 12
    shift -= 12 if shift > 6 else 0
    moved = [snap_to_scale(n.pitch + shift, mood.scale) for n in notes]
    if not moved:
        return []
    octave = 12 * round((mood.tonic + 5 - float(np.median(moved))) / 12)  # centred a fourth above the tonic
    return [Note(n.start, n.end, min(127, max(0, pitch + octave)), n.velocity) for n, pitch in zip(notes, moved)]


def dynamics(notes: Sequence[Note], mood: Mood, segment: Segment) -> list[Note]:
    """Velocities in the mood's range: the tune's own accents on top of a swell over each phrase."""
    if not notes:
        return []
    raw = np.array([n.velocity for n in notes], dtype=float)
    spread = max(1.0, raw.max() - raw.min())
    phrase = mood.phrase_bars * mood.bar_seconds
    low, high = mood.velocity
    out = []
    for note, accent in zip(notes, (raw - np.median(raw)) / spread):
        swell = np.sin(np.pi * ((note.start - segment.start) % phrase) / phrase)
        level = min(1.0, max(0.0, 0.5 + 0.3 * swell + 0.25 * accent))
        out.append(Note(note.start, note.end, note.pitch, round(low + (high - low) * level)))
    return out


def chord_roots(mood: Mood) -> list[int]:
    return sorted({degree for progression in PROGRESSIONS[mood.mode] for degree in progression})


def best_root(mood: Mood, melody: Sequence[Note], at_edge: bool) -> int:
    """The diatonic triad that covers most of the melody's time; the tonic wins ties and phrase edges."""
    weights = pitch_class_weights(melody)

    def fit(root: int) -> float:
        chord = {p % 12 for p in chord_pitches(mood, root, 0)}
        bonus = (0.5 if at_edge else 0.05) * (weights.sum() + 1) if root == 0 else 0.0
        return sum(weights[pc] for pc in chord) + bonus

    return max(chord_roots(mood), key=fit)


def harmonise(melody: Sequence[Note], segment: Segment, rng: random.Random
              ) -> tuple[pretty_midi.Instrument, pretty_midi.Instrument]:
    """Pad and bass playing a chord per chord span that fits the melody above it."""
    mood = segment.mood
    pad, bass = new_instrument(mood.pad, 44), new_instrument(mood.bass, 64)
    span = mood.chord_bars * mood.bar_seconds
    count = max(1, int(np.ceil(segment.seconds / span)))
    for k in range(count):
        start = segment.start + k * span
        heard = [n for n in melody if start <= n.start < start + span]
        at_edge = k == 0 or k == count - 1 or k % 4 == 3
        root = best_root(mood, heard, at_edge)
        add_pad(pad, mood, root, start, rng)
        add_bass(bass, mood, root, start)
    return pad, bass


class TransformerGenerator:
    """Samples the trained model (four streams side by side, each one continuous across the segments, so
    the music flows on when the mood changes), arranges their phrases in the FORM and enforces each
    segment's mood on its share."""

    def __init__(self, model: MusicTransformer, temperature: float = 0.95, top_k: int = 40):
        self.model = model
        self.temperature = temperature
        self.top_k = top_k
        self.last_events = 0  # how many events the last call sampled, all streams (for benchmarks)

    def sample_streams(self, segments: Sequence[Segment], seed: int) -> tuple[list[list[Note]], float]:
        """Sample until every stream is long enough for the plan at its pace; (top voice of each stream,
        the streams' typical gap between notes)."""
        generator = torch.Generator().manual_seed(seed)
        streams: list[list[int]] = [list(PRIME) for _ in range(STREAMS)]
        context = self.model.config.context
        while True:
            chunk = self.model.sample([s[-context:] for s in streams], CHUNK_EVENTS, generator,
                                      self.temperature, self.top_k)
            streams = [s + c for s, c in zip(streams, chunk)]
            tunes = [from_first_note(skyline(decode(s))) for s in streams]
            gaps = [typical_gap(tune) for tune in tunes if len(tune) > 8]
            gap = float(np.mean(gaps)) if gaps else 0.25
            phrases = plan(segments, gap)
            needed = [max((p.raw_end for p in phrases if p.stream == k), default=0.0) for k in range(STREAMS)]
            long_enough = all(not need or (tune and tune[-1].start >= need) for tune, need in zip(tunes, needed))
            if long_enough or len(streams[0]) * STREAMS > MAX_EVENTS:
                self.last_events = sum(len(s) - len(PRIME) for s in streams)
                return tunes, gap

    def generate_segments(self, segments: Sequence[Segment], seed: int) -> pretty_midi.PrettyMIDI:
        tunes, gap = self.sample_streams(segments, seed)
        phrases = plan(segments, gap)
        rng = random.Random(seed)
        parts = []
        for index, segment in enumerate(segments):
            mine = [p for p in phrases if p.segment == index]
            placed = [n for p in mine for n in p.place(tunes[p.stream])]
            melody = dynamics(in_mood(placed, segment.mood, placed if len(placed) >= 8 else
                                      [n for tune in tunes for n in tune]), segment.mood, segment)
            instrument = new_instrument(segment.mood.melody, 84)
            instrument.notes = [pretty_midi.Note(n.velocity, n.pitch, n.start, n.end) for n in melody]
            parts.append([instrument, *harmonise(melody, segment, rng)])
        return join_segments(segments, parts)


def load_generator(weights: Path) -> TransformerGenerator:
    """The trained model's generator on a checkpoint file; missing weights are an error, not a quieter model."""
    path = Path(weights)
    if not path.exists():
        raise FileNotFoundError(f"music model weights not found at {path} (DIGITELLER_MUSIC_WEIGHTS)")
    model, _ = load_checkpoint(path)
    return TransformerGenerator(model)
