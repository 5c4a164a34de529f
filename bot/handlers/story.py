"""/story TITLE GENRE at once, or a dialogue kept in Redis: title → genre (buttons) → length (buttons) → confirm."""
from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.keyboards import (
    ConfirmChoice,
    GenreChoice,
    LengthChoice,
    confirm_keyboard,
    genre_keyboard,
    length_keyboard,
)
from bot.queue import StoryQueue
from bot.titles import clean_title, title_problem
from common.config import ServiceSettings
from common.i18n import Translator, story_language
from pipeline.genres import genre_name, parse_genre, split_title_and_genre
from pipeline.types import Genre, Length

LENGTH_WORDS = {
    Length.short: ("short", "shorter", "коротко", "короткая", "короткую", "короткий", "1"),
    Length.standard: ("standard", "normal", "medium", "обычная", "обычную", "средняя", "среднюю", "2"),
    Length.long: ("long", "longer", "длинная", "длинную", "длинный", "долгая", "3"),
}


class StoryForm(StatesGroup):
    title = State()
    genre = State()
    length = State()
    confirm = State()


def parse_length(text: str) -> Length | None:
    word = text.strip().lower().strip(".!?")
    return next((length for length, words in LENGTH_WORDS.items() if word in words), None)


def _user_id(event: Message | CallbackQuery) -> int:
    return event.from_user.id if event.from_user else 0


async def _take_title(
    message: Message, text: str, state: FSMContext, t: Translator, queue: StoryQueue, settings: ServiceSettings
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
    await queue.submit(message, t, queue.request(title, genre, t), _user_id(message))


async def story_command(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    t: Translator,
    queue: StoryQueue,
    settings: ServiceSettings,
) -> None:
    if not command.args or not command.args.strip():
        await state.set_state(StoryForm.title)
        await message.answer(t("ask_title"))
        return
    await _take_title(message, command.args, state, t, queue, settings)


async def title_answer(
    message: Message, state: FSMContext, t: Translator, queue: StoryQueue, settings: ServiceSettings
) -> None:
    await _take_title(message, message.text or "", state, t, queue, settings)


async def _ask_length(message: Message, state: FSMContext, t: Translator, genre: Genre) -> None:
    await state.update_data(genre=genre.value)
    await state.set_state(StoryForm.length)
    title = (await state.get_data())["title"]
    name = genre_name(genre, story_language(t.language))
    await message.answer(t("ask_length", title=title, genre=name), reply_markup=length_keyboard(t))


async def _answered(callback: CallbackQuery) -> Message | None:
    """Acknowledge a dialogue button and take its keyboard away, so it cannot be pressed twice."""
    await callback.answer()
    if not isinstance(callback.message, Message):
        return None
    await callback.message.edit_reply_markup(reply_markup=None)
    return callback.message


async def genre_button(callback: CallbackQuery, callback_data: GenreChoice, state: FSMContext, t: Translator) -> None:
    if message := await _answered(callback):
        await _ask_length(message, state, t, callback_data.genre)


async def genre_typed(message: Message, state: FSMContext, t: Translator) -> None:
    genre = parse_genre(message.text or "")
    if genre is None:
        await message.answer(t("unknown_genre"), reply_markup=genre_keyboard(t.language))
        return
    await _ask_length(message, state, t, genre)


async def _ask_confirm(message: Message, state: FSMContext, t: Translator, length: Length) -> None:
    await state.update_data(length=length.value)
    await state.set_state(StoryForm.confirm)
    data = await state.get_data()
    name = genre_name(Genre(data["genre"]), story_language(t.language))
    text = t("confirm", title=data["title"], genre=name, length=t(f"length_{length.value}"))
    await message.answer(text, reply_markup=confirm_keyboard(t))


async def length_button(
    callback: CallbackQuery, callback_data: LengthChoice, state: FSMContext, t: Translator
) -> None:
    if message := await _answered(callback):
        await _ask_confirm(message, state, t, callback_data.length)


async def length_typed(message: Message, state: FSMContext, t: Translator) -> None:
    length = parse_length(message.text or "")
    if length is None:
        await message.answer(t("press_a_button"), reply_markup=length_keyboard(t))
        return
    await _ask_confirm(message, state, t, length)


async def confirm_button(
    callback: CallbackQuery, callback_data: ConfirmChoice, state: FSMContext, t: Translator, queue: StoryQueue
) -> None:
    data = await state.get_data()
    await state.clear()
    message = await _answered(callback)
    if message is None:
        return
    if not callback_data.start:
        await message.answer(t("cancelled"))
        return
    request = queue.request(data["title"], Genre(data["genre"]), t, Length(data["length"]))
    await queue.submit(message, t, request, _user_id(callback))


async def confirm_typed(message: Message, t: Translator) -> None:
    await message.answer(t("press_a_button"), reply_markup=confirm_keyboard(t))


async def stale_dialogue_button(callback: CallbackQuery, t: Translator) -> None:
    """A dialogue button pressed after the dialogue ended (or was cancelled)."""
    await callback.answer(t("nothing_to_cancel"))


def replies_to_bot(message: Message) -> bool:
    reply = message.reply_to_message
    return bool(reply and reply.from_user and reply.from_user.is_bot and reply.from_user.id == message.bot.id)


def create_router() -> Router:
    """A fresh Router each call: a Router can belong to one Dispatcher only."""
    router = Router(name="story")
    router.message.register(story_command, Command("story"))
    router.message.register(title_answer, StoryForm.title, F.text, ~F.text.startswith("/"))
    router.callback_query.register(genre_button, StoryForm.genre, GenreChoice.filter())
    router.message.register(genre_typed, StoryForm.genre, F.text, ~F.text.startswith("/"))
    router.callback_query.register(length_button, StoryForm.length, LengthChoice.filter())
    router.message.register(length_typed, StoryForm.length, F.text, ~F.text.startswith("/"))
    router.callback_query.register(confirm_button, StoryForm.confirm, ConfirmChoice.filter())
    router.message.register(confirm_typed, StoryForm.confirm, F.text, ~F.text.startswith("/"))
    for factory in (GenreChoice, LengthChoice, ConfirmChoice):
        router.callback_query.register(stale_dialogue_button, factory.filter())
    # In private chats any text is a title; in groups (privacy mode) only replies to the bot's messages.
    router.message.register(title_answer, F.chat.type == "private", F.text, ~F.text.startswith("/"))
    router.message.register(title_answer, F.text, ~F.text.startswith("/"), replies_to_bot)
    return router
