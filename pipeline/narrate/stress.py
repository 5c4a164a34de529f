"""Russian stress marks from silero-stress (its model ships in the wheel): `+` before the stressed vowel,
the notation festival's festvox-ru lexicon and Silero TTS read. espeak-ng and Piper read `+` as "плюс",
so their text goes without marks (`strip_stress`)."""
from __future__ import annotations

import re
import threading
from collections.abc import Callable
from functools import cache

from pipeline.types import Language

VOWELS = "аеёиоуыэюяАЕЁИОУЫЭЮЯ"
STRESS = "+"

Accentor = Callable[[str], str]
_lock = threading.Lock()  # the accentor is one torch model; callers from the narrate pool take turns


@cache
def accentor() -> Accentor:
    """silero-stress's accentor, loaded once per process (~50 MB, a few seconds)."""
    import torch
    from silero_stress import load_accentor

    threads = torch.get_num_threads()
    model = load_accentor("ru")
    torch.set_num_threads(threads)  # silero_stress sets one thread for the whole process on import
    return model


def accent(text: str, language: Language) -> str:
    """Text with `+` before the stressed vowel of each Russian word of two or more syllables.

    Words of one syllable stay unmarked: the accentor stresses every "на" and "не", and festival
    then reads prepositions as loudly as nouns.
    """
    if language != "ru" or not re.search(f"[{VOWELS}]", text):
        return text
    with _lock:
        marked = accentor()(text)
    return re.sub(r"[\w+]+", lambda m: m.group(0) if syllables(m.group(0)) > 1 else strip_stress(m.group(0)), marked)


def syllables(word: str) -> int:
    return sum(c in VOWELS for c in word)


def strip_stress(text: str) -> str:
    return re.sub(rf"\{STRESS}(?=[{VOWELS}])", "", text)


def stressed_words(text: str) -> list[str]:
    return re.findall(rf"\w*\{STRESS}[{VOWELS}]\w*", text)
