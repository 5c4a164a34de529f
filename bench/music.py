"""The music model against its corpus (quality) and the time to score a 5-minute story (speed).

    OMP_NUM_THREADS=1 .venv/bin/python bench/music.py [--samples 12] [--events 600] [--seconds 60]
                                                      [--story-seconds 300] [--runs 3] [--weights PATH]

Quality, per piece, on the top voice: the share of notes in the piece's own key (the diatonic scale,
in whichever mode and on whichever tonic, that holds the most of its notes), the longest note, the
pitch-class entropy (bits) and the 4-gram repeat rate (the share of 4-note pitch sequences heard
before in the piece).
Rows: validation pieces of the corpus; the model's raw samples (trained and untrained); and the same
models' music after the mood is enforced (the melody track, genres in turn).
"""
from __future__ import annotations

import argparse
import shlex
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import torch

from pipeline.compose.fluidsynth import render_midi
from pipeline.compose.theory import MOODS, Segment
from pipeline.compose.transformer import DEFAULT_WEIGHTS, data
from pipeline.compose.transformer.encoding import Note, decode
from pipeline.compose.transformer.generator import PRIME, TransformerGenerator, skyline
from pipeline.compose.transformer.model import MusicTransformer, load_checkpoint
from pipeline.settings import get_settings
from pipeline.types import Genre

Metrics = dict[str, float]
DIATONIC = {0, 2, 4, 5, 7, 9, 11}  # the major scale; its rotations are all seven church modes


def in_key_fraction(notes: Sequence[Note]) -> float:
    """The share of notes in the diatonic scale (any mode, any tonic) that holds the most of them."""
    pitch_classes = [n.pitch % 12 for n in notes]
    return max(sum((pc - tonic) % 12 in DIATONIC for pc in pitch_classes) for tonic in range(12)) / len(notes)


def pitch_class_entropy(notes: Sequence[Note]) -> float:
    counts = np.bincount([n.pitch % 12 for n in notes], minlength=12).astype(float)
    p = counts[counts > 0] / counts.sum()
    return float(-(p * np.log2(p)).sum())


def repeat_rate(notes: Sequence[Note], n: int = 4) -> float:
    pitches = [note.pitch for note in notes]
    grams = [tuple(pitches[k: k + n]) for k in range(len(pitches) - n + 1)]
    return 1 - len(set(grams)) / len(grams) if grams else 0.0


def metrics(notes: Sequence[Note]) -> Metrics:
    return {"in key": in_key_fraction(notes), "longest s": max(n.end - n.start for n in notes),
            "held >4 s": sum(n.end - n.start > 4.0 for n in notes) / len(notes),
            "pc entropy": pitch_class_entropy(notes), "4-gram repeats": repeat_rate(notes), "notes": len(notes)}


def summary(rows: list[Metrics]) -> dict[str, tuple[float, float, float]]:
    return {key: (statistics.median(r[key] for r in rows), min(r[key] for r in rows), max(r[key] for r in rows))
            for key in rows[0]}


def print_table(table: dict[str, list[Metrics]]) -> None:
    keys = list(next(iter(table.values()))[0])
    print(f"{'':28}" + "".join(f"{key:>24}" for key in keys))
    for name, rows in table.items():
        cells = summary(rows)
        print(f"{name + f' (n={len(rows)})':28}" + "".join(
            f"{f'{m:.2f} [{lo:.2f}-{hi:.2f}]':>24}" for m, lo, hi in cells.values()))


def corpus_pieces(count: int) -> list[list[Note]]:
    corpus = data.load()
    _, validation = corpus.split()
    rng = np.random.default_rng(0)
    return [skyline(decode(corpus.piece(i))) for i in rng.choice(validation, count, replace=False)]


def raw_samples(model: MusicTransformer, count: int, events: int) -> list[list[Note]]:
    streams = model.sample([PRIME] * count, events, torch.Generator().manual_seed(0), 0.95, 40)
    return [skyline(decode(stream)) for stream in streams]


GENRES = list(Genre)


def mood_samples(generator: TransformerGenerator, count: int, seconds: float) -> list[list[Note]]:
    out = []
    for seed in range(count):
        mood = MOODS[GENRES[seed % len(GENRES)]]
        midi = generator.generate_segments([Segment(mood, 0.0, seconds)], seed)
        melody = next(i for i in midi.instruments if i.program == mood.melody)
        out.append([Note(n.start, n.end, n.pitch, n.velocity) for n in melody.notes])
    return out


def timed(call: Callable[[], object], runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=12)
    parser.add_argument("--events", type=int, default=600, help="events per raw sample")
    parser.add_argument("--seconds", type=float, default=60.0, help="seconds of music per mood sample")
    parser.add_argument("--story-seconds", type=float, default=300.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--weights", type=Path, default=DEFAULT_WEIGHTS)
    args = parser.parse_args()
    torch.set_num_threads(1)
    print("$", shlex.join(["OMP_NUM_THREADS=1", ".venv/bin/python", *sys.argv]))
    trained, record = load_checkpoint(args.weights)
    torch.manual_seed(0)
    untrained = MusicTransformer(trained.config).eval()
    print(f"weights {args.weights}: {record}")
    table = {"corpus (validation)": [metrics(p) for p in corpus_pieces(args.samples)]}
    for name, model in (("trained", trained), ("untrained", untrained)):
        table[f"{name}, raw"] = [metrics(s) for s in raw_samples(model, args.samples, args.events)]
    for name, model in (("trained", trained), ("untrained", untrained)):
        samples = mood_samples(TransformerGenerator(model), args.samples, args.seconds)
        table[f"{name}, mood enforced"] = [metrics(s) for s in samples]
    print_table(table)
    low, _, high = (np.percentile([r["pc entropy"] for r in table["corpus (validation)"]], q) for q in (5, 50, 95))
    print(f"corpus pitch-class entropy 5th-95th percentile: {low:.2f}-{high:.2f} bits")

    generator = TransformerGenerator(trained)
    story = [Segment(MOODS[Genre.comedy], 0.0, args.story_seconds)]  # the quickest mood: the most events
    seconds, midi = timed(lambda: generator.generate_segments(story, seed=1), args.runs)
    print(f"sampling {args.story_seconds:.0f} s of comedy music ({generator.last_events} events): "
          f"median {seconds:.1f} s over {args.runs} runs (one thread)")
    with tempfile.TemporaryDirectory() as folder:
        midi_path = Path(folder) / "story.mid"
        midi.write(str(midi_path))
        settings = get_settings()
        render_seconds, _ = timed(lambda: render_midi(midi_path, Path(folder) / "story.wav",
                                                      settings.soundfont, settings.sample_rate), 1)
    print(f"FluidSynth rendering of it: {render_seconds:.1f} s")


if __name__ == "__main__":
    main()
