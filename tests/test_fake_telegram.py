"""The real aiogram client against FakeTelegram, and the real Redis fixture."""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from aiogram import Bot, Dispatcher
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.filters import CommandStart
from aiogram.types import BufferedInputFile, CallbackQuery, FSInputFile, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from tests.conftest import RedisServer, bot_for, close_bot
from tests.fake_telegram import FakeTelegram

pytestmark = pytest.mark.timeout(30)
CHAT = 4242
VIDEO_BYTES = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40
JPEG_BYTES = b"\xff\xd8\xff\xe0fake-jpeg"


def genre_keyboard():
    builder = InlineKeyboardBuilder()
    builder.button(text="Ужасы", callback_data="genre:horror")
    builder.button(text="Сказка", callback_data="genre:tale")
    return builder.as_markup()


async def test_get_me_returns_the_bot_user(bot: Bot, fake_telegram: FakeTelegram) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.username, me.first_name) == (123456, True, "digiteller_bot", "DigiTeller")
    assert [call.method for call in fake_telegram.calls] == ["getMe"]


async def test_wrong_token_is_unauthorized(fake_telegram: FakeTelegram) -> None:
    stranger = bot_for(fake_telegram, token="654321:WRONG")
    try:
        with pytest.raises(TelegramUnauthorizedError, match="Unauthorized"):
            await stranger.get_me()
    finally:
        await close_bot(stranger)
    assert fake_telegram.calls[-1].status == 401


async def test_send_then_edit_message(bot: Bot, fake_telegram: FakeTelegram) -> None:
    sent = await bot.send_message(CHAT, "Пишу историю…", reply_markup=genre_keyboard())
    assert sent.chat.id == CHAT and sent.from_user is not None and sent.from_user.is_bot
    assert sent.reply_markup is not None and sent.reply_markup.inline_keyboard[0][0].callback_data == "genre:horror"
    call = fake_telegram.calls_of("sendMessage")[0]
    assert call.params["chat_id"] == CHAT
    assert call.params["reply_markup"]["inline_keyboard"][0][1]["text"] == "Сказка"

    edited = await bot.edit_message_text("Озвучиваю…", chat_id=CHAT, message_id=sent.message_id)
    assert isinstance(edited, Message) and edited.text == "Озвучиваю…" and edited.reply_markup is None
    assert edited.edit_date is not None

    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text("Озвучиваю…", chat_id=CHAT, message_id=sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=CHAT, message_id=999)
    assert fake_telegram.chat_messages(CHAT)[0]["text"] == "Озвучиваю…"


