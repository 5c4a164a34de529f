"""Per-user limits (one story at a time, held or refused; a daily quota; flood control) and the admins' commands,
with the real bot, Redis and arq worker and the fast stand-in pipeline."""
from __future__ import annotations

import asyncio

from tests.bot_app import (
    ADMIN_ID,
    USER_ID,
    ask,
    configure,
    press,
    run_worker_until_queue_empty,
    running_bot,
    running_worker,
    says,
    status_text,
    wait_until,
)


async def ask_twice(fake, second_answer: str):
    """The user asks for a story, then for another while the first is on: the answer to the second."""
    ask(fake, "/story Кот в сапогах сказка")
    await fake.wait_for("sendMessage", says("В очереди"))
    ask(fake, "/story Колобок сказка")
    return await fake.wait_for("sendMessage", says(second_answer))


async def test_a_second_request_is_refused_while_the_first_runs_when_so_set(
    story_env, monkeypatch, redis_url, tmp_path, fake_pipeline
):
    configure(monkeypatch, story_env, redis_url, tmp_path, DIGITELLER_BUSY_POLICY="refuse")
    async with running_bot() as app:
        await ask_twice(story_env, "прошлая история ещё снимается")
        assert len(await app.queued_payloads()) == 1
    await run_worker_until_queue_empty(redis_url, fake_pipeline)
    async with running_bot() as app:
        ask(story_env, "/story Колобок сказка")
        await app.wait_for_queued(1)


async def test_a_second_request_waits_for_the_first_and_then_runs(story_env, redis_url, fake_pipeline):
    async with running_bot() as app:
        held = await ask_twice(story_env, "Жду, пока снимется")
        assert [p["request"]["title"] for p in await app.queued_payloads()] == ["Кот в сапогах"]
        async with running_worker(redis_url, fake_pipeline):
            # the held request's status message follows it to the end
            await wait_until(lambda: "готово" in status_text(story_env, USER_ID, held.result["message_id"]))
    assert [request.title for request, _ in fake_pipeline.renders] == ["Кот в сапогах", "Колобок"]
    assert len(story_env.calls_of("sendVideo")) == 2


async def test_daily_quota_and_admins_are_exempt(story_env, monkeypatch, redis_url, tmp_path):
    configure(
        monkeypatch, story_env, redis_url, tmp_path, DIGITELLER_DAILY_QUOTA="2", DIGITELLER_ADMIN_IDS=str(ADMIN_ID)
    )
    async with running_bot() as app:
        for index, title in enumerate(["Кот в сапогах", "Колобок", "Репка"]):
            ask(story_env, f"/story {title} сказка")
            expected = "дневной лимит" if index == 2 else "Жду" if index == 1 else "В очереди"
            await story_env.wait_for("sendMessage", says(expected))
        for title in ["Кот в сапогах", "Колобок", "Репка"]:
            ask(story_env, f"/story {title} сказка", user=ADMIN_ID)
        await app.wait_for_queued(2)
        await wait_until(lambda: len(story_env.calls_of("sendMessage")) == 6)
        to_admin = [c.params["text"] for c in story_env.calls_of("sendMessage") if c.params["chat_id"] == ADMIN_ID]
        assert len(to_admin) == 3 and not any("лимит" in text for text in to_admin)


async def test_throttling_answers_a_flood_once(story_env, monkeypatch, redis_url, tmp_path):
    configure(monkeypatch, story_env, redis_url, tmp_path, DIGITELLER_THROTTLE_SECONDS="5")
    async with running_bot():
        for _ in range(5):
            ask(story_env, "/help")
        await story_env.wait_for("sendMessage", says("Не так быстро"))
        await asyncio.sleep(0.5)
        texts = [c.params["text"] for c in story_env.calls_of("sendMessage")]
        assert sum("Не так быстро" in t for t in texts) == 1 and sum("/story" in t for t in texts) == 1


async def test_admin_commands_report_the_queue_and_stats(story_env, redis_url, fake_pipeline):
    async with running_bot() as app:
        ask(story_env, "/queue")
        await story_env.wait_for("sendMessage", says("для администраторов"))
        ask(story_env, "/story Кот в сапогах сказка")
        ask(story_env, "/story Колобок сказка", user=ADMIN_ID)
        await app.wait_for_queued(2)
        start = len(story_env.calls)
        ask(story_env, "/queue", user=ADMIN_ID)
        report = await story_env.wait_for("sendMessage", says("Очередь"), start=start)
        assert "ждут 2" in report.params["text"] and "снимаются 0" in report.params["text"]
        assert "Живых обработчиков: 0" in report.params["text"]
        async with running_worker(redis_url, fake_pipeline):
            await wait_until(lambda: len(story_env.calls_of("sendVideo")) == 2)
            start = len(story_env.calls)
            ask(story_env, "/queue", user=ADMIN_ID)
            report = await story_env.wait_for("sendMessage", says("Очередь"), start=start)
            assert "ждут 0" in report.params["text"] and "Живых обработчиков: 1" in report.params["text"]
        start = len(story_env.calls)
        ask(story_env, "/stats", user=ADMIN_ID)
        stats = await story_env.wait_for("sendMessage", says("Сегодня"), start=start)
        assert "2 запросов от 2 пользователей, 2 видео" in stats.params["text"]


async def test_a_held_request_can_be_cancelled_before_it_starts(story_env, redis_url, fake_pipeline):
    async with running_bot() as app:
        held = await ask_twice(story_env, "Жду, пока снимется")
        press(story_env, held, "Отменить")
        await story_env.wait_for("editMessageText", says("Колобок", "отменено"))
        assert len(await app.queued_payloads()) == 1
    await run_worker_until_queue_empty(redis_url, fake_pipeline)
    assert [request.title for request, _ in fake_pipeline.renders] == ["Кот в сапогах"]


async def test_a_title_limit_set_above_the_pipelines_cap_is_clamped_to_it(story_env, monkeypatch, redis_url, tmp_path):
    from pipeline.types import MAX_TITLE_CHARS

    configure(monkeypatch, story_env, redis_url, tmp_path, DIGITELLER_MAX_TITLE_CHARS="500")
    async with running_bot() as app:
        assert app.settings.max_title_chars == MAX_TITLE_CHARS
        ask(story_env, "/story " + "Очень " * 50 + "сказка")  # 299 characters of title
        refusal = await story_env.wait_for("sendMessage", says(str(MAX_TITLE_CHARS)))
        assert "299" in refusal.params["text"], "refused politely, no crash"
        title = ("Кот " * 60)[:MAX_TITLE_CHARS].strip()
        ask(story_env, f"/story {title} сказка")
        [payload] = await app.wait_for_queued()
    assert payload["request"]["title"] == title
