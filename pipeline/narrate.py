"""Narrate stage: Story → Narration, one wav with every line read aloud and the real position of each line.

Offline default: festival with the festvox-ru voice reads the narrator's lines, espeak-ng voices
(chosen per character by gender and role) read the characters'. Voices are engine objects behind the
small `Voice` protocol, so other engines (Silero, Piper) can be cast the same way later.
"""
from __future__ import annotations

import random
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from pipeline.media import convert_audio, read_wav, rms_dbfs, run, write_wav
from pipeline.types import Character, Clip, Language, Narration, Progress, StageError, Story, no_progress

STAGE = "narrate"
LEAD_IN_SECONDS = 0.5
LINE_PAUSE_SECONDS = 0.35
SCENE_PAUSE_SECONDS = 0.9
TAIL_SECONDS = 0.5
TARGET_DBFS = -20.0  # every clip is brought to this RMS so the voices match
PEAK_LIMIT = 0.97
SILENT_DBFS = -45.0  # a clip quieter than this is treated as "the engine produced nothing"
MIN_CLIP_SECONDS = 0.1
MAX_LETTERS_PER_SECOND = 40.0  # faster than this means the engine dropped part of the text (speech is ~15)
TRIM_BELOW_PEAK_DB = 35.0  # edge samples this far below the clip's peak count as silence
TRIM_MARGIN_SECONDS = 0.05
DEFAULT_WORKERS = 2

FESTIVAL_VOICES_DIR = Path("/usr/share/festival/voices")
FESTIVAL_LANGUAGE_DIRS: dict[Language, str] = {"ru": "russian", "en": "english"}
FESTIVAL_PREFERRED: dict[Language, tuple[str, ...]] = {
    "ru": ("msu_ru_nsh_clunits",),
    "en": ("cmu_us_slt_arctic_hts", "cmu_us_awb_cg", "rab_diphone", "kal_diphone", "ked_diphone"),
}


# --- voices -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SynthItem:
    text: str  # already made speakable
    wav: Path  # where the engine writes its raw output


class Voice(Protocol):
    """One speaking voice of one engine. `synthesize` writes each item's wav; it may leave a wav
    missing or empty when the engine silently fails, the caller checks and retries."""

    @property
    def name(self) -> str: ...

    @property
    def batch_size(self) -> int: ...

    def synthesize(self, items: Sequence[SynthItem]) -> None: ...


def scheme_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# Festival loads a voice in ~1.5 s, longer than it takes to read a line, so one process reads a batch.
# unwind-protect keeps a line that festival cannot read from stopping the rest of the batch, and drops
# what it read of that line before the error, so a failure is an empty wav, never a cut-off one.
FESTIVAL_BATCH_PRELUDE = """
(define (dt_collect utt) (set! dt_waves (cons (utt.wave utt) dt_waves)) utt)
(define (dt_join waves)
  (let ((whole (car waves)))
    (mapcar (lambda (w) (wave.append whole w)) (cdr waves))
    whole))
(define (dt_synth infile outfile)
  (set! dt_waves nil)
  (set! tts_hooks (list utt.synth dt_collect))
  (unwind-protect (tts_file infile nil) (set! dt_waves nil))
  (if dt_waves (wave.save (dt_join (reverse dt_waves)) outfile 'riff)))
"""


@dataclass(frozen=True)
class FestivalVoice:
    voice: str = "msu_ru_nsh_clunits"
    binary: str = "festival"

    @property
    def name(self) -> str:
        return f"festival:{self.voice}"

    @property
    def batch_size(self) -> int:
        return 6

    def synthesize(self, items: Sequence[SynthItem]) -> None:
        calls = []
        for item in items:
            text_file = item.wav.with_suffix(".txt")
            text_file.write_text(item.text + "\n", encoding="utf-8")
            calls.append(f"(dt_synth {scheme_string(str(text_file))} {scheme_string(str(item.wav))})")
        script = items[0].wav.with_suffix(".scm")
        script.write_text(f"(voice_{self.voice})\n{FESTIVAL_BATCH_PRELUDE}\n" + "\n".join(calls) + "\n")
        run([self.binary, "-b", str(script)], stage=STAGE, timeout=60 + 30 * len(items))


@dataclass(frozen=True)
class EspeakVoice:
    voice: str  # language + variant, e.g. "ru+f2"
    pitch: int = 50  # 0..99, espeak's default 50
    speed: int = 165  # words per minute
    binary: str = "espeak-ng"

    @property
    def name(self) -> str:
        return f"espeak:{self.voice}"

    @property
    def batch_size(self) -> int:
        return 8

    def synthesize(self, items: Sequence[SynthItem]) -> None:
        for item in items:
            text_file = item.wav.with_suffix(".txt")
            text_file.write_text(item.text.replace("+", "") + "\n", encoding="utf-8")
            run(
                [self.binary, "-v", self.voice, "-p", str(self.pitch), "-s", str(self.speed),
                 "-f", str(text_file), "-w", str(item.wav)],
                stage=STAGE,
                timeout=120,
            )  # fmt: skip


