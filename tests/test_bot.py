"""The private-chat dialogue against the real aiogram client, a fake Bot API server and a real Redis."""
from __future__ import annotations

import json

import pytest

from tests.bot_app import configure, running_bot

USER = 777


@pytest.fixture
def bot_env(monkeypatch, fake_telegram, redis_url, tmp_path):
    configure(monkeypatch, fake_telegram, redis_url, tmp_path)
    return fake_telegram


def texts(fake, method: str = "sendMessage") -> list[str]:
    return [call.params.get("text", "") for call in fake.calls_of(method)]


async def test_story_with_genre_is_queued_at_once_with_a_status_message(bot_env):
    async with running_bot() as app:
        bot_env.push_message("/story Кот в сапогах сказка", chat_id=USER, user_id=USER)
        status = await bot_env.wait_for("sendMessage")
        assert "Кот в сапогах" in status.params["text"] and "сказка" in status.params["text"]
        [payload] = await app.wait_for_queued()
        assert payload["request"] == {**payload["request"], "title": "Кот в сапогах", "genre": "fairy_tale"}
        assert payload["status_message_id"] > 0 and payload["chat_id"] == USER


async def test_dialogue_asks_title_then_genre_from_buttons(bot_env):
    async with running_bot() as app:
        bot_env.push_message("/story", chat_id=USER, user_id=USER)
        await bot_env.wait_for("sendMessage", lambda c: "называться" in c.params["text"])
        bot_env.push_message("Ночной поезд", chat_id=USER, user_id=USER)
        question = await bot_env.wait_for("sendMessage", lambda c: "Ночной поезд" in c.params["text"])
        keyboard = json.loads(question.params["reply_markup"]) if isinstance(question.params["reply_markup"], str) \
            else question.params["reply_markup"]
        buttons = [button for row in keyboard["inline_keyboard"] for button in row]
        assert len(buttons) == 8 and {b["text"] for b in buttons} >= {"ужасы", "былина", "басня"}
        horror = next(b for b in buttons if b["text"] == "ужасы")
        bot_env.push_callback(horror["callback_data"], message=question.result, user_id=USER)
        await bot_env.wait_for("sendMessage", lambda c: "очередь" in c.params["text"])
        [payload] = await app.wait_for_queued()
        assert payload["request"]["title"] == "Ночной поезд" and payload["request"]["genre"] == "horror"


async def test_typed_unknown_genre_gets_the_buttons_again(bot_env):
    async with running_bot() as app:
        bot_env.push_message("Ночной поезд", chat_id=USER, user_id=USER)
        await bot_env.wait_for("sendMessage", lambda c: "жанр" in c.params["text"])
        bot_env.push_message("оперетта", chat_id=USER, user_id=USER)
        answer = await bot_env.wait_for("sendMessage", lambda c: "Не знаю такого жанра" in c.params["text"])
        assert answer.params.get("reply_markup")
        bot_env.push_message("хоррор", chat_id=USER, user_id=USER)
        await bot_env.wait_for("sendMessage", lambda c: "очередь" in c.params["text"])
        assert len(await app.wait_for_queued()) == 1


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/story " + "Очень длинное название " * 220 + "ужасы", "слишком длинное"),
        ("/story 🎃👻🎃 ужасы", "нет ни одной буквы"),
        ("/story \u200b\u200b ужасы", "Название пустое"),
    ],
)
async def test_bad_titles_get_a_clear_answer_and_nothing_is_queued(bot_env, command, expected):
    async with running_bot() as app:
        bot_env.push_message(command, chat_id=USER, user_id=USER)
        await bot_env.wait_for("sendMessage", lambda c: expected in c.params["text"])
        assert await app.queued_payloads() == []


async def test_markup_in_a_title_is_echoed_as_plain_text(bot_env):
    async with running_bot():
        bot_env.push_message("/story <b>Бал</b> *вампиров* ужасы", chat_id=USER, user_id=USER)
        status = await bot_env.wait_for("sendMessage")
        assert "<b>Бал</b> *вампиров*" in status.params["text"]
        assert not status.params.get("parse_mode")


async def test_the_same_request_twice_runs_once(bot_env):
    async with running_bot() as app:
        for _ in range(2):
            bot_env.push_message("/story Баба Яга комедия", chat_id=USER, user_id=USER)
        await bot_env.wait_for("editMessageText", lambda c: "уже снимается" in c.params["text"])
        assert len(await app.wait_for_queued()) == 1


async def test_start_speaks_the_users_language_and_cancel_leaves_the_dialogue(bot_env):
    async with running_bot():
        bot_env.push_message("/start", chat_id=USER, user_id=USER, language_code="en-US", first_name="Ann")
        greeting = await bot_env.wait_for("sendMessage")
        assert greeting.params["text"].startswith("Hi, Ann!")
        bot_env.push_message("/story", chat_id=USER, user_id=USER, language_code="en")
        await bot_env.wait_for("sendMessage", lambda c: "What is the story called" in c.params["text"])
        bot_env.push_message("/cancel", chat_id=USER, user_id=USER, language_code="en")
        await bot_env.wait_for("sendMessage", lambda c: c.params["text"] == "OK, cancelled.")


def test_every_locale_has_every_key():
    from bot.i18n import catalogs

    keys = {language: set(catalog) for language, catalog in catalogs().items()}
    assert set(keys) >= {"ru", "en"}
    for language, present in keys.items():
        assert present == keys["ru"], f"{language} differs from ru: {present ^ keys['ru']}"
