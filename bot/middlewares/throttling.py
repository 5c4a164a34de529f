"""Flood control: a user's messages closer together than `rate` seconds get one polite answer, then silence."""
from __future__ import annotations

import time
from typing import Any, Awaitable, Callable

from aiogram import BaseMiddleware
from aiogram.types import Message, TelegramObject


class ThrottlingMiddleware(BaseMiddleware):
    def __init__(self, rate: float, max_users: int = 100_000):
        self.rate = rate
        self.max_users = max_users
        self._last_seen: dict[int, float] = {}
        self._warned: set[int] = set()

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user = data.get("event_from_user")
        if user is None or self.rate <= 0:
            return await handler(event, data)
        now = time.monotonic()
        last = self._last_seen.get(user.id)
        self._last_seen[user.id] = now
        if last is not None and now - last < self.rate:
            if user.id not in self._warned and isinstance(event, Message):
                self._warned.add(user.id)
                await event.answer(data["t"]("throttled"))
            return None
        self._warned.discard(user.id)
        if len(self._last_seen) > self.max_users:
            self._forget_older_than(now - self.rate)
        return await handler(event, data)

    def _forget_older_than(self, moment: float) -> None:
        self._last_seen = {uid: seen for uid, seen in self._last_seen.items() if seen >= moment}
