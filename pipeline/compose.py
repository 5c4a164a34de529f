"""Compose: a mood per genre, a seeded MIDI generator, FluidSynth rendering, and fitting the audio to a duration.

The pieces are separate so that a learned model can replace `MotifGenerator` while the moods,
the rendering and the looping stay as they are.
"""
from __future__ import annotations

import logging
import math
import random
import re
import time
import wave
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal, Protocol, Sequence

import numpy as np
import pretty_midi

from pipeline.media import run, write_wav
from pipeline.types import Genre, Scene, Score, StageError, Story

STAGE = "compose"
log = logging.getLogger(__name__)
DEFAULT_SOUNDFONT = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
RENDER_TIMEOUT_SECONDS = 600.0  # a runaway render (a stuck note) fails the stage instead of filling the disk
RENDER_GAIN = 0.6
RENDER_TAIL = 3.0  # seconds rendered past the last bar, so releases and reverb are not cut
MAX_PIECE_SECONDS = 420.0  # longer scores loop the rendered piece
PEAK_DBFS = -3.0
FADE_IN = 2.0
FADE_OUT = 3.0

# Semitones above the tonic of each mode's seven degrees.
MODES: dict[str, tuple[int, ...]] = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "mixolydian": (0, 2, 4, 5, 7, 9, 10),
    "lydian": (0, 2, 4, 6, 7, 9, 11),
}

# The mode a mood turns to in a darker or a brighter scene (its parallel mode).
DARKER = {"major": "minor", "mixolydian": "dorian", "lydian": "major", "dorian": "minor", "minor": "minor"}
BRIGHTER = {"minor": "major", "dorian": "mixolydian", "major": "major", "mixolydian": "major", "lydian": "lydian"}

# Four-chord phrases as scale degrees (0 = tonic), diatonic to the mode.
PROGRESSIONS: dict[str, tuple[tuple[int, int, int, int], ...]] = {
    "major": ((0, 4, 5, 3), (0, 3, 4, 0), (0, 5, 3, 4), (0, 2, 3, 4), (0, 3, 0, 4)),
    "minor": ((0, 5, 2, 6), (0, 3, 6, 2), (0, 5, 3, 4), (0, 3, 4, 0), (0, 6, 5, 4)),
    "dorian": ((0, 3, 0, 6), (0, 1, 3, 0), (0, 6, 3, 0), (0, 2, 3, 6)),
    "mixolydian": ((0, 6, 3, 0), (0, 3, 6, 0), (0, 4, 6, 3), (0, 6, 4, 3)),
    "lydian": ((0, 1, 4, 0), (0, 1, 5, 4), (0, 5, 1, 4), (0, 2, 1, 0)),  # the major II is its colour
}

Texture = Literal["sustain", "arpeggio", "offbeat"]


@dataclass(frozen=True)
class Mood:
    name: str
    tempo: float  # beats per minute
    mode: str  # a key of MODES
    tonic: int  # MIDI pitch of the tonic in the melody's octave; pad and bass sit below it
    pad: int  # General MIDI programs, 0-based
    melody: int
    bass: int
    velocity: tuple[int, int]  # (softest, loudest)
    meter: int = 4  # beats per bar
    chord_bars: int = 1  # bars each chord lasts
    pulse: float = 1.0  # the melody's shortest note, in beats
    texture: Texture = "sustain"  # how the pad plays its chords

    @property
    def scale(self) -> frozenset[int]:
        """The pitch classes (0 = C) the mood's music uses."""
        return frozenset((self.tonic + step) % 12 for step in MODES[self.mode])

    @property
    def beat_seconds(self) -> float:
        return 60.0 / self.tempo

    @property
    def bar_seconds(self) -> float:
        return self.meter * self.beat_seconds

    @property
    def phrase_bars(self) -> int:
        return 4 * self.chord_bars


