"""Reading a story's title: who or what it names (the hero, a companion, a thing or a place), whether it speaks
of night, how a person it names is written, and what a reader calls them after the first mention."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from typing import Literal

from pipeline.morph import is_cyrillic, lemma, morph
from pipeline.types import MAX_TITLE_CHARS, Gender, Language
from pipeline.write.grammar import en as english
from pipeline.write.grammar.packs import is_listed, look_up, script_pack
from pipeline.write.morphology import NAME_TAGS, declinable_prefix, nominative_parses


@dataclass(frozen=True)
class TitleReading:
    cleaned: str  # the title with junk stripped: only letters, digits, spaces, hyphens
    person: str | None = None  # the title names the hero: "Гарри Поттер"
    gender: Gender = "male"
    companion: str | None = None  # "Маша и Медведь": the second one walks with the hero
    companion_gender: Gender = "male"
    thing: str | None = None  # the title names a thing or a place: "Ночной поезд"
    night: bool = False  # the title speaks of night, darkness, ghosts: the scenes grow darker


_CONJUNCTIONS = {"и", "and", "&"}
_ARTICLES = {"the", "a", "an"}
_MAX_NAME_WORDS = 4
_MAX_THING_WORDS = 6
_MAX_WORD_LENGTH = 30  # longer "words" are keyboard mashing, not names


def clean_title(title: str) -> str:
    """Keep letters, digits, inner hyphens and single spaces: emoji and punctuation go."""
    kept = "".join(
        ch if unicodedata.category(ch)[0] in "LN" or ch == "-" else " " for ch in unicodedata.normalize("NFC", title)
    )
    words = [word.strip("-") for word in kept.split()]
    return " ".join(word for word in words if word)[:MAX_TITLE_CHARS]


def read_title(title: str, language: Language) -> TitleReading:
    """Who or what the title names. Each word is read in the language of its script, whatever the story's."""
    cleaned = clean_title(title)
    words = [word for word in cleaned.split() if len(word) <= _MAX_WORD_LENGTH]
    if not words:
        return TitleReading(cleaned=cleaned)
    cut = next((i for i, w in enumerate(words) if w.lower() in _CONJUNCTIONS and i > 0), len(words))
    head, rest = words[:cut][:_MAX_NAME_WORDS], words[cut + 1 :][:_MAX_NAME_WORDS]
    night = any(is_listed(word, script_pack(word).night_words) for word in words[:12])
    person = _person_gender(head)
    if person is None:
        return TitleReading(cleaned=cleaned, thing=" ".join(words[:_MAX_THING_WORDS]), night=night)
    reading = TitleReading(cleaned=cleaned, person=display_name(head), gender=person, night=night)
    if rest:
        companion = _person_gender(rest)
        if companion is None:
            return replace(reading, thing=" ".join(rest))
        return replace(reading, companion=display_name(rest), companion_gender=companion)
    return reading



def _person_gender(words: list[str]) -> Gender | None:
    """The gender of the person the words name, or None if they name a thing."""
    if not words:
        return None
    if is_cyrillic(" ".join(words)):
        return _russian_person_gender(words)
    return _english_person_gender(words)


def _russian_person_gender(words: list[str]) -> Gender | None:
    nominal = [w for w in words[: declinable_prefix(words)] if is_cyrillic(w)]
    if not nominal or not any(_names_a_person(w, i) for i, w in enumerate(nominal)):
        return None
    for word in nominal:  # a first name or surname decides
        names = [p for p in nominative_parses(word) if any(t in p.tag for t in NAME_TAGS)]
        if names:
            return _gender_of(max(names, key=lambda p: p.score).tag.gender, word)
    for word in nominal:  # else the head noun: 'Снежная королева', 'Баба Яга'
        nouns = [p for p in nominative_parses(word) if p.tag.POS == "NOUN"]
        if nouns:
            return _gender_of(max(nouns, key=lambda p: p.score + (p.tag.animacy == "anim")).tag.gender, word)
    return _gender_of(None, nominal[-1])