# --- casting ----------------------------------------------------------------------------------------

ESPEAK_VARIANTS: dict[str, tuple[str, ...]] = {
    "male": ("m1", "m2", "m3", "m4", "m5", "m6", "m7"),
    "female": ("f1", "f2", "f3", "f4", "f5"),
    "neutral": ("klatt", "m7", "f4"),
}
# (pitch, speed) per role: villains speak lower and slower, helpers brighter and quicker.
ROLE_DELIVERY: dict[str, tuple[int, int]] = {
    "villain": (30, 150),
    "hero": (52, 165),
    "helper": (58, 170),
    "donor": (44, 155),
    "other": (50, 165),
    "narrator": (48, 160),
}


def festival_voice(language: Language) -> FestivalVoice | None:
    """The best installed festival voice for the language, or None."""
    if shutil.which("festival") is None:
        return None
    folder = FESTIVAL_VOICES_DIR / FESTIVAL_LANGUAGE_DIRS[language]
    installed = sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []
    preferred = [v for v in FESTIVAL_PREFERRED[language] if v in installed]
    choice = (preferred or installed or [None])[0]
    return FestivalVoice(choice) if choice else None


def narrator_voice(language: Language) -> Voice:
    return festival_voice(language) or EspeakVoice(f"{language}+m1", pitch=42, speed=150)


def character_voice(character: Character, language: Language, rng: random.Random, taken: set[str]) -> EspeakVoice:
    """An espeak voice for the character; a variant no one else has yet, while there are any left."""
    pool = [f"{language}+{v}" for v in ESPEAK_VARIANTS[character.gender]]
    free = [v for v in pool if v not in taken] or pool
    voice = rng.choice(free)
    taken.add(voice)
    pitch, speed = ROLE_DELIVERY[character.role]
    return EspeakVoice(voice, pitch=min(99, max(0, pitch + rng.randint(-4, 4))), speed=speed + rng.randint(-8, 8))


def cast_voices(story: Story, seed: int) -> dict[str, Voice]:
    """speaker id → voice, fixed for the whole story; the seed reshuffles the characters' voices."""
    language = story.request.language
    narrator = narrator_voice(language)
    voices: dict[str, Voice] = {"narrator": narrator}
    rng = random.Random(f"voices:{seed}")
    taken = {narrator.voice} if isinstance(narrator, EspeakVoice) else set()
    for character in story.characters:
        if character.role == "narrator":
            voices[character.id] = narrator
        else:
            voices[character.id] = character_voice(character, language, rng, taken)
    return voices


# --- making text speakable --------------------------------------------------------------------------

WORDS: dict[Language, dict[str, str]] = {
    "ru": {"№": " номер ", "&": " и ", "%": " процентов"},
    "en": {"№": " number ", "&": " and ", "%": " percent"},
}
QUOTES = "«»„“”‟‹›\"`´"
BRACKETS = "()[]{}<>"


def percent_word(number: str, language: Language) -> str:
    if language == "en":
        return "percent"
    n = int(number[-2:]) if number.isdigit() else 5
    if n % 10 == 1 and n != 11:
        return "процент"
    if 2 <= n % 10 <= 4 and not 12 <= n <= 14:
        return "процента"
    return "процентов"


def keep_char(char: str) -> str:
    """Cyrillic, ASCII and a few marks stay; accented Latin letters lose their accents; the rest is a space."""
    if char.isascii() or "\u0400" <= char <= "\u04ff":
        return char
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if c.isascii() and c.isalpha())
    return base or " "


def tidy_punctuation(text: str) -> str:
    """Punctuation glued to the word before it, no runs of commas: festival reads nothing when a
    mark stands alone between spaces."""
    text = re.sub(r"\s+([.,!?:;])", r"\1", text)
    text = re.sub(r"([,;:!?])(?=[^\W\d_])", r"\1 ", text)  # festival fails on "иди,если"
    text = re.sub(r"[,;:]+(?=[.!?])", "", text)
    text = re.sub(r"([.!?])[,;:]+", r"\1", text)
    text = re.sub(r"([,;:])[,;:]+", r"\1", text)
    text = re.sub(r"^[\s.,!?:;]+", "", text)
    return re.sub(r"\s+", " ", text).strip()


