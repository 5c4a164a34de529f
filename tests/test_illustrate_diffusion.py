"""The diffusers illustrator with tiny random components built here (no hub): prompts, best-of-N by CLIP, output."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("diffusers")
torch = pytest.importorskip("torch")

from pipeline.illustrate import make_illustrator  # noqa: E402
from pipeline.illustrate.diffusion import ClipReranker, DiffusionIllustrator, scene_prompt, story_style  # noqa: E402
from pipeline.settings import PipelineSettings, resolve_device  # noqa: E402
from pipeline.types import Character, Genre, Line, Scene, Story, StoryRequest  # noqa: E402

HERO = Character(id="hero", name="Иван", gender="male", role="hero")
CASTLE_AT_NIGHT = Scene(setting="castle", time_of_day="night", lines=(Line(text="Ночью Иван подошёл к замку.", speaker="hero"),))
SEA = Scene(setting="sea", time_of_day="day", lines=(Line(text="Утром корабль вышел в море."),))
STORY = Story(request=StoryRequest(title="Замок", genre=Genre.fairy_tale), title="Замок", characters=(HERO,),
              scenes=(CASTLE_AT_NIGHT, SEA))
BOS, EOS = 0, 1


def byte_symbols() -> list[str]:
    """GPT-2's printable stand-ins for the 256 byte values, which CLIP's byte-level BPE works on."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    others = [b for b in range(256) if b not in printable]
    return [chr(b) for b in printable] + [chr(256 + n) for n in range(len(others))]


def write_tokenizer(folder: Path) -> None:
    """A byte-level CLIP tokenizer with no merges: every byte is a token."""
    from transformers import CLIPTokenizer

    vocab = {"<|startoftext|>": BOS, "<|endoftext|>": EOS}
    for token in byte_symbols() + [c + "</w>" for c in byte_symbols()]:
        vocab.setdefault(token, len(vocab))
    CLIPTokenizer(vocab=vocab, merges=[], model_max_length=77).save_pretrained(folder)


TEXT = dict(vocab_size=600, hidden_size=32, intermediate_size=37, num_attention_heads=4, num_hidden_layers=2,
            bos_token_id=BOS, eos_token_id=EOS, pad_token_id=EOS, max_position_embeddings=77)


@pytest.fixture(scope="module")
def tiny_models(tmp_path_factory) -> tuple[Path, Path]:
    from diffusers import AutoencoderKL, DDIMScheduler, StableDiffusionPipeline, UNet2DConditionModel
    from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel, CLIPProcessor, CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    torch.manual_seed(0)
    root = tmp_path_factory.mktemp("tiny")
    write_tokenizer(root / "tokenizer")
    tokenizer = CLIPTokenizer.from_pretrained(root / "tokenizer")
    unet = UNet2DConditionModel(
        block_out_channels=(4, 8), layers_per_block=1, sample_size=16, in_channels=4, out_channels=4, norm_num_groups=2,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"), up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=32,
    )
    vae = AutoencoderKL(block_out_channels=[4, 8], in_channels=3, out_channels=3, latent_channels=4, norm_num_groups=2,
                        down_block_types=["DownEncoderBlock2D"] * 2, up_block_types=["UpDecoderBlock2D"] * 2)
    scheduler = DDIMScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", clip_sample=False,
                              set_alpha_to_one=False)
    pipe = StableDiffusionPipeline(vae=vae, text_encoder=CLIPTextModel(CLIPTextConfig(**TEXT)), tokenizer=tokenizer,
                                   unet=unet, scheduler=scheduler, safety_checker=None, feature_extractor=None,
                                   requires_safety_checker=False)
    pipe.save_pretrained(root / "t2i")
    clip = CLIPModel(CLIPConfig(text_config=TEXT, projection_dim=16, vision_config=dict(
        image_size=32, patch_size=8, hidden_size=32, intermediate_size=37, num_attention_heads=4, num_hidden_layers=2)))
    clip.save_pretrained(root / "clip")
    image_processor = CLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32})
    CLIPProcessor(image_processor=image_processor, tokenizer=tokenizer).save_pretrained(root / "clip")
    return root / "t2i", root / "clip"


def test_one_style_per_story_and_the_scene_words_in_the_prompt():
    first, wanted = scene_prompt(STORY, 0)
    second, _ = scene_prompt(STORY, 1)
    style = story_style(STORY)
    assert first.endswith(style) and second.endswith(style)
    assert "замку" in first and "castle" in first and "moon" in first
    assert {e.name: e.reason for e in wanted}["castle"] == "setting: castle"
    assert "ship" in second and first != second


def test_the_reranker_scores_each_image(tiny_models):
    reranker = ClipReranker(str(tiny_models[1]), "cpu", local_files_only=True)
    noise = [Image.fromarray(np.random.default_rng(i).integers(0, 255, (40, 60, 3), dtype=np.uint8)) for i in range(3)]
    scores = reranker.scores(noise, "a castle at night")
    assert len(scores) == 3 and len(set(scores)) == 3


def test_best_of_n_is_the_candidate_clip_likes_most(tiny_models, tmp_path):
    t2i, clip = tiny_models
    illustrator = DiffusionIllustrator.from_pretrained(str(t2i), str(clip), "cpu", local_files_only=True,
                                                       candidates=3, steps=2, native=(64, 64))
    result = illustrator.illustrate(STORY, 0, (160, 90), tmp_path, seed=3)
    with Image.open(result.image) as image:
        picture = np.asarray(image.convert("RGB"), np.float32)
    assert picture.shape == (90, 160, 3) and (result.width, result.height) == (160, 90)
    assert result.layers == (result.image,)
    assert {"castle", "moon", "hero figure"} <= {e.name for e in result.elements}

    prompt, _ = scene_prompt(STORY, 0)
    candidates = illustrator.pipeline(
        prompt=prompt, negative_prompt="text, letters, watermark, signature, blurry, deformed", num_images_per_prompt=3,
        num_inference_steps=2, width=64, height=64, generator=torch.Generator("cpu").manual_seed(3 * 1000),
    ).images
    scores = illustrator.reranker.scores(candidates, STORY.scenes[0].text)
    from PIL import ImageOps

    fitted = [np.asarray(ImageOps.fit(c.convert("RGB"), (160, 90), Image.Resampling.LANCZOS), np.float32) for c in candidates]
    errors = [np.abs(f - picture).mean() for f in fitted]
    assert int(np.argmin(errors)) == int(np.argmax(scores))
    assert min(errors) < 1 < sorted(errors)[1]  # the saved picture is that candidate and no other


def test_make_illustrator_builds_the_diffusion_backend_from_settings(tiny_models):
    settings = PipelineSettings(illustrator_model=str(tiny_models[0]), illustrator_reranker=str(tiny_models[1]))
    illustrator = make_illustrator("diffusion", settings)
    assert isinstance(illustrator, DiffusionIllustrator)
    assert isinstance(illustrator.reranker, ClipReranker)
    assert illustrator.reranker.device == resolve_device("auto")  # "auto" is resolved, not handed to torch


def test_a_missing_diffusers_names_the_extra(monkeypatch):
    from pipeline.types import MissingExtra

    monkeypatch.setitem(sys.modules, "diffusers", None)  # "import diffusers" now fails as if it were not installed
    with pytest.raises(MissingExtra, match=r"digiteller\[diffusion\]"):
        make_illustrator("diffusion", PipelineSettings(illustrator_model="tiny", illustrator_reranker="tiny"))
