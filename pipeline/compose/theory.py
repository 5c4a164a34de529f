"""Music theory shared by the compose stage's generators: modes and chord progressions, a mood per genre,
the scenes' shading of it into segments, the accompaniment (pad, bass) and joining segments into one MIDI file."""
from __future__ import annotations

import random
import re
from dataclasses import dataclass, replace
from typing import Literal, Sequence

import pretty_midi

from pipeline.types import Genre, Scene, Story

RENDER_TAIL = 3.0  # seconds of MIDI past the last bar, so releases and reverb are rendered, not cut

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


# --- harmony and accompaniment -------------------------------------------------------------------

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


def new_instrument(program: int, pan: int) -> pretty_midi.Instrument:
    instrument = pretty_midi.Instrument(program=program, name=pretty_midi.program_to_instrument_name(program))
    instrument.control_changes += [pretty_midi.ControlChange(10, pan, 0.0), pretty_midi.ControlChange(91, 60, 0.0)]
    return instrument


def clip_note(note: pretty_midi.Note, end: float) -> pretty_midi.Note:
    return pretty_midi.Note(note.velocity, note.pitch, note.start, min(note.end, end))


def velocity(rng: random.Random, mood: Mood, level: float) -> int:
    low, high = mood.velocity
    return max(1, min(127, round(low + (high - low) * level) + rng.randint(-4, 4)))


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
