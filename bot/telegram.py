"""The aiogram Bot both processes use, pointed at TELEGRAM_API_BASE when it is set, and a polite retry for 429."""
from __future__ import annotations

import asyncio
import logging
from typing import Awaitable, Callable, TypeVar

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramRetryAfter

from bot.config import BotSettings

log = logging.getLogger(__name__)
T = TypeVar("T")


def create_bot(settings: BotSettings) -> Bot:
    token = settings.bot_token.get_secret_value()
    if not token:
        raise RuntimeError("BOT_TOKEN is not set")
    base = settings.telegram_api_base
    session = AiohttpSession(api=TelegramAPIServer.from_base(base)) if base else AiohttpSession()
    # parse_mode None: every text is sent as plain text, so titles with <b> or *stars* show literally.
    return Bot(token, session=session, default=DefaultBotProperties(parse_mode=None))


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
