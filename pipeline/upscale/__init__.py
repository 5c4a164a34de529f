"""Upscale: image → image ×scale with Real-ESRGAN, run by ncnn on the CPU (no Vulkan) or by torch (CPU or CUDA).

Both run tile by tile, so memory stays bounded at 4K; the torch nets get their weights converted from the same
ncnn files, so the two backends give the same pictures. `upscale_to` (pipeline.upscale.tiles) enlarges a
picture to an exact size through an upscaler."""
from __future__ import annotations

from typing import Callable, Protocol

from PIL import Image

from pipeline.settings import PipelineSettings, build_backend, resolve_device

CODE_VERSION = 1  # bump when a change to this stage's code changes what it outputs (it is in every cache key)


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


UPSCALERS: dict[str, Callable[[PipelineSettings], Upscaler]] = {"ncnn": _ncnn, "torch": _torch}


def make_upscaler(name: str, settings: PipelineSettings) -> Upscaler:
    return build_backend(UPSCALERS, "upscaler", name, settings)


def cache_tag(name: str, settings: PipelineSettings) -> str:
    """The backend, its model and CODE_VERSION: what decides the enlarged picture."""
    return f"{name}:{settings.upscale_model}:v{CODE_VERSION}"