MOODS: dict[Genre, Mood] = {
    # low strings, sparse cello over a contrabass drone
    Genre.horror: Mood("dark", 56, "minor", 57, pad=49, melody=42, bass=43, velocity=(35, 80), chord_bars=2,
                       pulse=2.0),
    # pizzicato off-beats, clarinet tune, bassoon oom-pah
    Genre.comedy: Mood("playful", 132, "major", 65, pad=45, melody=71, bass=70, velocity=(60, 100), pulse=0.5,
                       texture="offbeat"),
    # choir and horn, tuba underneath, modal
    Genre.bylina: Mood("epic", 72, "dorian", 62, pad=52, melody=60, bass=58, velocity=(55, 100), chord_bars=2),
    # celesta arpeggios in three (a music box), flute tune; the harp costs FluidSynth 3x the time
    Genre.fairy_tale: Mood("magical", 92, "major", 67, pad=8, melody=73, bass=32, velocity=(45, 85), meter=3,
                           texture="arpeggio"),
    # slow strings, piano tune
    Genre.tragedy: Mood("mournful", 60, "minor", 64, pad=48, melody=0, bass=42, velocity=(40, 85), chord_bars=2),
    # piano arpeggios, violin tune, cello bass
    Genre.drama: Mood("tense", 84, "minor", 62, pad=0, melody=40, bass=42, velocity=(45, 95), texture="arpeggio"),
    # nylon guitar, oboe tune, bassoon
    Genre.fable: Mood("light", 112, "major", 69, pad=24, melody=68, bass=70, velocity=(55, 95), pulse=0.5,
                      texture="arpeggio"),
    # calm piano alone
    Genre.novella: Mood("calm", 80, "major", 64, pad=0, melody=0, bass=0, velocity=(40, 80), texture="arpeggio"),
    # lydian wonder: string ensemble, French horn tune, contrabass
    Genre.fantasy: Mood("wondrous", 84, "lydian", 65, pad=48, melody=60, bass=43, velocity=(50, 95), chord_bars=2),
    # a synth sequencer: warm pad arpeggios, crystal lead, synth bass
    Genre.scifi: Mood("cosmic", 100, "dorian", 62, pad=89, melody=98, bass=38, velocity=(45, 90), pulse=0.5,
                      texture="arpeggio"),
    # noir: electric piano off-beats, tenor sax, plucked double bass
    Genre.detective: Mood("noir", 76, "minor", 60, pad=4, melody=66, bass=32, velocity=(45, 90), pulse=0.5,
                          texture="offbeat"),
}


@dataclass(frozen=True)
class Segment:
    """A stretch of the score in one mood, [start, end) in seconds."""
    mood: Mood
    start: float
    end: float

    @property
    def seconds(self) -> float:
        return self.end - self.start


class MidiGenerator(Protocol):
    def generate_segments(self, segments: Sequence[Segment], seed: int) -> pretty_midi.PrettyMIDI:
        """Music covering the segments back to back, each in its mood, the same for the same seed."""
        ...


class Composer(Protocol):
    def compose(self, story: Story, duration: float, out_dir: Path, seed: int,
                scene_starts: Sequence[float] | None = None) -> Score: ...


# --- the mood of each scene ----------------------------------------------------------------------

# Word beginnings that darken or brighten a scene's music (Russian; matched on lower-cased words).
DARK_STEMS = ("смерт", "умер", "умир", "мертв", "страх", "страш", "тьм", "темн", "мрак", "кров", "плак", "плач",
              "слёз", "слез", "беда", "беду", "беды", "гиб", "погиб", "ужас", "чудовищ", "крик", "убил", "убий",
              "горе", "горя", "тоск", "печал", "одинок", "призрак", "проклят", "зло", "злой", "враг", "бой", "битв")
BRIGHT_STEMS = ("смех", "смея", "засмея", "радост", "радова", "обрадова", "праздн", "свадьб", "солнц", "побед",
                "счаст", "весел", "пир", "улыб", "любов", "любил", "песн", "пляс", "танц", "друж", "спасен", "спас")
SHADE_THRESHOLD = 2  # this many more dark (bright) words than bright (dark) ones change the mood


