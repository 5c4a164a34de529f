"""The write stage: StoryRequest → Story.

Offline default backend: a plot grammar after Propp's morphology of the folktale. A skeleton of
Propp's functions (pipeline/grammar/plot.py) is told scene by scene with text variants and genre
lexicons (pipeline/grammar/ru.py, en.py); the title names the hero, or the thing or place the tale is
about; Russian names and noun phrases are declined with pymorphy3; the text grows chunk by chunk
until it takes as long to read aloud as the request asks.
"""
from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from typing import Mapping, Protocol

import pymorphy3
from pytrovich.enums import Case as PetrovichCase
from pytrovich.enums import Gender as PetrovichGender
from pytrovich.enums import NamePart
from pytrovich.maker import PetrovichDeclinationMaker
from razdel import sentenize

from pipeline.grammar import Beat, Chunk, GenreLexicon, LanguagePack, Place, SettingWord, Stock, Thing
from pipeline.grammar import en as english
from pipeline.grammar import ru as russian
from pipeline.grammar.plot import DARK_ENDINGS, DAYTIME, SKELETONS, WHERE, TimeOfDay
from pipeline.morph import morph
from pipeline.settings import PipelineSettings, get_settings
from pipeline.types import (
    Character,
    Gender,
    Genre,
    Language,
    Line,
    Role,
    Scene,
    Story,
    StoryRequest,
)

WORDS_PER_SECOND: dict[Language, float] = {"ru": 2.3, "en": 2.6}
PACKS: dict[Language, LanguagePack] = {"ru": russian.PACK, "en": english.PACK}
CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct")
CHARACTER_ROLES: dict[str, Role] = {"hero": "hero", "villain": "villain", "helper": "helper", "elder": "other"}
MAX_PROPS = 8


class Writer(Protocol):
    def write(self, request: StoryRequest) -> Story: ...


WRITERS = ("grammar", "lm")


def make_writer(name: str = "grammar", settings: PipelineSettings | None = None) -> Writer:
    """The write backend by name; "lm" loads its model (from the settings) here, once."""
    if name == "grammar":
        return PlotGrammarWriter()
    if name == "lm":
        from pipeline.lm_writer import LanguageModelWriter  # transformers loads only when asked for

        return LanguageModelWriter.from_settings(settings or get_settings())
    raise ValueError(f"unknown writer {name!r}; known: {', '.join(WRITERS)}")


def writer_cache_tag(settings: PipelineSettings) -> str:
    """What, besides the request, decides the story: the backend, and for the LM its model and sampling."""
    if settings.writer != "lm":
        return settings.writer
    return ":".join(str(x) for x in ("lm", settings.lm_model, settings.lm_temperature, settings.lm_top_p,
                                     settings.lm_top_k, settings.lm_repetition_penalty, settings.lm_max_new_tokens))


def target_words(request: StoryRequest) -> int:
    """How many words take `request.length` seconds to read aloud."""
    return round(request.length.target_seconds * WORDS_PER_SECOND[request.language])


def count_words(text: str) -> int:
    return len(text.split())


# --------------------------------------------------------------------------------------------
# Entities: what a template slot names, in every form the templates ask for


# Agreement: the index of the alternative a {role|masc|femn|neut|plur} slot takes.
MASCULINE, FEMININE, NEUTER, PLURAL = range(4)
GENDER_AGREEMENT: dict[Gender, int] = {"male": MASCULINE, "female": FEMININE, "neutral": NEUTER}


@dataclass(frozen=True)
class Entity:
    forms: Mapping[str, str]  # case (ru) or article form (en) -> text; "nomn" always present
    agreement: int = MASCULINE
    props: tuple[str, ...] = ()
    portable: bool = True

    def form(self, case: str) -> str:
        return self.forms.get(case) or self.forms["nomn"]


# --------------------------------------------------------------------------------------------
# Russian morphology




@lru_cache(maxsize=65536)
def parse_word(word: str) -> tuple[pymorphy3.analyzer.Parse, ...]:
    """pymorphy3's analyses of a word, remembered: the same names are declined over and over."""
    return tuple(morph().parse(word))


_VOWELS = "аеёиоуыэюя"
_INDECLINABLE_ENDINGS = "еиоуыэю"  # Гарри, Фродо, Пьеро: foreign names ending so do not decline
_NAME_TAGS = ("Name", "Surn", "Patr")
_ADJECTIVES = ("ADJF", "PRTF")  # "Серый", and participles used as nouns: "управляющий"


def is_cyrillic(word: str) -> bool:
    return any("а" <= ch <= "я" or ch == "ё" for ch in word.lower())


def _nominative_parses(word: str) -> list[pymorphy3.analyzer.Parse]:
    return [
        p
        for p in parse_word(word.lower())
        if p.tag.POS in ("NOUN", *_ADJECTIVES) and p.tag.case == "nomn" and p.tag.number != "plur"
    ]


