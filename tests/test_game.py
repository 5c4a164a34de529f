"""Groups: the bot with privacy mode on (commands addressed to it, replies to its messages) and the story game
from ideas to polls to the winner's video, within Telegram's 20 messages a minute per group."""
from __future__ import annotations

import pytest

from tests.bot_app import configure, running_bot, running_worker, says, wait_until

GROUP = -100123
ANN, BOB, CAT, DAN = 11, 12, 13, 14


@pytest.fixture
def group_env(monkeypatch, fake_telegram, redis_url, tmp_path):
    configure(
        monkeypatch, fake_telegram, redis_url, tmp_path,
        DIGITELLER_GAME_IDEAS_SECONDS="1", DIGITELLER_GAME_POLL_SECONDS="1", DIGITELLER_STATUS_EDIT_SECONDS="0.2",
    )  # fmt: skip
    return fake_telegram


def say(fake, text: str, user: int, name: str = "Tester", **extra) -> dict:
    return fake.push_message(text, chat_id=GROUP, user_id=user, chat_type="group", first_name=name, **extra)


def to_group(fake) -> list:
    """The bot's calls that post or change something in the group (what Telegram's group limit counts)."""
    counted = {"sendmessage", "editmessagetext", "sendpoll", "stoppoll", "sendvideo", "editmessagereplymarkup"}
    return [c for c in fake.calls if c.method.lower() in counted and int(c.params.get("chat_id", 0)) == GROUP]


async def test_story_command_addressed_to_the_bot_works_in_a_group(group_env):
    async with running_bot() as app:
        say(group_env, "/story@other_bot Кот в сапогах сказка", ANN)
        say(group_env, "/story@digiteller_bot Кот в сапогах сказка", ANN)
        status = await group_env.wait_for("sendMessage", says("Кот в сапогах"))
        assert status.params["chat_id"] == GROUP
        [payload] = await app.wait_for_queued()
        assert payload["chat_id"] == GROUP and payload["user_id"] == ANN


async def test_a_reply_to_the_bots_question_in_a_group_is_the_title(group_env):
    async with running_bot() as app:
        say(group_env, "/story@digiteller_bot", ANN)
        question = await group_env.wait_for("sendMessage", says("называться"))
        say(group_env, "Ночной поезд ужасы", ANN, reply_to_message=question.result)
        await group_env.wait_for("sendMessage", says("В очереди"))
        [payload] = await app.wait_for_queued()
        assert payload["request"]["title"] == "Ночной поезд"


async def test_the_game_goes_from_ideas_to_polls_to_the_winners_video(group_env, redis_url, fake_pipeline):
    async with running_bot(), running_worker(redis_url, fake_pipeline):
        say(group_env, "/game@digiteller_bot", ANN, "Ann")
        prompt = await group_env.wait_for("sendMessage", says("Игра в историю"))
        say(group_env, "Кот в сапогах", ANN, "Ann", reply_to_message=prompt.result)
        say(group_env, "Ночной поезд", BOB, "Bob", reply_to_message=prompt.result)
        say(group_env, "Не идея, просто болтовня", CAT, "Cat")  # not a reply: not an idea
        say(group_env, "Снежная королева", CAT, "Cat", reply_to_message=prompt.result)
        title_poll = await group_env.wait_for("sendPoll")
        assert title_poll.params["options"] == ["Кот в сапогах", "Ночной поезд", "Снежная королева"]
        assert len(group_env.calls_of("setMessageReaction")) == 3, "each idea is acknowledged with a reaction"
        poll_id = title_poll.result["poll"]["id"]
        for voter in (ANN, CAT, DAN):
            group_env.push_poll_answer(poll_id, [1], user_id=voter)
        group_env.push_poll_answer(poll_id, [2], user_id=BOB)

        genre_poll = await group_env.wait_for("sendPoll", start=group_env.calls.index(title_poll) + 1)
        assert "Ночной поезд" in genre_poll.params["question"] and "ужасы" in genre_poll.params["options"]
        await group_env.wait_for("stopPoll")
        horror = genre_poll.params["options"].index("ужасы")
        for voter in (ANN, BOB):
            group_env.push_poll_answer(genre_poll.result["poll"]["id"], [horror], user_id=voter)

        winner = await group_env.wait_for("sendMessage", says("🏆"), timeout=10)
        assert "Ночной поезд" in winner.params["text"] and "Bob" in winner.params["text"]
        video = await group_env.wait_for("sendVideo", timeout=20)
    assert video.params["chat_id"] == GROUP
    assert "Ночной поезд" in video.params["caption"] and "ужасы" in video.params["caption"]
    assert "Идея: Bob" in video.params["caption"]
    [(request, _)] = fake_pipeline.renders
    assert request.title == "Ночной поезд" and request.genre.value == "horror"
    assert len(group_env.calls_of("stopPoll")) == 2
    posted = to_group(group_env)
    assert len(posted) <= 20, f"{len(posted)} messages in the group within a minute"


