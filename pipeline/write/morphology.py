"""Declension for the write stage: Russian names and noun phrases in every case (pymorphy3, pytrovich for
surnames), prepositions in their euphonic forms, and the English forms of persons and things.

Words are read with the one pymorphy3 analyzer of pipeline.morph.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

import pymorphy3
from pytrovich.enums import Case as PetrovichCase
from pytrovich.enums import Gender as PetrovichGender
from pytrovich.enums import NamePart
from pytrovich.maker import PetrovichDeclinationMaker

from pipeline.morph import is_cyrillic, morph
from pipeline.types import Gender

CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct")

# Agreement: the index of the alternative a {role|masc|femn|neut|plur} slot takes.
MASCULINE, FEMININE, NEUTER, PLURAL = range(4)
GENDER_AGREEMENT: dict[Gender, int] = {"male": MASCULINE, "female": FEMININE, "neutral": NEUTER}


# --------------------------------------------------------------------------------------------
# Russian


@lru_cache(maxsize=65536)
def parse_word(word: str) -> tuple[pymorphy3.analyzer.Parse, ...]:
    """pymorphy3's analyses of a word, remembered: the same names are declined over and over."""
    return tuple(morph().parse(word))


_VOWELS = "аеёиоуыэюя"
_INDECLINABLE_ENDINGS = "еиоуыэю"  # Гарри, Фродо, Пьеро: foreign names ending so do not decline
NAME_TAGS = ("Name", "Surn", "Patr")
_ADJECTIVES = ("ADJF", "PRTF")  # "Серый", and participles used as nouns: "управляющий"


def nominative_parses(word: str) -> list[pymorphy3.analyzer.Parse]:
    """The word's analyses as a singular noun or adjective in the nominative."""
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
        is_name = capitalised and any(tag in p.tag for tag in NAME_TAGS)
        return p.score + 2.0 * gender_fits + 0.5 * (p.tag.animacy == "anim") + 0.5 * is_name

    parses = nominative_parses(word)
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
    return not any(p.tag.POS == "NOUN" and "Surn" not in p.tag for p in nominative_parses(word))


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
    a, b = nominative_parses(first), nominative_parses(second)
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

