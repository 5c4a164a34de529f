"""Silero TTS through torch.hub: one model per language, loaded once per process (on the configured
device), a speaker per character, cast like every few-speaker engine (speaker + pitch shift).

Production loads `snakers4/silero-models` (`silero_tts`, e.g. `v4_ru`) from the hub; the tests load a
local `hubconf.py` with a tiny model of the same call signature, so this loading and calling code runs
in CI. Silero reads `+` before a vowel as stress, so our silero-stress marks go in as they are.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from pipeline.media import write_wav
from pipeline.narrate.casting import cast_speakers
from pipeline.narrate.reader import LineCache, VoiceNarrator
from pipeline.narrate.voice import STAGE, SynthItem, Voice, pitch_label, shift_pitch
from pipeline.settings import resolve_device
from pipeline.types import Gender, Language, StageError, Story

log = logging.getLogger(__name__)

SILERO_SAMPLE_RATE = 48000  # Silero makes 8000, 24000 or 48000 Hz; the reader resamples to the track's rate
# Silero's v3/v4 Russian speakers; speakers not listed here are cast as "neutral".
SPEAKER_GENDERS: dict[str, Gender] = {
    "aidar": "male", "eugene": "male", "baya": "female", "kseniya": "female", "xenia": "female",
}  # fmt: skip


@dataclass(frozen=True)
class SileroModel:
    """A loaded Silero TTS model and the speakers it has."""

    model: Any = field(compare=False, repr=False)
    source: str  # what was loaded, for voice names and cache keys
    speakers: tuple[str, ...]

    @classmethod
    def load(cls, repo: str, language: Language, model_id: str, source: str, device: str) -> SileroModel:
        try:
            loaded = torch.hub.load(repo_or_dir=repo, model="silero_tts", language=language, speaker=model_id,
                                    source=source, trust_repo=True)  # fmt: skip
        except Exception as exc:  # torch.hub raises many kinds (network, missing file, bad hubconf)
            raise StageError(STAGE, f"cannot load Silero TTS {model_id!r} from {repo}: {exc}") from exc
        model = loaded[0] if isinstance(loaded, tuple) else loaded
        model.to(resolve_device(device))
        speakers = tuple(s for s in getattr(model, "speakers", ()) if s != "random")
        if not speakers:
            raise StageError(STAGE, f"Silero TTS {model_id!r} from {repo} lists no speakers")
        return cls(model=model, source=f"{repo}:{model_id}", speakers=speakers)

    def speakers_of(self, gender: Gender) -> tuple[str, ...]:
        return tuple(s for s in self.speakers if SPEAKER_GENDERS.get(s, "neutral") == gender)


@dataclass(frozen=True)
class SileroVoice:
    speaker: str
    model: SileroModel
    sample_rate: int
    pitch_cents: int = 0  # villains lower, the young higher (casting)

    @property
    def name(self) -> str:
        return f"silero:{self.speaker}{pitch_label(self.pitch_cents)}"

    @property
    def identity(self) -> str:
        return f"silero:{self.model.source}:{self.speaker}:{self.sample_rate}:{self.pitch_cents}"

    @property
    def batch_size(self) -> int:
        return 4

    def synthesize(self, items: Sequence[SynthItem]) -> None:
        for item in items:
            try:
                with torch.inference_mode():
                    audio = self.model.model.apply_tts(text=item.text, speaker=self.speaker,
                                                       sample_rate=self.sample_rate, put_accent=False, put_yo=True)
            except Exception as exc:  # Silero raises ValueError/RuntimeError on text it cannot read
                log.warning("Silero %s could not read %r: %s", self.speaker, item.text, exc)
                continue  # the missing wav is retried, then reported
            write_wav(item.wav, np.asarray(audio.detach().cpu().numpy(), dtype=np.float32), self.sample_rate)
            shift_pitch(item.wav, self.pitch_cents)


class SileroNarrator(VoiceNarrator):
    """Silero TTS speakers: the narrator a male one, each character one of their gender."""

    def __init__(self, models: dict[Language, SileroModel], sample_rate: int, workers: int, cache: LineCache):
        super().__init__(sample_rate, workers, cache)
        self.models = models

    def cast(self, story: Story, seed: int) -> dict[str, Voice]:
        model = self.models.get(story.request.language)
        if model is None:
            raise StageError(STAGE, f"no Silero TTS model for {story.request.language!r} is configured")
        pools: dict[Gender, Sequence[str]] = {g: model.speakers_of(g) for g in ("male", "female", "neutral")}
        return {speaker: SileroVoice(name, model, SILERO_SAMPLE_RATE, pitch_cents=cents)
                for speaker, (name, cents) in cast_speakers(story, seed, pools).items()}  # fmt: skip
