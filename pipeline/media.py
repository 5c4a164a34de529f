"""Small wrappers around the media tools every stage uses: subprocesses, ffprobe, wav files."""
from __future__ import annotations

import contextlib
import contextvars
import json
import os
import signal
import subprocess
import threading
import time
import wave
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import TypeVar

import numpy as np

from pipeline.types import StageError

T = TypeVar("T")
POLL_SECONDS = 0.1  # how often a running tool's caller looks whether the render was cancelled
_cancel: contextvars.ContextVar[threading.Event | None] = contextvars.ContextVar("pipeline_cancel", default=None)


class Cancelled(Exception):
    """The render was cancelled (a job's Cancel button or timeout): raised where the render next looks."""


@contextlib.contextmanager
def cancellation(event: threading.Event) -> Iterator[None]:
    """Within this block (in this thread), setting `event` stops the tool `run` is running (its whole process
    group) and makes `check_cancelled` raise Cancelled."""
    token = _cancel.set(event)
    try:
        yield
    finally:
        _cancel.reset(token)


def is_cancelled() -> bool:
    event = _cancel.get()
    return event is not None and event.is_set()


def check_cancelled() -> None:
    if is_cancelled():
        raise Cancelled()


def submit_here(pool: Executor, work: Callable[..., T], *args: object) -> Future[T]:
    """`pool.submit` in a copy of this thread's context, so a cancelled render stops that work and its tools too."""
    return pool.submit(contextvars.copy_context().run, work, *args)


def run(
    cmd: list[str], stage: str, timeout: float = 600, input_bytes: bytes | None = None, cwd: Path | None = None
) -> bytes:
    """Run a tool with an argument list (never a shell string); a failure becomes a StageError with its stderr."""
    return _completed(cmd, stage, timeout, input_bytes, cwd).stdout


def run_for_log(cmd: list[str], stage: str, timeout: float = 600) -> str:
    """Run a tool like `run` and return what it printed on stderr (ffmpeg's measurements go there)."""
    return _completed(cmd, stage, timeout, None, None).stderr.decode(errors="replace")


def _completed(
    cmd: list[str], stage: str, timeout: float, input_bytes: bytes | None, cwd: Path | None
) -> subprocess.CompletedProcess:
    check_cancelled()
    try:
        process = subprocess.Popen(
            cmd, stdin=subprocess.PIPE if input_bytes is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd, start_new_session=True,
        )  # fmt: skip
    except FileNotFoundError as exc:
        raise StageError(stage, f"{cmd[0]} is not installed") from exc
    deadline = time.monotonic() + timeout
    pending = input_bytes
    while True:
        try:
            stdout, stderr = process.communicate(pending, timeout=POLL_SECONDS)
            break
        except subprocess.TimeoutExpired:
            pending = None  # communicate() keeps feeding the input it was given first
            if is_cancelled():
                stop_group(process)
                raise Cancelled() from None
            if time.monotonic() > deadline:
                stop_group(process)
                raise StageError(stage, f"{cmd[0]} took longer than {timeout:.0f} s") from None
    done = subprocess.CompletedProcess(cmd, process.returncode, stdout, stderr)
    if done.returncode != 0:
        tail = done.stderr.decode(errors="replace")[-1500:]
        raise StageError(stage, f"{cmd[0]} exited with {done.returncode}: {tail}")
    return done


def stop_group(process: subprocess.Popen, grace: float = 1.0) -> None:
    """Terminate a tool started in its own session and everything it started; kill what is left after `grace`."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        pass
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # children that outlived the leader, too
    with contextlib.suppress(subprocess.TimeoutExpired, ValueError, OSError):
        process.communicate(timeout=grace)


def ffprobe(path: Path) -> dict:
    """ffprobe's JSON description of a media file: {'format': {...}, 'streams': [...]}."""
    out = run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path)],
        stage="probe",
        timeout=60,
    )
    return json.loads(out)


def media_duration(path: Path) -> float:
    return float(ffprobe(path)["format"]["duration"])


def read_wav(path: Path, mono: bool = True) -> tuple[np.ndarray, int]:
    """Samples as float32 in [-1, 1] and the sample rate. 16-bit PCM only. `mono`: one channel (channels
    averaged), shape (n,); otherwise every channel, shape (n, channels)."""
    with wave.open(str(path), "rb") as wav:
        if wav.getsampwidth() != 2:
            raise ValueError(f"{path}: only 16-bit PCM wav is supported")
        frames = wav.readframes(wav.getnframes())
        samples = np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768.0
        channels = wav.getnchannels()
        if not mono:
            return samples.reshape(-1, channels), wav.getframerate()
        if channels > 1:
            samples = samples.reshape(-1, channels).mean(axis=1)
        return samples, wav.getframerate()


def write_wav(path: Path, samples: np.ndarray, sample_rate: int) -> Path:
    """Write mono or (n, 2) stereo float samples as 16-bit PCM, clipping to [-1, 1]."""
    data = np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0)
    channels = 1 if data.ndim == 1 else data.shape[1]
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes((data * 32767.0).astype("<i2").tobytes())
    return path


def convert_audio(src: Path, dst: Path, sample_rate: int, stage: str, channels: int = 1) -> Path:
    """Resample/remix any audio file sox reads into 16-bit PCM wav."""
    run(["sox", str(src), "-r", str(sample_rate), "-c", str(channels), "-b", "16", str(dst)], stage=stage)
    return dst


def rms_dbfs(samples: np.ndarray) -> float:
    """Loudness of samples as RMS in dBFS (-inf for digital silence)."""
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))) if samples.size else 0.0
    return 20 * np.log10(rms) if rms > 0 else float("-inf")
