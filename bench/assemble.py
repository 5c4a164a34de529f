"""Wall time of the assemble stage for a 60-second story (plus cards), medians over --runs, and the floor:
a bare ffmpeg encode of one raw still frame looped, with the same soundtrack, length and x264/AAC settings.

    .venv/bin/python bench/assemble.py [--size 1280x720] [--seconds 60] [--runs 3] [--drawn-size 320x180]

Inputs: the shadow-theatre illustrator's pictures drawn at --drawn-size (layers stay that size, as in the
pipeline) with the composite enlarged by OpenCV in place of the upscaler; tone narration and music."""
from __future__ import annotations

import argparse
import shlex
import statistics
import sys
import tempfile
import time
from pathlib import Path

import cv2

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the bench reuses the tests' synthetic inputs

from pipeline.assemble import make_assembler
from pipeline.assemble.output import AUDIO_BITRATE, Encoding
from pipeline.assemble.shots import video_seconds
from pipeline.illustrate import make_illustrator
from pipeline.media import run
from pipeline.render import parse_size
from pipeline.settings import get_settings
from pipeline.types import Illustration
from tests.test_assemble import make_narration, make_score, make_story  # noqa: E402

SETTINGS = ("forest", "forest", "castle", "castle", "sea", "field")


def pictures(story, drawn: tuple[int, int], size: tuple[int, int], folder: Path) -> list[Illustration]:
    illustrator = make_illustrator("shadow_theatre", get_settings())
    enlarged = []
    for index in range(len(story.scenes)):
        ill = illustrator.illustrate(story, index, drawn, folder / "drawn", seed=1)
        large = folder / f"large_{index}.png"
        cv2.imwrite(str(large), cv2.resize(cv2.imread(str(ill.image)), size, interpolation=cv2.INTER_CUBIC))
        enlarged.append(ill.model_copy(update={"image": large, "width": size[0], "height": size[1]}))
    return enlarged


def raw_still(picture: Path, out: Path) -> Path:
    """One yuv420p frame, so the floor spends nothing on decoding a picture per frame."""
    out.write_bytes(cv2.cvtColor(cv2.imread(str(picture)), cv2.COLOR_BGR2YUV_I420).tobytes())
    return out


def floor_command(still: Path, size: tuple[int, int], audio: Path, seconds: float, encoding: Encoding,
                  out: Path) -> list[str]:
    return ["ffmpeg", "-y", "-v", "error", "-nostdin", "-stream_loop", "-1", "-f", "rawvideo", "-pix_fmt", "yuv420p",
            "-s", f"{size[0]}x{size[1]}", "-r", str(encoding.fps), "-i", str(still),
            "-i", str(audio), *encoding.video_args(),
            "-c:a", "aac", "-b:a", str(AUDIO_BITRATE), "-ar", "48000", "-ac", "2",
            "-t", f"{seconds:.3f}", "-movflags", "+faststart", str(out)]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--drawn-size", default="320x180")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the narration")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    size, drawn = parse_size(args.size), parse_size(args.drawn_size)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        story = make_story(settings=SETTINGS)
        lines = sum(len(scene.lines) for scene in story.scenes)
        narration = make_narration(story, folder, line_seconds=args.seconds / lines - 0.5)
        score = make_score(video_seconds(narration), folder)
        illustrations = pictures(story, drawn, size, folder)
        assembler = make_assembler("ffmpeg", get_settings())
        assemble_seconds, floor_seconds = [], []
        for run_index in range(args.runs):
            work = folder / f"work{run_index}"
            work.mkdir()
            start = time.perf_counter()
            video = assembler.assemble(story, narration, score, illustrations, folder / "story.mp4", work)
            assemble_seconds.append(time.perf_counter() - start)
            soundtrack = work / "soundtrack.wav"
            still = raw_still(illustrations[0].image, folder / "still.yuv")
            floor = floor_command(still, size, soundtrack, video.duration, assembler.encoding, folder / "floor.mp4")
            start = time.perf_counter()
            run(floor, stage="bench", timeout=3600)
            floor_seconds.append(time.perf_counter() - start)
        assembled, bare = statistics.median(assemble_seconds), statistics.median(floor_seconds)
        print(f"command: {shlex.join([sys.executable, *sys.argv])}")
        print(f"video: {video.duration:.1f} s at {size[0]}x{size[1]}, {len(story.scenes)} scenes, "
              f"{(folder / 'story.mp4').stat().st_size / 1e6:.1f} MB")  # fmt: skip
        print(f"assemble: median {assembled:.1f} s over {args.runs} runs {[round(s, 1) for s in assemble_seconds]}")
        print(f"floor (bare ffmpeg encode of one raw still frame, same length and settings): median {bare:.1f} s")
        print(f"ratio assemble / floor: {assembled / bare:.2f}")
        print(f"floor command: {shlex.join(floor)}")


if __name__ == "__main__":
    main()
