"""What to draw in a scene: the keyword table and the scene plan (elements with their reasons, and actors).

Both backends read it: the shadow theatre draws the plan, the diffusion backend names it in its prompt. What gets
drawn comes from the scene's setting, time of day, props and words (lemmatised with pipeline.morph), looked up
in the keyword table.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from pipeline import lexicon
from pipeline.illustrate import vocabulary
from pipeline.illustrate.vocabulary import Drawable
from pipeline.morph import is_cyrillic, lemmas, morph, normalise
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
IMPLIED_ELEMENTS: dict[str, tuple[str, ...]] = {"lightning": ("clouds",), "snowman": ("snow",), "lighthouse": ("sea",),
                                                "ship": ("sea",)}
# elements that do not go with another: a lighthouse stands by the sea, not before a city of tower blocks
EXCLUDED_BY: dict[str, tuple[str, ...]] = {"sea": ("city", "village", "train", "road", "field", "reeds")}

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
    """A character seen in the scene: a person, an animal when the name says so ("Лиса", "Ворона"), or the thing
    its name names ("Колобок" → a bun, "Кот Баюн" → a cat), the same picture in every scene."""

    character: Character
    animal: str | None
    thing: Drawable | None = None
    reason: str = ""  # how the name became the picture


@dataclass
class ScenePlan:
    genre: Genre
    time_of_day: str
    elements: dict[str, str]  # element → reason, in the order they were found
    actors: list[Actor]
    things: dict[str, Drawable] = field(default_factory=dict)  # elements drawn from the picture vocabulary
    title: tuple[str, ...] = ()  # elements that stand for the title's nouns this scene names: always drawn
    nouns: dict[str, str | None] = field(default_factory=dict)  # each concrete noun of the text → its element or None

    @property
    def characters(self) -> list[Character]:
        return [a.character for a in self.actors]


_NOT_THINGS = ("moon", "sun", "stars", "clouds")  # the keyword table's words for the time of day (ночь → moon)
MAX_THINGS = 6  # vocabulary pictures per scene besides the title's (more crowds the stage)
_SKIP_TAGS = ("Name", "Surn", "Patr", "Geox", "Orgn", "Abbr", "Trad")
_EN_STOP = frozenset("one ones thing things way time day night people someone everyone nobody anyone man woman fell the and"
                     .split())


@lru_cache(maxsize=50_000)
def _noun_lemma(word: str) -> str | None:
    """The word's normal form when it reads as a common noun, else None."""
    word = normalise(word)
    if is_cyrillic(word):
        parse = morph().parse(word)[0]
        if "NOUN" not in parse.tag or any(t in parse.tag for t in _SKIP_TAGS) or parse.score < 0.3:
            return None
        return normalise(parse.normal_form)
    if word.endswith(("ed", "ing", "ly")) or len(word) < 3 or word in _EN_STOP:
        return None  # participles and adverbs ("haunted", "falling") are not the nouns WordNet has for them
    singular = [word[: -len(a)] + b for a, b in (("ies", "y"), ("ves", "f"), ("es", ""), ("s", "")) if word.endswith(a)]
    for form in (*singular, word):
        if len(form) >= 3 and form not in _EN_STOP and lexicon.noun_category(form):
            return form
    return None


@lru_cache(maxsize=50_000)
def is_concrete_noun(lemma: str) -> bool:
    """A thing one could point at (not a person: people are the figures). Russian by its English translations."""
    if lemma in KEYWORDS:
        return KEYWORDS[lemma] not in _NOT_THINGS
    if lemma in vocabulary.ABSTRACT:
        return False
    if is_cyrillic(lemma):
        english = lexicon.english_words(lemma)[:2]  # the two most common translations (маяк: beacon, lighthouse)
        if english:
            return any(vocabulary.drawable_word(e) for e in english)
        return vocabulary.find(lemma) is not None
    return vocabulary.drawable_word(lemma)


def concrete_nouns(text: str) -> list[str]:
    """The distinct concrete nouns of a text, as normal forms, in order."""
    found = (_noun_lemma(word) for word in _WORD.findall(text))
    return list(dict.fromkeys(n for n in found if n and is_concrete_noun(n)))


