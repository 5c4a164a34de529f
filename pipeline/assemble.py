"""Assemble stage: pictures, narration and music into an mp4 (H.264 + AAC) — a title card, every shot moving
with parallax between the picture's layers, transitions on the music's phrases, subtitles, an end card.

The frames are drawn with OpenCV (sub-pixel warps of premultiplied planes) and streamed as raw yuv420p into
ffmpeg, which burns the subtitles in with libass and encodes while the next frames are drawn."""
from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np
import pretty_midi

from pipeline.types import Illustration, Narration, Score, Story, Video
from pipeline.video.cards import end_card, title_card
from pipeline.video.frames import Plane, draw_shot, illustration_planes
from pipeline.video.motion import Move, move_for
from pipeline.video.output import Encoding, encode_command, fit_size, make_thumbnail, stream_frames
from pipeline.video.sound import mix, normalise
from pipeline.video.subtitles import subtitle_chunks, write_subtitles

__all__ = ["TAIL_SECONDS", "TITLE_SECONDS", "END_SECONDS", "Assembler", "FfmpegAssembler", "Shot", "make_assembler",
           "plan_shots", "video_seconds", "subtitle_chunks", "write_subtitles"]  # fmt: skip

TITLE_SECONDS = 3.5  # the title card, before the first word
TAIL_SECONDS = 1.5  # the last picture and the music linger after the last word
END_SECONDS = 3.0  # the end card
DIP_SECONDS = 1.0  # to black and back, between scenes in different places and around the cards
MAX_SHOT_SECONDS = 10.0  # a longer scene is cut into shots (new framings of its picture) at its lines
MIN_SHOT_SECONDS = 4.0
BEAT_REACH = 0.25  # a transition may move this far beyond the pause between lines to land on the music


class Assembler(Protocol):
    def assemble(
        self,
        story: Story,
        narration: Narration,
        score: Score,
        illustrations: list[Illustration],
        out: Path,
        work_dir: Path,
    ) -> Video: ...


def video_seconds(narration: Narration) -> float:
    """The whole video: title card, narration, the lingering tail, end card (the music should last this long)."""
    return TITLE_SECONDS + narration.duration + TAIL_SECONDS + END_SECONDS


@dataclass(frozen=True)
class Shot:
    """`picture` indexes the plane sets (0 = title card, 1.. = scenes' pictures, last = end card). The shot
    overlaps the previous one by `blend` seconds from `start`: a crossfade, or a dip through black."""

    picture: int
    start: float
    end: float
    move: Move
    blend: float = 0.0
    dip: bool = False


@dataclass(frozen=True)
class Cut:
    time: float  # the middle of the transition
    dip: bool
    scene: int  # the scene whose picture comes after it


def phrase_times(score: Score) -> tuple[list[float], list[float]]:
    """(phrase starts, bar starts) of the music in seconds; empty when its MIDI cannot be read."""
    try:
        downbeats = [float(t) for t in pretty_midi.PrettyMIDI(str(score.midi)).get_downbeats()]
    except Exception:  # a missing or unreadable MIDI file only means no beat to snap to
        return [], []
    return downbeats[::4], downbeats


def _snap(default: float, low: float, high: float, beats: tuple[list[float], list[float]]) -> float:
    """The phrase start (else bar start) in [low, high] nearest to `default`; else `default`."""
    for times in beats:
        inside = [t for t in times if low <= t <= high]
        if inside:
            return min(inside, key=lambda t: abs(t - default))
    return default


