"""The word bridge: Russian words → English words → WordNet categories and hypernyms, offline.

Sources, installed by `make setup` (Debian packages):
- `mueller7-dict`: V. K. Mueller's English–Russian dictionary (dict format, /usr/share/dictd/mueller7.*), read in
  reverse: every Russian translation of an English noun points back to the English headword;
- `wordnet-base`: Princeton WordNet 3.0 (/usr/share/wordnet): each English noun's lexicographer file (noun.animal,
  noun.artifact, …) and its hypernyms;
- PyPI `wiki-ru-wordnet` (MIT): Russian hypernyms from Wiktionary (паровоз → локомотив, колобок → выпечка).

The parsed index is built once into <cache_dir>/lexicon/ (a pickle, rebuilt when a source file changes) and
loaded on first use. Every function is pure and answers () / None for an unknown word: callers must cope.
"""
from __future__ import annotations

import gzip
import logging
import os
import pickle
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Callable, TypeVar

from pipeline.morph import normalise

T = TypeVar("T")
log = logging.getLogger(__name__)

__all__ = ["english_words", "noun_category", "hypernyms", "russian_hypernyms", "CONCRETE_CATEGORIES", "is_concrete",
           "built_once"]

INDEX_VERSION = 2
WORDNET_DIR = Path(os.environ.get("DIGITELLER_WORDNET_DIR", "/usr/share/wordnet"))
MUELLER = Path(os.environ.get("DIGITELLER_MUELLER_DICT", "/usr/share/dictd/mueller7"))

# WordNet 3.0 lexicographer files, by number (lexnames)
_LEXNAMES = (
    "adj.all adj.pert adv.all noun.Tops noun.act noun.animal noun.artifact noun.attribute noun.body noun.cognition "
    "noun.communication noun.event noun.feeling noun.food noun.group noun.location noun.motive noun.object noun.person "
    "noun.phenomenon noun.plant noun.possession noun.process noun.quantity noun.relation noun.shape noun.state "
    "noun.substance noun.time"
).split()

# what can be drawn as a thing: the rest (acts, feelings, time, attributes…) are abstract
CONCRETE_CATEGORIES = frozenset(
    {"noun.animal", "noun.artifact", "noun.body", "noun.food", "noun.object", "noun.person", "noun.phenomenon",
     "noun.plant", "noun.substance", "noun.location", "noun.shape"}
)


@dataclass
class _Index:
    senses: dict[str, tuple[int, ...]]  # English noun → synset offsets, most common sense first
    tags: dict[str, int]  # English noun → how often its senses were seen in WordNet's tagged corpus
    synsets: dict[int, tuple[str, tuple[str, ...], tuple[int, ...]]]  # offset → (lexfile, words, hypernym offsets)
    ru_en: dict[str, tuple[str, ...]]  # Russian word → English nouns, most common first


def _norm(word: str) -> str:
    return normalise(word.strip())


def _read_wordnet() -> tuple[dict, dict, dict]:
    senses: dict[str, tuple[int, ...]] = {}
    tags: dict[str, int] = {}
    for line in (WORDNET_DIR / "index.noun").read_text(encoding="latin-1").splitlines():
        if line.startswith(" "):
            continue
        parts = line.split()
        lemma, synset_cnt, p_cnt = parts[0], int(parts[2]), int(parts[3])
        tagsense = int(parts[5 + p_cnt])
        senses[lemma.replace("_", " ")] = tuple(int(o) for o in parts[6 + p_cnt : 6 + p_cnt + synset_cnt])
        tags[lemma.replace("_", " ")] = tagsense
    synsets: dict[int, tuple[str, tuple[str, ...], tuple[int, ...]]] = {}
    for line in (WORDNET_DIR / "data.noun").read_text(encoding="latin-1").splitlines():
        if line.startswith(" "):
            continue
        parts = line.split(" | ", 1)[0].split()
        offset, lexfile, w_cnt = int(parts[0]), _LEXNAMES[int(parts[1])], int(parts[3], 16)
        words = tuple(re.sub(r"\(.*\)$", "", parts[4 + 2 * i]).replace("_", " ").lower() for i in range(w_cnt))
        k = 4 + 2 * w_cnt
        p_cnt = int(parts[k])
        ups = tuple(int(parts[k + 2 + 4 * i]) for i in range(p_cnt) if parts[k + 1 + 4 * i] in ("@", "@i"))
        synsets[offset] = (lexfile, words, ups)
    return senses, tags, synsets


