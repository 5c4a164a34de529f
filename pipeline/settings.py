"""Pipeline settings from the environment (prefix DIGITELLER_); see the README for each variable."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Callable, Mapping, TypeVar

from pydantic_settings import BaseSettings, SettingsConfigDict


class PipelineSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DIGITELLER_", extra="ignore")

    cache_dir: Path = Path.home() / ".cache" / "digiteller"
    work_dir: Path | None = None  # where jobs' private folders go; None = a temporary folder
    cache_max_mb: int = 4096  # stage cache size limit; least recently used entries are evicted beyond it

    writer: str = "grammar"  # grammar (offline plot grammar) or lm (a causal language model, transformers)
    lm_model: str = "ai-forever/rugpt3small_based_on_gpt2"  # a model id or a local folder
    lm_device: str = "auto"  # auto = cuda when present, else cpu
    lm_local_files_only: bool = False  # True: never reach a model hub
    lm_temperature: float = 0.9
    lm_top_p: float = 0.95
    lm_top_k: int = 50
    lm_repetition_penalty: float = 1.2
    lm_max_new_tokens: int = 256  # tokens per generate() call; calls repeat until the story is long enough
    narrator: str = "festival"  # festival (offline), silero (torch.hub), piper (a voices folder)
    narrator_en: str = "joe"  # the festival narrator's English voices: joe (Piper en_US-joe-medium) or espeak
    narrate_workers: int = 2  # lines read in parallel
    narrate_line_cache: bool = True  # clips kept per voice and line under cache_dir/narrate-lines
    tts_device: str = "auto"  # auto = cuda when present, else cpu (Silero, Piper)
    silero_repo: str = "snakers4/silero-models"  # or a local folder with hubconf.py (silero_source=local)
    silero_source: str = "github"
    silero_models: dict[str, str] = {"ru": "v4_ru", "en": "v3_en"}  # language → Silero TTS model id
    piper_voices_dir: Path | None = None  # folder of Piper *.onnx voices with their *.onnx.json
    composer: str = "transformer"  # transformer (the trained music model) or motif (rule-based motifs)
    music_weights: Path | None = None  # the music model's checkpoint; None = pipeline/compose/transformer/weights/folk.pt
    illustrator: str = "shadow_theatre"
    illustrator_model: str = "kandinsky-community/kandinsky-2-2-decoder"  # diffusion illustrator: model id or folder
    illustrator_reranker: str = "openai/clip-vit-base-patch32"  # its CLIP reranker: model id or folder
    illustrator_device: str = "auto"  # auto = cuda when present, else cpu
    upscaler: str = "auto"  # auto (vector art: none; raster pictures: Real-ESRGAN), ncnn, torch or none
    upscale_model: str = "realesr-animevideov3-x4"
    upscale_threads: int = 2
    upscale_device: str = "auto"  # the torch upscaler's device; auto = cuda when present, else cpu
    assembler: str = "ffmpeg"

    soundfont: Path = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
    sample_rate: int = 44100
    fps: int = 25
    crf: int = 28
    x264_preset: str = "superfast"
    # Fixed B-frames (no adaptive B-frame decision, weighted B or scene-cut search: a quarter of x264's time on
    # these slowly moving pictures) with tune animation's deblock and AQ strength: against superfast/28 tune animation,
    # 22 % less x264 CPU at the same SSIM (0.9939 / 0.9940), 15 % more bytes (bench/assemble.py --ladder).
    x264_params: str = "b-adapt=0:weightb=0:scenecut=0:aq-strength=0.6:deblock=1,1"
    crossfade_seconds: float = 0.8
    music_volume: float = 0.35  # music gain under silence; ducked further while someone speaks
    music_duck_db: float = 9.0  # how much lower the music goes while someone speaks
    loudness_lufs: float = -16.0  # integrated loudness of the finished soundtrack (EBU R128)
    x264_tune: str = ""  # x264's --tune; empty for none (x264_params holds what animation's tune set that pays)
    soft_subtitles: bool = False  # also a switchable mov_text subtitle track
    upload_limit_mb: float = 50.0  # a longer video is re-encoded to fit (Telegram's cloud Bot API: 50 MB)
    split_oversize: bool = False  # cut an oversize video into parts instead (a local Bot API server, 2000 MB)

    @property
    def upload_limit_bytes(self) -> int:
        return int(self.upload_limit_mb * 1_000_000)


B = TypeVar("B")


def build_backend(registry: Mapping[str, Callable[[PipelineSettings], B]], role: str, name: str,
                  settings: PipelineSettings) -> B:
    """The one factory body every stage uses: look the backend up by name and build it from the settings."""
    try:
        build = registry[name]
    except KeyError:
        raise ValueError(f"unknown {role} {name!r}; choose one of: {', '.join(registry)}") from None
    return build(settings)


def resolve_device(preference: str) -> str:
    """"auto" → "cuda" when torch sees a GPU, else "cpu"; anything else is taken as written ("cuda:1")."""
    if preference != "auto":
        return preference
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


@lru_cache
def get_settings() -> PipelineSettings:
    return PipelineSettings()
