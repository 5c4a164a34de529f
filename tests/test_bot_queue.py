"""The story's life after the request: queue positions, cancel, the worker's status edits, the video with its
buttons, failures. The real bot, Redis, arq worker and Bot API client; a fast stand-in pipeline
(tests/bot_app.FakePipeline) because here the render is not the point (test_e2e.py renders for real)."""
from __future__ import annotations

import threading

from tests.bot_app import (
    ask,
    buttons,
    configure,
    press,
    run_worker_until_queue_empty,
    running_bot,
    running_worker,
    says,
    status_text,
    wait_until,
)


async def test_queue_positions_are_shown_and_updated_as_the_line_moves(story_env):
    users = [101, 102, 103]
    async with running_bot() as app:
        statuses = []
        for index, user in enumerate(users):
            ask(story_env, f"/story История номер {index + 1} сказка", user)
            statuses.append(await story_env.wait_for("sendMessage", lambda c, u=user: c.params["chat_id"] == u))
        await app.wait_for_queued(3)
        texts = [status.params["text"] for status in statuses]
        assert "ваша история следующая" in texts[0] and "ещё" not in texts[0], "the first in line is next"
        assert "передо мной ещё 1." in texts[1] and "передо мной ещё 2." in texts[2]
        press(story_env, statuses[0], "Отменить", user_id=users[0])
        await story_env.wait_for("editMessageText", says("отменено"))

        async def moved_up() -> bool:
            texts = [status_text(story_env, u, s.result["message_id"]) for u, s in zip(users[1:], statuses[1:])]
            return "ваша история следующая" in texts[0] and "ещё 1." in texts[1]

        await wait_until(moved_up)
        assert len(await app.queued_payloads()) == 2


async def test_cancel_while_queued_removes_the_job(story_env, redis_url, fake_pipeline):
    async with running_bot() as app:
        ask(story_env, "/story Кот в сапогах сказка")
        status = await story_env.wait_for("sendMessage", says("В очереди"))
        await app.wait_for_queued()
        press(story_env, status, "Отменить")
        edit = await story_env.wait_for("editMessageText", says("отменено"))
        assert "Кот в сапогах" in edit.params["text"] and not buttons(edit)
        assert await app.queued_payloads() == []
    await run_worker_until_queue_empty(redis_url, fake_pipeline)
    assert fake_pipeline.renders == [] and not story_env.calls_of("sendVideo")


async def test_cancel_while_running_stops_the_render_and_says_so(story_env, redis_url, fake_pipeline):
    fake_pipeline.gate = threading.Event()  # the render waits at its first stage until the test lets it go
    async with running_bot(), running_worker(redis_url, fake_pipeline):
        ask(story_env, "/story Кот в сапогах сказка")
        status = await story_env.wait_for("sendMessage", says("В очереди"))
        running = await story_env.wait_for("editMessageText", says("Пишу историю"))
        assert [b["text"] for b in buttons(running)] == ["✖️ Отменить"], "the running status keeps its Cancel button"
        press(story_env, status, "Отменить")
        await story_env.wait_for("answerCallbackQuery", says("Останавливаю"))
        await story_env.wait_for("editMessageText", says("отменено"))
        fake_pipeline.gate.set()
        await wait_until(lambda: bool(fake_pipeline.stopped))
    assert fake_pipeline.stopped == ["JobStopped"], "the render thread is stopped, not left running"
    assert not story_env.calls_of("sendVideo")


def bot_env_time(fake, method: str, index: int) -> float:
    return fake.calls_of(method)[index].time