_B64 = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}
_POS_MARK = re.compile(r"(?<![а-яё\w])_(n|v|a|adv|pron|prep|cj|int|num)\.")
_SENSE = re.compile(r"^\s*(?:\d+\.\s*)?(?:_[IVX]+\s*)?(?:\[[^\]]*\]\s*)?(.*)$")
_RUSSIAN_ONLY = re.compile(r"^[а-яё][а-яё\- ]*$")


def _b64(text: str) -> int:
    n = 0
    for c in text:
        n = n * 64 + _B64[c]
    return n


def _noun_translations(body: str) -> list[str]:
    """The Russian translations in the noun part of one Mueller entry, in the order the entry gives them."""
    out: list[str] = []
    noun = None  # unknown until a part-of-speech mark: an entry without marks is read whole
    example = False
    for raw in body.splitlines()[1:]:
        marks = _POS_MARK.findall(raw)
        if marks:
            noun = marks[-1] == "n"
        if noun is False:
            continue
        text = re.sub(r"\[[^\]]*\]", " ", raw)
        text = re.sub(r"\([^)]*\)", " ", text)
        text = re.sub(r"_[^\s.]+\.?", " ", text)  # labels: _зоол. _разг.
        if re.match(r"^\s*(?:\d+\.\s*)?\d+\)", text):
            example = False  # a new sense
            text = re.sub(r"^\s*(?:\d+\.\s*)?\d+\)", " ", text)
        for segment in re.split(r"[;,]", text):
            segment = _norm(segment.strip(" .:!?\t"))
            if re.search(r"[a-z]", segment):
                example = True  # an example phrase: the rest of the sense translates it, not the headword
            elif segment and not example and _RUSSIAN_ONLY.match(segment) and len(segment.split()) <= 2:
                out.append(segment)
    return out


def _read_mueller(tags: dict[str, int]) -> dict[str, tuple[str, ...]]:
    index = (MUELLER.parent / (MUELLER.name + ".index")).read_text(encoding="utf-8").splitlines()
    data = gzip.open(MUELLER.parent / (MUELLER.name + ".dict.dz")).read()
    found: dict[str, list[tuple[int, int, str]]] = {}
    for line in index:
        try:
            head, off, size = line.split("\t")
        except ValueError:
            continue
        head = head.strip().lower()
        if not re.fullmatch(r"[a-z][a-z\-]*[a-z]", head) or head not in tags:
            continue  # English nouns WordNet knows, single words
        body = data[_b64(off) : _b64(off) + _b64(size)].decode("utf-8", "replace")
        for rank, ru in enumerate(_noun_translations(body)):
            found.setdefault(ru, []).append((rank, -tags.get(head, 0), head))
    return {ru: tuple(dict.fromkeys(h for _, _, h in sorted(c))) for ru, c in found.items()}


def _sources() -> list[Path]:
    return [WORDNET_DIR / "index.noun", WORDNET_DIR / "data.noun", MUELLER.parent / (MUELLER.name + ".index")]


