"""The reading machinery every narrator shares, whatever its engine: a story's lines become jobs for the
voices its `cast` gives, read in batches per voice on a small thread pool, each line spelled out,
stressed, cut into pieces the engine can take, checked for sound (retried once with plainer text, else
the stage fails with the line named), trimmed and brought to one loudness, cached per line and voice,
and laid end to end with pauses into one wav with the real position of each line.
"""
from __future__ import annotations

import hashlib
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline.media import convert_audio, read_wav, rms_dbfs, write_wav
from pipeline.narrate.stress import accent
from pipeline.narrate.text import speakable, spell_out, split_long
from pipeline.narrate.voice import STAGE, SynthItem, Voice
from pipeline.types import Clip, Language, Narration, Progress, StageError, Story, no_progress

LEAD_IN_SECONDS = 0.5
LINE_PAUSE_SECONDS = 0.35
SCENE_PAUSE_SECONDS = 0.9
CHUNK_PAUSE_SECONDS = 0.15  # between the pieces of a long line
TAIL_SECONDS = 0.5
TARGET_DBFS = -20.0  # every clip is brought to this RMS so the voices match
PEAK_LIMIT = 0.97
SILENT_DBFS = -45.0  # a clip quieter than this is treated as "the engine produced nothing"
MIN_CLIP_SECONDS = 0.1
MAX_LETTERS_PER_SECOND = 40.0  # faster than this means the engine dropped part of the text (speech is ~15)
TRIM_BELOW_PEAK_DB = 35.0  # edge samples this far below the clip's peak count as silence
TRIM_MARGIN_SECONDS = 0.05

# --- clips ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineJob:
    index: int  # position among all the story's lines
    scene: int
    line: int
    speaker: str
    text: str  # as written (subtitles show it)
    language: Language
    voice: Voice

    def where(self) -> str:
        return f"scene {self.scene + 1}, line {self.line + 1}"

    def chunks(self) -> list[str]:
        """What the engine reads: spelled out, stressed, cleaned, cut into pieces it can take."""
        return split_long(speakable(accent(spell_out(self.text, self.language), self.language), self.language))


