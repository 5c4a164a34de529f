"""The grammar backend of the write stage, and the shapes of its data: Propp's functions, their text variants,
and each genre's lexicon.

The engine: `writer` (GrammarWriter) casts the tale (`cast`), plans its scenes and fits them to the length
(`plan`), and fills the templates (`render`). The data: one module per language (`ru`, `en`, each with its
`*_modern` genres), the language-free plot skeletons (`plot`), both packs by language (`packs`).
This module holds only the data's shapes, so that the data modules import nothing else.

Template syntax, used in every line of text:
    {hero}            a character or thing in the nominative (ru) / as named (en)
    {hero:datv}       in a grammatical case: nomn gent datv accs ablt loct (ru); a / the (en things);
                      voc (en): the form to address someone, "old father" for "the old father"
    {с villain:ablt}  with a preposition that takes its euphonic form (с/со, о/об, в/во, к/ко)
    {hero|пошёл|пошла|пошло|пошли}
                      agreement alternatives: masculine | feminine | neuter | plural (the last two optional)
    {lair.at}         a place phrase: at / to / from  ("в тёмном лесу" / "в тёмный лес" / "из тёмного леса")
    {epithet}         a genre word from GenreLexicon.words (chosen once per story; may hold templates itself)
A line that starts with "hero: " (or villain, helper, elder) is that character's own speech.
Roles: hero, villain, helper, elder (characters); quest, gift (things); home, road, lair (places).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from pipeline.types import Gender, Genre

# A chunk is one line, or several lines that only make sense together (a question and its answer).
Chunk = str | tuple[str, ...]

# Three worlds a beat may belong to; every genre is in exactly one of them.
MAGIC = frozenset({Genre.fairy_tale, Genre.bylina, Genre.fable, Genre.comedy, Genre.horror, Genre.fantasy})
REALISTIC = frozenset({Genre.novella, Genre.drama, Genre.tragedy, Genre.detective})
FUTURE = frozenset({Genre.scifi})
ANY = frozenset(Genre)


@dataclass(frozen=True)
class Beat:
    """One way to tell one Propp function.

    The first chunk is essential; the rest are added in order while the story is shorter than asked.
    `last` chunks are essential too and always close the beat (a fable's moral, a tale's closing formula).
    `needs` lists story features the text assumes ("portable_quest": the quest can be stolen and carried).
    """

    chunks: tuple[Chunk, ...]
    last: tuple[Chunk, ...] = ()
    genres: frozenset[Genre] = ANY
    props: tuple[str, ...] = ()
    needs: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Stock:
    """A stock character of a genre (used when the title does not name one)."""

    name: str
    gender: Gender
    props: tuple[str, ...] = ()
    # case -> form, where the morphology dictionary declines the name wrongly
    forms: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Thing:
    """A noun phrase for the quest or the magical agent: "молодильные яблоки", "silver key"."""

    name: str
    props: tuple[str, ...] = ()
    portable: bool = True
    plural: bool = False  # en only: ru reads number off the head noun


@dataclass(frozen=True)
class Place:
    """Where a scene happens: a setting key for the illustrator and the phrases the text needs."""

    setting: str
    at: str
    to: str
    source: str  # "from": out of the place
    sights: tuple[str, ...] = ()  # descriptive lines, added while the story is too short


def place(setting: str, at: str, to: str, source: str, *sights: str) -> Place:
    return Place(setting=setting, at=at, to=to, source=source, sights=sights)


@dataclass(frozen=True)
class GenreLexicon:
    heroes: tuple[Stock, ...]  # a generic hero when the title names no one
    villains: tuple[Stock, ...]
    helpers: tuple[Stock, ...]
    elders: tuple[Stock, ...]
    quests: tuple[Thing, ...]
    gifts: tuple[Thing, ...]
    homes: tuple[Place, ...]
    roads: tuple[Place, ...]
    lairs: tuple[Place, ...]
    words: Mapping[str, tuple[str, ...]]  # {slot}: variants, one chosen per story
    atmosphere: tuple[str, ...]  # genre mood lines, added anywhere while the story is too short
    night: bool = False  # scenes lean to dusk and night


@dataclass(frozen=True)
class SettingWord:
    """A word of a title that names a place: which setting it is and the prepositions it takes (ru)."""

    setting: str
    at: str = "в"
    to: str = "в"
    source: str = "из"


@dataclass(frozen=True)
class LanguagePack:
    beats: Mapping[str, tuple[Beat, ...]]  # Propp function -> its variants
    genres: Mapping[Genre, GenreLexicon]
    setting_words: Mapping[str, SettingWord]  # lemma -> setting
    prop_words: Mapping[str, str]  # lemma -> prop key, to find drawable things in the text
    night_words: frozenset[str]  # lemmas of a title that make the story a night one
    portable_words: frozenset[str]  # lemmas of things one can carry off (key, ring, book...)
    fallback_hero: Stock  # if a genre has no heroes of its own
    # lines that name the hero in an oblique case, for a tale too short to decline the name otherwise
    hero_lines: tuple[str, ...] = ()


def beat(*chunks: Chunk, genres=ANY, props: tuple[str, ...] = (), needs: tuple[str, ...] = (),
         last: tuple[Chunk, ...] | Chunk = ()) -> Beat:
    """A compact constructor for the data modules."""
    closing = (last,) if isinstance(last, str) else tuple(last)
    return Beat(chunks=tuple(chunks), last=closing, genres=frozenset(genres), props=tuple(props),
                needs=frozenset(needs))


def only(*genres: Genre) -> frozenset[Genre]:
    return frozenset(genres)


# Propp's functions the grammar tells; a language module names each one's beats in capitals (OPENING = ...).
FUNCTIONS = ("opening", "interdiction", "violation", "villainy", "departure", "donor", "gift", "guidance", "task",
             "struggle", "victory", "pursuit", "return", "recognition", "ending")


def beat_table(namespace: Mapping[str, object]) -> dict[str, tuple[Beat, ...]]:
    """A module's beats per function, from its capitalised names: beat_table(globals())."""
    return {function: namespace[function.upper()] for function in FUNCTIONS if function.upper() in namespace}


def merge_beats(*tables: Mapping[str, tuple[Beat, ...]]) -> dict[str, tuple[Beat, ...]]:
    """One table of beats per Propp function from several modules' tables."""
    merged: dict[str, tuple[Beat, ...]] = {}
    for table in tables:
        for function, beats in table.items():
            merged[function] = merged.get(function, ()) + tuple(beats)
    return merged
