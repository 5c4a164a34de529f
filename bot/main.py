"""The bot process: a Dispatcher with routers and middlewares, FSM state in Redis, long polling."""
from __future__ import annotations

import logging

from aiogram import Bot, Dispatcher
from aiogram.fsm.storage.redis import RedisStorage
from aiogram.types import BotCommand, BotCommandScopeDefault
from arq import create_pool
from arq.connections import ArqRedis, RedisSettings

from bot.config import BotSettings, get_bot_settings
from bot.handlers import all_routers
from bot.i18n import catalogs
from bot.middlewares import I18nMiddleware, ThrottlingMiddleware
from bot.queue import StoryQueue
from bot.telegram import create_bot

log = logging.getLogger(__name__)

COMMANDS = {
    "ru": {"story": "Снять видеоисторию", "help": "Что я умею", "cancel": "Отменить"},
    "en": {"story": "Make a video story", "help": "What I can do", "cancel": "Cancel"},
}


def build_dispatcher(settings: BotSettings, pool: ArqRedis) -> Dispatcher:
    dp = Dispatcher(storage=RedisStorage.from_url(settings.redis_url), queue=StoryQueue(pool, settings), settings=settings)
    for observer in (dp.message, dp.callback_query):
        observer.outer_middleware(I18nMiddleware(settings.default_language))
    dp.message.middleware(ThrottlingMiddleware(settings.throttle_seconds))
    dp.include_routers(*all_routers())
    return dp


async def set_commands(bot: Bot) -> None:
    for language, commands in COMMANDS.items():
        if language not in catalogs():
            continue
        menu = [BotCommand(command=name, description=text) for name, text in commands.items()]
        await bot.set_my_commands(menu, scope=BotCommandScopeDefault(), language_code=language)


async def run_polling(settings: BotSettings | None = None) -> None:
    settings = settings or get_bot_settings()
    bot = create_bot(settings)
    pool = await create_pool(RedisSettings.from_dsn(settings.redis_url))
    dp = build_dispatcher(settings, pool)
    try:
        await set_commands(bot)
        await dp.start_polling(bot, allowed_updates=dp.resolve_used_update_types())
    finally:
        await dp.storage.close()
        await pool.aclose()
        await bot.session.close()
