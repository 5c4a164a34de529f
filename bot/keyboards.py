"""The dialogue's inline keyboards and their callback data factories (the buttons the worker also puts under
messages, Cancel and the result buttons, are in common.buttons)."""
from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from common.buttons import LENGTH_ORDER
from common.i18n import Translator, catalogs, gettext, story_language
from pipeline.genres import genre_name
from pipeline.types import Genre, Length

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


def confirm_keyboard(t: Translator) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=t("button_start"), callback_data=ConfirmChoice(start=True))
    builder.button(text=t("button_cancel"), callback_data=ConfirmChoice(start=False))
    return builder.as_markup()


def language_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for language in catalogs():
        builder.button(text=gettext(language, "language_name"), callback_data=LanguageChoice(language=language))
    return builder.as_markup()
