"""The title card (title, genre, a drawn motif) and the end card, as depth planes for the same camera moves."""
from __future__ import annotations

import math
import textwrap

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from pipeline.genres import genre_name
from pipeline.types import Genre, Story
from pipeline.assemble.frames import Plane, plane_from_rgba

FONT_DIR = "/usr/share/fonts/truetype/dejavu/"
# (sky top, sky bottom, motif colour) per genre mood
PALETTES = {
    "dark": ((8, 10, 24), (46, 30, 52), (214, 206, 170)),
    "warm": ((40, 22, 60), (196, 120, 70), (255, 224, 150)),
    "fair": ((18, 30, 80), (90, 120, 190), (250, 236, 180)),
    "cool": ((6, 14, 34), (24, 60, 90), (170, 220, 255)),
}
GENRE_LOOK = {
    Genre.horror: ("dark", "crescent"),
    Genre.tragedy: ("dark", "crescent"),
    Genre.drama: ("dark", "crescent"),
    Genre.detective: ("cool", "crescent"),
    Genre.bylina: ("warm", "sun"),
    Genre.comedy: ("warm", "sun"),
    Genre.fable: ("warm", "sun"),
    Genre.novella: ("fair", "star"),
    Genre.fairy_tale: ("fair", "star"),
    Genre.fantasy: ("fair", "star"),
    Genre.scifi: ("cool", "ringed"),
}
END_WORDS = {"ru": "Конец", "en": "The End"}


def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(FONT_DIR + name, size)


def _gradient(size: tuple[int, int], top: tuple[int, ...], bottom: tuple[int, ...]) -> Image.Image:
    width, height = size
    t = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
    rows = np.asarray(top, np.float32) * (1 - t) + np.asarray(bottom, np.float32) * t
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    vignette = 1.0 - 0.45 * (((xx / width - 0.5) ** 2 + (yy / height - 0.5) ** 2) * 2.2)
    pixels = np.clip(rows * vignette[..., None], 0, 255).astype(np.uint8)
    return Image.fromarray(np.dstack([pixels, np.full((height, width), 255, np.uint8)]), "RGBA")


def _motif(size: tuple[int, int], kind: str, colour: tuple[int, int, int], centre: tuple[float, float]) -> Image.Image:
    """A glowing emblem in a ring of rays: crescent, sun, star or ringed planet."""
    width, height = size
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    cx, cy = centre
    r = min(width, height) * 0.11
    ink = (*colour, 255)
    if kind == "crescent":
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=ink)
        draw.ellipse([cx - r * 0.55, cy - r * 1.05, cx + r * 1.3, cy + r * 0.8], fill=(0, 0, 0, 0))
    elif kind == "sun":
        draw.ellipse([cx - r * 0.8, cy - r * 0.8, cx + r * 0.8, cy + r * 0.8], fill=ink)
    elif kind == "star":
        points = [
            (cx + (r if k % 2 == 0 else r * 0.42) * math.sin(math.pi * k / 5),
             cy - (r if k % 2 == 0 else r * 0.42) * math.cos(math.pi * k / 5))
            for k in range(10)
        ]  # fmt: skip
        draw.polygon(points, fill=ink)
    else:
        draw.ellipse([cx - r * 0.7, cy - r * 0.7, cx + r * 0.7, cy + r * 0.7], fill=ink)
        draw.ellipse([cx - r * 1.2, cy - r * 0.3, cx + r * 1.2, cy + r * 0.3], outline=ink, width=max(2, round(r / 10)))
    for ray in range(24):
        angle = 2 * math.pi * ray / 24
        inner, outer = r * 1.35, r * (1.75 if ray % 2 == 0 else 1.55)
        draw.line(
            [(cx + inner * math.cos(angle), cy + inner * math.sin(angle)),
             (cx + outer * math.cos(angle), cy + outer * math.sin(angle))],
            fill=(*colour, 170), width=max(1, round(r / 30)),
        )  # fmt: skip
    ring = [cx - r * 1.25, cy - r * 1.25, cx + r * 1.25, cy + r * 1.25]
    draw.ellipse(ring, outline=(*colour, 200), width=max(1, round(r / 25)))
    glow = layer.filter(ImageFilter.GaussianBlur(r / 4))
    return Image.alpha_composite(glow, layer)


