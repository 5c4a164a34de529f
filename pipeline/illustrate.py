"""Illustrate: a scene → a layered "shadow theatre" picture (sky, far, near, figures) drawn with PIL.

What gets drawn comes from the scene's setting, time of day, props and words (Russian words lemmatised
with pymorphy3, English ones by suffix stripping), looked up in a keyword table. Everything is vector
silhouettes over a gradient sky, supersampled for smooth edges, and seeded so a picture can be redrawn (with the
same composition at any size). Props beyond the hand-drawn ones come from the game-icons assets
(pipeline/pictures/icons.py); rain, snow, lightning and sparks from pipeline/pictures/weather.py.
"""
from __future__ import annotations

import math
import re
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Protocol

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from pipeline.morph import morph
from pipeline.pictures import icons, weather
from pipeline.types import Character, DrawnElement, Genre, Illustration, Scene, Story

RGB = tuple[int, int, int]
Point = tuple[float, float]


class Illustrator(Protocol):
    def illustrate(self, story: Story, scene_index: int, size: tuple[int, int], out_dir: Path, seed: int) -> Illustration:
        ...


# ---------------------------------------------------------------------------------------------------
# What to draw: keyword table, lemmatisation, the scene plan
# ---------------------------------------------------------------------------------------------------

# element → words (Russian normal forms and English singulars) that call for it
ELEMENT_WORDS: dict[str, tuple[str, ...]] = {
    "castle": ("замок", "крепость", "дворец", "кремль", "палаты", "castle", "fortress", "palace", "citadel"),
    "tower": ("башня", "tower"),
    "moon": ("луна", "месяц", "ночь", "полночь", "полнолуние", "moon", "night", "midnight"),
    "sun": ("солнце", "солнышко", "sun", "sunshine"),
    "stars": ("звезда", "звёздочка", "star"),
    "clouds": ("облако", "туча", "небо", "cloud", "sky"),
    "trees": ("лес", "роща", "чаща", "бор", "ель", "ёлка", "сосна", "forest", "wood", "woods", "grove", "pine", "fir"),
    "big tree": ("дерево", "дуб", "берёза", "ива", "клён", "tree", "oak", "birch", "willow", "maple"),
    "sea": ("море", "океан", "берег", "sea", "ocean", "shore", "coast"),
    "water": ("река", "озеро", "пруд", "вода", "волна", "ручей", "river", "lake", "pond", "water", "wave", "stream"),
    "ship": ("корабль", "лодка", "ладья", "парус", "судно", "челн", "ship", "boat", "sail", "vessel"),
    "mountains": ("гора", "скала", "хребет", "утёс", "mountain", "rock", "cliff", "peak"),
    "house": ("дом", "изба", "избушка", "хижина", "домик", "терем", "house", "hut", "cottage", "home", "cabin"),
    "village": ("деревня", "село", "селение", "village", "hamlet"),
    "city": ("город", "столица", "улица", "city", "town", "street", "capital"),
    "church": ("церковь", "храм", "собор", "монастырь", "church", "temple", "cathedral", "monastery"),
    "mill": ("мельница", "мельник", "mill", "windmill", "miller"),
    "cave": ("пещера", "подземелье", "нора", "логово", "cave", "dungeon", "lair", "den"),
    "field": ("поле", "степь", "луг", "нива", "пшеница", "field", "steppe", "meadow", "wheat"),
    "reeds": ("болото", "трясина", "камыш", "топь", "swamp", "marsh", "bog", "reed"),
    "road": ("дорога", "путь", "тропа", "тропинка", "road", "path", "trail"),
    "train": ("поезд", "паровоз", "вагон", "рельс", "train", "locomotive", "railway", "rail"),
    "bridge": ("мост", "мостик", "bridge"),
    "graves": ("кладбище", "могила", "крест", "погост", "гроб", "graveyard", "cemetery", "grave", "tomb", "coffin"),
    "campfire": ("костёр", "огонь", "пламя", "fire", "campfire", "bonfire", "flame"),
    "lantern": ("свеча", "фонарь", "лампа", "светильник", "лучина", "candle", "lantern", "lamp", "torch"),
    "sword": ("меч", "сабля", "клинок", "шпага", "sword", "blade", "sabre", "saber"),
    "crown": ("корона", "венец", "царь", "король", "царица", "королева", "crown", "king", "queen", "tsar"),
    "wolf": ("волк", "волчица", "wolf"),
    "fox": ("лиса", "лисица", "лис", "fox", "vixen"),
    "bear": ("медведь", "медведица", "мишка", "bear"),
    "horse": ("конь", "лошадь", "кобыла", "жеребец", "скакун", "horse", "steed", "mare", "pony"),
    "cat": ("кот", "кошка", "котёнок", "cat", "kitten"),
    "dog": ("собака", "пёс", "щенок", "dog", "hound", "puppy"),
    "hare": ("заяц", "зайчик", "кролик", "hare", "rabbit", "bunny"),
    "dragon": ("дракон", "змей", "горыныч", "dragon", "wyrm"),
    "snake": ("змея", "гадюка", "snake", "serpent", "viper"),
    "raven": ("ворон", "ворона", "галка", "raven", "crow", "rook"),
    "birds": ("птица", "птичка", "стая", "лебедь", "гусь", "журавль", "bird", "swan", "goose", "crane", "flock"),
    "owl": ("сова", "филин", "owl"),
    "bats": ("нетопырь", "вампир", "bat", "vampire"),
    "ghost": ("призрак", "привидение", "дух", "ghost", "spirit", "phantom", "spectre", "specter"),
    # weather
    "rain": ("дождь", "дождик", "ливень", "морось", "rain", "drizzle", "downpour", "shower"),
    "snow": ("снег", "снегопад", "метель", "вьюга", "пурга", "зима", "сугроб", "мороз", "snow", "blizzard", "winter",
             "frost", "snowfall"),
    "fog": ("туман", "мгла", "дымка", "fog", "mist", "haze"),
    "lightning": ("гроза", "молния", "гром", "буря", "шторм", "storm", "lightning", "thunder", "thunderstorm"),
    # drawn from the game-icons assets (ICON_PROPS)
    "spaceship": ("звездолёт", "космолёт", "spaceship", "starship", "spacecraft"),
    "rocket": ("ракета", "rocket"),
    "ufo": ("нло", "тарелка", "ufo", "saucer"),
    "planet": ("планета", "космос", "галактика", "марс", "сатурн", "planet", "space", "galaxy", "mars", "saturn"),
    "satellite": ("спутник", "орбита", "satellite", "orbit"),
    "robot": ("робот", "андроид", "киборг", "robot", "android", "cyborg"),
    "alien": ("пришелец", "инопланетянин", "alien", "martian"),
    "ray gun": ("бластер", "лазер", "blaster", "laser"),
    "magnifying glass": ("лупа", "улика", "сыщик", "детектив", "расследование", "magnifier", "clue", "detective",
                         "investigation", "sleuth"),
    "revolver": ("револьвер", "пистолет", "выстрел", "ружьё", "revolver", "pistol", "gun", "gunshot"),
    "footprints": ("след", "отпечаток", "footprint", "footstep"),
    "hat": ("шляпа", "hat", "fedora"),
    "pipe": ("трубка", "pipe"),
    "letter": ("письмо", "записка", "конверт", "letter", "envelope"),
    "key": ("ключ", "key"),
    "handcuffs": ("наручники", "арест", "handcuffs", "arrest"),
    "lighthouse": ("маяк", "lighthouse"),
    "unicorn": ("единорог", "unicorn"),
    "deer": ("олень", "лань", "deer", "stag", "doe"),
    "crystal": ("кристалл", "самоцвет", "алмаз", "crystal", "gem", "diamond", "jewel"),
    "staff": ("посох", "жезл", "staff", "wand"),
    "skull": ("череп", "скелет", "skull", "skeleton"),
    "mushrooms": ("гриб", "mushroom", "toadstool"),
    "treasure": ("сундук", "клад", "сокровище", "золото", "chest", "treasure", "gold"),
    "cauldron": ("котёл", "зелье", "cauldron", "potion", "brew"),
    "pumpkin": ("тыква", "pumpkin"),
    "book": ("книга", "заклинание", "гримуар", "book", "spell", "grimoire"),
    "spider": ("паук", "spider"),
    "cobweb": ("паутина", "cobweb", "web"),
    "tent": ("шатёр", "палатка", "лагерь", "tent", "camp"),
    "well": ("колодец",),  # not the English "well": it is mostly an adverb
    "portal": ("портал", "врата", "portal", "gateway"),
    "clock tower": ("часы", "куранты", "clock"),
    "snowman": ("снеговик", "snowman"),
}

# a scene's setting key → elements; settings not listed go through the keyword table
SETTING_ELEMENTS: dict[str, tuple[str, ...]] = {
    "forest": ("trees",),
    "castle": ("castle",),
    "village": ("village",),
    "sea": ("sea",),
    "ocean": ("sea",),
    "river": ("water",),
    "lake": ("water",),
    "mountains": ("mountains",),
    "city": ("city",),
    "cave": ("cave",),
    "field": ("field",),
    "steppe": ("field",),
    "house": ("house",),
    "swamp": ("reeds", "water"),
    "sky": ("clouds", "birds"),
    "road": ("road",),
    "train": ("train",),
    "graveyard": ("graves",),
    "church": ("church",),
}

TIME_ELEMENTS: dict[str, tuple[str, ...]] = {
    "night": ("moon", "stars"),
    "dusk": ("sun", "stars"),
    "dawn": ("sun",),
    "day": ("sun", "clouds"),
}

# what a genre adds to every scene, so the genre shows even where the words are plain
GENRE_ELEMENTS: dict[Genre, tuple[str, ...]] = {
    Genre.scifi: ("planet",),
    Genre.detective: ("fog",),
    Genre.fantasy: ("magic sparks",),
}

# an element that brings another with it: a thunderstorm needs its clouds
IMPLIED_ELEMENTS: dict[str, tuple[str, ...]] = {"lightning": ("clouds",), "snowman": ("snow",)}

ANIMALS = ("wolf", "fox", "bear", "horse", "cat", "dog", "hare", "snake")


def _normalise(word: str) -> str:
    return word.lower().replace("ё", "е")


KEYWORDS: dict[str, str] = {_normalise(w): element for element, words in ELEMENT_WORDS.items() for w in words}
_WORD = re.compile(r"[a-zа-яё]+(?:'[a-z]+)?", re.IGNORECASE)
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_ENGLISH_SUFFIXES = (("ies", "y"), ("ves", "f"), ("es", ""), ("s", ""), ("ing", ""), ("ed", ""), ("'s", ""))


@lru_cache(maxsize=100_000)
def lemmas(word: str) -> tuple[str, ...]:
    """Every normal form a word could have ("замком" → замок; "ночью" → ночью, ночь; "wolves" → wolf...)."""
    word = word.lower()
    if _CYRILLIC.search(word):
        forms = dict.fromkeys(_normalise(p.normal_form) for p in morph().parse(word))  # most likely first
        # a word already in its normal form reads as itself: "Змей" is the dragon before it is a snake
        return tuple(sorted(forms, key=lambda form: form != _normalise(word)))
    forms = [word]
    for suffix, replacement in _ENGLISH_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            forms.append(word[: -len(suffix)] + replacement)
    return tuple(dict.fromkeys(forms))


def words_with_lemmas(text: str) -> list[tuple[str, tuple[str, ...]]]:
    return [(word, lemmas(word)) for word in _WORD.findall(text)]


def keyword_elements(text: str) -> dict[str, str]:
    """element → the first word of the text that calls for it."""
    found: dict[str, str] = {}
    for word, forms in words_with_lemmas(text):
        element = next((KEYWORDS[f] for f in forms if f in KEYWORDS), None)  # one reading per word
        if element and element not in found:
            found[element] = word
    return found


@dataclass(frozen=True)
class Actor:
    """A character seen in the scene: a person, or an animal when the name says so ("Лиса", "Ворона")."""

    character: Character
    animal: str | None


@dataclass
class ScenePlan:
    genre: Genre
    time_of_day: str
    elements: dict[str, str]  # element → reason, in the order they were found
    actors: list[Actor]


def plan_scene(story: Story, scene_index: int) -> ScenePlan:
    scene = story.scenes[scene_index]
    elements: dict[str, str] = {}

    def add(element: str, reason: str) -> None:
        elements.setdefault(element, reason)

    for element in SETTING_ELEMENTS.get(scene.setting, ()) or keyword_elements(scene.setting):
        add(element, f"setting: {scene.setting}")
    for element in TIME_ELEMENTS.get(scene.time_of_day, ()):
        add(element, f"time: {scene.time_of_day}")
    for prop in scene.props:
        for element in keyword_elements(prop.replace("_", " ")) or ():
            add(element, f"prop: {prop}")
    actors = _actors(story, scene)
    names = {_normalise(form) for a in actors for w in a.character.name.split() for form in lemmas(w)}
    for element, word in keyword_elements(scene.text).items():
        if not (set(lemmas(word)) & names):  # "Лиса" the character is drawn as an actor, not again as a prop
            add(element, f"word: {word}")
    for element in GENRE_ELEMENTS.get(story.request.genre, ()):
        add(element, f"genre: {story.request.genre.value}")
    for element, reason in list(elements.items()):
        for implied in IMPLIED_ELEMENTS.get(element, ()):
            add(implied, reason)
    if scene.time_of_day == "night":
        elements.pop("sun", None)
    return ScenePlan(story.request.genre, scene.time_of_day, elements, actors)


def _actors(story: Story, scene: Scene) -> list[Actor]:
    """Characters who speak in the scene or are named in it; a name that is an animal word makes an animal."""
    scene_forms = {form for _, forms in words_with_lemmas(scene.text) for form in forms}
    speakers = {line.speaker for line in scene.lines}
    actors = []
    for character in story.characters:
        name_forms = [lemmas(w) for w in _WORD.findall(character.name) if len(w) >= 3]
        named = any(set(forms) & scene_forms for forms in name_forms)
        if character.id in speakers or named:
            animal = next((KEYWORDS[f] for forms in name_forms for f in forms if KEYWORDS.get(f) in _ACTOR_ANIMALS), None)
            actors.append(Actor(character, animal))
    return actors[:4]


_ACTOR_ANIMALS = (*ANIMALS, "dragon", "raven", "owl", "robot", "alien", "unicorn", "deer")  # "Робот Зорг" is a robot


# ---------------------------------------------------------------------------------------------------
# Colours
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Palette:
    sky: tuple[RGB, RGB, RGB]  # top, middle, horizon
    glow: RGB  # sun or moon
    ink: RGB  # the nearest silhouettes
    light: RGB  # lit windows and fire

    def plane(self, depth: float) -> RGB:
        """Colour of a silhouette plane: 0 = the horizon's colour, 1 = ink (aerial perspective)."""
        return _mix(self.sky[2], self.ink, depth)


