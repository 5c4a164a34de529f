"""One pymorphy3 analyzer per process: loading its dictionaries takes about a second and 15 MB."""
from __future__ import annotations

from functools import cache

import pymorphy3


@cache
def morph() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer()