def trim_silence(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    peak = float(np.max(np.abs(samples)))
    loud = np.flatnonzero(np.abs(samples) > peak * 10 ** (-TRIM_BELOW_PEAK_DB / 20))
    margin = int(TRIM_MARGIN_SECONDS * sample_rate)
    return samples[max(0, loud[0] - margin) : loud[-1] + margin + 1]


def normalise(samples: np.ndarray) -> np.ndarray:
    gain = 10 ** ((TARGET_DBFS - rms_dbfs(samples)) / 20)
    peak = float(np.max(np.abs(samples)))
    return samples * min(gain, PEAK_LIMIT / peak)


def load_clip(raw: Path, sample_rate: int, text: str) -> np.ndarray | None:
    """The engine's output at our rate, trimmed; None when it is empty, silent or cut short."""
    if not raw.exists() or raw.stat().st_size <= 44:  # a wav header alone
        return None
    try:
        samples, _ = read_wav(convert_audio(raw, raw.with_name(raw.stem + ".rate.wav"), sample_rate, STAGE))
    except (StageError, ValueError, EOFError):
        return None
    if samples.size < MIN_CLIP_SECONDS * sample_rate or rms_dbfs(samples) < SILENT_DBFS:
        return None
    samples = trim_silence(samples, sample_rate)
    letters = sum(c.isalpha() for c in text)
    if samples.size < max(MIN_CLIP_SECONDS, letters / MAX_LETTERS_PER_SECOND) * sample_rate:
        return None
    return samples


class LineCache:
    """Finished clips on disk by voice and text, so a story read again (other seed for the music, a
    regenerated scene) costs only its new lines. `folder=None` keeps nothing. `version` is the stage's
    code version: a change to how a line is prepared or processed leaves the old clips unread."""

    def __init__(self, folder: Path | None, version: str):
        self.folder = folder
        self.version = version

    def path(self, job: LineJob, sample_rate: int) -> Path | None:
        if self.folder is None:
            return None
        key = "\x1f".join((self.version, job.voice.identity, job.language, str(sample_rate), job.text))
        digest = hashlib.sha256(key.encode()).hexdigest()[:24]
        return self.folder / digest[:2] / f"{digest}.wav"

    def get(self, job: LineJob, sample_rate: int) -> np.ndarray | None:
        path = self.path(job, sample_rate)
        if path is None or not path.is_file():
            return None
        try:
            return read_wav(path)[0]
        except (ValueError, EOFError):
            return None

    def put(self, job: LineJob, sample_rate: int, samples: np.ndarray) -> None:
        path = self.path(job, sample_rate)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(f".{job.index}.part")
            write_wav(partial, samples, sample_rate)
            partial.replace(path)  # atomic: a reader never sees half a clip


def join_chunks(pieces: Sequence[np.ndarray], sample_rate: int) -> np.ndarray:
    gap = np.zeros(round(CHUNK_PAUSE_SECONDS * sample_rate), dtype=np.float32)
    joined = [part for piece in pieces for part in (gap, piece.astype(np.float32))][1:]
    return normalise(np.concatenate(joined))


def retry_chunk(job: LineJob, chunk: str, raw: Path, sample_rate: int) -> np.ndarray:
    """Second try for one piece, with the plainest text; a second failure is the user's error message."""
    text = speakable(chunk, job.language, strict=True)
    if text:
        job.voice.synthesize([SynthItem(text, raw)])
        if (samples := load_clip(raw, sample_rate, text)) is not None:
            return samples
    raise StageError(STAGE, f"{job.voice.name} produced no audio for {job.where()}: {job.text!r}")


def read_batch(jobs: Sequence[LineJob], work: Path, sample_rate: int, cache: LineCache) -> dict[int, np.ndarray]:
    """Audio of several lines of one voice: cached clips, then one engine call for the rest, then a
    retry for each piece that came out empty."""
    audio = {job.index: clip for job in jobs if (clip := cache.get(job, sample_rate)) is not None}
    todo = [job for job in jobs if job.index not in audio]
    if not todo:
        return audio
    items = {job.index: [SynthItem(chunk, work / f"line{job.index:04d}.{k}.wav") for k, chunk in enumerate(job.chunks())]
             for job in todo}  # fmt: skip
    try:
        todo[0].voice.synthesize([item for line_items in items.values() for item in line_items])
    except StageError:
        pass  # each piece is retried alone below, and that failure is reported
    for job in todo:
        pieces = []
        for item in items[job.index]:
            samples = load_clip(item.wav, sample_rate, item.text)
            pieces.append(samples if samples is not None else
                          retry_chunk(job, item.text, item.wav.with_suffix(".retry.wav"), sample_rate))  # fmt: skip
        audio[job.index] = join_chunks(pieces, sample_rate)
        cache.put(job, sample_rate, audio[job.index])
    return audio


def line_jobs(story: Story, voices: dict[str, Voice]) -> list[LineJob]:
    language = story.request.language
    jobs = []
    for scene_index, scene in enumerate(story.scenes):
        for line_index, line in enumerate(scene.lines):
            voice = voices.get(line.speaker, voices["narrator"])
            jobs.append(LineJob(len(jobs), scene_index, line_index, line.speaker, line.text, language, voice))
    for job in jobs:
        if not speakable(job.text, language):
            raise StageError(STAGE, f"{job.where()} has nothing to read aloud: {job.text!r}")
    return jobs


def batches(jobs: Sequence[LineJob], workers: int) -> Iterator[list[LineJob]]:
    """Lines grouped by voice, in batches small enough that every worker gets some and progress moves."""
    by_voice: dict[Voice, list[LineJob]] = {}
    for job in jobs:
        by_voice.setdefault(job.voice, []).append(job)
    for group in by_voice.values():
        size = max(1, min(group[0].voice.batch_size, -(-len(group) // (2 * workers))))
        for start in range(0, len(group), size):
            yield group[start : start + size]


def assemble_track(jobs: Sequence[LineJob], audio: dict[int, np.ndarray],
                   sample_rate: int) -> tuple[np.ndarray, list[Clip]]:
    """All clips in story order with pauses; positions are counted in samples so the timings are exact."""
    pieces = [np.zeros(round(LEAD_IN_SECONDS * sample_rate), dtype=np.float32)]
    position = pieces[0].size
    clips = []
    for previous, job in zip([None, *jobs], jobs):
        if previous is not None:
            pause = SCENE_PAUSE_SECONDS if job.scene != previous.scene else LINE_PAUSE_SECONDS
            pieces.append(np.zeros(round(pause * sample_rate), dtype=np.float32))
            position += pieces[-1].size
        samples = audio[job.index].astype(np.float32)
        clips.append(Clip(scene=job.scene, line=job.line, speaker=job.speaker, voice=job.voice.name, text=job.text,
                          start=position / sample_rate, duration=samples.size / sample_rate))
        pieces.append(samples)
        position += samples.size
    pieces.append(np.zeros(round(TAIL_SECONDS * sample_rate), dtype=np.float32))
    return np.concatenate(pieces), clips


# --- the narrator --------------------------------------------------------------------------------------


class VoiceNarrator(ABC):
    """Reads a story with the voices its `cast` gives, lines in parallel on a small thread pool (the
    engines are subprocesses or release the GIL), each line's clip cached. Each engine's narrator says
    only how it casts."""

    def __init__(self, sample_rate: int, workers: int, cache: LineCache):
        self.sample_rate = sample_rate
        self.workers = workers
        self.cache = cache

    @abstractmethod
    def cast(self, story: Story, seed: int) -> dict[str, Voice]:
        """speaker id → voice, for the narrator and every character; the same for the same seed."""

    def narrate(self, story: Story, out_dir: Path, seed: int, progress: Progress = no_progress) -> Narration:
        jobs = line_jobs(story, self.cast(story, seed))
        if not jobs:
            raise StageError(STAGE, "the story has no lines to read")
        progress(STAGE, 0.0)
        out_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="narrate.", dir=out_dir) as work:
            audio = self.read_all(jobs, Path(work), progress)
        samples, clips = assemble_track(jobs, audio, self.sample_rate)
        path = write_wav(out_dir / "narration.wav", samples, self.sample_rate)
        progress(STAGE, 1.0)
        return Narration(audio=path, sample_rate=self.sample_rate, duration=samples.size / self.sample_rate,
                         clips=tuple(clips))

    def read_all(self, jobs: list[LineJob], work: Path, progress: Progress) -> dict[int, np.ndarray]:
        audio: dict[int, np.ndarray] = {}
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="narrate") as pool:
            futures: list[Future[dict[int, np.ndarray]]] = [
                pool.submit(read_batch, batch, work, self.sample_rate, self.cache)
                for batch in batches(jobs, self.workers)
            ]
            try:
                for future in as_completed(futures):
                    audio.update(future.result())
                    progress(STAGE, 0.99 * len(audio) / len(jobs))
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
        return audio