GENRE_PALETTES: dict[Genre, Palette] = {
    Genre.horror: Palette(((8, 12, 8), (38, 58, 34), (132, 156, 82)), (218, 228, 176), (4, 7, 5), (196, 226, 96)),
    Genre.fairy_tale: Palette(((38, 30, 92), (156, 74, 126), (254, 178, 94)), (255, 228, 164), (28, 14, 38), (255, 204, 96)),
    Genre.comedy: Palette(((58, 138, 228), (130, 192, 246), (252, 238, 184)), (255, 248, 214), (32, 32, 54), (255, 222, 96)),
    Genre.tragedy: Palette(((30, 40, 58), (90, 106, 126), (174, 184, 194)), (228, 232, 242), (12, 15, 22), (206, 214, 232)),
    Genre.bylina: Palette(((82, 114, 170), (216, 170, 94), (252, 216, 128)), (255, 238, 176), (44, 26, 12), (255, 194, 84)),
    Genre.fable: Palette(((66, 126, 148), (168, 202, 172), (242, 232, 184)), (255, 246, 204), (20, 32, 26), (255, 216, 124)),
    Genre.drama: Palette(((38, 12, 32), (138, 40, 54), (242, 124, 74)), (255, 212, 164), (22, 7, 13), (255, 172, 92)),
    Genre.novella: Palette(((68, 56, 48), (160, 122, 84), (234, 204, 152)), (255, 238, 200), (32, 24, 18), (255, 202, 124)),
    # fantasy: violet dusk over a teal horizon, with cold magic light
    Genre.fantasy: Palette(((26, 20, 78), (96, 62, 152), (116, 206, 192)), (236, 250, 255), (14, 10, 34), (150, 255, 224)),
    # science fiction: deep space blue into a magenta horizon, cyan lights
    Genre.scifi: Palette(((4, 6, 26), (24, 42, 100), (222, 96, 172)), (184, 240, 255), (6, 8, 22), (96, 236, 255)),
    # detective: grey-sepia noir, gas-lamp yellow
    Genre.detective: Palette(((30, 32, 36), (86, 90, 94), (180, 172, 150)), (240, 232, 206), (10, 10, 12), (255, 214, 140)),
}

_DAY_BLUE = (176, 206, 236)
_DAWN_PINK = (252, 172, 168)


def _mix(a: Iterable[float], b: Iterable[float], t: float) -> RGB:
    return tuple(int(round(x + (y - x) * t)) for x, y in zip(a, b))  # type: ignore[return-value]


def _scaled(color: RGB, k: float) -> RGB:
    return tuple(int(min(255, round(c * k))) for c in color)  # type: ignore[return-value]


def palette_for(genre: Genre, time_of_day: str) -> Palette:
    """The genre sets the mood's hues; the time of day sets how light the sky is."""
    base = GENRE_PALETTES[genre]
    top, mid, horizon = base.sky
    if time_of_day == "night":
        sky = (_scaled(top, 0.2), _scaled(mid, 0.3), _scaled(horizon, 0.48))
        return Palette(sky, _mix(base.glow, (235, 240, 255), 0.3), _scaled(base.ink, 0.6), base.light)
    if time_of_day == "day":
        sky = tuple(_mix(_scaled(c, 1.2), _DAY_BLUE, k) for c, k in ((top, 0.55), (mid, 0.45), (horizon, 0.3)))
        return Palette(sky, base.glow, base.ink, base.light)  # type: ignore[arg-type]
    if time_of_day == "dawn":
        sky = (_mix(top, _DAY_BLUE, 0.25), _mix(mid, _DAWN_PINK, 0.35), _mix(horizon, _DAWN_PINK, 0.3))
        return Palette(sky, base.glow, base.ink, base.light)
    return base


# ---------------------------------------------------------------------------------------------------
# Drawing primitives
# ---------------------------------------------------------------------------------------------------


class Canvas:
    """An RGBA layer drawn at `ss`× and reduced at the end, so silhouette edges are antialiased."""

    def __init__(self, size: tuple[int, int], ss: int):
        self.size = size
        self.ss = ss
        self.image = Image.new("RGBA", (size[0] * ss, size[1] * ss), (0, 0, 0, 0))
        self.draw = ImageDraw.Draw(self.image)

    def _xy(self, points: Iterable[Point]) -> list[Point]:
        return [(x * self.ss, y * self.ss) for x, y in points]

    def polygon(self, points: Iterable[Point], color: RGB, alpha: int = 255) -> None:
        pts = self._xy(points)
        if len(pts) >= 3:
            self.draw.polygon(pts, fill=(*color, alpha))

    def ellipse(self, cx: float, cy: float, rx: float, ry: float, color: RGB, alpha: int = 255) -> None:
        s = self.ss
        self.draw.ellipse(((cx - rx) * s, (cy - ry) * s, (cx + rx) * s, (cy + ry) * s), fill=(*color, alpha))

    def rect(self, x0: float, y0: float, x1: float, y1: float, color: RGB, alpha: int = 255) -> None:
        s = self.ss
        self.draw.rectangle((min(x0, x1) * s, min(y0, y1) * s, max(x0, x1) * s, max(y0, y1) * s), fill=(*color, alpha))

    def line(self, points: list[Point], width: float, color: RGB, alpha: int = 255) -> None:
        """A thick polyline with round joints and ends (limbs, branches, masts)."""
        pts = self._xy(points)
        w = max(1.0, width * self.ss)
        self.draw.line(pts, fill=(*color, alpha), width=max(1, round(w)), joint="curve")
        for x, y in (pts[0], pts[-1]):
            self.draw.ellipse((x - w / 2, y - w / 2, x + w / 2, y + w / 2), fill=(*color, alpha))

    def tapered(self, points: list[Point], w0: float, w1: float, color: RGB) -> None:
        """A polyline whose width goes from w0 to w1 (branches, tails, horns)."""
        n = len(points)
        for i in range(n - 1):
            w = w0 + (w1 - w0) * (i / max(1, n - 2))
            self.line([points[i], points[i + 1]], w, color)

    def finish(self) -> Image.Image:
        return self.image.reduce(self.ss) if self.ss > 1 else self.image


@dataclass(frozen=True)
class Pose:
    """Maps figure units (u forward, v up, 1 = figure height) to pixels."""

    x: float
    y: float  # the ground under the figure
    height: float
    facing: int = 1

    def pt(self, u: float, v: float) -> Point:
        return (self.x + self.facing * u * self.height, self.y - v * self.height)

    def pts(self, uv: Iterable[Point]) -> list[Point]:
        return [self.pt(u, v) for u, v in uv]

    def len(self, units: float) -> float:
        return units * self.height


def smooth(points: Iterable[Point], closed: bool = False, steps: int = 6) -> list[Point]:
    """A Catmull-Rom spline through the points, for organic outlines."""
    pts = np.asarray(list(points), dtype=float)
    if len(pts) < 3:
        return [(float(x), float(y)) for x, y in pts]
    ext = np.vstack([pts[-1:], pts, pts[:2]]) if closed else np.vstack([pts[:1], pts, pts[-1:]])
    t = np.linspace(0, 1, steps, endpoint=False)[:, None]
    out: list[Point] = []
    for i in range(1, len(ext) - 2):
        p0, p1, p2, p3 = ext[i - 1], ext[i], ext[i + 1], ext[i + 2]
        seg = 0.5 * (2 * p1 + (p2 - p0) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2 + (3 * p1 - p0 - 3 * p2 + p3) * t**3)
        out.extend((float(x), float(y)) for x, y in seg)
    if not closed:
        out.append((float(pts[-1][0]), float(pts[-1][1])))
    return out


def limb_outline(points: list[Point], widths: list[float]) -> list[Point]:
    """The outline of a smooth tapered stroke along `points` (widths in px at each point), round at both ends."""
    centre = np.asarray(smooth(points, steps=5))
    if len(centre) < 2:
        return []
    half = np.interp(np.linspace(0, 1, len(centre)), np.linspace(0, 1, len(widths)), widths) / 2
    d = np.gradient(centre, axis=0)
    d /= np.linalg.norm(d, axis=1, keepdims=True) + 1e-9
    normal = np.stack([-d[:, 1], d[:, 0]], axis=1)
    left, right = centre + normal * half[:, None], centre - normal * half[:, None]
    a_end, a_start = math.atan2(d[-1, 1], d[-1, 0]), math.atan2(d[0, 1], d[0, 0])
    arc = np.linspace(math.pi / 2, -math.pi / 2, 7)
    cap_end = [_polar(centre[-1], half[-1], a_end + a) for a in arc]
    cap_start = [_polar(centre[0], half[0], a_start + math.pi + a) for a in arc]
    return [*map(tuple, left), *cap_end, *map(tuple, right[::-1]), *cap_start]


def _polar(origin: np.ndarray, radius: float, angle: float) -> Point:
    return (float(origin[0] + radius * math.cos(angle)), float(origin[1] + radius * math.sin(angle)))


@dataclass
class Puppet:
    """Draws one figure: shapes and limbs in the pose's units, optionally hunched forward."""

    canvas: Canvas
    pose: Pose
    ink: RGB
    hunch: float = 0.0

    def pt(self, u: float, v: float) -> Point:
        lift = max(0.0, v - 0.45) / 0.55
        return self.pose.pt(u + self.hunch * lift, v - self.hunch * 0.5 * lift)

    def pts(self, uv: Iterable[Point]) -> list[Point]:
        return [self.pt(u, v) for u, v in uv]

    def shape(self, uv: Iterable[Point], smooth_edges: bool = True) -> None:
        pts = self.pts(uv)
        self.canvas.polygon(smooth(pts, closed=True) if smooth_edges else pts, self.ink)

    def limb(self, uv: Iterable[Point], widths: Iterable[float]) -> None:
        self.canvas.polygon(limb_outline(self.pts(uv), [self.pose.len(w) for w in widths]), self.ink)

    def disk(self, u: float, v: float, r: float) -> None:
        self.canvas.ellipse(*self.pt(u, v), self.pose.len(r), self.pose.len(r), self.ink)


def _blend_patch(layer: Image.Image, patch: np.ndarray, x0: int, y0: int) -> None:
    """Alpha-composite a float RGBA patch (0..1) onto a layer at (x0, y0)."""
    img = Image.fromarray((np.clip(patch, 0, 1) * 255 + 0.5).astype(np.uint8), "RGBA")
    layer.alpha_composite(img, dest=(x0, y0))


def _glow(layer: Image.Image, cx: float, cy: float, radius: float, color: RGB, strength: float) -> None:
    """A soft round light (fire, lantern) as a translucent patch."""
    r = int(radius * 2.2)
    x0, y0 = max(0, int(cx) - r), max(0, int(cy) - r)
    x1, y1 = min(layer.width, int(cx) + r), min(layer.height, int(cy) + r)
    if x1 <= x0 or y1 <= y0:
        return
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    alpha = strength * np.exp(-(((xx - cx) ** 2 + (yy - cy) ** 2) / (radius**2)))
    patch = np.empty((y1 - y0, x1 - x0, 4), np.float32)
    patch[..., :3] = np.array(color, np.float32) / 255
    patch[..., 3] = alpha
    _blend_patch(layer, patch, x0, y0)


def midpoint_ridge(rng: np.random.Generator, width: int, roughness: float, octaves: int = 9) -> np.ndarray:
    """A 1-D fractal profile by midpoint displacement, one value per pixel column, in [-1, 1]."""
    n = 2**octaves + 1
    h = np.zeros(n)
    h[[0, -1]] = rng.uniform(-1, 1, 2)
    step, amp = n - 1, 1.0
    while step > 1:
        half = step // 2
        mids = np.arange(half, n - 1, step)
        h[mids] = (h[mids - half] + h[mids + half]) / 2 + rng.uniform(-amp, amp, len(mids))
        amp *= roughness
        step = half
    h /= max(1e-6, np.abs(h).max())
    return np.interp(np.linspace(0, n - 1, width), np.arange(n), h)


# ---------------------------------------------------------------------------------------------------
# The scene being drawn
# ---------------------------------------------------------------------------------------------------


@dataclass
class Stage:
    plan: ScenePlan
    size: tuple[int, int]
    rng: np.random.Generator
    palette: Palette
    looks_seed: int
    ss: int
    ground: np.ndarray = field(default_factory=lambda: np.zeros(0))  # ground y per pixel column (inf = water)
    sky_body: tuple[float, float, float] | None = None  # x, y, radius of the sun or moon
    drawn: dict[str, str] = field(default_factory=dict)
    taken: list[tuple[float, float]] = field(default_factory=list)  # x spans used on the ground
    people_x: list[float] = field(default_factory=list)  # where the people stand, for animals to face them

    @property
    def w(self) -> int:
        return self.size[0]

    @property
    def h(self) -> int:
        return self.size[1]

    @property
    def unit(self) -> float:
        """Scale of things: a person is about 0.3 units tall."""
        return min(self.h, self.w * 0.75)

    def wants(self, element: str) -> bool:
        return element in self.plan.elements

    def spawn(self) -> np.random.Generator:
        """A separate stream for a loop whose count follows the pixel size (stars, grass, rain): the main stream
        then advances by one draw at any size, so a picture has the same composition at 720p and at 4K."""
        return np.random.default_rng(int(self.rng.integers(2**63)))

    def mark(self, element: str, reason: str | None = None) -> None:
        self.drawn.setdefault(element, reason or self.plan.elements.get(element, "composition"))

    def ground_at(self, x: float) -> float:
        return float(self.ground[int(min(max(x, 0), self.w - 1))])

    def nearest_ground(self, x: float) -> float:
        solid = np.flatnonzero(np.isfinite(self.ground))
        return float(solid[np.argmin(np.abs(solid - x))]) if len(solid) else x

    def free_spot(self, width: float, lo: float = 0.08, hi: float = 0.92) -> float | None:
        """An x on solid ground whose span [x - width/2, x + width/2] overlaps nothing taken yet."""
        for _ in range(40):
            x = float(self.rng.uniform(lo, hi)) * self.w
            span = (x - width / 2, x + width / 2)
            on_ground = np.isfinite(self.ground[int(max(0, span[0])) : int(min(self.w, span[1])) + 1]).all()
            if on_ground and all(span[1] < a or span[0] > b for a, b in self.taken):
                self.taken.append(span)
                return x
        return None

    @property
    def terrain(self) -> str:
        if self.wants("cave"):
            return "cave"
        return "sea" if self.wants("sea") else "land"

    @property
    def horizon(self) -> float:
        return self.h * (0.6 if self.terrain == "sea" else 0.64)


# ---------------------------------------------------------------------------------------------------
# Sky layer
# ---------------------------------------------------------------------------------------------------


def draw_sky(stage: Stage) -> Image.Image:
    w, h, pal = stage.w, stage.h, stage.palette
    stops_y = np.array([0.0, 0.42, stage.horizon / h + 0.04])
    stops = np.array(pal.sky, np.float32) / 255
    t = np.linspace(0, 1, h)
    column = np.stack([np.interp(t, stops_y, stops[:, c]) for c in range(3)], axis=1)
    sky = np.repeat(column[:, None, :], w, axis=1).astype(np.float32)
    body = _place_sky_body(stage)
    if body:
        x, y, r = body
        yy, xx = np.ogrid[0:h, 0:w]
        dist = np.sqrt((xx - x) ** 2 + ((yy - y) * 1.15) ** 2).astype(np.float32)
        glow = np.exp(-dist / (r * 5))[..., None] * 0.55 + np.exp(-dist / (r * 1.6))[..., None] * 0.35
        sky += (np.array(pal.glow, np.float32) / 255 - sky) * np.clip(glow, 0, 1)
    _vignette(sky)
    rgba = np.concatenate([sky, np.ones((h, w, 1), np.float32)], axis=2)
    if stage.wants("stars") and stage.plan.time_of_day in ("night", "dusk"):
        _draw_stars(stage, rgba)
    if body:
        _draw_sky_body(stage, rgba, *body)
    image = Image.fromarray((np.clip(rgba, 0, 1) * 255 + 0.5).astype(np.uint8), "RGBA")
    if stage.wants("clouds"):
        image.alpha_composite(_draw_clouds(stage))
    if stage.wants("lightning"):
        light = _mix(pal.glow, (255, 255, 255), 0.6)
        weather.lightning(image, stage.spawn(), stage.unit, stage.horizon * 0.3, stage.horizon * 1.02, light)
        stage.mark("lightning")
    if stage.terrain != "cave":
        _draw_sky_icons(image, stage)
    return image


