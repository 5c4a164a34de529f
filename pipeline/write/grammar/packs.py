"""The grammar's language packs, by language and by a word's script, and looking a word up in their tables
(settings, props, night words...) by its normal forms from pipeline.morph."""
from __future__ import annotations

from functools import lru_cache
from typing import Collection, Mapping, TypeVar

from pipeline.morph import is_cyrillic, lemma, lemmas
from pipeline.types import Language
from pipeline.write.grammar import LanguagePack
from pipeline.write.grammar import en as english
from pipeline.write.grammar import ru as russian

PACKS: dict[Language, LanguagePack] = {"ru": russian.PACK, "en": english.PACK}

V = TypeVar("V")
_VERB_ENDINGS = ("ing", "ed")


def script_pack(word: str) -> LanguagePack:
    """The language pack that knows the word: Russian for Cyrillic, English for Latin."""
    return russian.PACK if is_cyrillic(word) else english.PACK


@lru_cache(maxsize=100_000)  # pymorphy3 parses take ~0.4 ms, and a story looks up every word it tells
def lookup_forms(word: str) -> tuple[str, ...]:
    """The forms a word is looked up by: a Russian word's most likely normal form (ё read as е); an English
    word lower-cased, then without a plural ending ("wolves" → wolves, wolf).

    The tables name things, so an English word with a verb ending is looked up only as written: "bowed" is
    no bow, "stared" no star.
    """
    if is_cyrillic(word):
        return (lemma(word),)
    forms = lemmas(word)
    return forms[:1] if forms[0].endswith(_VERB_ENDINGS) else forms


def look_up(word: str, table: Mapping[str, V]) -> V | None:
    """What the table holds for the first of the word's forms it knows: look_up("замком", setting_words)."""
    return next((table[form] for form in lookup_forms(word) if form in table), None)


def is_listed(word: str, words: Collection[str]) -> bool:
    """Is one of the word's forms among `words` (a pack's night words, portable things...)?"""
    return any(form in words for form in lookup_forms(word))
