"""Putting a story request on the arq queue with the status message the worker will keep editing, under the
per-user limits (daily quota, one job at a time); cancelling it; keeping waiting jobs' positions up to date."""
from __future__ import annotations

import asyncio
import contextlib
import logging

from aiogram import Bot
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramBadRequest, TelegramRetryAfter
from aiogram.types import InlineKeyboardMarkup, Message
from arq.connections import ArqRedis
from arq.constants import in_progress_key_prefix, job_key_prefix
from arq.jobs import Job

from common.buttons import cancel_keyboard
from common.config import ServiceSettings
from common.contract import StoryJob, job_id_for, status_fields
from common.i18n import Translator, story_language
from common.ledger import Ledger
from pipeline.genres import guess_language
from pipeline.types import Genre, Language, Length, StageSeeds, StoryRequest

log = logging.getLogger(__name__)
MAX_EDITS_PER_PASS = 25


def queued_text(t: Translator, position: int, job: StoryJob) -> str:
    """A waiting job's status: "you are next" at the front of the line, else how many wait before it."""
    if position <= 1:
        return t("queued_next", **status_fields(job))
    return t("queued", position=position - 1, **status_fields(job))


class StoryQueue:
    def __init__(self, pool: ArqRedis, settings: ServiceSettings):
        self.pool = pool
        self.settings = settings
        slot_ttl = settings.job_timeout_seconds * settings.job_max_tries + 600
        self.ledger = Ledger(pool, slot_ttl=slot_ttl)

    def request(
        self, title: str, genre: Genre, t: Translator, length: Length | None = None, language: Language | None = None
    ) -> StoryRequest:
        """`language`: the story's; by default the title's (pipeline.genres.guess_language), else the interface's."""
        language = language or guess_language(title).language or story_language(t.language)
        return StoryRequest(
            title=title, genre=genre, language=language,
            length=length or self.settings.default_length,
        )  # fmt: skip

    async def submit(
        self,
        message: Message,
        t: Translator,
        request: StoryRequest,
        user_id: int,
        seeds: StageSeeds | None = None,
        credit: str | None = None,
    ) -> StoryJob | None:
        """Answer `message`'s chat with a status message and enqueue the job; None if it was not enqueued
        (the same job already on, quota used up, or the user busy under the "refuse" policy)."""
        job = StoryJob(
            chat_id=message.chat.id, status_message_id=0, language=t.language, request=request,
            seeds=seeds or StageSeeds.from_seed(request.seed), size=self.settings.video_size,
            user_id=user_id, credit=credit,
        )  # fmt: skip
        if await self.ledger.is_known(job.job_id):
            await message.answer(t("already_running"))  # a double tap: not charged
            return None
        if await self._send_again(message, job):
            return None
        if self.settings.pays_quota(user_id) and not await self.ledger.spend_quota(user_id, self.settings.daily_quota):
            await self.ledger.count("refused", user_id)
            await message.answer(t("quota_exceeded", limit=self.settings.daily_quota))
            return None
        await self.ledger.remember_request(request)
        if user_id and not await self.ledger.claim_slot(user_id, job.job_id):
            return await self._when_busy(message, t, job)
        await self.ledger.count("requested", user_id)
        try:
            return await self._enqueue(message, t, job)
        except BaseException:
            await self.release(job)  # a slot claimed for a job that never ran would block the user
            raise

    async def _enqueue(self, message: Message, t: Translator, job: StoryJob) -> StoryJob | None:
        position = await self.ledger.next_position()
        status = await message.answer(
            queued_text(t, position, job), reply_markup=cancel_keyboard(t, job.key)
        )
        job = job.model_copy(update={"status_message_id": status.message_id})
        if not await self.ledger.enqueue(job, position):  # the same request, sent twice at the same moment
            await self.release(job)
            await self._refund(job)
            await status.edit_text(t("already_running"))
            return None
        log.info("queued %s for chat %s", job.job_id, job.chat_id)
        return job

    async def _send_again(self, message: Message, job: StoryJob) -> bool:
        """The same request once more after its video came: the files go again by their Telegram file_id (no
        render, no quota). Where there is nothing to send again (it failed, was cancelled, or Telegram no longer
        knows the file), what the finished job left is cleared so it is rendered afresh; False then."""
        sent = await self.ledger.sent_video(job.job_id)
        if sent:
            try:
                for part in sent:
                    markup = part.get("markup")
                    await message.bot.send_video(
                        job.chat_id, part["file_id"], caption=part.get("caption"), parse_mode=ParseMode.HTML,
                        reply_markup=InlineKeyboardMarkup.model_validate(markup) if markup else None,
                    )  # fmt: skip
                log.info("sent %s again by file_id", job.job_id)
                return True
            except TelegramBadRequest as exc:
                log.info("sending %s again by file_id failed (%s); rendering it afresh", job.job_id, exc.message)
        await self.ledger.forget_finished(job.job_id)
        return False

    async def _refund(self, job: StoryJob) -> None:
        if self.settings.pays_quota(job.user_id):
            await self.ledger.refund_quota(job.user_id)

    async def _when_busy(self, message: Message, t: Translator, job: StoryJob) -> StoryJob | None:
        if self.settings.busy_policy == "refuse":
            await self._refund(job)
            await self.ledger.count("refused", job.user_id)
            await message.answer(t("busy_refused"))
            return None
        await self.ledger.count("requested", job.user_id)
        status = await message.answer(t("held", **status_fields(job)), reply_markup=cancel_keyboard(t, job.key))
        job = job.model_copy(update={"status_message_id": status.message_id})
        await self.ledger.hold(job.user_id, job)
        return job

    async def find(self, chat_id: int, key: str) -> StoryJob | None:
        """The job behind a Cancel button, wherever it is: held for its user, queued or running."""
        job_id = job_id_for(chat_id, key)
        job = await self.ledger.held_job(job_id) or await self.ledger.queued_job(job_id)
        if job is None and (info := await Job(job_id, self.pool).info()) is not None:
            job = StoryJob.model_validate(info.args[0])
        return job

    async def cancel(self, job: StoryJob) -> str:
        """"cancelled" (a waiting job, dropped now), "stopping" (a running one, aborted) or "gone" (too late)."""
        job_id = job.job_id
        if await self.ledger.held_job(job_id) and await self.ledger.drop_held(job.user_id, job_id):
            await self._after_drop(job)
            return "cancelled"
        if await self.ledger.remove_queued(job_id):
            await self.ledger.forget_status(job_id)
            await self._after_drop(job)
            await self.release(job)
            return "cancelled"
        if await self.pool.exists(in_progress_key_prefix + job_id):
            await self.ledger.request_abort(job_id)
            return "stopping"
        return "gone"

    async def _after_drop(self, job: StoryJob) -> None:
        await self.ledger.count("cancelled", job.user_id)
        await self._refund(job)

    async def release(self, job: StoryJob) -> None:
        """The job is over: hand its user's slot to their next held job, if any."""
        await self.ledger.release_and_promote(job)


