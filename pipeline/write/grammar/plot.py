"""Plot skeletons: which of Propp's functions each scene tells, for each length. Language-free.

A function name ending in "?" is optional: the seed decides whether the tale has it.
A scene whose functions are all optional and all left out disappears.
"""
from __future__ import annotations

from typing import Literal

from pipeline.types import Genre, Length

TimeOfDay = Literal["dawn", "day", "dusk", "night"]

# Propp's functions used here, in the order a tale tells them:
# opening (α initial situation), interdiction (γ), violation (δ), villainy (A, or a lack),
# departure (↑), donor (D test, E reaction), gift (F magical agent), guidance (G),
# task (M difficult task, N solution), struggle (H), victory (I, K lack liquidated),
# pursuit (Pr, Rs rescue), return (↓), recognition (Q, Ex exposure, U punishment), ending (W).
SKELETONS: dict[Length, tuple[tuple[str, ...], ...]] = {
    Length.short: (
        ("opening", "villainy"),
        ("departure", "gift"),
        ("struggle", "victory"),
        ("ending",),
    ),
    Length.standard: (
        ("opening", "interdiction"),
        ("violation", "villainy"),
        ("departure", "donor", "gift"),
        ("guidance", "task?"),
        ("struggle", "victory"),
        ("return", "ending"),
    ),
    Length.long: (
        ("opening",),
        ("interdiction", "violation"),
        ("villainy",),
        ("departure", "donor"),
        ("gift",),
        ("guidance",),
        ("task?",),
        ("struggle",),
        ("victory", "pursuit?"),
        ("return", "recognition"),
        ("ending",),
    ),
}

# Where each function happens: the scene takes the place of its first function.
WHERE: dict[str, str] = {
    "opening": "home",
    "interdiction": "home",
    "violation": "home",
    "villainy": "home",
    "departure": "road",
    "donor": "road",
    "gift": "road",
    "guidance": "lair",
    "task": "lair",
    "struggle": "lair",
    "victory": "lair",
    "pursuit": "road",
    "return": "home",
    "recognition": "home",
    "ending": "home",
}

DAYTIME: dict[str, TimeOfDay] = {
    "opening": "day",
    "interdiction": "dusk",
    "violation": "night",
    "villainy": "night",
    "departure": "dawn",
    "donor": "day",
    "gift": "dusk",
    "guidance": "day",
    "task": "day",
    "struggle": "night",
    "victory": "dawn",
    "pursuit": "dusk",
    "return": "day",
    "recognition": "day",
    "ending": "day",
}

# Genres whose endings are dark keep the last scene out of the daylight.
DARK_ENDINGS = frozenset({Genre.tragedy, Genre.horror})
