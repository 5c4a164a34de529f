"""Pictures: drawing time, upscaling time (256→1024, 540p→2160p) and super-resolution quality; medians over --runs.

    OMP_NUM_THREADS=1 .venv/bin/python bench/pictures.py [--runs N] [--backends ncnn,torch] [--models M,...] [--big]

Quality: a shadow-theatre scene is drawn natively at 4× (the ground truth) and at 1× (the same composition: the
illustrator's random choices do not depend on the size), and the 1× drawing is brought back to 4× with Real-ESRGAN
and with bicubic; PSNR and SSIM against the native 4× drawing. The same is reported for the classic protocol's
input, the 4× drawing box-averaged down to 1× ("reduced").
"""
from __future__ import annotations

import argparse
import shlex
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from pipeline.illustrate.shadow.theatre import ShadowTheatreIllustrator
from pipeline.settings import PipelineSettings
from pipeline.types import Character, Genre, Line, Scene, Story, StoryRequest
from pipeline.upscale import Upscaler, make_upscaler

HERO = Character(id="hero", name="Иван", gender="male", role="hero")
SCENES = (
    (Genre.fairy_tale, Scene(setting="castle", time_of_day="dusk", lines=(Line(text="Иван подъехал к замку на коне.", speaker="hero"),))),
    (Genre.detective, Scene(setting="city", time_of_day="night", lines=(Line(text="Сыщик нашёл следы под дождём.", speaker="hero"),))),
    (Genre.scifi, Scene(setting="field", time_of_day="day", lines=(Line(text="Робот смотрел на звездолёт.", speaker="hero"),))),
)


def draw(genre: Genre, scene: Scene, size: tuple[int, int], folder: Path) -> Image.Image:
    story = Story(request=StoryRequest(title="bench", genre=genre), title="bench", characters=(HERO,), scenes=(scene,))
    with Image.open(ShadowTheatreIllustrator().illustrate(story, 0, size, folder, seed=1).image) as image:
        return image.convert("RGB")


def median_seconds(action, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else float(10 * np.log10(255**2 / mse))


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    """Mean SSIM of the luma, Gaussian window σ=1.5 (Wang et al. 2004)."""
    import torch
    from torch.nn import functional as F

    def luma(x: np.ndarray) -> torch.Tensor:
        y = x.astype(np.float64) @ np.array([0.299, 0.587, 0.114])
        return torch.from_numpy(y)[None, None]

    k = torch.exp(-((torch.arange(11, dtype=torch.float64) - 5) ** 2) / (2 * 1.5**2))
    window = (k[:, None] * k[None, :] / k.sum() ** 2)[None, None]
    x, y = luma(a), luma(b)

    def blur(t: torch.Tensor) -> torch.Tensor:
        return F.conv2d(t, window)

    mx, my = blur(x), blur(y)
    vx, vy, cov = blur(x * x) - mx**2, blur(y * y) - my**2, blur(x * y) - mx * my
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    s = ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx**2 + my**2 + c1) * (vx + vy + c2))
    return float(s.mean())


def make(backend: str, model: str) -> Upscaler:
    """One thread (ncnn) and the CPU (torch), as the timings in the README were taken."""
    return make_upscaler(backend, PipelineSettings(upscale_model=model, upscale_threads=1, upscale_device="cpu"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backends", default="ncnn,torch")
    parser.add_argument("--models", default="realesr-animevideov3-x4")
    parser.add_argument("--big", action="store_true", help="also time 540p→2160p (one run each: slow on a CPU)")
    args = parser.parse_args()
    print("command:", shlex.join([sys.executable, *sys.argv]))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for size in ((1280, 720), (3840, 2160)):
            seconds = median_seconds(lambda: draw(*SCENES[0], size, folder), args.runs)
            print(f"draw {size[0]}x{size[1]} shadow theatre: {seconds:.2f} s")
        truths = [draw(genre, scene, (1024, 576), folder / genre.value) for genre, scene in SCENES]
        inputs = {
            "native 1×": [draw(genre, scene, (256, 144), folder / f"{genre.value}-1x") for genre, scene in SCENES],
            "reduced": [t.resize((256, 144), Image.Resampling.BOX) for t in truths],
        }
        for kind, images in inputs.items():
            report_quality(f"bicubic, {kind}", truths, [i.resize(t.size, Image.Resampling.BICUBIC) for i, t in zip(images, truths)])
        square = truths[0].resize((256, 256), Image.Resampling.BOX)
        p540 = truths[0].resize((960, 540), Image.Resampling.LANCZOS)
        for model in args.models.split(","):
            for backend in args.backends.split(","):
                upscaler = make(backend, model)
                seconds = median_seconds(lambda: upscaler.upscale(square), args.runs)
                print(f"{backend} {model} 256x256→1024x1024: {seconds:.2f} s")
                if args.big:
                    print(f"{backend} {model} 960x540→3840x2160: {median_seconds(lambda: upscaler.upscale(p540), 1):.2f} s")
                for kind, images in inputs.items():
                    report_quality(f"{backend} {model}, {kind}", truths, [upscaler.upscale(i) for i in images])


def report_quality(name: str, truths: list[Image.Image], guesses: list[Image.Image]) -> None:
    pairs = [(np.asarray(t), np.asarray(g)) for t, g in zip(truths, guesses)]
    p = statistics.median(psnr(t, g) for t, g in pairs)
    s = statistics.median(ssim(t, g) for t, g in pairs)
    print(f"quality ×4 {name}: PSNR {p:.2f} dB, SSIM {s:.4f} (median of {len(pairs)} scenes, vs native 4× drawing)")


if __name__ == "__main__":
    main()
