"""The assemble stage: streams, length, sound, subtitles on screen, crossfade timing, user text kept literal."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pipeline.assemble import TAIL_SECONDS, FfmpegAssembler, plan_shots, write_subtitles
from pipeline.media import write_wav
from pipeline.types import Character, Clip, Genre, Illustration, Line, Narration, Scene, Score, Story, StoryRequest
from tests.media_checks import assert_story_video, frame_at

SIZE = (320, 180)
RATE = 44100
LINE_SECONDS = 2.0
PAUSE = 0.5


def make_story(title: str = "Гарри Поттер") -> Story:
    scenes = tuple(
        Scene(
            setting="forest",
            lines=(
                Line(text=f"Сцена {s}: в лесу было тихо, и только ветер шумел в ветвях."),
                Line(text="Я никого не боюсь!", speaker="hero"),
            ),
        )
        for s in range(3)
    )
    hero = Character(id="hero", name="Гарри Поттер", gender="male", role="hero")
    return Story(request=StoryRequest(title=title, genre=Genre.horror), title=title, characters=(hero,), scenes=scenes)


def make_narration(story: Story, folder: Path) -> Narration:
    clips, start = [], 0.5
    for s, scene in enumerate(story.scenes):
        for i, line in enumerate(scene.lines):
            clips.append(Clip(scene=s, line=i, speaker=line.speaker, voice="tone", text=line.text, start=start,
                              duration=LINE_SECONDS))
            start += LINE_SECONDS + PAUSE
    t = np.arange(int(start * RATE)) / RATE
    speaking = np.zeros_like(t, dtype=bool)
    for clip in clips:
        speaking |= (t >= clip.start) & (t < clip.start + clip.duration)
    audio = write_wav(folder / "narration.wav", 0.3 * np.sin(2 * np.pi * 200 * t) * speaking, RATE)
    return Narration(audio=audio, sample_rate=RATE, duration=start, clips=tuple(clips))


def make_score(duration: float, folder: Path) -> Score:
    t = np.arange(int(duration * RATE)) / RATE
    audio = write_wav(folder / "music.wav", 0.2 * np.sin(2 * np.pi * 330 * t), RATE)
    return Score(midi=folder / "none.mid", audio=audio, duration=duration, mood="test")


def make_pictures(count: int, folder: Path) -> list[Illustration]:
    pictures = []
    for index in range(count):
        path = folder / f"scene_{index}.png"
        Image.new("RGB", SIZE, (20 + 40 * index, 30, 60)).save(path)
        pictures.append(Illustration(scene=index, image=path, width=SIZE[0], height=SIZE[1]))
    return pictures


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Story, Narration]:
    folder = tmp_path_factory.mktemp("assemble")
    story = make_story()
    narration = make_narration(story, folder)
    score = make_score(narration.duration + TAIL_SECONDS, folder)
    video = FfmpegAssembler(crossfade=0.6).assemble(
        story, narration, score, make_pictures(3, folder), folder / "story.mp4", folder
    )
    assert video.thumbnail.exists() and max(Image.open(video.thumbnail).size) <= 320
    return video.path, story, narration


def test_video_has_the_streams_length_and_sound_asked_for(rendered):
    path, _, narration = rendered
    length = assert_story_video(path, *SIZE, min_seconds=narration.duration)
    assert abs(length - (narration.duration + TAIL_SECONDS)) < 0.3


def _subtitle_band(path: Path, seconds: float) -> np.ndarray:
    frame = np.asarray(frame_at(path, seconds).convert("L"), dtype=np.float32)
    return frame[int(SIZE[1] * 0.7) :, :]


def test_subtitles_show_while_a_line_is_spoken_and_not_in_pauses(rendered):
    path, _, narration = rendered
    clip = narration.clips[3]
    during = _subtitle_band(path, clip.start + clip.duration / 2)
    pause = _subtitle_band(path, clip.start + clip.duration + PAUSE / 2)
    assert (during > 200).sum() > 50, "no bright subtitle text in the lower band mid-line"
    assert (pause > 200).sum() < (during > 200).sum() / 5


def test_each_scene_picture_is_on_screen_during_its_lines(rendered):
    path, _, narration = rendered
    for scene in range(3):
        start, end = narration.scene_span(scene)
        top = np.asarray(frame_at(path, (start + end) / 2))[: SIZE[1] // 3]
        assert abs(float(top[..., 0].mean()) - (20 + 40 * scene)) < 12


def test_shots_crossfade_around_each_scene_change(tmp_path):
    story = make_story()
    narration = make_narration(story, tmp_path)
    total = narration.duration + TAIL_SECONDS
    shots = plan_shots(make_pictures(3, tmp_path), narration, total, crossfade=0.8)
    assert shots[0].start == 0
    for index in (1, 2):
        change = narration.scene_span(index)[0]
        assert shots[index].start == pytest.approx(change - 0.4)
        assert shots[index - 1].start + shots[index - 1].duration == pytest.approx(change + 0.4)
    assert shots[-1].start + shots[-1].duration == pytest.approx(total)


def test_markup_in_titles_and_lines_is_shown_as_text(tmp_path):
    story = make_story(title="<b>Гарри</b> {\\i1}Поттер *жирный*")
    narration = make_narration(story, tmp_path)
    ass = write_subtitles(story, narration, SIZE, tmp_path / "subs.ass").read_text(encoding="utf-8")
    title_event = next(line for line in ass.splitlines() if ",Title," in line)
    assert "<b>Гарри</b>" in title_event and "*жирный*" in title_event
    assert "{\\i1}" not in ass, "a user's override tag reached libass"
