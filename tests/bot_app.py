"""The real bot (aiogram Dispatcher, Redis FSM, arq pool) polling a FakeTelegram, and the real arq worker,
with the real pipeline or, where the render is not the point, a fast stand-in that makes a tiny real video."""
from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import subprocess
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, AsyncIterator, Awaitable, Callable

import pytest
from arq import Worker, create_pool
from arq.connections import ArqRedis, RedisSettings

from bot.main import build_dispatcher
from common.config import ServiceSettings, get_service_settings, redis_connection_settings
from common.telegram import create_bot
from pipeline.settings import get_settings
from pipeline.types import STAGES, Progress, StageSeeds, StoryRequest, Video
from workers.worker import WorkerSettings

USER_ID = 777
ADMIN_ID = 4242


def ask(fake, text: str, user: int = USER_ID, language_code: str = "ru") -> None:
    """A user writes to the bot in their private chat."""
    fake.push_message(text, chat_id=user, user_id=user, language_code=language_code)


def status_text(fake, chat_id: int, message_id: int) -> str:
    """What a message says now, after the edits."""
    return fake.messages[(chat_id, message_id)]["text"]


def buttons(call) -> list[dict]:
    markup = call.params.get("reply_markup") or {}
    markup = json.loads(markup) if isinstance(markup, str) else markup
    return [button for row in markup.get("inline_keyboard", []) for button in row]


def press(fake, call, label: str, user_id: int = USER_ID, language_code: str = "ru") -> None:
    """Press the button whose text contains `label` on the message a call sent."""
    [button] = [b for b in buttons(call) if label in b["text"]]
    fake.push_callback(button["callback_data"], message=call.result, user_id=user_id, language_code=language_code)


def says(*fragments: str):
    return lambda call: all(fragment in call.params.get("text", "") for fragment in fragments)


async def wait_until(condition: Callable[[], bool | Awaitable[bool]], timeout: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        outcome = condition()
        if await outcome if inspect.isawaitable(outcome) else outcome:
            return
        assert asyncio.get_running_loop().time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


@dataclass
class BotApp:
    settings: ServiceSettings
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
    get_service_settings.cache_clear()
    get_settings.cache_clear()
    monkeypatch.setattr(WorkerSettings, "max_tries", int(extra.get("DIGITELLER_JOB_MAX_TRIES", "3")))
    monkeypatch.setattr(WorkerSettings, "job_timeout", int(extra.get("DIGITELLER_JOB_TIMEOUT", "3600")))


@contextlib.asynccontextmanager
async def running_bot() -> AsyncIterator[BotApp]:
    settings = get_service_settings()
    bot = create_bot(settings)
    pool = await create_pool(redis_connection_settings(settings.redis_url))
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


def make_worker(redis_url: str, *, burst: bool, pipeline: Any = None) -> Worker:
    """The real arq worker with the project's WorkerSettings; `pipeline` replaces the one built on startup."""
    return Worker(
        functions=WorkerSettings.functions,
        on_startup=WorkerSettings.on_startup,
        on_shutdown=WorkerSettings.on_shutdown,
        redis_settings=RedisSettings.from_dsn(redis_url),
        job_timeout=WorkerSettings.job_timeout,
        max_tries=WorkerSettings.max_tries,
        allow_abort_jobs=True,
        max_jobs=1,
        burst=burst,
        handle_signals=False,
        poll_delay=0.1,
        ctx={"pipeline": pipeline} if pipeline is not None else None,
    )


async def run_worker_until_queue_empty(redis_url: str, pipeline: Any = None) -> Worker:
    """The real arq worker in burst mode: it returns when the queue is empty."""
    worker = make_worker(redis_url, burst=True, pipeline=pipeline)
    try:
        await worker.async_run()
    finally:
        await worker.close()
    return worker


@contextlib.asynccontextmanager
async def running_worker(redis_url: str, pipeline: Any = None) -> AsyncIterator[Worker]:
    """The real arq worker polling the queue in this event loop until the block ends."""
    worker = make_worker(redis_url, burst=False, pipeline=pipeline)
    task = asyncio.create_task(worker.async_run())
    try:
        yield worker
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await worker.close()


@lru_cache
def tiny_video(folder: Path) -> tuple[Path, Path]:
    """A real one-second H.264 mp4 and a JPEG thumbnail, made once by ffmpeg."""
    folder.mkdir(parents=True, exist_ok=True)
    video, thumbnail = folder / "tiny.mp4", folder / "tiny.jpg"
    common = ["ffmpeg", "-y", "-loglevel", "error", "-f", "lavfi", "-i", "color=c=navy:s=128x72:d=1"]
    subprocess.run([*common, "-c:v", "libx264", "-pix_fmt", "yuv420p", str(video)], check=True)
    subprocess.run([*common, "-frames:v", "1", str(thumbnail)], check=True)
    return video, thumbnail


@dataclass
class FakePipeline:
    """Stands in for pipeline.render.Pipeline in bot-flow tests: reports every stage and returns a tiny real video.

    `stage_seconds` is how long each stage "takes"; `renders` records (request, seeds) of every render started;
    `gate`, when set, holds the render at its first stage until the test sets it.
    """

    folder: Path
    stage_seconds: float = 0.02
    renders: list[tuple[StoryRequest, StageSeeds]] = field(default_factory=list)
    gate: threading.Event | None = None
    stopped: list[str] = field(default_factory=list)

    def render(
        self, request: StoryRequest, out: Path, size: tuple[int, int], seeds: StageSeeds, progress: Progress
    ) -> Video:
        self.renders.append((request, seeds))
        video, thumbnail = tiny_video(self.folder)
        try:
            for stage in STAGES:
                for step in range(5):
                    progress(stage, step / 4)
                    if self.gate is not None:
                        while not self.gate.wait(0.05):
                            progress(stage, step / 4)
                    threading.Event().wait(self.stage_seconds / 5)
        except Exception as exc:
            self.stopped.append(type(exc).__name__)
            raise
        out.write_bytes(video.read_bytes())
        return Video(path=out, duration=1.0, width=128, height=72, thumbnail=thumbnail)


def main() -> None:
    """`python -m tests.bot_app MEDIA_DIR STAGE_SECONDS`: a worker process on REDIS_URL with FakePipeline
    (for tests that kill a worker mid-job)."""
    import sys

    folder, stage_seconds = Path(sys.argv[1]), float(sys.argv[2])
    pipeline = FakePipeline(folder, stage_seconds=stage_seconds)
    make_worker(get_service_settings().redis_url, burst=False, pipeline=pipeline).run()


if __name__ == "__main__":
    main()
