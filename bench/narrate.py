"""Real-time factor of the narrate stage (seconds of speech per second of work) on the offline backends,
cold line cache; medians over --runs. The stress model's one-off load is timed apart (a worker loads it
once at start-up).

    .venv/bin/python bench/narrate.py [--title T] [--genre G] [--lang ru|en] [--length long] [--runs N] [--workers N]
"""
from __future__ import annotations

import argparse
import shlex
import statistics
import sys
import tempfile
import time
from pathlib import Path

from pipeline.genres import parse_genre
from pipeline.narrate import make_narrator
from pipeline.narrate.stress import accent
from pipeline.settings import PipelineSettings
from pipeline.types import Length, StoryRequest
from pipeline.write import make_writer


def timed_narration(request: StoryRequest, workers: int, sample_rate: int) -> tuple[float, float, int]:
    """(seconds of work, seconds of speech, lines) for one narration with an empty line cache."""
    with tempfile.TemporaryDirectory() as folder:
        settings = PipelineSettings(cache_dir=Path(folder) / "cache", narrate_workers=workers, sample_rate=sample_rate)
        story = make_writer("grammar", settings).write(request)
        narrator = make_narrator("festival", settings)
        start = time.perf_counter()
        narration = narrator.narrate(story, Path(folder) / "out", seed=request.seed)
        return time.perf_counter() - start, narration.duration, len(narration.clips)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--title", default="Гарри Поттер")
    parser.add_argument("--genre", default="ужасы")
    parser.add_argument("--lang", default="ru")
    parser.add_argument("--length", default="long")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sample-rate", type=int, default=44100)
    args = parser.parse_args()
    started = time.perf_counter()
    accent("Загрузка модели ударений.", "ru")
    stress_load = time.perf_counter() - started
    runs = []
    for seed in range(args.runs):  # a new story each run, so no line repeats between runs
        request = StoryRequest(title=args.title, genre=parse_genre(args.genre), language=args.lang,
                               length=Length(args.length), seed=seed)  # fmt: skip
        runs.append(timed_narration(request, args.workers, args.sample_rate))
    work, speech = statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)
    print("command:", " ".join(shlex.quote(a) for a in [sys.executable, *sys.argv]))
    print(f"story: {args.title!r} {args.genre} {args.lang} {args.length}; runs: {args.runs}; "
          f"workers: {args.workers}; cold line cache")  # fmt: skip
    print(f"stress model load (once per process): {stress_load:.1f} s")
    print(f"lines: {statistics.median(r[2] for r in runs):.0f}; speech: {speech:.1f} s; work: {work:.1f} s (medians)")
    print(f"real-time factor: {statistics.median(r[1] / r[0] for r in runs):.1f} (median)")


if __name__ == "__main__":
    main()