async def test_telegram_limits_are_enforced(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(CHAT, "а" * 4097)
    builder = InlineKeyboardBuilder()
    builder.button(text="x", callback_data="d" * 65)
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(CHAT, "buttons", reply_markup=builder.as_markup())


async def test_edit_reply_markup_and_delete(bot: Bot, fake_telegram: FakeTelegram) -> None:
    sent = await bot.send_message(CHAT, "Выберите жанр", reply_markup=genre_keyboard())
    edited = await bot.edit_message_reply_markup(chat_id=CHAT, message_id=sent.message_id, reply_markup=None)
    assert isinstance(edited, Message) and edited.reply_markup is None
    with pytest.raises(TelegramBadRequest, match="not modified"):
        await bot.edit_message_reply_markup(chat_id=CHAT, message_id=sent.message_id, reply_markup=None)
    assert await bot.delete_message(CHAT, sent.message_id) is True
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(CHAT, sent.message_id)
    assert fake_telegram.chat_messages(CHAT) == []


async def test_send_video_uploads_bytes_and_params(bot: Bot, fake_telegram: FakeTelegram, tmp_path: Path) -> None:
    path = tmp_path / "story.mp4"
    path.write_bytes(VIDEO_BYTES)
    message = await bot.send_video(
        CHAT,
        FSInputFile(path),
        duration=75,
        width=1280,
        height=720,
        thumbnail=BufferedInputFile(JPEG_BYTES, filename="thumb.jpg"),
        caption="Гарри Поттер · ужасы",
        supports_streaming=True,
        reply_markup=genre_keyboard(),
    )
    assert message.video is not None
    assert (message.video.duration, message.video.width, message.video.height) == (75, 1280, 720)
    assert message.video.file_name == "story.mp4" and message.video.mime_type == "video/mp4"
    assert message.video.file_size == len(VIDEO_BYTES) and message.video.thumbnail is not None
    assert message.caption == "Гарри Поттер · ужасы"

    call = await fake_telegram.wait_for("sendVideo")
    assert call.files["video"].content == VIDEO_BYTES and call.files["video"].filename == "story.mp4"
    assert call.files["thumbnail"].content == JPEG_BYTES
    assert call.params["supports_streaming"] is True and call.params["duration"] == 75
    assert call.params["width"] == 1280 and call.params["height"] == 720
    assert call.params["caption"] == "Гарри Поттер · ужасы"

    again = await bot.send_video(CHAT, message.video.file_id)  # resent by file_id, nothing uploaded
    assert again.video is not None and again.video.file_id == message.video.file_id
    assert fake_telegram.calls_of("sendVideo")[-1].files == {}


async def test_downloading_an_uploaded_file(bot: Bot) -> None:
    message = await bot.send_document(CHAT, BufferedInputFile(b"once upon a time", filename="story.txt"))
    assert message.document is not None
    downloaded = await bot.download(message.document.file_id)
    assert downloaded is not None and downloaded.read() == b"once upon a time"


async def test_send_poll(bot: Bot, fake_telegram: FakeTelegram) -> None:
    message = await bot.send_poll(-100, "Чья история лучше?", ["Аня", "Борис"], is_anonymous=False)
    assert message.poll is not None and [option.text for option in message.poll.options] == ["Аня", "Борис"]
    assert message.poll.is_anonymous is False and message.chat.type == "group"
    assert fake_telegram.calls_of("sendPoll")[0].params["options"] == ["Аня", "Борис"]
    fake_telegram.push_poll_answer(message.poll.id, [1], user_id=7)
    [update] = await bot.get_updates(timeout=1)
    assert update.poll_answer is not None and update.poll_answer.option_ids == [1]


async def test_fail_next_429_surfaces_as_retry_after(bot: Bot, fake_telegram: FakeTelegram) -> None:
    fake_telegram.fail_next("sendMessage", retry_after=3)
    with pytest.raises(TelegramRetryAfter) as raised:
        await bot.send_message(CHAT, "hi")
    assert raised.value.retry_after == 3 and "retry after 3" in raised.value.message
    await bot.send_message(CHAT, "hi")  # only the next call failed
    assert [call.status for call in fake_telegram.calls_of("sendMessage")] == [429, 200]


async def test_fail_next_other_statuses(bot: Bot, fake_telegram: FakeTelegram) -> None:
    fake_telegram.fail_next("sendVideo", status=413)
    fake_telegram.fail_next("getMe", status=500, times=2)
    with pytest.raises(TelegramEntityTooLarge):
        await bot.send_video(CHAT, BufferedInputFile(b"x", filename="a.mp4"))
    for _ in range(2):
        with pytest.raises(TelegramServerError):
            await bot.get_me()
    assert (await bot.get_me()).username == "digiteller_bot"


async def test_real_upload_limit_answers_413(fake_telegram: FakeTelegram, bot: Bot) -> None:
    fake_telegram.upload_limit = 10_000
    await fake_telegram.stop()
    await fake_telegram.start()  # the limit applies to a new server
    small = bot_for(fake_telegram)
    try:
        with pytest.raises(TelegramEntityTooLarge):
            await small.send_video(CHAT, BufferedInputFile(bytes(50_000), filename="big.mp4"))
    finally:
        await close_bot(small)


async def test_unknown_methods_answer_true_and_are_recorded(bot: Bot, fake_telegram: FakeTelegram) -> None:
    assert await bot.send_chat_action(CHAT, "upload_video") is True
    assert await bot.set_chat_title(-100, "Клуб историй") is True
    assert fake_telegram.unknown_methods == ["setChatTitle"]


async def test_get_updates_long_poll(bot: Bot, fake_telegram: FakeTelegram) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await bot.get_updates(timeout=1) == []
    assert loop.time() - started >= 0.9

    waiting = asyncio.create_task(bot.get_updates(timeout=20))
    await asyncio.sleep(0.1)
    pushed = fake_telegram.push_message("/start", chat_id=CHAT, user_id=CHAT)
    started = loop.time()
    updates = await waiting
    assert loop.time() - started < 1.0
    assert [update.message.text for update in updates if update.message] == ["/start"]
    assert updates[0].message is not None and updates[0].message.message_id == pushed["message_id"]

    second = fake_telegram.push_message("again", chat_id=CHAT, user_id=CHAT)
    unconfirmed = await bot.get_updates(timeout=0)
    assert [update.update_id for update in unconfirmed] == [updates[0].update_id, updates[0].update_id + 1]
    confirmed = await bot.get_updates(offset=updates[0].update_id + 1, timeout=0)
    assert [update.message.text for update in confirmed if update.message] == [second["text"]]


async def test_group_message_and_callback_updates(bot: Bot, fake_telegram: FakeTelegram) -> None:
    fake_telegram.push_message("/game", chat_type="supergroup", user_id=7, first_name="Аня")
    [update] = await bot.get_updates(timeout=1)
    assert update.message is not None and update.message.chat.type == "supergroup"
    assert update.message.chat.id < 0 and update.message.from_user is not None and update.message.from_user.id == 7

    sent = await bot.send_message(update.message.chat.id, "Жанр?", reply_markup=genre_keyboard())
    fake_telegram.push_callback("genre:horror", fake_telegram.calls_of("sendMessage")[0], user_id=7)
    [press] = await bot.get_updates(offset=update.update_id + 1, timeout=1)
    assert press.callback_query is not None and press.callback_query.data == "genre:horror"
    assert isinstance(press.callback_query.message, Message)
    assert press.callback_query.message.message_id == sent.message_id


async def test_dispatcher_polling_receives_start_and_answers(bot: Bot, fake_telegram: FakeTelegram) -> None:
    dp = Dispatcher()

    @dp.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer(f"Привет, {message.from_user.first_name if message.from_user else ''}!")

    @dp.callback_query()
    async def pressed(query: CallbackQuery) -> None:
        await query.answer("ok")

    polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=5))
    try:
        fake_telegram.push_message("/start", chat_id=CHAT, user_id=CHAT, first_name="Ann")
        answer = await fake_telegram.wait_for("sendMessage", timeout=5)
        assert answer.params == {"chat_id": CHAT, "text": "Привет, Ann!"}
        fake_telegram.push_callback("genre:tale", answer, user_id=CHAT)
        await fake_telegram.wait_for("answerCallbackQuery", timeout=5)
    finally:
        await dp.stop_polling()
        await asyncio.wait_for(polling, timeout=5)