def _is_nominal(word: str) -> bool:
    """Can the word stand in a noun phrase in the nominative (so it declines with the phrase)?"""
    if not is_cyrillic(word):
        return True
    if not morph().word_is_known(word.lower()):
        return True
    if word[:1].isupper() and (_MALE_SURNAME.search(word.lower()) or _FEMALE_SURNAME.search(word.lower())):
        return True  # "Сомов" is also "сомов", the genitive plural of "сом"
    return any(
        p.tag.POS in ("NOUN", *_ADJECTIVES) and p.tag.case == "nomn" and "Abbr" not in p.tag and p.score > 0.01
        for p in parse_word(word.lower())
    )


def declinable_prefix(words: list[str]) -> int:
    """How many leading words decline together: 'Кот в сапогах' → 1, 'Гарри Поттер' → 2."""
    count = 0
    for word in words:
        if not all(_is_nominal(part) for part in word.split("-") if part):
            break
        count += 1
    return count


def _keep_spelling(original: str, declined: str) -> str:
    """Give the declined word the original's capitals, and no ё in the stem where the original had е.

    An ending keeps its ё ("царём", "Ильёй"); a stem does not ("Вейдер" stays "Вейдера", not "Вейдёра").
    """
    if "ё" not in original.lower():
        stem_length = len(original) - 1
        declined = declined[:stem_length].replace("ё", "е") + declined[stem_length:]
    if original.isupper() and len(original) > 1:
        return declined.upper()
    if original[:1].isupper():
        return declined[:1].upper() + declined[1:]
    return declined


def _gender_grammeme(gender: Gender) -> str:
    return {"male": "masc", "female": "femn", "neutral": "neut"}[gender]


def _best_person_parse(word: str, gender: Gender, capitalised: bool) -> pymorphy3.analyzer.Parse | None:
    wanted = _gender_grammeme(gender)

    def fitness(p: pymorphy3.analyzer.Parse) -> float:
        gender_fits = p.tag.gender == wanted or "ms-f" in p.tag
        # only a capitalised word may be a name: "Снежная королева" is a queen, not Mrs Korolyova
        is_name = capitalised and any(tag in p.tag for tag in _NAME_TAGS)
        return p.score + 2.0 * gender_fits + 0.5 * (p.tag.animacy == "anim") + 0.5 * is_name

    parses = _nominative_parses(word)
    return max(parses, key=fitness) if parses else None


def _decline_person_word(word: str, gender: Gender, case: str) -> str:
    if not is_cyrillic(word) or case == "nomn":
        return word
    lower = word.lower()
    known = morph().word_is_known(lower)
    if not known and lower[-1] in _INDECLINABLE_ENDINGS:
        return word
    if gender == "female" and lower[-1] not in "аяь" and (word[:1].isupper() or not known):
        return word  # Грейнджер, Кармен: women's names in a consonant keep; "биолог Майя" declines "биолога"
    if word[:1].isupper() and _looks_like_surname(lower, gender):
        return _keep_spelling(word, _decline_surname(lower, gender, case))
    parse = _best_person_parse(lower, gender, word[:1].isupper())
    if parse is None and lower[-1] in "ая":
        return _keep_spelling(word, _first_declension(lower, case))
    if parse is None or "Fixd" in parse.tag:
        return word
    declined = _inflect_person(parse, gender, case)
    return _keep_spelling(word, declined) if declined else word


_MALE_SURNAME = re.compile(r"(ов|ев|ёв|ин|ын)$")
_FEMALE_SURNAME = re.compile(r"(ова|ева|ёва|ина|ына)$")


def _looks_like_surname(word: str, gender: Gender) -> bool:
    """'Хмуров', 'Каренина': the dictionary guesses such surnames wrong ('Хмурвом'), a rule does not.

    Not a first name (Мартин, Марина) and not a common noun (Дельфин).
    """
    pattern = _FEMALE_SURNAME if gender == "female" else _MALE_SURNAME
    if not pattern.search(word):
        return False
    if not morph().word_is_known(word):
        return True
    return not any(p.tag.POS == "NOUN" and "Surn" not in p.tag for p in _nominative_parses(word))


_PETROVICH_CASES = {"gent": "GENITIVE", "datv": "DATIVE", "accs": "ACCUSATIVE", "ablt": "INSTRUMENTAL", "loct": "PREPOSITIONAL"}


@cache
def _petrovich() -> PetrovichDeclinationMaker:
    return PetrovichDeclinationMaker()


def _decline_surname(word: str, gender: Gender, case: str) -> str:
    """pytrovich's rules for Russian surnames: 'Каренина' → 'Карениной', 'Хмуров' → 'Хмуровым'."""
    if case == "nomn":
        return word
    petrovich_gender = PetrovichGender.FEMALE if gender == "female" else PetrovichGender.MALE
    return _petrovich().make(NamePart.LASTNAME, petrovich_gender, PetrovichCase[_PETROVICH_CASES[case]], word)


def _first_declension(word: str, case: str) -> str:
    """Endings of an -а/-я name the dictionary does not know: 'Микулишна' → 'Микулишны'."""
    stem, soft = word[:-1], word.endswith("я")
    hushing = stem[-1:] in "гкхжшщч"
    endings = {
        "gent": "и" if soft or hushing else "ы",
        "datv": "е",
        "accs": "ю" if soft else "у",
        "ablt": "ей" if soft or stem[-1:] in "жшщчц" else "ой",
        "loct": "е",
    }
    return stem + endings.get(case, word[-1])


