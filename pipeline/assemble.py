"""Assemble stage: pictures, narration and music into an mp4 (H.264 + AAC) with motion, crossfades and subtitles."""
from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
from PIL import Image

from pipeline.genres import genre_name
from pipeline.media import read_wav, run, write_wav
from pipeline.types import Illustration, Narration, Score, Story, Video

TAIL_SECONDS = 1.5  # the last picture and the music linger after the last word
TITLE_SECONDS = 3.5
THUMBNAIL_SIDE = 320
SPEAKER_COLOURS = ("&H80D8FF&", "&HFFC080&", "&H80FF80&", "&HC080FF&")  # ASS colours are &HBBGGRR&


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


@dataclass(frozen=True)
class Shot:
    """One picture's time in the output: it fades in over the previous shot from `start`."""

    image: Path
    start: float
    duration: float


def plan_shots(illustrations: list[Illustration], narration: Narration, total: float, crossfade: float) -> list[Shot]:
    """Each scene's picture is on screen while its lines are read; the cut is a crossfade centred on the scene change."""
    starts = [0.0] + [narration.scene_span(ill.scene)[0] for ill in illustrations[1:]]
    ends = starts[1:] + [total]
    shots = []
    for index, ill in enumerate(illustrations):
        fade_in = 0.0 if index == 0 else crossfade / 2
        fade_out = 0.0 if index == len(illustrations) - 1 else crossfade / 2
        start = starts[index] - fade_in
        shots.append(Shot(ill.image, start, ends[index] + fade_out - start))
    return shots


def mix_audio(narration: Narration, score: Score, total: float, music_volume: float, out: Path) -> Path:
    """Narration over music; the music is ducked (sidechain-style) while someone speaks."""
    voice, rate = read_wav(narration.audio)
    music, music_rate = read_wav(score.audio)
    if music_rate != rate:
        raise ValueError(f"music at {music_rate} Hz, narration at {rate} Hz")
    length = int(round(total * rate))
    voice = np.pad(voice, (0, max(0, length - voice.size)))[:length]
    music = np.pad(music, (0, max(0, length - music.size)))[:length]
    gain = music_volume * (1.0 - 0.6 * _speech_envelope(voice, rate))
    mix = voice + music * gain
    peak = float(np.max(np.abs(mix))) or 1.0
    return write_wav(out, mix * (0.89 / peak), rate)  # peak at -1 dBFS


def _speech_envelope(voice: np.ndarray, rate: int) -> np.ndarray:
    """0..1: how much someone is speaking, smoothed over ~0.3 s so the music glides rather than pumps."""
    window = int(0.3 * rate)
    active = (np.abs(voice) > 0.01).astype(np.float32)
    kernel = np.ones(window, dtype=np.float32) / window
    return np.clip(np.convolve(active, kernel, mode="same") * 4.0, 0.0, 1.0)


def _ass_time(seconds: float) -> str:
    centis = int(round(max(seconds, 0.0) * 100))
    return f"{centis // 360000}:{centis // 6000 % 60:02d}:{centis // 100 % 60:02d}.{centis % 100:02d}"


def _ass_text(text: str) -> str:
    """Neutralise what libass reads as markup (override blocks, backslash codes), so user text shows literally."""
    return text.replace("\\", "/").replace("{", "(").replace("}", ")").replace("\n", " ")


def subtitle_chunks(text: str, width: int) -> list[str]:
    """A line split into screens of at most two wrapped lines."""
    wrapped = textwrap.wrap(_ass_text(text), width=width) or [_ass_text(text)]
    return ["\\N".join(wrapped[i : i + 2]) for i in range(0, len(wrapped), 2)]


