"""The buttons both the bot and the worker put under messages: Cancel under a status message, and the result
buttons under a video. Every callback is self-contained (no bot memory needed) and well under Telegram's 64 bytes:
result buttons carry a request id kept in Redis and the three stage seeds."""
from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from common.i18n import Translator
from pipeline.types import Length, StageSeeds

LENGTH_ORDER = (Length.short, Length.standard, Length.long)


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
