"""Bot API failures (429, 5xx) are retried, and the bot token never reaches a log line while they happen."""
from __future__ import annotations

import asyncio
import logging

from tests.bot_app import configure, running_bot
from tests.fake_telegram import FakeTelegram

TOKEN = "987654321:AAHsecret-TOKEN_that-must-never-leak0"  # the shape of a real one
USER = 4242


async def test_failed_bot_api_calls_are_retried_without_logging_the_token(monkeypatch, redis_url, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    fake = FakeTelegram(TOKEN)
    await fake.start()
    try:
        configure(monkeypatch, fake, redis_url, tmp_path)
        async with running_bot():
            fake.fail_next("getUpdates", status=500, times=2)
            fake.fail_next("sendMessage", status=429, retry_after=1)
            fake.fail_next("sendMessage", status=502)
            fake.push_message("/story Кощей ужасы", chat_id=USER, user_id=USER)
            fake.push_message("/help", chat_id=USER, user_id=USER)
            await fake.wait_for("sendMessage", lambda call: call.ok and "Кощей" in call.params["text"], timeout=20)
            await fake.wait_for("sendMessage", lambda call: call.ok and "/story" in call.params["text"], timeout=20)
            await asyncio.sleep(0.3)
    finally:
        await fake.stop()
    failures = [call for call in fake.calls if not call.ok]
    assert len(failures) >= 3  # the faults were really served
    secret = TOKEN.split(":", 1)[1]
    assert caplog.records and not [r.getMessage() for r in caplog.records if secret in r.getMessage()]
    assert secret not in caplog.text
