"""What the bot puts on the queue and the worker takes off it."""
from __future__ import annotations

import hashlib

from pydantic import BaseModel

from pipeline.genres import genre_name
from pipeline.types import StageSeeds, StoryRequest

PREFIX = "digiteller"  # every key the bot and the workers keep in Redis beside arq's own starts with this
JOB_FUNCTION = "make_story"
JOB_PREFIX = "story"  # arq job ids: story:<chat>:<key>


class StoryJob(BaseModel):
    chat_id: int
    status_message_id: int
    language: str  # the language of the bot's messages to this chat
    request: StoryRequest
    seeds: StageSeeds
    size: str = "1280x720"
    user_id: int = 0  # who asked: their one-job slot and quota; 0 for stories nobody owns (a group game's)
    credit: str | None = None  # "idea by ..." shown under a group game's video

    @property
    def key(self) -> str:
        """16 hex digits from chat + request + seeds + size: short enough for a Cancel button's callback data."""
        source = f"{self.chat_id}|{self.request.digest()}|{self.seeds.digest()}|{self.size}"
        return hashlib.sha256(source.encode()).hexdigest()[:16]

    @property
    def job_id(self) -> str:
        """Same chat + request + seeds → same id, so arq runs a double-tapped request once."""
        return job_id_for(self.chat_id, self.key)


def job_id_for(chat_id: int, key: str) -> str:
    return f"{JOB_PREFIX}:{chat_id}:{key}"


def status_fields(job: StoryJob) -> dict[str, str]:
    """What the status messages and the caption say about the story."""
    return {"title": job.request.title, "genre": genre_name(job.request.genre, job.request.language)}
