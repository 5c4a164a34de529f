"""Inline keyboards and their callback data factories. Every callback is self-contained (no bot memory needed)
and well under Telegram's 64 bytes: result buttons carry a request id kept in Redis and the three stage seeds."""
from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import Translator, catalogs, gettext, story_language
from pipeline.genres import genre_name
from pipeline.types import Genre, Length, StageSeeds

# The eight genres of the original task come first; the keyboard shows them all.
DIALOGUE_GENRES = tuple(Genre)
LENGTH_ORDER = (Length.short, Length.standard, Length.long)


class GenreChoice(CallbackData, prefix="genre"):
    genre: Genre


class LengthChoice(CallbackData, prefix="len"):
    length: Length


class ConfirmChoice(CallbackData, prefix="go"):
    start: bool


class LanguageChoice(CallbackData, prefix="lang"):
    language: str


class CancelJob(CallbackData, prefix="x"):
    key: str  # StoryJob.key; the chat comes from the message the button is on


class Again(CallbackData, prefix="a"):
    """A result button: `action` is one of ACTIONS; `request` a Ledger request id; v/m/p the seeds used."""

    action: str
    request: str
    v: int
    m: int
    p: int

    @property
    def seeds(self) -> StageSeeds:
        return StageSeeds(voices=self.v, music=self.m, pictures=self.p)


ACTIONS = ("new", "music", "pictures", "voices", "longer", "shorter")


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


def cancel_keyboard(t: Translator, job_key: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=t("button_cancel_job"), callback_data=CancelJob(key=job_key))
    return builder.as_markup()


def result_keyboard(t: Translator, request_id: str, length: Length, seeds: StageSeeds) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for action in ACTIONS:
        if (action == "longer" and length == LENGTH_ORDER[-1]) or (action == "shorter" and length == LENGTH_ORDER[0]):
            continue
        data = Again(action=action, request=request_id, v=seeds.voices, m=seeds.music, p=seeds.pictures)
        builder.button(text=t(f"button_{action}"), callback_data=data)
    builder.adjust(2)
    return builder.as_markup()
