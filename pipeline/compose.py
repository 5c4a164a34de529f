"""Compose: a mood per genre, a seeded MIDI generator, FluidSynth rendering, and fitting the audio to a duration.

The pieces are separate so that a learned model can replace `MotifGenerator` while the moods,
the rendering and the looping stay as they are.
"""
from __future__ import annotations

import math
import random
import time
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

import numpy as np
import pretty_midi

from pipeline.media import run, write_wav
from pipeline.types import Genre, Score, StageError, Story

STAGE = "compose"
DEFAULT_SOUNDFONT = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
RENDER_GAIN = 0.6
RENDER_TAIL = 3.0  # seconds rendered past the last bar, so releases and reverb are not cut
MAX_PIECE_SECONDS = 200.0  # longer scores loop the rendered piece
PEAK_DBFS = -3.0
FADE_IN = 2.0
FADE_OUT = 3.0

# Semitones above the tonic of each mode's seven degrees.
MODES: dict[str, tuple[int, ...]] = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "mixolydian": (0, 2, 4, 5, 7, 9, 10),
}

# Four-chord phrases as scale degrees (0 = tonic), diatonic to the mode.
PROGRESSIONS: dict[str, tuple[tuple[int, int, int, int], ...]] = {
    "major": ((0, 4, 5, 3), (0, 3, 4, 0), (0, 5, 3, 4), (0, 2, 3, 4), (0, 3, 0, 4)),
    "minor": ((0, 5, 2, 6), (0, 3, 6, 2), (0, 5, 3, 4), (0, 3, 4, 0), (0, 6, 5, 4)),
    "dorian": ((0, 3, 0, 6), (0, 1, 3, 0), (0, 6, 3, 0), (0, 2, 3, 6)),
    "mixolydian": ((0, 6, 3, 0), (0, 3, 6, 0), (0, 4, 6, 3), (0, 6, 4, 3)),
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
}


class MidiGenerator(Protocol):
    def generate(self, mood: Mood, bars: int, seed: int) -> pretty_midi.PrettyMIDI:
        """Music in the mood, exactly `bars` bars long at mood.tempo, the same for the same seed."""
        ...


class Composer(Protocol):
    def compose(self, story: Story, duration: float, out_dir: Path, seed: int) -> Score: ...


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

    def generate(self, mood: Mood, bars: int, seed: int) -> pretty_midi.PrettyMIDI:
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

def render_midi(midi_path: Path, wav_path: Path, soundfont: Path, sample_rate: int) -> Path:
    """Render with the FluidSynth CLI to a 16-bit stereo wav."""
    if not soundfont.exists():
        raise StageError(STAGE, f"SoundFont not found: {soundfont}")
    run(["fluidsynth", "-ni", "-q", "-g", str(RENDER_GAIN), "-F", str(wav_path), "-r", str(sample_rate),
         str(soundfont), str(midi_path)], stage=STAGE)
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
    """Mood from the genre → MIDI from a generator → FluidSynth → looped, trimmed, faded, normalised wav."""

    def __init__(self, soundfont: Path = DEFAULT_SOUNDFONT, sample_rate: int = 44100,
                 generator: MidiGenerator | None = None, max_piece_seconds: float = MAX_PIECE_SECONDS):
        self.soundfont = Path(soundfont)
        self.sample_rate = sample_rate
        self.generator = generator or MotifGenerator()
        self.max_piece_seconds = max_piece_seconds
        self.last_render_seconds = 0.0  # how long FluidSynth took on the last call (for benchmarks)

    def compose(self, story: Story, duration: float, out_dir: Path, seed: int) -> Score:
        if duration <= 0:
            raise ValueError(f"duration must be positive, got {duration}")
        mood = MOODS[story.request.genre]
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        bars = self.bars_for(mood, duration)
        midi_path = out_dir / "score.mid"
        self.generator.generate(mood, bars, seed).write(str(midi_path))
        started = time.perf_counter()
        rendered = render_midi(midi_path, out_dir / "render.wav", self.soundfont, self.sample_rate)
        self.last_render_seconds = time.perf_counter() - started
        frames, rate = read_frames(rendered)
        rendered.unlink()
        music = loop_to_length(frames, round(bars * mood.bar_seconds * rate), round(duration * rate))
        audio = write_wav(out_dir / "score.wav", normalise_peak(apply_fades(music, rate)), rate)
        return Score(midi=midi_path, audio=audio, duration=duration, mood=mood.name)

    def bars_for(self, mood: Mood, duration: float) -> int:
        """Whole phrases covering the duration, up to max_piece_seconds; longer scores loop."""
        seconds = min(duration, self.max_piece_seconds)
        phrase_seconds = mood.phrase_bars * mood.bar_seconds
        return max(1, math.ceil(seconds / phrase_seconds)) * mood.phrase_bars


def make_composer(name: str = "pretty_midi", soundfont: Path = DEFAULT_SOUNDFONT,
                  sample_rate: int = 44100) -> Composer:
    if name == "pretty_midi":
        return PrettyMidiComposer(soundfont=soundfont, sample_rate=sample_rate)
    raise ValueError(f"unknown composer {name!r}; known: pretty_midi")
