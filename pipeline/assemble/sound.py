"""The soundtrack: narration over music, the music ducked while someone speaks, loudness-normalised (EBU R128)."""
from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from pipeline.media import read_wav, run, run_for_log, write_wav
from pipeline.types import Narration, Score

ATTACK_SECONDS = 0.25  # the music starts dipping this long before a line
RELEASE_SECONDS = 0.6  # and comes back over this long after it
FADE_OUT_SECONDS = 2.5
TRUE_PEAK_DB = -1.5  # the finished soundtrack's ceiling (dBTP)


def speech_envelope(narration: Narration, offset: float, length: int, rate: int) -> np.ndarray:
    """0..1 per sample: 1 while a line is spoken, with linear ramps before and after (from the clip timings)."""
    speaking = np.zeros(length, np.float32)
    for clip in narration.clips:
        start = int((offset + clip.start - ATTACK_SECONDS) * rate)
        end = int((offset + clip.start + clip.duration + RELEASE_SECONDS) * rate)
        speaking[max(0, start) : max(0, min(length, end))] = 1.0
    ramp = int(ATTACK_SECONDS * rate) or 1
    running = np.concatenate([[0.0], np.cumsum(speaking, dtype=np.float64)])
    padded = np.pad(running, (ramp // 2, ramp - ramp // 2), mode="edge")
    smoothed = (padded[ramp:] - padded[:-ramp])[:length] / ramp  # a moving average: linear ramps
    return np.clip(smoothed, 0.0, 1.0).astype(np.float32)


def mix(narration: Narration, score: Score, offset: float, total: float, music_volume: float,
        duck_db: float, out: Path) -> Path:
    """Narration from `offset` over the music from 0, the music `duck_db` lower while someone speaks."""
    voice, rate = read_wav(narration.audio)
    music, music_rate = read_wav(score.audio)
    if music_rate != rate:
        raise ValueError(f"music at {music_rate} Hz, narration at {rate} Hz")
    length = int(round(total * rate))
    start = int(round(offset * rate))
    track = np.zeros(length, np.float32)
    voice = voice[: max(0, length - start)]
    track[start : start + voice.size] = voice
    music = np.pad(music, (0, max(0, length - music.size)))[:length]
    fade = np.clip((length - np.arange(length)) / (FADE_OUT_SECONDS * rate), 0.0, 1.0)
    duck = 10 ** (-duck_db / 20)
    gain = music_volume * (1.0 - (1.0 - duck) * speech_envelope(narration, offset, length, rate)) * fade
    return write_wav(out, track + music * gain, rate)


def loudness(path: Path, stage: str = "assemble") -> dict[str, float]:
    """ffmpeg loudnorm's measurement: input_i (LUFS), input_tp (dBTP), input_lra, input_thresh, target_offset."""
    report = run_for_log(
        ["ffmpeg", "-nostdin", "-hide_banner", "-i", str(path), "-af", "loudnorm=print_format=json", "-f", "null", "-"],
        stage=stage,
    )
    found = re.search(r"\{[^{}]*\"input_i\"[^{}]*\}", report)
    if not found:
        raise ValueError("loudnorm printed no measurement")
    return {key: float(value) for key, value in json.loads(found.group(0)).items() if key != "normalization_type"}


def measure(path: Path, stage: str = "assemble") -> tuple[float, float]:
    """(integrated loudness in LUFS, true peak in dBTP) from ffmpeg's ebur128 scanner."""
    report = run_for_log(
        ["ffmpeg", "-nostdin", "-hide_banner", "-i", str(path), "-af", "ebur128=peak=true", "-f", "null", "-"],
        stage=stage,
    )
    summary = report[report.rindex("Summary:") :]
    integrated = re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary)
    peak = re.search(r"True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    if not integrated or not peak:
        raise ValueError("ebur128 printed no summary")
    return float(integrated.group(1)), float(peak.group(1))


def normalise(path: Path, out: Path, target_lufs: float, true_peak: float, rate: int, codec: Sequence[str]) -> Path:
    """To `target_lufs` by one gain when the peaks allow it (one quick scan); else two-pass loudnorm, which
    limits the peaks (it upsamples to 192 kHz: several times slower). Written stereo at `rate` with ffmpeg's
    `codec` options."""
    integrated, peak = measure(path)
    convert = ["-ar", str(rate), "-ac", "2", *codec, str(out)]
    gain = target_lufs - integrated
    if integrated > -70 and peak + gain <= true_peak:
        run(["ffmpeg", "-nostdin", "-y", "-v", "error", "-i", str(path), "-af", f"volume={gain:.2f}dB", *convert],
            stage="assemble")  # fmt: skip
        return out
    m = loudness(path)
    settings = (
        f"loudnorm=I={target_lufs}:TP={true_peak}:LRA=11:linear=true:measured_I={m['input_i']}"
        f":measured_TP={m['input_tp']}:measured_LRA={m['input_lra']}:measured_thresh={m['input_thresh']}"
        f":offset={m['target_offset']}"
    )
    run(["ffmpeg", "-nostdin", "-y", "-v", "error", "-i", str(path), "-af", settings, *convert], stage="assemble")
    return out
