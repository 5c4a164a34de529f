"""The mp4: raw frames streamed into ffmpeg (libass subtitles, x264, AAC, faststart), the size guard, the thumbnail."""
from __future__ import annotations

import contextlib
import math
import queue
import subprocess
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import cv2
import numpy as np
from PIL import Image

from pipeline.media import Cancelled, check_cancelled, media_duration, run
from pipeline.types import StageError

THUMBNAIL_SIDE = 320
THUMBNAIL_MAX_BYTES = 200_000
AUDIO_BITRATE = 160_000
AUDIO_CODEC = ("-c:a", "aac", "-b:a", str(AUDIO_BITRATE))
# OpenCV's BGR→I420 is BT.601 limited range; say so, or a player guesses (BT.709 for HD: shifted colours).
# The pictures are sRGB, whose primaries and transfer are BT.709's.
COLOUR_TAGS = ["-colorspace", "smpte170m", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv"]


@dataclass(frozen=True)
class Encoding:
    fps: int
    crf: int
    preset: str  # x264's
    tune: str  # x264's; "" for none
    params: str  # x264's own options (-x264-params), "key=value:key=value"; "" for none
    soft_subtitles: bool  # also a mov_text track a player can switch on

    def video_args(self) -> list[str]:
        tune = ["-tune", self.tune] if self.tune else []
        params = ["-x264-params", self.params] if self.params else []
        return ["-c:v", "libx264", "-preset", self.preset, *tune, *params, "-crf", str(self.crf), "-profile:v", "high",
                "-pix_fmt", "yuv420p", *COLOUR_TAGS]  # fmt: skip


def encode_command(size: tuple[int, int], subtitles: Path, total: float, encoding: Encoding, out: Path) -> list[str]:
    """ffmpeg reading yuv420p frames on stdin, subtitles burnt in by libass (the file is relative to cwd), x264
    into a video-only file: the soundtrack is made meanwhile and joined by `mux_command`."""
    width, height = size
    return [
        "ffmpeg", "-y", "-loglevel", "error", "-nostdin",
        "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{width}x{height}", "-r", str(encoding.fps), "-i", "-",
        "-vf", f"subtitles=filename={subtitles.name}", "-an",
        *encoding.video_args(), "-r", str(encoding.fps), "-t", f"{total:.3f}",
        str(out.resolve()),
    ]  # fmt: skip


def mux_command(video: Path, audio: Path, subtitles: Path | None, total: float, out: Path) -> list[str]:
    """The encoded video and soundtrack (and a switchable mov_text subtitle track) into one mp4, nothing re-encoded,
    the index in front (faststart) so a player starts before the whole file has arrived."""
    soft = ["-i", str(subtitles.resolve())] if subtitles else []
    soft_map = ["-map", "2:s", "-c:s", "mov_text"] if subtitles else []
    return [
        "ffmpeg", "-y", "-loglevel", "error", "-nostdin", "-i", str(video.resolve()), "-i", str(audio.resolve()), *soft,
        "-map", "0:v", "-map", "1:a", *soft_map, "-c:v", "copy", "-c:a", "copy",
        "-t", f"{total:.3f}", "-movflags", "+faststart", str(out.resolve()),
    ]  # fmt: skip


FRAMES_AHEAD = 4  # converted frames waiting for the encoder: slack for the drawing and x264 running unevenly


def stream_frames(cmd: list[str], frames: Iterable[np.ndarray], cwd: Path, stage: str = "assemble") -> None:
    """Pipe BGRA frames as yuv420p into ffmpeg while it encodes. A writer thread feeds the pipe from a short
    queue, so the drawing never waits on a full pipe while x264 has frames in hand (with the writing done in
    the drawing thread the two cores were 18 % idle; bench/render.py)."""
    with tempfile.TemporaryFile() as log:
        encoder = subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=log, cwd=cwd)
        waiting: queue.Queue[bytes | memoryview | None] = queue.Queue(maxsize=FRAMES_AHEAD)
        writer = threading.Thread(target=_feed, args=(waiting, encoder.stdin), name="frames-to-ffmpeg", daemon=True)
        writer.start()
        try:
            for frame in frames:
                check_cancelled()
                if not _put(waiting, writer, cv2.cvtColor(frame, cv2.COLOR_BGRA2YUV_I420).data):
                    break  # ffmpeg stopped early: its exit code and log say why
        except Cancelled:
            encoder.kill()  # the job was cancelled: no point finishing the file
            raise
        finally:
            _put(waiting, writer, None)  # also when drawing failed, else ffmpeg would wait for frames forever
            writer.join()
            code = encoder.wait()
        if code != 0:
            log.seek(0)
            raise StageError(stage, f"ffmpeg exited with {code}: {log.read().decode(errors='replace')[-1500:]}")


