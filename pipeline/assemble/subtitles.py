"""Subtitles of the spoken lines as an ASS file for libass: DejaVu Sans, outlined, two lines at most, safe margins."""
from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np

from pipeline.types import Narration, Story

SPEAKER_COLOURS = ("&H80D8FF&", "&HFFC080&", "&H80FF80&", "&HC080FF&")  # ASS colours are &HBBGGRR&


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


def write_subtitles(story: Story, narration: Narration, size: tuple[int, int], out: Path, offset: float = 0.0) -> Path:
    """An ASS file of each spoken line (shifted by `offset`, where the narration starts in the video),
    characters in their own colour; a long line is shown screen by screen in proportion to its characters."""
    width, height = size
    font = max(16, min(height // 20, width // 28))
    chars_per_line = max(16, int(width * 0.84 / (font * 0.6)))  # DejaVu Sans averages ~0.6 em a letter
    speakers = [c.id for c in story.characters]
    header = f"""[Script Info]
ScriptType: v4.00+
PlayResX: {width}
PlayResY: {height}
WrapStyle: 2
ScaledBorderAndShadow: yes

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
Style: Line,DejaVu Sans,{font},&H00FFFFFF,&H00FFFFFF,&H00000000,&H80000000,0,0,0,0,100,100,0,0,1,{max(2, font // 12)},{max(1, font // 20)},2,{width // 12},{width // 12},{height // 14},1

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
"""
    events = []
    for clip in narration.clips:
        chunks = subtitle_chunks(clip.text, chars_per_line)
        colour = ""
        if clip.speaker in speakers:
            colour = f"{{\\c{SPEAKER_COLOURS[speakers.index(clip.speaker) % len(SPEAKER_COLOURS)]}}}"
        weights = np.cumsum([0] + [len(chunk) for chunk in chunks]) / max(1, sum(len(c) for c in chunks))
        for index, chunk in enumerate(chunks):
            start = offset + clip.start + clip.duration * weights[index]
            end = offset + clip.start + clip.duration * weights[index + 1]
            events.append(f"Dialogue: 0,{_ass_time(start)},{_ass_time(end)},Line,,0,0,0,,{colour}{chunk}")
    out.write_text(header + "\n".join(events) + "\n", encoding="utf-8")
    return out
