"""`digiteller render` as a user runs it, and the stage cache that makes "other music" cheap."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.render import Pipeline, parse_size
from pipeline.settings import PipelineSettings
from pipeline.types import Genre, Length, StageSeeds, StoryRequest
from tests.media_checks import assert_story_video, duration

CLI = [sys.executable, "-m", "workers.cli"]


def cli_env(cache: Path) -> dict[str, str]:
    return {**os.environ, "DIGITELLER_CACHE_DIR": str(cache)}


def entries(cache: Path, stage: str) -> set[str]:
    folder = cache / stage
    return {p.name for p in folder.iterdir() if not p.name.startswith(".")} if folder.exists() else set()


@pytest.mark.slow
def test_render_command_writes_a_story_video_and_music_alone_can_change(tmp_path):
    cache, out = tmp_path / "cache", tmp_path / "story.mp4"
    done = subprocess.run(
        [*CLI, "render", "Гарри Поттер", "ужасы", "--length", "short", "--size", "512x288", "-o", str(out)],
        env=cli_env(cache), capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == str(out.resolve()), "the command prints where the file is"
    length = assert_story_video(out, 512, 288, min_seconds=40)
    assert out.with_suffix(".jpg").exists()

    before = {stage: entries(cache, stage) for stage in ("write", "narrate", "compose", "illustrate", "upscale")}
    request = StoryRequest(title="Гарри Поттер", genre=Genre.horror, length=Length.short)
    other = tmp_path / "other_music.mp4"
    pipeline = Pipeline.from_settings(PipelineSettings(cache_dir=cache))
    pipeline.render(request, other, size=parse_size("512x288"), seeds=StageSeeds(voices=0, music=1, pictures=0))
    for stage in ("write", "narrate", "illustrate", "upscale"):
        assert entries(cache, stage) == before[stage], f"{stage} should come from the cache"
    assert len(entries(cache, "compose")) == len(before["compose"]) + 1
    assert abs(duration(other) - length) < 0.3


def test_render_command_refuses_an_unknown_genre_and_a_bad_size(tmp_path):
    for args, message in ((["Кот", "оперетта"], "Unknown genre"), (["Кот", "сказка", "--size", "big"], "size")):
        done = subprocess.run([*CLI, "render", *args, "-o", str(tmp_path / "x.mp4")], env=cli_env(tmp_path),
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 2 and message in done.stderr
        assert not (tmp_path / "x.mp4").exists()
