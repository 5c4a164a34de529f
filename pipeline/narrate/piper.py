"""Piper voices from a local folder (`*.onnx` with their `*.onnx.json`), through the piper-tts package
(its wheel ships espeak-ng's phonemizer and data; the voices are downloaded by the operator). Each voice
file, and each speaker of a multi-speaker file, is one speaker to cast.

Piper phonemizes with espeak-ng, which reads `+` as a word, so the stress marks are taken out.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from piper import PiperVoice as LoadedVoice
from piper import SynthesisConfig

from pipeline.media import write_wav
from pipeline.narrate.casting import cast_speakers, length_scale
from pipeline.narrate.reader import LineCache, VoiceNarrator
from pipeline.narrate.stress import strip_stress
from pipeline.narrate.voice import STAGE, SynthItem, Voice, pitch_label, shift_pitch
from pipeline.types import Gender, Language, StageError, Story

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
def load_piper(onnx: Path, use_cuda: bool) -> LoadedVoice:
    return LoadedVoice.load(onnx, use_cuda=use_cuda)


@dataclass(frozen=True)
class PiperVoice:
    model_file: PiperModelFile
    speaker_id: int | None = None
    length_scale: float = 1.0  # >1 speaks slower
    pitch_cents: int = 0  # villains lower, the young higher (casting)
    use_cuda: bool = False
    noise_scale: float | None = None  # the voice's variation of timbre; None = the model's own (0.667)
    noise_w: float | None = None  # its variation of phoneme length (rhythm); None = the model's own (0.8)
    pitch_ratio: float = 1.0  # WORLD vocoder: pitch and formants moved apart (pipeline.narrate.world)
    formant_ratio: float = 1.0

    @property
    def name(self) -> str:
        speaker = f"#{self.speaker_id}" if self.speaker_id is not None else ""
        rate = f"x{self.length_scale:g}" if self.length_scale != 1.0 else ""
        reshaped = (self.pitch_ratio, self.formant_ratio) != (1.0, 1.0)
        shape = f"~f0x{self.pitch_ratio:g}/fx{self.formant_ratio:g}" if reshaped else ""
        return f"piper:{self.model_file.onnx.stem}{speaker}{pitch_label(self.pitch_cents)}{shape}{rate}"

    @property
    def identity(self) -> str:
        return (f"{self.name}:{self.model_file.onnx.stat().st_mtime_ns}:l{self.length_scale}"
                f":n{self.noise_scale}:w{self.noise_w}")  # fmt: skip

    @property
    def batch_size(self) -> int:
        return 4

    def synthesize(self, items: Sequence[SynthItem]) -> None:
        voice = load_piper(self.model_file.onnx, self.use_cuda)
        config = SynthesisConfig(speaker_id=self.speaker_id, length_scale=self.length_scale,
                                 noise_scale=self.noise_scale, noise_w_scale=self.noise_w)  # fmt: skip
        for item in items:
            chunks = list(voice.synthesize(strip_stress(item.text), syn_config=config))  # one per sentence
            if not chunks:
                continue  # the missing wav is retried, then reported
            write_wav(item.wav, np.concatenate([c.audio_float_array for c in chunks]), chunks[0].sample_rate)
            shift_pitch(item.wav, self.pitch_cents)
            if (self.pitch_ratio, self.formant_ratio) != (1.0, 1.0):
                from pipeline.narrate.world import reshape_wav

                reshape_wav(item.wav, self.pitch_ratio, self.formant_ratio)


class PiperNarrator(VoiceNarrator):
    """Piper voices from a folder: each voice file (and each speaker of a multi-speaker file) is one voice."""

    def __init__(self, voices_dir: Path, use_cuda: bool, sample_rate: int, workers: int, cache: LineCache):
        super().__init__(sample_rate, workers, cache)
        self.voices_dir = voices_dir
        self.use_cuda = use_cuda

    def cast(self, story: Story, seed: int) -> dict[str, Voice]:
        files = find_voices(self.voices_dir, story.request.language)
        if not files:
            raise StageError(STAGE, f"no Piper voice for {story.request.language!r} in {self.voices_dir}")
        voices = {f"{f.onnx.stem}#{sid}": (f, sid if f.num_speakers > 1 else None)
                  for f in files for sid in range(f.num_speakers)}  # fmt: skip
        pools: dict[Gender, Sequence[str]] = {
            g: [key for key, (f, _) in voices.items() if f.gender == g] for g in ("male", "female", "neutral")
        }
        return {speaker: PiperVoice(*voices[key], length_scale=length_scale(story.character(speaker)),
                                    pitch_cents=cents, use_cuda=self.use_cuda)
                for speaker, (key, cents) in cast_speakers(story, seed, pools).items()}  # fmt: skip
