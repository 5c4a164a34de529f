"""What to draw in a scene: the keyword table and the scene plan (elements with their reasons, and actors).

Both backends read it: the shadow theatre draws the plan, the diffusion backend names it in its prompt. What gets
drawn comes from the scene's setting, time of day, props and words (lemmatised with pipeline.morph), looked up
in the keyword table.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.morph import lemmas, normalise
from pipeline.types import Character, Genre, Scene, Story


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

KEYWORDS: dict[str, str] = {normalise(w): element for element, words in ELEMENT_WORDS.items() for w in words}
_WORD = re.compile(r"[a-zа-яё]+(?:'[a-z]+)?", re.IGNORECASE)


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
    names = {form for a in actors for w in a.character.name.split() for form in lemmas(w)}
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
