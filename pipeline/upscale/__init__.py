"""Upscale: image → image ×scale with Real-ESRGAN, run by ncnn on the CPU (no Vulkan) or by torch (CPU or CUDA).

Both run tile by tile, so memory stays bounded at 4K; the torch nets get their weights converted from the same
ncnn files, so the two backends give the same pictures. `upscale_to` (pipeline.upscale.tiles) enlarges a
picture to an exact size through an upscaler."""
from __future__ import annotations

from typing import Callable, Protocol

from PIL import Image

from pipeline.settings import PipelineSettings, build_backend, resolve_device

CODE_VERSION = 2  # bump when a change to this stage's code changes what it outputs (it is in every cache key)


class Upscaler(Protocol):
    scale: int

    def upscale(self, image: Image.Image) -> Image.Image:
        """RGB in, RGB out, exactly `scale`× each side."""
        ...


def _ncnn(settings: PipelineSettings) -> Upscaler:
    from pipeline.upscale.ncnn import NcnnRealEsrgan

    return NcnnRealEsrgan(model=settings.upscale_model, threads=settings.upscale_threads)


def _torch(settings: PipelineSettings) -> Upscaler:
    from pipeline.upscale.torch_esrgan import TorchRealEsrgan

    return TorchRealEsrgan(model=settings.upscale_model, device=resolve_device(settings.upscale_device),
                           cache_dir=settings.cache_dir)  # fmt: skip


class AutoUpscaler:
    """`auto`: Real-ESRGAN through torch where CUDA is, else through ncnn on the CPU, built on first use.

    What needs upscaling at all is decided with `needs_upscaling`: vector art is drawn at the output size (on
    flat vector art Real-ESRGAN measured worse than a native render), raster pictures smaller than the output go
    through Real-ESRGAN."""

    scale = 4

    def __init__(self, settings: PipelineSettings):
        self._settings = settings
        self._inner: Upscaler | None = None

    @property
    def backend(self) -> str:
        return "torch" if resolve_device(self._settings.upscale_device).startswith("cuda") else "ncnn"

    def upscale(self, image: Image.Image) -> Image.Image:
        if self._inner is None:
            self._inner = UPSCALERS[self.backend](self._settings)
        return self._inner.upscale(image)


def _auto(settings: PipelineSettings) -> Upscaler:
    return AutoUpscaler(settings)


UPSCALERS: dict[str, Callable[[PipelineSettings], Upscaler]] = {"ncnn": _ncnn, "torch": _torch, "auto": _auto}


def needs_upscaling(name: str, vector: bool) -> bool:
    """Whether pictures from an illustrator are drawn small and enlarged by the upscaler `name`: never for "none";
    for "auto" only raster pictures (vector art is drawn at the output size); always for a named backend."""
    if name == "none":
        return False
    return not (name == "auto" and vector)


def make_upscaler(name: str, settings: PipelineSettings) -> Upscaler:
    return build_backend(UPSCALERS, "upscaler", name, settings)


def cache_tag(name: str, settings: PipelineSettings) -> str:
    """The backend, its model and CODE_VERSION: what decides the enlarged picture."""
    return f"{name}:{settings.upscale_model}:v{CODE_VERSION}"