def _scene_cuts(story: Story, narration: Narration, beats: tuple[list[float], list[float]]) -> list[Cut]:
    """Cuts inside the narration: between scenes, and within long scenes at a pause between lines."""
    offset = TITLE_SECONDS
    cuts: list[Cut] = []
    clips = list(narration.clips)
    for previous, clip in zip(clips, clips[1:]):
        pause_start, pause_end = offset + previous.start + previous.duration, offset + clip.start
        default = max((pause_start + pause_end) / 2, pause_end - 0.4)
        if clip.scene != previous.scene:
            time = _snap(default, pause_start - BEAT_REACH, pause_end + BEAT_REACH, beats)
            changes_place = story.scenes[clip.scene].setting != story.scenes[previous.scene].setting
            cuts.append(Cut(time, dip=changes_place, scene=clip.scene))
            continue
        scene_end = offset + narration.scene_span(clip.scene)[1]
        shot_start = cuts[-1].time if cuts else offset
        scene_start = offset + narration.scene_span(clip.scene)[0]
        shots_wanted = math.ceil((scene_end - scene_start) / MAX_SHOT_SECONDS)
        long_enough = default - shot_start >= max(MIN_SHOT_SECONDS, (scene_end - scene_start) / shots_wanted * 0.8)
        if shots_wanted > 1 and long_enough and scene_end - default >= MIN_SHOT_SECONDS:
            cuts.append(Cut(_snap(default, pause_start, pause_end, beats), dip=False, scene=clip.scene))
    return cuts


def plan_shots(story: Story, narration: Narration, score: Score, crossfade: float) -> list[Shot]:
    """Title card, a shot per scene (or several for a long one) following the narration, end card."""
    beats = phrase_times(score)
    total = video_seconds(narration)
    story_end = TITLE_SECONDS + narration.duration + TAIL_SECONDS
    first_scene = narration.clips[0].scene
    cuts = [Cut(TITLE_SECONDS, True, first_scene), *_scene_cuts(story, narration, beats), Cut(story_end, True, -1)]
    shots = []
    for index in range(len(cuts) + 1):
        before = cuts[index - 1] if index else None
        after = cuts[index] if index < len(cuts) else None
        picture = 0 if before is None else (len(story.scenes) + 1 if after is None else before.scene + 1)
        blend = 0.0 if before is None else (DIP_SECONDS if before.dip else crossfade)
        after_blend = 0.0 if after is None else (DIP_SECONDS if after.dip else crossfade)
        start = 0.0 if before is None else before.time - blend / 2
        end = total if after is None else after.time + after_blend / 2
        shots.append(Shot(picture, start, end, move_for(index), blend, before is not None and before.dip))
    return shots


def _faded(frame: np.ndarray, level: float) -> np.ndarray:
    return cv2.convertScaleAbs(frame, alpha=max(0.0, min(1.0, level)))


PlaneSource = Callable[[], list[Plane]]  # draws or loads a picture's planes when its first shot starts


def scene_pictures(story: Story, illustrations: list[Illustration]) -> list[Illustration]:
    """The picture of each scene (a scene without one keeps the nearest earlier picture)."""
    by_scene = {ill.scene: ill for ill in illustrations}
    return [by_scene.get(k) or illustrations[min(k, len(illustrations) - 1)] for k in range(len(story.scenes))]


class ShotFrames:
    """Frames of the planned shots, planes loaded when a shot starts and dropped when it ends."""

    def __init__(self, shots: list[Shot], pictures: list[PlaneSource], size: tuple[int, int], fps: int, total: float):
        self.shots, self.pictures, self.size, self.fps, self.total = shots, pictures, size, fps, total
        self.loaded: dict[int, list[Plane]] = {}

    def planes(self, picture: int) -> list[Plane]:
        if picture not in self.loaded:
            self.loaded[picture] = self.pictures[picture]()
        return self.loaded[picture]

    def shot_frame(self, shot: Shot, t: float) -> np.ndarray:
        progress = (t - shot.start) / max(1e-6, shot.end - shot.start)
        return draw_shot(self.planes(shot.picture), shot.move, progress, self.size)

    def frame(self, t: float) -> np.ndarray:
        active = [shot for shot in self.shots if shot.start <= t < shot.end] or [self.shots[-1]]
        if len(active) == 1:
            return self.shot_frame(active[0], t)
        leaving, coming = active[0], active[-1]
        mixed = (t - coming.start) / max(1e-6, leaving.end - coming.start)
        if coming.dip:
            if mixed < 0.5:
                return _faded(self.shot_frame(leaving, t), 1.0 - 2.0 * mixed)
            return _faded(self.shot_frame(coming, t), 2.0 * mixed - 1.0)
        return cv2.addWeighted(self.shot_frame(leaving, t), 1.0 - mixed, self.shot_frame(coming, t), mixed, 0.0)

    def __iter__(self) -> Iterator[np.ndarray]:
        for index in range(int(round(self.total * self.fps))):
            t = index / self.fps
            for picture in [p for p in self.loaded if all(s.end <= t for s in self.shots if s.picture == p)]:
                del self.loaded[picture]  # no later shot uses these planes
            yield self.frame(t)


