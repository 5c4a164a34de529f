"""The private-chat dialogue against the real aiogram client, a fake Bot API server and a real Redis."""
from __future__ import annotations

import json
import re
import string

import pytest

from common.i18n import catalogs
from pipeline.genres import split_title_and_genre
from pipeline.types import Genre
from tests.bot_app import buttons, configure, press, running_bot, says

USER = 777


@pytest.fixture
def bot_env(monkeypatch, fake_telegram, redis_url, tmp_path):
    configure(monkeypatch, fake_telegram, redis_url, tmp_path)
    return fake_telegram


async def test_story_with_genre_is_queued_at_once_with_a_status_message(bot_env):
    async with running_bot() as app:
        bot_env.push_message("/story Кот в сапогах сказка", chat_id=USER, user_id=USER)
        status = await bot_env.wait_for("sendMessage", says("Кот в сапогах"))
        assert "сказка" in status.params["text"] and "В очереди" in status.params["text"]
        assert [b["text"] for b in buttons(status)] == ["✖️ Отменить"]
        [payload] = await app.wait_for_queued()
        assert payload["request"] == {**payload["request"], "title": "Кот в сапогах", "genre": "fairy_tale"}
        assert payload["request"]["length"] == "standard" and payload["user_id"] == USER
        assert payload["status_message_id"] == status.result["message_id"] and payload["chat_id"] == USER


async def test_dialogue_title_genre_length_confirm(bot_env):
    async with running_bot() as app:
        bot_env.push_message("/story", chat_id=USER, user_id=USER)
        await bot_env.wait_for("sendMessage", says("называться"))
        bot_env.push_message("Ночной поезд", chat_id=USER, user_id=USER)
        genre_question = await bot_env.wait_for("sendMessage", says("Ночной поезд", "жанр"))
        assert len(buttons(genre_question)) == len(Genre)
        assert {b["text"] for b in buttons(genre_question)} >= {"ужасы", "былина", "басня", "сказка"}
        press(bot_env, genre_question, "ужасы")
        length_question = await bot_env.wait_for("sendMessage", says("Какой длины"))
        assert len(buttons(length_question)) == 3
        press(bot_env, length_question, "Длинная")
        confirm = await bot_env.wait_for("sendMessage", says("Начинаю?"))
        assert "Ночной поезд" in confirm.params["text"] and "ужасы" in confirm.params["text"]
        press(bot_env, confirm, "Начать")
        await bot_env.wait_for("sendMessage", says("В очереди"))
        [payload] = await app.wait_for_queued()
        assert payload["request"]["title"] == "Ночной поезд" and payload["request"]["genre"] == "horror"
        assert payload["request"]["length"] == "long"
        used = [c for c in bot_env.calls_of("editMessageReplyMarkup")]
        assert len(used) == 3, "each answered keyboard is removed so it cannot be pressed twice"


async def test_bad_answers_are_asked_again_at_each_step(bot_env):
    async with running_bot() as app:
        bot_env.push_message("Ночной поезд", chat_id=USER, user_id=USER)
        await bot_env.wait_for("sendMessage", says("жанр"))
        bot_env.push_message("оперетта", chat_id=USER, user_id=USER)
        again = await bot_env.wait_for("sendMessage", says("Не знаю такого жанра"))
        assert len(buttons(again)) == len(Genre)
        bot_env.push_message("хоррор", chat_id=USER, user_id=USER)
        await bot_env.wait_for("sendMessage", says("Какой длины"))
        bot_env.push_message("средневековая", chat_id=USER, user_id=USER)
        await bot_env.wait_for("sendMessage", lambda c: "нажмите кнопку" in c.params["text"] and len(buttons(c)) == 3)
        bot_env.push_message("короткая", chat_id=USER, user_id=USER)
        await bot_env.wait_for("sendMessage", says("Начинаю?"))
        start = len(bot_env.calls)
        bot_env.push_message("да", chat_id=USER, user_id=USER)
        reasked = await bot_env.wait_for("sendMessage", says("нажмите кнопку"), start=start)
        press(bot_env, reasked, "Начать")
        await bot_env.wait_for("sendMessage", says("В очереди"))
        [payload] = await app.wait_for_queued()
        assert payload["request"]["genre"] == "horror" and payload["request"]["length"] == "short"