class QueueWatcher:
    """Edits the status message of every queued job when its place in the line changes."""

    def __init__(self, bot: Bot, ledger: Ledger, interval: float):
        self.bot = bot
        self.ledger = ledger
        self.interval = max(0.2, interval)

    async def run(self) -> None:
        while True:
            try:
                await self.refresh()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - a hiccup (Redis restart) must not stop the watcher
                log.exception("queue watcher pass failed")
            await asyncio.sleep(self.interval)

    async def refresh(self) -> None:
        positions = await self.ledger.positions()
        changed = []
        for job_id, (shown, job) in (await self.ledger.waiting_jobs()).items():
            position = positions.get(job_id)
            if position is None:
                if not await self.pool_has(job_id):
                    await self.ledger.forget_status(job_id)
            elif position != shown:
                changed.append((position, job))
        # The front of the line first, and no more edits per pass than Telegram's ~30 messages a second allows.
        for position, job in sorted(changed, key=lambda item: item[0])[:MAX_EDITS_PER_PASS]:
            job = StoryJob.model_validate(job)
            if await self.ledger.still_waiting(job.job_id):
                await self._show(job, position)

    async def pool_has(self, job_id: str) -> bool:
        return bool(await self.ledger.redis.exists(job_key_prefix + job_id))

    async def _show(self, job: StoryJob, position: int) -> None:
        t = Translator(job.language)
        with contextlib.suppress(TelegramRetryAfter, TelegramBadRequest):
            await self.bot.edit_message_text(
                text=queued_text(t, position, job),
                chat_id=job.chat_id,
                message_id=job.status_message_id,
                reply_markup=cancel_keyboard(t, job.key),
            )
        await self.ledger.save_position(job, position)