async def test_the_worker_edits_the_status_and_sends_the_video_with_buttons(story_env, redis_url, fake_pipeline):
    fake_pipeline.stage_seconds = 0.3
    async with running_bot():
        ask(story_env, "/story <b>Бал</b> & вампиры ужасы")
        await story_env.wait_for("sendMessage", says("В очереди"))
    await run_worker_until_queue_empty(redis_url, fake_pipeline)

    edits = [call.params["text"] for call in story_env.calls_of("editMessageText")]
    assert any("▓" in text and "%" in text for text in edits), edits
    assert any("Осталось" in text for text in edits), "the status estimates the time left"
    assert "Отправляю видео" in edits[-2] and "готово" in edits[-1]
    assert bot_env_time(story_env, "editMessageText", -1) > bot_env_time(story_env, "sendVideo", 0)
    edit_times = [call.time for call in story_env.calls_of("editMessageText")]
    gaps = [later - earlier for earlier, later in zip(edit_times, edit_times[1:])]
    assert min(gaps) >= 0.15, "status edits are spaced by DIGITELLER_STATUS_EDIT_SECONDS"

    [action] = story_env.calls_of("sendChatAction")
    [video] = story_env.calls_of("sendVideo")
    assert action.params["action"] == "upload_video" and action.time <= video.time
    assert video.params["parse_mode"] == "HTML"
    assert "<b>&lt;b&gt;Бал&lt;/b&gt; &amp; вампиры</b>, ужасы" in video.params["caption"]
    labels = [b["text"] for b in buttons(video)]
    assert labels == [
        "🎲 Новая история", "🎵 Другая музыка", "🖼 Другие картинки", "🗣 Другие голоса", "➕ Длиннее", "➖ Короче"
    ]
    assert all(len(b["callback_data"].encode()) < 64 for b in buttons(video))


async def test_a_failing_stage_is_told_in_the_users_language_without_a_traceback(story_env, redis_url, fake_pipeline):
    from pipeline.types import StageError

    def broken(*args, **kwargs):
        raise StageError("narrate", "festival exited with 1: Traceback (most recent call last): SIOD ERROR")

    fake_pipeline.render = broken
    async with running_bot():
        ask(story_env, "/story Cat in boots fairy tale", language_code="en")
        await story_env.wait_for("sendMessage", says("In the queue"))
    await run_worker_until_queue_empty(redis_url, fake_pipeline)
    final = story_env.calls_of("editMessageText")[-1].params["text"]
    assert "could not be made (Recording the voices)" in final
    assert "Traceback" not in final and "festival" not in final


async def test_telegram_flood_control_on_send_video_is_waited_out(story_env, redis_url, fake_pipeline):
    story_env.fail_next("sendVideo", status=429, retry_after=1)
    async with running_bot():
        ask(story_env, "/story Кот в сапогах сказка")
        await story_env.wait_for("sendMessage", says("В очереди"))
    await run_worker_until_queue_empty(redis_url, fake_pipeline)
    refused, sent = story_env.calls_of("sendVideo")
    assert (refused.status, sent.status) == (429, 200) and sent.time - refused.time >= 1.0


async def test_a_delivered_job_run_again_sends_nothing(story_env, redis_url, fake_pipeline):
    async with running_bot() as app:
        ask(story_env, "/story Кот в сапогах сказка")
        [payload] = await app.wait_for_queued()
        await run_worker_until_queue_empty(redis_url, fake_pipeline)
        from common.contract import StoryJob

        job = StoryJob.model_validate(payload)
        await app.pool.enqueue_job("make_story", payload, _job_id=job.job_id + ":again")
    await run_worker_until_queue_empty(redis_url, fake_pipeline)
    assert len(story_env.calls_of("sendVideo")) == 1 and len(fake_pipeline.renders) == 1


async def test_a_job_past_its_timeout_is_stopped_and_the_user_told(
    story_env, monkeypatch, redis_url, tmp_path, fake_pipeline
):
    configure(
        monkeypatch, story_env, redis_url, tmp_path, DIGITELLER_JOB_TIMEOUT="2", DIGITELLER_STATUS_EDIT_SECONDS="0.2"
    )
    fake_pipeline.gate = threading.Event()  # never opened: the render would hang forever
    async with running_bot():
        ask(story_env, "/story Кот в сапогах сказка")
        await story_env.wait_for("sendMessage", says("В очереди"))
    await run_worker_until_queue_empty(redis_url, fake_pipeline)
    await wait_until(lambda: bool(fake_pipeline.stopped))
    assert "слишком много времени" in story_env.calls_of("editMessageText")[-1].params["text"]
    assert not story_env.calls_of("sendVideo") and fake_pipeline.stopped == ["JobStopped"]