def _inflect_person(parse: pymorphy3.analyzer.Parse, gender: Gender, case: str) -> str | None:
    # A man's name in the accusative takes the genitive form (animate), even where the dictionary
    # guessed the unknown word to be inanimate ("Вейдер", "Колобок").
    if parse.tag.POS in _ADJECTIVES:
        grammemes = {case, "sing", _gender_grammeme(gender)}
        if case == "accs" and gender == "male":
            grammemes = {"gent", "sing", "masc"}
        form = parse.inflect(grammemes)
        return form.word if form else None
    form = parse.inflect({case, "sing"})
    if form and case == "accs" and gender == "male":
        nominative = parse.inflect({"nomn", "sing"})
        if nominative and nominative.word == form.word:
            form = parse.inflect({"gent", "sing"})
    return form.word if form else None


def _decline_compound(word: str, decline_part) -> str:
    """'Соловей-разбойник' declines both halves, 'Жар-птица' only the second (the first is another gender)."""
    parts = word.split("-")
    if len(parts) == 1:
        return decline_part(word, True)
    last = decline_part(parts[-1], True)
    head = [decline_part(part, _same_gender(part, parts[-1])) for part in parts[:-1]]
    return "-".join([*head, last])


def _same_gender(first: str, second: str) -> bool:
    if not (is_cyrillic(first) and is_cyrillic(second)):
        return False
    a, b = _nominative_parses(first), _nominative_parses(second)
    return bool(a and b and a[0].tag.POS == "NOUN" and a[0].tag.gender == b[0].tag.gender)


def decline_person_ru(name: str, gender: Gender) -> dict[str, str]:
    """All six cases of a person's name: 'Гарри Поттер' → {'gent': 'Гарри Поттера', ...}."""
    return dict(_declined_person(name, gender))


@lru_cache(maxsize=4096)
def _declined_person(name: str, gender: Gender) -> tuple[tuple[str, str], ...]:
    words = name.split()
    prefix = declinable_prefix(words)
    forms = {}
    for case in CASES:
        declined = [
            _decline_compound(word, lambda part, ok: _decline_person_word(part, gender, case) if ok else part)
            for word in words[:prefix]
        ]
        forms[case] = " ".join(declined + words[prefix:])
    return tuple(forms.items())


@dataclass(frozen=True)
class _Head:
    index: int
    parse: pymorphy3.analyzer.Parse

    @property
    def agreement(self) -> int:
        if self.parse.tag.number == "plur":
            return PLURAL
        return {"masc": MASCULINE, "femn": FEMININE, "neut": NEUTER}.get(self.parse.tag.gender, MASCULINE)


def _thing_head(words: list[str]) -> _Head | None:
    """The head noun of a phrase: the first word that is more likely a noun than an adjective."""
    for index, word in enumerate(words):
        if not is_cyrillic(word):
            return None
        parses = parse_word(word.lower())
        nouns = [p for p in parses if p.tag.POS == "NOUN" and p.tag.case == "nomn"]
        adjective_score = sum(p.score for p in parses if p.tag.POS in _ADJECTIVES)
        if nouns and sum(p.score for p in nouns) > adjective_score:
            return _Head(index, max(nouns, key=lambda p: p.score + 0.5 * (p.tag.animacy == "inan")))
    return None


def _agreeing_adjective(word: str, head: _Head, case: str) -> str:
    tag = head.parse.tag
    number = tag.number or "sing"
    wanted = {case, number} | ({tag.gender} if number == "sing" and tag.gender else set())
    for parse in parse_word(word.lower()):
        if parse.tag.POS not in _ADJECTIVES:
            continue
        animacy = {tag.animacy} if case == "accs" and tag.animacy else set()
        form = parse.inflect(wanted | animacy) or parse.inflect(wanted)
        if form:
            return _keep_spelling(word, form.word)
    return word


# Nouns whose "в/на ..." form is the second locative: в лесу, на берегу (not "в лесе").
_SECOND_LOCATIVE = frozenset("лес бор сад берег мост пруд снег лед край угол шкаф порт рай ад плен дым мох луг пол бал круг тыл".split())


def decline_thing_ru(phrase: str) -> tuple[dict[str, str], int]:
    """Cases of a noun phrase ('Ночной поезд' → 'Ночного поезда'...) and the agreement it gives a verb.

    Conjoined phrases decline each part: 'Война и мир' → 'Войны и мира' (and take a plural verb).
    """
    parts = [part.split() for part in re.split(r"\s+и\s+", phrase) if part.strip()]
    declined = [_decline_noun_phrase(words) for words in parts]
    if len(declined) == 1:
        return declined[0]
    forms = {case: " и ".join(part[0].get(case, part[0]["nomn"]) for part in declined) for case in declined[0][0]}
    return forms, PLURAL


