"""Admin checks: the bot's own admins (DIGITELLER_ADMIN_IDS) and a group's admins."""
from __future__ import annotations

from aiogram import Bot
from aiogram.filters import Filter
from aiogram.types import CallbackQuery, Message

from common.config import ServiceSettings

CHAT_ADMIN_STATUSES = ("creator", "administrator")


class BotAdmin(Filter):
    """The user is one of the bot's admins."""

    async def __call__(self, event: Message | CallbackQuery, settings: ServiceSettings) -> bool:
        return settings.is_admin(event.from_user.id if event.from_user else None)


async def is_chat_admin(bot: Bot, chat_id: int, user_id: int, settings: ServiceSettings) -> bool:
    """A group's creator or administrator, or one of the bot's admins."""
    if settings.is_admin(user_id):
        return True
    member = await bot.get_chat_member(chat_id, user_id)
    return member.status in CHAT_ADMIN_STATUSES
