"""Word forms shared by every stage: one pymorphy3 analyzer per process (its dictionaries take ~1 s and 15 MB),
and the one lemmatiser for Russian and English words."""
from __future__ import annotations

import re
from functools import cache, lru_cache

import pymorphy3

_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_ENGLISH_SUFFIXES = (("ies", "y"), ("ves", "f"), ("es", ""), ("s", ""), ("ing", ""), ("ed", ""), ("'s", ""))


@cache
def morph() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer()


def is_cyrillic(text: str) -> bool:
    return bool(_CYRILLIC.search(text))


def normalise(word: str) -> str:
    return word.lower().replace("ё", "е")


@lru_cache(maxsize=100_000)
def lemmas(word: str) -> tuple[str, ...]:
    """Every normal form a word could have, most likely first ("замком" → замок; "wolves" → wolves, wolf).

    A Russian word already in a normal form reads as itself first: "Змей" is the dragon before it is a snake.
    """
    word = normalise(word)
    if is_cyrillic(word):
        forms = dict.fromkeys(normalise(p.normal_form) for p in morph().parse(word))
        return tuple(sorted(forms, key=lambda form: form != word))
    forms = [word]
    for suffix, replacement in _ENGLISH_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            forms.append(word[: -len(suffix)] + replacement)
    return tuple(dict.fromkeys(forms))


@lru_cache(maxsize=100_000)
def lemma(word: str) -> str:
    """The most likely normal form of a Russian word (ё read as е); an English word lower-cased."""
    word = normalise(word)
    return normalise(morph().parse(word)[0].normal_form) if is_cyrillic(word) else word
