"""/story TITLE GENRE at once, or a dialogue: title → genre from buttons."""
from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.config import BotSettings
from bot.i18n import Translator
from bot.keyboards import GenreChoice, genre_keyboard
from bot.queue import StoryQueue
from bot.titles import clean_title, title_problem
from pipeline.genres import parse_genre, split_title_and_genre

class StoryForm(StatesGroup):
    title = State()
    genre = State()


async def _take_title(
    message: Message, text: str, state: FSMContext, t: Translator, queue: StoryQueue, settings: BotSettings
) -> None:
    """A title, maybe ending with a genre: enqueue at once, or ask for the genre."""
    title, genre = split_title_and_genre(clean_title(text))
    problem = title_problem(title, settings.max_title_chars)
    if problem:
        await message.answer(t(problem, length=len(title), limit=settings.max_title_chars))
        await state.set_state(StoryForm.title)
        return
    if genre is None:
        await state.set_state(StoryForm.genre)
        await state.update_data(title=title)
        await message.answer(t("ask_genre", title=title), reply_markup=genre_keyboard(t.language))
        return
    await state.clear()
    await queue.submit(message, title, genre, t)


async def story_command(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    t: Translator,
    queue: StoryQueue,
    settings: BotSettings,
) -> None:
    if not command.args or not command.args.strip():
        await state.set_state(StoryForm.title)
        await message.answer(t("ask_title"))
        return
    await _take_title(message, command.args, state, t, queue, settings)


async def title_answer(
    message: Message, state: FSMContext, t: Translator, queue: StoryQueue, settings: BotSettings
) -> None:
    await _take_title(message, message.text or "", state, t, queue, settings)


async def genre_button(
    callback: CallbackQuery, callback_data: GenreChoice, state: FSMContext, t: Translator, queue: StoryQueue
) -> None:
    title = (await state.get_data()).get("title")
    await callback.answer()
    if not title or not isinstance(callback.message, Message):
        return
    await state.clear()
    await callback.message.edit_reply_markup(reply_markup=None)
    await queue.submit(callback.message, title, callback_data.genre, t)


async def genre_typed(message: Message, state: FSMContext, t: Translator, queue: StoryQueue) -> None:
    genre = parse_genre(message.text or "")
    if genre is None:
        await message.answer(t("unknown_genre"), reply_markup=genre_keyboard(t.language))
        return
    title = (await state.get_data())["title"]
    await state.clear()
    await queue.submit(message, title, genre, t)


async def plain_title(
    message: Message, state: FSMContext, t: Translator, queue: StoryQueue, settings: BotSettings
) -> None:
    """In a private chat, any text outside a dialogue is taken as a title."""
    await _take_title(message, message.text or "", state, t, queue, settings)


def create_router() -> Router:
    """A fresh Router each call: a Router can belong to one Dispatcher only."""
    router = Router(name="story")
    router.message.register(story_command, Command("story"))
    router.message.register(title_answer, StoryForm.title, F.text)
    router.callback_query.register(genre_button, StoryForm.genre, GenreChoice.filter())
    router.message.register(genre_typed, StoryForm.genre, F.text)
    router.message.register(plain_title, F.chat.type == "private", F.text, ~F.text.startswith("/"))
    return router