async def test_an_admin_ends_the_vote_early_and_others_cannot(group_env, monkeypatch, redis_url, tmp_path):
    configure(
        monkeypatch, group_env, redis_url, tmp_path,
        DIGITELLER_GAME_IDEAS_SECONDS="600", DIGITELLER_GAME_POLL_SECONDS="600",
    )  # fmt: skip
    group_env.make_admin(GROUP, DAN)
    async with running_bot() as app:
        say(group_env, "/game@digiteller_bot", ANN, "Ann")
        prompt = await group_env.wait_for("sendMessage", says("Игра в историю"))
        say(group_env, "Кот в сапогах", ANN, "Ann", reply_to_message=prompt.result)
        say(group_env, "Колобок", BOB, "Bob", reply_to_message=prompt.result)
        await wait_until(lambda: len(group_env.calls_of("setMessageReaction")) == 2)  # both ideas taken
        say(group_env, "/endgame@digiteller_bot", DAN, "Dan")  # the ideas phase ends when the admin says so
        title_poll = await group_env.wait_for("sendPoll")
        say(group_env, "/endgame@digiteller_bot", BOB, "Bob")
        await group_env.wait_for("sendMessage", says("только администраторы"))
        group_env.push_poll_answer(title_poll.result["poll"]["id"], [1], user_id=BOB)
        say(group_env, "/endgame@digiteller_bot", DAN, "Dan")
        genre_poll = await group_env.wait_for("sendPoll", start=group_env.calls.index(title_poll) + 1)
        assert "Колобок" in genre_poll.params["question"]
        say(group_env, "/endgame@digiteller_bot", DAN, "Dan")
        await group_env.wait_for("sendMessage", says("🏆"))
        [payload] = await app.wait_for_queued()
        assert payload["request"]["title"] == "Колобок" and payload["credit"] == "Bob" and payload["user_id"] == 0


async def test_a_game_without_ideas_ends_politely_and_a_second_game_is_refused_meanwhile(group_env):
    async with running_bot():
        say(group_env, "/game@digiteller_bot", ANN)
        await group_env.wait_for("sendMessage", says("Игра в историю"))
        say(group_env, "/game@digiteller_bot", BOB)
        await group_env.wait_for("sendMessage", says("уже идёт игра"))
        await group_env.wait_for("sendMessage", says("Идей не пришло"), timeout=10)
        assert not group_env.calls_of("sendPoll")


async def test_in_a_group_only_the_asker_or_an_admin_may_cancel(group_env):
    group_env.make_admin(GROUP, DAN)
    async with running_bot() as app:
        say(group_env, "/story@digiteller_bot Кот в сапогах сказка", ANN)
        status = await group_env.wait_for("sendMessage", says("В очереди"))
        [button] = status.result["reply_markup"]["inline_keyboard"][0]
        group_env.push_callback(button["callback_data"], message=status.result, user_id=BOB)
        await group_env.wait_for("answerCallbackQuery", says("только тот, кто её заказал"))
        assert len(await app.queued_payloads()) == 1
        group_env.push_callback(button["callback_data"], message=status.result, user_id=DAN)
        await group_env.wait_for("editMessageText", says("отменено"))
        assert await app.queued_payloads() == []


