"""Bot and worker settings from the environment. The token is a SecretStr: it never prints."""
from __future__ import annotations

from functools import lru_cache

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from pipeline.types import Length


class BotSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr = Field(default=SecretStr(""), alias="BOT_TOKEN")
    redis_url: str = Field(default="redis://localhost:6379/0", alias="REDIS_URL")
    telegram_api_base: str | None = Field(default=None, alias="TELEGRAM_API_BASE")

    default_language: str = Field(default="ru", alias="DIGITELLER_DEFAULT_LANGUAGE")
    default_length: Length = Field(default=Length.standard, alias="DIGITELLER_DEFAULT_LENGTH")
    video_size: str = Field(default="1280x720", alias="DIGITELLER_VIDEO_SIZE")
    max_title_chars: int = Field(default=200, alias="DIGITELLER_MAX_TITLE_CHARS")
    throttle_seconds: float = Field(default=1.0, alias="DIGITELLER_THROTTLE_SECONDS")
    status_edit_seconds: float = Field(default=3.0, alias="DIGITELLER_STATUS_EDIT_SECONDS")
    job_timeout_seconds: int = Field(default=3600, alias="DIGITELLER_JOB_TIMEOUT")
    job_max_tries: int = Field(default=3, alias="DIGITELLER_JOB_MAX_TRIES")


@lru_cache
def get_bot_settings() -> BotSettings:
    return BotSettings()
