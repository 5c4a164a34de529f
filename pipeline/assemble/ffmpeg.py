"""The ffmpeg assembler: pictures, narration and music into an mp4 (H.264 + AAC) — a title card, every shot
moving with parallax between the picture's layers, transitions on the music's phrases, subtitles, an end card.

The frames are drawn with OpenCV (sub-pixel warps of premultiplied planes) and streamed as raw yuv420p into
ffmpeg, which burns the subtitles in with libass and encodes while the next frames are drawn; meanwhile a side
thread mixes and encodes the soundtrack, and a last ffmpeg joins picture and sound without re-encoding."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

from PIL import Image

from pipeline.assemble.cards import end_card, title_card
from pipeline.assemble.frames import PlaneSource, ShotFrames, illustration_planes
from pipeline.assemble.output import (
    AUDIO_CODEC,
    Encoding,
    encode_command,
    fit_size,
    make_thumbnail,
    mux_command,
    stream_frames,
)
from pipeline.assemble.shots import TITLE_SECONDS, plan_shots, scene_pictures, video_seconds
from pipeline.assemble.sound import TRUE_PEAK_DB, mix, normalise
from pipeline.assemble.subtitles import write_subtitles
from pipeline.media import run, submit_here
from pipeline.types import Illustration, Narration, Score, Story, Video

SOUNDTRACK_RATE = 48000


class FfmpegAssembler:
    """OpenCV draws the moving layers, ffmpeg burns in the subtitles (libass) and encodes (x264, AAC)."""

    def __init__(
        self,
        *,
        fps: int,
        crf: int,
        preset: str,
        tune: str,
        x264_params: str,
        soft_subtitles: bool,
        crossfade: float,
        music_volume: float,
        duck_db: float,
        loudness_lufs: float,
        upload_limit_bytes: int,
        split_oversize: bool,
    ):
        self.encoding = Encoding(fps=fps, crf=crf, preset=preset, tune=tune, params=x264_params,
                                 soft_subtitles=soft_subtitles)
        self.crossfade = crossfade
        self.music_volume = music_volume
        self.duck_db = duck_db
        self.loudness_lufs = loudness_lufs
        self.upload_limit_bytes = upload_limit_bytes
        self.split_oversize = split_oversize

    def soundtrack(self, narration: Narration, score: Score, work_dir: Path) -> Path:
        total = video_seconds(narration)
        mixed = mix(narration, score, TITLE_SECONDS, total, self.music_volume, self.duck_db, work_dir / "mix.wav")
        return normalise(mixed, work_dir / "soundtrack.m4a", self.loudness_lufs, TRUE_PEAK_DB, SOUNDTRACK_RATE,
                         AUDIO_CODEC)  # fmt: skip

    def assemble(
        self,
        story: Story,
        narration: Narration,
        score: Score,
        illustrations: list[Illustration],
        out: Path,
        work_dir: Path,
        title_picture: Path | None = None,
    ) -> Video:
        size = (illustrations[0].width, illustrations[0].height)
        emblem = Image.open(title_picture).convert("RGBA") if title_picture else None
        total = video_seconds(narration)
        subtitles = write_subtitles(story, narration, size, work_dir / "subtitles.ass", offset=TITLE_SECONDS)
        scenes = [
            partial(illustration_planes, ill.image, ill.layers, size) for ill in scene_pictures(story, illustrations)
        ]
        pictures: list[PlaneSource] = [partial(title_card, story, size, emblem), *scenes, partial(end_card, story, size)]
        shots = plan_shots(story, narration, score, self.crossfade)
        frames = ShotFrames(shots, pictures, size, self.encoding.fps, total)
        first_scene = shots[1]
        middle = frames.shot_frame(first_scene, (first_scene.start + first_scene.end) / 2)
        thumbnail = make_thumbnail(middle, out.with_suffix(".jpg"))
        # The soundtrack is mixed and encoded on the side while the frames are drawn and encoded.
        with ThreadPoolExecutor(max_workers=1) as side:
            soundtrack = submit_here(side, self.soundtrack, narration, score, work_dir)
            picture = work_dir / "picture.mp4"
            stream_frames(encode_command(size, subtitles, total, self.encoding, picture), frames, cwd=work_dir)
            audio = soundtrack.result()
        soft = subtitles if self.encoding.soft_subtitles else None
        run(mux_command(picture, audio, soft, total, out), stage="assemble")
        parts = fit_size(out, self.upload_limit_bytes, self.encoding.preset, self.split_oversize)
        return Video(path=out, duration=total, width=size[0], height=size[1], thumbnail=thumbnail,
                     parts=tuple(parts) if len(parts) > 1 else ())  # fmt: skip