async def test_wait_for_times_out_with_the_calls_seen(bot: Bot, fake_telegram: FakeTelegram) -> None:
    await bot.send_message(CHAT, "hello")
    with pytest.raises(AssertionError, match=r"no sendVideo call within 0.2 s\ncalls seen: sendMessage\[200\]"):
        await fake_telegram.wait_for("sendVideo", timeout=0.2)


async def test_redis_url_survives_restart(redis_url: str, redis_server: RedisServer) -> None:
    client = aioredis.from_url(redis_url)
    try:
        await client.set("story:1", "Гарри Поттер")
        assert await client.get("story:1") == "Гарри Поттер".encode()
    finally:
        await client.aclose()

    redis_server.restart()

    client = aioredis.from_url(redis_url)
    try:
        assert await client.get("story:1") == "Гарри Поттер".encode()
    finally:
        await client.aclose()


async def test_redis_url_is_flushed_between_tests(redis_url: str) -> None:
    client = aioredis.from_url(redis_url)
    try:
        assert await client.dbsize() == 0
    finally:
        await client.aclose()


async def test_stop_poll_counts_votes_and_sends_the_closed_poll_as_an_update(bot: Bot, fake_telegram: FakeTelegram):
    message = await bot.send_poll(-100, "Что снимать?", ["Колобок", "Репка", "Теремок"], is_anonymous=False)
    fake_telegram.push_poll_answer(message.poll.id, [2], user_id=7)
    fake_telegram.push_poll_answer(message.poll.id, [2], user_id=8)
    closed = await bot.stop_poll(-100, message.message_id)
    assert closed.is_closed and [option.voter_count for option in closed.options] == [0, 0, 2]
    updates = await bot.get_updates(timeout=1)
    [poll_update] = [update.poll for update in updates if update.poll]
    assert poll_update.is_closed and poll_update.total_voter_count == 2


async def test_get_chat_member_knows_admins(bot: Bot, fake_telegram: FakeTelegram):
    fake_telegram.push_message("hi", chat_id=-100, user_id=7, chat_type="group")
    fake_telegram.make_admin(-100, 7)
    assert (await bot.get_chat_member(-100, 7)).status == "administrator"
    assert (await bot.get_chat_member(-100, 8)).status == "member"
