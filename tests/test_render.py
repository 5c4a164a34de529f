"""`digiteller render` as a user runs it, and the stage cache that makes "other music" cheap."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.render import Pipeline, parse_size
from pipeline.settings import PipelineSettings
from pipeline.types import Genre, Length, StageSeeds, Story, StoryRequest
from tests.media_checks import assert_story_video, duration

CLI = [sys.executable, "-m", "app.cli"]


def cli_env(cache: Path) -> dict[str, str]:
    return {**os.environ, "DIGITELLER_CACHE_DIR": str(cache)}


def entries(cache: Path, stage: str) -> set[str]:
    folder = cache / stage
    return {p.name for p in folder.iterdir() if not p.name.startswith(".")} if folder.exists() else set()


@pytest.mark.slow
def test_render_command_writes_a_story_video_and_music_alone_can_change(tmp_path):
    cache, out, kept = tmp_path / "cache", tmp_path / "story.mp4", tmp_path / "kept"
    done = subprocess.run(
        [*CLI, "render", "Гарри Поттер", "ужасы", "--length", "short", "--size", "512x288", "-o", str(out),
         "--keep", str(kept)],
        env=cli_env(cache), capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == str(out.resolve()), "the command prints where the file is"
    length = assert_story_video(out, 512, 288, min_seconds=40)
    assert out.with_suffix(".jpg").exists()
    assert_kept_every_stage(kept, length)

    before = {stage: entries(cache, stage) for stage in ("write", "narrate", "compose", "illustrate", "upscale")}
    request = StoryRequest(title="Гарри Поттер", genre=Genre.horror, length=Length.short)
    other = tmp_path / "other_music.mp4"
    pipeline = Pipeline.from_settings(PipelineSettings(cache_dir=cache))
    pipeline.render(request, other, size=parse_size("512x288"), seeds=StageSeeds(voices=0, music=1, pictures=0))
    for stage in ("write", "narrate", "illustrate", "upscale"):
        assert entries(cache, stage) == before[stage], f"{stage} should come from the cache"
    assert len(entries(cache, "compose")) == len(before["compose"]) + 1
    assert abs(duration(other) - length) < 0.3


def assert_kept_every_stage(kept: Path, video_seconds: float) -> None:
    """--keep DIR holds each stage's output under names a person understands, consistent with each other."""
    story = Story.model_validate_json((kept / "story.json").read_text())
    narration = json.loads((kept / "narration.json").read_text())
    spoken = [line.text for line in story.lines]
    assert [clip["text"] for clip in narration["clips"]] == spoken, "one clip per line, in order"
    assert {"scene", "line", "speaker", "voice", "start", "duration"} <= set(narration["clips"][0])
    assert abs(duration(kept / "narration.wav") - narration["duration"]) < 0.1
    assert duration(kept / "music.wav") >= video_seconds - 0.5 and (kept / "score.mid").stat().st_size > 100
    for number in range(1, len(story.scenes) + 1):
        assert (kept / f"scene-{number:02d}.png").stat().st_size > 1000
        drawn = json.loads((kept / f"scene-{number:02d}.json").read_text())["drawn"]
        assert drawn and all(item["what"] and item["why"] for item in drawn)
    cues = (kept / "subtitles.srt").read_text().strip().split("\n\n")
    assert len(cues) == len(spoken) and cues[0].startswith("1\n00:00:")
    assert (kept / "story.mp4").exists() and (kept / "story.jpg").exists()
    assert "drawn" in json.loads((kept / "title.json").read_text()), "what the title card shows, and why"


def test_story_command_prints_the_story_as_text_and_as_the_contract(tmp_path):
    args = [*CLI, "story", "Колобок", "сказка", "--length", "short", "--seed", "3"]
    text = subprocess.run(args, env=cli_env(tmp_path), capture_output=True, text=True, timeout=120, check=True)
    as_json = subprocess.run([*args, "--json"], env=cli_env(tmp_path), capture_output=True, text=True, timeout=120,
                             check=True)
    story = Story.model_validate_json(as_json.stdout)
    assert story.request.seed == 3 and story.title == "Колобок"
    assert text.stdout.startswith("Колобок\n")
    assert all(line.text in text.stdout for line in story.lines), "every line of the story is printed"
    assert text.stdout.count("[") == len(story.scenes)


def test_story_command_tells_an_english_title_in_english_unless_asked_otherwise(tmp_path):
    def story_for(*extra: str) -> Story:
        done = subprocess.run([*CLI, "story", "The Lost Lighthouse", "drama", "--length", "short", "--json", *extra],
                              env=cli_env(tmp_path), capture_output=True, text=True, timeout=120, check=True)
        return Story.model_validate_json(done.stdout)

    assert story_for().request.language == "en"
    assert story_for("--lang", "ru").request.language == "ru"


def test_render_command_refuses_an_unknown_genre_and_a_bad_size(tmp_path):
    for args, message in ((["Кот", "оперетта"], "Unknown genre"), (["Кот", "сказка", "--size", "big"], "size")):
        done = subprocess.run([*CLI, "render", *args, "-o", str(tmp_path / "x.mp4")], env=cli_env(tmp_path),
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 2 and message in done.stderr
        assert not (tmp_path / "x.mp4").exists()


def test_pictures_are_drawn_while_the_narration_is_made_and_stop_with_it(tmp_path):
    """Both cores work before the assemble: the side thread draws while festival speaks. A render cancelled during
    the narration stops the drawing too, and nothing of it runs on after the render has returned."""
    import threading
    import time

    from pipeline.media import Cancelled, cancellation

    pipeline = Pipeline.from_settings(PipelineSettings(cache_dir=tmp_path / "cache"))
    request = StoryRequest(title="Ночной поезд", genre=Genre.horror, length=Length.short)
    drawn_at: list[float] = []
    narrated: list[float] = []
    draw, narrate = pipeline.draw, pipeline.narrate

    def timed_draw(*args):
        drawn_at.append(time.monotonic())
        return draw(*args)

    def timed_narrate(*args):
        result = narrate(*args)
        narrated.append(time.monotonic())
        return result

    pipeline.draw, pipeline.narrate = timed_draw, timed_narrate
    pipeline.render(request, tmp_path / "story.mp4", size=(320, 180))
    assert len(drawn_at) == len(pipeline.write(request).scenes)
    assert drawn_at[1] < narrated[0], "the second picture was begun before the narration was finished"

    stop = threading.Event()
    threads = threading.active_count()

    def cancel_while_narrating(stage: str, fraction: float) -> None:
        if stage == "narrate":
            stop.set()

    drawn_at.clear()
    other = StoryRequest(title="Кот и маяк", genre=Genre.fairy_tale, length=Length.short)
    with cancellation(stop), pytest.raises(Cancelled):
        pipeline.render(other, tmp_path / "other.mp4", size=(320, 180), progress=cancel_while_narrating)
    assert threading.active_count() == threads, "the drawing thread ended with the render"
    assert len(drawn_at) < len(pipeline.write(other).scenes), "the drawing stopped at the cancel"
