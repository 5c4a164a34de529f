"""Filling the grammar's templates (syntax: pipeline/write/grammar/__init__.py) with the cast's names in the
forms and agreement each slot asks for, into lines with speakers."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

from pipeline.types import Language, Line
from pipeline.write.grammar import Chunk
from pipeline.write.grammar.cast import Cast
from pipeline.write.morphology import with_preposition_ru
from pipeline.write.text import count_words, plain_text

_SLOT = re.compile(r"\{(?:(\w+) )?([a-z_]+)(?:\.([a-z]+))?(?::(\w+))?(?:\|([^{}]*))?\}")
_SPEECH = re.compile(r"^(hero|villain|helper|elder): (.*)$", re.S)


@dataclass
class Rendered:
    lines: list[Line]
    mentions: set[str]  # roles and places the lines name
    words: int = 0

    def __post_init__(self) -> None:
        self.words = sum(count_words(line.text) for line in self.lines)


@dataclass
class Renderer:
    cast: Cast
    words: Mapping[str, str]
    language: Language

    def chunk(self, chunk: Chunk) -> Rendered:
        lines, mentions = [], set()
        for template in (chunk,) if isinstance(chunk, str) else chunk:
            speaker, template = self._speaker(template)
            text = self.text(template, mentions)
            lines.append(Line(text=text, speaker=speaker))
            if speaker != "narrator":
                mentions.add(speaker)
        return Rendered(lines, mentions)

    def text(self, template: str, mentions: set[str]) -> str:
        return plain_text(capitalise_sentences(self._fill(template, mentions, depth=0)))

    @staticmethod
    def _speaker(template: str) -> tuple[str, str]:
        match = _SPEECH.match(template)
        return (match.group(1), match.group(2)) if match else ("narrator", template)

    def _fill(self, template: str, mentions: set[str], depth: int) -> str:
        if depth > 4:
            raise ValueError(f"templates nest too deep: {template!r}")
        return _SLOT.sub(lambda m: self._slot(m, mentions, depth), template)

    def _slot(self, match: re.Match, mentions: set[str], depth: int) -> str:
        preposition, name, place_form, case, alternatives = match.groups()
        if alternatives is not None:
            options = alternatives.split("|")
            index = self.cast.entities[name].agreement
            return options[index] if index < len(options) else options[0]
        if place_form:
            mentions.add(name)
            return self._fill(getattr(self.cast.places[name], place_form), mentions, depth + 1)
        if name in self.cast.entities:
            mentions.add(name)
            text = self.cast.entities[name].form(case or "nomn")
        elif name in self.words:
            text = self._fill(self.words[name], mentions, depth + 1)
        else:
            raise KeyError(f"unknown template slot {name!r} in {match.group(0)!r}")
        if preposition:
            return with_preposition_ru(preposition, text) if self.language == "ru" else f"{preposition} {text}"
        return text


def capitalise_sentences(text: str) -> str:
    text = re.sub(r"([.!?]\s+)(\w)", lambda m: m.group(1) + m.group(2).upper(), text)
    return re.sub(r"^(\W*)(\w)", lambda m: m.group(1) + m.group(2).upper(), text)