class FfmpegAssembler:
    """OpenCV draws the moving layers, ffmpeg burns in the subtitles (libass) and encodes (x264, AAC)."""

    def __init__(
        self,
        fps: int = 25,
        crf: int = 23,
        preset: str = "veryfast",
        crossfade: float = 0.8,
        music_volume: float = 0.35,
        tune: str = "animation",
        duck_db: float = 9.0,
        loudness_lufs: float = -16.0,
        true_peak_db: float = -1.5,
        soft_subtitles: bool = False,
        upload_limit_mb: float = 50.0,
        split_oversize: bool = False,
    ):
        self.encoding = Encoding(fps=fps, crf=crf, preset=preset, tune=tune, soft_subtitles=soft_subtitles)
        self.crossfade = crossfade
        self.music_volume = music_volume
        self.duck_db = duck_db
        self.loudness_lufs = loudness_lufs
        self.true_peak_db = true_peak_db
        self.upload_limit_bytes = int(upload_limit_mb * 1_000_000)
        self.split_oversize = split_oversize

    def soundtrack(self, narration: Narration, score: Score, work_dir: Path) -> Path:
        total = video_seconds(narration)
        mixed = mix(narration, score, TITLE_SECONDS, total, self.music_volume, self.duck_db, work_dir / "mix.wav")
        return normalise(mixed, work_dir / "soundtrack.wav", self.loudness_lufs, self.true_peak_db, 48000)

    def assemble(
        self,
        story: Story,
        narration: Narration,
        score: Score,
        illustrations: list[Illustration],
        out: Path,
        work_dir: Path,
    ) -> Video:
        size = (illustrations[0].width, illustrations[0].height)
        total = video_seconds(narration)
        audio = self.soundtrack(narration, score, work_dir)
        subtitles = write_subtitles(story, narration, size, work_dir / "subtitles.ass", offset=TITLE_SECONDS)
        scenes = [
            partial(illustration_planes, ill.image, ill.layers, size) for ill in scene_pictures(story, illustrations)
        ]
        pictures: list[PlaneSource] = [partial(title_card, story, size), *scenes, partial(end_card, story, size)]
        shots = plan_shots(story, narration, score, self.crossfade)
        frames = ShotFrames(shots, pictures, size, self.encoding.fps, total)
        first_scene = shots[1]
        middle = frames.shot_frame(first_scene, (first_scene.start + first_scene.end) / 2)
        thumbnail = make_thumbnail(middle, out.with_suffix(".jpg"))
        stream_frames(encode_command(size, audio, subtitles, total, self.encoding, out), frames, cwd=work_dir)
        parts = fit_size(out, self.upload_limit_bytes, self.encoding, self.split_oversize)
        return Video(path=out, duration=total, width=size[0], height=size[1], thumbnail=thumbnail,
                     parts=tuple(parts) if len(parts) > 1 else ())  # fmt: skip


def make_assembler(name: str = "ffmpeg", **options: object) -> Assembler:
    if name == "ffmpeg":
        return FfmpegAssembler(**options)  # type: ignore[arg-type]
    raise ValueError(f"unknown assembler {name!r}")
