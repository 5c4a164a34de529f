"""The cast of a tale: who and what it is about (from the title, else the genre's stock characters and things),
where it happens, and every form of their names the templates ask for."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Mapping

from pipeline.morph import is_cyrillic
from pipeline.types import Character, Gender, Language, Role
from pipeline.write.grammar import GenreLexicon, LanguagePack, Place, SettingWord, Stock, Thing
from pipeline.write.grammar.packs import is_listed, look_up, script_pack
from pipeline.write.morphology import (
    GENDER_AGREEMENT,
    MASCULINE,
    decline_person_ru,
    decline_thing_ru,
    english_person,
    english_thing,
    transliterate,
    with_preposition_ru,
)
from pipeline.write.title import TitleReading, short_name

CHARACTER_ROLES: dict[str, Role] = {"hero": "hero", "villain": "villain", "helper": "helper", "elder": "other"}


@dataclass(frozen=True)
class Entity:
    """What a template slot names, in every form the templates ask for."""

    forms: Mapping[str, str]  # case (ru) or article form (en) -> text; "nomn" always present
    agreement: int = MASCULINE
    props: tuple[str, ...] = ()
    portable: bool = True

    def form(self, case: str) -> str:
        return self.forms.get(case) or self.forms["nomn"]


@dataclass(frozen=True)
class ShortName:
    full_to_short: Mapping[str, str]  # each case of the full name -> the same case of the short one
    nominative: str


@dataclass
class Cast:
    entities: dict[str, Entity] = field(default_factory=dict)  # role -> slot values
    characters: dict[str, Character] = field(default_factory=dict)  # role -> Character
    places: dict[str, Place] = field(default_factory=dict)  # home, road, lair
    short_names: dict[str, ShortName] = field(default_factory=dict)  # role -> how to shorten its repeated name

    def add_character(self, role: str, name: str, gender: Gender, language: Language, props: tuple[str, ...] = (),
                      overrides: Mapping[str, str] | None = None) -> None:
        if language == "en" and is_cyrillic(name):
            name = transliterate(name)
        forms = decline_person_ru(name, gender) if language == "ru" else english_person(name)
        forms.update(overrides or {})
        self.entities[role] = Entity(forms=forms, agreement=GENDER_AGREEMENT[gender], props=tuple(props))
        self.characters[role] = Character(id=role, name=forms["nomn"], gender=gender, role=CHARACTER_ROLES[role])
        short = short_name(name)
        if short:
            short_forms = decline_person_ru(short, gender) if language == "ru" else english_person(short)
            full_to_short = {forms[case]: short_forms[case] for case in forms if case != "voc"}
            self.short_names[role] = ShortName(full_to_short, nominative=forms["nomn"])

    def add_stock(self, role: str, stock: Stock, language: Language) -> None:
        self.add_character(role, stock.name, stock.gender, language, stock.props, stock.forms)

    def add_thing(self, role: str, thing: Thing, language: Language, proper: bool = False) -> None:
        if language == "ru":
            forms, agreement = decline_thing_ru(thing.name)
        else:
            name = transliterate(thing.name) if is_cyrillic(thing.name) else thing.name
            forms, agreement = english_thing(name, thing.plural, proper)
        self.entities[role] = Entity(forms=forms, agreement=agreement, props=thing.props, portable=thing.portable)


def cast_story(reading: TitleReading, lexicon: GenreLexicon, pack: LanguagePack, rng: random.Random, language: Language) -> Cast:
    cast = Cast()
    if reading.person:
        cast.add_character("hero", reading.person, reading.gender, language)
    else:
        cast.add_stock("hero", rng.choice(lexicon.heroes or (pack.fallback_hero,)), language)
    cast.add_stock("villain", rng.choice(lexicon.villains), language)
    if reading.companion:
        cast.add_character("helper", reading.companion, reading.companion_gender, language)
    else:
        cast.add_stock("helper", rng.choice(lexicon.helpers), language)
    cast.add_stock("elder", rng.choice(lexicon.elders), language)
    cast.add_thing("gift", rng.choice(lexicon.gifts), language)
    if reading.thing:
        cast.add_thing("quest", _title_thing(reading.thing), language, proper=reading.thing[:1].isupper())
    else:
        cast.add_thing("quest", rng.choice(lexicon.quests), language)
    cast.places = {
        "home": rng.choice(lexicon.homes),
        "road": rng.choice(lexicon.roads),
        "lair": _title_place(reading, cast, language) or rng.choice(lexicon.lairs),
    }
    return cast


def _title_thing(thing: str) -> Thing:
    words = [(word, script_pack(word)) for word in thing.split()]
    props = tuple(prop for word, pack in words if (prop := look_up(word, pack.prop_words)) is not None)
    portable = any(is_listed(word, pack.portable_words) for word, pack in words)
    plural = thing.lower().endswith("s") and not thing.lower().endswith("ss")
    return Thing(name=thing, props=props, portable=portable, plural=plural)


def _title_place(reading: TitleReading, cast: Cast, language: Language) -> Place | None:
    """A title that names a place ('Ночной поезд', 'The Dark Forest') becomes the lair of the tale."""
    if not reading.thing:
        return None
    found = _setting_word(reading.thing)
    if found is None:
        return None
    quest = cast.entities["quest"]
    if language == "ru":
        if not is_cyrillic(reading.thing):
            found = SettingWord(found.setting)  # a Latin name: Russian prepositions, not declined
        at = with_preposition_ru(found.at, quest.form("loc2" if found.at == "в" else "loct"))
        to = with_preposition_ru(found.to, quest.form("accs"))
        return Place(found.setting, at=at, to=to, source=with_preposition_ru(found.source, quest.form("gent")))
    if is_cyrillic(reading.thing):
        found = SettingWord(found.setting, at="in", to="to", source="from")  # a transliterated Russian name
    the = quest.form("the")
    return Place(found.setting, at=f"{found.at} {the}", to=f"{found.to} {the}", source=f"{found.source} {the}")


def _setting_word(phrase: str) -> SettingWord | None:
    """The last word of the phrase that names a place, looked up in the language of its script."""
    found = None
    for word in phrase.split():
        found = look_up(word, script_pack(word).setting_words) or found
    return found

