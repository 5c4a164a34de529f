"""Piper voices from a local folder (`*.onnx` with their `*.onnx.json`), through the piper-tts package
(its wheel ships espeak-ng's phonemizer and data; the voices are downloaded by the operator).

Piper phonemizes with espeak-ng, which reads `+` as a word, so the stress marks are taken out.
"""
from __future__ import annotations

import json
import wave
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from pipeline.speech.engines import SynthItem, pitch_label, shift_pitch
from pipeline.speech.stress import strip_stress
from pipeline.types import Gender, Language, StageError

STAGE = "narrate"
# Voices in Piper's catalogue by the speaker's name in the file name; others are cast as "neutral".
VOICE_GENDERS: dict[str, Gender] = {
    "denis": "male", "dmitri": "male", "ruslan": "male", "irina": "female",
    "amy": "female", "kathleen": "female", "lessac": "female", "ljspeech": "female", "kristin": "female",
    "ryan": "male", "joe": "male", "john": "male", "alan": "male", "danny": "male", "kusal": "male",
}  # fmt: skip
PIPER_LANGUAGE_PREFIX: dict[Language, str] = {"ru": "ru_", "en": "en_"}


@dataclass(frozen=True)
class PiperModelFile:
    onnx: Path
    language: str  # e.g. "ru_RU", from the file name
    speaker_name: str  # e.g. "irina"
    num_speakers: int

    @property
    def gender(self) -> Gender:
        return VOICE_GENDERS.get(self.speaker_name, "neutral")


def find_voices(folder: Path, language: Language) -> list[PiperModelFile]:
    """Piper voices of the language in `folder`, named as Piper names them: ru_RU-irina-medium.onnx."""
    voices = []
    for onnx in sorted(folder.glob("*.onnx")):
        config_path = onnx.with_name(onnx.name + ".json")
        if not config_path.is_file() or not onnx.name.startswith(PIPER_LANGUAGE_PREFIX[language]):
            continue
        config = json.loads(config_path.read_text(encoding="utf-8"))
        locale, _, rest = onnx.stem.partition("-")
        voices.append(PiperModelFile(onnx, locale, rest.split("-")[0], int(config.get("num_speakers", 1))))
    return voices


@cache
def load_piper(onnx: Path, use_cuda: bool) -> Any:
    try:
        from piper import PiperVoice as LoadedVoice
    except ImportError as exc:
        raise StageError(STAGE, "the Piper backend needs `pip install piper-tts` (extra `piper`)") from exc
    return LoadedVoice.load(onnx, use_cuda=use_cuda)


@dataclass(frozen=True)
class PiperVoice:
    model_file: PiperModelFile
    speaker_id: int | None = None
    length_scale: float = 1.0  # >1 speaks slower
    pitch_cents: int = 0  # villains lower, the young higher (casting)
    use_cuda: bool = False
    loaded: Any = field(default=None, compare=False, repr=False)

    @property
    def name(self) -> str:
        speaker = f"#{self.speaker_id}" if self.speaker_id is not None else ""
        return f"piper:{self.model_file.onnx.stem}{speaker}{pitch_label(self.pitch_cents)}"

    @property
    def identity(self) -> str:
        return f"{self.name}:{self.model_file.onnx.stat().st_mtime_ns}:l{self.length_scale}"

    @property
    def batch_size(self) -> int:
        return 4

    def synthesize(self, items: Sequence[SynthItem]) -> None:
        from piper import SynthesisConfig

        voice = self.loaded or load_piper(self.model_file.onnx, self.use_cuda)
        config = SynthesisConfig(speaker_id=self.speaker_id, length_scale=self.length_scale)
        for item in items:
            with wave.open(str(item.wav), "wb") as wav:
                voice.synthesize_wav(strip_stress(item.text), wav, syn_config=config)
            shift_pitch(item.wav, self.pitch_cents)