def _names_a_person(word: str, position: int) -> bool:
    lower = word.lower()
    if not morph().word_is_known(lower):
        return word[:1].isupper() or position == 0
    nouns = [p for p in nominative_parses(lower) if p.tag.POS == "NOUN"]
    if any(any(t in p.tag for t in NAME_TAGS) and p.score >= 0.25 for p in nouns):
        return True
    return bool(nouns) and max(nouns, key=lambda p: p.score).tag.animacy == "anim"


def _gender_of(grammeme: str | None, word: str) -> Gender:
    if grammeme == "femn":
        return "female"
    if grammeme == "masc":
        return "male"
    if grammeme == "neut":
        return "neutral"
    return "female" if word.lower()[-1:] in "ая" else "male"


def _english_person_gender(words: list[str]) -> Gender | None:
    lowered = [w.lower() for w in words]
    has_article = lowered[0] in _ARTICLES
    content = lowered[1:] if has_article else lowered
    if not content:
        return None
    before_preposition = next((i for i, w in enumerate(content) if w in english.PREPOSITIONS and i > 0), len(content))
    head_gender = look_up(content[before_preposition - 1], english.PERSON_NOUNS)
    if head_gender:  # "The Snow Queen", "The Little Prince"
        return head_gender
    if content[0] in english.FEMALE_NAMES:
        return "female"
    if content[0] in english.MALE_NAMES:
        return "male"
    all_capitalised = all(w[:1].isupper() for w in words)
    if has_article or not all_capitalised or any(is_listed(w, english.COMMON_WORDS) for w in content):
        return None
    titled = next((english.PERSON_NOUNS[w] for w in content if w in english.PERSON_NOUNS), None)  # "Queen Elizabeth"
    return titled or ("female" if content[0].endswith("a") else "male")


def display_name(words: list[str]) -> str:
    """A person's name as the story writes it: 'гарри поттер' → 'Гарри Поттер', 'Snow Queen' → 'the Snow Queen'."""
    if is_cyrillic(" ".join(words)):
        return " ".join(w[:1].upper() + w[1:] if _is_proper(w) else w for w in words)
    lowered = [w.lower() for w in words]
    if lowered[0] in _ARTICLES:
        return " ".join(["the", *words[1:]])
    if is_listed(lowered[-1], english.PERSON_NOUNS) and len(words) > 1:
        return "the " + " ".join(words)
    if all(w.islower() for w in words):
        return " ".join(w.capitalize() for w in words)
    return " ".join(words)


def _is_proper(word: str) -> bool:
    lower = word.lower()
    if not morph().word_is_known(lower):
        return True
    return any(any(t in p.tag for t in NAME_TAGS) and p.score >= 0.25 for p in nominative_parses(lower))


def short_name(name: str) -> str | None:
    """What a reader calls a character after the first mention: 'Гарри Поттер' → 'Гарри', 'дед Матвей' → 'Матвей'."""
    words = name.split()
    if words and words[0].lower() in _ARTICLES:
        words = words[1:]  # "the schoolteacher Olga" → "Olga"
        if all(word[:1].isupper() for word in words):
            return None  # "the Clockwork Bird", "the Pale Lady": a whole name, never cut
    if words and not is_cyrillic(words[0]) and all(word[:1].isupper() for word in words[:2]) \
            and words[0].lower() not in english.FEMALE_NAMES | english.MALE_NAMES:
        return None  # "Baba Yaga", "Grandpa Matthew": only a known first name stands for the whole
    if len(words) < 2:
        return None
    capitals = [word[:1].isupper() for word in words]
    if all(capitals):
        return words[0] if _is_first_name(words[0]) else None
    if not capitals[0] and capitals[-1]:
        tail = len(words) - capitals[::-1].index(False)
        return " ".join(words[tail:])
    return None


