"""The arq worker: runs the pipeline for a StoryJob, edits the status message, sends the video once."""
from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Awaitable, Callable

from aiogram import Bot
from aiogram.enums import ChatAction, ParseMode
from aiogram.exceptions import TelegramAPIError, TelegramEntityTooLarge
from aiogram.types import FSInputFile, Message
from aiogram.utils.chat_action import ChatActionSender
from arq.constants import retry_key_prefix
from arq.jobs import Job
from arq.worker import func

from common.buttons import cancel_keyboard, result_keyboard
from common.config import get_service_settings, redis_connection_settings
from common.contract import JOB_FUNCTION, StoryJob, status_fields
from common.i18n import Translator
from common.ledger import Ledger
from common.telegram import create_bot
from pipeline.assemble.output import fit_size
from pipeline.media import cancellation, media_duration
from pipeline.render import Pipeline, parse_size
from pipeline.settings import get_settings
from pipeline.types import StageError, Video
from workers.progress import StageClock, StatusReporter

log = logging.getLogger(__name__)

SHRINK_TRIES = 2  # a 413 from the Bot API: re-encode at this many smaller sizes before giving up
SHRINK_FACTOR = 0.6
STOP_WAIT_SECONDS = 30.0  # a cancelled render stops at its next check (well under 5 s); this only bounds the wait


async def make_story(ctx: dict[str, Any], payload: dict[str, Any]) -> str:
    """Render the story and deliver it once: a retried job whose video already went out does nothing."""
    job = StoryJob.model_validate(payload)
    ledger: Ledger = ctx["ledger"]
    if await ledger.was_delivered(job.job_id):
        log.info("%s was already delivered; skipping the retry", job.job_id)
        await ledger.forget_status(job.job_id)
        with contextlib.suppress(TelegramAPIError):  # not left saying "in the queue"
            t = Translator(job.language)
            await ctx["bot"].edit_message_text(
                text=t("done", **status_fields(job)), chat_id=job.chat_id, message_id=job.status_message_id
            )
        await ledger.release_and_promote(job)
        return "already delivered"
    await ledger.forget_status(job.job_id)  # from now on the worker edits the status message
    await ledger.own(job.job_id, ctx["worker_id"])
    t = Translator(job.language)
    fields = status_fields(job)
    settings = get_service_settings()
    reporter = StatusReporter(
        ctx["bot"], job.chat_id, job.status_message_id, t, fields,
        settings.status_interval(job.chat_id), cancel_keyboard(t, job.key), _group_pace(ledger, job.chat_id),
        await ctx["stage_clock"].estimates(job.size, job.request.length),
    )  # fmt: skip
    work_dir = Path(tempfile.mkdtemp(prefix="job-", dir=get_settings().work_dir))
    started = time.monotonic()
    final = True
    try:
        async with reporter:
            video = await _render(ctx, job, work_dir, reporter)
        reporter.progress("send", 1.0)
        await reporter.show(reporter.text())  # no Cancel button while the video is on its way
        sent = await _deliver(ctx["bot"], job, t, video, ledger, reporter)
        await ledger.mark_delivered(job.job_id)  # first: a worker stopped after this must not send it again
        await ledger.remember_video(job.job_id, sent)
        await ctx["stage_clock"].record(reporter.stage_seconds(), job.size, job.request.length)
        await ledger.count("delivered", job.user_id)
        await reporter.show(t("done", **fields))
        return "delivered"
    except asyncio.CancelledError:
        reporter.stop()
        final = await _stopped(ledger, job, reporter, t, time.monotonic() - started)
        raise
    except StageError as exc:
        # A stage that fails for a reason (a tool's error) fails the same way again: tell the user now.
        log.error("%s failed in %s: %s", job.job_id, exc.stage, exc)
        await _failed(ledger, job, reporter, t, exc.stage)
        return f"failed: {exc.stage}"
    except Exception:
        log.exception("%s crashed on try %s", job.job_id, ctx.get("job_try"))
        final = ctx.get("job_try", 1) >= WorkerSettings.max_tries
        if final:
            await _failed(ledger, job, reporter, t, reporter.stage)
        raise
    finally:
        await ledger.disown(job.job_id)
        shutil.rmtree(work_dir, ignore_errors=True)
        if final:
            await ledger.release_and_promote(job)


