"""The reading machinery every narrator shares, whatever its engine: a story's lines become jobs for the
voices its `cast` gives, read in batches per voice on a small thread pool, each line spelled out,
stressed, cut into sentences (and long sentences into pieces the engine can take), checked for sound
(retried once with plainer text, else the stage fails with the line named), trimmed and brought to one
loudness, cached per line and voice, and laid end to end into one wav with the real position of each line.

Pauses are ours, not the engines' (which differ: festival pauses 0.1-0.5 s at random after a sentence):
each piece is trimmed, and the silence after it follows its last mark, comma < semicolon or colon <
sentence end < ellipsis; between lines a sentence's pause, longer when another speaker takes over, and
longest between scenes.
"""
from __future__ import annotations

import hashlib
import re
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline.media import convert_audio, read_wav, rms_dbfs, submit_here, write_wav
from pipeline.narrate.stress import accent
from pipeline.narrate.text import sentences, speakable, spell_out, split_long
from pipeline.narrate.voice import STAGE, SynthItem, Voice
from pipeline.types import Clip, Language, Narration, Progress, StageError, Story, no_progress

LEAD_IN_SECONDS = 0.5
# Silence after a piece of a line by the mark it ends with (a piece is a sentence, or part of a long one).
PAUSE_AFTER_MARK: dict[str, float] = {",": 0.12, ";": 0.22, ":": 0.22, ".": 0.32, "!": 0.32, "?": 0.36, "...": 0.55}
WORD_PAUSE_SECONDS = 0.04  # a long sentence cut between words
LINE_PAUSE_SECONDS = 0.45  # after a line that ends a sentence, the same speaker going on
SPEAKER_CHANGE_SECONDS = 0.25  # added when another speaker takes over
SCENE_PAUSE_SECONDS = 1.2  # a new scene (a new picture) is a new paragraph
TAIL_SECONDS = 0.5
TARGET_DBFS = -20.0  # every clip is brought to this RMS so the voices match
PEAK_LIMIT = 0.97
SILENT_DBFS = -45.0  # a clip quieter than this is treated as "the engine produced nothing"
MIN_CLIP_SECONDS = 0.1
MAX_LETTERS_PER_SECOND = 40.0  # faster than this means the engine dropped part of the text (speech is ~15)
# Edge 10 ms frames this far below the loudest frame count as silence. Word ends fade slowly (a final
# "с", "ть", an unvoiced "t" lie 35-50 dB under the vowels), so the threshold is low and the tail margin long.
TRIM_BELOW_PEAK_DB = 50.0
TRIM_FRAME_SECONDS = 0.01
TRIM_LEAD_SECONDS = 0.03
TRIM_TAIL_SECONDS = 0.1
FADE_SECONDS = 0.008  # the cut edges fade in and out, so no click

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
        """What the engine reads: spelled out, stressed, cleaned, cut into sentences and those into
        pieces it can take."""
        text = speakable(accent(spell_out(self.text, self.language), self.language), self.language)
        return [piece for sentence in sentences(text) for piece in split_long(sentence)]


def end_mark(text: str) -> str:
    """The last punctuation mark of a text, past closing quotes and dashes ("..." for an ellipsis), or ""."""
    found = re.search(r"(\.\.\.|…|[.!?;:,])[^\w.!?;:,…]*$", text)
    if found is None:
        return ""
    return "..." if found.group(1) in ("...", "…") else found.group(1)


def pause_after(piece: str) -> float:
    """Silence after a piece of a line, by the mark it ends with."""
    return PAUSE_AFTER_MARK.get(end_mark(piece), WORD_PAUSE_SECONDS)


def line_gap(text_before: str, same_speaker: bool, same_scene: bool) -> float:
    """Silence between two lines: a scene's pause, else a sentence's (an ellipsis's when the line trails
    off) plus a breath when another speaker takes over."""
    if not same_scene:
        return SCENE_PAUSE_SECONDS
    trailing = PAUSE_AFTER_MARK["..."] - PAUSE_AFTER_MARK["."] if end_mark(text_before) == "..." else 0.0
    return LINE_PAUSE_SECONDS + trailing + (0.0 if same_speaker else SPEAKER_CHANGE_SECONDS)


def speech_bounds(samples: np.ndarray, sample_rate: int) -> tuple[int, int]:
    """(first, past-last) sample of the speech in a clip: the silence at its edges judged on 10 ms frames,
    with a short lead and a generous tail margin."""
    frame = max(1, round(TRIM_FRAME_SECONDS * sample_rate))
    count = max(1, samples.size // frame)
    frames = np.resize(samples.astype(np.float64), count * frame).reshape(count, frame)
    level = np.sqrt(np.mean(frames**2, axis=1))
    loud = np.flatnonzero(level > float(level.max()) * 10 ** (-TRIM_BELOW_PEAK_DB / 20))
    start = max(0, int(loud[0]) * frame - round(TRIM_LEAD_SECONDS * sample_rate))
    end = min(samples.size, (int(loud[-1]) + 1) * frame + round(TRIM_TAIL_SECONDS * sample_rate))
    return start, end


def trim_silence(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """The clip without the silence at its edges (`speech_bounds`), with short fades at the cuts."""
    start, end = speech_bounds(samples, sample_rate)
    trimmed = samples[start:end].astype(np.float32)
    fade = min(round(FADE_SECONDS * sample_rate), trimmed.size // 2)
    if fade:
        ramp = np.linspace(0.0, 1.0, fade, dtype=np.float32)
        trimmed[:fade] *= ramp
        trimmed[-fade:] *= ramp[::-1]
    return trimmed


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


def join_chunks(pieces: Sequence[np.ndarray], texts: Sequence[str], sample_rate: int) -> np.ndarray:
    """A line's pieces end to end, each followed by the pause its last mark asks for, at one loudness."""
    joined = [pieces[0].astype(np.float32)]
    for before, piece in zip(texts, pieces[1:]):
        joined += [np.zeros(round(pause_after(before) * sample_rate), dtype=np.float32), piece.astype(np.float32)]
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
        audio[job.index] = join_chunks(pieces, [item.text for item in items[job.index]], sample_rate)
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
            pause = line_gap(previous.text, job.speaker == previous.speaker, job.scene == previous.scene)
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
                submit_here(pool, read_batch, batch, work, self.sample_rate, self.cache)
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
