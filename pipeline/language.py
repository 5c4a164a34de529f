"""Which language a story request is written in: the genre word if one was typed (drama → English, драма →
Russian), else the title's script; a title in a language stories cannot be told in (German, Ukrainian, Greek, …)
is flagged as `foreign`. The bot reads this through pipeline.genres."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from pipeline.types import Language

STORY_LANGUAGES: tuple[Language, ...] = ("ru", "en")

Script = Literal["cyrillic", "latin", "other"]
Source = Literal["genre", "title", "none"]

# German words that are not English words (an English title has none of them) ...
_GERMAN_WORDS = frozenset(
    [
        "der", "das", "und", "des", "dem", "ein", "eine", "einer", "einem", "einen", "eines", "nicht", "ist",
        "zum", "zur", "vom", "beim", "über", "für", "auf", "aus", "unter", "ich", "du", "wir", "ihr", "sie",
        "mein", "meine", "dein", "deine", "kein", "keine", "oder", "aber", "auch", "noch", "nach", "bei", "wie",
        "wo", "wer"
    ]
)
# ... and German words that are English words too ("Die Hard", "The Lion's Den"): they count only beside another.
_GERMAN_WEAK = frozenset(["die", "den", "von", "mit", "im", "an", "am", "so"])
_ENGLISH_WORDS = frozenset(
    [
        "the", "a", "an", "of", "and", "in", "on", "at", "to", "from", "with", "for", "by", "my", "your", "his",
        "her", "our", "their", "is", "are", "was", "were", "this", "that", "who", "what", "when", "where", "how",
        "why", "not", "no"
    ]
)
_GERMAN_LETTERS = frozenset("äöüß")
_UKRAINIAN_LETTERS = frozenset("іїєґ")  # Cyrillic letters Russian does not have ...
_RUSSIAN_ONLY_LETTERS = frozenset("ыэъё")  # ... and ones Ukrainian does not
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")  # runs of letters (an apostrophe inside keeps a word whole)


@dataclass(frozen=True)
class LanguageGuess:
    """`language`: the story language the request points to, or None when it does not say (no letters in
    Latin or Cyrillic, as many of each, or a foreign title): the interface language then decides.
    `foreign`: the language the title seems to be in when stories cannot be told in it ("de", "uk", or "other"
    for another script); `source`: what decided."""

    language: Language | None
    source: Source
    foreign: str | None = None


def script_of(word: str) -> Script:
    """The script most of a word's letters are in."""
    counts = {"cyrillic": 0, "latin": 0, "other": 0}
    for ch in word:
        if ch.isalpha():
            name = unicodedata.name(ch, "")
            counts["cyrillic" if name.startswith("CYRILLIC") else "latin" if name.startswith("LATIN") else "other"] += 1
    best = max(counts, key=lambda script: counts[script])
    return best if counts[best] else "other"  # type: ignore[return-value]


def words_of(text: str) -> list[str]:
    """The words of a text, lowercased, without emoji and punctuation, and without codes and numbers ("R2-D2",
    "C-3PO", "1984": the letters in them belong to no language)."""
    tokens = [token for token in text.split() if not any(ch.isdigit() for ch in token)]
    return [word.lower().replace("’", "'") for token in tokens for word in _WORD.findall(token)]


def _foreign(words: list[str], scripts: list[Script]) -> str | None:
    latin = [word for word, script in zip(words, scripts) if script == "latin"]
    cyrillic = [word for word, script in zip(words, scripts) if script == "cyrillic"]
    other = scripts.count("other")
    if other > len(latin) + len(cyrillic):
        return "other"
    if len(latin) > len(cyrillic):
        strong = sum(1 for word in latin if word in _GERMAN_WORDS or _GERMAN_LETTERS & set(word))
        weak = sum(1 for word in latin if word in _GERMAN_WEAK)
        german = strong + weak if strong else (weak if weak >= 2 else 0)
        english = sum(1 for word in latin if word in _ENGLISH_WORDS)
        if german > english:
            return "de"
    letters = set("".join(cyrillic))
    if len(cyrillic) > len(latin) and letters & _UKRAINIAN_LETTERS and not letters & _RUSSIAN_ONLY_LETTERS:
        return "uk"
    return None


def _language_of(script: Script) -> Language | None:
    return "ru" if script == "cyrillic" else "en" if script == "latin" else None


def guess_language(title: str, genre_word: str = "") -> LanguageGuess:
    """The story language of `/story TITLE GENRE_WORD`.

    The genre word, when typed, decides: it is the user's own word, while a title is often a name ("Harry Potter
    ужасы" → Russian; "Колобок fairy tale" → English). Without one, the script most of the title's words are in
    decides. Digits, emoji and as many words of each script leave it to the caller (the interface language). A
    foreign title (German, Ukrainian, another script) is flagged, and a Latin genre word beside it does not decide
    ("Drama" is German too)."""
    words = words_of(title)
    scripts = [script_of(word) for word in words]
    foreign = _foreign(words, scripts)
    genre_words = words_of(genre_word)
    if genre_words:
        language = _language_of(script_of("".join(genre_words)))
        if language is not None and not (foreign and language == "en"):
            return LanguageGuess(language, "genre", foreign)
    if foreign:
        return LanguageGuess(None, "none", foreign)
    cyrillic, latin = scripts.count("cyrillic"), scripts.count("latin")
    if cyrillic != latin:
        return LanguageGuess("ru" if cyrillic > latin else "en", "title")
    return LanguageGuess(None, "none")