def _decline_noun_phrase(words: list[str]) -> tuple[dict[str, str], int]:
    head = _thing_head(words[: declinable_prefix(words)])
    if head is None:
        return {case: " ".join(words) for case in (*CASES, "loc2")}, MASCULINE
    forms = {}
    for case in (*CASES, "loc2"):
        head_case = case if case != "loc2" or head.parse.normal_form.replace("ё", "е") in _SECOND_LOCATIVE else "loct"
        if case == "accs" and _accusative_is_nominative(head.parse):
            head_case = "nomn"  # the dictionary may hold an animate paradigm: "меч-кладенец", not "меч-кладенца"
        declined_head = head.parse.inflect({head_case, head.parse.tag.number or "sing"}) or head.parse.inflect({head_case})
        head_word = _keep_spelling(words[head.index], declined_head.word) if declined_head else words[head.index]
        adjective_case = "loct" if case == "loc2" else case
        adjectives = [_agreeing_adjective(w, head, adjective_case) for w in words[: head.index]]
        forms[case] = " ".join([*adjectives, head_word, *words[head.index + 1 :]])
    return forms, head.agreement


def _accusative_is_nominative(parse: pymorphy3.analyzer.Parse) -> bool:
    """Inanimate nouns take the accusative like the nominative, except feminine ones in -а/-я (вода → воду)."""
    if parse.tag.animacy == "anim":
        return False
    return parse.tag.number == "plur" or parse.tag.gender != "femn"


def with_preposition_ru(preposition: str, phrase: str) -> str:
    """'с' + 'Змеем' → 'со Змеем', 'о' + 'острове' → 'об острове'."""
    first = phrase.lower()
    second_is_consonant = len(first) > 1 and first[1].isalpha() and first[1] not in _VOWELS
    if preposition == "о" and first[:1] in "аоуэиы":
        preposition = "об"
    elif preposition == "с" and first[:1] in "сзжшщ" and second_is_consonant:
        preposition = "со"
    elif preposition == "в" and first[:1] in "вф" and second_is_consonant:
        preposition = "во"
    elif preposition == "к" and first.startswith(("мн", "вс", "вт", "льв", "рт", "дн")):
        preposition = "ко"
    return f"{preposition} {phrase}"


# --------------------------------------------------------------------------------------------
# English noun phrases

_LATIN_FROM_CYRILLIC = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch _ y _ e yu ya".split(),
    )
)


def transliterate(text: str) -> str:
    """'Гарри Поттер' → 'Garri Potter': English narration cannot read Cyrillic."""
    out = []
    for ch in text:
        latin = _LATIN_FROM_CYRILLIC.get(ch.lower())
        if latin is None:
            out.append(ch)
            continue
        latin = latin.replace("_", "")
        out.append(latin.capitalize() if ch.isupper() else latin)
    return "".join(out)


def english_person(name: str) -> dict[str, str]:
    """A name, and how one addresses its bearer: 'the old father' → 'old father' ('Go, old father, ...')."""
    address = name[4:] if name.lower().startswith("the ") else name
    return {"nomn": name, "voc": address}


def english_thing(phrase: str, plural: bool = False, proper: bool = False) -> tuple[dict[str, str], int]:
    """Article forms of a thing: {'a': 'an old map', 'the': 'the old map'}; titles keep their own article."""
    words = phrase.split()
    if words and words[0].lower() in ("the", "a", "an"):
        definite = " ".join(["the", *words[1:]])
        forms = {"nomn": definite, "a": phrase[0].lower() + phrase[1:], "the": definite}
    elif proper:
        forms = {"nomn": f"the {phrase}", "a": f"the {phrase}", "the": f"the {phrase}"}
    else:
        article = "some" if plural else ("an" if phrase[:1].lower() in "aeiou" else "a")
        forms = {"nomn": f"the {phrase}", "a": f"{article} {phrase}", "the": f"the {phrase}"}
    return forms, PLURAL if plural else MASCULINE


# --------------------------------------------------------------------------------------------
# Reading the title


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
    return " ".join(word for word in words if word)[:200]


def read_title(title: str, language: Language) -> TitleReading:
    """Who or what the title names. Each word is read in the language of its script, whatever the story's."""
    cleaned = clean_title(title)
    words = [word for word in cleaned.split() if len(word) <= _MAX_WORD_LENGTH]
    if not words:
        return TitleReading(cleaned=cleaned)
    cut = next((i for i, w in enumerate(words) if w.lower() in _CONJUNCTIONS and i > 0), len(words))
    head, rest = words[:cut][:_MAX_NAME_WORDS], words[cut + 1 :][:_MAX_NAME_WORDS]
    night = any(lemma(word, script_pack(word)) in script_pack(word).night_words for word in words[:12])
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


def script_pack(word: str) -> LanguagePack:
    """The language pack that knows the word: Russian for Cyrillic, English for Latin."""
    return russian.PACK if is_cyrillic(word) else english.PACK


def lemma(word: str, pack: LanguagePack) -> str:
    lower = word.lower()
    if is_cyrillic(lower):
        return _russian_lemma(lower)
    if lower.endswith("s") and (lower[:-1] in pack.prop_words or lower[:-1] in pack.setting_words):
        return lower[:-1]
    return lower


