"""What a person checks in a video, as functions: its streams, its length, its sound, a frame."""
from __future__ import annotations

import io
import subprocess
from pathlib import Path

import numpy as np
from PIL import Image

from pipeline.media import ffprobe, rms_dbfs


def streams(path: Path) -> dict[str, dict]:
    """The first video and audio stream of a file, by codec type."""
    found: dict[str, dict] = {}
    for stream in ffprobe(path)["streams"]:
        found.setdefault(stream["codec_type"], stream)
    return found


def duration(path: Path) -> float:
    return float(ffprobe(path)["format"]["duration"])


def decoded_audio(path: Path, rate: int = 16000) -> np.ndarray:
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-vn", "-ac", "1", "-ar", str(rate), "-f", "s16le", "-"],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0


def frame_at(path: Path, seconds: float) -> Image.Image:
    png = subprocess.run(
        ["ffmpeg", "-v", "error", "-ss", f"{seconds:.3f}", "-i", str(path), "-frames:v", "1", "-f", "image2pipe",
         "-vcodec", "png", "-"],
        capture_output=True,
        check=True,
    ).stdout
    return Image.open(io.BytesIO(png)).convert("RGB")


def assert_story_video(path: Path, width: int, height: int, min_seconds: float) -> float:
    """H.264 High yuv420p video of the size asked, AAC audio, long enough, not silent, faststart. Returns its length."""
    found = streams(path)
    video, audio = found["video"], found["audio"]
    assert video["codec_name"] == "h264" and video["pix_fmt"] == "yuv420p"
    assert (video["width"], video["height"]) == (width, height)
    assert audio["codec_name"] == "aac"
    length = duration(path)
    assert length >= min_seconds, f"video lasts {length:.1f} s, expected at least {min_seconds}"
    assert rms_dbfs(decoded_audio(path)) > -35, "the soundtrack is silent"
    atoms = top_level_atoms(path)
    assert atoms.index("moov") < atoms.index("mdat"), f"not faststart: atoms in order {atoms}"
    return length


def top_level_atoms(path: Path) -> list[str]:
    """The MP4 file's top-level box types in file order (ftyp, moov, mdat...)."""
    names = []
    with path.open("rb") as mp4:
        while header := mp4.read(8):
            size = int.from_bytes(header[:4], "big")
            names.append(header[4:8].decode("latin-1"))
            if size == 1:
                size = int.from_bytes(mp4.read(8), "big") - 8
            elif size == 0:
                break
            mp4.seek(size - 8, io.SEEK_CUR)
    return names