def picture_for(noun: str) -> tuple[str, Drawable | None, str] | None:
    """(element, vocabulary picture or None for a hand-drawn element, route) for a noun, or None."""
    if noun in KEYWORDS:
        return KEYWORDS[noun], None, "keyword table"
    match = vocabulary.find(noun)
    if match is None or match.drawable.place == "figure" and lexicon.noun_category(match.drawable.label) == "noun.person":
        return None
    element = match.drawable.label
    return element, (None if element in ELEMENT_WORDS else match.drawable), match.via


def title_nouns(story: Story) -> list[str]:
    return concrete_nouns(story.request.title)


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
    things: dict[str, Drawable] = {}
    title: list[str] = []
    nouns: dict[str, str | None] = {}
    named_title = [n for n in title_nouns(story) if n in concrete_nouns(scene.text)]
    text_nouns = [n for n in concrete_nouns(scene.text) if n not in names]
    for noun in dict.fromkeys([*named_title, *text_nouns]):
        found = picture_for(noun)
        nouns[noun] = None
        if found is None:
            continue
        element, drawable, via = found
        is_title = noun in named_title
        if drawable is not None and element not in things and not is_title and len(things) >= MAX_THINGS:
            continue
        nouns[noun] = element
        add(element, f"{'title' if is_title else 'word'}: {noun} → {element} ({via})")
        if drawable is not None:
            things.setdefault(element, drawable)
        if is_title and element not in title:
            title.append(element)
    for prop in scene.props:
        if prop.replace("_", " ") not in KEYWORDS and len(things) < MAX_THINGS and is_concrete_noun(prop.replace("_", " ")):
            found = picture_for(prop.replace("_", " "))
            if found and found[1] is not None:
                add(found[0], f"prop: {prop} → {found[0]} ({found[2]})")
                things.setdefault(found[0], found[1])
    for element in GENRE_ELEMENTS.get(story.request.genre, ()):
        add(element, f"genre: {story.request.genre.value}")
    for element, reason in list(elements.items()):
        for implied in IMPLIED_ELEMENTS.get(element, ()):
            add(implied, reason)
    if scene.time_of_day == "night":
        elements.pop("sun", None)
    for element, excluded in EXCLUDED_BY.items():
        if element in elements:
            for other in excluded:
                if other not in title and not elements.get(other, "").startswith("setting"):
                    elements.pop(other, None)
    return ScenePlan(story.request.genre, scene.time_of_day, elements, actors, things, tuple(title), nouns)


def _actors(story: Story, scene: Scene) -> list[Actor]:
    """Characters who speak in the scene or are named in it; a name that is an animal word makes an animal."""
    scene_forms = {form for _, forms in words_with_lemmas(scene.text) for form in forms}
    speakers = {line.speaker for line in scene.lines}
    actors = []
    for character in story.characters:
        name_forms = [lemmas(w) for w in _WORD.findall(character.name) if len(w) >= 3]
        named = any(set(forms) & scene_forms for forms in name_forms)
        if character.id in speakers or named:
            actors.append(actor_for(character))
    return actors[:4]


@lru_cache(maxsize=1024)
def actor_for(character: Character) -> Actor:
    """How a character is drawn, from its name alone (so the same in every scene): a hand-drawn animal, a picture
    of what the name names, or (for a person's name) a person."""
    name_forms = [lemmas(w) for w in _WORD.findall(character.name) if len(w) >= 3]
    animal = next((KEYWORDS[f] for forms in name_forms for f in forms if KEYWORDS.get(f) in _ACTOR_ANIMALS), None)
    if animal:
        return Actor(character, animal, None, f"name: {character.name} → {animal} (keyword table)")
    for word in _WORD.findall(character.name):
        noun = _noun_lemma(word)
        if not noun or len(noun) < 2:  # ёж
            continue
        match = vocabulary.find(noun)
        if match and lexicon.noun_category(match.drawable.label) != "noun.person" and (
            is_cyrillic(noun) and any(lexicon.noun_category(e) != "noun.person" for e in lexicon.english_words(noun)[:1])
            or not lexicon.english_words(noun) or not is_cyrillic(noun)
        ) and match.drawable.place not in ("sky", "landmark"):
            return Actor(character, None, match.drawable, f"name: {character.name} → {match.reason}")
    return Actor(character, None)


_ACTOR_ANIMALS = (*ANIMALS, "dragon", "raven", "owl", "robot", "alien", "unicorn", "deer")  # "Робот Зорг" is a robot
