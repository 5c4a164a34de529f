"""What every write backend does with text: how many words a request asks for, counting them, keeping only
what the narrator can read, and leaving out sentences already told."""
from __future__ import annotations

import re

from razdel import sentenize

from pipeline.types import Language, Line, StoryRequest

WORDS_PER_SECOND: dict[Language, float] = {"ru": 2.3, "en": 2.6}
_NOT_PLAIN = re.compile(r"[^\w\s.,!?:;-]")


def target_words(request: StoryRequest) -> int:
    """How many words take `request.length` seconds to read aloud."""
    return round(request.length.target_seconds * WORDS_PER_SECOND[request.language])


def count_words(text: str) -> int:
    return len(text.split())


def plain_text(text: str) -> str:
    """Only letters, digits, spaces and .,!?:;- : the narrator's TTS fails on « » — … % № and the like."""
    text = _NOT_PLAIN.sub(" ", text.replace("_", " "))
    text = re.sub(r"\s+([.,!?:;])", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


def drop_repeated_sentences(lines: list[Line], seen: set[str]) -> list[Line]:
    """Lines without the sentences already told (`seen` holds them, and learns the new ones)."""
    kept = []
    for line in lines:
        fresh = []
        for sentence in sentenize(line.text):
            key = re.sub(r"\W+", " ", sentence.text.lower()).strip()
            if key and key not in seen:
                seen.add(key)
                fresh.append(sentence.text)
        if fresh:
            kept.append(Line(text=" ".join(fresh), speaker=line.speaker))
    return kept