@cache
def _russian_lemma(word: str) -> str:
    return parse_word(word)[0].normal_form.replace("ё", "е")


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
        names = [p for p in _nominative_parses(word) if any(t in p.tag for t in _NAME_TAGS)]
        if names:
            return _gender_of(max(names, key=lambda p: p.score).tag.gender, word)
    for word in nominal:  # else the head noun: 'Снежная королева', 'Баба Яга'
        nouns = [p for p in _nominative_parses(word) if p.tag.POS == "NOUN"]
        if nouns:
            return _gender_of(max(nouns, key=lambda p: p.score + (p.tag.animacy == "anim")).tag.gender, word)
    return _gender_of(None, nominal[-1])


def _names_a_person(word: str, position: int) -> bool:
    lower = word.lower()
    if not morph().word_is_known(lower):
        return word[:1].isupper() or position == 0
    nouns = [p for p in _nominative_parses(lower) if p.tag.POS == "NOUN"]
    if any(any(t in p.tag for t in _NAME_TAGS) and p.score >= 0.25 for p in nouns):
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
    head_noun = _english_singular(content[before_preposition - 1])
    if head_noun in english.PERSON_NOUNS:  # "The Snow Queen", "The Little Prince"
        return english.PERSON_NOUNS[head_noun]
    if content[0] in english.FEMALE_NAMES:
        return "female"
    if content[0] in english.MALE_NAMES:
        return "male"
    all_capitalised = all(w[:1].isupper() for w in words)
    if has_article or not all_capitalised or any(_english_singular(w) in english.COMMON_WORDS for w in content):
        return None
    titled = next((english.PERSON_NOUNS[w] for w in content if w in english.PERSON_NOUNS), None)  # "Queen Elizabeth"
    return titled or ("female" if content[0].endswith("a") else "male")


def _english_singular(word: str) -> str:
    if word.endswith("s") and not word.endswith("ss") and (word[:-1] in english.PERSON_NOUNS or word[:-1] in english.COMMON_WORDS):
        return word[:-1]
    return word


def display_name(words: list[str]) -> str:
    """A person's name as the story writes it: 'гарри поттер' → 'Гарри Поттер', 'Snow Queen' → 'the Snow Queen'."""
    if is_cyrillic(" ".join(words)):
        return " ".join(w[:1].upper() + w[1:] if _is_proper(w) else w for w in words)
    lowered = [w.lower() for w in words]
    if lowered[0] in _ARTICLES:
        return " ".join(["the", *words[1:]])
    if any(_english_singular(w) in english.PERSON_NOUNS for w in lowered[-1:]) and len(words) > 1:
        return "the " + " ".join(words)
    if all(w.islower() for w in words):
        return " ".join(w.capitalize() for w in words)
    return " ".join(words)


def _is_proper(word: str) -> bool:
    lower = word.lower()
    if not morph().word_is_known(lower):
        return True
    return any(any(t in p.tag for t in _NAME_TAGS) and p.score >= 0.25 for p in _nominative_parses(lower))


# --------------------------------------------------------------------------------------------
# The cast: who and what the tale is about


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
        return any("Name" in p.tag and p.score >= 0.25 for p in _nominative_parses(word))
    return word.lower() not in english.COMMON_WORDS and word.lower() not in english.PERSON_NOUNS


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
    lemmas = [(lemma(word, script_pack(word)), script_pack(word)) for word in thing.split()]
    props = tuple(pack.prop_words[x] for x, pack in lemmas if x in pack.prop_words)
    portable = any(x in pack.portable_words for x, pack in lemmas)
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
        found = script_pack(word).setting_words.get(lemma(word, script_pack(word))) or found
    return found


# --------------------------------------------------------------------------------------------
# Rendering templates

_SLOT = re.compile(r"\{(?:(\w+) )?([a-z_]+)(?:\.([a-z]+))?(?::(\w+))?(?:\|([^{}]*))?\}")
_SPEECH = re.compile(r"^(hero|villain|helper|elder): (.*)$", re.S)
_NOT_PLAIN = re.compile(r"[^\w\s.,!?:;-]")


@dataclass
class Rendered:
    lines: list[Line]
    mentions: set[str]  # roles and places the lines name
    words: int = 0

    def __post_init__(self) -> None:
        self.words = sum(count_words(line.text) for line in self.lines)