def _text_layer(size: tuple[int, int], lines: list[tuple[str, ImageFont.FreeTypeFont]], top: float) -> Image.Image:
    """Centred lines with a soft shadow, starting at `top` (a fraction of the height)."""
    width, height = size
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    shadow = Image.new("RGBA", size, (0, 0, 0, 0))
    block = sum(font.size * 1.25 for _, font in lines)
    y = min(top * height, height * 0.92 - block)  # the whole block inside the safe area
    for text, font in lines:
        box = font.getbbox(text)
        x = (width - (box[2] - box[0])) / 2 - box[0]
        offset = max(2, font.size // 14)
        ImageDraw.Draw(shadow).text((x + offset, y + offset), text, font=font, fill=(0, 0, 0, 220))
        ImageDraw.Draw(layer).text((x, y), text, font=font, fill=(255, 250, 235, 255))
        y += font.size * 1.25
    return Image.alpha_composite(shadow.filter(ImageFilter.GaussianBlur(offset)), layer)


def _planes(layers: list[Image.Image], depths: tuple[float, ...]) -> list[Plane]:
    return [
        plane_from_rgba(np.asarray(layer), depth, opaque=index == 0)
        for index, (layer, depth) in enumerate(zip(layers, depths))
    ]


def _wrapped_title(title: str, size: tuple[int, int]) -> tuple[list[str], int]:
    """The title in at most three lines that fit 84% of the width, in the largest font size that does."""
    width, height = size
    font_size = max(16, min(height // 11, width // 14))
    while True:
        font = _font("DejaVuSerif-Bold.ttf", font_size)
        chars = max(8, int(width * 0.84 / (font_size * 0.62)))
        lines = textwrap.wrap(title, width=chars) or [title]
        fits = all(font.getlength(line) <= width * 0.84 for line in lines)
        if (fits and len(lines) <= 2) or font_size <= 14:
            break
        font_size = int(font_size * 0.85)
    if len(lines) > 3:
        lines = lines[:3]
        lines[-1] = lines[-1][: max(1, chars - 1)] + "…"
    return lines, font_size


def _emblem(size: tuple[int, int], picture: Image.Image, centre: tuple[float, float]) -> Image.Image:
    """A picture (RGBA, e.g. the title's thing drawn by the illustrator) fitted into the motif's place."""
    width, height = size
    side = min(width, height) * 0.4
    fitted = picture.convert("RGBA")
    fitted.thumbnail((round(side), round(side)), Image.LANCZOS)
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    layer.alpha_composite(fitted, (round(centre[0] - fitted.width / 2), round(centre[1] - fitted.height / 2)))
    return layer


def _card(story: Story, size: tuple[int, int], words: list[tuple[str, str]], upside_down: bool,
          emblem: Image.Image | None = None) -> list[Plane]:  # fmt: skip
    """A gradient in the genre's colours, its motif (or `emblem`) above, and `words` below as (text, font file)
    lines."""
    mood, kind = GENRE_LOOK.get(story.request.genre, ("fair", "star"))
    top, bottom, ink = PALETTES[mood]
    width, height = size
    font_size = _wrapped_title(story.title, size)[1]
    big = _font("DejaVuSerif-Bold.ttf", font_size)
    lines = [(text, big if face == "big" else _font(face, max(12, font_size // 2))) for text, face in words]
    text = _text_layer(size, lines, top=0.56)
    centre = (width / 2, height * 0.3)
    motif = _motif(size, kind, ink, centre) if emblem is None else _emblem(size, emblem, centre)
    sky = _gradient(size, bottom, top) if upside_down else _gradient(size, top, bottom)
    return _planes([sky, motif, text], (0.0, 0.6, 0.3))


def title_card(story: Story, size: tuple[int, int], emblem: Image.Image | None = None) -> list[Plane]:
    """The title and genre under the genre's motif, or under `emblem` (an RGBA picture) when one is given."""
    title = [(line, "big") for line in _wrapped_title(story.title, size)[0]]
    genre = genre_name(story.request.genre, story.request.language)
    return _card(story, size, [*title, (genre, "DejaVuSans.ttf")], upside_down=False, emblem=emblem)


def end_card(story: Story, size: tuple[int, int]) -> list[Plane]:
    end_word = END_WORDS.get(story.request.language, END_WORDS["en"])
    title = " ".join(_wrapped_title(story.title, size)[0])
    words = [(end_word, "big"), (title, "DejaVuSerif-Italic.ttf")]
    return _card(story, size, words, upside_down=True)
