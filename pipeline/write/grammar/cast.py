"""The cast of a tale: who and what it is about (from the title, else the genre's stock characters and things),
where it happens, and every form of their names the templates ask for."""
from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from typing import Mapping

from pipeline.morph import is_cyrillic, lemma
from pipeline.types import Character, Gender, Language, Role
from pipeline.write.grammar import GenreLexicon, LanguagePack, Place, SettingWord, Stock, Thing
from pipeline.write.grammar import en as english
from pipeline.write.grammar.packs import is_listed, look_up, script_pack
from pipeline.write.morphology import (
    GENDER_AGREEMENT,
    MASCULINE,
    NEUTER,
    decline_person_ru,
    decline_thing_ru,
    english_person,
    english_thing,
    nominative_parses,
    transliterate,
    with_preposition_ru,
)
from pipeline.write.title import QUALITY_WORDS, TitleReading, TitleSubject, display_name, short_name

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
    subject_slots: frozenset[str] = frozenset({"subject"})  # the slots that name the title's subject

    def add_character(self, role: str, name: str, gender: Gender, language: Language, props: tuple[str, ...] = (),
                      overrides: Mapping[str, str] | None = None) -> None:
        original = name
        if language == "en" and is_cyrillic(name):
            name = transliterate(name)
        forms = decline_person_ru(name, gender) if language == "ru" else english_person(name)
        forms.update(overrides or {})
        self.entities[role] = Entity(forms=forms, agreement=GENDER_AGREEMENT[gender], props=tuple(props))
        self.characters[role] = Character(id=role, name=forms["nomn"], gender=gender, role=CHARACTER_ROLES[role])
        short = short_name(original)  # read in the name's own language: "Баба Яга" is no "Баба", so no "Baba"
        if short and language == "en" and is_cyrillic(short):
            short = transliterate(short)
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


def cast_story(reading: TitleReading, lexicon: GenreLexicon, pack: LanguagePack, rng: random.Random, language: Language,
               subject: TitleSubject | None = None) -> Cast:
    """The cast, with the title's subject in its role: the hero, the villain (a threat), the magic gift, the
    quest item, the place the tale lives in (a setting: home, or the road for a vehicle), or a theme.
    Its slot values are also under "subject", for the lines that let it recur (subject.py)."""
    cast = Cast()
    role = subject.role if subject else ("hero" if reading.person else "quest")
    if role == "hero" and reading.person:
        cast.add_character("hero", reading.person, reading.gender, language)
    elif role == "hero" and reading.thing:  # a creature named like a thing: "The Clockwork Bird", "Лунный кот"
        cast.add_character("hero", display_name(reading.thing.split()), _thing_gender(reading.thing), language)
    else:
        cast.add_stock("hero", rng.choice(lexicon.heroes or (pack.fallback_hero,)), language)
    villains = lexicon.villains
    if subject and {"ghosts", "dark"} & subject.qualities:  # a haunted thing: its ghosts are the threat
        villains = tuple(v for v in villains if "ghost" in v.props) or villains
    if role == "threat" and reading.person:
        cast.add_character("villain", reading.person, reading.gender, language)
    else:
        cast.add_stock("villain", rng.choice(villains), language)
    if reading.companion:
        cast.add_character("helper", reading.companion, reading.companion_gender, language)
    else:
        cast.add_stock("helper", rng.choice(lexicon.helpers), language)
    cast.add_stock("elder", rng.choice(lexicon.elders), language)
    thing = _title_thing(reading.thing) if reading.thing else None
    proper = bool(reading.thing and reading.thing[:1].isupper())
    if thing and subject and "missing" in subject.qualities and role == "quest":
        kept = [w for w in thing.name.split() if lemma(w) not in QUALITY_WORDS["missing"]]
        if kept and len(kept) < len(thing.name.split()):  # "Пропавший самовар": the story tells the samovar go missing
            thing, proper = replace(thing, name=" ".join(kept)), False
        thing = replace(thing, portable=True)  # it went missing: someone carried it off
    if thing and role == "gift":
        cast.add_thing("gift", thing, language, proper=proper)
    else:
        cast.add_thing("gift", rng.choice(lexicon.gifts), language)
    if thing and (role == "quest" or (reading.person and role in ("hero", "threat"))):  # "Гарри Поттер и философский камень"
        cast.add_thing("quest", thing, language, proper=proper)
    else:
        cast.add_thing("quest", rng.choice(lexicon.quests), language)
    if thing and role in ("setting", "theme", "haunted"):
        cast.add_thing("subject", thing, language, proper=proper)
        if _bare_idea(reading, subject, language):  # "Love": "a story of love", not "of the Love"
            bare = thing.name.lower()
            cast.entities["subject"] = replace(cast.entities["subject"], forms={"nomn": bare, "a": bare, "the": bare})
    cast.places = {"home": rng.choice(lexicon.homes), "road": rng.choice(lexicon.roads), "lair": rng.choice(lexicon.lairs)}
    if role == "setting" and reading.thing:
        where = "road" if subject and subject.kind == "vehicle" else "home"
        cast.places[where] = _title_place(reading, cast, language, subject.kind if subject else "place")
        cast.subject_slots = frozenset({"subject", where})
    elif reading.thing and (found := _title_place(reading, cast, language)) is not None:
        cast.places["lair"] = found  # "Гарри Поттер и Тайная комната": the place of the struggle
    slot = {"hero": "hero", "threat": "villain", "gift": "gift", "quest": "quest"}.get(role, "subject")
    if slot != "subject":
        cast.subject_slots = frozenset({"subject", slot})
    entity = cast.entities.get(slot)
    if entity is not None:
        if language == "en" and slot in ("gift", "quest", "subject") and entity.agreement == MASCULINE:
            entity = replace(entity, agreement=NEUTER)  # a thing is "it" in English
        cast.entities["subject"] = entity
    return cast