def speakable(text: str, language: Language, strict: bool = False) -> str:
    """Text the engines read: festival writes an empty wav for « » — – … % № and other marks.

    `strict` keeps only letters, digits, spaces and . , (the retry after an engine read nothing).
    """
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"(\d+)\s*%", lambda m: f"{m.group(1)} {percent_word(m.group(1), language)}", text)
    for mark, word in WORDS[language].items():
        text = text.replace(mark, word)
    text = text.replace("…", "...")
    text = re.sub(r"(\d)\s*[–—]\s*(\d)", r"\1-\2", text)
    text = re.sub(r"[–—]", ",", text)
    text = re.sub(r"(?<=\w)’(?=\w)", "'", text)
    text = re.sub(f"[{re.escape(QUOTES)}’‘]|(?<!\\w)'|'(?!\\w)", " ", text)
    text = re.sub(f"[{re.escape(BRACKETS)}]", ",", text)
    text = "".join(keep_char(c) for c in text)
    text = re.sub(r"[^\w\s.,!?:;+'-]|_", " ", text)
    text = re.sub(r"(?<!\w)[-+]|[-+](?!\w)", " ", text)
    if strict:
        text = re.sub(r"[!?]", ".", text)
        text = re.sub(r"[:;]", ",", text)
        text = re.sub(r"[+'-]", " ", text)
    return tidy_punctuation(text)


# --- clips ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineJob:
    index: int  # position among all the story's lines
    scene: int
    line: int
    speaker: str
    text: str  # as written (subtitles show it)
    voice: Voice

    def where(self) -> str:
        return f"scene {self.scene + 1}, line {self.line + 1}"


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
    """The engine's output at our rate, trimmed and normalised; None when it is empty, silent or cut short."""
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
    return normalise(samples)


def read_alone(job: LineJob, work: Path, sample_rate: int, language: Language) -> np.ndarray:
    """Second try for one line, with the plainest text; a second failure is the user's error message."""
    text = speakable(job.text, language, strict=True)
    if text:
        raw = work / f"line{job.index:04d}.retry.wav"
        job.voice.synthesize([SynthItem(text, raw)])
        if (samples := load_clip(raw, sample_rate, text)) is not None:
            return samples
    raise StageError(STAGE, f"{job.voice.name} produced no audio for {job.where()}: {job.text!r}")


def read_batch(jobs: Sequence[LineJob], work: Path, sample_rate: int, language: Language) -> dict[int, np.ndarray]:
    """Audio of several lines of one voice: one engine call, then a retry per line that came out empty."""
    items = [SynthItem(speakable(job.text, language), work / f"line{job.index:04d}.wav") for job in jobs]
    try:
        jobs[0].voice.synthesize(items)
    except StageError:
        pass  # each line is retried alone below, and that failure is reported
    audio = {}
    for job, item in zip(jobs, items):
        samples = load_clip(item.wav, sample_rate, item.text)
        audio[job.index] = samples if samples is not None else read_alone(job, work, sample_rate, language)
    return audio


def line_jobs(story: Story, voices: dict[str, Voice]) -> list[LineJob]:
    jobs = []
    for scene_index, scene in enumerate(story.scenes):
        for line_index, line in enumerate(scene.lines):
            voice = voices.get(line.speaker, voices["narrator"])
            jobs.append(LineJob(len(jobs), scene_index, line_index, line.speaker, line.text, voice))
    for job in jobs:
        if not speakable(job.text, story.request.language):
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


# --- the stage --------------------------------------------------------------------------------------


class Narrator(Protocol):
    def narrate(self, story: Story, out_dir: Path, seed: int, progress: Progress = no_progress) -> Narration: ...


class FestivalEspeakNarrator:
    """festival (festvox-ru) for the narrator, espeak-ng voices for the characters, lines read in parallel."""

    def __init__(self, sample_rate: int = 44100, workers: int = DEFAULT_WORKERS):
        self.sample_rate = sample_rate
        self.workers = workers

    def narrate(self, story: Story, out_dir: Path, seed: int, progress: Progress = no_progress) -> Narration:
        jobs = line_jobs(story, cast_voices(story, seed))
        if not jobs:
            raise StageError(STAGE, "the story has no lines to read")
        progress(STAGE, 0.0)
        out_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="narrate.", dir=out_dir) as work:
            audio = self.read_all(jobs, Path(work), story.request.language, progress)
        samples, clips = assemble_track(jobs, audio, self.sample_rate)
        path = write_wav(out_dir / "narration.wav", samples, self.sample_rate)
        progress(STAGE, 1.0)
        return Narration(audio=path, sample_rate=self.sample_rate, duration=samples.size / self.sample_rate,
                         clips=tuple(clips))

    def read_all(self, jobs: list[LineJob], work: Path, language: Language,
                 progress: Progress) -> dict[int, np.ndarray]:
        audio: dict[int, np.ndarray] = {}
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="narrate") as pool:
            futures: list[Future[dict[int, np.ndarray]]] = [
                pool.submit(read_batch, batch, work, self.sample_rate, language)
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


def make_narrator(name: str = "festival", sample_rate: int = 44100) -> Narrator:
    if name == "festival":
        return FestivalEspeakNarrator(sample_rate=sample_rate)
    raise ValueError(f"unknown narrator {name!r}; known: festival")
