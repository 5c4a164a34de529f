"""/start, /help, /cancel, /lang (the interface language, and the stories' language: the request's or a fixed
one), and the admins' /queue and /stats."""
from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.filters import BotAdmin
from bot.keyboards import AUTO, LanguageChoice, StoryLanguageDefault, language_keyboard, story_language_keyboard
from bot.middlewares.i18n import choose_language, choose_story_language
from bot.queue import StoryQueue
from common.i18n import Translator, story_language
from pipeline.genres import STORY_LANGUAGES, genre_name
from pipeline.types import Genre


async def start(message: Message, state: FSMContext, t: Translator) -> None:
    await state.clear()
    name = message.from_user.first_name if message.from_user else ""
    await message.answer(t("start", name=name))


async def help_(message: Message, bot: Bot, t: Translator) -> None:
    genres = ", ".join(genre_name(genre, story_language(t.language)) for genre in Genre)
    await message.answer(t("help", bot=(await bot.me()).username, genres=genres))


async def cancel(message: Message, state: FSMContext, t: Translator) -> None:
    if await state.get_state() is None:
        await message.answer(t("nothing_to_cancel"))
        return
    await state.clear()
    await message.answer(t("cancelled"))


async def lang(message: Message, t: Translator, story_choice: str | None = None) -> None:
    await message.answer(t("lang_prompt"), reply_markup=language_keyboard())
    await message.answer(t("story_lang_prompt"), reply_markup=story_language_keyboard(t, story_choice))


async def language_button(callback: CallbackQuery, callback_data: LanguageChoice, queue: StoryQueue) -> None:
    await choose_language(queue.pool, callback.from_user.id, callback_data.language)
    await callback.answer()
    if isinstance(callback.message, Message):
        await callback.message.edit_text(Translator(callback_data.language)("lang_set"), reply_markup=None)


async def story_language_button(
    callback: CallbackQuery, callback_data: StoryLanguageDefault, queue: StoryQueue, t: Translator
) -> None:
    choice = callback_data.language if callback_data.language in STORY_LANGUAGES else AUTO
    await choose_story_language(queue.pool, callback.from_user.id, choice)
    await callback.answer()
    if not isinstance(callback.message, Message):
        return
    if choice == AUTO:
        text = t("story_lang_set_auto")
    else:
        text = t("story_lang_set", lang=t(f"story_language_{choice}"))
    await callback.message.edit_text(text, reply_markup=None)


async def admins_only(message: Message, t: Translator) -> None:
    await message.answer(t("admins_only"))


async def queue_report(message: Message, t: Translator, queue: StoryQueue) -> None:
    ids, running = await queue.ledger.queue_order()
    workers = await queue.ledger.workers_alive()
    await message.answer(t("queue_report", waiting=len(ids) - len(running), running=len(running), workers=workers))


async def stats(message: Message, t: Translator, queue: StoryQueue) -> None:
    await message.answer(t("stats_report", **await queue.ledger.stats()))


def create_router() -> Router:
    """A fresh Router each call: a Router can belong to one Dispatcher only."""
    router = Router(name="common")
    router.message.register(start, CommandStart())
    router.message.register(help_, Command("help"))
    router.message.register(cancel, Command("cancel"))
    router.message.register(lang, Command("lang"))
    router.callback_query.register(language_button, LanguageChoice.filter())
    router.callback_query.register(story_language_button, StoryLanguageDefault.filter())
    router.message.register(queue_report, Command("queue"), BotAdmin())
    router.message.register(stats, Command("stats"), BotAdmin())
    router.message.register(admins_only, Command("queue", "stats"))
    return router