def _is_first_name(word: str) -> bool:
    if is_cyrillic(word):  # a first name before all else: "Гарри", not "Баба" (a noun first, a name only maybe)
        parses = [p for p in nominative_parses(word) if p.tag.POS == "NOUN"]
        return bool(parses) and "Name" in max(parses, key=lambda p: p.score).tag
    lower = word.lower()
    if lower in english.FEMALE_NAMES or lower in english.MALE_NAMES:
        return True
    return lower not in english.COMMON_WORDS and lower not in english.PERSON_NOUNS



# --------------------------------------------------------------------------------------------
# What the title is about: the kind of thing it names, its qualities, and the role it plays in the plot

SubjectKind = Literal["person", "creature", "monster", "object", "vehicle", "place", "event", "idea"]
SubjectRole = Literal["hero", "threat", "gift", "quest", "setting", "theme", "haunted"]

# Qualities a title's adjectives give its subject, by lemma (ru) or word (en).
QUALITY_WORDS: dict[str, frozenset[str]] = {
    "night": frozenset("ночной полуночный полночный полночь ночь night midnight nocturnal moonlit".split()),
    "magic": frozenset("волшебный заколдованный колдовской чудесный магический заговорённый заговоренный "
                       "волшебство чародейский заколдовать magic magical enchanted charmed wonderful".split()),
    "missing": frozenset("пропавший потерянный украденный исчезнувший похищенный пропажа пропасть потерять "
                         "украсть исчезнуть похитить "
                         "missing lost stolen vanished vanishing".split()),
    "ghosts": frozenset("haunted ghostly призрачный заброшенный проклятый cursed abandoned".split()),
}
MONSTER_WORDS = frozenset(
    "дракон змей змея чудовище чудище монстр призрак привидение вампир оборотень упырь кощей ведьма вурдалак "
    "людоед великан тролль демон леший кикимора зверь спрут кракен "
    "dragon serpent monster ghost phantom vampire werewolf ogre giant troll demon witch beast kraken".split())
VEHICLE_WORDS = frozenset(
    "поезд паровоз вагон экспресс электричка корабль пароход лодка фрегат карета автобус трамвай самолёт самолет "
    "ракета звездолёт звездолет дирижабль телега сани такси лифт "
    "train locomotive express ship steamer boat frigate carriage coach bus tram plane airplane rocket "
    "spaceship starship airship cart sleigh taxi elevator".split())
EVENT_WORDS = frozenset(
    "бал свадьба праздник война битва ярмарка буря пожар наводнение охота карнавал маскарад экзамен суд "
    "выборы ограбление путешествие похищение "
    "ball wedding feast festival war battle fair storm fire flood hunt carnival masquerade exam trial "
    "election robbery journey voyage kidnapping".split())
IDEA_WORDS = frozenset(
    "любовь дружба надежда тайна мечта счастье правда судьба страх память совесть месть секрет "
    "love friendship hope secret mystery dream happiness truth fate fear memory conscience revenge".split())
EXTRA_PLACE_WORDS = frozenset("маяк мельница lighthouse mill".split())  # places the grammar's setting words lack
# WordNet lexicographer files (noun.animal...) and the kind of subject they give
_WORDNET_KINDS: dict[str, SubjectKind] = {
    "noun.person": "person", "noun.animal": "creature", "noun.artifact": "object", "noun.object": "object",
    "noun.food": "object", "noun.plant": "object", "noun.location": "place", "noun.event": "event",
    "noun.act": "event", "noun.phenomenon": "event", "noun.time": "event", "noun.feeling": "idea",
    "noun.cognition": "idea", "noun.state": "idea", "noun.attribute": "idea", "noun.communication": "idea",
}
_SETTING_GENRE_ROLE_KINDS = ("place", "vehicle")


@dataclass(frozen=True)
class TitleSubject:
    """What the title names (kind), the word that names it (head: a lemma), its qualities, its role in the plot."""

    kind: SubjectKind
    head: str
    role: SubjectRole
    qualities: frozenset[str] = frozenset()


