"""Gives every handler `t` (a Translator) and `language`, from the user's Telegram language_code."""
from __future__ import annotations

from typing import Any, Awaitable, Callable

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, User

from bot.i18n import Translator, pick_language


class I18nMiddleware(BaseMiddleware):
    def __init__(self, default_language: str):
        self.default_language = default_language

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        language = pick_language(user.language_code if user else None, self.default_language)
        data["language"] = language
        data["t"] = Translator(language)
        return await handler(event, data)
