"""A user sends /story in Telegram and gets a video back: bot → Redis → arq worker → pipeline → sendVideo."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.bot_app import configure, run_worker_until_queue_empty, running_bot
from tests.media_checks import assert_story_video

CHAT = 4242


@pytest.mark.slow
async def test_story_command_delivers_a_narrated_video(fake_telegram, redis_url, tmp_path, monkeypatch):
    configure(
        monkeypatch, fake_telegram, redis_url, tmp_path,
        DIGITELLER_VIDEO_SIZE="512x288", DIGITELLER_DEFAULT_LENGTH="short", DIGITELLER_STATUS_EDIT_SECONDS="0.3",
    )  # fmt: skip
    async with running_bot() as app:
        fake_telegram.push_message("/story Гарри Поттер ужасы", chat_id=CHAT, user_id=CHAT, language_code="ru")
        status = await fake_telegram.wait_for("sendMessage", lambda call: "Гарри Поттер" in call.params["text"])
        assert "ужасы" in status.params["text"]
        [payload] = await app.wait_for_queued()
        assert payload["request"]["title"] == "Гарри Поттер" and payload["request"]["genre"] == "horror"

    await run_worker_until_queue_empty(redis_url)

    [sent] = fake_telegram.calls_of("sendVideo")
    assert int(sent.params["chat_id"]) == CHAT
    assert "Гарри Поттер" in sent.params["caption"] and "ужасы" in sent.params["caption"]
    assert sent.params["supports_streaming"] in (True, "true", "True")
    assert sent.params["parse_mode"] == "HTML" and "<b>Гарри Поттер</b>" in sent.params["caption"]
    markup = sent.params["reply_markup"]
    labels = [button["text"] for row in markup["inline_keyboard"] for button in row]
    assert "🎵 Другая музыка" in labels and "🎲 Новая история" in labels
    video = tmp_path / "received.mp4"
    video.write_bytes(sent.files["video"].content)
    length = assert_story_video(video, 512, 288, min_seconds=40)
    assert abs(int(sent.params["duration"]) - length) <= 1
    assert (int(sent.params["width"]), int(sent.params["height"])) == (512, 288)
    assert sent.files["thumbnail"].content[:3] == b"\xff\xd8\xff", "the thumbnail should be a JPEG"

    edits = [call.params["text"] for call in fake_telegram.calls_of("editMessageText")]
    stages_shown = {stage for stage in ("Озвучиваю", "Рисую сцены", "Монтирую видео") if any(stage in e for e in edits)}
    assert len(stages_shown) >= 2, f"the status message should move through the stages, saw {edits}"
    assert "готово" in edits[-1]
    assert not list(Path(tmp_path / "work").iterdir()), "the job's work folder should be removed after delivery"
