"""Who speaks with which voice: the narrator, and a voice per character by gender, role and age, fixed
for the whole story and reshuffled by the voices seed.

espeak-ng voices get pitch and speed by role and age. Silero and Piper have a few speakers each, so a
character's voice is a speaker plus a pitch shift (sox): villains lower, the old lower, the young higher,
and two characters who draw the same speaker are moved apart.
"""
from __future__ import annotations

import random
import re
from collections.abc import Sequence
from typing import Literal

from pipeline.narrate.espeak import EspeakVoice
from pipeline.narrate.voice import Voice
from pipeline.types import Character, Gender, Genre, Language, Story

Age = Literal["young", "adult", "old"]

ESPEAK_VARIANTS: dict[Gender, tuple[str, ...]] = {
    "male": ("m1", "m2", "m3", "m4", "m5", "m6", "m7"),
    "female": ("f1", "f2", "f3", "f4", "f5"),
    "neutral": ("klatt", "m7", "f4"),
}
# (pitch, speed) per role: villains speak lower and slower, helpers brighter and quicker, donors
# (the old wise givers of fairy tales) lower and slow.
ROLE_DELIVERY: dict[str, tuple[int, int]] = {
    "villain": (30, 150),
    "hero": (52, 165),
    "helper": (58, 170),
    "donor": (40, 145),
    "other": (50, 165),
    "narrator": (48, 160),
}
# (pitch, speed) added for age: the old speak lower and slower, the young higher and quicker.
AGE_DELIVERY: dict[Age, tuple[int, int]] = {"young": (12, 10), "adult": (0, 0), "old": (-10, -15)}
ROLE_CENTS: dict[str, int] = {"villain": -300, "donor": -150, "helper": 100}
AGE_CENTS: dict[Age, int] = {"young": 250, "adult": 0, "old": -200}
SAME_SPEAKER_STEP_CENTS = 180  # two characters on one speaker are moved this far apart
ROLE_LENGTH_SCALE: dict[str, float] = {"villain": 1.12, "donor": 1.1, "helper": 0.95}  # Piper: >1 is slower
AGE_LENGTH_SCALE: dict[Age, float] = {"young": 0.95, "adult": 1.0, "old": 1.1}
# How fast a genre is told (1 = the engine's own rate): horror, tragedy and the epic bylina slowly, comedy
# briskly. Every voice of the story takes it (espeak's words per minute, Piper's length scale, sox tempo).
GENRE_TEMPO: dict[Genre, float] = {
    Genre.horror: 0.9, Genre.tragedy: 0.92, Genre.bylina: 0.92, Genre.fairy_tale: 0.95, Genre.fable: 0.97,
    Genre.drama: 0.97, Genre.fantasy: 0.97, Genre.novella: 1.0, Genre.detective: 1.0, Genre.scifi: 1.03,
    Genre.comedy: 1.08,
}  # fmt: skip

OLD_WORDS = ("стар", "дед", "бабушк", "бабк", "тётушк", "отец", "мать", "царь", "князь", "няня", "знахар",
             "кормилиц", "old", "elder", "grand", "father", "mother", "king", "nanny", "nurse", "wise")  # fmt: skip
YOUNG_WORDS = ("мальчик", "девочк", "юн", "молод", "малыш", "сын", "дочь", "дочк", "царевн", "царевич",
               "young", "little", "boy", "girl", "child", "son", "daughter")  # fmt: skip


def age_of(character: Character) -> Age:
    """Age read from the character's name or id ("старая няня", "the old king", "elder")."""
    words = re.findall(r"\w+", f"{character.id} {character.name}".lower())
    if any(w.startswith(OLD_WORDS) for w in words):
        return "old"
    if any(w.startswith(YOUNG_WORDS) for w in words):
        return "young"
    return "adult"


def pick_free(pool: Sequence[str], rng: random.Random, taken: set[str]) -> str:
    """A voice no one else has yet, while there are any left; seeded."""
    free = [v for v in pool if v not in taken] or list(pool)
    choice = rng.choice(free)
    taken.add(choice)
    return choice


def genre_tempo(story: Story) -> float:
    return GENRE_TEMPO.get(story.request.genre, 1.0)


def character_voice(character: Character, language: Language, rng: random.Random, taken: set[str],
                    tempo: float = 1.0) -> EspeakVoice:  # fmt: skip
    """An espeak voice for the character by gender; pitch and speed by role, age and genre, a little varied."""
    voice = pick_free([f"{language}+{v}" for v in ESPEAK_VARIANTS[character.gender]], rng, taken)
    pitch, speed = ROLE_DELIVERY[character.role]
    age_pitch, age_speed = AGE_DELIVERY[age_of(character)]
    return EspeakVoice(voice, pitch=min(99, max(0, pitch + age_pitch + rng.randint(-4, 4))),
                       speed=round((speed + age_speed + rng.randint(-8, 8)) * tempo))  # fmt: skip


def cast_voices(story: Story, seed: int, narrator: Voice) -> dict[str, Voice]:
    """speaker id → voice: `narrator` for the narrator (and characters in the narrator's role), an espeak
    voice for each character at the genre's pace, fixed for the whole story; the seed reshuffles the
    characters'."""
    language = story.request.language
    voices: dict[str, Voice] = {"narrator": narrator}
    rng = random.Random(f"voices:{seed}")
    taken = {narrator.voice} if isinstance(narrator, EspeakVoice) else set()
    for character in story.characters:
        if character.role == "narrator":
            voices[character.id] = narrator
        else:
            voices[character.id] = character_voice(character, language, rng, taken, genre_tempo(story))
    return voices


def cast_speakers(story: Story, seed: int, pools: dict[Gender, Sequence[str]]) -> dict[str, tuple[str, int]]:
    """speaker id → (speaker name from `pools`, pitch shift in cents) for engines with a few fixed speakers.

    The narrator gets the first male speaker unshifted; each character a seeded free speaker of their
    gender (any speaker when the engine has none), shifted by role and age, and further while another
    character already sounds the same.
    """
    everyone = [v for pool in pools.values() for v in pool]
    narrator = (list(pools.get("male", ())) or everyone)[0]
    cast, taken = {"narrator": (narrator, 0)}, {narrator}
    sounds = {(narrator, 0)}
    rng = random.Random(f"voices:{seed}")
    for character in story.characters:
        if character.role == "narrator":
            cast[character.id] = cast["narrator"]
            continue
        speaker = pick_free(pools.get(character.gender) or everyone, rng, taken)
        cents = ROLE_CENTS.get(character.role, 0) + AGE_CENTS[age_of(character)]
        while (speaker, cents) in sounds:
            cents += SAME_SPEAKER_STEP_CENTS if cents >= 0 else -SAME_SPEAKER_STEP_CENTS
        sounds.add((speaker, cents))
        cast[character.id] = (speaker, cents)
    return cast


def length_scale(character: Character | None) -> float:
    if character is None:
        return 1.0
    return ROLE_LENGTH_SCALE.get(character.role, 1.0) * AGE_LENGTH_SCALE[age_of(character)]
