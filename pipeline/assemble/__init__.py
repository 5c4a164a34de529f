"""Assemble: pictures, narration and music into an mp4 (H.264 + AAC) with a title card, moving shots,
transitions on the music, subtitles and an end card. The plan of shots and the video's length are in
pipeline.assemble.shots (TITLE_SECONDS, video_seconds)."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Protocol

from pipeline.settings import PipelineSettings, build_backend
from pipeline.types import Illustration, Narration, Score, Story, Video

CODE_VERSION = 3  # bump when a change to this stage's code changes what it outputs (it is in every cache key)


class Assembler(Protocol):
    def assemble(
        self,
        story: Story,
        narration: Narration,
        score: Score,
        illustrations: list[Illustration],
        out: Path,
        work_dir: Path,
        title_picture: Path | None = None,  # an RGBA PNG for the title card; None: the genre's motif
    ) -> Video: ...


def _ffmpeg(settings: PipelineSettings) -> Assembler:
    from pipeline.assemble.ffmpeg import FfmpegAssembler

    return FfmpegAssembler(
        fps=settings.fps,
        crf=settings.crf,
        preset=settings.x264_preset,
        tune=settings.x264_tune,
        x264_params=settings.x264_params,
        soft_subtitles=settings.soft_subtitles,
        crossfade=settings.crossfade_seconds,
        music_volume=settings.music_volume,
        duck_db=settings.music_duck_db,
        loudness_lufs=settings.loudness_lufs,
        upload_limit_bytes=settings.upload_limit_bytes,
        split_oversize=settings.split_oversize,
    )


ASSEMBLERS: dict[str, Callable[[PipelineSettings], Assembler]] = {"ffmpeg": _ffmpeg}


def make_assembler(name: str, settings: PipelineSettings) -> Assembler:
    return build_backend(ASSEMBLERS, "assembler", name, settings)


def cache_tag(name: str, settings: PipelineSettings) -> str:
    """The backend, every setting that changes the video (encoding, transitions, mix, size guard) and CODE_VERSION."""
    s = settings
    return (f"{name}:fps={s.fps}:crf={s.crf}:preset={s.x264_preset}:tune={s.x264_tune}:x264={s.x264_params}:soft={s.soft_subtitles}"
            f":crossfade={s.crossfade_seconds}:music={s.music_volume}:duck={s.music_duck_db}"
            f":lufs={s.loudness_lufs}:limit={s.upload_limit_mb}:split={s.split_oversize}:v{CODE_VERSION}")  # fmt: skip
