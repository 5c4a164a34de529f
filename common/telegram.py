"""The aiogram Bot both processes use, pointed at TELEGRAM_API_BASE when it is set, retrying what Telegram
asks to be retried: 429 after its Retry-After, 5xx and network failures after a short backoff."""
from __future__ import annotations

import asyncio
import logging
from functools import cache

from aiogram import Bot, methods
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramEntityTooLarge, TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.methods import GetUpdates, TelegramMethod
from aiogram.methods.base import TelegramType

from common.config import ServiceSettings

log = logging.getLogger(__name__)


# The Bot API methods the bot and the worker call; the others work the same, built on first use.
USED_METHODS = (
    methods.GetUpdates, methods.GetMe, methods.SetMyCommands, methods.SendMessage, methods.EditMessageText,
    methods.EditMessageReplyMarkup, methods.DeleteMessage, methods.AnswerCallbackQuery, methods.SendChatAction,
    methods.SendVideo, methods.SendPoll, methods.StopPoll, methods.GetChatMember,
)  # fmt: skip


@cache
def response_models() -> tuple[type, ...]:
    """aiogram parses each answer as `Response[ReturnType]`, a pydantic generic that pydantic caches only weakly:
    under load the class was collected and rebuilt on many calls (a tenth of the bot's CPU in bench/load.py).
    Holding them keeps each built once per process."""
    return tuple(methods.Response[method.__returning__] for method in USED_METHODS)


def create_bot(settings: ServiceSettings) -> Bot:
    response_models()
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
            except TelegramEntityTooLarge:  # 413: the same file fails the same way; the caller must shrink it
                raise
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
