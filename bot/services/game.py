"""The story game in a group, its rounds kept in Redis so a restarted bot carries on with them: ideas for a set
time, a native poll of the ideas, a poll of genres, then the winner's story with credit to its proposer."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Literal

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import Poll
from pydantic import BaseModel

from bot.queue import StoryQueue
from common.config import ServiceSettings
from common.contract import PREFIX
from common.i18n import Translator, story_language
from pipeline.genres import genre_name, split_title_and_genre
from pipeline.types import Genre

log = logging.getLogger(__name__)

GAME_KEY = PREFIX + ":game:{chat_id}"
IDEAS_KEY = PREFIX + ":game:{chat_id}:ideas"
GAME_TTL = 24 * 3600
MAX_IDEAS = 10  # a Telegram poll has at most 10 options
POLL_OPTION_CHARS = 100
# Options a poll may have: 12 since Bot API 9.1 (aiogram's sendPoll: "1-12 answer options"), so all 11 genres fit
# in one poll; a Bot API server older than that (a self-hosted one) allows 10, and then the genre poll is sent
# again with the 10 that fit the title best (see poll_genres).
POLL_MAX_OPTIONS = 12
OLD_POLL_MAX_OPTIONS = 10


class Idea(BaseModel):
    title: str
    user_id: int
    name: str


class Game(BaseModel):
    chat_id: int
    language: str
    prompt_id: int
    phase: Literal["ideas", "titles", "genres"] = "ideas"
    deadline: float  # time.time() when the current phase ends
    poll_message_id: int | None = None
    winner: Idea | None = None
    genres: list[Genre] = []  # the genre poll's options, in order


def poll_genres(title: str, limit: int = POLL_MAX_OPTIONS) -> list[Genre]:
    """Every genre, in the usual order, when they fit in a poll. Otherwise `limit` of them: the genre the title
    itself names first (it is what its author had in mind), then the eight genres of the original task, then the
    newer ones; one poll, so nobody votes twice and the group's message budget is spared."""
    genres = list(Genre)
    if len(genres) <= limit:
        return genres
    named = split_title_and_genre(title)[1]
    ranked = ([named] if named else []) + [genre for genre in genres if genre != named]
    return ranked[:limit]


def poll_winner(poll: Poll) -> int:
    """The option with most votes; a tie goes to the earlier option."""
    counts = [option.voter_count for option in poll.options]
    return counts.index(max(counts))


