from aiogram import Router

from bot.handlers import common, game, jobs, story


def all_routers() -> list[Router]:
    # The game comes before the story dialogue: in a group, a reply to the game's message is an idea, not a title.
    return [common.create_router(), jobs.create_router(), game.create_router(), story.create_router()]
