"""Listening by machine: an ASR no one here wrote (pocketsphinx with the en-us model its wheel ships)
transcribes English speech, and the word error rate against the text says how much of it a listener
would catch. bench/narrate.py reports it per voice; the tests hold the English narrator to it.
pocketsphinx is in the `test` extra; nothing in the pipeline's own path imports this module.
"""
from __future__ import annotations

import re
import threading
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.media import read_wav
from pipeline.narrate.text import spell_out

ASR_SAMPLE_RATE = 16000  # the en-us acoustic model's rate
_lock = threading.Lock()  # one decoder per process, used by one caller at a time


@cache
def decoder() -> Any:
    """pocketsphinx's decoder with its bundled en-us acoustic model, language model and dictionary."""
    from pocketsphinx import Decoder

    return Decoder(samprate=ASR_SAMPLE_RATE, loglevel="FATAL")


def to_asr_rate(samples: np.ndarray, sample_rate: int) -> bytes:
    """Mono float samples → 16 kHz 16-bit PCM bytes, resampled in the frequency domain (what lies above
    8 kHz is dropped, not folded back into the speech band)."""
    count = max(1, round(samples.size * ASR_SAMPLE_RATE / sample_rate))
    spectrum = np.fft.rfft(samples.astype(np.float64))[: count // 2 + 1]
    resampled = np.fft.irfft(spectrum, count) * (count / max(1, samples.size))
    return (np.clip(resampled, -1.0, 1.0) * 32767).astype("<i2").tobytes()


def transcribe(samples: np.ndarray, sample_rate: int) -> str:
    """What pocketsphinx hears in the samples, lowercase words."""
    with _lock:
        asr = decoder()
        asr.start_utt()
        asr.process_raw(to_asr_rate(samples, sample_rate), full_utt=True)
        asr.end_utt()
        hypothesis = asr.hyp()
    return hypothesis.hypstr if hypothesis is not None else ""


def transcribe_wav(path: Path) -> str:
    samples, rate = read_wav(path)
    return transcribe(samples, rate)


def words_of(text: str) -> list[str]:
    """Words as they are said: numbers and abbreviations spelled out, lowercase, no punctuation,
    apostrophes and hyphens as word breaks ("don't" and "don t" count alike)."""
    return re.findall(r"[a-z]+", spell_out(text, "en").lower())


def edit_distance(reference: list[str], hypothesis: list[str]) -> int:
    """Word substitutions, insertions and deletions that turn one into the other (Levenshtein)."""
    row = list(range(len(hypothesis) + 1))
    for i, word in enumerate(reference, 1):
        previous, row[0] = row[0], i
        for j, heard in enumerate(hypothesis, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (word != heard))
    return row[-1]


def word_errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """(errors, reference words) after normalising both texts; sum them over clips for a pooled WER."""
    said = words_of(reference)
    return edit_distance(said, words_of(hypothesis)), len(said)


def word_error_rate(reference: str, hypothesis: str) -> float:
    errors, count = word_errors(reference, hypothesis)
    return errors / max(1, count)
