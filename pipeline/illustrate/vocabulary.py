"""The picture vocabulary: a word (Russian or English) → something drawable, and why.

Two sets, installed from npm by `make setup` into .assets/ (or DIGITELLER_ASSETS_DIR):
- flat-coloured emoji art, Fluent Emoji Flat (`@iconify-json/fluent-emoji-flat`, MIT, Microsoft), named in Russian
  and English by the Unicode CLDR annotations (`cldr-annotations-full`, Unicode-3.0): 🚂 паровоз, поезд, локомотив;
- silhouettes, the whole game-icons.net set (`@iconify-json/game-icons`, CC BY 3.0, by Lorc, Delapouite and
  contributors), by their English names (steam-locomotive, violin).

A Russian word is looked up by its CLDR names first; then through the dictionary bridge (pipeline.lexicon:
Mueller's dictionary → English → CLDR English names / game-icons names); then by its hypernyms (wiki-ru-wordnet:
колобок → хлеб; WordNet: samovar → urn). Abstract nouns (WordNet says not a thing) find nothing. Every match
records its route, e.g. "скрипка → violin (CLDR ru name)".

The searchable index (names → pictures, a few thousand entries) is built once into <cache_dir>/vocabulary/.
"""
from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from pipeline import lexicon
from pipeline.morph import is_cyrillic, normalise

INDEX_VERSION = 5
log = logging.getLogger(__name__)
ASSETS = Path(os.environ.get("DIGITELLER_ASSETS_DIR", Path(__file__).resolve().parents[2] / ".assets")) / "node_modules"
EMOJI_SET = ASSETS / "@iconify-json" / "fluent-emoji-flat"
GAME_ICONS = ASSETS / "@iconify-json" / "game-icons" / "icons.json"
CLDR = ASSETS / "cldr-annotations-full" / "annotations"

# words too general to stand for one picture
_GENERIC = frozenset(
    "животное еда напиток предмет вещь объект инструмент природа погода транспорт место человек символ знак "
    "animal food drink object thing tool nature weather transport place person symbol sign face".split()
)
# emoji that never stand for a thing in a story: faces, hands, flags, keycaps, symbols, clock faces
_SKIP_RANGES = ((0x1F1E6, 0x1F1FF), (0x1F600, 0x1F64F), (0x1F910, 0x1F92F), (0x1F970, 0x1F97A), (0x1F440, 0x1F450),
                (0x1F446, 0x1F450), (0x1F90C, 0x1F90F), (0x1F918, 0x1F91F), (0x1F550, 0x1F567), (0x2600, 0x2604),
                (0x1F300, 0x1F310), (0x1F4A0, 0x1F4AF), (0x1F500, 0x1F53D), (0x2190, 0x21FF), (0x2460, 0x24FF),
                (0x1F170, 0x1F251), (0x0023, 0x0039), (0x3030, 0x3299), (0x1F3FB, 0x1F3FF))


# words whose common senses are abstract while the dictionary's first noun is a thing (свет → world, связь → tie)
ABSTRACT = frozenset("свет связь мир голос дух сила воздух".split())
# things whose dictionary nouns lead to a wrong picture (развилка → a pitchfork, купол → a furnace): none is better
_MISREAD = ABSTRACT | {"зал", "купол", "развилка"}


def _agrees(name: str, english: list[str]) -> bool:
    """Whether an emoji a Russian keyword names is what the word's translations say (яблоко → green apple), not
    only something the keyword is associated with (воздух → airplane)."""
    if not english:
        return True
    label = set(_index().labels.get(name, name).replace("-", " ").split())
    return any(set(e.split()) & label for e in english)


# the few things no set draws and WordNet's hypernyms miss, with the nearest picture there is
_NEAREST = {"samovar": "teapot"}


@dataclass(frozen=True)
class Drawable:
    kind: str  # "emoji" (flat colour, Fluent Emoji Flat) or "icon" (a game-icons silhouette)
    name: str  # the icon's name in its set
    label: str  # what it is, in English ("locomotive")
    place: str  # landmark, vehicle, figure, prop, sky, tree
    size: float  # height in scenery units (a person is about 0.3)


