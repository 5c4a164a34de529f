"""Silero TTS through torch.hub: one model per process (CUDA when present), a speaker per character.

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

from pipeline.media import write_wav
from pipeline.speech.engines import SynthItem, pitch_label, shift_pitch
from pipeline.types import Gender, Language, StageError

STAGE = "narrate"
log = logging.getLogger(__name__)

# Silero's v3/v4 Russian speakers; speakers not listed here are cast as "neutral".
SPEAKER_GENDERS: dict[str, Gender] = {
    "aidar": "male", "eugene": "male", "baya": "female", "kseniya": "female", "xenia": "female",
}  # fmt: skip
DEFAULT_MODELS: dict[Language, str] = {"ru": "v4_ru", "en": "v3_en"}


def torch_device(preference: str = "auto") -> str:
    import torch

    if preference == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return preference


@dataclass(frozen=True)
class SileroModel:
    """A loaded Silero TTS model and the speakers it has."""

    model: Any = field(compare=False, repr=False)
    source: str  # what was loaded, for voice names and cache keys
    speakers: tuple[str, ...]

    @classmethod
    def load(cls, repo: str, language: Language, model_id: str = "", source: str = "github",
             device: str = "auto") -> SileroModel:  # fmt: skip
        import torch

        model_id = model_id or DEFAULT_MODELS[language]
        try:
            loaded = torch.hub.load(repo_or_dir=repo, model="silero_tts", language=language, speaker=model_id,
                                    source=source, trust_repo=True)  # fmt: skip
        except Exception as exc:  # torch.hub raises many kinds (network, missing file, bad hubconf)
            raise StageError(STAGE, f"cannot load Silero TTS {model_id!r} from {repo}: {exc}") from exc
        model = loaded[0] if isinstance(loaded, tuple) else loaded
        model.to(torch_device(device))
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
    sample_rate: int = 48000  # Silero makes 8000, 24000 or 48000 Hz
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
        import torch

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