@dataclass
class Renderer:
    cast: Cast
    words: Mapping[str, str]
    language: Language

    def chunk(self, chunk: Chunk) -> Rendered:
        lines, mentions = [], set()
        for template in (chunk,) if isinstance(chunk, str) else chunk:
            speaker, template = self._speaker(template)
            text = self.text(template, mentions)
            lines.append(Line(text=text, speaker=speaker))
            if speaker != "narrator":
                mentions.add(speaker)
        return Rendered(lines, mentions)

    def text(self, template: str, mentions: set[str]) -> str:
        return plain_text(capitalise_sentences(self._fill(template, mentions, depth=0)))

    @staticmethod
    def _speaker(template: str) -> tuple[str, str]:
        match = _SPEECH.match(template)
        return (match.group(1), match.group(2)) if match else ("narrator", template)

    def _fill(self, template: str, mentions: set[str], depth: int) -> str:
        if depth > 4:
            raise ValueError(f"templates nest too deep: {template!r}")
        return _SLOT.sub(lambda m: self._slot(m, mentions, depth), template)

    def _slot(self, match: re.Match, mentions: set[str], depth: int) -> str:
        preposition, name, place_form, case, alternatives = match.groups()
        if alternatives is not None:
            options = alternatives.split("|")
            index = self.cast.entities[name].agreement
            return options[index] if index < len(options) else options[0]
        if place_form:
            mentions.add(name)
            return self._fill(getattr(self.cast.places[name], place_form), mentions, depth + 1)
        if name in self.cast.entities:
            mentions.add(name)
            text = self.cast.entities[name].form(case or "nomn")
        elif name in self.words:
            text = self._fill(self.words[name], mentions, depth + 1)
        else:
            raise KeyError(f"unknown template slot {name!r} in {match.group(0)!r}")
        if preposition:
            return with_preposition_ru(preposition, text) if self.language == "ru" else f"{preposition} {text}"
        return text


def capitalise_sentences(text: str) -> str:
    text = re.sub(r"([.!?]\s+)(\w)", lambda m: m.group(1) + m.group(2).upper(), text)
    return re.sub(r"^(\W*)(\w)", lambda m: m.group(1) + m.group(2).upper(), text)


def plain_text(text: str) -> str:
    """Only letters, digits, spaces and .,!?:;- : the narrator's TTS fails on « » — … % № and the like."""
    text = _NOT_PLAIN.sub(" ", text.replace("_", " "))
    text = re.sub(r"\s+([.,!?:;])", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


# --------------------------------------------------------------------------------------------
# Planning and fitting the plot


@dataclass
class PlannedScene:
    functions: list[str]
    beats: list[Beat]
    parts: list[list[Rendered]] = field(default_factory=list)  # per beat: its chunks, rendered
    closings: list[Rendered] = field(default_factory=list)  # the beats' `last` chunks: always in, at the end
    included: list[int] = field(default_factory=list)  # per beat: how many chunks are in
    sights: list[Rendered] = field(default_factory=list)  # the place described, after the scene's first line
    moods: list[Rendered] = field(default_factory=list)  # the genre's mood, opening the scene
    first: bool = False  # the tale's first scene: its opening formula must stay first

    def rendered(self) -> list[Rendered]:
        told = [chunk for part, n in zip(self.parts, self.included) for chunk in part[:n]]
        if self.first:
            return [*told[:1], *self.moods, *self.sights, *told[1:], *self.closings]
        return [*self.moods, *told[:1], *self.sights, *told[1:], *self.closings]

    @property
    def words(self) -> int:
        return sum(r.words for r in self.rendered())


def plan_functions(request: StoryRequest, rng: random.Random) -> list[list[str]]:
    plan = []
    for scene in SKELETONS[request.length]:
        kept = [f.rstrip("?") for f in scene if not f.endswith("?") or rng.random() < 0.5]
        if kept:
            plan.append(kept)
    return plan


def choose_beat(function: str, genre: Genre, features: set[str], pack: LanguagePack, rng: random.Random) -> Beat | None:
    candidates = [b for b in pack.beats.get(function, ()) if genre in b.genres and b.needs <= features]
    if not candidates:
        return None
    # Beats written for a few genres carry the genre's flavour: prefer them.
    weights = [1.0 if len(b.genres) == len(Genre) else 3.0 for b in candidates]
    return rng.choices(candidates, weights=weights)[0]


@dataclass(frozen=True)
class Extra:
    """A descriptive line that may be added to fill length: a sight of one scene's place, or a mood for any scene."""

    rendered: Rendered
    scene: int | None = None  # None: a mood, goes to the scene that is shortest then


def tell_essentials(scenes: list[PlannedScene]) -> None:
    """Each beat's first chunk, and some dialogue even in the shortest tale: characters speak in every story."""
    for scene in scenes:
        scene.included = [1 for _ in scene.beats]
    if not any(has_dialogue(chunk) for scene in scenes for chunk in scene.rendered()):
        include_shortest_chunk(scenes, has_dialogue)


def fit_length(scenes: list[PlannedScene], extras: list[Extra], target: int) -> None:
    """Add chunks, a round at a time over the whole tale, then descriptive lines, until long enough."""
    total = sum(scene.words for scene in scenes)
    depth = max((len(part) for scene in scenes for part in scene.parts), default=1)
    for level in range(1, depth):
        for scene in scenes:
            for index, part in enumerate(scene.parts):
                if total >= target:
                    return
                if len(part) > level and scene.included[index] <= level:
                    scene.included[index] = level + 1
                    total += part[level].words
    for extra in extras:
        if total >= target:
            return
        if extra.scene is not None:
            scenes[extra.scene].sights.append(extra.rendered)
        else:
            shortest = min(scenes, key=lambda scene: (len(scene.moods), scene.words))
            shortest.moods.append(extra.rendered)
        total += extra.rendered.words


def shorten_repeated_names(lines: list[Line], short_names: Mapping[str, ShortName]) -> list[Line]:
    """Within a scene, name a character in full once, then mostly by the short name: 'Гарри Поттер ... Гарри'.

    A repeated nominative is always shortened; other cases alternate full and short, because it is
    there that a reader sees the name decline ('Гарри Поттеру', 'Гарри Поттером').
    """
    for short in short_names.values():
        fulls = sorted(short.full_to_short, key=len, reverse=True)
        pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(f) for f in fulls) + r")(?!\w)", re.IGNORECASE)
        state = {"named": False, "last_full": True}

        def shorten(match: re.Match) -> str:
            full = match.group(0)
            canonical = full if full in short.full_to_short else _lower_first(full)
            nominative = canonical == short.nominative
            if not state["named"] or (not nominative and not state["last_full"]):
                state["named"], state["last_full"] = True, True
                return full
            state["last_full"] = False
            replacement = short.full_to_short.get(canonical, full)
            return replacement[:1].upper() + replacement[1:] if full[:1].isupper() else replacement

        lines = [Line(text=pattern.sub(shorten, line.text), speaker=line.speaker) for line in lines]
    return lines


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def drop_repeated_sentences(lines: list[Line], seen: set[str]) -> list[Line]:
    """Lines without the sentences already told (`seen` holds them, and learns the new ones)."""
    kept = []
    for line in lines:
        fresh = []
        for sentence in sentenize(line.text):
            key = re.sub(r"\W+", " ", sentence.text.lower()).strip()
            if key and key not in seen:
                seen.add(key)
                fresh.append(sentence.text)
        if fresh:
            kept.append(Line(text=" ".join(fresh), speaker=line.speaker))
    return kept


