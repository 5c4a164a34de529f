"""Buttons on a story's messages: Cancel under the status message, and the regenerate buttons under the video."""
from __future__ import annotations

import random

from aiogram import Bot, Router
from aiogram.types import CallbackQuery, Message

from bot.filters import is_chat_admin
from bot.queue import StoryQueue
from common.buttons import LENGTH_ORDER, Again, CancelJob
from common.config import ServiceSettings
from common.contract import StoryJob, status_fields
from common.i18n import Translator
from pipeline.types import StageSeeds, StoryRequest

_random = random.SystemRandom()


def fresh_seed(old: int) -> int:
    seed = old
    while seed == old:
        seed = _random.randrange(1, 1_000_000)
    return seed


def varied(request: StoryRequest, seeds: StageSeeds, action: str) -> tuple[StoryRequest, StageSeeds]:
    """What a result button changes; everything else stays, so the pipeline reuses those cached stages."""
    if action == "new":
        seed = fresh_seed(request.seed)
        return request.model_copy(update={"seed": seed}), StageSeeds.from_seed(seed)
    if action in ("music", "pictures", "voices"):
        return request, seeds.model_copy(update={action: fresh_seed(getattr(seeds, action))})
    step = 1 if action == "longer" else -1
    index = min(max(LENGTH_ORDER.index(request.length) + step, 0), len(LENGTH_ORDER) - 1)
    return request.model_copy(update={"length": LENGTH_ORDER[index]}), seeds


async def may_cancel(bot: Bot, message: Message, job: StoryJob, user_id: int, settings: ServiceSettings) -> bool:
    """In a private chat the one person there; in a group whoever asked for the story, or an admin."""
    if message.chat.type == "private" or user_id == job.user_id:
        return True
    return await is_chat_admin(bot, message.chat.id, user_id, settings)


async def cancel_button(
    callback: CallbackQuery, callback_data: CancelJob, bot: Bot, t: Translator, queue: StoryQueue,
    settings: ServiceSettings,
) -> None:  # fmt: skip
    message = callback.message
    job = await queue.find(message.chat.id, callback_data.key) if isinstance(message, Message) else None
    if job is None or not isinstance(message, Message):
        await callback.answer(t("cancel_too_late"))
        return
    if not await may_cancel(bot, message, job, callback.from_user.id, settings):
        await callback.answer(t("cancel_not_yours"), show_alert=True)
        return
    outcome = await queue.cancel(job)
    if outcome != "cancelled":
        await callback.answer(t("cancel_stopping" if outcome == "stopping" else "cancel_too_late"))
        return
    await callback.answer()
    await message.edit_text(t("cancelled_job", **status_fields(job)), reply_markup=None)


async def again_button(callback: CallbackQuery, callback_data: Again, t: Translator, queue: StoryQueue) -> None:
    request = await queue.ledger.recall_request(callback_data.request)
    if request is None or not isinstance(callback.message, Message):
        await callback.answer(t("request_expired"), show_alert=True)
        return
    await callback.answer()
    request, seeds = varied(request, callback_data.seeds, callback_data.action)
    user_id = callback.from_user.id if callback.from_user else 0
    await queue.submit(callback.message, t, request, user_id, seeds=seeds)


def create_router() -> Router:
    router = Router(name="jobs")
    router.callback_query.register(cancel_button, CancelJob.filter())
    router.callback_query.register(again_button, Again.filter())
    return router