# Vehicles the setting words lack, and the setting a picture of them takes
VEHICLE_SETTINGS = {
    **dict.fromkeys("ракета самолет дирижабль rocket plane airplane airship".split(), "sky"),
    **dict.fromkeys("лодка фрегат frigate".split(), "sea"),
    **dict.fromkeys("карета телега сани carriage coach cart sleigh".split(), "road"),
    **dict.fromkeys("автобус трамвай такси лифт bus tram taxi elevator".split(), "city"),
}


def _thing_gender(thing: str) -> Gender:
    words = thing.split()
    if is_cyrillic(thing):
        for word in words:
            nouns = [p for p in nominative_parses(word) if p.tag.POS == "NOUN"]
            if nouns:
                return {"femn": "female", "neut": "neutral"}.get(max(nouns, key=lambda p: p.score).tag.gender, "male")
        return "male"
    return look_up(words[-1], english.PERSON_NOUNS) or "male"


def _bare_idea(reading: TitleReading, subject: TitleSubject | None, language: Language) -> bool:
    """'Love', 'Hope': an idea named without an article takes none in an English sentence."""
    return bool(subject and subject.kind == "idea" and language == "en" and reading.thing
                and reading.thing.split()[0].lower() not in ("the", "a", "an") and len(reading.thing.split()) == 1)


def _title_thing(thing: str) -> Thing:
    words = [(word, script_pack(word)) for word in thing.split()]
    props = tuple(prop for word, pack in words if (prop := look_up(word, pack.prop_words)) is not None)
    portable = any(is_listed(word, pack.portable_words) for word, pack in words)
    plural = thing.lower().endswith("s") and not thing.lower().endswith("ss")
    return Thing(name=thing, props=props, portable=portable, plural=plural)


def _title_place(reading: TitleReading, cast: Cast, language: Language, kind: str | None = None) -> Place | None:
    """A title that names a place ('Последний маяк', 'The Dark Forest') as a place of the tale; None if no word
    of it names a place (unless `kind` says it is one: then it takes the prepositions "в" / "on")."""
    if not reading.thing:
        return None
    found = _setting_word(reading.thing)
    if found is None:
        if kind is None:
            return None
        setting = next((VEHICLE_SETTINGS[w] for w in map(lemma, reading.thing.split()) if w in VEHICLE_SETTINGS),
                       "train" if kind == "vehicle" else "village")
        found = SettingWord(setting) if language == "ru" else SettingWord(setting, at="on" if kind == "vehicle" else "in",
                                                                          to="to", source="from")
    if language == "ru":
        quest = Entity(forms=decline_thing_ru(reading.thing)[0])
    else:
        name = transliterate(reading.thing) if is_cyrillic(reading.thing) else reading.thing
        quest = Entity(forms=english_thing(name, proper=reading.thing[:1].isupper())[0])
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

