"""The story is told in the language the user wrote in: the guess itself, and the real bot (aiogram against the
fake Bot API, real Redis) in each direction, on a tie, with the confirmation's language button, /lang's default,
a German title, and the caption the real worker puts under the video."""
from __future__ import annotations

import pytest

from pipeline.genres import guess_language, read_request
from pipeline.types import Genre
from tests.bot_app import ask, buttons, press, run_worker_until_queue_empty, running_bot, says


@pytest.mark.parametrize(
    ("text", "language", "foreign"),
    [
        ("The Lost Lighthouse drama", "en", None),
        ("Колобок сказка", "ru", None),
        ("Колобок", "ru", None),
        ("The Lost Lighthouse", "en", None),
        ("Harry Поттер ужасы", "ru", None),  # a mixed title: the genre word decides
        ("Гарри Potter horror", "en", None),
        ("The Lost Lighthouse драма", "ru", None),  # the genre word is the user's own; a title is often a name
        ("Harry Поттер", None, None),  # as many words of each script, no genre word: the interface decides
        ("🎃👻 2049", None, None),  # no letters of either script
        ("1984", None, None),
        ("R2-D2 и C-3PO", "ru", None),  # letters inside codes are no words of a language; "и" is
        ("Alice's Adventures in Wonderland", "en", None),
        ("Pokémon: Café Society", "en", None),  # accents of loanwords are no German
        ("Die Hard", "en", None),  # "die" alone is English too
        ("Der verlorene Leuchtturm", None, "de"),
        ("Der verlorene Leuchtturm drama", None, "de"),  # "Drama" is German too: it does not decide
        ("Das Boot драма", "ru", "de"),  # a Cyrillic genre word does
        ("Harry Potter und der Stein der Weisen", None, "de"),
        ("Schöne Grüße", None, "de"),
        ("Енеїда", None, "uk"),
        ("Οδύσσεια", None, "other"),
    ],
)
def test_the_story_language_is_read_from_the_request(text, language, foreign):
    title, _, genre_words = read_request(text)
    guess = guess_language(title, genre_words)
    assert (guess.language, guess.foreign) == (language, foreign)


def test_the_genre_words_come_back_as_typed():
    assert read_request("Гарри Поттер ужасы") == ("Гарри Поттер", Genre.horror, "ужасы")
    assert read_request("Puss in Boots fairy tale") == ("Puss in Boots", Genre.fairy_tale, "fairy tale")
    assert read_request("Ночной поезд") == ("Ночной поезд", None, "")


@pytest.mark.parametrize(
    ("interface", "command", "story", "queued"),
    [
        ("ru", "/story The Lost Lighthouse drama", "en", "В очереди"),
        ("en", "/story Колобок сказка", "ru", "In the queue"),
        ("en", "/story Harry Поттер ужасы", "ru", "In the queue"),
        ("de", "/story Колобок сказка", "ru", "In der Warteschlange"),
    ],
)
async def test_the_story_is_told_in_the_language_of_the_request(story_env, interface, command, story, queued):
    async with running_bot() as app:
        ask(story_env, command, language_code=interface)
        status = await story_env.wait_for("sendMessage", says(queued))  # the bot's own words: the interface's
        [payload] = await app.wait_for_queued()
        assert payload["request"]["language"] == story and payload["language"] == interface
        assert "🗣" not in status.params["text"]


async def _dialogue_to_confirm(story_env, title: str, interface: str, genre_button: str, length_button: str):
    ask(story_env, "/story", language_code=interface)
    await story_env.wait_for("sendMessage")
    ask(story_env, title, language_code=interface)
    genres = await story_env.wait_for("sendMessage", says(title))
    press(story_env, genres, genre_button, language_code=interface)
    lengths = await story_env.wait_for("sendMessage", lambda c: len(buttons(c)) == 3)
    press(story_env, lengths, length_button, language_code=interface)
    return await story_env.wait_for("sendMessage", says(title, "🗣"))


@pytest.mark.parametrize(
    ("interface", "genre", "length", "says_language", "button", "story"),
    [
        ("ru", "ужасы", "Короткая", "Расскажу по-русски.", "🇬🇧 Рассказать по-английски", "ru"),
        ("en", "horror", "Short", "I'll tell it in English.", "🇷🇺 Tell it in Russian", "en"),
    ],
)
async def test_a_title_that_does_not_say_is_told_in_the_interface_language(
    story_env, interface, genre, length, says_language, button, story
):
    async with running_bot() as app:
        confirm = await _dialogue_to_confirm(story_env, "Harry Поттер", interface, genre, length)
        assert says_language in confirm.params["text"]
        assert button in [b["text"] for b in buttons(confirm)]
        press(story_env, confirm, "▶️", language_code=interface)
        [payload] = await app.wait_for_queued()
        assert payload["request"]["language"] == story and payload["request"]["title"] == "Harry Поттер"