@pytest.mark.parametrize("answers", [[], ["Ночной поезд"], ["Ночной поезд", "ужасы"], ["Ночной поезд", "ужасы", "1"]])
async def test_cancel_leaves_the_dialogue_at_any_step(bot_env, answers):
    async with running_bot() as app:
        bot_env.push_message("/story", chat_id=USER, user_id=USER)
        await bot_env.wait_for("sendMessage", says("называться"))
        for answer in answers:
            start = len(bot_env.calls)
            bot_env.push_message(answer, chat_id=USER, user_id=USER)
            last = await bot_env.wait_for("sendMessage", start=start)
        bot_env.push_message("/cancel", chat_id=USER, user_id=USER)
        await bot_env.wait_for("sendMessage", lambda c: c.params["text"] == "Хорошо, отменил.")
        if answers:
            [first_button, *_] = buttons(last)
            bot_env.push_callback(first_button["callback_data"], message=last.result, user_id=USER)
            await bot_env.wait_for("answerCallbackQuery", lambda c: "Отменять нечего" in c.params.get("text", ""))
        start = len(bot_env.calls)
        bot_env.push_message("/cancel", chat_id=USER, user_id=USER)
        await bot_env.wait_for("sendMessage", says("Отменять нечего"), start=start)
        assert await app.queued_payloads() == []


async def test_the_confirm_screens_cancel_button_queues_nothing(bot_env):
    async with running_bot() as app:
        bot_env.push_message("Ночной поезд драма", chat_id=USER, user_id=USER)  # a genre: starts at once
        await bot_env.wait_for("sendMessage", says("В очереди"))
        for answer, question in [("/story", "называться"), ("Ночной поезд", "жанр"), ("комедия", "длины")]:
            bot_env.push_message(answer, chat_id=USER, user_id=USER)
            await bot_env.wait_for("sendMessage", says(question))
        bot_env.push_message("long", chat_id=USER, user_id=USER)
        confirm = await bot_env.wait_for("sendMessage", says("Начинаю?"))
        press(bot_env, confirm, "Отмена")
        await bot_env.wait_for("sendMessage", lambda c: c.params["text"] == "Хорошо, отменил.")
        assert [p["request"]["genre"] for p in await app.queued_payloads()] == ["drama"]


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/story " + "Очень длинное название " * 220 + "ужасы", "слишком длинное"),
        ("/story 🎃👻🎃 ужасы", "нет ни одной буквы"),
        ("/story \u200b\u200b ужасы", "Название пустое"),
        ("/story \x00\x1b[31m\u202e ужасы", "Название пустое"),
    ],
)
async def test_bad_titles_get_a_clear_answer_and_nothing_is_queued(bot_env, command, expected):
    async with running_bot() as app:
        bot_env.push_message(command, chat_id=USER, user_id=USER)
        await bot_env.wait_for("sendMessage", says(expected))
        assert await app.queued_payloads() == []


async def test_markup_in_a_title_is_echoed_as_plain_text(bot_env):
    async with running_bot():
        bot_env.push_message("/story <b>Бал</b> *вампиров* ужасы", chat_id=USER, user_id=USER)
        status = await bot_env.wait_for("sendMessage")
        assert "<b>Бал</b> *вампиров*" in status.params["text"]
        assert not status.params.get("parse_mode")


async def test_the_same_request_twice_runs_once(bot_env):
    async with running_bot() as app:
        bot_env.push_message("/story Баба Яга комедия", chat_id=USER, user_id=USER)
        await bot_env.wait_for("sendMessage", says("В очереди"))
        bot_env.push_message("/story Баба Яга комедия", chat_id=USER, user_id=USER)
        await bot_env.wait_for("sendMessage", says("уже снимается"))
        assert len(await app.wait_for_queued()) == 1


async def test_start_speaks_the_users_language_and_cancel_leaves_the_dialogue(bot_env):
    async with running_bot():
        bot_env.push_message("/start", chat_id=USER, user_id=USER, language_code="en-US", first_name="Ann")
        greeting = await bot_env.wait_for("sendMessage")
        assert greeting.params["text"].startswith("Hi, Ann!")
        bot_env.push_message("/story", chat_id=USER, user_id=USER, language_code="en")
        await bot_env.wait_for("sendMessage", says("What is the story called"))
        bot_env.push_message("/cancel", chat_id=USER, user_id=USER, language_code="en")
        await bot_env.wait_for("sendMessage", lambda c: c.params["text"] == "OK, cancelled.")


async def test_lang_switches_the_language_and_it_survives_a_bot_restart(bot_env):
    async with running_bot():
        bot_env.push_message("/lang", chat_id=USER, user_id=USER, language_code="ru")
        menu = await bot_env.wait_for("sendMessage", says("Выберите язык"))
        press(bot_env, menu, "English")
        await bot_env.wait_for("editMessageText", says("I will speak English"))
    async with running_bot() as app:
        bot_env.push_message("/story Кот в сапогах сказка", chat_id=USER, user_id=USER, language_code="ru")
        status = await bot_env.wait_for("sendMessage", says("Кот в сапогах"))
        assert "In the queue" in status.params["text"] and "сказка" in status.params["text"]
        [payload] = await app.wait_for_queued()
        # The bot now speaks English; the story stays in the language it was asked in (tests/test_language.py).
        assert payload["language"] == "en" and payload["request"]["language"] == "ru"


