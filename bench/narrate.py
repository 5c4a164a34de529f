"""The narrate stage's speed and, for English, how much of it an ASR understands, on the offline backend
("festival": festival + espeak-ng for Russian, the Piper voice en_US-joe-medium for English).

Per voice: lines, seconds of speech, real-time factor (seconds of speech per second of work, the voice's
lines read one batch after another on one thread, cold line cache) and, for English, the word error
rate of pocketsphinx (en-us model) against the text, both normalised (case, punctuation, numbers spelled
out), pooled over the voice's lines. Then the whole stage's real-time factor (its thread pool, cold
cache; median over the panel) and the narration's pooled WER. The panel is stories the grammar writer
writes: --stories titles of the panel below, or one --title.

    .venv/bin/python bench/narrate.py --lang en --stories 5 --length short
    .venv/bin/python bench/narrate.py --lang ru --title "Гарри Поттер" --genre ужасы --length long --runs 3
"""
from __future__ import annotations

import argparse
import shlex
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.genres import parse_genre
from pipeline.narrate import make_narrator
from pipeline.narrate.reader import LineCache, VoiceNarrator, line_jobs, read_batch
from pipeline.narrate.stress import accent
from pipeline.settings import PipelineSettings
from pipeline.types import Genre, Length, Story, StoryRequest
from pipeline.write import make_writer

PANEL: dict[str, tuple[tuple[str, Genre], ...]] = {
    "en": (("The Lost Crown", Genre.fairy_tale), ("Night Train", Genre.horror), ("The Clockwork Fox", Genre.fable),
           ("Stars Over Mars", Genre.scifi), ("The Silent Witness", Genre.detective),
           ("A Wedding in Town", Genre.comedy)),
    "ru": (("Гарри Поттер", Genre.horror), ("Золотое перо", Genre.fairy_tale), ("Хитрая лиса", Genre.fable),
           ("Свадьба в деревне", Genre.comedy), ("Тайна старого дома", Genre.detective)),
}  # fmt: skip


@dataclass
class VoiceFigures:
    lines: int = 0
    speech: float = 0.0
    work: float = 0.0
    errors: int = 0
    words: int = 0
    speakers: set[str] = field(default_factory=set)


def per_voice(story: Story, narrator: VoiceNarrator, seed: int, work: Path, figures: dict[str, VoiceFigures],
              listen: bool) -> None:  # fmt: skip
    """Each voice's lines read on one thread (cold cache), timed, and, when `listen`, transcribed."""
    jobs = line_jobs(story, narrator.cast(story, seed))
    by_voice: dict[str, list] = defaultdict(list)
    for job in jobs:
        by_voice[job.voice.name].append(job)
    no_cache = LineCache(None, "bench")
    for name, group in by_voice.items():
        started = time.perf_counter()
        audio = {}
        for start in range(0, len(group), group[0].voice.batch_size):
            audio.update(read_batch(group[start : start + group[0].voice.batch_size], work, narrator.sample_rate, no_cache))
        spent = time.perf_counter() - started
        entry = figures[name]
        entry.lines += len(group)
        entry.work += spent
        entry.speech += sum(a.size for a in audio.values()) / narrator.sample_rate
        entry.speakers.update(job.speaker for job in group)
        if listen:
            from pipeline.narrate.asr import transcribe, word_errors

            for job in group:
                errors, words = word_errors(job.text, transcribe(audio[job.index], narrator.sample_rate))
                entry.errors += errors
                entry.words += words


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lang", default="ru", choices=("ru", "en"))
    parser.add_argument("--stories", type=int, default=0, help="stories of the language's panel (0: --title only)")
    parser.add_argument("--title", default="Гарри Поттер")
    parser.add_argument("--genre", default="ужасы")
    parser.add_argument("--length", default="long")
    parser.add_argument("--runs", type=int, default=1, help="seeds per story")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sample-rate", type=int, default=44100)
    parser.add_argument("--no-asr", action="store_true", help="English: skip the pocketsphinx word error rate")
    args = parser.parse_args()
    started = time.perf_counter()
    accent("Загрузка модели ударений.", "ru")
    stress_load = time.perf_counter() - started
    panel = PANEL[args.lang][: args.stories] if args.stories else ((args.title, parse_genre(args.genre)),)
    listen = args.lang == "en" and not args.no_asr
    figures: dict[str, VoiceFigures] = defaultdict(VoiceFigures)
    stage_rtf, stage_speech, stage_work = [], [], []
    with tempfile.TemporaryDirectory() as folder:
        settings = PipelineSettings(cache_dir=Path(folder) / "cache", narrate_line_cache=False,
                                    narrate_workers=args.workers, sample_rate=args.sample_rate)  # fmt: skip
        writer = make_writer("grammar", settings)
        narrator = make_narrator("festival", settings)
        assert isinstance(narrator, VoiceNarrator)
        for index, (title, genre) in enumerate(panel):
            for seed in range(args.runs):
                request = StoryRequest(title=title, genre=genre, language=args.lang, length=Length(args.length),
                                       seed=seed)  # fmt: skip
                story = writer.write(request)
                work = Path(folder) / f"s{index}.{seed}"
                work.mkdir()
                start = time.perf_counter()
                narration = narrator.narrate(story, work / "stage", seed=seed)
                spent = time.perf_counter() - start
                stage_rtf.append(narration.duration / spent)
                stage_speech.append(narration.duration)
                stage_work.append(spent)
                per_voice(story, narrator, seed, work, figures, listen)
    print("command:", " ".join(shlex.quote(a) for a in [sys.executable, *sys.argv]))
    print(f"panel ({args.lang}, {args.length}, seeds {args.runs}): " + "; ".join(f"{t!r} {g.value}" for t, g in panel))
    print(f"stress model load (once per process): {stress_load:.1f} s")
    header = f"{'voice':44} {'speakers':22} {'lines':>5} {'speech s':>8} {'RTF':>5}" + ("  WER" if listen else "")
    print(header)
    for name, entry in sorted(figures.items(), key=lambda item: -item[1].speech):
        speakers = ",".join(sorted(entry.speakers))[:22]
        row = f"{name:44} {speakers:22} {entry.lines:5d} {entry.speech:8.1f} {entry.speech / entry.work:5.1f}"
        print(row + (f"  {entry.errors / max(1, entry.words):.2f}" if listen else ""))
    print(f"whole stage ({args.workers} workers, cold line cache): speech {statistics.median(stage_speech):.1f} s, "
          f"work {statistics.median(stage_work):.1f} s, real-time factor {statistics.median(stage_rtf):.1f} "
          f"(medians over {len(stage_rtf)} narrations)")  # fmt: skip
    if listen:
        errors, words = sum(f.errors for f in figures.values()), sum(f.words for f in figures.values())
        narrator_voices = [f for f in figures.values() if "narrator" in f.speakers]
        n_errors, n_words = sum(f.errors for f in narrator_voices), sum(f.words for f in narrator_voices)
        print(f"pocketsphinx WER, whole narration: {errors / max(1, words):.3f} ({errors}/{words} words); "
              f"narrator's voices: {n_errors / max(1, n_words):.3f}; characters': "
              f"{(errors - n_errors) / max(1, words - n_words):.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
