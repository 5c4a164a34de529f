"""Cleaning a user's title and saying what is wrong with it, if anything."""
from __future__ import annotations

import re
import unicodedata

_ANSI_ESCAPE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")  # terminal colour codes pasted from a console
_DROPPED = {"Cf", "Cs", "Co", "Cn"}  # zero-width and bidi marks, surrogates, private use, unassigned: vanish
_SPACED = {"Cc", "Zl", "Zp"}  # control characters and line breaks: become a space
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")  # these separate words: a space


def clean_title(text: str) -> str:
    """Drop terminal escapes and zero-width characters, turn control characters into spaces, fold white space."""
    text = _ANSI_ESCAPE.sub(" ", text)
    kept = []
    for ch in text:
        category = unicodedata.category(ch)
        if category in _SPACED or ch in _BIDI_CONTROLS:
            kept.append(" ")
        elif category not in _DROPPED:
            kept.append(ch)
    return re.sub(r"\s+", " ", "".join(kept)).strip()


def title_problem(title: str, limit: int) -> str | None:
    """The catalog key of what is wrong with a cleaned title, or None if it is fine."""
    if not title:
        return "title_empty"
    if len(title) > limit:
        return "title_too_long"
    if not any(ch.isalpha() for ch in title):
        return "title_no_letters"
    return None
