"""The write stage: StoryRequest → Story (characters, scenes, lines with speakers).

Backends: "grammar" (offline, pipeline/write/grammar/: a plot grammar after Propp with genre lexicons and
Russian declension) and "lm" (a causal language model through transformers, pipeline/write/lm.py).
Shared by both: reading the title (title.py), declension (morphology.py), plain text and length (text.py);
what a reader checks in a story, measured (quality.py).
"""
from __future__ import annotations

from typing import Callable, Protocol

from pipeline.settings import PipelineSettings, build_backend
from pipeline.types import Story, StoryRequest, needs_extra

CODE_VERSION = 2  # bump when a change to this stage's code changes what it outputs (it is in every cache key)


class Writer(Protocol):
    def write(self, request: StoryRequest) -> Story: ...


def _grammar(settings: PipelineSettings) -> Writer:
    from pipeline.write.grammar.writer import GrammarWriter

    return GrammarWriter()


def _lm(settings: PipelineSettings) -> Writer:
    with needs_extra("lm", "lm writer"):
        from pipeline.write.lm import LanguageModelWriter, Sampling
    sampling = Sampling(
        temperature=settings.lm_temperature,
        top_p=settings.lm_top_p,
        top_k=settings.lm_top_k,
        repetition_penalty=settings.lm_repetition_penalty,
        max_new_tokens=settings.lm_max_new_tokens,
    )
    return LanguageModelWriter(settings.lm_model, sampling, settings.lm_device, settings.lm_local_files_only)


WRITERS: dict[str, Callable[[PipelineSettings], Writer]] = {"grammar": _grammar, "lm": _lm}


def make_writer(name: str, settings: PipelineSettings) -> Writer:
    """The write backend by name; "lm" loads its model (named in the settings) here, once."""
    return build_backend(WRITERS, "writer", name, settings)


def cache_tag(name: str, settings: PipelineSettings) -> str:
    """What, besides the request, decides the story: the backend, for the LM its model and sampling, the code."""
    if name == "lm":
        parts = ("lm", settings.lm_model, settings.lm_temperature, settings.lm_top_p, settings.lm_top_k,
                 settings.lm_repetition_penalty, settings.lm_max_new_tokens)
    else:
        parts = (name,)
    return ":".join(str(part) for part in (*parts, f"v{CODE_VERSION}"))
