"""The status message's bar and time left come from measured stage times kept in Redis per size and length."""
from __future__ import annotations

import pytest
from redis.asyncio import Redis

from bot.queue import queued_text
from common.config import get_service_settings
from common.contract import StoryJob
from common.i18n import Translator
from pipeline.types import STAGES, Genre, StageSeeds, StoryRequest
from workers.progress import (
    FIRST_GUESS,
    StageClock,
    StatusReporter,
    ema,
    overall_fraction,
    seconds_left,
)

EVEN = {stage: 10.0 for stage in STAGES}  # six stages of 10 s


def test_the_moving_average_starts_at_the_first_measurement_and_leans_to_the_newest():
    assert ema(None, 40.0) == 40.0
    assert ema(40.0, 80.0, alpha=0.25) == pytest.approx(50.0)
    value = None
    for _ in range(30):
        value = ema(value, 100.0)
    assert value == pytest.approx(100.0)


def test_the_bar_moves_by_the_measured_times_not_by_fixed_weights():
    slow_narration = EVEN | {"narrate": 70.0}  # 120 s in all, narrate 70 of them
    assert overall_fraction(EVEN, "narrate", 0.5) == pytest.approx(15 / 60)
    assert overall_fraction(slow_narration, "narrate", 0.5) == pytest.approx(45 / 120)
    assert overall_fraction(slow_narration, "compose", 0.0) == pytest.approx(80 / 120)
    assert overall_fraction(EVEN, "assemble", 1.0) == pytest.approx(1.0)


def test_time_left_is_what_the_averages_expect_stretched_by_this_jobs_pace():
    # halfway through narrate: 15 s of 60 expected done, 45 left
    assert seconds_left(EVEN, "narrate", 0.5, elapsed=15.0) == pytest.approx(45.0)
    assert seconds_left(EVEN, "narrate", 0.5, elapsed=30.0) == pytest.approx(90.0), "twice as slow: twice the time"
    assert seconds_left(EVEN, "narrate", 0.5, elapsed=1.0) == pytest.approx(22.5), "cached stages: at most 2x faster"
    assert seconds_left(EVEN, "assemble", 1.0, elapsed=60.0) == 0.0


async def test_stage_times_are_kept_per_size_and_length_and_averaged(redis_url):
    redis = Redis.from_url(redis_url)
    try:
        clock = StageClock(redis)
        assert await clock.estimates("1280x720", "short") == {stage: FIRST_GUESS[stage] for stage in STAGES}
        await clock.record({"narrate": 20.0, "assemble": 30.0}, "1280x720", "short")
        await clock.record({"narrate": 30.0, "assemble": 30.0}, "1280x720", "short")
        short = await clock.estimates("1280x720", "short")
        assert short["narrate"] == pytest.approx(ema(20.0, 30.0)) and short["assemble"] == pytest.approx(30.0)
        assert short["compose"] == FIRST_GUESS["compose"], "a stage never measured keeps the first guess"
        long = await clock.estimates("1280x720", "long")
        assert long["narrate"] == FIRST_GUESS["narrate"], "another length has its own times"
        other_size = await clock.estimates("1920x1080", "short")
        assert other_size["narrate"] == FIRST_GUESS["narrate"], "another size has its own times"
    finally:
        await redis.aclose()


def test_the_reporter_measures_each_stage_it_goes_through(monkeypatch):
    now = [100.0]
    monkeypatch.setattr("workers.progress.time.monotonic", lambda: now[0])
    reporter = StatusReporter(None, 1, 1, Translator("en"), {"title": "T", "genre": "g"}, 1.0, estimates=EVEN)
    for stage, seconds in zip(STAGES, (1, 20, 5, 3, 2, 30)):
        reporter.progress(stage, 0.0)
        now[0] += seconds
        reporter.progress(stage, 1.0)
    assert reporter.stage_seconds() == dict(zip(STAGES, (1.0, 20.0, 5.0, 3.0, 2.0, 30.0)))


def _job(title: str = "Колобок") -> StoryJob:
    request = StoryRequest(title=title, genre=Genre.fairy_tale, language="ru")
    return StoryJob(chat_id=1, status_message_id=1, language="ru", request=request, seeds=StageSeeds.from_seed(0))


@pytest.mark.parametrize(
    ("language", "next_words", "waiting_words"),
    [("ru", "ваша история следующая", "передо мной ещё 2"), ("en", "you are next", "2 to go"),
     ("de", "als Nächstes dran", "noch 2 vor mir")],
)  # fmt: skip
def test_the_first_in_line_is_told_it_is_next(language, next_words, waiting_words):
    t = Translator(language)
    first, third = queued_text(t, 1, _job()), queued_text(t, 3, _job())
    assert next_words in first and "1" not in first.split("\n", 1)[1]
    assert waiting_words in third


async def test_a_finished_job_leaves_its_stage_times_for_the_next_estimate(story_env, redis_url, fake_pipeline):
    from tests.bot_app import ask, run_worker_until_queue_empty, running_bot

    fake_pipeline.stage_seconds = 0.3
    async with running_bot() as app:
        ask(story_env, "/story Кот в сапогах сказка")
        await app.wait_for_queued()
    await run_worker_until_queue_empty(redis_url, fake_pipeline)
    redis = Redis.from_url(redis_url)
    try:
        measured = await StageClock(redis).estimates(get_service_settings().video_size, "standard")
    finally:
        await redis.aclose()
    assert all(0.2 < measured[stage] < 2.0 for stage in STAGES), measured  # ~0.3 s each, not the first guess
