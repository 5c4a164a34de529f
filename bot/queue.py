"""Putting a story request on the arq queue, with the status message the worker will keep editing."""
from __future__ import annotations

import logging

from aiogram.types import Message
from arq.connections import ArqRedis

from bot.config import BotSettings
from bot.i18n import Translator, story_language
from pipeline.genres import genre_name
from pipeline.types import Genre, StageSeeds, StoryRequest
from workers.contract import JOB_FUNCTION, StoryJob

log = logging.getLogger(__name__)


class StoryQueue:
    def __init__(self, pool: ArqRedis, settings: BotSettings):
        self.pool = pool
        self.settings = settings

    async def submit(self, message: Message, title: str, genre: Genre, t: Translator, seed: int = 0) -> StoryJob | None:
        """Reply with a status message and enqueue the job; None if the same job is already queued or running."""
        language = story_language(t.language)
        request = StoryRequest(
            title=title, genre=genre, language=language, length=self.settings.default_length, seed=seed
        )
        fields = {"title": title, "genre": genre_name(genre, language)}
        status = await message.answer(t("queued", **fields))
        job = StoryJob(
            chat_id=message.chat.id,
            status_message_id=status.message_id,
            language=t.language,
            request=request,
            seeds=StageSeeds.from_seed(seed),
            size=self.settings.video_size,
        )
        queued = await self.pool.enqueue_job(JOB_FUNCTION, job.model_dump(mode="json"), _job_id=job.job_id)
        if queued is None:
            await status.edit_text(t("already_running"))
            return None
        log.info("queued %s for chat %s", job.job_id, job.chat_id)
        return job
