"""Wall time of each pipeline stage for one story, with a cold cache; medians over --runs; the video's size
in MB, the load average, and the peak memory (max RSS) of this process (the stages run in it).

    .venv/bin/python bench/render.py [--title T] [--genre G] [--length short|standard|long] [--size WxH] [--runs N]
"""
from __future__ import annotations

import argparse
import os
import resource
import shlex
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench.memory

from bench.memory import children_peak_mb  # noqa: E402
from pipeline.genres import parse_genre
from pipeline.render import Pipeline, parse_size
from pipeline.settings import PipelineSettings
from pipeline.types import STAGES, Length, StoryRequest


TOOLS_PEAK_MB = [0.0]  # the largest peak RSS of a tool the render started (ffmpeg's x264 above all)


def timed_render(request: StoryRequest, size: tuple[int, int]) -> tuple[dict[str, float], float, float]:
    """Seconds spent in each stage (from its first progress call to the next stage's), the video's length and
    its file size in MB."""
    with tempfile.TemporaryDirectory() as folder:
        pipeline = Pipeline.from_settings(PipelineSettings(cache_dir=Path(folder) / "cache"))
        marks: list[tuple[str, float]] = []

        def progress(stage: str, fraction: float) -> None:
            if not marks or marks[-1][0] != stage:
                marks.append((stage, time.perf_counter()))

        with children_peak_mb(TOOLS_PEAK_MB):
            video = pipeline.render(request, Path(folder) / "story.mp4", size=size, progress=progress)
        marks.append(("end", time.perf_counter()))
        seconds = {stage: 0.0 for stage in STAGES}
        for (stage, start), (_, end) in zip(marks, marks[1:]):
            seconds[stage] += end - start
        return seconds, video.duration, sum(p.stat().st_size for p in (video.parts or (video.path,))) / 1e6


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
    loads = []
    runs = []
    for _ in range(args.runs):
        loads.append(os.getloadavg()[0])
        runs.append(timed_render(request, parse_size(args.size)))
    print("command:", " ".join(shlex.quote(a) for a in [sys.executable, *sys.argv]))
    print(f"story: {args.title!r} {args.genre} {args.lang} {args.length} {args.size}; runs: {args.runs}; cold cache")
    print(f"load average at the runs' starts: {[round(x, 1) for x in loads]} on {os.cpu_count()} cores")
    length = statistics.median(d for _, d, _ in runs)
    print(f"video length: {length:.1f} s; file {statistics.median(mb for _, _, mb in runs):.1f} MB")
    for stage in STAGES:
        print(f"{stage:>10}: {statistics.median(r[stage] for r, _, _ in runs):6.1f} s (median)")
    total = statistics.median(sum(r.values()) for r, _, _ in runs)
    print(f"{'total':>10}: {total:6.1f} s (median); real-time factor {length / total:.2f}")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS): this process (the stages run in it) {own:.0f} MB; the largest tool it started "
          f"(the ffmpeg encoder) {TOOLS_PEAK_MB[0]:.0f} MB")


if __name__ == "__main__":
    main()
