"""Gives every handler `t` (a Translator) and `language`: the user's /lang choice kept in Redis, else their
Telegram language_code, else the default."""
from __future__ import annotations

from typing import Any, Awaitable, Callable

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, User
from redis.asyncio import Redis

from common.contract import PREFIX
from common.i18n import Translator, catalogs, pick_language

LANGUAGE_KEY = PREFIX + ":lang:{user_id}"


async def chosen_language(redis: Redis, user_id: int) -> str | None:
    raw = await redis.get(LANGUAGE_KEY.format(user_id=user_id))
    language = raw.decode() if raw else None
    return language if language in catalogs() else None


async def choose_language(redis: Redis, user_id: int, language: str) -> None:
    await redis.set(LANGUAGE_KEY.format(user_id=user_id), language)


class I18nMiddleware(BaseMiddleware):
    def __init__(self, default_language: str, redis: Redis | None = None):
        self.default_language = default_language
        self.redis = redis

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        language = None
        if user is not None and self.redis is not None:
            language = await chosen_language(self.redis, user.id)
        language = language or pick_language(user.language_code if user else None, self.default_language)
        data["language"] = language
        data["t"] = Translator(language)
        return await handler(event, data)