def scene_shade(scene: Scene) -> int:
    """-1 for a darker scene, +1 for a brighter one, 0 when the genre's mood fits."""
    words = re.findall(r"\w+", scene.text.lower())
    dark = sum(word.startswith(DARK_STEMS) for word in words) + (scene.time_of_day == "night")
    bright = sum(word.startswith(BRIGHT_STEMS) for word in words)
    score = bright - dark
    return 1 if score >= SHADE_THRESHOLD else -1 if score <= -SHADE_THRESHOLD else 0


def shaded(mood: Mood, shade: int) -> Mood:
    """The mood in its parallel darker (slower, softer) or brighter (quicker, louder) mode."""
    if shade == 0:
        return mood
    low, high = mood.velocity
    if shade < 0:
        return replace(mood, name=f"{mood.name}, darker", mode=DARKER[mood.mode], tempo=round(mood.tempo * 0.85),
                       velocity=(max(1, low - 5), high - 10))
    return replace(mood, name=f"{mood.name}, brighter", mode=BRIGHTER[mood.mode], tempo=round(mood.tempo * 1.12),
                   velocity=(low + 5, min(127, high + 5)))


def proportional_starts(story: Story, seconds: float) -> list[float]:
    """Where each scene would start if narration time followed the length of its text."""
    lengths = [max(1, len(scene.text)) for scene in story.scenes]
    total = sum(lengths)
    return [seconds * sum(lengths[:k]) / total for k in range(len(lengths))]


def scene_segments(story: Story, seconds: float, scene_starts: Sequence[float] | None = None) -> list[Segment]:
    """The genre's mood, shaded scene by scene; neighbouring scenes in the same mood share a segment and
    a segment shorter than two bars joins the one before it."""
    base = MOODS[story.request.genre]
    if not story.scenes:
        return [Segment(base, 0.0, seconds)]
    starts = list(scene_starts) if scene_starts is not None else proportional_starts(story, seconds)
    segments: list[Segment] = []
    for scene, start in zip(story.scenes, starts):
        mood = shaded(base, scene_shade(scene))
        start = 0.0 if not segments else start
        if start >= seconds:
            break
        if segments and (segments[-1].mood == mood or start - segments[-1].start < 2 * segments[-1].mood.bar_seconds):
            continue
        if segments:
            segments[-1] = replace(segments[-1], end=start)
        segments.append(Segment(mood, start, seconds))
    return segments


# --- joining segments into one MIDI file ---------------------------------------------------------

def set_tempi(midi: pretty_midi.PrettyMIDI, changes: Sequence[tuple[float, float]]) -> None:
    """Tempo changes (seconds, beats per minute); pretty_midi has no public setter, so this fills the
    same tick scales its reader does. Note times stay in seconds either way."""
    scales: list[tuple[int, float]] = []
    tick, last_time = 0.0, 0.0
    for time_, bpm in changes:
        scale = 60.0 / (bpm * midi.resolution)
        if scales:
            if scale == scales[-1][1]:
                continue
            tick += (time_ - last_time) / scales[-1][1]
        scales.append((int(round(tick)), scale))
        last_time = time_
    midi._tick_scales = scales
    midi._update_tick_to_time(scales[-1][0] + 1)


def pan_of(instrument: pretty_midi.Instrument) -> int:
    return next((c.value for c in instrument.control_changes if c.number == 10), 64)


def join_segments(segments: Sequence[Segment], parts: Sequence[Sequence[pretty_midi.Instrument]]
                  ) -> pretty_midi.PrettyMIDI:
    """One MIDI file from each segment's instruments (notes in seconds from the start of the score):
    instruments of the same program are merged, notes outside their segment dropped or cut at its end."""
    midi = pretty_midi.PrettyMIDI(initial_tempo=segments[0].mood.tempo)
    set_tempi(midi, [(s.start, s.mood.tempo) for s in segments])
    for segment in segments:
        if not midi.time_signature_changes or midi.time_signature_changes[-1].numerator != segment.mood.meter:
            midi.time_signature_changes.append(pretty_midi.TimeSignature(segment.mood.meter, 4, segment.start))
    merged: dict[int, pretty_midi.Instrument] = {}
    for segment, instruments in zip(segments, parts):
        for instrument in instruments:
            target = merged.setdefault(instrument.program, new_instrument(instrument.program, pan_of(instrument)))
            target.notes += [clip_note(n, segment.end) for n in instrument.notes
                             if segment.start <= n.start < segment.end]
    midi.instruments = [i for i in merged.values() if i.notes]
    # A harmless event after the end keeps FluidSynth rendering while the last notes ring out.
    midi.instruments[0].control_changes.append(pretty_midi.ControlChange(7, 100, segments[-1].end + RENDER_TAIL))
    return midi