async def test_a_game_round_carries_on_after_a_bot_restart(group_env):
    async with running_bot():
        say(group_env, "/game@digiteller_bot", ANN, "Ann")
        prompt = await group_env.wait_for("sendMessage", says("Игра в историю"))
        say(group_env, "Кот в сапогах", ANN, "Ann", reply_to_message=prompt.result)
        say(group_env, "Колобок", BOB, "Bob", reply_to_message=prompt.result)
        await group_env.wait_for("setMessageReaction", lambda c: len(group_env.calls_of("setMessageReaction")) == 2)
    assert not group_env.calls_of("sendPoll")
    async with running_bot():
        poll = await group_env.wait_for("sendPoll", timeout=10)
        assert poll.params["options"] == ["Кот в сапогах", "Колобок"]


async def test_progress_edits_in_a_group_share_one_budget_across_workers(redis_url):
    from arq import create_pool
    from arq.connections import RedisSettings

    from common.ledger import Ledger

    pools = [await create_pool(RedisSettings.from_dsn(redis_url)) for _ in range(2)]  # two workers
    try:
        first, second = (Ledger(pool) for pool in pools)
        granted = [await ledger.pace(GROUP, 10) for _ in range(6) for ledger in (first, second)]
        assert granted == [True] * 10 + [False] * 2
        assert await first.pace(GROUP - 1, 10), "another chat has a budget of its own"
    finally:
        for pool in pools:
            await pool.aclose()


async def test_the_genre_poll_offers_every_genre_and_a_newer_one_can_win(group_env, redis_url, fake_pipeline):
    from pipeline.genres import GENRE_NAMES
    from pipeline.types import Genre

    async with running_bot(), running_worker(redis_url, fake_pipeline):
        say(group_env, "/game@digiteller_bot", ANN, "Ann")
        prompt = await group_env.wait_for("sendMessage", says("Игра в историю"))
        say(group_env, "Пропавший самовар", BOB, "Bob", reply_to_message=prompt.result)
        genre_poll = await group_env.wait_for("sendPoll")
        options = genre_poll.params["options"]
        assert sorted(options) == sorted(GENRE_NAMES["ru"].values()) and len(options) == len(Genre) <= 12
        detective = options.index("детектив")
        group_env.push_poll_answer(genre_poll.result["poll"]["id"], [detective], user_id=ANN)
        video = await group_env.wait_for("sendVideo", timeout=20)
    assert "детектив" in video.params["caption"]
    assert [request.genre for request, _ in fake_pipeline.renders] == [Genre.detective]


async def test_a_server_with_the_old_ten_option_limit_gets_the_ten_that_fit_best(group_env):
    group_env.fail_next("sendPoll", status=400, description="Bad Request: POLL_OPTIONS_TOO_MUCH")
    async with running_bot():
        say(group_env, "/game@digiteller_bot", ANN, "Ann")
        prompt = await group_env.wait_for("sendMessage", says("Игра в историю"))
        say(group_env, "Пропавший самовар детектив", BOB, "Bob", reply_to_message=prompt.result)
        await group_env.wait_for("sendPoll", lambda call: call.ok)
    refused, sent = group_env.calls_of("sendPoll")
    assert not refused.ok and len(refused.params["options"]) == 11
    options = sent.params["options"]
    assert len(options) == 10 and options[0] == "детектив", "the genre the title names comes first"
    assert {"басня", "былина", "сказка", "повесть", "комедия", "трагедия", "драма", "ужасы"} <= set(options)