def write_subtitles(story: Story, narration: Narration, size: tuple[int, int], out: Path) -> Path:
    """An ASS file: the title card, then each spoken line, characters in their own colour."""
    width, height = size
    font = max(18, height // 22)
    chars_per_line = max(20, int(width / (font * 0.55)))
    speakers = [c.id for c in story.characters]
    header = f"""[Script Info]
ScriptType: v4.00+
PlayResX: {width}
PlayResY: {height}
WrapStyle: 2
ScaledBorderAndShadow: yes

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
Style: Line,DejaVu Sans,{font},&H00FFFFFF,&H00FFFFFF,&H00000000,&H80000000,0,0,0,0,100,100,0,0,1,{max(2, font // 12)},1,2,{width // 12},{width // 12},{height // 16},1
Style: Title,DejaVu Sans,{font * 2},&H00FFFFFF,&H00FFFFFF,&H00000000,&H80000000,1,0,0,0,100,100,0,0,1,{max(3, font // 8)},2,5,{width // 10},{width // 10},0,1

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
"""
    genre = genre_name(story.request.genre, story.request.language)
    title = "\\N".join(textwrap.wrap(_ass_text(story.title), width=chars_per_line // 2)[:3])
    events = [
        f"Dialogue: 1,{_ass_time(0)},{_ass_time(TITLE_SECONDS)},Title,,0,0,0,,"
        f"{{\\fad(400,600)}}{title}\\N{{\\fs{font}}}{_ass_text(genre)}"
    ]
    for clip in narration.clips:
        chunks = subtitle_chunks(clip.text, chars_per_line)
        colour = ""
        if clip.speaker in speakers:
            colour = f"{{\\c{SPEAKER_COLOURS[speakers.index(clip.speaker) % len(SPEAKER_COLOURS)]}}}"
        weights = np.cumsum([0] + [len(chunk) for chunk in chunks]) / max(1, sum(len(c) for c in chunks))
        for index, chunk in enumerate(chunks):
            start = clip.start + clip.duration * weights[index]
            end = clip.start + clip.duration * weights[index + 1]
            events.append(f"Dialogue: 0,{_ass_time(start)},{_ass_time(end)},Line,,0,0,0,,{colour}{chunk}")
    out.write_text(header + "\n".join(events) + "\n", encoding="utf-8")
    return out


def _ken_burns(index: int, frames: int, size: tuple[int, int], fps: int) -> str:
    """A slow push-in or pull-out with a drift, alternating direction shot by shot.

    The picture is scaled to twice the output first: zoompan crops at whole input pixels, and at 2× that
    rounding is half an output pixel, which keeps the motion smooth."""
    width, height = size
    zoom_in = index % 2 == 0
    zoom = f"1+0.12*on/{frames}" if zoom_in else f"1.12-0.12*on/{frames}"
    drift_x = ("0.5", "0.35+0.3*on/{n}", "0.65-0.3*on/{n}")[index % 3].format(n=frames)
    return (
        f"scale={2 * width}:{2 * height},"
        f"zoompan=z='{zoom}':x='(iw-iw/zoom)*({drift_x})':y='(ih-ih/zoom)*0.5'"
        f":d={frames}:s={width}x{height}:fps={fps},setsar=1,format=yuv420p"
    )


def video_filter(shots: list[Shot], size: tuple[int, int], fps: int, crossfade: float, subtitles: str) -> str:
    parts = []
    for index, shot in enumerate(shots):
        frames = max(1, int(round(shot.duration * fps)))
        parts.append(f"[{index}:v]{_ken_burns(index, frames, size, fps)}[v{index}]")
    last = "v0"
    for index in range(1, len(shots)):
        offset = shots[index].start
        parts.append(f"[{last}][v{index}]xfade=transition=fade:duration={crossfade:.3f}:offset={offset:.3f}[x{index}]")
        last = f"x{index}"
    parts.append(f"[{last}]subtitles=filename={subtitles}[vout]")
    return ";".join(parts)


def make_thumbnail(image: Path, out: Path) -> Path:
    with Image.open(image) as picture:
        picture = picture.convert("RGB")
        picture.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
        picture.save(out, "JPEG", quality=85)
    return out


class FfmpegAssembler:
    """ffmpeg does the motion (zoompan), the crossfades (xfade), the subtitles (libass) and the encoding."""

    def __init__(
        self,
        fps: int = 25,
        crf: int = 23,
        preset: str = "veryfast",
        crossfade: float = 0.8,
        music_volume: float = 0.35,
    ):
        self.fps = fps
        self.crf = crf
        self.preset = preset
        self.crossfade = crossfade
        self.music_volume = music_volume

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
        total = narration.duration + TAIL_SECONDS
        shots = plan_shots(illustrations, narration, total, self.crossfade)
        mix = mix_audio(narration, score, total, self.music_volume, work_dir / "mix.wav")
        write_subtitles(story, narration, size, work_dir / "subtitles.ass")
        inputs = [arg for shot in shots for arg in ("-i", str(shot.image))]
        cmd = [
            "ffmpeg", "-y", "-loglevel", "error", "-nostdin",
            *inputs, "-i", str(mix),
            "-filter_complex", video_filter(shots, size, self.fps, self.crossfade, "subtitles.ass"),
            "-map", "[vout]", "-map", f"{len(shots)}:a",
            "-c:v", "libx264", "-preset", self.preset, "-crf", str(self.crf), "-profile:v", "high",
            "-pix_fmt", "yuv420p", "-r", str(self.fps),
            "-c:a", "aac", "-b:a", "128k", "-ar", "44100", "-ac", "2",
            "-t", f"{total:.3f}", "-movflags", "+faststart",
            str(out.resolve()),
        ]  # fmt: skip
        run(cmd, stage="assemble", timeout=3600, cwd=work_dir)
        thumbnail = make_thumbnail(illustrations[0].image, out.with_suffix(".jpg"))
        return Video(path=out, duration=total, width=size[0], height=size[1], thumbnail=thumbnail)


def make_assembler(name: str = "ffmpeg", **options: object) -> Assembler:
    if name == "ffmpeg":
        return FfmpegAssembler(**options)  # type: ignore[arg-type]
    raise ValueError(f"unknown assembler {name!r}")
