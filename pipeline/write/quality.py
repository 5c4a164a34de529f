"""What a reader checks in a written story, measured: used by tests/test_write_quality.py, bench/writer.py,
and the grammar writer (which tells more of the hero until the name declines enough).

- scenes: enough of them, each with something to draw (a place or a thing named in its words or props);
- dialogue: every spoken line has a known speaker, and no narrator line hides a quoted speech;
- Russian grammar: the hero's name appears declined, in several distinct case forms;
- spelling: Debian's hunspell (hunspell-ru, hunspell-en-us) knows the words, characters' names aside.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pipeline.types import Gender, Genre, Language, Length, Scene, Story, StoryRequest
from pipeline.write.grammar.packs import PACKS, look_up
from pipeline.morph import is_cyrillic, lemmas
from pipeline.write.morphology import decline_person_ru, transliterate
from pipeline.write.title import read_title, short_name, title_subject

HUNSPELL_DICTIONARIES: dict[Language, str] = {"ru": "ru_RU", "en": "en_US"}
# Words the tales use on purpose that a dictionary of today's language lacks: bylina diction ("гой еси",
# "меч-кладенец"), fairy-tale things ("молодильные яблоки") and the lexicons' place names ("Простоквашино").
FOLK_WORDS = Path(__file__).parent / "grammar" / "folk_words.txt"
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_QUOTED_SPEECH = re.compile(r"[«»\"“”]|^\s*[—–-]\s")


# The fixed panel: titles that name a person (declined in Russian), a thing and a place, in each language.
PANEL_TITLES: dict[Language, tuple[str, ...]] = {
    "ru": ("Гарри Поттер", "Баба Яга", "Анна Каренина", "Кот в сапогах", "Снежная королева", "Ночной поезд"),
    "en": ("Harry Potter", "Alice", "Puss in Boots", "The Snow Queen", "The Night Train", "The Dark Forest"),
}
MIN_SCENES = 4
MIN_HERO_CASE_FORMS = 3
MAX_MISSPELLED_SHARE = 0.01


def panel_requests(lengths=tuple(Length), seeds=(0,), titles_per_language: int | None = None) -> list[StoryRequest]:
    return [
        StoryRequest(title=title, genre=genre, language=language, length=length, seed=seed)
        for language, titles in PANEL_TITLES.items()
        for title in titles[:titles_per_language]
        for genre in Genre
        for length in lengths
        for seed in seeds
    ]


@dataclass(frozen=True)
class StoryReport:
    scenes: int
    words: int
    undrawable_scenes: int
    unvoiced_lines: int  # spoken lines with an unknown speaker, or narration that holds quoted speech
    hero_case_forms: int  # Russian: distinct declined forms of the hero's name in the text; English: 0
    misspelled: tuple[str, ...]  # hunspell's verdict, characters' names left out
    checked_words: int

    @property
    def misspelled_share(self) -> float:
        return len(self.misspelled) / max(self.checked_words, 1)

    def problems(self, language: Language) -> list[str]:
        """What a reader would complain about; empty when the story passes the panel."""
        found = []
        if self.scenes < MIN_SCENES:
            found.append(f"{self.scenes} scenes")
        if self.undrawable_scenes:
            found.append(f"{self.undrawable_scenes} scenes with nothing to draw")
        if self.unvoiced_lines:
            found.append(f"{self.unvoiced_lines} lines of speech without a speaker")
        if language == "ru" and self.hero_case_forms < MIN_HERO_CASE_FORMS:
            found.append(f"the hero's name in {self.hero_case_forms} case forms")
        if self.misspelled_share >= MAX_MISSPELLED_SHARE:
            found.append(f"misspelled: {', '.join(self.misspelled)}")
        return found


def check_story(story: Story) -> StoryReport:
    language = story.request.language
    names = name_words(story)
    words = [w for line in story.lines for w in _WORD.findall(line.text)]
    checked = [w for w in words if w.lower() not in names]
    return StoryReport(
        scenes=len(story.scenes),
        words=len(words),
        undrawable_scenes=sum(not drawable_words(scene, language) for scene in story.scenes),
        unvoiced_lines=unvoiced_lines(story),
        hero_case_forms=len(hero_case_forms(story)) if language == "ru" else 0,
        misspelled=tuple(hunspell_misspelled(checked, language)),
        checked_words=len(checked),
    )


def drawable_words(scene: Scene, language: Language) -> set[str]:
    """The places and things a picture of the scene can show: its props, and words that name them."""
    pack = PACKS[language]
    found = set(scene.props)
    for word in _WORD.findall(scene.text):
        if look_up(word, pack.prop_words) is not None or look_up(word, pack.setting_words) is not None:
            found.add(word.lower())
    return found


def hero_case_forms(story: Story) -> set[str]:
    """The declined forms of the hero's name (in full or short) that a Russian story's text uses."""
    hero = story.character("hero")
    if hero is None:
        return set()
    text = " ".join(line.text for line in story.lines)
    return {form.lower() for form in hero_name_forms(hero.name, hero.gender) if mentions(text, form)}


def hero_name_forms(name: str, gender: Gender) -> set[str]:
    """Every case of the hero's name, in full and short ('Гарри Поттера', 'Гарри'...)."""
    names = filter(None, (name, short_name(name)))
    return {form for each in names for form in decline_person_ru(each, gender).values()}


