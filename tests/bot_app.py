"""The real bot (aiogram Dispatcher, Redis FSM, arq pool) polling a FakeTelegram, and the real arq worker."""
from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import AsyncIterator

import pytest
from arq import Worker, create_pool
from arq.connections import ArqRedis, RedisSettings

from bot.config import BotSettings, get_bot_settings
from bot.main import build_dispatcher
from bot.telegram import create_bot
from pipeline.settings import get_settings
from workers.worker import WorkerSettings


@dataclass
class BotApp:
    settings: BotSettings
    pool: ArqRedis

    async def queued_payloads(self) -> list[dict]:
        return [job.args[0] for job in await self.pool.queued_jobs()]

    async def wait_for_queued(self, count: int = 1, timeout: float = 10.0) -> list[dict]:
        """The queued job payloads once there are `count` of them (the status message is sent just before)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while len(payloads := await self.queued_payloads()) < count:
            assert asyncio.get_running_loop().time() < deadline, f"{len(payloads)} jobs queued, expected {count}"
            await asyncio.sleep(0.05)
        return payloads


def configure(monkeypatch: pytest.MonkeyPatch, fake_telegram, redis_url: str, tmp_path: Path, **extra: str) -> None:
    """Point every setting at the test's servers and folders; the settings caches are cleared to see them."""
    env = {
        "BOT_TOKEN": fake_telegram.token,
        "REDIS_URL": redis_url,
        "TELEGRAM_API_BASE": fake_telegram.base_url,
        "DIGITELLER_CACHE_DIR": str(tmp_path / "cache"),
        "DIGITELLER_WORK_DIR": str(tmp_path / "work"),
        "DIGITELLER_THROTTLE_SECONDS": "0",
        **extra,
    }
    (tmp_path / "work").mkdir(exist_ok=True)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_bot_settings.cache_clear()
    get_settings.cache_clear()
    monkeypatch.setattr(WorkerSettings, "max_tries", int(extra.get("DIGITELLER_JOB_MAX_TRIES", "3")))


@contextlib.asynccontextmanager
async def running_bot() -> AsyncIterator[BotApp]:
    settings = get_bot_settings()
    bot = create_bot(settings)
    pool = await create_pool(RedisSettings.from_dsn(settings.redis_url))
    dp = build_dispatcher(settings, pool)
    polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=1))
    try:
        yield BotApp(settings, pool)
    finally:
        with contextlib.suppress(RuntimeError):
            await dp.stop_polling()
        await asyncio.wait_for(polling, timeout=10)
        await dp.storage.close()
        await pool.aclose()
        await bot.session.close()


async def run_worker_until_queue_empty(redis_url: str) -> Worker:
    """The real arq worker with the project's WorkerSettings, in burst mode."""
    worker = Worker(
        functions=WorkerSettings.functions,
        on_startup=WorkerSettings.on_startup,
        on_shutdown=WorkerSettings.on_shutdown,
        redis_settings=RedisSettings.from_dsn(redis_url),
        job_timeout=WorkerSettings.job_timeout,
        max_tries=WorkerSettings.max_tries,
        max_jobs=1,
        burst=True,
        handle_signals=False,
        poll_delay=0.2,
    )
    try:
        await worker.async_run()
    finally:
        await worker.close()
    return worker
