"""Another person's voice from one voice: the WORLD vocoder (PyPI `pyworld`, MIT; WORLD itself is
modified-BSD) splits a clip into pitch, spectral envelope and aperiodicity, and puts it back together
with the pitch and the formants moved apart. A woman's voice from joe's is his pitch ×1.8 with the
formants ×1.15 (a shorter vocal tract); sox `pitch` moves both together, which sounds like a sped-up
tape and which pocketsphinx understood almost none of (WER 0.98 at +800 cents against 0.35 here).
"""
from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path
from types import ModuleType

import numpy as np

from pipeline.media import read_wav, write_wav

FRAME_PERIOD_MS = 5.0
PEAK = 0.95


@cache
def pyworld() -> ModuleType:
    """pyworld's compiled module. pyworld 0.3.5's package __init__ reads its own version through
    pkg_resources, which setuptools no longer ships, so the extension is loaded from the package folder
    when that import fails."""
    try:
        import pyworld as package

        return package
    except ModuleNotFoundError as exc:
        if exc.name != "pkg_resources":
            raise
    spec = importlib.util.find_spec("pyworld")
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        for library in sorted(Path(folder).glob("pyworld*.so")):
            extension = importlib.util.spec_from_file_location("pyworld.pyworld", library)
            if extension is not None and extension.loader is not None:
                module = importlib.util.module_from_spec(extension)
                extension.loader.exec_module(module)
                return module
    raise ModuleNotFoundError("pyworld's compiled module is missing", name="pyworld")


def warp(envelope: np.ndarray, ratio: float) -> np.ndarray:
    """Each frame's spectrum stretched along frequency by `ratio` (>1 moves the formants up)."""
    bins = np.arange(envelope.shape[1], dtype=np.float64)
    source = np.clip(bins / ratio, 0, bins[-1])
    return np.stack([np.interp(source, bins, frame) for frame in envelope])


def reshape(samples: np.ndarray, sample_rate: int, pitch_ratio: float, formant_ratio: float) -> np.ndarray:
    """The samples with the pitch times `pitch_ratio` and the formants times `formant_ratio`."""
    world = pyworld()
    signal = samples.astype(np.float64)
    f0, times = world.harvest(signal, sample_rate, frame_period=FRAME_PERIOD_MS)
    envelope = world.cheaptrick(signal, f0, times, sample_rate)
    aperiodicity = world.d4c(signal, f0, times, sample_rate)
    if formant_ratio != 1.0:
        envelope, aperiodicity = warp(envelope, formant_ratio), warp(aperiodicity, formant_ratio)
    out = world.synthesize(f0 * pitch_ratio, envelope, np.clip(aperiodicity, 0.0, 1.0), sample_rate,
                           frame_period=FRAME_PERIOD_MS)  # fmt: skip
    peak = float(np.max(np.abs(out))) if out.size else 0.0
    return (out * (PEAK / peak if peak > PEAK else 1.0)).astype(np.float32)


def reshape_wav(wav: Path, pitch_ratio: float, formant_ratio: float) -> None:
    """`reshape` on a clip in place; a missing or header-only wav (the engine failed) is left alone."""
    if (pitch_ratio, formant_ratio) == (1.0, 1.0) or not wav.is_file() or wav.stat().st_size <= 44:
        return
    samples, rate = read_wav(wav)
    write_wav(wav, reshape(samples, rate, pitch_ratio, formant_ratio), rate)
