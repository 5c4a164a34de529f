"""Pipeline settings from the environment (prefix DIGITELLER_); see the README for each variable."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class PipelineSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DIGITELLER_", extra="ignore")

    cache_dir: Path = Path.home() / ".cache" / "digiteller"
    work_dir: Path | None = None  # where jobs' private folders go; None = a temporary folder
    cache_max_mb: int = 4096  # stage cache size limit; least recently used entries are evicted beyond it

    writer: str = "grammar"
    narrator: str = "festival"  # festival (offline), silero (torch.hub), piper (a voices folder)
    narrate_workers: int = 2  # lines read in parallel
    narrate_line_cache: bool = True  # clips kept per voice and line under cache_dir/narrate-lines
    tts_device: str = "auto"  # auto = cuda when present, else cpu (Silero, Piper)
    silero_repo: str = "snakers4/silero-models"  # or a local folder with hubconf.py (silero_source=local)
    silero_source: str = "github"
    silero_models: dict[str, str] = {"ru": "v4_ru"}  # language → Silero TTS model id
    piper_voices_dir: Path | None = None  # folder of Piper *.onnx voices with their *.onnx.json
    composer: str = "pretty_midi"
    illustrator: str = "shadow_theatre"
    upscaler: str = "ncnn"
    upscale_model: str = "realesr-animevideov3-x4"
    upscale_threads: int = 2
    assembler: str = "ffmpeg"

    soundfont: Path = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
    sample_rate: int = 44100
    fps: int = 25
    crf: int = 23
    x264_preset: str = "veryfast"
    crossfade_seconds: float = 0.8
    music_volume: float = 0.35  # music gain under silence; ducked further while someone speaks


@lru_cache
def get_settings() -> PipelineSettings:
    return PipelineSettings()
