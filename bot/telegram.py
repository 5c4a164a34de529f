"""The aiogram Bot both processes use, pointed at TELEGRAM_API_BASE when it is set, retrying what Telegram
asks to be retried: 429 after its Retry-After, 5xx and network failures after a short backoff."""
from __future__ import annotations

import asyncio
import logging
from typing import Awaitable, Callable, TypeVar

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.methods import GetUpdates, TelegramMethod
from aiogram.methods.base import TelegramType

from bot.config import BotSettings

log = logging.getLogger(__name__)
T = TypeVar("T")


def create_bot(settings: BotSettings) -> Bot:
    token = settings.bot_token.get_secret_value()
    if not token:
        raise RuntimeError("BOT_TOKEN is not set")
    base = settings.telegram_api_base
    session = AiohttpSession(api=TelegramAPIServer.from_base(base)) if base else AiohttpSession()
    session.middleware(RetryRequests())
    # parse_mode None: every text is sent as plain text, so titles with <b> or *stars* show literally.
    return Bot(token, session=session, default=DefaultBotProperties(parse_mode=None))


class RetryRequests(BaseRequestMiddleware):
    """Retries every Bot API call but getUpdates (the dispatcher's polling has its own backoff).

    429 waits the Retry-After Telegram gives, up to `max_wait` seconds; 5xx and network errors wait 0.5, 1, 2 s.
    """

    def __init__(self, attempts: int = 4, max_wait: float = 60.0, backoff: float = 0.5) -> None:
        self.attempts = attempts
        self.max_wait = max_wait
        self.backoff = backoff

    async def __call__(
        self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot, method: TelegramMethod[TelegramType]
    ) -> TelegramType:
        if isinstance(method, GetUpdates):
            return await make_request(bot, method)
        for attempt in range(1, self.attempts + 1):
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                if attempt == self.attempts or exc.retry_after > self.max_wait:
                    raise
                wait = exc.retry_after
            except (TelegramServerError, TelegramNetworkError):
                if attempt == self.attempts:
                    raise
                wait = self.backoff * 2 ** (attempt - 1)
            log.warning("%s failed (attempt %d of %d); retrying in %.1f s",
                        type(method).__name__, attempt, self.attempts, wait)
            await asyncio.sleep(wait)
        raise AssertionError("unreachable")


async def with_retry_after(call: Callable[[], Awaitable[T]], attempts: int = 4) -> T:
    """Run a Bot API call, waiting out Telegram's 429 Retry-After (flood control) a few times."""
    for attempt in range(attempts):
        try:
            return await call()
        except TelegramRetryAfter as exc:
            if attempt == attempts - 1:
                raise
            log.warning("Telegram asked to wait %s s", exc.retry_after)
            await asyncio.sleep(exc.retry_after)
    raise AssertionError("unreachable")
