"""Wall and CPU time, file size and peak memory of the assemble stage, against the bare-ffmpeg floor, in one run.

    .venv/bin/python bench/assemble.py [--size 1920x1080] [--seconds 60] [--runs 3] [--encoding veryfast:23 ...]
    .venv/bin/python bench/assemble.py --ladder [--ladder-seconds 12] [--encoding slow:16 --encoding ...]

An encoding is PRESET:CRF[/TUNE[/X264_PARAMS]]: `superfast:28` takes the settings' tune and x264 params,
`superfast:28/animation/` tune animation with no params, `superfast:28//` plain superfast.

The floor is a bare ffmpeg encode of the same length with the same x264/AAC settings and soundtrack: one picture
pushed in with zoompan (moving content, as the story's shots are), no parallax, cards, crossfades or subtitles.
Each run assembles and then encodes the floor, for every encoding in turn (interleaved, so a busy machine
slows all alike); medians are printed with the load average. CPU seconds (this process and its children) are
steadier than wall seconds on a shared machine.

--ladder draws the story's first seconds once (the assembler's own frames, raw yuv420p) and encodes them with
each encoding: time, size and SSIM against those raw frames (the truth, better than a slow encode's guess).

Inputs: the shadow-theatre illustrator's pictures drawn at --drawn-size (default: a quarter of the size, as the
pipeline draws for its ×4 upscaler; layers stay that size) with the composite enlarged by OpenCV in place of the
upscaler; tone narration and music."""
from __future__ import annotations

import argparse
import dataclasses
import os
import re
import resource
import shlex
import statistics
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

import cv2

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the bench reuses the tests' synthetic inputs

from bench.memory import children_peak_mb
from pipeline.assemble import make_assembler
from pipeline.assemble.cards import end_card, title_card
from pipeline.assemble.frames import ShotFrames, illustration_planes
from pipeline.assemble.output import AUDIO_BITRATE, Encoding
from pipeline.assemble.shots import plan_shots, scene_pictures, video_seconds
from pipeline.illustrate import make_illustrator
from pipeline.media import run, run_for_log
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


def floor_command(picture: Path, size: tuple[int, int], audio: Path, seconds: float, encoding: Encoding,
                  out: Path) -> list[str]:
    """One picture slowly pushed in (zoompan), the soundtrack, the same encoder settings and length."""
    frames = int(round(seconds * encoding.fps))
    zoom = f"zoompan=z='1+0.1*on/{frames}':x='iw/2-iw/zoom/2':y='ih/2-ih/zoom/2':d=1:s={size[0]}x{size[1]}:fps={encoding.fps}"
    return ["ffmpeg", "-y", "-v", "error", "-nostdin", "-loop", "1", "-framerate", str(encoding.fps), "-i", str(picture),
            "-i", str(audio), "-vf", zoom, *encoding.video_args(),
            "-c:a", "aac", "-b:a", str(AUDIO_BITRATE), "-ar", "48000", "-ac", "2",
            "-t", f"{seconds:.3f}", "-movflags", "+faststart", str(out)]  # fmt: skip