async def test_the_confirmations_button_tells_it_in_the_other_language(story_env):
    async with running_bot() as app:
        confirm = await _dialogue_to_confirm(story_env, "Ночной поезд", "ru", "драма", "Короткая")
        assert "«Ночной поезд», драма" in confirm.params["text"] and "Расскажу по-русски." in confirm.params["text"]
        press(story_env, confirm, "Рассказать по-английски")
        edited = await story_env.wait_for("editMessageText", says("Расскажу по-английски."))
        assert "Начинаю?" in edited.params["text"], "the bot's own words stay Russian"
        assert [b["text"] for b in buttons(edited)] == ["▶️ Начать", "✖️ Отмена", "🇷🇺 Рассказать по-русски"]
        press(story_env, edited, "Начать")
        await story_env.wait_for("sendMessage", says("В очереди"))
        [payload] = await app.wait_for_queued()
        assert payload["request"]["language"] == "en" and payload["language"] == "ru"
        assert payload["request"]["title"] == "Ночной поезд" and payload["request"]["length"] == "short"


@pytest.mark.parametrize(
    ("interface", "note", "told", "story"),
    [
        ("ru", "только по-русски и по-английски", "Расскажу по-русски.", "ru"),
        ("en", "only in Russian and in English", "I'll tell it in English.", "en"),
        ("de", "nur auf Russisch und auf Englisch", "Ich erzähle sie auf Englisch.", "en"),
    ],
)
async def test_a_german_title_is_answered_with_the_story_languages_there_are(story_env, interface, note, told, story):
    async with running_bot() as app:
        ask(story_env, "/story Der verlorene Leuchtturm drama", language_code=interface)
        confirm = await story_env.wait_for("sendMessage", says("Der verlorene Leuchtturm", note, told))
        assert await app.queued_payloads() == [], "not started before the user has read the note"
        assert len(buttons(confirm)) == 3
        press(story_env, confirm, "▶️", language_code=interface)
        [payload] = await app.wait_for_queued()
        assert payload["request"]["language"] == story and payload["request"]["genre"] == "drama"


async def test_lang_fixes_the_story_language_until_set_back_to_the_titles(story_env):
    async with running_bot() as app:
        ask(story_env, "/lang")
        menu = await story_env.wait_for("sendMessage", says("На каком языке рассказывать"))
        assert [b["text"] for b in buttons(menu)] == [
            "✓ 🔤 На языке названия", "🇷🇺 Всегда по-русски", "🇬🇧 Всегда по-английски"
        ]  # fmt: skip
        press(story_env, menu, "Всегда по-английски")
        await story_env.wait_for("editMessageText", says("все истории буду рассказывать по-английски"))
        assert await app.queued_payloads() == []
    async with running_bot():  # kept in Redis: a new bot process knows it
        ask(story_env, "/story Колобок сказка")
        await story_env.wait_for("sendMessage", says("«Колобок», fairy tale"))  # the genre's name: the story's
        ask(story_env, "/story Der verlorene Leuchtturm drama")  # the user chose: no note, no question
        await story_env.wait_for("sendMessage", says("«Der verlorene Leuchtturm», drama", "Жду"))
        start = len(story_env.calls)
        ask(story_env, "/lang")
        menu = await story_env.wait_for("sendMessage", says("На каком языке рассказывать"), start=start)
        assert "✓ 🇬🇧 Всегда по-английски" in [b["text"] for b in buttons(menu)]
        press(story_env, menu, "На языке названия")
        await story_env.wait_for("editMessageText", says("на языке её названия"))
        ask(story_env, "/story The Raven horror")
        await story_env.wait_for("sendMessage", says("«The Raven», horror", "Жду"))
        ask(story_env, "/story Баба Яга комедия")
        await story_env.wait_for("sendMessage", says("«Баба Яга», комедия", "Жду"))
        assert "🗣" not in " ".join(c.params.get("text", "") for c in story_env.calls_of("sendMessage"))


async def test_the_caption_is_in_the_storys_language_and_the_status_in_the_users(story_env, redis_url, fake_pipeline):
    async with running_bot():
        ask(story_env, "/story The Lost Lighthouse drama")
        status = await story_env.wait_for("sendMessage", says("В очереди"))
    await run_worker_until_queue_empty(redis_url, fake_pipeline)
    video = await story_env.wait_for("sendVideo")
    assert video.params["caption"] == "<b>The Lost Lighthouse</b>, drama (0 min 1 s)"
    [(request, _)] = fake_pipeline.renders
    assert request.language == "en"  # the title card and the subtitles come from the story written in it
    assert {b["text"] for b in buttons(video)} >= {"🎲 Новая история", "🎵 Другая музыка"}
    final = story_env.messages[(status.params["chat_id"], status.result["message_id"])]["text"]
    assert "готово" in final


async def test_a_genre_word_typed_in_the_dialogue_decides_like_one_after_the_title(story_env):
    async with running_bot():
        ask(story_env, "Harry Поттер", language_code="en")
        await story_env.wait_for("sendMessage", says("Pick a genre"))
        ask(story_env, "драма", language_code="en")
        lengths = await story_env.wait_for("sendMessage", says("How long"))
        press(story_env, lengths, "Short", language_code="en")
        confirm = await story_env.wait_for("sendMessage", says("Harry Поттер", "🗣"))
        assert "I'll tell it in Russian." in confirm.params["text"] and "Shall I start?" in confirm.params["text"]
