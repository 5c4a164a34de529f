"""Inline keyboards and their callback data factories."""
from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import story_language
from pipeline.genres import genre_name
from pipeline.types import Genre


class GenreChoice(CallbackData, prefix="genre"):
    genre: Genre


def genre_keyboard(language: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for genre in Genre:
        builder.button(text=genre_name(genre, story_language(language)), callback_data=GenreChoice(genre=genre))
    builder.adjust(2)
    return builder.as_markup()
