"""Turning a generator's MIDI into the Score: writing MIDI, rendering it with FluidSynth, looping the piece to
the story's length, fades and peak normalising."""
from __future__ import annotations

import math
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np
import pretty_midi

from pipeline.compose.theory import MOODS, Mood, Segment, scene_segments
from pipeline.media import read_wav, run, write_wav
from pipeline.types import Score, StageError, Story

STAGE = "compose"
RENDER_TIMEOUT_SECONDS = 600.0  # a runaway render (a stuck note) fails the stage instead of filling the disk
RENDER_GAIN = 0.6
MAX_PIECE_SECONDS = 420.0  # longer scores loop the rendered piece
PEAK_DBFS = -3.0
FADE_IN = 2.0
FADE_OUT = 3.0


class MidiGenerator(Protocol):
    def generate_segments(self, segments: Sequence[Segment], seed: int) -> pretty_midi.PrettyMIDI:
        """Music covering the segments back to back, each in its mood, the same for the same seed."""
        ...


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

class SoundFontComposer:
    """Moods from the genre and scenes → MIDI from a generator → FluidSynth with a SoundFont → looped, trimmed,
    faded, normalised stereo wav."""

    def __init__(self, soundfont: Path, sample_rate: int, generator: MidiGenerator,
                 max_piece_seconds: float = MAX_PIECE_SECONDS):
        self.soundfont = Path(soundfont)
        self.sample_rate = sample_rate
        self.generator = generator
        self.max_piece_seconds = max_piece_seconds

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
        write_midi(self.generator.generate_segments(segments, seed), midi_path)
        rendered = render_midi(midi_path, out_dir / "render.wav", self.soundfont, self.sample_rate)
        frames, rate = read_wav(rendered, mono=False)
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
