"""Illustrate: a scene → a picture, with its depth layers (for parallax) and what was drawn in it and why.

Backends: "shadow_theatre" (offline vector silhouettes, pipeline.illustrate.shadow) and "diffusion" (diffusers
text-to-image with a CLIP reranker; the `diffusion` extra). Both draw what pipeline.illustrate.plan finds in the scene.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Protocol

from pipeline.illustrate.plan import plan_scene
from pipeline.settings import PipelineSettings, build_backend, resolve_device
from pipeline.types import Illustration, Story, needs_extra

__all__ = ["CODE_VERSION", "ILLUSTRATORS", "Illustrator", "cache_tag", "make_illustrator", "plan_scene"]

CODE_VERSION = 3  # bump when a change to this stage's code changes what it outputs (it is in every cache key)


class Illustrator(Protocol):
    vector: bool  # draws shapes at any size (no super-resolution needed), or makes raster pictures of a fixed size

    def illustrate(self, story: Story, scene_index: int, size: tuple[int, int], out_dir: Path, seed: int) -> Illustration:
        ...


def _shadow_theatre(settings: PipelineSettings) -> Illustrator:
    from pipeline.illustrate.shadow.theatre import ShadowTheatreIllustrator

    return ShadowTheatreIllustrator()


def _diffusion(settings: PipelineSettings) -> Illustrator:
    from pipeline.illustrate.diffusion import DiffusionIllustrator

    device = resolve_device(settings.illustrator_device)
    with needs_extra("diffusion", "diffusion illustrator"):  # diffusers and transformers are imported as it loads
        return DiffusionIllustrator.from_pretrained(settings.illustrator_model, settings.illustrator_reranker, device)


ILLUSTRATORS: dict[str, Callable[[PipelineSettings], Illustrator]] = {
    "shadow_theatre": _shadow_theatre,
    "diffusion": _diffusion,
}


def make_illustrator(name: str, settings: PipelineSettings) -> Illustrator:
    return build_backend(ILLUSTRATORS, "illustrator", name, settings)


def cache_tag(name: str, settings: PipelineSettings) -> str:
    """The backend and CODE_VERSION; for diffusion also its model, its reranker and the precision it runs in."""
    if name == "diffusion":
        from pipeline.illustrate.diffusion import precision

        device = resolve_device(settings.illustrator_device)
        return f"{name}:{settings.illustrator_model}:{settings.illustrator_reranker}:{precision(device)}:v{CODE_VERSION}"
    return f"{name}:v{CODE_VERSION}"
