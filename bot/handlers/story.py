"""/story TITLE GENRE at once, or a dialogue kept in Redis: title → genre (buttons) → length (buttons) → confirm.

The story's language comes from the request (pipeline.genres.guess_language: the genre word if typed, else the
title's script), or from the user's fixed choice (/lang); the interface language only breaks ties. The confirmation
says which language and has a button to tell it in the other. A title in a language stories cannot be told in
(German, …) does not start at once: the confirmation says which story languages exist."""
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
    TellIn,
    confirm_keyboard,
    genre_keyboard,
    length_keyboard,
)
from bot.queue import StoryQueue
from bot.titles import clean_title, title_problem
from common.config import ServiceSettings
from common.i18n import Translator, story_language
from pipeline.genres import (
    STORY_LANGUAGES,
    LanguageGuess,
    genre_name,
    guess_language,
    parse_genre,
    read_request,
)
from pipeline.types import Genre, Language, Length

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


def decide_language(guess: LanguageGuess, story_choice: str | None, t: Translator) -> tuple[Language, bool]:
    """The story's language and whether to say which story languages exist: the user's fixed choice (/lang),
    else what the request says, else the interface language; a foreign title the request leaves open gets the
    note (unless the user fixed the language: then they know)."""
    if story_choice in STORY_LANGUAGES:
        return story_choice, False  # type: ignore[return-value]
    if guess.language is not None:
        return guess.language, False
    return story_language(t.language), guess.foreign is not None


async def _take_title(
    message: Message,
    text: str,
    state: FSMContext,
    t: Translator,
    queue: StoryQueue,
    settings: ServiceSettings,
    story_choice: str | None,
) -> None:
    """A title, maybe ending with a genre: enqueue at once, or ask for the genre (or, for a title in a language
    stories cannot be told in, confirm first)."""
    title, genre, genre_words = read_request(clean_title(text))
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
    language, foreign = decide_language(guess_language(title, genre_words), story_choice, t)
    if foreign:
        await state.update_data(title=title, genre=genre.value, language=language, foreign=True)
        await _ask_confirm(message, state, t, settings.default_length)
        return
    await state.clear()
    await queue.submit(message, t, queue.request(title, genre, t, language=language), _user_id(message))


async def story_command(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    t: Translator,
    queue: StoryQueue,
    settings: ServiceSettings,
    story_choice: str | None = None,
) -> None:
    if not command.args or not command.args.strip():
        await state.set_state(StoryForm.title)
        await message.answer(t("ask_title"))
        return
    await _take_title(message, command.args, state, t, queue, settings, story_choice)


async def title_answer(
    message: Message,
    state: FSMContext,
    t: Translator,
    queue: StoryQueue,
    settings: ServiceSettings,
    story_choice: str | None = None,
) -> None:
    await _take_title(message, message.text or "", state, t, queue, settings, story_choice)


async def _ask_length(
    message: Message, state: FSMContext, t: Translator, genre: Genre, genre_words: str, story_choice: str | None
) -> None:
    """The genre is known: the story's language can be decided (a typed genre word counts, a button does not)."""
    title = (await state.get_data())["title"]
    language, foreign = decide_language(guess_language(title, genre_words), story_choice, t)
    await state.update_data(genre=genre.value, language=language, foreign=foreign)
    await state.set_state(StoryForm.length)
    name = genre_name(genre, story_language(t.language))
    await message.answer(t("ask_length", title=title, genre=name), reply_markup=length_keyboard(t))


async def _answered(callback: CallbackQuery) -> Message | None:
    """Acknowledge a dialogue button and take its keyboard away, so it cannot be pressed twice."""
    await callback.answer()
    if not isinstance(callback.message, Message):
        return None
    await callback.message.edit_reply_markup(reply_markup=None)
    return callback.message


async def genre_button(
    callback: CallbackQuery,
    callback_data: GenreChoice,
    state: FSMContext,
    t: Translator,
    story_choice: str | None = None,
) -> None:
    if message := await _answered(callback):
        await _ask_length(message, state, t, callback_data.genre, "", story_choice)


async def genre_typed(message: Message, state: FSMContext, t: Translator, story_choice: str | None = None) -> None:
    genre = parse_genre(message.text or "")
    if genre is None:
        await message.answer(t("unknown_genre"), reply_markup=genre_keyboard(t.language))
        return
    await _ask_length(message, state, t, genre, message.text or "", story_choice)


def _language_list(t: Translator) -> str:
    """"по-русски и по-английски": the story languages in the interface language."""
    names = [t(f"story_language_{language}") for language in STORY_LANGUAGES]
    return ", ".join(names[:-1]) + t("list_and") + names[-1] if len(names) > 1 else names[0]


def _confirm_text(t: Translator, data: dict) -> str:
    """The confirmation: title, genre, length, the story's language (and which exist, for a foreign title)."""
    story = t("story_in", lang=t(f"story_language_{data['language']}"))
    if data.get("foreign"):
        story = t("story_languages_note", languages=_language_list(t)) + "\n" + story
    name = genre_name(Genre(data["genre"]), story_language(t.language))
    return t("confirm", title=data["title"], genre=name, length=t(f"length_{data['length']}"), story_language=story)


async def _ask_confirm(message: Message, state: FSMContext, t: Translator, length: Length) -> None:
    await state.update_data(length=length.value)
    await state.set_state(StoryForm.confirm)
    data = await state.get_data()
    if data.get("language") not in STORY_LANGUAGES:  # a dialogue begun before the bot knew story languages
        data = await state.update_data(language=story_language(t.language))
    await message.answer(_confirm_text(t, data), reply_markup=confirm_keyboard(t, data["language"]))


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
    request = queue.request(data["title"], Genre(data["genre"]), t, Length(data["length"]), data.get("language"))
    await queue.submit(message, t, request, _user_id(callback))


async def tell_in_button(callback: CallbackQuery, callback_data: TellIn, state: FSMContext, t: Translator) -> None:
    """"Tell it in English": the confirmation is shown again with the new language and the buttons to go on."""
    await callback.answer()
    await state.update_data(language=callback_data.language)
    data = await state.get_data()
    if isinstance(callback.message, Message):
        keyboard = confirm_keyboard(t, callback_data.language)
        await callback.message.edit_text(_confirm_text(t, data), reply_markup=keyboard)


async def confirm_typed(message: Message, state: FSMContext, t: Translator) -> None:
    language = (await state.get_data()).get("language")
    await message.answer(t("press_a_button"), reply_markup=confirm_keyboard(t, language))


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
    router.callback_query.register(tell_in_button, StoryForm.confirm, TellIn.filter())
    router.message.register(confirm_typed, StoryForm.confirm, F.text, ~F.text.startswith("/"))
    for factory in (GenreChoice, LengthChoice, ConfirmChoice, TellIn):
        router.callback_query.register(stale_dialogue_button, factory.filter())
    # In private chats any text is a title; in groups (privacy mode) only replies to the bot's messages.
    router.message.register(title_answer, F.chat.type == "private", F.text, ~F.text.startswith("/"))
    router.message.register(title_answer, F.text, ~F.text.startswith("/"), replies_to_bot)
    return router
