"""The whole pipeline: request → Story → (Narration, Score, Illustrations) → upscaled Illustrations → Video."""
from __future__ import annotations

import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from pipeline import compose, illustrate, narrate, upscale, write
from pipeline.assemble import Assembler, make_assembler
from pipeline.assemble.shots import TITLE_SECONDS, video_seconds
from pipeline.cache import StageCache, cache_key
from pipeline.compose import Composer, make_composer
from pipeline.illustrate import Illustrator, make_illustrator
from pipeline.illustrate.title import title_picture, title_things
from pipeline.keep import Keeper
from pipeline.media import submit_here
from pipeline.narrate import Narrator, make_narrator
from pipeline.settings import PipelineSettings, get_settings
from pipeline.types import (
    Illustration,
    Narration,
    Progress,
    Score,
    StageSeeds,
    Story,
    StoryRequest,
    Video,
    no_progress,
)
from pipeline.upscale import Upscaler, make_upscaler
from pipeline.upscale.tiles import upscale_to
from pipeline.write import Writer, make_writer

MIN_SIDE, MAX_SIDE = 64, 8192


def parse_size(text: str) -> tuple[int, int]:
    """'1280x720' → (1280, 720); even sides (yuv420p needs them), each within 64..8192."""
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError as exc:
        raise ValueError(f"size must look like 1280x720, not {text!r}") from exc
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        raise ValueError(f"each side must be within {MIN_SIDE}..{MAX_SIDE}")
    return width - width % 2, height - height % 2


