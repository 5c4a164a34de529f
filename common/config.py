"""Bot and worker settings from the environment. The token is a SecretStr: it never prints."""
from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any, Literal

from arq.connections import RedisSettings
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from pipeline.types import MAX_TITLE_CHARS, Length


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr = Field(default=SecretStr(""), alias="BOT_TOKEN")
    redis_url: str = Field(default="redis://localhost:6379/0", alias="REDIS_URL")
    telegram_api_base: str | None = Field(default=None, alias="TELEGRAM_API_BASE")

    default_language: str = Field(default="ru", alias="DIGITELLER_DEFAULT_LANGUAGE")
    default_length: Length = Field(default=Length.standard, alias="DIGITELLER_DEFAULT_LENGTH")
    video_size: str = Field(default="1920x1080", alias="DIGITELLER_VIDEO_SIZE")  # README: Speed and sizes
    # Clamped to pipeline.types.MAX_TITLE_CHARS, the one cap StoryRequest enforces (a larger setting would let a
    # title through the handler that StoryRequest then refuses).
    max_title_chars: int = Field(default=MAX_TITLE_CHARS, ge=1, alias="DIGITELLER_MAX_TITLE_CHARS")
    throttle_seconds: float = Field(default=1.0, alias="DIGITELLER_THROTTLE_SECONDS")
    status_edit_seconds: float = Field(default=3.0, alias="DIGITELLER_STATUS_EDIT_SECONDS")
    # Generous on purpose: a long story at 1280x720 on a busy CPU worker; bench/render.py measures the real figure.
    job_timeout_seconds: int = Field(default=3600, alias="DIGITELLER_JOB_TIMEOUT")
    job_max_tries: int = Field(default=3, alias="DIGITELLER_JOB_MAX_TRIES")

    admin_ids: Annotated[frozenset[int], NoDecode] = Field(default=frozenset(), alias="DIGITELLER_ADMIN_IDS")
    # "queue": a user's second request waits for the first; "refuse": it is declined politely.
    busy_policy: Literal["queue", "refuse"] = Field(default="queue", alias="DIGITELLER_BUSY_POLICY")
    daily_quota: int = Field(default=10, alias="DIGITELLER_DAILY_QUOTA")  # stories per user per UTC day; 0 = no limit
    group_messages_per_minute: int = Field(default=20, alias="DIGITELLER_GROUP_MESSAGES_PER_MINUTE")
    game_ideas_seconds: float = Field(default=120.0, alias="DIGITELLER_GAME_IDEAS_SECONDS")
    game_poll_seconds: float = Field(default=60.0, alias="DIGITELLER_GAME_POLL_SECONDS")
    # A worker that stops refreshing its heartbeat for this long is taken for dead and its job is retried.
    worker_heartbeat_seconds: float = Field(default=30.0, alias="DIGITELLER_WORKER_HEARTBEAT_SECONDS")

    @field_validator("max_title_chars")
    @classmethod
    def _clamp_title_chars(cls, value: int) -> int:
        return min(value, MAX_TITLE_CHARS)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(int(part) for part in value.replace(",", " ").split())
        return value

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.admin_ids

    def pays_quota(self, user_id: int) -> bool:
        """Stories count against a daily quota for people, not for admins or stories nobody owns (user 0)."""
        return bool(user_id) and not self.is_admin(user_id)

    def status_interval(self, chat_id: int) -> float:
        """Seconds between status edits: groups share 20 messages a minute, so they get at most a third of it."""
        if chat_id < 0:
            return max(self.status_edit_seconds, 3 * 60.0 / max(1, self.group_messages_per_minute))
        return self.status_edit_seconds


def redis_retry_options() -> dict[str, Any]:
    """A command retried on a fresh connection when the pooled one is dead (Redis restarted or killed): without it
    the first command on each old socket fails, and with it the user's update."""
    from redis.asyncio.retry import Retry
    from redis.backoff import ExponentialBackoff
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    return {"retry_on_error": [RedisConnectionError, RedisTimeoutError],
            "retry": Retry(ExponentialBackoff(cap=2.0, base=0.1), retries=5)}


def redis_connection_settings(url: str) -> RedisSettings:
    """arq's connection settings for `url`, retrying as redis_retry_options says."""
    settings = RedisSettings.from_dsn(url)
    for name, value in redis_retry_options().items():
        setattr(settings, name, value)
    return settings


@lru_cache
def get_service_settings() -> ServiceSettings:
    return ServiceSettings()
