"""The shadow-theatre illustrator: a scene → a layered picture (sky, far, near, figures) drawn with PIL.

Everything is vector silhouettes over a gradient sky, supersampled for smooth edges, and seeded so a picture can be
redrawn (with the same composition at any size). Props beyond the hand-drawn ones come from the game-icons assets
(icons.py); rain, snow, lightning and sparks from weather.py.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image

from pipeline.illustrate.plan import plan_scene
from pipeline.illustrate.shadow.far import draw_far
from pipeline.illustrate.shadow.figures import draw_figures
from pipeline.illustrate.shadow.layout import Scenery
from pipeline.illustrate.shadow.near import draw_near
from pipeline.illustrate.shadow.palettes import palette_for
from pipeline.illustrate.shadow.sky import draw_sky
from pipeline.types import DrawnElement, Illustration, Story

LAYER_NAMES = ("sky", "far", "near", "figures")


def _supersampling(size: tuple[int, int]) -> int:
    return 2 if size[0] * size[1] <= 2560 * 1440 else 1


class ShadowTheatreIllustrator:
    """Vector silhouettes and flat pictures over a gradient sky; needs no model; drawn at the output size."""

    vector = True  # drawn at any size from its shapes: the `auto` upscaler leaves it alone

    def illustrate(self, story: Story, scene_index: int, size: tuple[int, int], out_dir: Path, seed: int) -> Illustration:
        plan = plan_scene(story, scene_index)
        scenery = Scenery(
            plan=plan,
            size=size,
            rng=np.random.default_rng([seed % 2**32, scene_index]),
            palette=palette_for(plan.genre, plan.time_of_day),
            looks_seed=seed,
            ss=_supersampling(size),
            cast=story.characters,
        )
        layers = render(scenery)
        composite = layers[0].copy()
        for layer in layers[1:]:
            composite.alpha_composite(layer)
        out_dir.mkdir(parents=True, exist_ok=True)
        image_path = out_dir / f"scene_{scene_index:02d}.png"
        layer_paths = [out_dir / f"scene_{scene_index:02d}_{name}.png" for name in LAYER_NAMES]
        _save_pngs([(composite.convert("RGB"), image_path), *zip(layers, layer_paths)])
        elements = tuple(DrawnElement(name=name, reason=reason) for name, reason in scenery.drawn.items())
        return Illustration(
            scene=scene_index, image=image_path, width=size[0], height=size[1], layers=tuple(layer_paths), elements=elements
        )


def _save_pngs(images: list[tuple[Image.Image, Path]]) -> None:
    """PNG encoding is most of the time spent; zlib releases the GIL, so encode the files side by side."""
    with ThreadPoolExecutor(max_workers=len(images)) as pool:
        list(pool.map(lambda item: item[0].save(item[1], compress_level=1), images))


def render(scenery: Scenery) -> list[Image.Image]:
    """Back to front: sky, far, near, figures (each RGBA of the full size)."""
    sky = draw_sky(scenery)
    far = draw_far(scenery)
    near = draw_near(scenery)
    figures = draw_figures(scenery)
    return [sky, far, near, figures]
