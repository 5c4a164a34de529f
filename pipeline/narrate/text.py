"""Text the engines can read: numbers, dates and abbreviations spelled out in words of the story's
language, the punctuation that makes festival write an empty wav removed, long lines cut into pieces.

The order matters: `spell_out` runs on the text as written (it needs "25 ноября" and "т. е."),
stress marks go on the words it produced, and `speakable` comes last because it drops signs.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from num2words import num2words
from razdel import sentenize

from pipeline.morph import morph
from pipeline.types import Language

MAX_CHUNK_CHARS = 220  # longer text is cut at sentence, then clause, then word boundaries

# --- abbreviations and signs --------------------------------------------------------------------------

ABBREVIATIONS: dict[Language, tuple[tuple[str, str], ...]] = {
    "ru": (
        (r"т\.\s?е\.", "то есть"), (r"т\.\s?д\.", "так далее"), (r"т\.\s?п\.", "тому подобное"),
        (r"т\.\s?к\.", "так как"), (r"и\s+др\.", "и другие"), (r"и\s+пр\.", "и прочее"),
        (r"напр\.", "например"), (r"см\.", "смотри"), (r"г-н", "господин"), (r"г-жа", "госпожа"),
        (r"д-р", "доктор"), (r"проф\.", "профессор"), (r"ул\.", "улица"), (r"св\.", "святой"),
        (r"им\.", "имени"), (r"гл\.", "глава"), (r"стр\.", "страница"), (r"н\.\s?э\.", "нашей эры"),
        (r"до\s+н\.\s?э\.", "до нашей эры"),
    ),
    "en": (
        (r"Mr\.", "Mister"), (r"Mrs\.", "Missus"), (r"Ms\.", "Miss"), (r"Dr\.", "Doctor"), (r"St\.", "Saint"),
        (r"Prof\.", "Professor"), (r"e\.\s?g\.", "for example"), (r"i\.\s?e\.", "that is"),
        (r"etc\.", "et cetera"), (r"vs\.", "versus"), (r"No\.(?=\s*\d)", "number"), (r"Mt\.", "Mount"),
    ),
}  # fmt: skip
# Units after a number: the noun is put in the form the number asks for ("5 км" → "пять километров").
RU_UNITS: dict[str, str] = {
    "км": "километр", "м": "метр", "см": "сантиметр", "кг": "килограмм", "г": "год", "гг": "год",
    "в": "век", "вв": "век", "ч": "час", "мин": "минута", "сек": "секунда", "руб": "рубль", "р": "рубль",
    "коп": "копейка", "тыс": "тысяча", "млн": "миллион", "млрд": "миллиард", "л": "литр", "т": "тонна",
}  # fmt: skip
EN_UNITS: dict[str, tuple[str, str]] = {
    "km": ("kilometre", "kilometres"), "kg": ("kilogram", "kilograms"), "m": ("metre", "metres"),
    "cm": ("centimetre", "centimetres"), "h": ("hour", "hours"), "min": ("minute", "minutes"),
}  # fmt: skip
RU_SIGN_NOUNS = {"%": "процент", "$": "доллар", "€": "евро", "₽": "рубль", "£": "фунт"}
EN_SIGN_NOUNS = {"%": ("percent", "percent"), "$": ("dollar", "dollars"), "€": ("euro", "euros"),
                 "₽": ("rouble", "roubles"), "£": ("pound", "pounds")}  # fmt: skip
SIGNS: dict[Language, dict[str, str]] = {
    "ru": {"№": " номер ", "&": " и ", "§": " параграф ", "°": " градусов ", "$": " долларов ", "€": " евро ",
           "₽": " рублей ", "=": " равно ", "×": " на ", "@": " собака "},
    "en": {"№": " number ", "&": " and ", "§": " section ", "°": " degrees ", "$": " dollars ", "€": " euros ",
           "₽": " roubles ", "=": " equals ", "×": " by ", "@": " at "},
}  # fmt: skip
MONTHS_RU = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
             "ноября", "декабря")  # fmt: skip
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December")  # fmt: skip
# Which case a Russian preposition gives the number after it; the rest read as nominative.
RU_PREPOSITION_CASE: dict[str, str] = {
    **dict.fromkeys(("до", "от", "из", "у", "без", "около", "после", "для", "кроме", "среди"), "genitive"),
    **dict.fromkeys(("к", "ко", "по"), "dative"),
    **dict.fromkeys(("о", "об", "при"), "prepositional"),
    **dict.fromkeys(("со", "над", "под", "перед", "между"), "instrumental"),
}
# Suffix of a written ordinal ("5-го") → (case, gender, plural) for num2words.
RU_ORDINAL_SUFFIX: dict[str, tuple[str, str, bool]] = {
    "й": ("nominative", "m", False), "ый": ("nominative", "m", False), "ой": ("genitive", "f", False),
    "го": ("genitive", "m", False), "ого": ("genitive", "m", False), "му": ("dative", "m", False),
    "ому": ("dative", "m", False), "м": ("prepositional", "m", False), "ом": ("prepositional", "m", False),
    "ым": ("instrumental", "m", False), "я": ("nominative", "f", False), "ая": ("nominative", "f", False),
    "ю": ("accusative", "f", False), "ую": ("accusative", "f", False), "е": ("nominative", "n", False),
    "ое": ("nominative", "n", False), "х": ("genitive", "m", True), "ых": ("genitive", "m", True),
    "ми": ("instrumental", "m", True),
}  # fmt: skip
ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


def roman_value(numeral: str) -> int | None:
    """The value of a well-formed Roman numeral (I..MMMCMXCIX), else None."""
    values = [ROMAN[c] for c in numeral]
    total = sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))
    return total if 0 < total < 4000 and to_roman(total) == numeral else None


def to_roman(number: int) -> str:
    parts = []
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                           (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):  # fmt: skip
        count, number = divmod(number, value)
        parts.append(letters * count)
    return "".join(parts)


# --- numbers ------------------------------------------------------------------------------------------


def words(number: int | float, language: Language, **options: object) -> str:
    return num2words(number, lang=language, **options)


SIGN_AFTER_NUMBER = r"(?P<number>\d+)\s*(?P<sign>[%$€₽£])"


def clock_times(text: str, language: Language) -> str:
    """"10:30" → "десять тридцать" / "ten thirty"."""
    return re.sub(r"\b(?P<hours>\d{1,2}):(?P<minutes>\d{2})\b",
                  lambda m: f"{words(int(m['hours']), language)} {words(int(m['minutes']), language)}", text)  # fmt: skip


def counted(text: str, pattern: str, noun: Callable[[re.Match[str], int], str]) -> str:
    """A number with a sign or unit ("5 км", "3%"): the number stays for later, the sign becomes the
    noun in the form the number asks for."""
    return re.sub(pattern, lambda m: f"{m['number']} {noun(m, int(m['number']))}", text)


def case_before(text: str, position: int) -> str:
    """The case a Russian number at `position` takes from the preposition just before it."""
    before = re.search(r"([А-Яа-яЁё]+)\s*$", text[:position])
    return RU_PREPOSITION_CASE.get(before.group(1).lower(), "nominative") if before else "nominative"


def agree(lemma: str, number: int, case: str = "nominative") -> str:
    """A Russian noun in the form that goes with the number ("5" + "километр" → "километров")."""
    parse = morph().parse(lemma)[0]
    grammeme = {"nominative": "nomn", "genitive": "gent", "dative": "datv", "accusative": "accs",
                "instrumental": "ablt", "prepositional": "loct"}[case]  # fmt: skip
    inflected = parse.inflect({grammeme}) or parse
    agreed = inflected.make_agree_with_number(number) if case in ("nominative", "accusative") else None
    return (agreed or inflected).word


def ru_date(match: re.Match[str]) -> str:
    day, month, year = int(match["day"]), match["month"], match["year"]
    month_name = MONTHS_RU[int(month) - 1] if month.isdigit() else month
    said = f"{words(day, 'ru', to='ordinal', case='genitive', gender='n')} {month_name}"
    return f"{said} {words(int(year), 'ru', to='ordinal', case='genitive')} года" if year else said


def ru_year(match: re.Match[str], text: str) -> str:
    """"в 1812 году", "1812 года", "1812 г." → ordinal year with the noun in its case."""
    case = "prepositional" if match["noun"].lower() in ("году",) else "genitive"
    if match["noun"].lower() in ("г.", "г"):
        case = "prepositional" if case_before(text, match.start()) == "accusative" or re.search(
            r"(?i)\bв\s*$", text[: match.start()]) else "genitive"  # fmt: skip
    noun = {"prepositional": "году", "genitive": "года"}[case]
    return f"{words(int(match['year']), 'ru', to='ordinal', case=case)} {noun}"


def ru_numbers(text: str) -> str:
    text = re.sub(
        r"\b(?P<day>\d{1,2})\.(?P<month>\d{2})\.(?P<year>\d{4})\b",
        lambda m: ru_date(m) if 1 <= int(m["month"]) <= 12 else m.group(0), text,
    )  # fmt: skip
    text = re.sub(rf"\b(?P<day>\d{{1,2}})\s+(?P<month>{'|'.join(MONTHS_RU)})(?:\s+(?P<year>\d{{3,4}})\s+(?:года|г\.))?",
                  ru_date, text)  # fmt: skip
    text = re.sub(r"\b(?P<year>\d{3,4})\s*(?P<noun>году|года|г\.(?!\w))", lambda m: ru_year(m, text), text)
    text = re.sub(r"\b(?P<numeral>[IVXLCDM]+)(?P<noun>\s+(?:век|веке|века|веку|веком)\b)", ru_roman_century, text)
    text = re.sub(r"\b(?P<name>[А-ЯЁ][а-яё]+) (?P<numeral>[IVX]+)\b", ru_regnal, text)
    text = re.sub(r"\b(?P<number>\d+)-(?P<suffix>[а-яё]{1,3})\b", ru_ordinal, text)
    text = clock_times(text, "ru")
    text = counted(text, SIGN_AFTER_NUMBER, lambda m, n: agree(RU_SIGN_NOUNS[m["sign"]], n))
    text = counted(text, rf"\b(?P<number>\d+)\s+(?P<unit>{'|'.join(RU_UNITS)})\.?(?![\w])",
                   lambda m, n: agree(RU_UNITS[m["unit"]], n))  # fmt: skip
    text = re.sub(r"\b\d+,\d+\b", lambda m: words(float(m.group(0).replace(",", ".")), "ru"), text)
    return re.sub(r"\d+", lambda m: words(int(m.group(0)), "ru", case=case_before(text, m.start())), text)


CENTURY_CASES = {"век": "nominative", "века": "genitive", "веку": "dative", "веком": "instrumental",
                 "веке": "prepositional"}  # fmt: skip


def ru_roman_century(match: re.Match[str]) -> str:
    """"в XVIII веке" → "в восемнадцатом веке"."""
    value = roman_value(match["numeral"])
    case = CENTURY_CASES[match["noun"].strip()]
    return words(value, "ru", to="ordinal", case=case) + match["noun"] if value else match.group(0)


def ru_regnal(match: re.Match[str]) -> str:
    """"Пётр I" → "Пётр первый"."""
    value = roman_value(match["numeral"])
    return f"{match['name']} {words(value, 'ru', to='ordinal')}" if value else match.group(0)


def ru_ordinal(match: re.Match[str]) -> str:
    form = RU_ORDINAL_SUFFIX.get(match["suffix"])
    if form is None:
        return f"{match['number']} {match['suffix']}"
    case, gender, plural = form
    return words(int(match["number"]), "ru", to="ordinal", case=case, gender=gender, plural=plural)


def en_numbers(text: str) -> str:
    text = re.sub(
        rf"\b(?P<month>{'|'.join(MONTHS_EN)})\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?:,\s*(?P<year>\d{{4}}))?",
        lambda m: " ".join(filter(None, (m["month"], "the", words(int(m["day"]), "en", to="ordinal"),
                                         m["year"] and words(int(m["year"]), "en", to="year")))),
        text,
    )  # fmt: skip
    text = re.sub(r"\b(?P<before>in|of|since|until|year) (?P<year>1[1-9]\d\d|20\d\d)\b",
                  lambda m: f"{m['before']} {words(int(m['year']), 'en', to='year')}", text)  # fmt: skip
    text = re.sub(r"\b(?P<number>\d+)(?:st|nd|rd|th)\b", lambda m: words(int(m["number"]), "en", to="ordinal"), text)
    text = clock_times(text, "en")
    text = counted(text, SIGN_AFTER_NUMBER, lambda m, n: EN_SIGN_NOUNS[m["sign"]][n != 1])
    text = counted(text, rf"\b(?P<number>\d+)\s*(?P<unit>{'|'.join(EN_UNITS)})\b", lambda m, n: EN_UNITS[m["unit"]][n != 1])
    text = re.sub(r"\b\d+\.\d+\b", lambda m: words(float(m.group(0)), "en"), text)
    return re.sub(r"\d+", lambda m: words(int(m.group(0)), "en"), text)


NUMBER_SPELLERS: dict[Language, Callable[[str], str]] = {"ru": ru_numbers, "en": en_numbers}


def spell_out(text: str, language: Language) -> str:
    """Numbers, dates, abbreviations and signs as the words a reader says."""
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"(?<=\d)[ \u00a0\u202f](?=\d{3}\b)", "", text)  # "1 000 000" is one number
    text = re.sub(r"(?<![\d.,])(\d+)\s*[–—-]\s*(?=\d)", r"от \1 до " if language == "ru" else r"\1 to ", text)
    text = re.sub(r"([$€₽£])\s*(\d+(?:[.,]\d+)?)", r"\2 \1", text)  # "$5" is read "five dollars"
    text = re.sub(r"(?<=\d)\s*\+\s*(?=\d)", " плюс " if language == "ru" else " plus ", text)
    for pattern, said in ABBREVIATIONS[language]:
        text = re.sub(rf"(?<!\w){pattern}", said, text)
    text = NUMBER_SPELLERS[language](text)
    for sign, said in SIGNS[language].items():
        text = text.replace(sign, said)
    return re.sub(r"[ \t]+", " ", text).strip()


# --- punctuation --------------------------------------------------------------------------------------

QUOTES = "«»„“”‟‹›\"`´"
BRACKETS = "()[]{}<>"


def keep_char(char: str) -> str:
    """Cyrillic, ASCII and a few marks stay; accented Latin letters lose their accents; the rest is a space."""
    if char.isascii() or "\u0400" <= char <= "\u04ff":
        return char
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if c.isascii() and c.isalpha())
    return base or " "


def tidy_punctuation(text: str) -> str:
    """Punctuation glued to the word before it, no runs of commas: festival reads nothing when a
    mark stands alone between spaces."""
    text = re.sub(r"\s+([.,!?:;])", r"\1", text)
    text = re.sub(r"([,;:!?])(?=[^\W\d_])", r"\1 ", text)  # festival fails on "иди,если"
    text = re.sub(r"[,;:]+(?=[.!?])", "", text)
    text = re.sub(r"([.!?])[,;:]+", r"\1", text)
    text = re.sub(r"([,;:])[,;:]+", r"\1", text)
    text = re.sub(r"^[\s.,!?:;]+", "", text)
    return re.sub(r"\s+", " ", text).strip()


def speakable(text: str, language: Language, strict: bool = False) -> str:
    """Text the engines read: festival writes an empty wav for « » — – … % № and other marks.

    A `+` right before a letter is a stress mark and stays. `strict` keeps only letters, digits,
    spaces, stress marks and . , (the retry after an engine read nothing).
    """
    text = spell_out(text, language)
    text = text.replace("…", "...")
    text = re.sub(r"[–—]", ",", text)
    text = re.sub(r"(?<=\w)’(?=\w)", "'", text)
    text = re.sub(f"[{re.escape(QUOTES)}’‘]|(?<!\\w)'|'(?!\\w)", " ", text)
    text = re.sub(f"[{re.escape(BRACKETS)}]", ",", text)
    text = "".join(keep_char(c) for c in text)
    text = re.sub(r"[^\w\s.,!?:;+'-]|_", " ", text)
    text = re.sub(r"(?<!\w)-|-(?!\w)|\+(?![^\W\d_])", " ", text)
    if strict:
        text = re.sub(r"[!?]", ".", text)
        text = re.sub(r"[:;]", ",", text)
        text = re.sub(r"['-]", " ", text)
    return tidy_punctuation(text)


# --- long lines ---------------------------------------------------------------------------------------


def sentences(text: str) -> list[str]:
    """The sentences of a text (razdel's sentenizer), each read apart so the pauses between them are ours."""
    return [s.text for s in sentenize(text) if s.text.strip()]


def split_long(text: str, max_chars: int = MAX_CHUNK_CHARS) -> list[str]:
    """Pieces of at most `max_chars` cut at sentence ends, then at clause marks, then between words;
    never inside a word (a single word longer than the limit stays whole)."""
    if len(text) <= max_chars:
        return [text] if text else []
    pieces: list[str] = []
    for sentence in (s.text for s in sentenize(text)):
        for part in cut(sentence, max_chars, (r"(?<=[;:])\s+", r"(?<=,)\s+", r"\s+")):
            if pieces and len(pieces[-1]) + 1 + len(part) <= max_chars:
                pieces[-1] = f"{pieces[-1]} {part}"
            else:
                pieces.append(part)
    return pieces


def cut(text: str, max_chars: int, separators: tuple[str, ...]) -> list[str]:
    """`text` cut at the first kind of separator that makes the parts short enough, recursively."""
    if len(text) <= max_chars or not separators:
        return [text]
    parts = [p for p in re.split(separators[0], text) if p]
    if len(parts) == 1:
        return cut(text, max_chars, separators[1:])
    joined: list[str] = []
    for part in parts:
        if joined and len(joined[-1]) + 1 + len(part) <= max_chars:
            joined[-1] = f"{joined[-1]} {part}"
        else:
            joined.append(part)
    return [piece for part in joined for piece in cut(part, max_chars, separators[1:])]
