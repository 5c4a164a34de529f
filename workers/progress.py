"""Turns the pipeline's (stage, fraction) callbacks into edits of one status message, at most one per interval:
the stage, a progress bar, an estimate of the time left, and the Cancel button."""
from __future__ import annotations

import asyncio
import logging
import threading
import time
from typing import Awaitable, Callable

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramRetryAfter
from aiogram.types import InlineKeyboardMarkup

from common.i18n import Translator

log = logging.getLogger(__name__)

# Rough share of the job's time each stage takes on a CPU worker; the bar moves by these.
STAGE_WEIGHTS = {"write": 0.02, "narrate": 0.30, "compose": 0.08, "illustrate": 0.08, "upscale": 0.12, "assemble": 0.40}
BAR_CELLS = 10
MIN_FRACTION_FOR_ESTIMATE = 0.05


class JobStopped(Exception):
    """Raised inside the render thread at its next progress report once the job was cancelled."""


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


def time_left(t: Translator, fraction: float, elapsed: float) -> str:
    if fraction < MIN_FRACTION_FOR_ESTIMATE:
        return t("eta_unknown")
    seconds = elapsed / fraction * (1.0 - fraction)
    return t("eta_seconds") if seconds < 60 else t("eta_minutes", minutes=int(round(seconds / 60)))


class StatusReporter:
    """Collects progress from the render thread; a task on the event loop edits the message when it changed."""

    def __init__(
        self,
        bot: Bot,
        chat_id: int,
        message_id: int,
        t: Translator,
        fields: dict[str, str],
        interval: float,
        keyboard: InlineKeyboardMarkup | None = None,
        pace: Callable[[], Awaitable[bool]] | None = None,
    ):
        self.bot = bot
        self.chat_id = chat_id
        self.message_id = message_id
        self.t = t
        self.fields = fields
        self.interval = interval
        self.keyboard = keyboard
        self.pace = pace  # asked before each progress edit (not the final ones): False skips this edit
        self.stage = "write"
        self._fraction = 0.0
        self._started = time.monotonic()
        self._shown = ""
        self._last_edit = 0.0
        self._stopped = threading.Event()
        self._task: asyncio.Task | None = None

    def progress(self, stage: str, fraction: float) -> None:
        """The pipeline's Progress callback, called from the render thread; stops the render once cancelled."""
        if self._stopped.is_set():
            raise JobStopped(stage)
        self.stage = stage
        self._fraction = overall_fraction(stage, fraction)

    def stop(self) -> None:
        self._stopped.set()

    def text(self) -> str:
        return self.t(
            "progress",
            stage=self.t(f"stage_{self.stage}"),
            bar=progress_bar(self._fraction),
            percent=int(self._fraction * 100),
            eta=time_left(self.t, self._fraction, time.monotonic() - self._started),
            **self.fields,
        )

    async def show(self, text: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
        """Edit the status message unless it already says this, no sooner than `interval` after the last edit;
        never let a failed edit break the job."""
        if text == self._shown:
            return
        wait = self.interval - (time.monotonic() - self._last_edit)
        if wait > 0:
            await asyncio.sleep(wait)
        self._last_edit = time.monotonic()
        try:
            await self.bot.edit_message_text(
                text=text, chat_id=self.chat_id, message_id=self.message_id, reply_markup=keyboard
            )
            self._shown = text
        except TelegramRetryAfter as exc:
            log.info("status edit throttled by Telegram for %s s", exc.retry_after)
        except TelegramBadRequest as exc:
            log.info("status edit refused: %s", exc.message)

    async def _loop(self) -> None:
        while True:
            text = self.text()
            if text != self._shown and (self.pace is None or await self.pace()):
                await self.show(text, self.keyboard)
            await asyncio.sleep(self.interval / 4)

    async def __aenter__(self) -> StatusReporter:
        self._started = time.monotonic()
        self._task = asyncio.create_task(self._loop())
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
