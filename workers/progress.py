"""Turns the pipeline's (stage, fraction) callbacks into edits of one status message, at most one per interval:
the stage, a progress bar, an estimate of the time left, and the Cancel button. The bar and the time left come
from how long each stage took in earlier jobs of the same size and length (StageClock, kept in Redis)."""
from __future__ import annotations

import asyncio
import logging
import threading
import time
from typing import Awaitable, Callable

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramRetryAfter
from aiogram.types import InlineKeyboardMarkup
from redis.asyncio import Redis

from common.contract import PREFIX
from common.i18n import Translator
from pipeline.media import Cancelled
from pipeline.types import STAGES

log = logging.getLogger(__name__)

# Seconds per stage before any job of a size and length was measured: a standard story at 1280x720 on a 2-core
# CPU worker (bench/render.py). Measured times replace them after the first job.
FIRST_GUESS = {"write": 3.0, "narrate": 60.0, "compose": 15.0, "illustrate": 15.0, "upscale": 5.0, "assemble": 90.0}
EMA_ALPHA = 0.3  # weight of the newest job in the moving average of a stage's time
PACE_LIMITS = (0.5, 3.0)  # how far this job's own pace may stretch the averages
MIN_FRACTION_FOR_ESTIMATE = 0.02
BAR_CELLS = 10


class JobStopped(Cancelled):
    """Raised inside the render thread at its next progress report once the job was cancelled."""


def ema(old: float | None, new: float, alpha: float = EMA_ALPHA) -> float:
    """Exponential moving average: the first measurement as is, then `alpha` of each new one."""
    return new if old is None else alpha * new + (1.0 - alpha) * old


def clock_key(size: str, length: str) -> str:
    return f"{PREFIX}:stage_seconds:{size}:{length}"


class StageClock:
    """Seconds each stage takes, per video size and story length: a moving average over finished jobs, in Redis
    so every worker shares it and it survives restarts."""

    def __init__(self, redis: Redis):
        self.redis = redis

    async def estimates(self, size: str, length: str) -> dict[str, float]:
        raw = await self.redis.hgetall(clock_key(size, length))
        measured = {key.decode(): float(value) for key, value in raw.items()}
        return {stage: measured.get(stage, FIRST_GUESS.get(stage, 10.0)) for stage in STAGES}

    async def record(self, seconds: dict[str, float], size: str, length: str) -> dict[str, float]:
        """Fold one job's measured stage times into the averages; returns the new averages."""
        key = clock_key(size, length)
        raw = await self.redis.hgetall(key)
        old = {name.decode(): float(value) for name, value in raw.items()}
        new = {stage: ema(old.get(stage), value) for stage, value in seconds.items() if stage in STAGES}
        if new:
            await self.redis.hset(key, mapping={stage: f"{value:.3f}" for stage, value in new.items()})
        return new


def overall_fraction(estimates: dict[str, float], stage: str, fraction: float) -> float:
    """Share of the whole job's expected time done: the stages before `stage` and `fraction` of it."""
    total = sum(estimates.values()) or 1.0
    return min(1.0, expected_done(estimates, stage, fraction) / total)


def expected_done(estimates: dict[str, float], stage: str, fraction: float) -> float:
    done = 0.0
    for name in STAGES:
        if name == stage:
            return done + estimates.get(name, 0.0) * max(0.0, min(1.0, fraction))
        done += estimates.get(name, 0.0)
    return done


def seconds_left(estimates: dict[str, float], stage: str, fraction: float, elapsed: float) -> float:
    """The expected time of what is left, stretched (or shrunk, within PACE_LIMITS) by how this job has kept to
    the averages so far: cached stages make it faster, a busy machine slower."""
    done = expected_done(estimates, stage, fraction)
    left = sum(estimates.values()) - done
    pace = 1.0
    if done > 0 and elapsed > 0:
        pace = min(max(elapsed / done, PACE_LIMITS[0]), PACE_LIMITS[1])
    return max(0.0, left * pace)


def progress_bar(fraction: float) -> str:
    filled = int(round(fraction * BAR_CELLS))
    return "▓" * filled + "░" * (BAR_CELLS - filled)


def time_left(t: Translator, seconds: float | None) -> str:
    if seconds is None:
        return t("eta_unknown")
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
        estimates: dict[str, float] | None = None,
    ):
        self.bot = bot
        self.chat_id = chat_id
        self.message_id = message_id
        self.t = t
        self.fields = fields
        self.interval = interval
        self.keyboard = keyboard
        self.pace = pace  # asked before each progress edit (not the final ones): False skips this edit
        self.estimates = estimates or dict(FIRST_GUESS)
        self.stage = "write"
        self._stage_fraction = 0.0
        self._fraction = 0.0
        self._started = time.monotonic()
        self._stage_started: dict[str, float] = {}
        self._stage_ended: dict[str, float] = {}
        self._shown = ""
        self._last_edit = 0.0
        self._stopped = threading.Event()
        self._task: asyncio.Task | None = None

    def progress(self, stage: str, fraction: float) -> None:
        """The pipeline's Progress callback, called from the render thread; stops the render once cancelled."""
        if self._stopped.is_set():
            raise JobStopped(stage)
        now = time.monotonic()
        if stage != self.stage and self.stage in self._stage_started:
            self._stage_ended.setdefault(self.stage, now)
        self._stage_started.setdefault(stage, now)
        self.stage = stage
        self._stage_fraction = fraction
        self._fraction = overall_fraction(self.estimates, stage, fraction)

    def stop(self) -> None:
        self._stopped.set()

    @property
    def stopped(self) -> threading.Event:
        """Set once the job is cancelled: the pipeline's running tool is stopped too (pipeline.media.cancellation)."""
        return self._stopped

    def stage_seconds(self) -> dict[str, float]:
        """How long each stage this job went through took (the last one up to now)."""
        now = time.monotonic()
        return {
            stage: max(0.0, self._stage_ended.get(stage, now) - started)
            for stage, started in self._stage_started.items()
        }

    def seconds_left(self) -> float | None:
        if not self._stage_started or self._fraction < MIN_FRACTION_FOR_ESTIMATE:
            return None
        return seconds_left(self.estimates, self.stage, self._stage_fraction, time.monotonic() - self._started)

    def text(self) -> str:
        return self.t(
            "progress",
            stage=self.t(f"stage_{self.stage}"),
            bar=progress_bar(self._fraction),
            percent=int(self._fraction * 100),
            eta=time_left(self.t, self.seconds_left()),
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
