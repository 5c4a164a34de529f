"""The story writer's quality panel: fixed titles × every genre × both languages × every length.

Prints, per language and length, how the stories fare on what a reader checks (pipeline/write/quality.py)
and how long writing one takes, then every story that fails, and the command that produced the figures.

    .venv/bin/python bench/writer.py [--seeds 3] [--writer grammar]
"""
from __future__ import annotations

import argparse
import shlex
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.settings import get_settings  # noqa: E402
from pipeline.write import WRITERS, make_writer  # noqa: E402
from pipeline.write.quality import check_story, panel_requests  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=1, help="seeds per request (0, 1, ...)")
    parser.add_argument("--writer", default=get_settings().writer, choices=list(WRITERS),
                        help="the write backend (default: DIGITELLER_WRITER; DIGITELLER_LM_* settings apply)")
    args = parser.parse_args()
    writer = make_writer(args.writer, get_settings())
    groups: dict[tuple[str, str], list] = defaultdict(list)
    failures = []
    for request in panel_requests(seeds=tuple(range(args.seeds))):
        started = time.perf_counter()
        story = writer.write(request)
        seconds = time.perf_counter() - started
        report = check_story(story)
        groups[(request.language, request.length.value)].append((report, seconds))
        problems = report.problems(request.language)
        if problems:
            failures.append(f"{request.language} {request.title!r} {request.genre.value} {request.length.value} "
                            f"seed {request.seed}: {'; '.join(problems)}")
    print(f"{'lang':4} {'length':8} {'stories':>7} {'words med':>9} {'min':>5} {'scenes min':>10} "
          f"{'undrawable':>10} {'unvoiced':>8} {'hero forms min':>14} {'misspelled':>10} {'max':>6} {'ms/story':>8}")
    for (language, length), rows in groups.items():
        reports = [r for r, _ in rows]
        words = [r.words for r in reports]
        misspelled = sum(len(r.misspelled) for r in reports) / max(sum(r.checked_words for r in reports), 1)
        hero = min(r.hero_case_forms for r in reports) if language == "ru" else "-"
        print(f"{language:4} {length:8} {len(rows):7d} {statistics.median(words):9.0f} {min(words):5d} "
              f"{min(r.scenes for r in reports):10d} {sum(r.undrawable_scenes for r in reports):10d} "
              f"{sum(r.unvoiced_lines for r in reports):8d} {hero!s:>14} {misspelled:10.2%} "
              f"{max(r.misspelled_share for r in reports):6.2%} {1000 * statistics.median(s for _, s in rows):8.1f}")
    print(f"\nstories failing the panel: {len(failures)}")
    for failure in failures:
        print("  " + failure)
    print("\ncommand: " + shlex.join([Path(sys.executable).name, *sys.argv]))


if __name__ == "__main__":
    main()
