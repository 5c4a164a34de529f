"""What the bot puts on the queue and the worker takes off it."""
from __future__ import annotations

from pydantic import BaseModel

from pipeline.types import StageSeeds, StoryRequest

JOB_FUNCTION = "make_story"


class StoryJob(BaseModel):
    chat_id: int
    status_message_id: int
    language: str  # the language of the bot's messages to this chat
    request: StoryRequest
    seeds: StageSeeds
    size: str = "1280x720"

    @property
    def job_id(self) -> str:
        """Same chat + request + seeds → same id, so arq runs a double-tapped request once."""
        return f"story:{self.chat_id}:{self.request.digest()}:{self.seeds.digest()}:{self.size}"