@dataclass
class Pipeline:
    settings: PipelineSettings
    writer: Writer
    narrator: Narrator
    composer: Composer
    illustrator: Illustrator
    upscaler: Upscaler | None
    assembler: Assembler
    cache: StageCache

    @classmethod
    def from_settings(cls, settings: PipelineSettings | None = None) -> Pipeline:
        """Build every backend once (models load here, so a worker does it in on_startup)."""
        s = settings or get_settings()
        return cls(
            settings=s,
            writer=make_writer(s.writer, s),
            narrator=make_narrator(s.narrator, s),
            composer=make_composer(s.composer, s),
            illustrator=make_illustrator(s.illustrator, s),
            upscaler=None if s.upscaler == "none" else make_upscaler(s.upscaler, s),
            assembler=make_assembler(s.assembler, s),
            cache=StageCache(s.cache_dir, max_bytes=s.cache_max_mb * 1024 * 1024),
        )

    def write(self, request: StoryRequest) -> Story:
        key = cache_key(request, write.cache_tag(self.settings.writer, self.settings))
        return self.cache.get_or_build("write", key, Story, lambda _: self.writer.write(request))

    def narrate(self, story: Story, seed: int, progress: Progress) -> Narration:
        key = cache_key(story, seed, narrate.cache_tag(self.settings.narrator, self.settings))
        return self.cache.get_or_build(
            "narrate", key, Narration, lambda folder: self.narrator.narrate(story, folder, seed, progress)
        )

    def compose(self, story: Story, duration: float, seed: int, scene_starts: list[float] | None = None) -> Score:
        starts = [round(t, 2) for t in scene_starts] if scene_starts else None
        key = cache_key(story, round(duration, 2), seed, starts, compose.cache_tag(self.settings.composer, self.settings))
        return self.cache.get_or_build(
            "compose", key, Score, lambda folder: self.composer.compose(story, duration, folder, seed, starts)
        )

    def drawn_size(self, size: tuple[int, int]) -> tuple[int, int]:
        """The size pictures are drawn at: the output size for vector art under the `auto` upscaler (enlarging it
        only blurs it); otherwise the output size divided by the upscaler's factor, then upscaled."""
        if self.upscaler is None or not upscale.needs_upscaling(self.settings.upscaler, self.illustrator.vector):
            return size
        factor = self.upscaler.scale
        if min(size) // factor < MIN_SIDE:
            return size
        return size[0] // factor, size[1] // factor

    def draw(self, story: Story, scene: int, size: tuple[int, int], seed: int) -> Illustration:
        key = cache_key(story, scene, size, seed, illustrate.cache_tag(self.settings.illustrator, self.settings))
        return self.cache.get_or_build(
            "illustrate", key, Illustration, lambda folder: self.illustrator.illustrate(story, scene, size, folder, seed)
        )

    def draw_title(self, story: Story, size: tuple[int, int], folder: Path) -> Path | None:
        """The title card's picture of what the title names (a train, the bun) as an RGBA PNG in `folder`, or None
        when the title names nothing drawable (a person's name): the card then shows the genre's motif."""
        picture = title_picture(story, round(min(size) * 0.4))
        if picture is None:
            return None
        path = folder / "title.png"
        picture.save(path)
        return path

    def enlarge(self, drawn: Illustration, size: tuple[int, int]) -> Illustration:
        if (drawn.width, drawn.height) == size:
            return drawn
        key = cache_key(drawn, size, upscale.cache_tag(self.settings.upscaler, self.settings))
        return self.cache.get_or_build(
            "upscale", key, Illustration, lambda folder: self._upscaled(drawn, size, folder)
        )

    def _upscaled(self, drawn: Illustration, size: tuple[int, int], folder: Path) -> Illustration:
        with Image.open(drawn.image) as picture:
            large = upscale_to(picture.convert("RGB"), size, self.upscaler)
        path = folder / drawn.image.name
        large.save(path)
        # Layers are kept at the drawn size: the assembler scales them with the motion it gives each.
        return drawn.model_copy(update={"image": path, "width": size[0], "height": size[1]})

    def render(
        self,
        request: StoryRequest,
        out: Path,
        size: tuple[int, int] = (1280, 720),
        seeds: StageSeeds | None = None,
        progress: Progress = no_progress,
        keep: Path | None = None,
    ) -> Video:
        """Run every stage (cached ones come from the cache); with `keep`, copy each stage's output there."""
        seeds = seeds or StageSeeds.from_seed(request.seed)
        keeper = Keeper(keep) if keep else None
        progress("write", 0.0)
        story = self.write(request)
        progress("write", 1.0)
        # The pictures need only the story: one side thread draws them while the narration (mostly festival's and
        # sox's processes) and the music are made, so both cores work. Progress is reported in stage order.
        side = ThreadPoolExecutor(max_workers=1)
        try:
            pictures = [submit_here(side, self.draw, story, index, self.drawn_size(size), seeds.pictures)
                        for index in range(len(story.scenes))]  # fmt: skip
            narration = self.narrate(story, seeds.voices, progress)
            progress("narrate", 1.0)
            progress("compose", 0.0)
            # The music runs under the whole video, title card included: scene starts are in video time.
            scene_starts = [TITLE_SECONDS + narration.scene_span(k)[0] for k in range(len(story.scenes))]
            score = self.compose(story, video_seconds(narration), seeds.music, scene_starts)
            progress("compose", 1.0)
            drawn = []
            for picture in pictures:
                drawn.append(picture.result())
                progress("illustrate", len(drawn) / len(pictures))
        finally:
            side.shutdown(cancel_futures=True)
        illustrations = []
        for picture in drawn:
            illustrations.append(self.enlarge(picture, size))
            progress("upscale", len(illustrations) / len(drawn))
        if keeper:
            keeper.story(story)
            keeper.narration(narration)
            keeper.score(score)
            keeper.subtitles(narration, offset=TITLE_SECONDS)
            for picture in illustrations:
                keeper.picture(picture)
        progress("assemble", 0.0)
        out.parent.mkdir(parents=True, exist_ok=True)
        work_dir = Path(tempfile.mkdtemp(prefix="assemble-", dir=self.settings.work_dir))
        try:
            emblem = self.draw_title(story, size, work_dir)
            if keeper:
                keeper.title(emblem, title_things(story))
            video = self.assembler.assemble(story, narration, score, illustrations, out, work_dir, emblem)
        finally:
            shutil.rmtree(work_dir, ignore_errors=True)
        if keeper:
            keeper.video(video)
        progress("assemble", 1.0)
        return video
