from aiogram import Router

from bot.handlers import common, story


def all_routers() -> list[Router]:
    return [common.create_router(), story.create_router()]
