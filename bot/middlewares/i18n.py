"""Gives every handler `t` (a Translator) and `language`: the user's /lang choice kept in Redis, else their
Telegram language_code, else the default; and `story_choice`: the story language the user fixed with /lang
("ru", "en"), or None to take it from each request (the default)."""
from __future__ import annotations

from typing import Any, Awaitable, Callable

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, User
from redis.asyncio import Redis

from common.contract import PREFIX
from common.i18n import Translator, catalogs, pick_language
from pipeline.genres import STORY_LANGUAGES

LANGUAGE_KEY = PREFIX + ":lang:{user_id}"
STORY_LANGUAGE_KEY = PREFIX + ":storylang:{user_id}"


def _decoded(raw: bytes | None) -> str | None:
    return raw.decode() if raw else None


async def chosen_languages(redis: Redis, user_id: int) -> tuple[str | None, str | None]:
    """The user's interface language and fixed story language, each None when not chosen (one round trip)."""
    raw = await redis.mget(LANGUAGE_KEY.format(user_id=user_id), STORY_LANGUAGE_KEY.format(user_id=user_id))
    language, story = (_decoded(value) for value in raw)
    return (language if language in catalogs() else None), (story if story in STORY_LANGUAGES else None)


async def choose_language(redis: Redis, user_id: int, language: str) -> None:
    await redis.set(LANGUAGE_KEY.format(user_id=user_id), language)


async def choose_story_language(redis: Redis, user_id: int, language: str) -> None:
    """"ru"/"en": every story in that language; anything else ("auto"): in the language of each request."""
    key = STORY_LANGUAGE_KEY.format(user_id=user_id)
    if language in STORY_LANGUAGES:
        await redis.set(key, language)
    else:
        await redis.delete(key)


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
        language = story = None
        if user is not None and self.redis is not None:
            language, story = await chosen_languages(self.redis, user.id)
        language = language or pick_language(user.language_code if user else None, self.default_language)
        data["language"] = language
        data["story_choice"] = story
        data["t"] = Translator(language)
        return await handler(event, data)
