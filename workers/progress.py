"""Turns the pipeline's (stage, fraction) callbacks into edits of one status message, at most one per interval."""
from __future__ import annotations

import asyncio
import logging
import time

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramRetryAfter

from bot.i18n import Translator

log = logging.getLogger(__name__)

# Rough share of the job's time each stage takes on a CPU worker; the bar moves by these.
STAGE_WEIGHTS = {"write": 0.02, "narrate": 0.30, "compose": 0.08, "illustrate": 0.08, "upscale": 0.12, "assemble": 0.40}
BAR_CELLS = 10


def overall_fraction(stage: str, fraction: float) -> float:
    done = 0.0
    for name, weight in STAGE_WEIGHTS.items():
        if name == stage:
            return min(1.0, done + weight * max(0.0, min(1.0, fraction)))
        done += weight
    return 1.0


def progress_bar(fraction: float) -> str:
    filled = int(round(fraction * BAR_CELLS))
    return "▓" * filled + "░" * (BAR_CELLS - filled)


class StatusReporter:
    """Collects progress from any thread; a task on the event loop edits the message when it changed."""

    def __init__(self, bot: Bot, chat_id: int, message_id: int, t: Translator, fields: dict[str, str], interval: float):
        self.bot = bot
        self.chat_id = chat_id
        self.message_id = message_id
        self.t = t
        self.fields = fields
        self.interval = interval
        self.stage = "write"
        self._fraction = 0.0
        self._shown = ""
        self._task: asyncio.Task | None = None

    def progress(self, stage: str, fraction: float) -> None:
        """The pipeline's Progress callback; safe to call from a worker thread (it only stores numbers)."""
        self.stage = stage
        self._fraction = overall_fraction(stage, fraction)

    def text(self) -> str:
        return self.t(
            "progress",
            stage=self.t(f"stage_{self.stage}"),
            bar=progress_bar(self._fraction),
            percent=int(self._fraction * 100),
            **self.fields,
        )

    async def show(self, text: str) -> None:
        """Edit the status message unless it already says this; never let a failed edit break the job."""
        if text == self._shown:
            return
        try:
            await self.bot.edit_message_text(text=text, chat_id=self.chat_id, message_id=self.message_id)
            self._shown = text
        except TelegramRetryAfter as exc:
            log.info("status edit throttled by Telegram for %s s", exc.retry_after)
        except TelegramBadRequest as exc:
            log.info("status edit refused: %s", exc.message)

    async def _loop(self) -> None:
        last = 0.0
        while True:
            wait = self.interval - (time.monotonic() - last)
            if wait > 0:
                await asyncio.sleep(wait)
            await self.show(self.text())
            last = time.monotonic()

    async def __aenter__(self) -> StatusReporter:
        self._task = asyncio.create_task(self._loop())
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