def _group_pace(ledger: Ledger, chat_id: int) -> Callable[[], Awaitable[bool]] | None:
    """In a group, progress edits of all the chat's stories share half of Telegram's 20 messages a minute; the
    other half is left for the messages that matter (questions, polls, videos)."""
    if chat_id > 0:
        return None
    budget = max(1, get_service_settings().group_messages_per_minute // 2)
    return lambda: ledger.pace(chat_id, budget)


async def _render(ctx: dict[str, Any], job: StoryJob, work_dir: Path, reporter: StatusReporter) -> Video:
    """The pipeline in a thread. When the job is cancelled (Cancel button, job timeout, shutdown) the render is
    stopped (its next progress report raises, its running tool's process group is killed) and waited for before
    the job ends, so this worker never has two renders running."""

    def work() -> Video:
        with cancellation(reporter.stopped):
            return ctx["pipeline"].render(
                job.request, work_dir / "story.mp4", size=parse_size(job.size), seeds=job.seeds,
                progress=reporter.progress,
            )  # fmt: skip

    thread = asyncio.ensure_future(asyncio.to_thread(work))
    try:
        return await asyncio.shield(thread)
    except asyncio.CancelledError:
        reporter.stop()
        started = time.monotonic()
        with contextlib.suppress(BaseException):
            await asyncio.wait_for(asyncio.shield(thread), STOP_WAIT_SECONDS)
        log.info("%s: render stopped %.1f s after the cancel (finished: %s)", job.job_id,
                 time.monotonic() - started, thread.done())  # fmt: skip
        raise


async def _deliver(
    bot: Bot, job: StoryJob, t: Translator, video: Video, ledger: Ledger, reporter: StatusReporter
) -> list[dict]:
    """The video, or its parts in order when it was split to fit a local Bot API server's limit; the buttons go
    under the last part."""
    seconds = int(round(video.duration))
    escaped = {name: html.escape(value) for name, value in status_fields(job).items()}
    # The caption labels the story, so it is in the story's language (genre and all); the rest is the interface's.
    caption = Translator(job.request.language)("caption", minutes=seconds // 60, seconds=seconds % 60, **escaped)
    if job.credit:
        caption += "\n" + t("credit", name=html.escape(job.credit))
    request_id = await ledger.remember_request(job.request)
    parts = list(video.parts) or [video.path]
    sent = []
    # The "sending a video" action lasts 5 s on Telegram: repeated while a long upload runs.
    async with ChatActionSender(bot=bot, chat_id=job.chat_id, action=ChatAction.UPLOAD_VIDEO, interval=4.5):
        for number, part in enumerate(parts, 1):
            last = number == len(parts)
            text = caption if len(parts) == 1 else f"{caption}\n{t('video_part', number=number, count=len(parts))}"
            markup = result_keyboard(t, request_id, job.request.length, job.seeds) if last else None
            if len(parts) > 1:  # a part cut at keyframes may be over the limit on its own
                await _shrink_to(job, part, get_settings().upload_limit_bytes)
            message = await _send_fitting(bot, job, video, part, text, markup, reporter, t)
            sent.append({
                "file_id": message.video.file_id if message.video else None,
                "caption": text,
                "markup": markup.model_dump(mode="json", exclude_none=True) if markup else None,
            })  # fmt: skip
    return sent if all(part["file_id"] for part in sent) else []


async def _send_fitting(
    bot: Bot, job: StoryJob, video: Video, path: Path, caption: str, markup: Any, reporter: StatusReporter,
    t: Translator,
) -> Message:
    """Send a file; when the Bot API answers 413 (its limit is lower than the settings said), tell the user,
    re-encode the file smaller and send again."""
    for attempt in range(SHRINK_TRIES + 1):
        try:
            return await _send_video(bot, job, video, path, caption, markup)
        except TelegramEntityTooLarge:
            if attempt == SHRINK_TRIES:
                raise StageError("send", f"the Bot API refused {path.stat().st_size} bytes even after shrinking")
            smaller = int(path.stat().st_size * SHRINK_FACTOR)
            log.warning("%s: the Bot API refused %s (413); re-encoding under %d bytes", job.job_id, path.name, smaller)
            await reporter.show(t("video_shrinking", **status_fields(job)))
            await _shrink_to(job, path, smaller)
    raise AssertionError("unreachable")


async def _shrink_to(job: StoryJob, path: Path, limit: int) -> int:
    """Re-encode `path` until the file, measured again after each encode, is within `limit` bytes (an encoder
    overshoots its target bitrate now and then); returns the size measured last."""
    size = path.stat().st_size
    target = limit
    for _ in range(SHRINK_TRIES + 1):
        if size <= limit:
            break
        await asyncio.to_thread(fit_size, path, target, get_settings().x264_preset, False)
        measured = path.stat().st_size
        log.info("%s: %s re-encoded from %d to %d bytes (limit %d)", job.job_id, path.name, size, measured, limit)
        if measured >= size:
            break  # no smaller: the Bot API's answer decides
        target = int(target * limit / measured) if measured > limit else target
        size = measured
    return size


async def _send_video(
    bot: Bot, job: StoryJob, video: Video, path: Path, caption: str, markup: Any
) -> Message:
    duration = video.duration if path == video.path else media_duration(path)
    return await bot.send_video(
        job.chat_id,
        FSInputFile(path, filename=path.name if path != video.path else "story.mp4"),
        duration=int(round(duration)),
        width=video.width,
        height=video.height,
        thumbnail=FSInputFile(video.thumbnail, filename="thumbnail.jpg"),
        supports_streaming=True,
        caption=caption,
        parse_mode=ParseMode.HTML,
        reply_markup=markup,
    )


async def _stopped(ledger: Ledger, job: StoryJob, reporter: StatusReporter, t: Translator, elapsed: float) -> bool:
    """The job's task was cancelled: by the Cancel button, by the job timeout, or by a worker shutdown (then
    arq retries it, and this returns False: not final)."""
    fields = status_fields(job)
    if await ledger.was_aborted(job.job_id):
        await ledger.count("cancelled", job.user_id)
        if get_service_settings().pays_quota(job.user_id):
            await ledger.refund_quota(job.user_id)  # a cancelled story is not charged, running or not
        await reporter.show(t("cancelled_job", **fields))
        return True
    if elapsed >= get_service_settings().job_timeout_seconds - 1:
        log.error("%s timed out after %.0f s", job.job_id, elapsed)
        await ledger.count("failed", job.user_id)
        await reporter.show(t("failed_timeout", **fields))
        return True
    return False


async def _failed(ledger: Ledger, job: StoryJob, reporter: StatusReporter, t: Translator, stage: str) -> None:
    await ledger.count("failed", job.user_id)
    await reporter.show(t("failed", stage=_stage_name(t, stage), **status_fields(job)))


def _stage_name(t: Translator, stage: str) -> str:
    key = f"stage_{stage}"
    return t(key) if t.has(key) else stage


async def _keep_alive(ctx: dict[str, Any], every: float) -> None:
    """Say this worker is alive, and rescue the jobs of workers that stopped saying so (killed, machine lost)."""
    ledger: Ledger = ctx["ledger"]
    while True:
        try:
            await ledger.beat(ctx["worker_id"], every)
            for job_id in await ledger.orphans():
                await _rescue(ctx, job_id)
        except Exception:  # noqa: BLE001 - Redis restarting: try again next beat
            log.exception("heartbeat failed")
        await asyncio.sleep(every / 3)


async def _rescue(ctx: dict[str, Any], job_id: str) -> None:
    """An orphaned job goes back to the queue for another try; after its last try (which arq would drop unseen)
    the user is told and their slot handed on."""
    redis, ledger = ctx["redis"], ctx["ledger"]
    tries = int(await redis.get(retry_key_prefix + job_id) or 0)
    if tries < WorkerSettings.max_tries:
        log.warning("the worker running %s is gone; it will be retried", job_id)
        await ledger.free_orphan(job_id)
        return
    info = await Job(job_id, redis).info()
    await ledger.drop_orphan(job_id)
    if info is None:
        return
    job = StoryJob.model_validate(info.args[0])
    log.error("the worker running %s is gone and that was the last of %d tries", job_id, tries)
    t = Translator(job.language)
    text = t("failed", stage=t("stage_worker_lost"), **status_fields(job))
    with contextlib.suppress(TelegramAPIError):
        await ctx["bot"].edit_message_text(text=text, chat_id=job.chat_id, message_id=job.status_message_id)
    await ledger.count("failed", job.user_id)
    await ledger.release_and_promote(job)


def _warm_up() -> None:
    """Load now what the first story would load lazily: the stress model (seconds of work that a Cancel cannot
    interrupt, being inside one library call)."""
    try:
        from pipeline.narrate.stress import accentor

        accentor()
    except Exception:  # noqa: BLE001 - the narrate stage reports a real problem when it runs
        log.warning("could not preload the stress model", exc_info=True)


async def startup(ctx: dict[str, Any]) -> None:
    """Load the models and open the Bot API session once per worker process (a test may pass its own)."""
    if "pipeline" not in ctx:
        ctx["pipeline"] = await asyncio.to_thread(Pipeline.from_settings)
        await asyncio.to_thread(_warm_up)
    settings = get_service_settings()
    ctx["bot"] = create_bot(settings)
    ctx["ledger"] = Ledger(ctx["redis"])
    ctx["stage_clock"] = StageClock(ctx["redis"])
    ctx["worker_id"] = uuid.uuid4().hex[:12]
    ctx["heartbeat"] = asyncio.create_task(_keep_alive(ctx, settings.worker_heartbeat_seconds))


async def shutdown(ctx: dict[str, Any]) -> None:
    task = ctx.get("heartbeat")
    if task:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    if "bot" in ctx:
        await ctx["bot"].session.close()


class WorkerSettings:
    functions = [func(make_story, name=JOB_FUNCTION)]
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = redis_connection_settings(get_service_settings().redis_url)
    job_timeout = get_service_settings().job_timeout_seconds
    max_tries = get_service_settings().job_max_tries
    allow_abort_jobs = True
    max_jobs = 1  # one render at a time: a render already uses both cores
    keep_result = 3600