def _place_sky_body(stage: Stage) -> tuple[float, float, float] | None:
    moon = stage.wants("moon")
    if not moon and not stage.wants("sun"):
        return None
    rng = stage.rng
    low = stage.plan.time_of_day in ("dusk", "dawn") and not moon
    x = stage.w * float(rng.choice([rng.uniform(0.15, 0.38), rng.uniform(0.62, 0.85)]))
    y = stage.horizon * (rng.uniform(0.72, 0.88) if low else rng.uniform(0.2, 0.38))
    r = stage.unit * (rng.uniform(0.07, 0.1) if moon and stage.plan.genre == Genre.horror else rng.uniform(0.045, 0.07))
    stage.sky_body = (x, y, r)
    return stage.sky_body


def _disk_alpha(xx: np.ndarray, yy: np.ndarray, cx: float, cy: float, r: float) -> np.ndarray:
    return np.clip(r - np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2) + 0.5, 0, 1)


def _paint(rgba: np.ndarray, alpha: np.ndarray, color: Iterable[float], box: tuple[int, int, int, int]) -> None:
    x0, y0, x1, y1 = box
    region = rgba[y0:y1, x0:x1, :3]
    region += (np.array(list(color), np.float32) - region) * alpha[..., None]


def _box(stage: Stage, cx: float, cy: float, r: float) -> tuple[int, int, int, int]:
    return (max(0, int(cx - r - 2)), max(0, int(cy - r - 2)), min(stage.w, int(cx + r + 3)), min(stage.h, int(cy + r + 3)))


def _draw_sky_body(stage: Stage, rgba: np.ndarray, x: float, y: float, r: float) -> None:
    box = _box(stage, x, y, r)
    yy, xx = np.mgrid[box[1] : box[3], box[0] : box[2]].astype(np.float32)
    color = np.array(stage.palette.glow, np.float32) / 255
    disk = _disk_alpha(xx, yy, x, y, r)
    if stage.wants("moon"):
        crescent = stage.plan.genre not in (Genre.horror, Genre.tragedy) and stage.rng.random() < 0.5
        if crescent:
            disk *= 1 - _disk_alpha(xx, yy, x + r * 0.45, y - r * 0.2, r * 0.92)
        _paint(rgba, disk, color, box)
        for _ in range(0 if crescent else 4):  # a few soft "seas" on a full moon
            cx, cy = x + stage.rng.uniform(-0.6, 0.4) * r, y + stage.rng.uniform(-0.6, 0.5) * r
            spread = r * stage.rng.uniform(0.15, 0.3)
            spot = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / spread**2) * disk * 0.18
            _paint(rgba, spot, color * 0.75, box)
        stage.mark("moon")
    else:
        _paint(rgba, disk, np.minimum(color * 1.05, 1), box)
        stage.mark("sun")


def _draw_stars(stage: Stage, rgba: np.ndarray) -> None:
    rng = stage.spawn()
    count = int(stage.w * stage.h / (3500 if stage.plan.time_of_day == "night" else 9000))
    scale = stage.unit / 720
    for _ in range(count):
        x, y = rng.uniform(0, stage.w), stage.horizon * rng.random() ** 1.6
        r = scale * (0.5 + 1.2 * rng.random() ** 4)
        box = _box(stage, x, y, r + 1)
        yy, xx = np.mgrid[box[1] : box[3], box[0] : box[2]].astype(np.float32)
        brightness = rng.uniform(0.35, 1.0) * (1 - 0.6 * y / stage.horizon)
        _paint(rgba, _disk_alpha(xx, yy, x, y, r + 0.3) * brightness, (1.0, 0.98, 0.9), box)
    stage.mark("stars")


def _draw_clouds(stage: Stage) -> Image.Image:
    rng, pal = stage.rng, stage.palette
    canvas = Canvas(stage.size, stage.ss)
    night = stage.plan.time_of_day == "night"
    color = _mix(pal.sky[0], pal.ink, 0.4) if night else _mix(pal.glow, pal.sky[1], 0.45)
    shade = _mix(color, pal.sky[0], 0.3)
    for _ in range(int(rng.integers(3, 6))):
        cx, cy = rng.uniform(-0.05, 1.05) * stage.w, rng.uniform(0.2, 0.55) * stage.horizon
        width = stage.unit * rng.uniform(0.25, 0.5)
        alpha = int(rng.uniform(150, 220) if night else rng.uniform(170, 235))
        _cloud(canvas, rng, cx, cy, width, shade, color, alpha)
    stage.mark("clouds")
    return canvas.finish()


def _cloud(
    canvas: Canvas, rng: np.random.Generator, cx: float, cy: float, width: float, shade: RGB, color: RGB, alpha: int
) -> None:
    """A flat-bottomed cloud: puffs resting on one baseline, a darker underside below the lit tops."""
    puffs = sorted((cx + rng.uniform(-0.45, 0.45) * width, rng.uniform(0.1, 0.24) * width) for _ in range(6))
    for px, r in puffs:
        canvas.ellipse(px, cy - r * 0.7, r, r * 0.7, shade, alpha)
    canvas.rect(puffs[0][0], cy - width * 0.06, puffs[-1][0], cy, shade, alpha)
    for px, r in puffs:
        canvas.ellipse(px - r * 0.08, cy - r * 0.86, r * 0.9, r * 0.62, color, alpha)


def _vignette(sky: np.ndarray) -> None:
    h, w, _ = sky.shape
    yy, xx = np.ogrid[-1 : 1 : complex(0, h), -1 : 1 : complex(0, w)]
    sky *= (1 - 0.28 * np.clip(xx**2 * 0.6 + yy**2 * 0.5, 0, 1) ** 1.5)[..., None].astype(np.float32)


# ---------------------------------------------------------------------------------------------------
# Far layer: distant ridges or mountains, sea, city, mist, birds
# ---------------------------------------------------------------------------------------------------


def draw_far(stage: Stage) -> Image.Image:
    canvas = Canvas(stage.size, stage.ss)
    pal, rng, h = stage.palette, stage.rng, stage.h
    mountains = stage.wants("mountains")
    if stage.terrain == "sea":
        distant_coast = rng.uniform(0.0, 0.5)
        _ridge_fill(canvas, stage, base=stage.horizon, amp=h * 0.05, rough=0.55, color=pal.plane(0.3), lo=distant_coast)
    else:
        if mountains:
            _mountains(canvas, stage, stage.horizon - h * 0.02, h * 0.34, pal.plane(0.18))
            _mountains(canvas, stage, stage.horizon + h * 0.02, h * 0.2, pal.plane(0.34))
            stage.mark("mountains")
        else:
            _ridge_fill(canvas, stage, base=stage.horizon - h * 0.03, amp=h * 0.1, rough=0.5, color=pal.plane(0.28))
        if stage.wants("city"):
            _draw_city(canvas, stage, stage.horizon + h * 0.02)
        _ridge_fill(canvas, stage, base=stage.horizon + h * 0.03, amp=h * 0.05, rough=0.5, color=pal.plane(0.5))
    for kind in ("birds", "bats"):
        if stage.wants(kind) or (kind == "bats" and stage.plan.genre == Genre.horror and stage.plan.time_of_day == "night"):
            _draw_flock(canvas, stage, kind)
    image = canvas.finish()
    if stage.terrain == "sea":
        _draw_sea(stage, image)
    _draw_mist(stage, image)
    return image


def _mountains(canvas: Canvas, stage: Stage, base: float, amp: float, color: RGB) -> None:
    """A range of sharp peaks (straight flanks roughened by fractal noise), with snow on the tallest."""
    rng, w = stage.rng, stage.w
    xs = np.arange(w, dtype=float)
    n = int(rng.integers(3, 6))
    peak_x, peak_h = rng.uniform(-0.1, 1.1, n) * w, amp * rng.uniform(0.45, 1.0, n)
    slopes = peak_h / (w * rng.uniform(0.12, 0.25, n))
    height = np.max(peak_h[:, None] - slopes[:, None] * np.abs(xs[None, :] - peak_x[:, None]), axis=0)
    height = np.maximum(height + amp * 0.06 * midpoint_ridge(rng, w, 0.62), amp * 0.05)
    profile = base - height
    _fill_below(canvas, stage, profile, color)
    snow = _mix(color, stage.palette.glow, 0.45)
    for px, ph, slope in zip(peak_x, peak_h, slopes):
        if 0 <= px < w and profile[int(px)] <= base - ph * 0.95:  # only peaks that are not hidden by another
            drop = ph * 0.18
            ks = np.linspace(1, -1, 7)
            zigzag = [(px + k * drop / slope, base - ph + drop * (0.55 + 0.45 * (i % 2))) for i, k in enumerate(ks)]
            canvas.polygon([(px, float(profile[int(px)]))] + zigzag, snow)