MIN_HERO_CASE_FORMS = 3


def hero_case_forms(story: Story) -> set[str]:
    """The declined forms of the hero's name (in full or short) that a Russian story's text uses."""
    hero = story.character("hero")
    if hero is None:
        return set()
    text = " ".join(line.text for line in story.lines)
    return {form.lower() for form in _hero_forms(hero.name, hero.gender) if _mentions(text, form)}


def _hero_forms(name: str, gender: Gender) -> set[str]:
    names = filter(None, (name, short_name(name)))
    return {form for each in names for form in decline_person_ru(each, gender).values()}


def _mentions(text: str, phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text, re.IGNORECASE) is not None


def include_shortest_chunk(scenes: list[PlannedScene], wanted) -> bool:
    """Take in the shortest next chunk of any beat for which `wanted(chunk)` holds; False if none does."""
    candidates = [
        (part[scene.included[index]].words, scene, index)
        for scene in scenes
        for index, part in enumerate(scene.parts)
        if scene.included[index] < len(part) and wanted(part[scene.included[index]])
    ]
    if not candidates:
        return False
    _, scene, index = min(candidates, key=lambda candidate: candidate[0])
    scene.included[index] += 1
    return True


def tell_more_of_the_hero(scenes: list[PlannedScene], story: Story, hero_lines: list[Rendered]) -> bool:
    """Take in the shortest next chunk that names the hero in a form the story lacks, else one of the
    language's hero lines (into the shortest scene); False if nothing does.

    A reader of a Russian tale should see the hero's name decline ("Гарри Поттера", "Гарри Поттеру"),
    and a short tale told only by its essential chunks may name the hero in the nominative alone.
    """
    hero = story.character("hero")
    if hero is None:
        return False
    present = hero_case_forms(story)
    missing = {form for form in _hero_forms(hero.name, hero.gender) if form.lower() not in present}

    def names_missing(rendered: Rendered) -> bool:
        return any(_mentions(line.text, form) for line in rendered.lines for form in missing)

    if include_shortest_chunk(scenes, names_missing):
        return True
    line = next((line for line in hero_lines if names_missing(line)), None)
    if line is None:
        return False
    hero_lines.remove(line)
    min(scenes, key=lambda scene: scene.words).moods.append(line)
    return True


def has_dialogue(rendered: Rendered) -> bool:
    return any(line.speaker != "narrator" for line in rendered.lines)


# --------------------------------------------------------------------------------------------
# The writer