# --- the generator -------------------------------------------------------------------------------

@dataclass(frozen=True)
class MotifNote:
    onset: float  # beats from the start of the chord
    length: float  # beats
    step: int  # scale steps above the chord's root


def degree_pitch(mood: Mood, degree: int) -> int:
    """MIDI pitch of a scale degree counted from the tonic; degrees beyond 0..6 move by octaves."""
    steps = MODES[mood.mode]
    return mood.tonic + 12 * (degree // 7) + steps[degree % 7]


def place_in_window(pitch: int, low: int) -> int:
    """The same pitch class moved by octaves into [low, low + 12)."""
    return low + (pitch - low) % 12


def chord_pitches(mood: Mood, root: int, low: int) -> list[int]:
    """The triad on a scale degree, closely voiced inside [low, low + 12), root first."""
    return [place_in_window(degree_pitch(mood, root + third), low) for third in (0, 2, 4)]


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


def new_instrument(program: int, pan: int) -> pretty_midi.Instrument:
    instrument = pretty_midi.Instrument(program=program, name=pretty_midi.program_to_instrument_name(program))
    instrument.control_changes += [pretty_midi.ControlChange(10, pan, 0.0), pretty_midi.ControlChange(91, 60, 0.0)]
    return instrument


def clip_note(note: pretty_midi.Note, end: float) -> pretty_midi.Note:
    return pretty_midi.Note(note.velocity, note.pitch, note.start, min(note.end, end))


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


def velocity(rng: random.Random, mood: Mood, level: float) -> int:
    low, high = mood.velocity
    return max(1, min(127, round(low + (high - low) * level) + rng.randint(-4, 4)))


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


def add_pad(instrument: pretty_midi.Instrument, mood: Mood, root: int, start: float, rng: random.Random) -> None:
    chord = chord_pitches(mood, root, mood.tonic - 14)
    beat = mood.beat_seconds
    span = mood.chord_bars * mood.meter
    if mood.texture == "sustain":
        hits = [(pitch, 0.0, span) for pitch in chord]
    elif mood.texture == "offbeat":
        hits = [(pitch, b, 0.45) for b in range(span) if b % mood.meter != 0 for pitch in chord]
    else:  # arpeggio: up and back down through the triad and the root's octave, in eighths
        tones = [*chord, chord[0] + 12]
        pattern = [tones[i] for i in (0, 1, 2, 3, 2, 1)]
        hits = [(pattern[k % len(pattern)], k * 0.5, 1.0) for k in range(span * 2)]
    for pitch, onset, length in hits:
        end = start + min(onset + length, span) * beat
        instrument.notes.append(pretty_midi.Note(velocity(rng, mood, 0.35), pitch, start + onset * beat, end))


def add_bass(instrument: pretty_midi.Instrument, mood: Mood, root: int, start: float) -> None:
    """Slow moods hold the root; the off-beat texture gets an oom-pah of root and fifth; others strike it each bar."""
    tonic_low = mood.tonic - 31
    root_pitch = place_in_window(degree_pitch(mood, root), tonic_low)
    fifth_pitch = place_in_window(degree_pitch(mood, root + 4), tonic_low)
    beat, bar = mood.beat_seconds, mood.bar_seconds
    level = sum(mood.velocity) // 2
    if mood.pulse >= 2:
        hits = [(root_pitch, 0.0, mood.chord_bars * bar)]
    elif mood.texture == "offbeat":
        hits = [(pitch, b * bar + half * (mood.meter // 2) * beat, beat * 0.9)
                for b in range(mood.chord_bars) for half, pitch in enumerate((root_pitch, fifth_pitch))]
    else:
        hits = [(root_pitch, b * bar, bar) for b in range(mood.chord_bars)]
    for pitch, onset, length in hits:
        instrument.notes.append(pretty_midi.Note(level, pitch, start + onset, start + onset + length))


# --- rendering and fitting -----------------------------------------------------------------------

def write_midi(midi: pretty_midi.PrettyMIDI, path: Path) -> Path:
    """Write the score without notes shorter than one MIDI tick: pretty_midi writes such a note's note-off before
    its note-on, and FluidSynth then holds it for ever and never finishes rendering."""
    for instrument in midi.instruments:
        instrument.notes = [n for n in instrument.notes if midi.time_to_tick(n.end) > midi.time_to_tick(n.start)]
    midi.write(str(path))
    return path


def render_midi(midi_path: Path, wav_path: Path, soundfont: Path, sample_rate: int,
                timeout: float = RENDER_TIMEOUT_SECONDS) -> Path:
    """Render with the FluidSynth CLI to a 16-bit stereo wav."""
    if not soundfont.exists():
        raise StageError(STAGE, f"SoundFont not found: {soundfont}")
    run(["fluidsynth", "-ni", "-q", "-g", str(RENDER_GAIN), "-F", str(wav_path), "-r", str(sample_rate),
         str(soundfont), str(midi_path)], stage=STAGE, timeout=timeout)
    if not wav_path.exists():
        raise StageError(STAGE, "fluidsynth wrote no audio")
    return wav_path


def read_frames(path: Path) -> tuple[np.ndarray, int]:
    """A 16-bit wav as float32 frames of shape (n, channels), and its sample rate."""
    with wave.open(str(path), "rb") as wav:
        if wav.getsampwidth() != 2:
            raise StageError(STAGE, f"{path.name}: expected 16-bit PCM")
        data = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
        return data.astype(np.float32).reshape(-1, wav.getnchannels()) / 32768.0, wav.getframerate()


def loop_to_length(frames: np.ndarray, loop_frames: int, total_frames: int) -> np.ndarray:
    """Repeat the first `loop_frames` until `total_frames`, trimmed.

    What was rendered past the loop (releases, reverb) is added onto the start of each next repeat,
    which is what a continuous performance would sound like, so the joins are seamless.
    """
    if len(frames) >= total_frames:
        return frames[:total_frames]
    loop_frames = max(1, min(loop_frames, len(frames)))
    body, tail = frames[:loop_frames], frames[loop_frames:]
    repeats = math.ceil(total_frames / loop_frames)
    out = np.zeros((repeats * loop_frames + len(tail), frames.shape[1]), dtype=np.float32)
    out[: repeats * loop_frames] = np.tile(body, (repeats, 1))
    for k in range(1, repeats + 1):
        out[k * loop_frames: k * loop_frames + len(tail)] += tail
    return out[:total_frames]


def apply_fades(frames: np.ndarray, sample_rate: int,
                fade_in: float = FADE_IN, fade_out: float = FADE_OUT) -> np.ndarray:
    """Raised-cosine fade-in and fade-out; both shrink to a quarter of the audio each when it is short."""
    out = frames.copy()
    quarter = len(out) // 4
    for seconds, at_start in ((fade_in, True), (fade_out, False)):
        n = min(int(seconds * sample_rate), quarter)
        if n == 0:
            continue
        ramp = (0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, n, dtype=np.float32)))[:, None]
        if at_start:
            out[:n] *= ramp
        else:
            out[-n:] *= ramp[::-1]
    return out


def normalise_peak(frames: np.ndarray, peak_dbfs: float = PEAK_DBFS) -> np.ndarray:
    peak = float(np.max(np.abs(frames))) if frames.size else 0.0
    if peak == 0.0:
        raise StageError(STAGE, "the rendered music is silent")
    return frames * (10 ** (peak_dbfs / 20) / peak)


# --- the composer --------------------------------------------------------------------------------

class PrettyMidiComposer:
    """Moods from the genre and scenes → MIDI from a generator → FluidSynth → looped, trimmed, faded,
    normalised wav."""

    def __init__(self, soundfont: Path = DEFAULT_SOUNDFONT, sample_rate: int = 44100,
                 generator: MidiGenerator | None = None, max_piece_seconds: float = MAX_PIECE_SECONDS):
        self.soundfont = Path(soundfont)
        self.sample_rate = sample_rate
        self.generator = generator or MotifGenerator()
        self.max_piece_seconds = max_piece_seconds
        self.last_render_seconds = 0.0  # how long FluidSynth took on the last call (for benchmarks)
        self.last_generate_seconds = 0.0  # how long the generator took on the last call

    def compose(self, story: Story, duration: float, out_dir: Path, seed: int,
                scene_starts: Sequence[float] | None = None) -> Score:
        """`scene_starts`: each scene's start in the narration (seconds); without them scenes are
        placed by the length of their text."""
        if duration <= 0:
            raise ValueError(f"duration must be positive, got {duration}")
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        segments = self.segments_for(story, duration, scene_starts)
        midi_path = out_dir / "score.mid"
        started = time.perf_counter()
        write_midi(self.generator.generate_segments(segments, seed), midi_path)
        self.last_generate_seconds = time.perf_counter() - started
        started = time.perf_counter()
        rendered = render_midi(midi_path, out_dir / "render.wav", self.soundfont, self.sample_rate)
        self.last_render_seconds = time.perf_counter() - started
        frames, rate = read_frames(rendered)
        rendered.unlink()
        music = loop_to_length(frames, round(segments[-1].end * rate), round(duration * rate))
        audio = write_wav(out_dir / "score.wav", normalise_peak(apply_fades(music, rate)), rate)
        return Score(midi=midi_path, audio=audio, duration=duration, mood=MOODS[story.request.genre].name)

    def segments_for(self, story: Story, duration: float, scene_starts: Sequence[float] | None) -> list[Segment]:
        """Scene by scene when the whole story fits in one piece; a longer story gets one piece of whole
        phrases in the genre's mood, looped (a loop cannot follow the scenes)."""
        if duration <= self.max_piece_seconds:
            return scene_segments(story, duration, scene_starts)
        mood = MOODS[story.request.genre]
        return [Segment(mood, 0.0, self.bars_for(mood, duration) * mood.bar_seconds)]

    def bars_for(self, mood: Mood, duration: float) -> int:
        """Whole phrases covering the duration, up to max_piece_seconds."""
        seconds = min(duration, self.max_piece_seconds)
        phrase_seconds = mood.phrase_bars * mood.bar_seconds
        return max(1, math.ceil(seconds / phrase_seconds)) * mood.phrase_bars


def composer_cache_tag(composer: str, weights: Path | None) -> str:
    """What besides the story, length and seed decides the music (the stage cache key): the backend, and for the
    trained model its weights file, so retrained weights are not served old scores from the cache."""
    if composer != "transformer":
        return composer
    from pipeline.music import DEFAULT_WEIGHTS

    path = Path(weights) if weights else DEFAULT_WEIGHTS
    stamp = f"{path.stat().st_size}:{path.stat().st_mtime_ns}" if path.exists() else "missing"
    return f"{composer}:{path}:{stamp}"


def make_composer(name: str = "transformer", soundfont: Path = DEFAULT_SOUNDFONT, sample_rate: int = 44100,
                  weights: Path | None = None) -> Composer:
    """"transformer": the trained music model (falls back to the rule-based generator, with a warning,
    when its weights are missing); "pretty_midi": the rule-based generator."""
    if name == "transformer":
        try:
            from pipeline.music.generator import load_generator  # torch is imported only when asked for
        except ImportError as error:  # an image built without torch
            log.warning("the music model needs torch (%s): using the rule-based generator", error)
            return PrettyMidiComposer(soundfont=soundfont, sample_rate=sample_rate)
        return PrettyMidiComposer(soundfont=soundfont, sample_rate=sample_rate, generator=load_generator(weights))
    if name == "pretty_midi":
        return PrettyMidiComposer(soundfont=soundfont, sample_rate=sample_rate)
    raise ValueError(f"unknown composer {name!r}; known: transformer, pretty_midi")
