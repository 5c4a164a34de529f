"""The buttons under a finished video: each makes the story again changing only its part (a stage seed or the
length), and works after a bot restart. The real bot, Redis and arq worker; the fast stand-in pipeline records
what each render was asked for (the real pipeline's cache reuse per StageSeeds is tested in test_render.py)."""
from __future__ import annotations

import pytest

from pipeline.types import StageSeeds
from tests.bot_app import ask, press, run_worker_until_queue_empty, running_bot, says


@pytest.mark.parametrize(
    ("label", "changed"),
    [("Новая история", "seed"), ("Другая музыка", "music"), ("Другие картинки", "pictures"),
     ("Другие голоса", "voices"), ("Длиннее", "longer"), ("Короче", "shorter")],
)  # fmt: skip
async def test_each_result_button_changes_only_its_part_even_after_a_bot_restart(
    story_env, redis_url, fake_pipeline, label, changed
):
    async with running_bot():
        ask(story_env, "/story Кот в сапогах сказка")
        await story_env.wait_for("sendMessage", says("В очереди"))
    await run_worker_until_queue_empty(redis_url, fake_pipeline)
    video = await story_env.wait_for("sendVideo")
    async with running_bot():  # a new bot process: the button must carry what it needs
        press(story_env, video, label)
        await story_env.wait_for("sendMessage", says("В очереди"), start=story_env.calls.index(video))
    await run_worker_until_queue_empty(redis_url, fake_pipeline)

    (first, first_seeds), (second, second_seeds) = fake_pipeline.renders
    assert second.title == first.title and second.genre == first.genre
    if changed == "seed":
        assert second.seed != first.seed and second_seeds == StageSeeds.from_seed(second.seed)
    elif changed in ("longer", "shorter"):
        expected = ("standard", "long") if changed == "longer" else ("standard", "short")
        assert (first.length.value, second.length.value) == expected
        assert second_seeds == first_seeds and second.seed == first.seed
    else:
        assert second.model_dump() == first.model_dump()
        names = ("voices", "music", "pictures")
        differs = {name for name in names if getattr(second_seeds, name) != getattr(first_seeds, name)}
        assert differs == {changed}
    assert len(story_env.calls_of("sendVideo")) == 2


async def test_a_button_whose_story_is_forgotten_says_so(story_env):
    async with running_bot() as app:
        ask(story_env, "/help")
        message = await story_env.wait_for("sendMessage")
        story_env.push_callback("a:music:0123456789ab:0:0:0", message=message, user_id=message.params["chat_id"])
        answer = await story_env.wait_for("answerCallbackQuery")
        assert "слишком старая" in answer.params["text"] and answer.params["show_alert"] in (True, "true")
        assert await app.queued_payloads() == []
