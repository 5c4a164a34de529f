"""Reading a story's title: who or what it names (the hero, a companion, a thing or a place), whether it speaks
of night, how a person it names is written, and what a reader calls them after the first mention."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace

from pipeline.morph import is_cyrillic, morph
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
    if is_cyrillic(word):
        return any("Name" in p.tag and p.score >= 0.25 for p in nominative_parses(word))
    return word.lower() not in english.COMMON_WORDS and word.lower() not in english.PERSON_NOUNS