def mentions(text: str, phrase: str) -> bool:
    """Does the text hold the phrase as whole words (in any letter case)?"""
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text, re.IGNORECASE) is not None


def subject_in_scenes(story: Story) -> list[bool]:
    """Per scene: does its text name what the title is about? The hero or villain the title names (any form of
    the name, in full or short), else the noun at the head of the title ("Ночной поезд": any form of поезд)."""
    language = story.request.language
    subject = title_subject(read_title(story.request.title, language), story.request.genre.value)
    character = story.character({"hero": "hero", "threat": "villain"}.get(subject.role, ""))
    if character is not None:
        names = [character.name, *filter(None, [short_name(character.name)])]
        if language == "ru":
            names += [form for name in names for form in decline_person_ru(name, character.gender).values()]
        return [any(mentions(scene.text, name) for name in names) for scene in story.scenes]
    head = subject.head
    if language == "en" and is_cyrillic(head):
        head = transliterate(head).lower()
    return [any(head in lemmas(word) for word in _WORD.findall(scene.text)) for scene in story.scenes]


def title_presence(story: Story) -> float:
    """The share of the story's scenes that name what its title is about."""
    named = subject_in_scenes(story)
    return sum(named) / max(len(named), 1)


def unvoiced_lines(story: Story) -> int:
    speakers = {c.id for c in story.characters}
    return sum(
        (line.speaker != "narrator" and line.speaker not in speakers)
        or (line.speaker == "narrator" and bool(_QUOTED_SPEECH.search(line.text)))
        for line in story.lines
    )


def name_words(story: Story) -> set[str]:
    """Every word of every character's name in every case: a spell-checker cannot know names."""
    words = set()
    for character in story.characters:
        forms = [character.name]
        if story.request.language == "ru":
            forms += decline_person_ru(character.name, character.gender).values()
        words |= {w.lower() for form in forms for w in _WORD.findall(form)}
    return words


def hunspell_misspelled(words: list[str], language: Language) -> list[str]:
    """The words hunspell does not know (each occurrence), with the Debian dictionary of the language."""
    if not words:
        return []
    executable = shutil.which("hunspell")
    if executable is None:
        raise RuntimeError("hunspell is not installed: apt-get install hunspell hunspell-ru hunspell-en-us")
    result = subprocess.run(
        [executable, "-i", "utf-8", "-d", HUNSPELL_DICTIONARIES[language], "-p", str(FOLK_WORDS), "-l"],
        input="\n".join(words), capture_output=True, text=True, check=True,
    )
    return result.stdout.split()