def cpu_seconds() -> float:
    """User + system CPU of this process and its finished children."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(action) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), cpu_seconds()
    action()
    return time.perf_counter() - wall, cpu_seconds() - cpu


def parse_encoding(text: str, base: Encoding) -> Encoding:
    """PRESET:CRF[/TUNE[/X264_PARAMS]]; what is left out comes from `base` (the settings')."""
    head, *rest = text.split("/", 2)
    preset, crf = head.split(":")
    tune = rest[0] if rest else base.tune
    params = rest[1] if len(rest) > 1 else base.params
    return dataclasses.replace(base, preset=preset, crf=int(crf), tune=tune, params=params)


def label(encoding: Encoding) -> str:
    return f"{encoding.preset}:{encoding.crf}/{encoding.tune}/{encoding.params}"


def median_text(values: list[float]) -> str:
    return f"{statistics.median(values):6.1f} {[round(v, 1) for v in values]}"


def ladder(args, story, narration, score, illustrations, size, encodings: list[Encoding], folder: Path) -> None:
    """Encode the same raw frames with each encoding: time, size, SSIM against the raw frames."""
    total = min(args.ladder_seconds, video_seconds(narration))
    pictures_ = [partial(title_card, story, size),
                 *[partial(illustration_planes, i.image, i.layers, size) for i in scene_pictures(story, illustrations)],
                 partial(end_card, story, size)]  # fmt: skip
    frames = ShotFrames(plan_shots(story, narration, score, get_settings().crossfade_seconds), pictures_, size,
                        encodings[0].fps, total)  # fmt: skip
    raw = folder / "frames.yuv"
    with raw.open("wb") as out:
        for frame in frames:
            out.write(cv2.cvtColor(frame, cv2.COLOR_BGRA2YUV_I420).tobytes())
    source = ["-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{size[0]}x{size[1]}", "-r", str(encodings[0].fps),
              "-i", str(raw)]  # fmt: skip
    times: dict[str, list[tuple[float, float]]] = {label(e): [] for e in encodings}
    for _ in range(args.runs):
        for index, encoding in enumerate(encodings):
            out = folder / f"ladder_{index}.mp4"
            cmd = ["ffmpeg", "-y", "-v", "error", "-nostdin", *source, *encoding.video_args(), str(out)]
            times[label(encoding)].append(timed(lambda: run(cmd, stage="bench", timeout=3600)))
    print(f"command: {shlex.join([sys.executable, *sys.argv])}")
    print(f"ladder: the story's first {total:.1f} s at {size[0]}x{size[1]}, {args.runs} runs interleaved, "
          f"load average {os.getloadavg()[0]:.1f}; SSIM (Y) against the raw frames")  # fmt: skip
    print(f"{'wall s':>7} {'CPU s':>7} {'fps(CPU)':>9} {'MB/min':>7} {'SSIM Y':>8} {'SSIM all':>9}  preset:crf/tune/params")
    for index, encoding in enumerate(encodings):
        out = folder / f"ladder_{index}.mp4"
        log = run_for_log(["ffmpeg", "-nostdin", "-hide_banner", "-i", str(out), *source, "-lavfi", "[0:v][1:v]ssim",
                           "-f", "null", "-"], stage="bench", timeout=3600)  # fmt: skip
        found = re.search(r"Y:([\d.]+).*All:([\d.]+)", log)
        wall = statistics.median(w for w, _ in times[label(encoding)])
        cpu = statistics.median(c for _, c in times[label(encoding)])
        per_minute = out.stat().st_size / 1e6 * 60 / total
        print(f"{wall:7.1f} {cpu:7.1f} {total * encoding.fps / cpu:9.0f} {per_minute:7.1f} "
              f"{float(found.group(1)):8.4f} {float(found.group(2)):9.4f}  {label(encoding)}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--drawn-size", default="", help="default: a quarter of --size, as for the ×4 upscaler")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the narration")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--encoding", action="append", default=[],
                        help="PRESET:CRF[/TUNE[/X264_PARAMS]], repeatable (default: the settings')")
    parser.add_argument("--ladder", action="store_true", help="the x264 quality/size/speed ladder instead")
    parser.add_argument("--ladder-seconds", type=float, default=12.0)
    parser.add_argument("--keep", type=Path, help="copy the last assembled video here (to look at its frames)")
    args = parser.parse_args()
    size = parse_size(args.size)
    drawn = parse_size(args.drawn_size) if args.drawn_size else (max(64, size[0] // 4), max(64, size[1] // 4))
    settings = get_settings()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        story = make_story(settings=SETTINGS)
        lines = sum(len(scene.lines) for scene in story.scenes)
        narration = make_narration(story, folder, line_seconds=args.seconds / lines - 0.5)
        score = make_score(video_seconds(narration), folder)
        illustrations = pictures(story, drawn, size, folder)
        base = make_assembler("ffmpeg", settings).encoding
        encodings = [parse_encoding(text, base) for text in args.encoding] or [base]
        if args.ladder:
            ladder(args, story, narration, score, illustrations, size, encodings, folder)
            return
        assemblers = []
        for encoding in encodings:
            assembler = make_assembler("ffmpeg", settings)
            assembler.encoding = encoding
            assemblers.append(assembler)
        results: dict[str, dict[str, list[float]]] = {label(e): {} for e in encodings}
        loads = []
        encoder_peak_mb = [0.0]
        for run_index in range(args.runs):
            for index, (encoding, assembler) in enumerate(zip(encodings, assemblers)):
                work = folder / f"work_{run_index}_{index}"
                work.mkdir()
                out = folder / f"story_{index}.mp4"
                loads.append(os.getloadavg()[0])
                video = None

                def assemble() -> None:
                    nonlocal video
                    video = assembler.assemble(story, narration, score, illustrations, out, work)

                with children_peak_mb(encoder_peak_mb):
                    wall, cpu = timed(assemble)
                floor_cmd = floor_command(illustrations[0].image, size, work / "soundtrack.m4a", video.duration, encoding,
                                      folder / "floor.mp4")  # fmt: skip
                floor_wall, floor_cpu = timed(lambda: run(floor_cmd, stage="bench", timeout=3600))
                for key, value in (("wall", wall), ("cpu", cpu), ("floor wall", floor_wall), ("floor cpu", floor_cpu),
                                   ("MB", out.stat().st_size / 1e6)):  # fmt: skip
                    results[label(encoding)].setdefault(key, []).append(value)
        if args.keep:
            args.keep.write_bytes(out.read_bytes())
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"command: {shlex.join([sys.executable, *sys.argv])}")
        print(f"video: {video.duration:.1f} s at {size[0]}x{size[1]} (pictures drawn at {drawn[0]}x{drawn[1]}), "
              f"{len(story.scenes)} scenes; {args.runs} runs, encodings interleaved; load average at the runs' "
              f"starts: median {statistics.median(loads):.1f} {[round(x, 1) for x in loads]} on {os.cpu_count()} cores")  # fmt: skip
        for encoding in encodings:
            r = results[label(encoding)]
            wall, floor = statistics.median(r["wall"]), statistics.median(r["floor wall"])
            print(f"[{label(encoding)}] {statistics.median(r['MB']):.1f} MB "
                  f"({statistics.median(r['MB']) * 60 / video.duration:.1f} MB/min)")  # fmt: skip
            print(f"  assemble wall s: {median_text(r['wall'])}; CPU s: {median_text(r['cpu'])}")
            print(f"  floor    wall s: {median_text(r['floor wall'])}; CPU s: {median_text(r['floor cpu'])}")
            print(f"  ratio assemble / floor: wall {wall / floor:.2f}, CPU "
                  f"{statistics.median(r['cpu']) / statistics.median(r['floor cpu']):.2f}; "
                  f"speed {video.duration / wall:.2f}x real time (assemble alone)")  # fmt: skip
        print(f"peak memory (max RSS) of this process (inputs, drawing): {own:.0f} MB; the encoder's: "
              f"{encoder_peak_mb[0]:.0f} MB")  # fmt: skip
        print(f"floor command: {shlex.join(floor_cmd)}")


if __name__ == "__main__":
    main()
