"""Wall time of each pipeline stage for one story, with a cold cache; medians over --runs.

    .venv/bin/python bench/render.py [--title T] [--genre G] [--length short|standard|long] [--size WxH] [--runs N]
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
from pipeline.render import Pipeline, parse_size
from pipeline.settings import PipelineSettings
from pipeline.types import STAGES, Length, StoryRequest


def timed_render(request: StoryRequest, size: tuple[int, int]) -> tuple[dict[str, float], float]:
    """Seconds spent in each stage (from its first progress call to the next stage's) and the video's length."""
    with tempfile.TemporaryDirectory() as folder:
        pipeline = Pipeline.from_settings(PipelineSettings(cache_dir=Path(folder) / "cache"))
        marks: list[tuple[str, float]] = []

        def progress(stage: str, fraction: float) -> None:
            if not marks or marks[-1][0] != stage:
                marks.append((stage, time.perf_counter()))

        video = pipeline.render(request, Path(folder) / "story.mp4", size=size, progress=progress)
        marks.append(("end", time.perf_counter()))
        seconds = {stage: 0.0 for stage in STAGES}
        for (stage, start), (_, end) in zip(marks, marks[1:]):
            seconds[stage] += end - start
        return seconds, video.duration


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--title", default="Гарри Поттер")
    parser.add_argument("--genre", default="ужасы")
    parser.add_argument("--lang", default="ru")
    parser.add_argument("--length", default="standard")
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    request = StoryRequest(title=args.title, genre=parse_genre(args.genre), language=args.lang,
                           length=Length(args.length))
    runs = [timed_render(request, parse_size(args.size)) for _ in range(args.runs)]
    print("command:", " ".join(shlex.quote(a) for a in [sys.executable, *sys.argv]))
    print(f"story: {args.title!r} {args.genre} {args.lang} {args.length} {args.size}; runs: {args.runs}; cold cache")
    print(f"video length: {statistics.median(d for _, d in runs):.1f} s")
    for stage in STAGES:
        print(f"{stage:>10}: {statistics.median(r[stage] for r, _ in runs):6.1f} s (median)")
    total = statistics.median(sum(r.values()) for r, _ in runs)
    print(f"{'total':>10}: {total:6.1f} s (median); real-time factor {statistics.median(d for _, d in runs) / total:.2f}")


if __name__ == "__main__":
    main()