@dataclass(frozen=True)
class Match:
    word: str  # the word looked up (a normal form)
    drawable: Drawable
    via: str  # the route: "CLDR ru name", "dictionary поезд → train, CLDR en name", "ru hypernym хлеб, CLDR ru name"

    @property
    def reason(self) -> str:
        return f"{self.word} → {self.drawable.label} ({self.via})"


@dataclass
class _Index:
    ru_name: dict[str, str]  # CLDR ru short name → emoji icon name
    ru_key: dict[str, str]  # CLDR ru keyword → the most specific emoji icon name
    en_name: dict[str, str]
    en_key: dict[str, str]
    labels: dict[str, str]  # emoji icon name → its English CLDR name
    icons: dict[str, str]  # game-icons: a word or phrase → icon name ("locomotive" → steam-locomotive)


def _codepoints(emoji: str) -> str:
    return "-".join(f"{ord(c):x}" for c in emoji if ord(c) not in (0xFE0F, 0xFE0E))


def _skipped(emoji: str) -> bool:
    first = ord(emoji[0])
    return any(lo <= first <= hi for lo, hi in _SKIP_RANGES) or "\u200d" in emoji and "🏻" <= emoji[-1] <= "🏿"


def _sources() -> list[Path]:
    return [EMOJI_SET / "icons.json", EMOJI_SET / "chars.json", GAME_ICONS, CLDR / "ru" / "annotations.json",
            CLDR / "en" / "annotations.json"]


def _build() -> _Index:
    index = _Index({}, {}, {}, {}, {}, {})
    if missing := [str(p) for p in _sources() if not p.exists()]:
        log.warning("picture sets missing (`make setup` installs them from npm into .assets/, or set "
                    "DIGITELLER_ASSETS_DIR): %s; only the hand-drawn elements will be drawn", ", ".join(missing))
    if all(p.exists() for p in _sources()):
        chars = json.loads((EMOJI_SET / "chars.json").read_text())
        icons = json.loads((EMOJI_SET / "icons.json").read_text())["icons"]
        chars = {k.replace("-fe0f", ""): v for k, v in chars.items() if v in icons}
        for lang, names, keys in (("en", index.en_name, index.en_key), ("ru", index.ru_name, index.ru_key)):
            data = json.loads((CLDR / lang / "annotations.json").read_text())["annotations"]["annotations"]
            spread: dict[str, list[tuple[int, str]]] = {}
            for emoji, entry in data.items():
                name = chars.get(_codepoints(emoji))
                if not name or _skipped(emoji) or "funeral" in name or "symbol" in name:
                    continue
                tts = normalise(entry.get("tts", [""])[0])
                if lang == "en":
                    index.labels[name] = tts
                names.setdefault(tts, name)
                for keyword in entry.get("default", []):
                    spread.setdefault(normalise(keyword), []).append((len(entry.get("default", [])), name))
            for keyword, candidates in spread.items():
                if keyword not in _GENERIC:
                    keys[keyword] = min(candidates)[1]  # the emoji with the fewest keywords is the most specific
    if GAME_ICONS.exists():
        names = sorted(json.loads(GAME_ICONS.read_text())["icons"], key=len)
        for name in names:
            if re.search(r"\d", name):
                continue
            words = name.split("-")
            index.icons.setdefault(" ".join(words), name)
            index.icons.setdefault(words[-1], name)  # the head noun: steam-locomotive is a locomotive
    return index


@cache
def _index() -> _Index:
    return lexicon.built_once("vocabulary", INDEX_VERSION, _sources(), _build, keep=lambda i: bool(i.labels or i.icons))


def available() -> bool:
    """Whether the npm asset sets are installed (without them only the hand-drawn elements are drawn)."""
    index = _index()
    return bool(index.labels or index.icons)


