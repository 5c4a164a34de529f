"""The story writer's quality panel: fixed titles × every genre × both languages × every length.

Prints, per language and length, how the stories fare on what a reader checks (pipeline/write/quality.py)
and how long writing one takes, then every story that fails, and the command that produced the figures.
The subject panel (32 titles of both languages, one genre each, every length) prints how much the stories are
about their titles: the share of scenes that name the title's subject (mean and minimum over titles), the
share of sentences a story shares with the stories of other titles (templating), hunspell's unknown words and
the words per length; and the first lines of three stories.

    .venv/bin/python bench/writer.py [--seeds 3] [--writer grammar] [--panel quality|subjects|all]
    .venv/bin/python bench/writer.py --panel subjects --dump stories.jsonl   # or --load: figures of saved stories
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

import json  # noqa: E402
import re  # noqa: E402

from pipeline.settings import get_settings  # noqa: E402
from pipeline.types import Genre, Length, Story, StoryRequest  # noqa: E402
from pipeline.write import WRITERS, make_writer  # noqa: E402
from pipeline.write.quality import check_story, panel_requests, title_presence  # noqa: E402

G = Genre
# Titles no issue's tests name, one genre each: things, vehicles, places, creatures, events, ideas and people.
SUBJECT_TITLES: tuple[tuple[str, str, Genre], ...] = (
    ("Ночной поезд", "ru", G.horror), ("Последний маяк", "ru", G.drama), ("Волшебная скрипка", "ru", G.fairy_tale),
    ("Пропавший самовар", "ru", G.detective), ("Дракон из подвала", "ru", G.horror), ("Колобок", "ru", G.fairy_tale),
    ("Лунный кот", "ru", G.fantasy), ("Баба Яга", "ru", G.comedy), ("Последний бал", "ru", G.tragedy),
    ("Илья Муромец", "ru", G.bylina), ("Ворона и лисица", "ru", G.fable), ("Заколдованный замок", "ru", G.fantasy),
    ("Звёздный корабль", "ru", G.scifi), ("Старая мельница", "ru", G.novella), ("Надежда", "ru", G.drama),
    ("Украденный портрет", "ru", G.detective),
    ("The Haunted Piano", "en", G.horror), ("The Night Train", "en", G.horror), ("The Clockwork Bird", "en", G.fantasy),
    ("The Last Lighthouse", "en", G.drama), ("The Missing Necklace", "en", G.detective),
    ("The Magic Violin", "en", G.fairy_tale), ("Love", "en", G.tragedy), ("The Dragon in the Cellar", "en", G.horror),
    ("Captain Nemo", "en", G.scifi), ("The Old Mill", "en", G.novella), ("The Fox and the Crow", "en", G.fable),
    ("The Wedding", "en", G.comedy), ("Ilya Muromets", "en", G.bylina), ("The Silver Rocket", "en", G.scifi),
    ("The Enchanted Castle", "en", G.fantasy), ("Moon Cat", "en", G.fairy_tale),
)
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def sentences(story: Story) -> list[str]:
    return [s.strip().lower() for line in story.lines for s in _SENTENCE_END.split(line.text) if s.strip()]


def subject_panel(stories: list[Story]) -> None:
    """Title presence, templating, spelling and words per length of the subject panel's stories."""
    print(f"{'lang':4} {'titles':>6} {'stories':>7} {'presence mean':>13} {'min title':>9} {'min story':>9} "
          f"{'shared sentences':>16} {'misspelled':>10} {'words short/standard/long (median)':>36}")
    for language in ("ru", "en"):
        ours = [s for s in stories if s.request.language == language]
        if not ours:
            continue
        by_title: dict[str, list[float]] = defaultdict(list)
        for story in ours:
            by_title[story.request.title].append(title_presence(story))
        owners: dict[str, set[str]] = defaultdict(set)
        for story in ours:
            for sentence in set(sentences(story)):
                owners[sentence].add(story.request.title)
        shared = [sum(len(owners[x]) > 1 for x in sentences(s)) / max(len(sentences(s)), 1) for s in ours]
        reports = [check_story(s) for s in ours]
        misspelled = sum(len(r.misspelled) for r in reports) / max(sum(r.checked_words for r in reports), 1)
        words = "/".join(f"{statistics.median(r.words for r, s in zip(reports, ours) if s.request.length == n):.0f}"
                         for n in Length if any(s.request.length == n for s in ours))
        means = [statistics.mean(v) for v in by_title.values()]
        print(f"{language:4} {len(by_title):6d} {len(ours):7d} {statistics.mean(means):13.1%} {min(means):9.1%} "
              f"{min(min(v) for v in by_title.values()):9.1%} {statistics.mean(shared):16.1%} {misspelled:10.2%} "
              f"{words:>36}")
    worst = sorted({t: statistics.mean(title_presence(s) for s in stories if s.request.title == t)
                    for t in {s.request.title for s in stories}}.items(), key=lambda kv: kv[1])[:5]
    print("least present: " + ", ".join(f"{t!r} {p:.0%}" for t, p in worst))
    shown = [s for s in stories if s.request.length == Length.standard][::11][:3]
    for story in shown:
        print(f"\n{story.request.title!r} ({story.request.genre.value}, {story.request.language}, "
              f"{story.request.length.value}):")
        for line in story.lines[:4]:
            print(f"  {line.text}")


def subject_requests(seeds: int) -> list[StoryRequest]:
    return [StoryRequest(title=title, genre=genre, language=language, length=length, seed=seed)
            for title, language, genre in SUBJECT_TITLES for length in Length for seed in range(seeds)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=1, help="seeds per request (0, 1, ...)")
    parser.add_argument("--writer", default=get_settings().writer, choices=list(WRITERS),
                        help="the write backend (default: DIGITELLER_WRITER; DIGITELLER_LM_* settings apply)")
    parser.add_argument("--panel", choices=("quality", "subjects", "all"), default="all")
    parser.add_argument("--dump", type=Path, help="write the subject panel's stories here (JSON lines)")
    parser.add_argument("--load", type=Path, help="figures of saved stories (JSON lines) instead of writing them")
    args = parser.parse_args()
    if args.load:
        subject_panel([Story.model_validate_json(line) for line in args.load.read_text().splitlines() if line])
        print("\ncommand: " + shlex.join([Path(sys.executable).name, *sys.argv]))
        return
    writer = make_writer(args.writer, get_settings())
    if args.panel in ("subjects", "all"):
        stories = [writer.write(request) for request in subject_requests(args.seeds)]
        if args.dump:
            args.dump.write_text("".join(story.model_dump_json() + "\n" for story in stories))
        subject_panel(stories)
        print()
    if args.panel == "subjects":
        print("\ncommand: " + shlex.join([Path(sys.executable).name, *sys.argv]))
        return
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
