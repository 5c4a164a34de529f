"""The plan of shots: a title card, the scenes' pictures following the narration (a long scene cut into several
framings at its pauses), an end card; transitions on the music's phrases, crossfades within a place and dips
through black between places and around the cards."""
from __future__ import annotations

import math
from dataclasses import dataclass

import pretty_midi

from pipeline.assemble.motion import Move, move_for
from pipeline.types import Illustration, Narration, Score, Story

TITLE_SECONDS = 3.5  # the title card, before the first word
TAIL_SECONDS = 1.5  # the last picture and the music linger after the last word
END_SECONDS = 3.0  # the end card
DIP_SECONDS = 1.0  # to black and back, between scenes in different places and around the cards
MAX_SHOT_SECONDS = 10.0  # a longer scene is cut into shots (new framings of its picture) at its lines
MIN_SHOT_SECONDS = 4.0
BEAT_REACH = 0.25  # a transition may move this far beyond the pause between lines to land on the music


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


def scene_pictures(story: Story, illustrations: list[Illustration]) -> list[Illustration]:
    """The picture of each scene (a scene without one keeps the nearest earlier picture)."""
    by_scene = {ill.scene: ill for ill in illustrations}
    return [by_scene.get(k) or illustrations[min(k, len(illustrations) - 1)] for k in range(len(story.scenes))]