class PlotGrammarWriter:
    """Propp's functions told with genre lexicons; seeded, so the same request gives the same tale."""

    def write(self, request: StoryRequest) -> Story:
        rng = random.Random(f"{request.title}\n{request.genre}\n{request.language}\n{request.length}\n{request.seed}")
        pack = PACKS[request.language]
        lexicon = pack.genres[request.genre]
        reading = read_title(request.title, request.language)
        cast = cast_story(reading, lexicon, pack, rng, request.language)
        renderer = Renderer(cast, {slot: rng.choice(options) for slot, options in lexicon.words.items()}, request.language)
        features = {"portable_quest"} if cast.entities["quest"].portable else set()
        planned = plan_functions(request, rng)
        features.add("donor" if any("donor" in scene for scene in planned) else "no_donor")
        scenes = self._plan(request, planned, features, pack, rng)
        for scene in scenes:
            scene.parts = [[renderer.chunk(chunk) for chunk in beat.chunks] for beat in scene.beats]
            scene.closings = [renderer.chunk(chunk) for beat in scene.beats for chunk in beat.last]
        scenes[0].first = True
        tell_essentials(scenes)
        fit_length(scenes, self._extras(scenes, lexicon, cast, renderer, rng), target_words(request))
        self._describe_bare_scenes(scenes, cast, renderer, pack)
        story = self._story(request, reading, scenes, cast, lexicon.night or reading.night, pack)
        hero_lines = [renderer.chunk(line) for line in pack.hero_lines]
        while request.language == "ru" and len(hero_case_forms(story)) < MIN_HERO_CASE_FORMS:
            if not tell_more_of_the_hero(scenes, story, hero_lines):
                break
            story = self._story(request, reading, scenes, cast, lexicon.night or reading.night, pack)
        return story

    def _describe_bare_scenes(self, scenes: list[PlannedScene], cast: Cast, renderer: Renderer,
                              pack: LanguagePack) -> None:
        """A scene with nothing to draw in its words gets a line describing its place."""
        described = {line.text for scene in scenes for r in scene.sights for line in r.lines}
        for scene in scenes:
            rendered = scene.rendered()
            lines = [line for r in rendered for line in r.lines]
            mentions = set().union(*(r.mentions for r in rendered))
            if self._props(scene, lines, mentions, cast, pack):
                continue
            place = cast.places[WHERE[scene.functions[0]]]
            for sight in map(renderer.chunk, place.sights):
                if sight.lines[0].text not in described:
                    scene.sights.append(sight)
                    described.add(sight.lines[0].text)
                    break

    @staticmethod
    def _plan(request: StoryRequest, planned: list[list[str]], features: set[str], pack: LanguagePack,
              rng: random.Random) -> list[PlannedScene]:
        scenes = []
        for functions in planned:
            chosen = [(f, choose_beat(f, request.genre, features, pack, rng)) for f in functions]
            kept = [(f, b) for f, b in chosen if b is not None]
            if kept:
                scenes.append(PlannedScene(functions=[f for f, _ in kept], beats=[b for _, b in kept]))
        return scenes

    @staticmethod
    def _extras(scenes: list[PlannedScene], lexicon: GenreLexicon, cast: Cast, renderer: Renderer,
                rng: random.Random) -> list[Extra]:
        """Descriptive lines to fill length: each place's sights in its own scenes, then the genre's moods."""
        extras: list[Extra] = []
        for where, place in cast.places.items():
            at = [i for i, s in enumerate(scenes) if WHERE[s.functions[0]] == where]
            sights = list(place.sights)
            rng.shuffle(sights)
            extras += [Extra(renderer.chunk(line), at[i % len(at)]) for i, line in enumerate(sights) if at]
        extras += [Extra(renderer.chunk(line)) for line in lexicon.atmosphere]
        rng.shuffle(extras)  # sights and moods interleave, so that no single scene swells
        return extras

    def _story(self, request: StoryRequest, reading: TitleReading, planned: list[PlannedScene], cast: Cast,
               night: bool, pack: LanguagePack) -> Story:
        scenes, mentioned = [], set()
        told: set[str] = set()
        for index, scene in enumerate(planned):
            rendered = scene.rendered()
            lines = drop_repeated_sentences([line for r in rendered for line in r.lines], told)
            if not lines:
                continue
            lines = shorten_repeated_names(lines, cast.short_names)
            mentions = set().union(*(r.mentions for r in rendered))
            mentioned |= mentions
            scenes.append(
                Scene(
                    setting=cast.places[WHERE[scene.functions[0]]].setting,
                    time_of_day=self._time_of_day(scene, index == len(planned) - 1, request.genre, night),
                    props=self._props(scene, lines, mentions, cast, pack),
                    lines=tuple(lines),
                )
            )
        mentioned.add("hero")
        characters = tuple(c for role, c in cast.characters.items() if role in mentioned)
        title = reading.cleaned or cast.characters["hero"].name
        if request.language == "en" and is_cyrillic(title):
            title = transliterate(title)
        return Story(request=request, title=title, characters=characters, scenes=tuple(scenes))

    @staticmethod
    def _time_of_day(scene: PlannedScene, last: bool, genre: Genre, night: bool) -> TimeOfDay:
        time = DAYTIME[scene.functions[0]]
        if last and genre in DARK_ENDINGS:
            return "dusk" if time == "day" else time
        if night and time == "day":
            return "dusk"
        if night and time == "dawn" and not last:
            return "night"
        return time

    @staticmethod
    def _props(scene: PlannedScene, lines: list[Line], mentions: set[str], cast: Cast,
               pack: LanguagePack) -> tuple[str, ...]:
        props: list[str] = [p for beat in scene.beats for p in beat.props]
        props += [p for role in ("villain", "helper", "quest", "gift") if role in mentions for p in cast.entities[role].props]
        for line in lines:
            for word in re.findall(r"\w+", line.text):
                key = pack.prop_words.get(lemma(word, pack))
                if key:
                    props.append(key)
        return tuple(dict.fromkeys(props))[:MAX_PROPS]
