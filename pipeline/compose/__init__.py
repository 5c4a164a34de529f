"""The compose stage: a score in the genre's mood, shaded scene by scene, rendered with FluidSynth.

Backends: "transformer" (the project's trained music model; needs torch) and "motif" (the rule-based
chord, bass and motif generator). Both hand their MIDI to the same SoundFont renderer.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Callable, Protocol, Sequence

from pipeline.compose.transformer import DEFAULT_WEIGHTS
from pipeline.settings import PipelineSettings, build_backend
from pipeline.types import Score, Story, needs_extra

CODE_VERSION = 1  # bump when a change to this stage's code changes what it outputs (it is in every cache key)


class Composer(Protocol):
    def compose(self, story: Story, duration: float, out_dir: Path, seed: int,
                scene_starts: Sequence[float] | None = None) -> Score: ...


def _weights(settings: PipelineSettings) -> Path:
    return Path(settings.music_weights) if settings.music_weights else DEFAULT_WEIGHTS


def _motif(settings: PipelineSettings) -> Composer:
    from pipeline.compose.fluidsynth import SoundFontComposer
    from pipeline.compose.motif import MotifGenerator

    return SoundFontComposer(settings.soundfont, settings.sample_rate, MotifGenerator())


def _transformer(settings: PipelineSettings) -> Composer:
    with needs_extra("cpu", "transformer composer"):
        from pipeline.compose.transformer.generator import load_generator
    from pipeline.compose.fluidsynth import SoundFontComposer

    return SoundFontComposer(settings.soundfont, settings.sample_rate, load_generator(_weights(settings)))


COMPOSERS: dict[str, Callable[[PipelineSettings], Composer]] = {"transformer": _transformer, "motif": _motif}


def make_composer(name: str, settings: PipelineSettings) -> Composer:
    return build_backend(COMPOSERS, "composer", name, settings)


def cache_tag(name: str, settings: PipelineSettings) -> str:
    """What besides the story, length, seed and scene starts decides the music: the backend, the trained model's
    weights file (its name and a hash of its content, so retrained weights are not served old scores), the
    SoundFont (name and size), the sample rate and CODE_VERSION."""
    parts = [name]
    if name == "transformer":
        weights = _weights(settings)
        parts.append(f"weights={weights.name}:{_short_hash(weights) if weights.exists() else 'missing'}")
    soundfont = Path(settings.soundfont)
    size = soundfont.stat().st_size if soundfont.exists() else "missing"
    parts += [f"soundfont={soundfont.name}:{size}", f"rate={settings.sample_rate}", f"code={CODE_VERSION}"]
    return ";".join(parts)


def _short_hash(path: Path) -> str:
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()[:12]