# where a thing goes and how tall it is, by what WordNet says it is (the first hypernym found wins)
_KINDS: tuple[tuple[tuple[str, ...], str, float], ...] = (
    (("celestial body", "heavenly body", "atmospheric phenomenon", "cloud"), "sky", 0.12),
    (("lighthouse", "skyscraper", "tower", "church", "castle", "windmill"), "landmark", 0.5),
    (("building", "edifice", "structure", "housing", "dwelling"), "landmark", 0.42),
    (("train", "locomotive", "ship", "boat", "aircraft", "airplane", "bus", "truck", "car"), "vehicle", 0.26),
    (("vehicle", "craft", "conveyance"), "vehicle", 0.2),
    (("tree",), "tree", 0.45),
    (("elephant", "horse", "bear", "cow", "camel", "deer", "giraffe", "dinosaur", "whale", "bovine", "equine"), "figure", 0.24),
    (("dog", "wolf", "fox", "cat", "feline", "canine", "pig", "sheep", "goat", "ungulate", "carnivore"), "figure", 0.13),
    (("bird",), "figure", 0.09),
    (("insect", "arthropod", "rodent", "frog", "amphibian", "fish"), "figure", 0.06),
    (("animal", "organism"), "figure", 0.1),
    (("automaton", "robot"), "figure", 0.22),
    (("person", "people", "mythical being", "imaginary being", "spiritual being", "monster"), "figure", 0.26),
    (("furniture", "piano", "keyboard instrument", "bed", "seat", "table", "cabinet"), "prop", 0.14),
    (("musical instrument", "weapon", "flower", "plant"), "prop", 0.1),
)
_DEFAULT_PLACE = ("prop", 0.07)  # food, vessels, tools, jewels: things in hand or at one's feet


@lru_cache(maxsize=4096)
def _placing(label: str) -> tuple[str, float]:
    words = label.split()
    chain = {label, words[-1] if words else label, *lexicon.hypernyms(label, 8),
             *(lexicon.hypernyms(words[-1], 8) if words else ())}
    for names, place, size in _KINDS:
        if chain & set(names):
            return place, size
    return _DEFAULT_PLACE


def _emoji(name: str) -> Drawable:
    label = _index().labels.get(name, name.replace("-", " "))
    return Drawable("emoji", name, label, *_placing(label))


def _icon(name: str, label: str) -> Drawable:
    return Drawable("icon", name, label, *_placing(label))


def _by_name(word: str, lang: str, strong: bool = False) -> tuple[Drawable, str] | None:
    """A word the sets name: a CLDR name or a game-icons name (strong); else also a CLDR keyword or an icon's
    head noun (steam-locomotive for "locomotive")."""
    index = _index()
    names, keys = (index.ru_name, index.ru_key) if lang == "ru" else (index.en_name, index.en_key)
    if word in names:
        return _emoji(names[word]), f"CLDR {lang} name"
    if lang == "en" and index.icons.get(word) == word.replace(" ", "-"):
        return _icon(index.icons[word], word), "game-icons name"
    if lang == "en" and word in _NEAREST:
        return _by_name(_NEAREST[word], "en")[0], f"nearest picture: {_NEAREST[word]}"
    if strong:
        return None
    if lang == "en" and word in index.icons:
        return _icon(index.icons[word], word), "game-icons name"
    if word in keys and (lang == "ru" or _agrees(keys[word], [word])):  # "pot" → pot of food, not air → window
        return _emoji(keys[word]), f"CLDR {lang} keyword"
    return None