class GameMaster:
    def __init__(self, queue: StoryQueue, settings: ServiceSettings):
        self.redis = queue.pool
        self.queue = queue
        self.settings = settings
        self._ended: dict[int, asyncio.Event] = {}
        self._rounds: dict[int, asyncio.Task] = {}

    async def load(self, chat_id: int) -> Game | None:
        raw = await self.redis.get(GAME_KEY.format(chat_id=chat_id))
        return Game.model_validate_json(raw) if raw else None

    async def save(self, game: Game) -> None:
        await self.redis.set(GAME_KEY.format(chat_id=game.chat_id), game.model_dump_json(), ex=GAME_TTL)

    async def open(self, game: Game) -> bool:
        """Save a new round unless the chat already has one."""
        key = GAME_KEY.format(chat_id=game.chat_id)
        return bool(await self.redis.set(key, game.model_dump_json(), ex=GAME_TTL, nx=True))

    async def finish(self, chat_id: int) -> None:
        await self.redis.delete(GAME_KEY.format(chat_id=chat_id), IDEAS_KEY.format(chat_id=chat_id))

    async def ideas(self, chat_id: int) -> list[Idea]:
        raw = await self.redis.lrange(IDEAS_KEY.format(chat_id=chat_id), 0, -1)
        return [Idea.model_validate_json(item) for item in raw]

    async def add_idea(self, chat_id: int, idea: Idea) -> bool:
        known = {existing.title.lower() for existing in await self.ideas(chat_id)}
        if idea.title.lower() in known or len(known) >= MAX_IDEAS:
            return False
        await self.redis.rpush(IDEAS_KEY.format(chat_id=chat_id), idea.model_dump_json())
        await self.redis.expire(IDEAS_KEY.format(chat_id=chat_id), GAME_TTL)
        return True

    def start_round(self, bot: Bot, chat_id: int) -> None:
        self._ended[chat_id] = asyncio.Event()
        self._rounds[chat_id] = asyncio.create_task(self._run(bot, chat_id))

    def end_phase_now(self, chat_id: int) -> None:
        if event := self._ended.get(chat_id):
            event.set()

    async def resume(self, bot: Bot) -> None:
        """After a restart: carry on with every round found in Redis."""
        async for key in self.redis.scan_iter(f"{PREFIX}:game:*"):
            name = key.decode()
            if not name.endswith(":ideas"):
                self.start_round(bot, int(name.rsplit(":", 1)[1]))

    async def stop(self) -> None:
        for task in self._rounds.values():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self, bot: Bot, chat_id: int) -> None:
        try:
            while (game := await self.load(chat_id)) is not None:
                await self._wait(game)
                if not await self._advance(bot, game):
                    await self.finish(chat_id)
                    return
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - a failed round is logged and dropped, the bot goes on
            log.exception("the game in %s failed", chat_id)
            await self.finish(chat_id)

    async def _wait(self, game: Game) -> None:
        event = self._ended.setdefault(game.chat_id, asyncio.Event())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), max(0.0, game.deadline - time.time()))
        event.clear()

    async def _advance(self, bot: Bot, game: Game) -> bool:
        """Close the current phase and open the next; False when the round is over."""
        t = Translator(game.language)
        if game.phase == "ideas":
            ideas = await self.ideas(game.chat_id)
            if not ideas:
                await bot.send_message(game.chat_id, t("game_no_ideas"))
                return False
            if len(ideas) == 1:
                return await self._ask_genre(bot, game, t, ideas[0])
            options = [idea.title[:POLL_OPTION_CHARS] for idea in ideas]
            poll = await bot.send_poll(game.chat_id, t("game_title_poll"), options, is_anonymous=False)
            await self._next_phase(game, "titles", poll.message_id)
            return True
        closed = await bot.stop_poll(game.chat_id, game.poll_message_id)
        if game.phase == "titles":
            ideas = await self.ideas(game.chat_id)
            return await self._ask_genre(bot, game, t, ideas[poll_winner(closed)])
        genres = game.genres or poll_genres(game.winner.title if game.winner else "")
        await self._make_story(bot, game, t, genres[poll_winner(closed)])
        return False

    async def _ask_genre(self, bot: Bot, game: Game, t: Translator, winner: Idea) -> bool:
        language = story_language(game.language)
        question = t("game_genre_poll", title=winner.title[:200])
        genres = poll_genres(winner.title)
        try:
            poll = await bot.send_poll(
                game.chat_id, question, [genre_name(genre, language) for genre in genres], is_anonymous=False
            )
        except TelegramBadRequest as exc:  # a Bot API server from before polls had 12 options
            if len(genres) <= OLD_POLL_MAX_OPTIONS:
                raise
            log.info("the genre poll was refused (%s); sending %d options", exc.message, OLD_POLL_MAX_OPTIONS)
            genres = poll_genres(winner.title, OLD_POLL_MAX_OPTIONS)
            options = [genre_name(genre, language) for genre in genres]
            poll = await bot.send_poll(game.chat_id, question, options, is_anonymous=False)
        game.winner = winner
        game.genres = genres
        await self._next_phase(game, "genres", poll.message_id)
        return True

    async def _next_phase(self, game: Game, phase: str, poll_message_id: int) -> None:
        game.phase = phase  # type: ignore[assignment]
        game.poll_message_id = poll_message_id
        game.deadline = time.time() + self.settings.game_poll_seconds
        await self.save(game)

    async def _make_story(self, bot: Bot, game: Game, t: Translator, genre: Genre) -> None:
        winner = game.winner
        assert winner is not None
        name = genre_name(genre, story_language(game.language))
        text = t("game_winner", title=winner.title, name=winner.name, genre=name)
        announcement = await bot.send_message(game.chat_id, text)
        request = self.queue.request(winner.title, genre, t)
        await self.queue.submit(announcement, t, request, user_id=0, credit=winner.name)
