"""Do the pictures show what the story says? On a panel of titles (genres × languages), stories by the grammar writer:

- title: the share of scenes that name one of the title's nouns whose picture draws it (goal ≥ 0.9), and the share
  of titles naming a drawable thing whose title card gets a picture;
- nouns: the mean share of the distinct concrete nouns of each scene's text that its picture draws (goal ≥ 0.5;
  "concrete": WordNet says the word's most common sense is an animal, artifact, food, object, plant, substance or
  phenomenon; people and character names are drawn as figures and not counted);
- the words that found no picture, most frequent first;
- drawing time per scene (shadow_theatre) at 1280×720 and 1920×1080, medians.

    .venv/bin/python bench/picture_match.py [--titles N] [--size 640x360] [--timing-scenes 6]
"""
from __future__ import annotations

import argparse
import shlex
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from pipeline.illustrate import make_illustrator, plan_scene
from pipeline.illustrate.title import title_things
from pipeline.illustrate.plan import _WORD, _noun_lemma, title_nouns
from pipeline.morph import lemmas
from pipeline.settings import get_settings
from pipeline.types import StoryRequest
from pipeline.write import make_writer

PANEL = (
    ("Ночной поезд", "horror", "ru"), ("Волшебная скрипка", "fairy_tale", "ru"), ("Пропавший самовар", "detective", "ru"),
    ("Колобок", "fairy_tale", "ru"), ("Кот и маяк", "fable", "ru"), ("Медведь и мельница", "fable", "ru"),
    ("Красная шапка", "fairy_tale", "ru"), ("Золотой ключ", "fantasy", "ru"), ("Робот и звездолёт", "scifi", "ru"),
    ("Старый замок", "horror", "ru"), ("Лиса и виноград", "fable", "ru"), ("Дракон над деревней", "fantasy", "ru"),
    ("Сундук капитана", "novella", "ru"), ("Зеркало ведьмы", "horror", "ru"), ("Часы на башне", "drama", "ru"),
    ("Корабль в тумане", "tragedy", "ru"), ("Богатырь и конь", "bylina", "ru"), ("Чайник и пирог", "comedy", "ru"),
    ("The Haunted Piano", "horror", "en"), ("The Lost Violin", "fairy_tale", "en"), ("The Night Train", "detective", "en"),
    ("The Cat and the Lighthouse", "fable", "en"), ("The Silver Key", "fantasy", "en"), ("The Robot Gardener", "scifi", "en"),
    ("The Old Mill", "drama", "en"), ("The Dragon's Egg", "fantasy", "en"), ("The Broken Mirror", "tragedy", "en"),
    ("The Bear Who Baked Bread", "comedy", "en"), ("The Captain's Lantern", "novella", "en"), ("The Wolf and the Crane", "fable", "en"),
    ("The Knight and the Horse", "bylina", "en"), ("The Clock Tower Mystery", "detective", "en"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--titles", type=int, default=len(PANEL))
    parser.add_argument("--size", default="640x360", help="the size the matching is measured at (composition is size-free)")
    parser.add_argument("--timing-scenes", type=int, default=6, help="scenes timed at each output size")
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    settings = get_settings()
    writer, illustrator = make_writer("grammar", settings), make_illustrator("shadow_theatre", settings)
    title_scenes = title_hits = 0
    cards = card_hits = 0
    shares: list[float] = []
    all_shares: list[float] = []  # the same over every common noun, abstract ones and people included
    missing: Counter[str] = Counter()
    timed: list[tuple] = []
    with tempfile.TemporaryDirectory() as tmp:
        for title, genre, language in PANEL[: args.titles]:
            story = writer.write(StoryRequest(title=title, genre=genre, language=language, length="short"))
            if title_nouns(story):
                cards += 1
                card_hits += bool(title_things(story))
            for index in range(len(story.scenes)):
                plan = plan_scene(story, index)
                drawn = {e.name for e in illustrator.illustrate(story, index, size, Path(tmp), seed=1).elements}
                if plan.title:
                    title_scenes += 1
                    title_hits += all(e in drawn for e in plan.title)
                if plan.nouns:
                    hit = [n for n, e in plan.nouns.items() if e is not None and e in drawn]
                    shares.append(len(hit) / len(plan.nouns))
                    missing.update(n for n in plan.nouns if n not in hit)
                    common = {n for w in _WORD.findall(story.scenes[index].text) if (n := _noun_lemma(w))}
                    names = {f for a in plan.actors for w in _WORD.findall(a.character.name) for f in lemmas(w)}
                    common -= names
                    if common:
                        all_shares.append(len(common & set(hit)) / len(common))
                timed.append((story, index))
        times = {}
        for out in ((1280, 720), (1920, 1080)):
            runs = []
            for story, index in timed[:: max(1, len(timed) // args.timing_scenes)][: args.timing_scenes]:
                start = time.perf_counter()
                illustrator.illustrate(story, index, out, Path(tmp), seed=2)
                runs.append(time.perf_counter() - start)
            times[out] = statistics.median(runs)
    print(f"$ {shlex.join([Path(sys.executable).name, *sys.argv])}")
    print(f"panel: {min(args.titles, len(PANEL))} titles, {len(timed)} scenes, matched at {size[0]}x{size[1]}")
    print(f"scenes naming a title noun whose picture draws it: {title_hits}/{title_scenes} = {title_hits / max(1, title_scenes):.2f}  (goal >= 0.9)")
    print(f"title cards with a picture of the title's thing: {card_hits}/{cards}")
    print(f"concrete nouns of a scene drawn, mean share: {statistics.mean(shares):.2f} over {len(shares)} scenes  (goal >= 0.5)")
    print(f"every common noun of a scene (abstract ones and people included) drawn, mean share: "
          f"{statistics.mean(all_shares):.2f}")
    print("words that found no picture (most frequent first): " + ", ".join(f"{w} {n}" for w, n in missing.most_common(30)))
    for out, seconds in times.items():
        print(f"drawing time per scene at {out[0]}x{out[1]}: {seconds:.2f} s (median of {args.timing_scenes})")


if __name__ == "__main__":
    main()
