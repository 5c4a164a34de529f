"""How fast a cancelled render stops, with the real pipeline and a cold cache: the render runs in a thread under
pipeline.media.cancellation(event), as the worker runs it; `--after` seconds into each chosen stage the event is
set (what the Cancel button and the job timeout do), and the bench prints the seconds until the render thread has
returned and whether any tool process it started is still alive. Medians over --runs. The models a worker loads
on startup are loaded first (workers.worker._warm_up).

    .venv/bin/python bench/cancel.py [--stages narrate compose assemble] [--after 1.0] [--size 640x360] [--runs 1]
"""
from __future__ import annotations

import argparse
import os
import shlex
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from pipeline.media import Cancelled, cancellation
from pipeline.render import Pipeline, parse_size
from pipeline.settings import PipelineSettings
from pipeline.types import Genre, Length, StoryRequest


def descendants() -> set[int]:
    """Pids of every live (not zombie) process below this one."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z":
                parents[int(entry.name)] = int(fields[1])
    found, frontier = set(), {os.getpid()}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def stop_in(stage: str, after: float, size: tuple[int, int]) -> tuple[float, int, str]:
    """(seconds from the cancel to the render's end, tool processes left alive, how it ended)."""
    request = StoryRequest(title="Пропавший самовар", genre=Genre.detective, language="ru", length=Length.short)
    event = threading.Event()
    with tempfile.TemporaryDirectory() as folder:
        pipeline = Pipeline.from_settings(PipelineSettings(cache_dir=Path(folder) / "cache"))
        entered: dict[str, float] = {}
        outcome: list[str] = []

        def progress(name: str, fraction: float) -> None:
            entered.setdefault(name, time.monotonic())

        def work() -> None:
            try:
                with cancellation(event):
                    pipeline.render(request, Path(folder) / "story.mp4", size=size, progress=progress)
                outcome.append("finished")
            except Cancelled:
                outcome.append("cancelled")
            except Exception as exc:  # noqa: BLE001 - reported
                outcome.append(type(exc).__name__)

        thread = threading.Thread(target=work)
        thread.start()
        while stage not in entered or time.monotonic() - entered[stage] < after:
            if not thread.is_alive():
                return float("nan"), 0, f"ended before {stage}: {outcome}"
            time.sleep(0.02)
        cancelled_at = time.monotonic()
        event.set()
        thread.join()
        stopped = time.monotonic() - cancelled_at
        time.sleep(0.2)
        return stopped, len(descendants()), outcome[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stages", nargs="+", default=["narrate", "compose", "assemble"])
    parser.add_argument("--after", type=float, default=1.0)
    parser.add_argument("--size", default="640x360")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    from workers.worker import _warm_up

    _warm_up()  # as a worker does on startup: the stress model is loaded before the first story
    print("$ " + shlex.join([".venv/bin/python", "bench/cancel.py", *sys.argv[1:]]))
    print(f"{'stage':<10} {'stopped after cancel (s, median)':>34} {'tools left':>11}  ended")
    for stage in args.stages:
        results = [stop_in(stage, args.after, parse_size(args.size)) for _ in range(args.runs)]
        seconds = statistics.median(r[0] for r in results)
        print(f"{stage:<10} {seconds:>34.2f} {max(r[1] for r in results):>11}  {results[-1][2]}")


if __name__ == "__main__":
    main()
