"""The arq worker: runs the pipeline for a StoryJob, edits the status message, sends the video."""
from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
from pathlib import Path
from typing import Any

from aiogram.enums import ChatAction
from aiogram.types import FSInputFile
from arq.connections import RedisSettings

from bot.config import get_bot_settings
from bot.i18n import Translator
from bot.telegram import create_bot, with_retry_after
from pipeline.genres import genre_name
from pipeline.render import Pipeline, parse_size
from pipeline.settings import get_settings
from pipeline.types import StageError
from workers.contract import JOB_FUNCTION, StoryJob
from workers.progress import StatusReporter

log = logging.getLogger(__name__)
DELIVERED_TTL_SECONDS = 7 * 24 * 3600


async def make_story(ctx: dict[str, Any], payload: dict[str, Any]) -> str:
    """Render the story and deliver it once: a retried job whose video already went out does nothing."""
    job = StoryJob.model_validate(payload)
    redis = ctx["redis"]
    delivered_key = f"digiteller:delivered:{job.job_id}"
    if await redis.exists(delivered_key):
        log.info("%s was already delivered; skipping the retry", job.job_id)
        return "already delivered"
    t = Translator(job.language)
    fields = {"title": job.request.title, "genre": genre_name(job.request.genre, job.request.language)}
    bot = ctx["bot"]
    reporter = StatusReporter(
        bot, job.chat_id, job.status_message_id, t, fields, get_bot_settings().status_edit_seconds
    )
    work_dir = Path(tempfile.mkdtemp(prefix="job-", dir=get_settings().work_dir))
    try:
        async with reporter:
            video = await asyncio.to_thread(
                ctx["pipeline"].render,
                job.request,
                work_dir / "story.mp4",
                size=parse_size(job.size),
                seeds=job.seeds,
                progress=reporter.progress,
            )
            reporter.progress("send", 0.0)
        await reporter.show(t("done", **fields))
        await bot.send_chat_action(job.chat_id, ChatAction.UPLOAD_VIDEO)
        seconds = int(round(video.duration))
        await with_retry_after(
            lambda: bot.send_video(
                job.chat_id,
                FSInputFile(video.path, filename="story.mp4"),
                duration=seconds,
                width=video.width,
                height=video.height,
                thumbnail=FSInputFile(video.thumbnail, filename="thumbnail.jpg"),
                supports_streaming=True,
                caption=t("caption", minutes=seconds // 60, seconds=seconds % 60, **fields),
            )
        )
        await redis.set(delivered_key, 1, ex=DELIVERED_TTL_SECONDS)
        return "delivered"
    except StageError as exc:
        # A stage that fails for a reason (a tool's error) fails the same way again: tell the user now.
        log.error("%s failed in %s: %s", job.job_id, exc.stage, exc)
        await reporter.show(t("failed", stage=_stage_name(t, exc.stage), **fields))
        return f"failed: {exc.stage}"
    except Exception:
        log.exception("%s crashed on try %s", job.job_id, ctx.get("job_try"))
        if ctx.get("job_try", 1) >= WorkerSettings.max_tries:
            await reporter.show(t("failed", stage=_stage_name(t, reporter.stage), **fields))
        raise
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)


def _stage_name(t: Translator, stage: str) -> str:
    key = f"stage_{stage}"
    return t(key) if t.has(key) else stage


async def startup(ctx: dict[str, Any]) -> None:
    """Load the models and open the Bot API session once per worker process."""
    ctx["pipeline"] = await asyncio.to_thread(Pipeline.from_settings)
    ctx["bot"] = create_bot(get_bot_settings())


async def shutdown(ctx: dict[str, Any]) -> None:
    await ctx["bot"].session.close()


class WorkerSettings:
    functions = [make_story]
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = RedisSettings.from_dsn(get_bot_settings().redis_url)
    job_timeout = get_bot_settings().job_timeout_seconds
    max_tries = get_bot_settings().job_max_tries
    allow_abort_jobs = True
    max_jobs = 1  # one render at a time: a render already uses both cores
    keep_result = 3600


assert make_story.__name__ == JOB_FUNCTION
