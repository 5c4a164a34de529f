"""Message catalogs in locales/<lang>.toml, looked up by key with str.format fields."""
from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

from pipeline.types import Language

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DEFAULT_LANGUAGE = "ru"


@lru_cache
def catalogs() -> dict[str, dict[str, str]]:
    return {path.stem: tomllib.loads(path.read_text(encoding="utf-8")) for path in sorted(LOCALES_DIR.glob("*.toml"))}


def pick_language(language_code: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """Telegram's language_code ('en-US', 'ru') → a language we have a catalog for."""
    code = (language_code or "").split("-")[0].lower()
    return code if code in catalogs() else default


def gettext(language: str, key: str, **fields: object) -> str:
    catalog = catalogs().get(language) or catalogs()[DEFAULT_LANGUAGE]
    text = catalog.get(key) or catalogs()[DEFAULT_LANGUAGE][key]
    return text.format(**fields) if fields else text


class Translator:
    """Bound to one language; handlers get it as `t` from the i18n middleware."""

    def __init__(self, language: str):
        self.language = language

    def __call__(self, key: str, **fields: object) -> str:
        return gettext(self.language, key, **fields)

    def has(self, key: str) -> bool:
        return key in catalogs()[DEFAULT_LANGUAGE]


def story_language(language: str) -> Language:
    """Stories are written in ru or en; other interface languages get English stories."""
    return "ru" if language == "ru" else "en"
