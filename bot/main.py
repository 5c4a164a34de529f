"""The bot process: a Dispatcher with routers and middlewares, FSM state in Redis, long polling."""
from __future__ import annotations

import asyncio
import contextlib
import logging

from aiogram import Bot, Dispatcher
from aiogram.fsm.storage.redis import RedisStorage
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeDefault,
)
from arq import create_pool
from arq.connections import ArqRedis
from redis.asyncio import Redis

from bot.handlers import all_routers
from bot.middlewares import I18nMiddleware, ThrottlingMiddleware
from bot.queue import QueueWatcher, StoryQueue
from bot.services.game import GameMaster
from common.config import ServiceSettings, get_service_settings, redis_connection_settings, redis_retry_options
from common.i18n import catalogs, gettext
from common.telegram import create_bot

log = logging.getLogger(__name__)

PRIVATE_COMMANDS = ("story", "lang", "help", "cancel", "start")
GROUP_COMMANDS = ("story", "game", "endgame", "help")
ADMIN_COMMANDS = (*PRIVATE_COMMANDS, "queue", "stats")


def build_dispatcher(settings: ServiceSettings, pool: ArqRedis) -> Dispatcher:
    queue = StoryQueue(pool, settings)
    games = GameMaster(queue, settings)
    storage = RedisStorage(Redis.from_url(settings.redis_url, **redis_retry_options()))
    dp = Dispatcher(storage=storage, queue=queue, games=games, settings=settings)
    for observer in (dp.message, dp.callback_query, dp.poll_answer):
        observer.outer_middleware(I18nMiddleware(settings.default_language, pool))
    dp.message.middleware(ThrottlingMiddleware(settings.throttle_seconds))
    dp.include_routers(*all_routers())
    background: list[asyncio.Task] = []

    async def on_startup(bot: Bot) -> None:
        await set_commands(bot, settings)
        watcher = QueueWatcher(bot, queue.ledger, settings.status_edit_seconds)
        background.append(asyncio.create_task(watcher.run()))
        await games.resume(bot)

    async def on_shutdown() -> None:
        await games.stop()
        for task in background:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    dp.startup.register(on_startup)
    dp.shutdown.register(on_shutdown)
    return dp


def command_menu(language: str, names: tuple[str, ...]) -> list[BotCommand]:
    return [BotCommand(command=name, description=gettext(language, f"cmd_{name}")) for name in names]


async def set_commands(bot: Bot, settings: ServiceSettings) -> None:
    """The command menu for each language we speak, for private chats, groups and each admin's chat."""
    scopes = [
        (BotCommandScopeDefault(), PRIVATE_COMMANDS),
        (BotCommandScopeAllPrivateChats(), PRIVATE_COMMANDS),
        (BotCommandScopeAllGroupChats(), GROUP_COMMANDS),
        *((BotCommandScopeChat(chat_id=admin), ADMIN_COMMANDS) for admin in sorted(settings.admin_ids)),
    ]
    for scope, names in scopes:
        await bot.set_my_commands(command_menu(settings.default_language, names), scope=scope)
        for language in catalogs():
            await bot.set_my_commands(command_menu(language, names), scope=scope, language_code=language)


async def run_polling(settings: ServiceSettings | None = None) -> None:
    settings = settings or get_service_settings()
    bot = create_bot(settings)
    pool = await create_pool(redis_connection_settings(settings.redis_url))
    dp = build_dispatcher(settings, pool)
    try:
        await dp.start_polling(bot, allowed_updates=dp.resolve_used_update_types())
    finally:
        await dp.storage.close()
        await pool.aclose()
        await bot.session.close()
