"""The story game's commands in a group: /game opens a round, members reply to it with title ideas, a chat admin's
/endgame closes the current phase early (bot.services.game runs the rounds)."""
from __future__ import annotations

import contextlib
import time

from aiogram import Bot, F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.types import Message, ReactionTypeEmoji

from bot.filters import is_chat_admin
from bot.services.game import Game, GameMaster, Idea
from bot.titles import clean_title, title_problem
from common.config import ServiceSettings
from common.i18n import Translator

GROUP_TYPES = {"group", "supergroup"}


async def game_command(message: Message, bot: Bot, t: Translator, games: GameMaster, settings: ServiceSettings) -> None:
    if await games.load(message.chat.id):
        await message.answer(t("game_running"))
        return
    seconds = int(round(settings.game_ideas_seconds))
    prompt = await message.answer(t("game_open", seconds=seconds))
    deadline = time.time() + settings.game_ideas_seconds
    game = Game(chat_id=message.chat.id, language=t.language, prompt_id=prompt.message_id, deadline=deadline)
    if not await games.open(game):  # another /game won the race
        await prompt.delete()
        await message.answer(t("game_running"))
        return
    games.start_round(bot, message.chat.id)


async def idea_reply(message: Message, games: GameMaster, settings: ServiceSettings) -> None:
    game = await games.load(message.chat.id)
    reply = message.reply_to_message
    if game is None or game.phase != "ideas" or reply is None or reply.message_id != game.prompt_id:
        raise SkipHandler
    title = clean_title(message.text or "")
    if title_problem(title, settings.max_title_chars):
        return
    user = message.from_user
    idea = Idea(title=title, user_id=user.id if user else 0, name=user.full_name if user else "?")
    if await games.add_idea(message.chat.id, idea):
        # A reaction, not a message: a group's 20 messages a minute are kept for the game itself.
        with contextlib.suppress(TelegramBadRequest):  # reactions may be off in this chat
            await message.react([ReactionTypeEmoji(emoji="👍")])


async def end_game(message: Message, bot: Bot, t: Translator, games: GameMaster, settings: ServiceSettings) -> None:
    if await games.load(message.chat.id) is None:
        await message.answer(t("game_none"))
        return
    user_id = message.from_user.id if message.from_user else 0
    if not await is_chat_admin(bot, message.chat.id, user_id, settings):
        await message.answer(t("game_not_admin"))
        return
    games.end_phase_now(message.chat.id)


def create_router() -> Router:
    router = Router(name="game")
    in_group = F.chat.type.in_(GROUP_TYPES)
    router.message.register(game_command, Command("game"), in_group)
    router.message.register(end_game, Command("endgame"), in_group)
    router.message.register(idea_reply, in_group, F.text, F.reply_to_message, ~F.text.startswith("/"))
    return router