def built_once(folder: str, version: int, sources: list[Path], build: Callable[[], T], keep: Callable[[T], bool]) -> T:
    """`build()`'s result, pickled under <cache_dir>/<folder>/ once and read back after (keyed by `version` and the
    sources' sizes and times, so an upgraded package rebuilds it); a result `keep` rejects is not stored."""
    import hashlib

    from pipeline.settings import get_settings

    stamp = "|".join(f"{p}:{int(p.stat().st_mtime)}:{p.stat().st_size}" for p in sources if p.exists())
    digest = hashlib.sha1(stamp.encode()).hexdigest()[:10]
    path = get_settings().cache_dir / folder / f"index-v{version}-{digest}.pickle"
    try:
        with path.open("rb") as f:
            return pickle.load(f)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        pass
    result = build()
    if keep(result):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as f:
            pickle.dump(result, f, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
        for stale in path.parent.glob("index-*.pickle"):  # earlier versions and sources
            if stale != path:
                stale.unlink(missing_ok=True)
    return result


def _build() -> _Index:
    if not (WORDNET_DIR / "data.noun").exists():
        log.warning("WordNet is missing at %s (Debian wordnet-base; `make setup` installs it): "
                    "every word is unknown to the pictures and the title reader", WORDNET_DIR)
        return _Index({}, {}, {}, {})
    senses, tags, synsets = _read_wordnet()
    if not (MUELLER.parent / (MUELLER.name + ".index")).exists():
        log.warning("the Mueller dictionary is missing at %s (Debian mueller7-dict; `make setup` installs it): "
                    "Russian words reach no English picture names", MUELLER)
        return _Index(senses, tags, synsets, {})
    return _Index(senses, tags, synsets, _read_mueller(tags))


@cache
def _index() -> _Index:
    """The parsed sources, from the cache when built before (a fraction of a second) or built now (a few seconds)."""
    return built_once("lexicon", INDEX_VERSION, _sources(), _build, keep=lambda index: bool(index.synsets))


def _en(word: str) -> str:
    word = word.strip().lower().replace("_", " ")
    idx = _index()
    if word in idx.senses:
        return word
    for suffix, repl in (("ies", "y"), ("ves", "f"), ("es", ""), ("s", "")):  # plural → singular
        if word.endswith(suffix) and word[: -len(suffix)] + repl in idx.senses:
            return word[: -len(suffix)] + repl
    return word


_TRANSLIT = dict(zip("абвгдезийклмнопрстуфхцыэ", "abvgdeziiklmnoprstufkhcye")) | {
    "ж": "zh", "ч": "ch", "ш": "sh", "щ": "shch", "ю": "yu", "я": "ya", "ь": "", "ъ": ""}


def english_words(russian_lemma: str) -> tuple[str, ...]:
    """English nouns that translate a Russian word (its normal form), most common first; () when unknown.

    A word the dictionary lacks but English borrowed (самовар → samovar) is found by transliteration, when WordNet
    knows the result as a concrete noun."""
    word = _norm(russian_lemma)
    found = _index().ru_en.get(word)
    if found:
        return found
    latin = "".join(_TRANSLIT.get(c, c) for c in word)
    if len(word) >= 5 and latin.isascii() and latin in _index().senses and is_concrete(latin):
        return (latin,)
    return ()


def noun_category(english_word: str) -> str | None:
    """The WordNet lexicographer file of the word's most common noun sense ("noun.animal"), or None."""
    idx = _index()
    offsets = idx.senses.get(_en(english_word))
    return idx.synsets[offsets[0]][0] if offsets else None


def is_concrete(english_word: str) -> bool:
    """Whether the word's most common noun sense is a thing one could draw (an animal, an artifact, a plant…)."""
    return noun_category(english_word) in CONCRETE_CATEGORIES


def hypernyms(english_word: str, depth: int = 2) -> tuple[str, ...]:
    """The words of the hypernyms of the word's most common noun sense, nearest first, up to `depth` levels."""
    idx = _index()
    offsets = idx.senses.get(_en(english_word))
    if not offsets:
        return ()
    out: dict[str, None] = {}
    level = [offsets[0]]
    for _ in range(depth):
        level = [up for o in level for up in idx.synsets[o][2]]
        for o in level:
            out.update(dict.fromkeys(idx.synsets[o][1]))
    return tuple(out)


@cache
def _ru_wordnet():
    from wiki_ru_wordnet import WikiWordnet  # a base dependency

    return WikiWordnet()


def russian_hypernyms(russian_lemma: str, depth: int = 2) -> tuple[str, ...]:
    """Russian hypernyms from wiki-ru-wordnet, nearest first (колобок → выпечка, хлеб); () when unknown."""
    net = _ru_wordnet()
    out: dict[str, None] = {}
    try:
        level = list(net.get_synsets(_norm(russian_lemma)))
        for _ in range(depth):
            level = [h for s in level for h in net.get_hypernyms(s)]
            out.update(dict.fromkeys(_norm(w.lemma()) for s in level for w in s.get_words()))
    except Exception:  # its sqlite reader raises on odd input; an unknown word is the answer
        return tuple(out)
    return tuple(w for w in out if w != _norm(russian_lemma))
