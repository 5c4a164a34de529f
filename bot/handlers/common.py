"""/start, /help, /cancel."""
from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from bot.i18n import Translator

async def start(message: Message, state: FSMContext, t: Translator) -> None:
    await state.clear()
    name = message.from_user.first_name if message.from_user else ""
    await message.answer(t("start", name=name))


async def help_(message: Message, t: Translator) -> None:
    await message.answer(t("help"))


async def cancel(message: Message, state: FSMContext, t: Translator) -> None:
    if await state.get_state() is None:
        await message.answer(t("nothing_to_cancel"))
        return
    await state.clear()
    await message.answer(t("cancelled"))


def create_router() -> Router:
    """A fresh Router each call: a Router can belong to one Dispatcher only."""
    router = Router(name="common")
    router.message.register(start, CommandStart())
    router.message.register(help_, Command("help"))
    router.message.register(cancel, Command("cancel"))
    return router
