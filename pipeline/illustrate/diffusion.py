"""Production illustrator: diffusers text-to-image, best of N candidates reranked by CLIP against the scene.

Any model id or local folder that diffusers' AutoPipelineForText2Image loads (default: Kandinsky 2.2, which reads
Russian); the prompt is the scene's text, the English names of what the scene plan (plan.py) found in it, and
one style prompt per story (chosen by genre), so the pictures of a story look alike. The reranker is CLIP through
transformers (open-clip-torch would pull torchvision). Heavy imports happen only when the backend is built.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, Sequence

from PIL import Image, ImageOps

from pipeline.illustrate.plan import plan_scene
from pipeline.types import DrawnElement, Genre, Illustration, Story


GENRE_STYLES: dict[Genre, str] = {
    Genre.fable: "storybook illustration, gouache, soft daylight",
    Genre.bylina: "Russian epic painting, Vasnetsov style, golden light",
    Genre.fairy_tale: "fairy tale illustration, Bilibin style, warm dusk colours",
    Genre.novella: "book illustration, muted sepia watercolour",
    Genre.comedy: "bright cheerful cartoon, vivid daylight colours",
    Genre.tragedy: "dramatic oil painting, cold grey light",
    Genre.drama: "cinematic painting, deep red dusk light",
    Genre.horror: "dark gothic engraving, sickly green moonlight, black shadows",
    Genre.fantasy: "high fantasy concept art, violet and teal magic light",
    Genre.scifi: "science fiction concept art, neon cyan and magenta, deep space",
    Genre.detective: "film noir, rain, fog, gas lamps, grey and sepia",
}
NEGATIVE_PROMPT = "text, letters, watermark, signature, blurry, deformed"


class Reranker(Protocol):
    def scores(self, images: Sequence[Image.Image], text: str) -> list[float]:
        """How well each image matches the text (higher is better)."""
        ...


class ClipReranker:
    """CLIP image-text similarity (transformers CLIPModel), from a model id or a local folder."""

    def __init__(self, model: str, device: str, local_files_only: bool = False):
        from transformers import CLIPModel, CLIPProcessor

        self.model = CLIPModel.from_pretrained(model, local_files_only=local_files_only).to(device).eval()
        self.processor = CLIPProcessor.from_pretrained(model, local_files_only=local_files_only)
        self.device = device

    def scores(self, images: Sequence[Image.Image], text: str) -> list[float]:
        import torch

        inputs = self.processor(text=[text], images=list(images), return_tensors="pt", padding=True, truncation=True)
        with torch.inference_mode():
            out = self.model(**{k: v.to(self.device) for k, v in inputs.items()})
        return out.logits_per_image[:, 0].float().cpu().tolist()


def precision(device: str) -> str:
    """The torch dtype the models run in on a device: half precision on a GPU (it changes the pictures a little)."""
    return "float16" if device.startswith("cuda") else "float32"


def story_style(story: Story) -> str:
    """One style for every picture of a story."""
    return GENRE_STYLES.get(story.request.genre, "storybook illustration")


def scene_prompt(story: Story, scene_index: int) -> tuple[str, list[DrawnElement]]:
    """The prompt for a scene, and what it asks for with the reason each thing is there."""
    plan = plan_scene(story, scene_index)
    wanted = [DrawnElement(name=element, reason=reason) for element, reason in plan.elements.items()]
    wanted += [DrawnElement(name=f"{a.character.role} figure", reason=f"character: {a.character.name}") for a in plan.actors]
    # a character the name makes a creature or a thing is asked for as that ("Колобок" → bread), in every scene
    wanted += [DrawnElement(name=a.thing.label if a.thing else a.animal, reason=a.reason)
               for a in plan.actors if a.thing or a.animal]
    things = ", ".join(dict.fromkeys(e.name for e in wanted))
    text = story.scenes[scene_index].text
    return f"{text} ({things}, {plan.time_of_day}). {story_style(story)}", wanted


@dataclass
class DiffusionIllustrator:
    """Best of `candidates` pictures from a diffusers pipeline, chosen by the reranker."""

    vector = False  # raster pictures at the model's size: the `auto` upscaler enlarges them

    pipeline: object  # a diffusers text-to-image pipeline
    reranker: Reranker | None = None
    candidates: int = 4
    steps: int = 30
    native: tuple[int, int] = (1024, 576)  # the size the model draws at (multiples of 64); then fitted to `size`

    @classmethod
    def from_pretrained(
        cls, model: str, reranker: str | None, device: str, local_files_only: bool = False, **options,
    ) -> DiffusionIllustrator:
        import torch
        from diffusers import AutoPipelineForText2Image

        dtype = getattr(torch, precision(device))
        pipe = AutoPipelineForText2Image.from_pretrained(model, dtype=dtype, local_files_only=local_files_only)
        pipe.set_progress_bar_config(disable=True)
        rerank = ClipReranker(reranker, device, local_files_only) if reranker else None
        return cls(pipeline=pipe.to(device), reranker=rerank, **options)

    def illustrate(self, story: Story, scene_index: int, size: tuple[int, int], out_dir: Path, seed: int) -> Illustration:
        import torch

        prompt, wanted = scene_prompt(story, scene_index)
        width, height = _native_size(size, self.native)
        generator = torch.Generator("cpu").manual_seed(seed * 1000 + scene_index)
        images = self.pipeline(
            prompt=prompt, negative_prompt=NEGATIVE_PROMPT, num_images_per_prompt=self.candidates,
            num_inference_steps=self.steps, width=width, height=height, generator=generator,
        ).images
        best = images[0]
        if self.reranker is not None and len(images) > 1:
            scores = self.reranker.scores(images, story.scenes[scene_index].text)
            best = images[max(range(len(images)), key=scores.__getitem__)]
        picture = ImageOps.fit(best.convert("RGB"), size, Image.Resampling.LANCZOS)
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / f"scene_{scene_index:02d}.png"
        picture.save(path)
        return Illustration(scene=scene_index, image=path, width=size[0], height=size[1], layers=(path,), elements=tuple(wanted))


def _native_size(size: tuple[int, int], native: tuple[int, int]) -> tuple[int, int]:
    """The model's drawing size with the output's aspect ratio and about the native area, in multiples of 64."""
    area = native[0] * native[1]
    aspect = size[0] / size[1]
    width = max(64, round((area * aspect) ** 0.5 / 64) * 64)
    height = max(64, round((area / aspect) ** 0.5 / 64) * 64)
    return width, height
