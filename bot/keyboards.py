"""The dialogue's inline keyboards and their callback data factories (the buttons the worker also puts under
messages, Cancel and the result buttons, are in common.buttons)."""
from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from common.buttons import LENGTH_ORDER
from common.i18n import Translator, catalogs, gettext, story_language
from pipeline.genres import STORY_LANGUAGES, genre_name
from pipeline.types import Genre, Language, Length

# The eight genres of the original task come first; the keyboard shows them all.
DIALOGUE_GENRES = tuple(Genre)


class GenreChoice(CallbackData, prefix="genre"):
    genre: Genre


class LengthChoice(CallbackData, prefix="len"):
    length: Length


class ConfirmChoice(CallbackData, prefix="go"):
    start: bool


class LanguageChoice(CallbackData, prefix="lang"):
    language: str


class TellIn(CallbackData, prefix="tell"):
    """The confirmation's "Tell it in English" button: the story language of the dialogue's request."""

    language: Language


class StoryLanguageDefault(CallbackData, prefix="slang"):
    """/lang's story-language buttons: "ru", "en", or "auto" (the language of each request)."""

    language: str


FLAGS = {"ru": "🇷🇺", "en": "🇬🇧"}
AUTO = "auto"  # /lang's "in the title's language": each story in the language of its request


def genre_keyboard(language: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for genre in DIALOGUE_GENRES:
        builder.button(text=genre_name(genre, story_language(language)), callback_data=GenreChoice(genre=genre))
    builder.adjust(2)
    return builder.as_markup()


def length_keyboard(t: Translator) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for length in LENGTH_ORDER:
        builder.button(text=t(f"length_{length.value}"), callback_data=LengthChoice(length=length))
    builder.adjust(1)
    return builder.as_markup()


def confirm_keyboard(t: Translator, story: Language | None = None) -> InlineKeyboardMarkup:
    """Start and Cancel; with the story's language, a button per other story language to tell it in that one."""
    builder = InlineKeyboardBuilder()
    builder.button(text=t("button_start"), callback_data=ConfirmChoice(start=True))
    builder.button(text=t("button_cancel"), callback_data=ConfirmChoice(start=False))
    others = [language for language in STORY_LANGUAGES if story is not None and language != story]
    for language in others:
        label = t("button_tell", lang=t(f"story_language_{language}"))
        builder.button(text=f"{FLAGS[language]} {label}", callback_data=TellIn(language=language))
    builder.adjust(2, *[1] * len(others))
    return builder.as_markup()


def language_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for language in catalogs():
        builder.button(text=gettext(language, "language_name"), callback_data=LanguageChoice(language=language))
    return builder.as_markup()


def story_language_keyboard(t: Translator, chosen: str | None) -> InlineKeyboardMarkup:
    """"In the title's language" and "Always in X" per story language; ✓ marks the user's current choice."""
    builder = InlineKeyboardBuilder()
    options = [(AUTO, t("button_story_auto"))] + [
        (language, f"{FLAGS[language]} {t('button_story_always', lang=t(f'story_language_{language}'))}")
        for language in STORY_LANGUAGES
    ]
    for value, label in options:
        mark = "✓ " if value == (chosen or AUTO) else ""
        builder.button(text=mark + label, callback_data=StoryLanguageDefault(language=value))
    builder.adjust(1)
    return builder.as_markup()