def _fill_below(canvas: Canvas, stage: Stage, profile: np.ndarray, color: RGB) -> None:
    """Fill from a per-column outline down to the bottom edge."""
    xs = range(0, stage.w, max(1, stage.w // 500))
    outline = [(float(x), float(profile[x])) for x in xs]
    canvas.polygon(outline + [(stage.w, float(profile[-1])), (stage.w, stage.h), (0, stage.h)], color)


def _ridge_fill(
    canvas: Canvas, stage: Stage, base: float, amp: float, rough: float, color: RGB, lo: float = 0.0
) -> np.ndarray:
    """A filled fractal ridge from `base` (± amp) down to the bottom, over the columns from lo×width."""
    profile = base - amp * (0.5 + 0.5 * midpoint_ridge(stage.rng, stage.w, rough))
    x0 = int(lo * stage.w)
    xs = np.arange(x0, stage.w, max(1, stage.w // 400))
    points = [(float(x), float(profile[x])) for x in xs] + [(stage.w, float(profile[-1])), (stage.w, stage.h), (x0, stage.h)]
    canvas.polygon(points, color)
    return profile


def _draw_city(canvas: Canvas, stage: Stage, base: float) -> None:
    rng, pal, u = stage.rng, stage.palette, stage.unit
    color, light = pal.plane(0.45), _mix(pal.light, pal.plane(0.45), 0.3)
    x = rng.uniform(-0.05, 0.05) * stage.w
    while x < stage.w:
        bw, bh = u * rng.uniform(0.05, 0.12), u * rng.uniform(0.08, 0.3)
        canvas.rect(x, base - bh, x + bw, base, color)
        roof = rng.random()
        if roof < 0.15:
            canvas.polygon([(x + bw * 0.3, base - bh), (x + bw * 0.5, base - bh - u * 0.1), (x + bw * 0.7, base - bh)], color)
        elif roof < 0.25:
            canvas.ellipse(x + bw / 2, base - bh, bw * 0.4, bw * 0.4, color)
        _windows(canvas, rng, x, base - bh, bw, bh, light, density=0.35)
        x += bw * rng.uniform(0.85, 1.1)
    stage.mark("city")


def _windows(
    canvas: Canvas, rng: np.random.Generator, x: float, top: float, bw: float, bh: float, light: RGB, density: float
) -> None:
    size = max(1.0, bw * 0.12)
    for wy in np.arange(top + size * 2, top + bh - size * 2, size * 2.6):
        for wx in np.arange(x + size, x + bw - size * 1.5, size * 2.2):
            if rng.random() < density:
                canvas.rect(wx, wy, wx + size, wy + size * 1.4, light)


def _draw_flock(canvas: Canvas, stage: Stage, kind: str) -> None:
    rng, u = stage.rng, stage.unit
    cx, cy = rng.uniform(0.2, 0.8) * stage.w, rng.uniform(0.15, 0.4) * stage.horizon
    color = stage.palette.plane(0.85)
    for _ in range(int(rng.integers(5, 10))):
        x, y = cx + rng.normal(0, u * 0.12), cy + rng.normal(0, u * 0.05)
        span = u * rng.uniform(0.018, 0.03)
        flap = rng.uniform(-0.4, 0.6)
        if kind == "bats":
            _bat(canvas, x, y, span * 1.2, flap, color)
        else:
            _bird(canvas, x, y, span, flap, color)
    stage.mark(kind)


def _bird(canvas: Canvas, x: float, y: float, span: float, flap: float, color: RGB) -> None:
    tip = y - span * flap
    wing = [(-1.0, None), (-0.4, -0.25), (0.0, 0.0), (0.4, -0.25), (1.0, None), (0.45, -0.05), (0.0, 0.18), (-0.45, -0.05)]
    canvas.polygon([(x + span * du, tip if dv is None else y + span * dv) for du, dv in wing], color)


def _bat(canvas: Canvas, x: float, y: float, span: float, flap: float, color: RGB) -> None:
    tip = y - span * flap * 0.8
    wing = [(0.0, 0.0), (0.35, -0.3), (0.7, -0.2), (1.0, tip), (0.85, 0.05), (0.65, 0.0), (0.5, 0.15), (0.3, 0.05), (0.15, 0.2)]
    for side in (-1, 1):
        canvas.polygon([(x + side * px * span, (py if px < 1 else 0) * span + (tip if px == 1 else y)) for px, py in wing], color)
    canvas.ellipse(x, y + span * 0.05, span * 0.12, span * 0.2, color)


def _draw_sea(stage: Stage, image: Image.Image) -> None:
    """Open water from the horizon down: sky colours darkened, with a glittering path under the sun or moon."""
    w, h, pal = stage.w, stage.h, stage.palette
    top = int(stage.horizon)
    t = np.linspace(0, 1, h - top, dtype=np.float32)[:, None, None]
    near, far = np.array(pal.plane(0.75), np.float32) / 255, np.array(pal.plane(0.25), np.float32) / 255
    water = np.broadcast_to(far + (near - far) * t**0.7, (h - top, w, 3)).copy()
    if stage.sky_body:
        x, _, r = stage.sky_body
        rng = stage.spawn()
        path = np.zeros((h - top, w), np.float32)
        for _ in range(int(h * 0.25)):
            y = int((h - top) * rng.random() ** 1.5)
            half = r * (0.5 + 1.8 * y / (h - top)) * rng.uniform(0.3, 1.0)
            cx = x + rng.normal(0, r * 0.3)
            path[y : y + max(1, h // 360), int(max(0, cx - half)) : int(min(w, cx + half))] = rng.uniform(0.4, 0.9)
        water += (np.array(pal.glow, np.float32) / 255 - water) * path[..., None]
    rgba = np.concatenate([water, np.ones((h - top, w, 1), np.float32)], axis=2)
    _blend_patch(image, rgba, 0, top)
    stage.ground = np.full(w, np.inf)
    stage.mark("sea")


def _draw_mist(stage: Stage, image: Image.Image) -> None:
    """A band of translucent mist at the foot of the far hills, thicker where the noise says so."""
    w, h, pal = stage.w, stage.h, stage.palette
    y0, y1 = int(stage.horizon - h * 0.1), min(h, int(stage.horizon + h * 0.16))
    t = np.linspace(-1, 1, y1 - y0, dtype=np.float32)[:, None]
    density = 0.5 + 0.5 * midpoint_ridge(stage.rng, w, 0.55).astype(np.float32)[None, :]
    thick = 0.9 if stage.wants("fog") else 0.75 if stage.plan.genre == Genre.horror or stage.wants("reeds") else 0.5
    alpha = thick * np.exp(-(t**2) * 3.5) * (0.55 + 0.45 * density)
    patch = np.empty((y1 - y0, w, 4), np.float32)
    patch[..., :3] = np.array(_mix(pal.sky[2], (255, 255, 255), 0.12), np.float32) / 255
    patch[..., 3] = alpha
    _blend_patch(image, patch, 0, y0)
    stage.mark("mist", "composition")


# ---------------------------------------------------------------------------------------------------
# Near layer: the ground and what stands on it
# ---------------------------------------------------------------------------------------------------


def draw_near(stage: Stage) -> Image.Image:
    canvas = Canvas(stage.size, stage.ss)
    pal, rng, h, w = stage.palette, stage.rng, stage.h, stage.w
    mid_y = stage.horizon + h * 0.1
    if stage.terrain == "sea":
        _draw_shore(canvas, stage)
    else:
        _draw_midground(canvas, stage, mid_y)
        if stage.wants("water"):
            _draw_river(canvas, stage, mid_y)
        profile = h * 0.875 - h * 0.04 * (0.5 + 0.5 * midpoint_ridge(rng, w, 0.45))
        stage.ground = profile
        _fill_profile(canvas, stage, profile, pal.ink)
    _draw_ground_things(canvas, stage)
    _draw_icons(canvas, stage, "landmark")
    if stage.terrain == "cave":
        _draw_cave(canvas, stage)
    image = canvas.finish()
    _darken_downwards(image, int(mid_y - h * 0.05), int(h * 0.9), 0.45)
    if stage.wants("fog"):
        _fog_over_ground(stage, image, mid_y)
    return image


def _fog_over_ground(stage: Stage, image: Image.Image, mid_y: float) -> None:
    """Low fog in front of the midground: the near ground fades into it."""
    w, h = stage.w, stage.h
    y0, y1 = max(0, int(mid_y - h * 0.12)), min(h, int(mid_y + h * 0.2))
    t = np.linspace(-1, 1, y1 - y0, dtype=np.float32)[:, None]
    density = 0.5 + 0.5 * midpoint_ridge(stage.rng, w, 0.6).astype(np.float32)[None, :]
    patch = np.empty((y1 - y0, w, 4), np.float32)
    patch[..., :3] = np.array(_mix(stage.palette.sky[2], (255, 255, 255), 0.2), np.float32) / 255
    patch[..., 3] = 0.6 * np.exp(-(t**2) * 3) * (0.4 + 0.6 * density)
    _blend_patch(image, patch, 0, y0)
    stage.mark("fog")


def _darken_downwards(image: Image.Image, y0: int, y1: int, strength: float) -> None:
    """Shade the midground darker toward the viewer, so the flat plane reads as receding ground."""
    y0, y1 = max(0, y0), min(image.height, y1)
    band = np.asarray(image.crop((0, y0, image.width, image.height)), dtype=np.float32)
    ramp = np.clip((np.arange(band.shape[0], dtype=np.float32) / max(1, y1 - y0)), 0, 1) * strength
    band[..., :3] *= (1 - ramp)[:, None, None]
    image.paste(Image.fromarray(band.astype(np.uint8), "RGBA"), (0, y0))


def _fill_profile(canvas: Canvas, stage: Stage, profile: np.ndarray, color: RGB) -> None:
    xs = [x for x in range(0, stage.w, max(1, stage.w // 500)) if np.isfinite(profile[x])]
    if xs:
        pts = [(float(x), float(profile[x])) for x in xs]
        canvas.polygon(pts + [(xs[-1] + 1, stage.h), (xs[0], stage.h)], color)
    _grass(canvas, stage, profile, color)


def _grass(canvas: Canvas, stage: Stage, profile: np.ndarray, color: RGB) -> None:
    """Tufts along the ground line (taller in a field, reeds in a swamp)."""
    rng, u = stage.spawn(), stage.unit
    field_, reeds = stage.wants("field"), stage.wants("reeds")
    tall = 0.07 if field_ else 0.1 if reeds else 0.025
    step = u * (0.006 if field_ else 0.012)
    for x in np.arange(0, stage.w, step):
        y = profile[int(x)]
        if not np.isfinite(y) or rng.random() < 0.35:
            continue
        blade = u * tall * rng.uniform(0.3, 1.0)
        lean = rng.normal(0, 0.25) * blade
        canvas.polygon([(x - step * 0.6, y + 2), (x + lean, y - blade), (x + step * 0.6, y + 2)], color)
        if reeds and rng.random() < 0.15:
            canvas.ellipse(x + lean, y - blade, u * 0.005, u * 0.018, color)
        if field_ and rng.random() < 0.08:
            canvas.ellipse(x + lean, y - blade, u * 0.006, u * 0.014, color)
    for element in ("field", "reeds"):
        if stage.wants(element):
            stage.mark(element)


def _draw_midground(canvas: Canvas, stage: Stage, mid_y: float) -> None:
    """The plane between far hills and the ground: a tree line, the castle on its hill, houses, a church."""
    pal, rng, h = stage.palette, stage.rng, stage.h
    color = pal.plane(0.78)
    profile = mid_y - h * 0.07 * (0.5 + 0.5 * midpoint_ridge(rng, stage.w, 0.5))
    castle_side = rng.choice([-1, 1])
    if stage.wants("castle") or stage.wants("tower"):
        _draw_castle_on_hill(canvas, stage, castle_side, profile, _mix(color, pal.ink, 0.15))
    if stage.wants("trees"):
        _tree_line(canvas, stage, profile, color)
    for element, draw in (("church", _church), ("mill", _mill)):
        if stage.wants(element):
            x = stage.w * (0.5 - castle_side * rng.uniform(0.15, 0.35))
            draw(canvas, stage, x, float(profile[int(x)]) + h * 0.01, color)
            stage.mark(element)
    _fill_below(canvas, stage, profile, color)
    if stage.wants("train"):
        rail_y = float(np.min(profile)) + h * 0.01
        canvas.rect(0, rail_y, stage.w, stage.h, color)  # the embankment
        _draw_train(canvas, stage, rail_y, _mix(color, pal.ink, 0.5))
    if stage.wants("village"):
        _village(canvas, stage, profile, color, castle_side)


def _draw_castle_on_hill(canvas: Canvas, stage: Stage, side: int, profile: np.ndarray, color: RGB) -> None:
    rng, u, w = stage.rng, stage.unit, stage.w
    big = stage.wants("castle")
    cx = w * (0.5 + side * rng.uniform(0.16, 0.28))
    width = u * (rng.uniform(0.45, 0.6) if big else 0.1)
    hill_top = float(profile[int(cx)]) - u * rng.uniform(0.06, 0.12)
    half = width * 1.4
    flat = width * 0.55 / half  # flat under the walls, so no corner of the castle hangs in the air
    slope = [(max(0.0, abs(dx) - flat) / (1 - flat)) ** 1.5 for dx in np.linspace(-1, 1, 48)]
    hill = [(cx + dx * half, hill_top + k * u * 0.2) for dx, k in zip(np.linspace(-1, 1, 48), slope)]
    canvas.polygon(hill + [(cx + half, stage.h), (cx - half, stage.h)], color)
    if big:
        _castle(canvas, rng, cx, hill_top + u * 0.01, width, u * rng.uniform(0.3, 0.4), color, stage.palette.light)
        stage.mark("castle")
    if stage.wants("tower"):
        tx = cx + (width * 0.8 if big else 0)
        _tower(canvas, rng, tx, hill_top + u * 0.02, u * 0.06, u * 0.38, color, stage.palette.light, roof="cone")
        stage.mark("tower")


def _castle(
    canvas: Canvas, rng: np.random.Generator, cx: float, base: float, width: float, height: float, color: RGB, light: RGB
) -> None:
    """Curtain walls between towers of varied height; crenellations, spires with pennants, lit windows."""
    n = int(rng.integers(3, 6))
    xs = np.linspace(cx - width / 2, cx + width / 2, n)
    wall_h = height * rng.uniform(0.3, 0.4)
    canvas.rect(xs[0], base - wall_h, xs[-1], base + height * 0.1, color)
    _merlons(canvas, xs[0], xs[-1], base - wall_h, height * 0.035, color)
    keep = int(rng.integers(1, n - 1))
    for i, x in enumerate(xs):
        th = height * (1.0 if i == keep else rng.uniform(0.5, 0.8))
        tw = width * (0.16 if i == keep else rng.uniform(0.08, 0.12))
        _tower(canvas, rng, x, base, tw, th, color, light, roof="cone" if rng.random() < 0.6 else "merlons")
    gate_w = width * 0.06
    gx = (xs[keep] + xs[keep - 1]) / 2
    gate = _mix(color, (0, 0, 0), 0.5)
    canvas.rect(gx - gate_w, base - wall_h * 0.45, gx + gate_w, base, gate)
    canvas.ellipse(gx, base - wall_h * 0.45, gate_w, gate_w, gate)


def _tower(
    canvas: Canvas, rng: np.random.Generator, x: float, base: float, tw: float, th: float, color: RGB, light: RGB, roof: str
) -> None:
    top = base - th
    canvas.rect(x - tw / 2, top, x + tw / 2, base, color)
    if roof == "cone":
        eave = tw * 0.12
        spire = top - tw * rng.uniform(1.3, 2.0)
        canvas.polygon([(x - tw / 2 - eave, top), (x, spire), (x + tw / 2 + eave, top)], color)
        canvas.line([(x, spire), (x, spire - tw * 0.5)], max(1.0, tw * 0.04), color)
        canvas.polygon([(x, spire - tw * 0.5), (x + tw * 0.45, spire - tw * 0.4), (x, spire - tw * 0.3)], color)
    else:
        canvas.rect(x - tw * 0.6, top - tw * 0.15, x + tw * 0.6, top + tw * 0.05, color)
        _merlons(canvas, x - tw * 0.6, x + tw * 0.6, top - tw * 0.15, tw * 0.18, color)
    for wy in np.arange(top + tw * 0.6, base - tw * 0.8, tw * 1.1):
        if rng.random() < 0.55:
            ww = tw * 0.14
            canvas.rect(x - ww, wy, x + ww, wy + tw * 0.35, light)
            canvas.ellipse(x, wy, ww, ww, light)


def _merlons(canvas: Canvas, x0: float, x1: float, top: float, size: float, color: RGB) -> None:
    for x in np.arange(x0, x1 - size * 0.5, size * 2):
        canvas.rect(x, top - size, x + size, top + 1, color)


def _tree_line(canvas: Canvas, stage: Stage, profile: np.ndarray, color: RGB) -> None:
    rng, u = stage.rng, stage.unit
    x = -u * 0.03
    while x < stage.w + u * 0.03:
        height = u * rng.uniform(0.12, 0.26)
        base = float(profile[int(min(max(x, 0), stage.w - 1))]) + u * 0.02
        _any_tree(canvas, stage, x, base, height, color)
        x += height * rng.uniform(0.18, 0.42)
    stage.mark("trees")


def _any_tree(canvas: Canvas, stage: Stage, x: float, base: float, height: float, color: RGB) -> None:
    genre, rng = stage.plan.genre, stage.rng
    if genre == Genre.horror and rng.random() < 0.5:
        _bare_tree(canvas, rng, x, base, height, color)
    elif genre in (Genre.fairy_tale, Genre.comedy, Genre.fable, Genre.bylina) and rng.random() < 0.35:
        _round_tree(canvas, rng, x, base, height * 0.8, color)
    else:
        _fir(canvas, rng, x, base, height, color)


def _fir(canvas: Canvas, rng: np.random.Generator, x: float, base: float, height: float, color: RGB) -> None:
    """Tiers of drooping triangles on a thin trunk."""
    tiers = int(rng.integers(4, 7))
    width = height * rng.uniform(0.28, 0.38)
    canvas.rect(x - width * 0.05, base - height * 0.2, x + width * 0.05, base, color)
    for i in range(tiers):
        k = (i + 1) / tiers
        top = base - height * (1 - 0.8 * i / tiers)
        bottom = base - height * 0.12 - (height * 0.88) * (1 - k) * 0.85
        half = width * (0.25 + 0.75 * k) / 2
        droop = bottom + half * 0.15
        canvas.polygon([(x, top), (x + half, droop), (x + half * 0.5, bottom), (x - half * 0.5, bottom), (x - half, droop)], color)


def _round_tree(canvas: Canvas, rng: np.random.Generator, x: float, base: float, height: float, color: RGB) -> None:
    """A leafy tree: a tapering trunk that forks, under a lumpy dome of leaf puffs."""
    trunk = height * 0.05
    top = (x + rng.normal(0, trunk), base - height * 0.62)
    bend = (x + rng.normal(0, trunk * 0.5), base - height * 0.3)
    canvas.polygon(limb_outline([(x, base), bend, top], [trunk * 2.6, trunk * 1.4, trunk]), color)
    for side in (-1, 1):
        fork = (x + side * height * rng.uniform(0.12, 0.22), base - height * rng.uniform(0.62, 0.75))
        canvas.polygon(limb_outline([(x, base - height * 0.38), fork], [trunk * 1.1, trunk * 0.4]), color)
    cx, cy, radius = top[0], base - height * 0.7, height * 0.34
    for _ in range(28):
        angle, dist = rng.uniform(0, 2 * math.pi), math.sqrt(rng.random())
        px, py = cx + math.cos(angle) * dist * radius * 0.85, cy + math.sin(angle) * dist * radius * 0.55
        r = radius * rng.uniform(0.15, 0.28)
        canvas.ellipse(px, py, r, r * 0.85, color)


def _bare_tree(canvas: Canvas, rng: np.random.Generator, x: float, base: float, height: float, color: RGB) -> None:
    """A gnarled leafless tree by recursive branching."""
    _branch(canvas, rng, (x, base), -math.pi / 2 + rng.normal(0, 0.08), height * 0.38, height * 0.07, 6, color)


def _branch(
    canvas: Canvas, rng: np.random.Generator, start: Point, angle: float, length: float, width: float, depth: int, color: RGB
) -> None:
    mid = (start[0] + math.cos(angle + rng.normal(0, 0.2)) * length / 2, start[1] + math.sin(angle) * length / 2)
    end = (mid[0] + math.cos(angle) * length / 2, mid[1] + math.sin(angle + rng.normal(0, 0.15)) * length / 2)
    canvas.tapered([start, mid, end], width, width * 0.7, color)
    if depth == 0:
        return
    for spread in (rng.uniform(0.25, 0.6), -rng.uniform(0.25, 0.6))[: 2 if rng.random() < 0.9 else 1]:
        _branch(canvas, rng, end, angle + spread, length * rng.uniform(0.62, 0.78), width * 0.66, depth - 1, color)


def _church(canvas: Canvas, stage: Stage, x: float, base: float, color: RGB) -> None:
    u, light = stage.unit, stage.palette.light
    bw, bh = u * 0.12, u * 0.1
    canvas.rect(x - bw / 2, base - bh, x + bw / 2, base, color)
    canvas.polygon([(x - bw * 0.6, base - bh), (x, base - bh - u * 0.05), (x + bw * 0.6, base - bh)], color)
    drum_w, drum_h = bw * 0.35, u * 0.06
    canvas.rect(x - drum_w / 2, base - bh - drum_h - u * 0.02, x + drum_w / 2, base - bh, color)
    _onion(canvas, x, base - bh - drum_h - u * 0.02, drum_w * 0.75, color)
    canvas.rect(x - bw * 0.05, base - bh * 0.6, x + bw * 0.05, base - bh * 0.25, light)


def _onion(canvas: Canvas, x: float, base: float, r: float, color: RGB) -> None:
    canvas.ellipse(x, base - r * 0.9, r, r, color)
    canvas.polygon([(x - r * 0.7, base - r * 1.5), (x, base - r * 3.0), (x + r * 0.7, base - r * 1.5)], color)
    canvas.line([(x, base - r * 3.0), (x, base - r * 3.9)], max(1.0, r * 0.08), color)
    canvas.line([(x - r * 0.3, base - r * 3.55), (x + r * 0.3, base - r * 3.55)], max(1.0, r * 0.08), color)


def _mill(canvas: Canvas, stage: Stage, x: float, base: float, color: RGB) -> None:
    u = stage.unit
    bw, bh = u * 0.06, u * 0.16
    canvas.polygon([(x - bw, base), (x - bw * 0.6, base - bh), (x + bw * 0.6, base - bh), (x + bw, base)], color)
    canvas.polygon([(x - bw * 0.75, base - bh), (x, base - bh - bw), (x + bw * 0.75, base - bh)], color)
    hub = (x, base - bh - bw * 0.2)
    turn = stage.rng.uniform(0, math.pi / 2)
    for k in range(4):
        a = turn + k * math.pi / 2
        tip = (hub[0] + math.cos(a) * u * 0.14, hub[1] + math.sin(a) * u * 0.14)
        side = (math.cos(a + math.pi / 2) * u * 0.018, math.sin(a + math.pi / 2) * u * 0.018)
        canvas.line([hub, tip], max(1.0, u * 0.004), color)
        inner = (hub[0] + (tip[0] - hub[0]) * 0.3, hub[1] + (tip[1] - hub[1]) * 0.3)
        canvas.polygon([inner, tip, (tip[0] + side[0], tip[1] + side[1]), (inner[0] + side[0], inner[1] + side[1])], color)


def _village(canvas: Canvas, stage: Stage, profile: np.ndarray, color: RGB, castle_side: int) -> None:
    rng, u = stage.rng, stage.unit
    lo, hi = (0.05, 0.5) if castle_side > 0 else (0.5, 0.95)
    smoke = _mix(color, stage.palette.sky[2], 0.5)
    for x in rng.uniform(lo - 0.05, hi + 0.05, 3) * stage.w:  # trees among the houses
        base = float(profile[int(min(max(x, 0), stage.w - 1))]) + u * 0.015
        _any_tree(canvas, stage, x, base, u * rng.uniform(0.12, 0.18), color)
    for x in sorted(rng.uniform(lo, hi, int(rng.integers(3, 6))) * stage.w):
        size = u * rng.uniform(0.07, 0.1)
        _house(canvas, rng, x, float(profile[int(x)]) + u * 0.015, size, color, stage.palette.light, smoke)
    stage.mark("village")


def _house(
    canvas: Canvas, rng: np.random.Generator, x: float, base: float, size: float, color: RGB, light: RGB, smoke: RGB
) -> None:
    """An izba: log walls, a steep roof with an overhang, a chimney, a lit window with a cross frame."""
    bw, bh = size * 1.3, size * 0.8
    canvas.rect(x - bw / 2, base - bh, x + bw / 2, base, color)
    roof_top = base - bh - size * 0.75
    canvas.polygon([(x - bw * 0.62, base - bh), (x, roof_top), (x + bw * 0.62, base - bh)], color)
    chimney = x + bw * 0.22
    canvas.rect(chimney - size * 0.07, roof_top + size * 0.2, chimney + size * 0.07, base - bh - size * 0.2, color)
    for k in range(4):  # a wisp of smoke
        puff = (chimney + k * size * 0.12, roof_top + size * 0.05 - k * size * 0.2)
        canvas.ellipse(*puff, size * (0.07 + 0.03 * k), size * (0.05 + 0.02 * k), smoke, 150 - 30 * k)
    ww = size * 0.22
    wx = x - bw * 0.2 if rng.random() < 0.5 else x + bw * 0.15
    canvas.rect(wx - ww / 2, base - bh * 0.72, wx + ww / 2, base - bh * 0.72 + ww * 1.1, light)
    wy, bar = base - bh * 0.72, max(1.0, ww * 0.12)
    canvas.line([(wx, wy), (wx, wy + ww * 1.1)], bar, color)
    canvas.line([(wx - ww / 2, wy + ww * 0.5), (wx + ww / 2, wy + ww * 0.5)], bar, color)


def _draw_train(canvas: Canvas, stage: Stage, rail_y: float, color: RGB) -> None:
    u, rng = stage.unit, stage.rng
    car_w, car_h = u * 0.14, u * 0.06
    direction = rng.choice([-1, 1])
    x = stage.w * rng.uniform(0.3, 0.6)
    smoke = _mix(color, stage.palette.sky[2], 0.55)
    for k in range(5):
        puff = (x + direction * (car_w * 0.35 - k * u * 0.05), rail_y - car_h * 2.2 - k * u * 0.02)
        canvas.ellipse(*puff, u * (0.015 + 0.008 * k), u * (0.012 + 0.006 * k), smoke, 200 - 30 * k)
    canvas.rect(x - car_w / 2, rail_y - car_h, x + car_w / 2, rail_y - car_h * 0.2, color)  # boiler
    cab = x - direction * car_w * 0.35
    canvas.rect(cab - car_w * 0.15, rail_y - car_h * 1.7, cab + car_w * 0.15, rail_y - car_h * 0.2, color)
    funnel = x + direction * car_w * 0.3
    canvas.rect(funnel - u * 0.006, rail_y - car_h * 1.8, funnel + u * 0.006, rail_y - car_h, color)
    for k in range(1, 4):
        cx = x - direction * k * car_w * 1.1
        canvas.rect(cx - car_w / 2, rail_y - car_h * 1.4, cx + car_w / 2, rail_y - car_h * 0.2, color)
        _windows(canvas, rng, cx - car_w / 2, rail_y - car_h * 1.3, car_w, car_h * 0.7, stage.palette.light, density=0.8)
    for k in range(16):
        wx = x + direction * car_w * 0.4 - direction * k * car_w * 0.28
        canvas.ellipse(wx, rail_y - car_h * 0.15, car_h * 0.18, car_h * 0.18, color)
    canvas.rect(0, rail_y - u * 0.003, stage.w, rail_y + u * 0.003, color)
    stage.mark("train")


def _draw_river(canvas: Canvas, stage: Stage, mid_y: float) -> None:
    """A band of water between the midground and the ground, lit along the reflection of the sky body."""
    pal, rng, u = stage.palette, stage.spawn(), stage.unit
    top, bottom = mid_y + stage.h * 0.005, stage.h * 0.86
    water = _mix(pal.sky[2], pal.ink, 0.45)
    canvas.rect(0, top, stage.w, bottom, water)
    gx = stage.sky_body[0] if stage.sky_body else stage.w / 2
    for _ in range(int(50 * stage.w / 1280)):
        y = rng.uniform(top, bottom)
        half = u * rng.uniform(0.01, 0.06) * (1 + (y - top) / (bottom - top))
        x = gx + rng.normal(0, u * 0.06) if rng.random() < 0.6 else rng.uniform(0, stage.w)
        canvas.rect(x - half, y, x + half, y + max(1.0, u * 0.002), _mix(pal.glow, pal.sky[2], 0.4), 200)
    if stage.wants("bridge"):
        _bridge(canvas, stage, top, bottom, water)
    stage.mark("water")


def _bridge(canvas: Canvas, stage: Stage, top: float, bottom: float, water: RGB) -> None:
    """A humped stone bridge whose three arches stand in the river."""
    u, rng = stage.unit, stage.rng
    color = stage.palette.plane(0.9)
    x, half, hump = stage.w * rng.uniform(0.3, 0.7), u * 0.4, u * 0.05
    deck, foot = top - u * 0.01, top + (bottom - top) * 0.6
    upper = [(x + half * k, deck - hump * (1 - k * k)) for k in np.linspace(-1, 1, 24)]
    canvas.polygon(upper + [(x + half, foot), (x - half, foot)], color)
    canvas.polygon(limb_outline([(px, py - u * 0.03) for px, py in upper], [u * 0.008] * len(upper)), color)  # handrail
    for px, py in upper[::3]:
        canvas.rect(px - u * 0.003, py - u * 0.03, px + u * 0.003, py, color)
    for k in (-0.6, 0.0, 0.6):
        ax = x + half * k
        rise = (foot - deck + hump * (1 - k * k)) * 0.75
        canvas.ellipse(ax, foot, half * 0.22, rise, water)
    stage.mark("bridge")


def _draw_shore(canvas: Canvas, stage: Stage) -> None:
    """At sea: rows of stylised waves and a rocky shore on one side where figures can stand."""
    rng, pal, u, w, h = stage.rng, stage.palette, stage.unit, stage.w, stage.h
    side = rng.choice([-1, 1])
    width = w * rng.uniform(0.3, 0.4)
    if stage.wants("ship"):
        _ship(canvas, stage, w * (0.5 - side * rng.uniform(0.05, 0.25)), stage.horizon + h * 0.12, u * 0.3, pal.plane(0.85))
    for row, depth in ((0.8, 0.8), (0.9, 0.95)):
        _waves(canvas, stage, h * row, u * 0.03 * (1 + row - 0.8), pal.plane(depth))
    xs = np.arange(w)
    edge = (xs < width) if side < 0 else (xs > w - width)
    dist = np.where(side < 0, width - xs, xs - (w - width)) / width
    drop_off = h * 2.0 * np.clip(0.25 - dist, 0, 1) ** 1.5  # the cliff falls away at the water's edge
    cliff = h * 0.78 - h * 0.03 * (0.5 + 0.5 * midpoint_ridge(rng, w, 0.5)) + drop_off
    profile = np.where(edge, cliff, np.inf)
    stage.ground = profile
    _fill_profile(canvas, stage, profile, pal.ink)
    stage.mark("shore", "setting: sea")


def _waves(canvas: Canvas, stage: Stage, y: float, amp: float, color: RGB) -> None:
    """A row of curling wave crests over a band of water colour down to the bottom edge."""
    period = amp * 7
    pts: list[Point] = [(0.0, stage.h)]
    for x in np.arange(-period, stage.w + period, period / 12):
        phase = (x % period) / period
        crest = y - amp * (math.sin(phase * math.pi) ** 3) * (1.6 if phase > 0.5 else 1.0)
        pts.append((float(x), crest))
    pts.append((stage.w, stage.h))
    canvas.polygon(pts, color)


def _ship(canvas: Canvas, stage: Stage, x: float, water_y: float, size: float, color: RGB) -> None:
    """A sailing ship: curved hull, high stern, two masts with bellied sails and pennants."""
    facing = stage.rng.choice([-1, 1])
    p = Pose(x, water_y, size, facing)
    hull = [(-0.5, 0.12), (-0.42, 0.0), (0.38, 0.0), (0.55, 0.14), (0.3, 0.1), (-0.3, 0.1), (-0.42, 0.2), (-0.5, 0.2)]
    canvas.polygon(p.pts(hull), color)
    for mast_u, mast_h in ((-0.12, 0.85), (0.18, 0.75)):
        canvas.line(p.pts([(mast_u, 0.08), (mast_u, mast_h)]), p.len(0.012), color)
        for k, (lo, hi) in enumerate(((0.2, 0.45), (0.5, 0.7))):
            half = 0.14 - 0.03 * k
            left, right, mid = mast_u - half, mast_u + half, (lo + hi) / 2
            belly = [(left, hi), (right, hi), (right + 0.04, mid), (right, lo), (left, lo), (left + 0.04, mid)]
            canvas.polygon(p.pts(belly), color)
        canvas.polygon(p.pts([(mast_u, mast_h), (mast_u + 0.12, mast_h - 0.03), (mast_u, mast_h - 0.06)]), color)
    canvas.line(p.pts([(0.38, 0.1), (0.62, 0.28)]), p.len(0.01), color)  # bowsprit
    stage.mark("ship")


def _draw_cave(canvas: Canvas, stage: Stage) -> None:
    """Seen from inside: a black rock frame around a ragged opening, stalactites hanging from its top."""
    rng, w, h, u, ink = stage.rng, stage.w, stage.h, stage.unit, stage.palette.ink
    cx, cy, rx, ry = w * 0.5, h * 0.55, w * 0.42, h * 0.5
    noise = midpoint_ridge(rng, 256, 0.6)
    angles = np.linspace(0, 2 * math.pi, 256, endpoint=False)
    opening = [(cx + math.cos(a) * rx * (1 + 0.07 * n), cy + math.sin(a) * ry * (1 + 0.07 * n)) for a, n in zip(angles, noise)]
    frame = Image.new("L", canvas.image.size, 255)
    ImageDraw.Draw(frame).polygon([(x * canvas.ss, y * canvas.ss) for x, y in opening], fill=0)
    canvas.image.paste((*ink, 255), mask=frame)
    for x in rng.uniform(cx - rx * 0.8, cx + rx * 0.8, 14):
        k = (x - cx) / rx
        top = cy - ry * math.sqrt(max(0.0, 1 - k * k)) - 2
        length, half = u * rng.uniform(0.04, 0.16), u * rng.uniform(0.012, 0.03)
        canvas.polygon([(x - half, top), (x + rng.normal(0, half * 0.3), top + length), (x + half, top)], ink)
    stage.mark("cave")


def _draw_ground_things(canvas: Canvas, stage: Stage) -> None:
    """Things that stand on the ground in front: a single house, graves, a road, a big tree, a framing branch."""
    rng, u, pal = stage.rng, stage.unit, stage.palette
    if stage.wants("road") and stage.terrain == "land":
        _road(canvas, stage)
    if stage.wants("house"):
        x = stage.free_spot(u * 0.4, 0.06, 0.94)
        if x is not None:
            _house(canvas, rng, x, stage.ground_at(x) + u * 0.02, u * 0.2, pal.ink, pal.light, _mix(pal.ink, pal.sky[2], 0.45))
            stage.mark("house")
    if stage.wants("graves"):
        _graves(canvas, stage)
    framing_tree = stage.wants("big tree") or (stage.wants("trees") and rng.random() < 0.7)
    if framing_tree and stage.terrain == "land":
        side = rng.choice([-1, 1])
        x = stage.w * (0.5 + side * rng.uniform(0.4, 0.47))
        height = u * rng.uniform(0.7, 0.95)
        leafy = stage.wants("big tree") or rng.random() < 0.5  # "дуб", "tree" ask for a broad tree, not a fir
        draw = _bare_tree if stage.plan.genre in (Genre.horror, Genre.tragedy) else _round_tree if leafy else _fir
        draw(canvas, rng, x, stage.ground_at(x) + u * 0.02, height, pal.ink)
        stage.taken.append((x - u * 0.1, x + u * 0.1))
        stage.mark("big tree", stage.plan.elements.get("big tree", stage.plan.elements.get("trees")))


def _road(canvas: Canvas, stage: Stage) -> None:
    """A pale road winding from the bottom edge toward the horizon."""
    u, h, pal = stage.unit, stage.h, stage.palette
    x0 = stage.w * stage.rng.uniform(0.35, 0.65)
    color = _mix(pal.ink, pal.sky[2], 0.28)
    pts_l, pts_r = [], []
    for k in np.linspace(0, 1, 30):
        y = h - (h - stage.horizon - h * 0.2) * k
        x = x0 + math.sin(k * 5 + 1) * u * 0.15 * (1 - k)
        half = u * (0.22 * (1 - k) + 0.01)
        pts_l.append((x - half, y))
        pts_r.append((x + half, y))
    canvas.polygon(pts_l + pts_r[::-1], color)
    stage.mark("road")


def _graves(canvas: Canvas, stage: Stage) -> None:
    rng, u, ink = stage.rng, stage.unit, stage.palette.ink
    for _ in range(int(rng.integers(3, 6))):
        x = stage.free_spot(u * 0.06)
        if x is None:
            continue
        y = stage.ground_at(x) + u * 0.01
        tilt = rng.normal(0, 0.05)
        if rng.random() < 0.5:
            p = Pose(x, y, u * rng.uniform(0.1, 0.16))
            canvas.line(p.pts([(0, 0), (tilt, 1)]), p.len(0.09), ink)
            canvas.line(p.pts([(-0.3 + tilt * 0.7, 0.72), (0.3 + tilt * 0.7, 0.72)]), p.len(0.09), ink)
        else:
            gw, gh = u * 0.035, u * rng.uniform(0.06, 0.1)
            canvas.rect(x - gw, y - gh, x + gw, y, ink)
            canvas.ellipse(x, y - gh, gw, gw, ink)
    stage.mark("graves")


# ---------------------------------------------------------------------------------------------------
# Figures layer: people, animals, creatures, props in hand
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Look:
    """How a character is drawn; derived from the character and the picture seed, so it holds across scenes."""

    kind: str  # warrior, maiden, sorcerer, king, horned, witch, elder, crone, peasant
    height: float  # relative to the standard figure
    headwear: str  # helmet, cap, hair, hood, crown, horns, witch_hat, kokoshnik, scarf, none
    cape: bool


_KINDS: dict[tuple[str, str], tuple[str, ...]] = {
    ("hero", "male"): ("warrior",),
    ("hero", "female"): ("maiden",),
    ("villain", "male"): ("sorcerer", "king", "horned"),
    ("villain", "female"): ("witch",),
    ("helper", "male"): ("elder", "peasant"),
    ("helper", "female"): ("maiden", "crone"),
    ("donor", "male"): ("elder",),
    ("donor", "female"): ("crone",),
}
_HEADWEAR = {
    "warrior": ("helmet", "cap", "hair"), "maiden": ("kokoshnik", "hair"), "sorcerer": ("hood",), "king": ("crown",),
    "horned": ("horns",), "witch": ("witch_hat",), "elder": ("hood", "none"), "crone": ("scarf",),
    "peasant": ("cap", "hair"),
}


_HEIGHTS = {"warrior": 1.0, "maiden": 0.92, "king": 1.08, "sorcerer": 1.12, "horned": 1.15, "witch": 0.9, "elder": 0.95, "crone": 0.82}


def look_for(character: Character, seed: int) -> Look:
    rng = np.random.default_rng([seed % 2**32, zlib.crc32(character.id.encode())])
    gender = character.gender if character.gender != "neutral" else ("male", "female")[int(rng.integers(2))]
    kinds = _KINDS.get((character.role, gender), ("peasant",) if gender == "male" else ("maiden",))
    kind = kinds[int(rng.integers(len(kinds)))]
    height = _HEIGHTS.get(kind, 0.96) * rng.uniform(0.97, 1.03)
    headwear = _HEADWEAR[kind][int(rng.integers(len(_HEADWEAR[kind])))]
    return Look(kind, height, headwear, cape=kind in ("warrior", "king", "horned") and rng.random() < 0.8)


def draw_figures(stage: Stage) -> Image.Image:
    canvas = Canvas(stage.size, stage.ss)
    lights: list[tuple[float, float, float]] = []
    people = [a for a in stage.plan.actors if a.animal is None]
    crowned = _crowned(stage, people)
    for actor, (x, facing) in zip(people, _figure_spots(stage, people)):
        look = look_for(actor.character, stage.looks_seed)
        if actor is crowned:
            look = replace(look, headwear="crown")
            stage.mark("crown", f"character: {actor.character.name}" if _named(actor, "crown") else None)
        pose = Pose(x, stage.ground_at(x) + stage.unit * 0.012, stage.unit * 0.3 * look.height, facing)
        hold = _held_item(stage, actor, look)
        _person(canvas, pose, look, stage.palette.ink, hold, lights)
        stage.mark(f"{actor.character.role} figure", f"character: {actor.character.name}")
    _draw_animals(canvas, stage)
    for place in ("figure", "prop", "hanging"):
        _draw_icons(canvas, stage, place)
    if stage.wants("sword") and "sword" not in stage.drawn:
        _sword_in_stone(canvas, stage)
    if stage.wants("campfire"):
        _campfire(canvas, stage, lights)
    dragon = next((f"character: {a.character.name}" for a in stage.plan.actors if a.animal == "dragon"), None)
    if dragon or stage.wants("dragon"):
        _dragon(canvas, stage)
        stage.mark("dragon", dragon)
    image = Image.new("RGBA", stage.size, (0, 0, 0, 0))
    for x, y, r in lights:  # the halo goes behind the silhouettes, the bright core in front
        _glow(image, x, y, r, stage.palette.light, 0.45)
    silhouettes = canvas.finish()
    image.alpha_composite(_halo(silhouettes, stage))
    image.alpha_composite(silhouettes)
    for x, y, r in lights:
        _glow(image, x, y, r * 0.1, _mix(stage.palette.light, (255, 255, 255), 0.5), 0.95)
    if stage.wants("ghost"):
        _ghost(image, stage)
    _draw_weather(image, stage)
    return image


def _draw_weather(image: Image.Image, stage: Stage) -> None:
    pal = stage.palette
    if stage.wants("rain"):
        weather.rain(image, stage.spawn(), stage.unit, _mix(pal.sky[2], (255, 255, 255), 0.35))
        stage.mark("rain")
    if stage.wants("snow"):
        weather.snow(image, stage.spawn(), stage.unit, (246, 248, 255))
        stage.mark("snow")
    if stage.wants("magic sparks"):
        weather.sparks(image, stage.spawn(), stage.unit, pal.light)
        stage.mark("magic sparks")


def _named(actor: Actor, element: str) -> bool:
    """Whether the character's name itself calls for an element ("Царь" → crown)."""
    return element in keyword_elements(actor.character.name).keys()


def _crowned(stage: Stage, people: list[Actor]) -> Actor | None:
    """Who wears the crown: a character named king or tsar, else, if the scene speaks of a crown, its villain or hero."""
    named = next((a for a in people if _named(a, "crown")), None)
    if named or not stage.wants("crown"):
        return named
    by_role = {a.character.role: a for a in reversed(people)}
    return by_role.get("villain") or by_role.get("hero") or (people[0] if people else None)


def _halo(silhouettes: Image.Image, stage: Stage) -> Image.Image:
    """A faint rim of sky light around the figures, so they read even against a dark castle or forest."""
    radius = max(1.0, stage.unit * 0.006)
    alpha = silhouettes.getchannel("A").filter(ImageFilter.GaussianBlur(radius)).point(lambda a: min(255, a * 2) * 22 // 100)
    halo = Image.new("RGBA", silhouettes.size, (*_mix(stage.palette.glow, stage.palette.sky[2], 0.5), 0))
    halo.putalpha(alpha)
    return halo


def _figure_spots(stage: Stage, people: list[Actor]) -> list[tuple[float, int]]:
    """Heroes and helpers on one side facing right, villains on the other facing left."""
    spots = []
    for actor in people:
        villain = actor.character.role == "villain"
        lo, hi = (0.58, 0.86) if villain else (0.14, 0.45)
        x = stage.free_spot(stage.unit * 0.16, lo, hi) or stage.free_spot(stage.unit * 0.1)
        if x is None:  # crowded: stand in front of someone rather than on water
            x = stage.nearest_ground(stage.w * (hi + lo) / 2)
        spots.append((x, -1 if villain else 1))
        stage.people_x.append(x)
    animals = any(stage.wants(a) for a in ANIMALS) or any(a.animal for a in stage.plan.actors)
    if len(spots) == 1 and not animals and stage.rng.random() < 0.5:  # a lone figure may face either way
        spots[0] = (spots[0][0], -spots[0][1])
    return spots


def _held_item(stage: Stage, actor: Actor, look: Look) -> str:
    role = actor.character.role
    if stage.wants("sword") and role == "hero" and "sword" not in stage.drawn:
        stage.mark("sword")
        return "sword"
    if stage.wants("lantern") and "lantern" not in stage.drawn:
        stage.mark("lantern")
        return "lantern"
    if look.kind in ("elder", "crone", "sorcerer"):
        return "staff"
    return "none"


def _person(canvas: Canvas, p: Pose, look: Look, ink: RGB, hold: str, lights: list[tuple[float, float, float]]) -> None:
    """A profile silhouette facing +u: legs and tunic or a long robe, torso, arms by what is held, head with a nose."""
    old = look.kind in ("witch", "crone", "elder", "sorcerer")
    f = Puppet(canvas, p, ink, hunch=0.05 if old else 0.0)
    if look.cape:
        f.shape(CAPE)
    if look.kind == "maiden":
        f.shape(DRESS)
    elif look.kind in ROBED:
        f.shape(ROBE)
        if look.kind in ("witch", "sorcerer"):
            for u in np.linspace(-0.12, 0.1, 5):  # a tattered hem
                f.shape([(u - 0.03, 0.03), (u + 0.01, -0.005), (u + 0.03, 0.03)], smooth_edges=False)
    else:
        f.limb(*FRONT_LEG)
        f.limb(*BACK_LEG)
        f.shape(FRONT_BOOT, smooth_edges=False)
        f.shape(BACK_BOOT, smooth_edges=False)
        f.shape(TUNIC)
    f.limb(BACK_ARM, (0.055, 0.042, 0.032))
    f.shape(TORSO)
    f.limb([(0.0, 0.8), (0.012, 0.87)], (0.05, 0.045))  # neck
    _front_arm(f, look, hold, lights)
    _head(f, look, HEAD_CENTER)


def _front_arm(f: Puppet, look: Look, hold: str, lights: list[tuple[float, float, float]]) -> None:
    widths = (0.055, 0.044, 0.034)
    shoulder = (0.03, 0.78)
    if hold == "sword":
        f.limb([shoulder, (0.12, 0.69), (0.2, 0.77)], widths)
        f.shape([(0.19, 0.78), (0.215, 0.8), (0.44, 1.22), (0.4, 1.2)], smooth_edges=False)  # blade
        f.limb([(0.15, 0.83), (0.26, 0.76)], (0.022, 0.022))  # cross-guard
        f.disk(0.18, 0.745, 0.02)  # pommel
    elif hold == "staff":
        f.limb([shoulder, (0.11, 0.65), (0.2, 0.64)], widths)
        f.limb([(0.23, 0.0), (0.2, 0.64), (0.18, 1.04)], (0.02, 0.022, 0.024))
        f.disk(0.18, 1.06, 0.032)
    elif hold == "lantern":
        f.limb([shoulder, (0.12, 0.64), (0.23, 0.62)], widths)
        f.limb([(0.235, 0.6), (0.235, 0.55)], (0.006, 0.006))
        f.shape([(0.2, 0.55), (0.27, 0.55), (0.26, 0.46), (0.21, 0.46)], smooth_edges=False)
        lights.append((*f.pt(0.235, 0.5), f.pose.len(0.4)))
    elif look.kind in ("sorcerer", "horned", "witch", "king"):
        f.limb([shoulder, (0.16, 0.74), (0.3, 0.79)], widths)  # reaching, menacing
        for k in (-1, 0, 1):
            f.limb([(0.3, 0.79), (0.36, 0.8 + 0.025 * k), (0.39, 0.775 + 0.03 * k)], (0.014, 0.01, 0.004))
    elif look.kind == "maiden":
        f.limb([shoulder, (0.06, 0.62), (0.1, 0.7)], widths)  # hands at the heart
    else:
        f.limb([shoulder, (0.13, 0.67), (0.25, 0.74)], widths)  # a gesture, as if speaking
        f.disk(0.26, 0.745, 0.022)


def _head(f: Puppet, look: Look, center: Point) -> None:
    hu, hv = center

    def at(points: Iterable[Point]) -> list[Point]:
        return [(hu + u * HEAD_SCALE, hv + v * HEAD_SCALE) for u, v in points]

    wear = look.headwear
    if wear == "kokoshnik":
        f.limb(at([(-0.05, -0.02), (-0.085, -0.15), (-0.075, -0.36)]), (0.035, 0.03, 0.014))  # braid
    if wear == "hood":
        f.shape(at([(0.07, 0.0), (0.06, 0.07), (0.0, 0.1), (-0.09, 0.07), (-0.2, -0.02), (-0.1, -0.06), (-0.09, -0.14), (-0.03, -0.1)]))
    f.shape(at(HEAD))
    if look.kind in ("elder", "king", "sorcerer"):
        f.shape(at([(0.062, -0.03), (0.055, -0.1), (0.03, -0.2), (0.0, -0.12), (-0.02, -0.05)]))  # beard
    shapes = HEADWEAR_SHAPES.get(wear)
    if shapes:
        for shape, smooth_edges in shapes:
            f.shape(at(shape), smooth_edges=smooth_edges)
    if wear == "cap":
        f.limb(at([(-0.02, 0.07), (-0.1, 0.13), (-0.17, 0.14)]), (0.022, 0.016, 0.004))  # feather
    elif wear == "horns":
        for du in (0.0, 0.035):
            f.limb(at([(0.0 + du, 0.055), (0.04 + du, 0.12), (0.01 + du, 0.19), (-0.04 + du, 0.21)]), (0.032, 0.024, 0.012, 0.003))
    elif wear == "witch_hat":
        f.shape(at([(-0.14, 0.045), (0.13, 0.06), (0.13, 0.075), (-0.14, 0.065)]))
        f.limb(at([(-0.005, 0.06), (-0.03, 0.2), (-0.11, 0.29), (-0.17, 0.27)]), (0.12, 0.06, 0.025, 0.004))


ROBED = ("witch", "sorcerer", "king", "elder", "crone")
HEAD_CENTER = (0.02, 0.91)
HEAD_SCALE = 1.12  # shadow puppets have slightly large heads
HEAD = [(-0.062, 0.0), (-0.055, 0.045), (-0.02, 0.072), (0.03, 0.07), (0.058, 0.035), (0.063, 0.01), (0.09, -0.018),
        (0.064, -0.026), (0.066, -0.042), (0.055, -0.062), (0.02, -0.074), (-0.03, -0.062), (-0.056, -0.035)]
TORSO = [(0.035, 0.84), (0.078, 0.8), (0.088, 0.72), (0.07, 0.6), (0.066, 0.52), (-0.066, 0.52), (-0.072, 0.62),
         (-0.084, 0.74), (-0.07, 0.81), (-0.03, 0.84)]
TUNIC = [(0.062, 0.56), (0.09, 0.45), (0.135, 0.33), (0.04, 0.35), (-0.03, 0.33), (-0.125, 0.34), (-0.085, 0.45), (-0.066, 0.56)]
FRONT_LEG = ([(0.03, 0.48), (0.078, 0.27), (0.12, 0.06)], (0.09, 0.055, 0.042))
BACK_LEG = ([(-0.03, 0.48), (-0.045, 0.27), (-0.085, 0.06)], (0.09, 0.055, 0.042))
FRONT_BOOT = [(0.095, 0.1), (0.145, 0.1), (0.15, 0.045), (0.205, 0.02), (0.205, 0.0), (0.1, 0.0)]
BACK_BOOT = [(-0.11, 0.1), (-0.06, 0.1), (-0.055, 0.045), (-0.005, 0.02), (-0.005, 0.0), (-0.11, 0.0)]
BACK_ARM = [(-0.035, 0.78), (-0.075, 0.64), (-0.06, 0.5)]
DRESS = [(0.04, 0.83), (0.075, 0.78), (0.066, 0.66), (0.055, 0.56), (0.1, 0.4), (0.15, 0.2), (0.2, 0.015), (0.12, 0.0),
         (0.0, 0.01), (-0.12, 0.0), (-0.19, 0.015), (-0.13, 0.2), (-0.09, 0.4), (-0.06, 0.56), (-0.066, 0.7), (-0.066, 0.79), (-0.025, 0.835)]
ROBE = [(0.04, 0.83), (0.08, 0.79), (0.086, 0.6), (0.1, 0.35), (0.135, 0.02), (0.0, 0.0), (-0.14, 0.0), (-0.11, 0.35),
        (-0.09, 0.6), (-0.082, 0.78), (-0.03, 0.835)]
CAPE = [(-0.02, 0.83), (-0.09, 0.76), (-0.16, 0.55), (-0.24, 0.3), (-0.3, 0.08), (-0.25, 0.12), (-0.2, 0.06), (-0.15, 0.11),
        (-0.1, 0.09), (-0.06, 0.45), (0.0, 0.75)]
HEADWEAR_SHAPES: dict[str, list[tuple[list[Point], bool]]] = {
    "helmet": [([(-0.068, 0.005), (-0.062, 0.05), (-0.03, 0.085), (-0.004, 0.13), (0.004, 0.18), (0.012, 0.13), (0.04, 0.085),
                 (0.068, 0.045), (0.072, 0.005)], False),
               ([(-0.068, 0.01), (-0.085, -0.07), (-0.02, -0.075), (-0.035, 0.0)], True)],
    "cap": [([(-0.07, 0.015), (-0.05, 0.07), (0.02, 0.088), (0.075, 0.055), (0.095, 0.03)], True)],
    "hair": [([(-0.068, -0.04), (-0.08, 0.03), (-0.04, 0.085), (0.03, 0.085), (0.07, 0.045), (0.03, 0.05), (-0.01, 0.035), (-0.04, 0.0)], True)],
    "crown": [([(-0.055, 0.045), (-0.065, 0.14), (-0.032, 0.095), (-0.002, 0.155), (0.028, 0.095), (0.06, 0.14), (0.058, 0.045)], False)],
    "kokoshnik": [([(-0.05, 0.03), (-0.065, 0.1), (-0.025, 0.16), (0.03, 0.16), (0.068, 0.1), (0.058, 0.03)], True)],
    "scarf": [([(0.062, 0.03), (0.03, 0.088), (-0.04, 0.09), (-0.085, 0.03), (-0.1, -0.1), (-0.05, -0.08), (0.0, -0.085), (0.04, -0.07)], True)],
}


# --- animals -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Beast:
    """A side-view animal facing +u, in units of its height; `size` is that height in person heights."""

    size: float
    shapes: tuple[tuple[Point, ...], ...]  # smooth closed outlines: body, tail...
    head: tuple[Point, ...]  # neck and head, turned up by `howl`
    ears: tuple[tuple[Point, ...], ...]
    legs: tuple[tuple[tuple[Point, ...], tuple[float, ...]], ...]  # centre line and widths
    pivot: Point = (0.45, 0.7)  # where the neck meets the body


def _wolf_legs(scale: float = 1.0) -> tuple:
    front, hind = (0.12 * scale, 0.06 * scale, 0.05 * scale), (0.2 * scale, 0.07 * scale, 0.05 * scale)
    return (
        (((0.28, 0.55), (0.25, 0.3), (0.28, 0.03)), front),
        (((-0.28, 0.58), (-0.34, 0.24), (-0.28, 0.03)), hind),
        (((0.38, 0.55), (0.4, 0.3), (0.39, 0.03)), front),
        (((-0.38, 0.6), (-0.44, 0.24), (-0.38, 0.03)), hind),
    )


_WOLF_BODY = ((0.36, 0.78), (0.46, 0.66), (0.42, 0.46), (0.2, 0.42), (-0.1, 0.44), (-0.35, 0.48), (-0.5, 0.58), (-0.48, 0.72),
              (-0.25, 0.72), (0.05, 0.73), (0.25, 0.78))
_WOLF_HEAD = ((0.28, 0.76), (0.4, 0.9), (0.5, 0.98), (0.6, 0.97), (0.68, 0.93), (0.86, 0.85), (0.87, 0.81), (0.7, 0.78),
              (0.6, 0.74), (0.52, 0.6), (0.38, 0.55))
_WOLF_EARS = (((0.5, 0.96), (0.51, 1.09), (0.58, 0.97)), ((0.45, 0.93), (0.44, 1.05), (0.51, 0.95)))
_PIVOT = (0.35, 0.7)

_BEAR_LEG, _BEAR_HIND = (0.2, 0.15, 0.15), (0.24, 0.15, 0.15)
_HORSE_LEG, _HORSE_HIND = (0.12, 0.055, 0.05), (0.2, 0.07, 0.05)

BEASTS: dict[str, Beast] = {
    "wolf": Beast(
        size=0.55,
        shapes=(_WOLF_BODY, ((-0.46, 0.72), (-0.6, 0.6), (-0.68, 0.4), (-0.64, 0.3), (-0.56, 0.42), (-0.48, 0.58))),
        head=_WOLF_HEAD,
        ears=_WOLF_EARS,
        legs=_wolf_legs(),
        pivot=_PIVOT,
    ),
    "dog": Beast(
        size=0.48,
        shapes=(_WOLF_BODY, ((-0.47, 0.7), (-0.6, 0.85), (-0.64, 0.98), (-0.58, 0.99), (-0.53, 0.82), (-0.45, 0.64))),
        head=_WOLF_HEAD,
        ears=(((0.5, 0.96), (0.46, 1.04), (0.56, 0.97)),),
        legs=_wolf_legs(),
        pivot=_PIVOT,
    ),
    "fox": Beast(
        size=0.4,
        shapes=(
            tuple((u, v * 0.85) for u, v in _WOLF_BODY),
            ((-0.46, 0.6), (-0.7, 0.54), (-0.95, 0.44), (-1.08, 0.36), (-0.9, 0.3), (-0.65, 0.34), (-0.45, 0.46)),
        ),
        head=((0.28, 0.66), (0.4, 0.82), (0.5, 0.9), (0.6, 0.89), (0.68, 0.85), (0.92, 0.78), (0.7, 0.72), (0.6, 0.68),
              (0.52, 0.53), (0.38, 0.46)),
        ears=(((0.49, 0.88), (0.5, 1.05), (0.59, 0.89)), ((0.43, 0.85), (0.42, 1.01), (0.51, 0.87))),
        legs=_wolf_legs(0.85),
        pivot=(0.35, 0.6),
    ),
    "bear": Beast(
        size=0.55,
        shapes=(((0.3, 0.8), (0.45, 0.7), (0.48, 0.45), (0.25, 0.36), (-0.2, 0.36), (-0.45, 0.42), (-0.55, 0.62),
                 (-0.45, 0.8), (-0.2, 0.88), (0.05, 0.95), (0.2, 0.9)),),
        head=((0.32, 0.78), (0.45, 0.8), (0.55, 0.78), (0.7, 0.66), (0.72, 0.6), (0.6, 0.56), (0.48, 0.5), (0.36, 0.55)),
        ears=(((0.43, 0.78), (0.44, 0.86), (0.5, 0.86), (0.51, 0.78), (0.47, 0.76)),),
        legs=(
            (((0.2, 0.5), (0.18, 0.25), (0.2, 0.03)), _BEAR_LEG),
            (((-0.25, 0.5), (-0.22, 0.28), (-0.25, 0.03)), _BEAR_HIND),
            (((0.3, 0.5), (0.32, 0.25), (0.33, 0.03)), _BEAR_LEG),
            (((-0.35, 0.55), (-0.33, 0.28), (-0.36, 0.03)), _BEAR_HIND),
        ),
    ),
    "horse": Beast(
        size=0.72,
        shapes=(
            ((0.42, 0.98), (0.52, 0.85), (0.5, 0.65), (0.3, 0.58), (-0.2, 0.58), (-0.45, 0.65), (-0.55, 0.82),
             (-0.5, 0.98), (-0.25, 0.97), (0.1, 0.95), (0.3, 1.0)),
            ((-0.52, 0.95), (-0.65, 0.8), (-0.68, 0.5), (-0.6, 0.45), (-0.58, 0.7), (-0.5, 0.85)),  # tail
            ((0.26, 1.0), (0.36, 1.22), (0.52, 1.43), (0.42, 1.24), (0.3, 1.06)),  # mane
        ),
        head=((0.3, 0.98), (0.42, 1.2), (0.52, 1.38), (0.58, 1.45), (0.66, 1.42), (0.82, 1.22), (0.86, 1.14), (0.8, 1.1),
              (0.68, 1.18), (0.6, 1.18), (0.55, 1.0), (0.5, 0.82)),
        ears=(((0.56, 1.43), (0.57, 1.55), (0.62, 1.44)),),
        legs=(
            (((0.3, 0.7), (0.27, 0.35), (0.3, 0.03)), _HORSE_LEG),
            (((-0.3, 0.75), (-0.37, 0.3), (-0.3, 0.03)), _HORSE_HIND),
            (((0.4, 0.7), (0.42, 0.35), (0.41, 0.03)), _HORSE_LEG),
            (((-0.4, 0.78), (-0.47, 0.3), (-0.4, 0.03)), _HORSE_HIND),
        ),
        pivot=(0.42, 0.95),
    ),
    "cat": Beast(  # sitting, its tail curled round its paws
        size=0.22,
        shapes=(((0.12, 0.65), (0.2, 0.45), (0.22, 0.2), (0.2, 0.0), (-0.25, 0.0), (-0.32, 0.15), (-0.28, 0.4), (-0.1, 0.58)),),
        head=((0.0, 0.75), (0.04, 0.86), (0.13, 0.9), (0.23, 0.85), (0.3, 0.74), (0.24, 0.64), (0.12, 0.6), (0.03, 0.64)),
        ears=(((0.03, 0.82), (0.05, 1.0), (0.12, 0.88)), ((0.15, 0.88), (0.22, 1.02), (0.25, 0.82))),
        legs=(
            (((0.15, 0.4), (0.18, 0.2), (0.19, 0.02)), (0.09, 0.065, 0.06)),
            (((-0.28, 0.06), (-0.05, 0.02), (0.18, 0.03), (0.32, 0.1)), (0.08, 0.07, 0.06, 0.04)),
        ),
        pivot=(0.1, 0.6),
    ),
    "hare": Beast(  # sitting, ears up
        size=0.22,
        shapes=(
            ((0.2, 0.35), (0.15, 0.1), (0.05, 0.0), (-0.25, 0.0), (-0.38, 0.15), (-0.3, 0.4), (-0.1, 0.5), (0.1, 0.5)),
            ((-0.34, 0.22), (-0.44, 0.2), (-0.42, 0.1), (-0.33, 0.1)),
        ),
        head=((0.08, 0.5), (0.14, 0.62), (0.24, 0.64), (0.36, 0.55), (0.35, 0.5), (0.24, 0.45), (0.12, 0.4)),
        ears=(
            ((0.14, 0.6), (0.05, 0.85), (0.02, 1.0), (0.09, 0.85), (0.2, 0.62)),
            ((0.1, 0.6), (-0.05, 0.8), (-0.1, 0.93), (-0.02, 0.82), (0.16, 0.6)),
        ),
        legs=((((0.15, 0.3), (0.2, 0.15), (0.26, 0.02)), (0.07, 0.05, 0.05)),),
        pivot=(0.1, 0.45),
    ),
}


def _draw_animals(canvas: Canvas, stage: Stage) -> None:
    ink, u = stage.palette.ink, stage.unit
    wanted = [(a.animal, f"character: {a.character.name}") for a in stage.plan.actors if a.animal]
    wanted += [(e, stage.plan.elements[e]) for e in (*ANIMALS, "raven", "owl") if stage.wants(e)]
    for animal, reason in dict(wanted).items():
        if animal in ("raven", "owl"):
            _perched_bird(canvas, stage, animal, ink)
        elif animal == "snake":
            x = stage.free_spot(u * 0.2)
            if x is None:
                continue
            _snake(canvas, Pose(x, stage.ground_at(x) + u * 0.01, u * 0.05, int(stage.rng.choice([-1, 1]))), ink)
        elif animal in BEASTS:
            beast = BEASTS[animal]
            x = stage.free_spot(u * 0.3 * beast.size * 1.8)
            if x is None:
                continue
            focus = float(np.mean(stage.people_x)) if stage.people_x else stage.w / 2
            facing = -1 if x > focus else 1
            pose = Pose(x, stage.ground_at(x) + u * 0.012, u * 0.3 * beast.size, facing)
            howl = animal in ("wolf", "dog") and stage.plan.time_of_day == "night"
            _beast(canvas, pose, beast, ink, howl)
        else:
            continue
        stage.mark(animal, reason)


def _rotate(points: Iterable[Point], pivot: Point, angle: float) -> list[Point]:
    c, s = math.cos(angle), math.sin(angle)
    pu, pv = pivot
    return [(pu + (u - pu) * c - (v - pv) * s, pv + (u - pu) * s + (v - pv) * c) for u, v in points]


def _beast(canvas: Canvas, p: Pose, beast: Beast, ink: RGB, howl: bool = False) -> None:
    f = Puppet(canvas, p, ink)
    turn = 0.75 if howl else 0.0  # a howling wolf lifts its head to the moon
    for centre, widths in beast.legs:
        f.limb(list(centre), widths)
    for shape in beast.shapes:
        f.shape(list(shape))
    f.shape(_rotate(beast.head, beast.pivot, turn))
    for ear in beast.ears:
        f.shape(_rotate(ear, beast.pivot, turn), smooth_edges=len(ear) > 4)


def _snake(canvas: Canvas, p: Pose, ink: RGB) -> None:
    pts = [(k * 0.4, 0.15 + 0.15 * math.sin(k * 1.6)) for k in np.linspace(-2.5, 2.5, 30)]
    canvas.tapered(p.pts(pts), p.len(0.05), p.len(0.25), ink)
    head = pts[-1]
    canvas.ellipse(*p.pt(head[0] + 0.15, head[1] + 0.05), p.len(0.22), p.len(0.15), ink)
    canvas.line(p.pts([(head[0] + 0.35, head[1] + 0.05), (head[0] + 0.55, head[1] + 0.1)]), p.len(0.03), ink)


def _perched_bird(canvas: Canvas, stage: Stage, kind: str, ink: RGB) -> None:
    """A raven or an owl on a branch that reaches in from the top corner — a frame as in a shadow play."""
    rng, u, w = stage.rng, stage.unit, stage.w
    side = rng.choice([-1, 1])
    start = (w * (0.5 + side * 0.52), stage.h * rng.uniform(0.08, 0.22))
    end = (w * (0.5 + side * rng.uniform(0.18, 0.28)), start[1] + u * rng.uniform(0.03, 0.08))
    mid = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2 + u * 0.03)
    canvas.tapered([start, mid, end], u * 0.03, u * 0.008, ink)
    for k in (0.35, 0.7):
        fx = start[0] + (end[0] - start[0]) * k
        twig = [(fx, start[1] + (end[1] - start[1]) * k), (fx - side * u * 0.05, start[1] - u * 0.05)]
        canvas.tapered(twig, u * 0.01, u * 0.003, ink)
    perch = (start[0] + (end[0] - start[0]) * 0.6, start[1] + (end[1] - start[1]) * 0.6 + u * 0.02)
    p = Pose(perch[0], perch[1] - u * 0.005, u * 0.1, -side)
    if kind == "owl":
        canvas.ellipse(*p.pt(0, 0.45), p.len(0.28), p.len(0.45), ink)
        canvas.ellipse(*p.pt(0, 0.95), p.len(0.25), p.len(0.22), ink)
        for s in (-1, 1):
            canvas.polygon(p.pts([(0.12 * s, 1.1), (0.22 * s, 1.32), (0.2 * s, 1.05)]), ink)
        for s in (-1, 1):
            canvas.ellipse(*p.pt(0.1 * s, 0.97), p.len(0.06), p.len(0.06), stage.palette.light)
    else:
        canvas.ellipse(*p.pt(0, 0.45), p.len(0.42), p.len(0.25), ink)
        canvas.ellipse(*p.pt(0.35, 0.7), p.len(0.16), p.len(0.15), ink)
        canvas.polygon(p.pts([(0.45, 0.75), (0.75, 0.62), (0.45, 0.62)]), ink)  # beak
        canvas.polygon(p.pts([(-0.3, 0.5), (-0.85, 0.15), (-0.75, 0.35), (-0.25, 0.3)]), ink)  # tail
        for s in (-0.08, 0.08):
            canvas.line(p.pts([(s, 0.25), (s + 0.05, 0.0)]), p.len(0.04), ink)


def _dragon(canvas: Canvas, stage: Stage) -> None:
    """A winged dragon gliding across the sky, neck stretched forward, spiked tail trailing."""
    rng, u = stage.rng, stage.unit
    facing = int(rng.choice([-1, 1]))
    x = stage.w * (0.5 + rng.uniform(-0.15, 0.15))
    y = stage.h * rng.uniform(0.3, 0.38) if stage.terrain == "cave" else stage.horizon * rng.uniform(0.45, 0.6)
    p = Pose(x, y, u * (0.16 if stage.terrain == "cave" else 0.22), facing)
    ink = stage.palette.ink
    canvas.ellipse(*p.pt(0, 0.3), p.len(0.55), p.len(0.18), ink)
    canvas.tapered(p.pts([(0.4, 0.35), (0.7, 0.5), (0.95, 0.55), (1.1, 0.5)]), p.len(0.2), p.len(0.09), ink)
    canvas.polygon(p.pts([(1.05, 0.58), (1.45, 0.48), (1.4, 0.42), (1.05, 0.42)]), ink)  # head and jaw
    for du in (0.0, 0.08):
        canvas.polygon(p.pts([(1.02 - du, 0.56), (0.9 - du, 0.75), (1.1 - du, 0.58)]), ink)  # horns
    tail = [(-0.5, 0.3), (-0.9, 0.15), (-1.3, 0.25), (-1.6, 0.1)]
    canvas.tapered(p.pts(tail), p.len(0.14), p.len(0.04), ink)
    canvas.polygon(p.pts([(-1.55, 0.14), (-1.78, 0.05), (-1.6, 0.0)]), ink)
    flap = rng.uniform(0.6, 1.1)
    wing = [(0.2, 0.4), (0.0, 0.4 + flap), (-0.35, 0.45 + flap * 1.3), (-0.45, 0.9), (-0.62, 0.7), (-0.58, 0.5),
            (-0.8, 0.5), (-0.35, 0.35)]
    canvas.polygon(p.pts(wing), ink)
    for ru, rv in ((-0.35, 0.45 + flap * 1.3), (-0.45, 0.9), (-0.62, 0.7)):
        canvas.line(p.pts([(0.0, 0.4 + flap), (ru, rv)]), p.len(0.025), ink)
    for lu in (0.3, -0.3):
        canvas.tapered(p.pts([(lu, 0.2), (lu - 0.05, 0.02), (lu - 0.18, -0.02)]), p.len(0.08), p.len(0.04), ink)


def _sword_in_stone(canvas: Canvas, stage: Stage) -> None:
    u, ink = stage.unit, stage.palette.ink
    x = stage.free_spot(u * 0.12)
    if x is None:
        return
    p = Pose(x, stage.ground_at(x) + u * 0.01, u * 0.1)
    canvas.ellipse(*p.pt(0, 0.1), p.len(0.45), p.len(0.3), ink)
    canvas.line(p.pts([(0.02, 0.3), (0.02, 1.0)]), p.len(0.06), ink)
    canvas.line(p.pts([(-0.14, 0.9), (0.18, 0.9)]), p.len(0.05), ink)
    canvas.ellipse(*p.pt(0.02, 1.1), p.len(0.05), p.len(0.05), ink)
    stage.mark("sword")


def _campfire(canvas: Canvas, stage: Stage, lights: list[tuple[float, float, float]]) -> None:
    u, pal = stage.unit, stage.palette
    x = stage.free_spot(u * 0.15, 0.3, 0.7)
    if x is None:
        return
    p = Pose(x, stage.ground_at(x) + u * 0.008, u * 0.1)
    for side in (-1, 1):  # crossed logs
        canvas.line(p.pts([(-0.35 * side, 0.02), (0.35 * side, 0.18)]), p.len(0.07), pal.ink)
    flame_colors = (_mix(pal.light, (255, 90, 20), 0.5), pal.light, _mix(pal.light, (255, 255, 255), 0.5))
    for k, color in enumerate(flame_colors):
        s = 1 - k * 0.3
        tongues = [(-0.25, 0.1), (-0.15, 0.5), (-0.05, 0.4), (0.02, 0.95), (0.12, 0.45), (0.22, 0.6), (0.25, 0.1)]
        canvas.polygon(p.pts([(u * s, v if v == 0.1 else v * s) for u, v in tongues]), color)
    lights.append((*p.pt(0, 0.35), u * 0.3))
    stage.mark("campfire")


def _ghost(image: Image.Image, stage: Stage) -> None:
    """A pale translucent shape with a ragged hem, drawn on its own canvas so it can be see-through."""
    u, rng = stage.unit, stage.rng
    canvas = Canvas(stage.size, stage.ss)
    x = stage.w * rng.uniform(0.55, 0.8)
    p = Pose(x, stage.ground_at(x) - u * 0.05 if np.isfinite(stage.ground_at(x)) else stage.h * 0.7, u * 0.3, -1)
    color = _mix(stage.palette.glow, (255, 255, 255), 0.4)
    canvas.ellipse(*p.pt(0, 0.82), p.len(0.13), p.len(0.16), color)
    hem = [(0.18 - 0.09 * k, 0.05 * (k % 2)) for k in range(5)]
    canvas.polygon(p.pts([(0.13, 0.82), *hem, (-0.2, 0.1), (-0.13, 0.82)]), color)
    canvas.line(p.pts([(0.1, 0.68), (0.3, 0.6), (0.38, 0.66)]), p.len(0.04), color)
    for eye in (0.03, 0.09):
        canvas.ellipse(*p.pt(eye, 0.86), p.len(0.02), p.len(0.03), stage.palette.ink)
    ghost = canvas.finish()
    ghost.putalpha(ghost.getchannel("A").point(lambda a: a * 55 // 100))
    image.alpha_composite(ghost)
    stage.mark("ghost")


# ---------------------------------------------------------------------------------------------------
# Things drawn from the game-icons assets
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IconProp:
    icon: str  # a name in pipeline/assets/game-icons.json
    place: str  # sky (sky layer), landmark (near layer), figure / prop / hanging (figures layer)
    size: float  # in stage units (a person is about 0.3)


ICON_PROPS: dict[str, IconProp] = {
    "planet": IconProp("ringed-planet", "sky", 0.2),
    "spaceship": IconProp("spaceship", "sky", 0.15),
    "rocket": IconProp("rocket", "sky", 0.13),
    "ufo": IconProp("ufo", "sky", 0.15),
    "satellite": IconProp("satellite", "sky", 0.09),
    "lighthouse": IconProp("lighthouse", "landmark", 0.5),
    "tent": IconProp("camping-tent", "landmark", 0.24),
    "well": IconProp("well", "landmark", 0.2),
    "portal": IconProp("magic-portal", "landmark", 0.36),
    "clock tower": IconProp("clock-tower", "landmark", 0.55),
    "snowman": IconProp("snowman", "landmark", 0.18),
    "robot": IconProp("vintage-robot", "figure", 0.25),
    "alien": IconProp("alien-stare", "figure", 0.2),
    "unicorn": IconProp("unicorn", "figure", 0.28),
    "deer": IconProp("deer", "figure", 0.26),
    "magnifying glass": IconProp("magnifying-glass", "prop", 0.1),
    "revolver": IconProp("revolver", "prop", 0.08),
    "ray gun": IconProp("ray-gun", "prop", 0.08),
    "footprints": IconProp("footprint", "prop", 0.08),
    "hat": IconProp("fedora", "prop", 0.07),
    "pipe": IconProp("smoking-pipe", "prop", 0.07),
    "letter": IconProp("envelope", "prop", 0.07),
    "key": IconProp("key", "prop", 0.07),
    "handcuffs": IconProp("handcuffs", "prop", 0.07),
    "crystal": IconProp("crystal-cluster", "prop", 0.11),
    "staff": IconProp("wizard-staff", "prop", 0.16),
    "skull": IconProp("skull-crossed-bones", "prop", 0.07),
    "mushrooms": IconProp("mushrooms", "prop", 0.07),
    "treasure": IconProp("open-treasure-chest", "prop", 0.11),
    "cauldron": IconProp("cauldron", "prop", 0.12),
    "pumpkin": IconProp("pumpkin-lantern", "prop", 0.08),
    "book": IconProp("spell-book", "prop", 0.08),
    "spider": IconProp("hanging-spider", "hanging", 0.1),
    "cobweb": IconProp("spider-web", "hanging", 0.2),
}


def _wanted_icons(stage: Stage, place: str) -> list[tuple[str, IconProp, str]]:
    """(element, icon, reason): from the plan, and characters who are one of the icon creatures."""
    wanted = {a.animal: f"character: {a.character.name}" for a in stage.plan.actors if a.animal in ICON_PROPS}
    wanted.update((e, r) for e, r in stage.plan.elements.items() if e in ICON_PROPS and e not in wanted)
    return [(element, ICON_PROPS[element], reason) for element, reason in wanted.items() if ICON_PROPS[element].place == place]


def _draw_sky_icons(image: Image.Image, stage: Stage) -> None:
    """Planets and ships hang in the upper sky, away from the sun or moon."""
    pal, rng = stage.palette, stage.rng
    placed = [(stage.sky_body[0], stage.sky_body[1], stage.sky_body[2] * 1.5)] if stage.sky_body else []
    for element, prop, reason in _wanted_icons(stage, "sky"):
        size = stage.unit * prop.size * rng.uniform(0.9, 1.15)
        for _ in range(20):  # somewhere clear of the sun or moon and of the other things in the sky
            x, y = stage.w * rng.uniform(0.1, 0.9), stage.horizon * rng.uniform(0.18, 0.6)
            if all(math.hypot(x - px, y - py) > size * 0.6 + pr for px, py, pr in placed):
                break
        placed.append((x, y, size * 0.6))
        # a planet shines like the moon; craft are dark against a light sky and catch the light in a dark one
        lit = element == "planet" or stage.plan.time_of_day in ("night", "dusk")
        color = _mix(pal.glow, pal.sky[1], 0.35) if lit else pal.plane(0.8)
        icons.stamp(image, prop.icon, x, y + size / 2, size, color, mirror=bool(rng.random() < 0.5))
        stage.mark(element, reason)


def _draw_icons(canvas: Canvas, stage: Stage, place: str) -> None:
    """Landmarks, creatures and props standing on the ground (or hanging from the top edge), in ink."""
    rng, ss = stage.rng, canvas.ss
    for element, prop, reason in _wanted_icons(stage, place):
        size = stage.unit * prop.size * rng.uniform(0.92, 1.08)
        if place == "hanging":
            x, bottom = stage.w * rng.choice([rng.uniform(0.04, 0.2), rng.uniform(0.8, 0.96)]), size * rng.uniform(1.0, 1.6)
            if element == "spider":
                canvas.line([(x, 0), (x, bottom - size * 0.5)], max(1.0, stage.unit / 900), stage.palette.ink)
        else:
            spot = stage.free_spot(size * 0.8, 0.06, 0.94)
            if spot is None:
                continue
            x, bottom = spot, stage.ground_at(spot) + stage.unit * (0.012 if place == "prop" else 0.02)
        facing_left = bool(stage.people_x) and np.mean(stage.people_x) < x
        icons.stamp(canvas.image, prop.icon, x * ss, bottom * ss, size * ss, stage.palette.ink, mirror=facing_left)
        stage.mark(element, reason)


# ---------------------------------------------------------------------------------------------------
# The illustrator
# ---------------------------------------------------------------------------------------------------

LAYER_NAMES = ("sky", "far", "near", "figures")


def _supersampling(size: tuple[int, int]) -> int:
    return 2 if size[0] * size[1] <= 2560 * 1440 else 1


class ShadowTheatreIllustrator:
    """Vector silhouettes over a gradient sky; needs no model and draws 1280×720 in well under a second."""

    def illustrate(self, story: Story, scene_index: int, size: tuple[int, int], out_dir: Path, seed: int) -> Illustration:
        plan = plan_scene(story, scene_index)
        stage = Stage(
            plan=plan,
            size=size,
            rng=np.random.default_rng([seed % 2**32, scene_index]),
            palette=palette_for(plan.genre, plan.time_of_day),
            looks_seed=seed,
            ss=_supersampling(size),
        )
        layers = render(stage)
        composite = layers[0].copy()
        for layer in layers[1:]:
            composite.alpha_composite(layer)
        out_dir.mkdir(parents=True, exist_ok=True)
        image_path = out_dir / f"scene_{scene_index:02d}.png"
        layer_paths = [out_dir / f"scene_{scene_index:02d}_{name}.png" for name in LAYER_NAMES]
        _save_pngs([(composite.convert("RGB"), image_path), *zip(layers, layer_paths)])
        elements = tuple(DrawnElement(name=name, reason=reason) for name, reason in stage.drawn.items())
        return Illustration(
            scene=scene_index, image=image_path, width=size[0], height=size[1], layers=tuple(layer_paths), elements=elements
        )


def _save_pngs(images: list[tuple[Image.Image, Path]]) -> None:
    """PNG encoding is most of the time spent; zlib releases the GIL, so encode the files side by side."""
    with ThreadPoolExecutor(max_workers=len(images)) as pool:
        list(pool.map(lambda item: item[0].save(item[1], compress_level=1), images))


def render(stage: Stage) -> list[Image.Image]:
    """Back to front: sky, far, near, figures (each RGBA of the full size)."""
    sky = draw_sky(stage)
    far = draw_far(stage)
    near = draw_near(stage)
    figures = draw_figures(stage)
    return [sky, far, near, figures]


def _diffusers_illustrator() -> Illustrator:
    from pipeline.pictures.diffusion import DEFAULT_MODEL, DEFAULT_RERANKER, DiffusionIllustrator
    from pipeline.settings import get_settings

    s = get_settings()
    return DiffusionIllustrator.from_pretrained(
        s.illustrator_model or DEFAULT_MODEL, s.illustrator_reranker or DEFAULT_RERANKER, s.illustrator_device
    )


ILLUSTRATORS: dict[str, Callable[[], Illustrator]] = {
    "shadow_theatre": ShadowTheatreIllustrator,
    "diffusers": _diffusers_illustrator,
}


def make_illustrator(name: str = "shadow_theatre") -> Illustrator:
    try:
        return ILLUSTRATORS[name]()
    except KeyError:
        raise ValueError(f"unknown illustrator {name!r}; known: {', '.join(ILLUSTRATORS)}") from None