def title_subject(reading: TitleReading, genre: str) -> TitleSubject:
    """The title's subject and its role in a tale of the genre.

    A person, or a creature that is no monster, is the hero; a monster is the threat; a place or vehicle is
    the setting; a haunted object is the seat of the threat (its ghost is the villain); an object is the quest item (a mystery when missing, or in a detective), or the magic
    object when the title calls it magic; an event or an idea is the theme the tale keeps returning to.
    """
    words = reading.cleaned.split()
    qualities = frozenset(q for q, lemmas in QUALITY_WORDS.items() if any(lemma(w) in lemmas for w in words[:12]))
    if reading.night:
        qualities |= {"dark"}
    phrase = reading.person or reading.thing or reading.cleaned
    head = _head_lemma(phrase)
    kind = _kind(head, person=reading.person is not None, phrase=phrase)
    if kind in ("person", "creature"):
        role: SubjectRole = "hero"
    elif kind == "monster":
        role = "threat" if reading.person and genre != "fable" else "hero"
    elif kind in _SETTING_GENRE_ROLE_KINDS:
        role = "setting"
    elif kind in ("event", "idea"):
        role = "theme"
    elif "ghosts" in qualities:
        role = "haunted"  # "The Haunted Piano": it plays by itself, and its ghost is the threat
    elif "missing" in qualities or genre == "detective":
        role = "quest"
    elif "magic" in qualities:
        role = "gift"
    else:
        role = "quest"
    if reading.person and role != "threat":
        role = "hero"
    return TitleSubject(kind=kind, head=head, role=role, qualities=qualities)


def _head_lemma(phrase: str) -> str:
    """The noun the phrase is about: the first noun (ru) / the last word before a preposition (en)."""
    words = phrase.split()
    if not words:
        return ""
    if is_cyrillic(phrase):
        for word in words[: declinable_prefix(words)] or words[:1]:
            nouns = [p for p in nominative_parses(word) if p.tag.POS == "NOUN"]
            if nouns and max(nominative_parses(word), key=lambda p: p.score).tag.POS == "NOUN":
                return lemma(word)
        return lemma(words[-1] if len(words) == 1 else words[0])
    content = [w.lower() for w in words if w.lower() not in _ARTICLES]
    if not content:
        return ""
    cut = next((i for i, w in enumerate(content) if w in english.PREPOSITIONS and i > 0), len(content))
    return content[cut - 1]


def _kind(head: str, person: bool, phrase: str) -> SubjectKind:
    from pipeline.write.grammar.packs import lookup_forms

    forms = {form.replace("ё", "е") for form in (*lookup_forms(head), head)}
    if forms & {w.replace("ё", "е") for w in MONSTER_WORDS}:
        return "monster"
    if person:
        return "person"
    if forms & {w.replace("ё", "е") for w in VEHICLE_WORDS}:
        return "vehicle"
    if forms & EXTRA_PLACE_WORDS or any(look_up(w, script_pack(w).setting_words) for w in phrase.split()[-2:]):
        return "place"
    if forms & EVENT_WORDS:
        return "event"
    if forms & IDEA_WORDS:
        return "idea"
    category = _wordnet_category(head)
    if category in _WORDNET_KINDS:
        return _WORDNET_KINDS[category]
    if is_cyrillic(head):
        nouns = [p for p in nominative_parses(head) if p.tag.POS == "NOUN"]
        if nouns and max(nouns, key=lambda p: p.score).tag.animacy == "anim":
            return "creature"
    return "object"


def _wordnet_category(head: str) -> str | None:
    """The WordNet lexicographer file of the head noun (through the shared bridge, pipeline/lexicon: Russian
    lemmas reach WordNet through their English translations); None if unknown."""
    from pipeline.lexicon import english_words, noun_category  # the index loads on first use

    words = english_words(head) if is_cyrillic(head) else (head,)
    return next((c for w in words[:2] if (c := noun_category(w))), None)