async def test_help_lists_the_commands_and_genres(bot_env):
    async with running_bot():
        bot_env.push_message("/help", chat_id=USER, user_id=USER, language_code="en")
        answer = await bot_env.wait_for("sendMessage")
        for word in ("/story", "/cancel", "/lang", "/game", "@digiteller_bot", "horror", "bylina", "fable"):
            assert word in answer.params["text"]


async def test_command_menus_are_set_per_language_and_scope(bot_env):
    async with running_bot():
        bot_env.push_message("/help", chat_id=USER, user_id=USER)
        await bot_env.wait_for("sendMessage")
    calls = bot_env.calls_of("setMyCommands")
    menus = {(json.dumps(c.params.get("scope")), c.params.get("language_code")): c for c in calls}
    private = json.dumps({"type": "all_private_chats"})
    groups = json.dumps({"type": "all_group_chats"})
    ru = {c["command"]: c["description"] for c in menus[(private, "ru")].params["commands"]}
    en = {c["command"]: c["description"] for c in menus[(private, "en")].params["commands"]}
    assert ru["story"] == "Снять видеоисторию" and en["story"] == "Make a video story"
    assert set(ru) == set(en) >= {"story", "help", "cancel", "lang"}
    group_commands = {c["command"] for c in menus[(groups, "en")].params["commands"]}
    assert {"story", "game", "endgame"} <= group_commands and "lang" not in group_commands


@pytest.mark.parametrize(
    ("text", "title", "genre"),
    [
        ("Гарри Поттер ужасы", "Гарри Поттер", Genre.horror),
        ("Гарри Поттер хоррор", "Гарри Поттер", Genre.horror),
        ("Кот в сапогах Сказка!", "Кот в сапогах", Genre.fairy_tale),
        ("Puss in Boots fairy tale", "Puss in Boots", Genre.fairy_tale),
        ("The Raven, horror", "The Raven", Genre.horror),
        ("Илья Муромец былина", "Илья Муромец", Genre.bylina),
        ("Ворона и лисица басню", "Ворона и лисица", Genre.fable),
        ("Вишнёвый сад комедия", "Вишнёвый сад", Genre.comedy),
        ("Ночной поезд", "Ночной поезд", None),
        ("Ночной поезд оперетта", "Ночной поезд оперетта", None),
        ("ужасы", "", Genre.horror),
    ],
)
def test_genre_is_parsed_from_the_end_of_the_title(text, title, genre):
    assert split_title_and_genre(text) == (title, genre)


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_locale_has_every_key_with_the_same_fields():
    keys = {language: set(catalog) for language, catalog in catalogs().items()}
    assert set(keys) >= {"ru", "en"}
    for language, catalog in catalogs().items():
        assert set(catalog) == keys["ru"], f"{language} differs from ru: {set(catalog) ^ keys['ru']}"
        for key, text in catalog.items():
            assert _fields(text) == _fields(catalogs()["ru"][key]), f"{language}.{key} has other {{fields}}"
            assert text.strip() and not re.search(r"\{\s*\}", text)


def test_every_callback_fits_telegrams_64_bytes_even_with_the_largest_seeds():
    from bot.keyboards import (
        confirm_keyboard,
        genre_keyboard,
        length_keyboard,
        story_language_keyboard,
    )
    from common.buttons import cancel_keyboard, result_keyboard
    from common.i18n import Translator
    from pipeline.types import Length, StageSeeds

    t = Translator("ru")
    largest = StageSeeds(voices=999_999, music=999_999, pictures=999_999)
    keyboards = [
        result_keyboard(t, "f" * 12, Length.standard, largest), cancel_keyboard(t, "f" * 16),
        genre_keyboard("ru"), length_keyboard(t), confirm_keyboard(t, "ru"), story_language_keyboard(t, None),
    ]  # fmt: skip
    data = [button.callback_data for keyboard in keyboards for row in keyboard.inline_keyboard for button in row]
    assert len(data) == 6 + 1 + len(Genre) + 3 + 3 + 3
    assert all(0 < len(item.encode()) < 64 for item in data), max(data, key=len)


@pytest.mark.parametrize(("language_code", "greeting"), [("de-DE", "Hallo, Ann!"), ("ru", "Привет, Ann!"), ("fr", "Привет")])
async def test_start_greets_in_each_catalogs_language_and_falls_back_to_the_default(bot_env, language_code, greeting):
    async with running_bot():
        bot_env.push_message("/start", chat_id=USER, user_id=USER, language_code=language_code, first_name="Ann")
        answer = await bot_env.wait_for("sendMessage")
        assert answer.params["text"].startswith(greeting)
