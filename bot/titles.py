"""Cleaning a user's title and saying what is wrong with it, if anything."""
from __future__ import annotations

import re
import unicodedata

_INVISIBLE = {"Cc", "Cf", "Cs", "Co", "Cn"}  # control, format (zero-width, bidi marks), surrogates, private, unassigned


def clean_title(text: str) -> str:
    """Drop control and zero-width characters, fold white space."""
    visible = "".join(ch if unicodedata.category(ch) not in _INVISIBLE else " " for ch in text)
    return re.sub(r"\s+", " ", visible).strip()


def title_problem(title: str, limit: int) -> str | None:
    """The catalog key of what is wrong with a cleaned title, or None if it is fine."""
    if not title:
        return "title_empty"
    if len(title) > limit:
        return "title_too_long"
    if not any(ch.isalpha() for ch in title):
        return "title_no_letters"
    return None