def _feed(waiting: queue.Queue, pipe: BinaryIO) -> None:
    """Write queued frames into ffmpeg's stdin until None; close it then, or stop when ffmpeg has gone."""
    try:
        while (frame := waiting.get()) is not None:
            pipe.write(frame)
    except (BrokenPipeError, ValueError):
        pass  # ffmpeg stopped (or was killed): the caller reads its exit code
    finally:
        with contextlib.suppress(BrokenPipeError, ValueError):
            pipe.close()


def _put(waiting: queue.Queue, writer: threading.Thread, item: bytes | memoryview | None) -> bool:
    """Queue `item` (None: the end) for the writer; False when the writer has stopped (ffmpeg gone)."""
    while writer.is_alive():
        try:
            waiting.put(item, timeout=0.5)
            return True
        except queue.Full:
            continue
    return False


def fit_size(path: Path, limit_bytes: int, preset: str, split: bool) -> list[Path]:
    """A video over the upload limit is re-encoded (with x264's `preset`) at a bitrate that fits, or (split=True,
    for a local Bot API server) cut into parts that each fit. Returns the file(s) to send."""
    size = path.stat().st_size
    if size <= limit_bytes:
        return [path]
    duration = media_duration(path)
    if split:
        return _split(path, duration, size, limit_bytes)
    budget = limit_bytes * 8 * 0.9 / duration  # bits per second; 10% for the container and rate overshoot
    audio_bits = AUDIO_BITRATE if budget > 4 * AUDIO_BITRATE else max(32_000, budget // 4)
    video_bits = budget - audio_bits
    if video_bits < 30_000:
        raise StageError("assemble", f"{duration:.0f} s cannot fit in {limit_bytes / 1e6:.1f} MB")
    smaller = path.with_name(path.stem + ".fit.mp4")
    rate = f"{int(video_bits / 1000)}k"
    run(["ffmpeg", "-y", "-v", "error", "-nostdin", "-i", str(path), "-map", "0",
         "-c:v", "libx264", "-preset", preset, "-b:v", rate, "-maxrate", rate,
         "-bufsize", f"{int(video_bits / 500)}k", "-profile:v", "high", "-pix_fmt", "yuv420p",
         "-c:a", "aac", "-b:a", str(int(audio_bits)), "-c:s", "copy", "-movflags", "+faststart", str(smaller)],
        stage="assemble", timeout=3600)  # fmt: skip
    smaller.replace(path)
    return [path]


def _split(path: Path, duration: float, size: int, limit_bytes: int) -> list[Path]:
    parts = math.ceil(size / (limit_bytes * 0.9))
    pattern = path.with_name(f"{path.stem}.part%02d.mp4")
    run(["ffmpeg", "-y", "-v", "error", "-nostdin", "-i", str(path), "-map", "0", "-c", "copy",
         "-f", "segment", "-segment_time", f"{duration / parts:.3f}", "-reset_timestamps", "1",
         "-segment_format_options", "movflags=+faststart", str(pattern)],
        stage="assemble", timeout=3600)  # fmt: skip
    return sorted(path.parent.glob(f"{path.stem}.part*.mp4"))


def make_thumbnail(frame_bgra: np.ndarray, out: Path) -> Path:
    """A JPEG of at most 320 px a side and under 200 kB (Telegram's rules for a video's thumbnail)."""
    picture = Image.fromarray(cv2.cvtColor(frame_bgra, cv2.COLOR_BGRA2RGB))
    picture.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    for quality in (85, 70, 50, 30):
        picture.save(out, "JPEG", quality=quality)
        if out.stat().st_size < THUMBNAIL_MAX_BYTES:
            break
    return out
