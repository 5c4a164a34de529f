"""Genre names in each language, their synonyms, and parsing "Title genre" phrases."""
from __future__ import annotations

import re
import unicodedata

from pipeline.language import STORY_LANGUAGES, LanguageGuess, guess_language
from pipeline.types import Genre, Language

__all__ = [
    "GENRE_NAMES", "STORY_LANGUAGES", "LanguageGuess", "genre_name", "guess_language", "parse_genre",
    "read_request", "split_title_and_genre",
]  # fmt: skip

GENRE_NAMES: dict[Language, dict[Genre, str]] = {
    "ru": {
        Genre.fable: "басня",
        Genre.bylina: "былина",
        Genre.fairy_tale: "сказка",
        Genre.novella: "повесть",
        Genre.comedy: "комедия",
        Genre.tragedy: "трагедия",
        Genre.drama: "драма",
        Genre.horror: "ужасы",
        Genre.fantasy: "фэнтези",
        Genre.scifi: "фантастика",
        Genre.detective: "детектив",
    },
    "en": {
        Genre.fable: "fable",
        Genre.bylina: "bylina",
        Genre.fairy_tale: "fairy tale",
        Genre.novella: "novella",
        Genre.comedy: "comedy",
        Genre.tragedy: "tragedy",
        Genre.drama: "drama",
        Genre.horror: "horror",
        Genre.fantasy: "fantasy",
        Genre.scifi: "science fiction",
        Genre.detective: "detective",
    },
}

_SYNONYMS: dict[Genre, tuple[str, ...]] = {
    Genre.fable: ("басни", "басню", "fables", "басенка"),
    Genre.bylina: ("былины", "былину", "epic", "bylinas"),
    Genre.fairy_tale: ("сказки", "сказку", "сказочка", "fairytale", "fairy-tale", "tale", "fairy"),
    Genre.novella: ("повести", "рассказ", "novel", "story"),
    Genre.comedy: ("комедии", "комедию", "смешная", "юмор", "funny", "humor", "humour"),
    Genre.tragedy: ("трагедии", "трагедию", "tragic"),
    Genre.drama: ("драмы", "драму", "dramatic"),
    Genre.horror: ("ужас", "ужастик", "хоррор", "страшилка", "страшная", "страшное", "horrors", "scary"),
    Genre.fantasy: ("фентези", "фэнтэзи", "фантази", "fantasy story", "high fantasy"),
    Genre.scifi: (
        "фантастику", "фантастики", "научная фантастика", "научную фантастику", "sci-fi", "sci fi", "scifi",
        "science-fiction",
    ),
    Genre.detective: ("детектива", "детективы", "детективная", "mystery", "whodunit", "detective story"),
}

_LOOKUP: dict[str, Genre] = {}
for _names in GENRE_NAMES.values():
    for _genre, _name in _names.items():
        _LOOKUP[_name] = _genre
        _LOOKUP[_genre.value] = _genre
for _genre, _words in _SYNONYMS.items():
    for _word in _words:
        _LOOKUP[_word] = _genre



def parse_genre(text: str) -> Genre | None:
    """The genre a word or two names, in any supported language or synonym; None if none."""
    key = _strip_punctuation(text.strip().lower().replace("ё", "е")).replace("_", " ")
    key = re.sub(r"\s+", " ", key)
    return _LOOKUP.get(key) or _LOOKUP.get(key.replace(" ", "_"))


def _strip_punctuation(text: str) -> str:
    """'ужасы!' → 'ужасы', but '🎃 ужасы' keeps its emoji, so it is no genre."""
    start, end = 0, len(text)
    while start < end and unicodedata.category(text[start]).startswith("P"):
        start += 1
    while end > start and unicodedata.category(text[end - 1]).startswith("P"):
        end -= 1
    return text[start:end]


def split_title_and_genre(text: str) -> tuple[str, Genre | None]:
    """'Гарри Поттер ужасы' → ('Гарри Поттер', horror). The genre is the last one or two words, if they name one."""
    title, genre, _ = read_request(text)
    return title, genre


def read_request(text: str) -> tuple[str, Genre | None, str]:
    """'Гарри Поттер ужасы' → ('Гарри Поттер', horror, 'ужасы'): the title, the genre, and the words that named
    it as typed (their language is the story's: see guess_language)."""
    words = text.split()
    for tail in (2, 1):
        if len(words) >= tail:
            genre_words = " ".join(words[-tail:])
            genre = parse_genre(genre_words)
            if genre:
                return " ".join(words[:-tail]).rstrip(",;:-–— "), genre, genre_words
    return text.strip(), None, ""


def genre_name(genre: Genre, language: Language) -> str:
    return GENRE_NAMES[language][genre]