@lru_cache(maxsize=20_000)
def find(word: str) -> Match | None:
    """The picture for a word (a Russian normal form or an English singular), or None when nothing fits.

    Strongest route first: a CLDR name in the word's language; an English translation's CLDR name or game-icons
    name; a keyword; then the hypernyms (Russian, then English)."""
    word = normalise(word.strip())
    if len(word) < 2 or not available():
        return None
    index = _index()
    if word in (index.ru_name if is_cyrillic(word) else index.en_name):  # an emoji's own name (дракон, dragon)
        return Match(word, _emoji((index.ru_name if is_cyrillic(word) else index.en_name)[word]),
                     f"CLDR {'ru' if is_cyrillic(word) else 'en'} name")
    if not is_cyrillic(word):
        return _find_english(word, word, "")
    english = [e for e in lexicon.english_words(word)[:4]]
    if word in _MISREAD:
        return None
    if english and not any(drawable_word(e) for e in english[:2]):
        return None  # an abstract noun (добро, край), a place, a body part: nothing to draw on its own
    concrete = [e for e in english[:2] if drawable_word(e)] + [e for e in english[2:] if drawable_word(e)]
    first = concrete[:1]  # the most common translation's names come before a Russian keyword; the others after
    for e in first:
        hit = _by_name(e, "en", strong=True)
        if hit:
            return Match(word, hit[0], f"dictionary {word} → {e}, {hit[1]}")
    if word in index.ru_key and _agrees(index.ru_key[word], english):
        return Match(word, _emoji(index.ru_key[word]), "CLDR ru keyword")
    for strong in (True, False):
        for e in concrete:
            hit = _by_name(e, "en", strong=strong)
            if hit:
                return Match(word, hit[0], f"dictionary {word} → {e}, {hit[1]}")
    for e in concrete:
        match = _find_english(e, word, f"dictionary {word} → {e}, ", climb_only=True)
        if match:
            return match
    for up in lexicon.russian_hypernyms(word, 2):
        if up in index.ru_name:
            return Match(word, _emoji(index.ru_name[up]), f"ru hypernym {up}, CLDR ru name")
    return None


# WordNet categories of things that stand on a stage on their own (not places, body parts, people or shapes)
DRAWABLE_CATEGORIES = frozenset(
    {"noun.animal", "noun.artifact", "noun.food", "noun.object", "noun.plant", "noun.substance"}
)
# parts of something bigger, drawn with it rather than alone (a window is the house's)
_PARTS = frozenset({"opening", "framework", "movable barrier", "structural member", "surface", "edge", "body part", "support"})


@lru_cache(maxsize=20_000)
def drawable_word(english: str) -> bool:
    """Whether an English noun's most common sense is a thing that can stand on the stage by itself."""
    if lexicon.noun_category(english) not in DRAWABLE_CATEGORIES:
        return False
    return not (set(lexicon.hypernyms(english, 3)) & _PARTS)


def _find_english(english: str, word: str, route: str, climb_only: bool = False) -> Match | None:
    if not drawable_word(english) and lexicon.noun_category(english) is not None:
        return None
    hit = None if climb_only else _by_name(english, "en")
    if hit:
        return Match(word, hit[0], f"{route}{hit[1]}")
    ups = [up for up in lexicon.hypernyms(english, 3)]
    ups = ups[: next((i for i, up in enumerate(ups) if up in _GENERIC), len(ups))]
    for strong in (True, False):
        for up in ups:
            hit = _by_name(up, "en", strong=strong)
            if hit:
                return Match(word, hit[0], f"{route}WordNet hypernym {up}, {hit[1]}")
    return None


@lru_cache(maxsize=256)
def svg(drawable: Drawable) -> str:
    """The drawable as a standalone SVG document."""
    path = EMOJI_SET / "icons.json" if drawable.kind == "emoji" else GAME_ICONS
    data = _icon_set(path)
    body = data["icons"][drawable.name]["body"]
    w, h = data.get("width", 16), data.get("height", 16)
    return f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" color="#000">{body}</svg>'


@cache
def _icon_set(path: Path) -> dict:
    data = json.loads(path.read_text())
    for alias, entry in data.get("aliases", {}).items():  # aliases (mirrored variants) resolve to their parent
        parent = data["icons"].get(entry.get("parent"))
        if parent and alias not in data["icons"]:
            data["icons"][alias] = parent
    return data
