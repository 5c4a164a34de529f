"""`digiteller render --keep DIR`: each stage's output copied into DIR under names a person understands."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from pipeline.types import Illustration, Narration, Score, Story, Video


def _srt_time(seconds: float) -> str:
    millis = int(round(max(seconds, 0.0) * 1000))
    return f"{millis // 3_600_000:02d}:{millis // 60_000 % 60:02d}:{millis // 1000 % 60:02d},{millis % 1000:03d}"


def _write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


class Keeper:
    """Writes story.json, narration.wav + narration.json, score.mid + music.wav, scene-NN.png + scene-NN.json,
    title.png + title.json, subtitles.srt and the video into one folder."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def story(self, story: Story) -> None:
        _write_json(self.folder / "story.json", story.model_dump(mode="json"))

    def narration(self, narration: Narration) -> None:
        shutil.copyfile(narration.audio, self.folder / "narration.wav")
        clips = [clip.model_dump(mode="json") for clip in narration.clips]
        _write_json(self.folder / "narration.json",
                    {"duration": narration.duration, "sample_rate": narration.sample_rate, "clips": clips})

    def score(self, score: Score) -> None:
        shutil.copyfile(score.midi, self.folder / "score.mid")
        shutil.copyfile(score.audio, self.folder / "music.wav")

    def picture(self, illustration: Illustration) -> None:
        name = f"scene-{illustration.scene + 1:02d}"
        shutil.copyfile(illustration.image, self.folder / f"{name}.png")
        _write_json(self.folder / f"{name}.json", {
            "scene": illustration.scene + 1,
            "size": [illustration.width, illustration.height],
            "drawn": [{"what": e.name, "why": e.reason} for e in illustration.elements],
            "layers": len(illustration.layers),
        })

    def title(self, picture: Path | None, things: list[tuple[str, object, str]]) -> None:
        """title.png, the title card's picture, with title.json: what it shows and why."""
        if picture is not None:
            shutil.copyfile(picture, self.folder / "title.png")
        _write_json(self.folder / "title.json", {"drawn": [{"what": what, "why": why} for what, _, why in things]})

    def subtitles(self, narration: Narration, offset: float) -> None:
        """One SRT cue per spoken line, in video time (the narration starts `offset` seconds in)."""
        cues = []
        for number, clip in enumerate(narration.clips, 1):
            start, end = offset + clip.start, offset + clip.start + clip.duration
            cues.append(f"{number}\n{_srt_time(start)} --> {_srt_time(end)}\n{clip.text}\n")
        (self.folder / "subtitles.srt").write_text("\n".join(cues), encoding="utf-8")

    def video(self, video: Video) -> None:
        for path in (video.path, video.thumbnail, *video.parts):
            target = self.folder / path.name
            if path.resolve() != target.resolve():
                shutil.copyfile(path, target)
