"""The write stage's production backend: a causal language model through transformers.

Any model id or local folder (settings.lm_model; by default ruGPT-3 small) is prompted
with "Имя: {title}. Жанр: {genre}. Текст:" (or, for an instruct model with a chat template, asked in
words), sampled with the settings' temperature / top-p / top-k / repetition penalty until the text is as
long as the request asks, then cleaned (cut at a sentence end, no repeated sentence, only what the
narrator can read) and split into the Story contract: dialogue lines with speakers, scenes with a
setting, a time of day and props found in their words, exactly as the grammar writer gives them.
"""
from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from pipeline.genres import genre_name
from pipeline.settings import resolve_device
from pipeline.types import Character, Language, Line, Scene, StageError, Story, StoryRequest
from pipeline.write.grammar.cast import Cast, cast_story
from pipeline.write.grammar.packs import PACKS, is_listed, look_up
from pipeline.write.text import count_words, drop_repeated_sentences, plain_text, target_words
from pipeline.write.title import read_title

PROMPTS: dict[Language, str] = {"ru": "Имя: {title}. Жанр: {genre}. Текст:", "en": "Title: {title}. Genre: {genre}. Text:"}
CHAT_REQUESTS: dict[Language, str] = {
    "ru": "Напиши {genre} под названием «{title}». Герои говорят репликами через тире. Примерно {words} слов.",
    "en": "Write a {genre} titled \"{title}\". Characters speak in quoted lines. About {words} words.",
}
SCENES_PER_LENGTH = {"short": 4, "standard": 6, "long": 10}
MAX_GENERATIONS = 12  # a model that keeps stopping early gets this many tries to reach the length

_SENTENCE_END = re.compile(r"[.!?…](?:[»\"”)]*)")
_DASH_SPEECH = re.compile(r"^\s*[—–-]\s*")
_QUOTE = re.compile(r"[«\"“]([^«»\"“”]{2,}?)[»\"”]")
_TIMES = {
    "night": ("ночь", "полночь", "ночной", "night", "midnight"),
    "dawn": ("утро", "рассвет", "заря", "morning", "dawn", "sunrise"),
    "dusk": ("вечер", "закат", "сумерки", "evening", "dusk", "sunset"),
}


@dataclass(frozen=True)
class Sampling:
    """How the model's next tokens are drawn (the settings' lm_* values)."""

    temperature: float
    top_p: float
    top_k: int
    repetition_penalty: float
    max_new_tokens: int  # per generate() call; the text grows call by call


class LanguageModelWriter:
    """A causal LM from a model id or a local folder; same protocol as the grammar writer."""

    def __init__(self, model: str, sampling: Sampling, device: str, local_files_only: bool):
        self.device = resolve_device(device)
        self.sampling = sampling
        self.tokenizer = AutoTokenizer.from_pretrained(model, local_files_only=local_files_only)
        dtype = torch.float16 if self.device.startswith("cuda") else torch.float32
        self.model = AutoModelForCausalLM.from_pretrained(model, local_files_only=local_files_only, dtype=dtype)
        self.model.to(self.device).eval()
        self.context = getattr(self.model.config, "n_positions", None) or getattr(
            self.model.config, "max_position_embeddings", 1024)

    def write(self, request: StoryRequest) -> Story:
        rng = random.Random(_stable_seed(request))
        pack = PACKS[request.language]
        cast = cast_story(read_title(request.title, request.language), pack.genres[request.genre], pack, rng,
                          request.language)
        text = self.generate(self.prompt(request), target_words(request), _stable_seed(request))
        return story_from_text(text, request, cast)

    def prompt(self, request: StoryRequest) -> str:
        genre = genre_name(request.genre, request.language)
        if getattr(self.tokenizer, "chat_template", None):
            ask = CHAT_REQUESTS[request.language].format(genre=genre, title=request.title,
                                                         words=target_words(request))
            return self.tokenizer.apply_chat_template([{"role": "user", "content": ask}], tokenize=False,
                                                      add_generation_prompt=True)
        return PROMPTS[request.language].format(title=request.title, genre=genre)

    def generate(self, prompt: str, words: int, seed: int) -> str:
        """Sample continuations until the text holds `words` words (or the model has had its tries)."""
        prompt_ids = self.tokenizer(prompt, return_tensors="pt", add_special_tokens=False).input_ids[0]
        room = max(self.context - self.sampling.max_new_tokens - len(prompt_ids), 16)
        story_ids = torch.empty(0, dtype=prompt_ids.dtype)
        devices = [torch.device(self.device)] if self.device.startswith("cuda") else []
        with torch.random.fork_rng(devices=devices, device_type="cuda" if devices else "cpu"):
            torch.manual_seed(seed)
            for _ in range(MAX_GENERATIONS):
                new = self._continue(torch.cat([prompt_ids, story_ids[-room:]]))
                story_ids = torch.cat([story_ids, new])
                if new.numel() == 0 or count_words(self._decode(story_ids)) >= words:
                    break
        return self._decode(story_ids)

    def _continue(self, ids):
        inputs = ids.unsqueeze(0).to(self.device)
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else self.tokenizer.eos_token_id
        with torch.inference_mode():
            output = self.model.generate(
                inputs,
                attention_mask=torch.ones_like(inputs),
                do_sample=True,
                temperature=self.sampling.temperature,
                top_p=self.sampling.top_p,
                top_k=self.sampling.top_k,
                repetition_penalty=self.sampling.repetition_penalty,
                max_new_tokens=self.sampling.max_new_tokens,
                pad_token_id=pad,
            )
        new = output[0, inputs.shape[1]:].cpu()
        eos = self.tokenizer.eos_token_id
        if eos is not None and (new == eos).any():
            new = new[: int((new == eos).nonzero()[0])]
        return new

    def _decode(self, ids) -> str:
        return self.tokenizer.decode(ids, skip_special_tokens=True)


def _stable_seed(request: StoryRequest) -> int:
    """A seed from the request that does not depend on the process's string hashing."""
    return int(hashlib.sha256(request.digest().encode()).hexdigest()[:12], 16)


# --------------------------------------------------------------------------------------------
# From raw text to the Story contract


_NEXT_STORY = re.compile(r"(?:Имя|Title)\s*:")
_PROMPT_LABEL = re.compile(r"(?:Жанр|Текст|Genre|Text)\s*:\s*")
_REPEATED_STOPS = re.compile(r"([.!?])[.!?]+")


def strip_prompt_echo(text: str) -> str:
    """The model may start a new story ("Имя: ...") or echo the prompt's labels: keep only the story."""
    text = _NEXT_STORY.split(text, maxsplit=1)[0]
    return _REPEATED_STOPS.sub(r"\1", _PROMPT_LABEL.sub("", text))


def cut_at_sentence_end(text: str) -> str:
    """Drop the unfinished sentence the sampling stopped in."""
    ends = list(_SENTENCE_END.finditer(text))
    return text[: ends[-1].end()] if ends else ""


@dataclass(frozen=True)
class RawLine:
    text: str
    spoken: bool
    attribution: str = ""  # "сказал Иван": the words around a speech that say who speaks
    continues: bool = False  # the same speaker goes on: a second quote in a paragraph with no words between


def raw_lines(text: str) -> list[RawLine]:
    """Paragraphs into narration and speech: '— Привет, — сказал Иван. — Как дела?' and «quoted» speech."""
    lines = []
    for paragraph in filter(None, (p.strip() for p in text.splitlines())):
        if _DASH_SPEECH.match(paragraph):
            parts = re.split(r"\s[—–]\s", _DASH_SPEECH.sub("", paragraph))
            speech = " ".join(parts[0::2])
            lines.append(RawLine(speech, spoken=True, attribution=" ".join(parts[1::2])))
            continue
        lines += _quoted_lines(paragraph)
    return lines


_SPEECH_VERB = (r"(?:said|says|asked|replied|answered|cried|shouted|whispered|"
                r"сказал|спросил|ответил|крикнул|воскликнул|прошептал|произн[её]с)\w*")
_ATTRIBUTION_AFTER = re.compile(rf"^[\s,—–-]*((?:[\w-]+\s){{0,3}}{_SPEECH_VERB}\b[^.!?«\"“]{{0,40}}[.!?]?)",
                                re.IGNORECASE)
_ATTRIBUTION_BEFORE = re.compile(rf"\b{_SPEECH_VERB}\b", re.IGNORECASE)


def _quoted_lines(paragraph: str) -> list[RawLine]:
    """'Гарри сказал: «Я верну перо». И ушёл.' → speech with its attribution, and the narration around it."""
    lines, position = [], 0
    for quote in _QUOTE.finditer(paragraph):
        if quote.start() < position:
            continue
        before = paragraph[position: quote.start()]
        after = _ATTRIBUTION_AFTER.match(paragraph[quote.end():])
        only_says_who = count_words(before) <= 4 and _ATTRIBUTION_BEFORE.search(before)
        if count_words(before) >= 2 and not only_says_who:
            lines.append(RawLine(before.rstrip(" :,—–-") + ".", spoken=False))
        attribution = before + (after.group(1) if after else "")
        continues = bool(lines) and lines[-1].spoken and not attribution.strip(" ,.—–-")
        lines.append(RawLine(quote.group(1), spoken=True, attribution=attribution, continues=continues))
        position = quote.end() + (after.end() if after else 0)
    if count_words(paragraph[position:]) >= 2:
        lines.append(RawLine(paragraph[position:], spoken=False))
    return lines


def story_from_text(text: str, request: StoryRequest, cast: Cast) -> Story:
    """Clean the model's text and split it into scenes of lines with speakers."""
    lines = voice_lines(raw_lines(cut_at_sentence_end(strip_prompt_echo(text))), cast, request.language)
    lines = [line for line in drop_repeated_sentences(lines, set()) if _is_readable(line.text, request.language)]
    if not lines:
        raise StageError("write", "the language model wrote no usable sentence; try another seed")
    pack = PACKS[request.language]
    groups = split_into_scenes(lines, SCENES_PER_LENGTH[request.length.value])
    scenes, setting, time = [], cast.places["home"].setting, "day"
    for group in groups:
        scene_text = " ".join(line.text for line in group)
        place = _first_key(scene_text, pack.setting_words)
        setting = place.setting if place else setting
        time = _time_of_day(scene_text) or time
        props = tuple(dict.fromkeys(_keys(scene_text, pack.prop_words)))[:8]
        scenes.append(Scene(setting=setting, time_of_day=time, props=props, lines=tuple(group)))
    speakers = {line.speaker for line in lines} | {"hero"}
    characters = tuple(c for role, c in cast.characters.items() if role in speakers or _named(c, lines))
    title = request.title.strip() or cast.characters["hero"].name
    return Story(request=request, title=plain_text(title) or cast.characters["hero"].name,
                 characters=characters, scenes=tuple(scenes))


def voice_lines(raw: list[RawLine], cast: Cast, language: Language) -> list[Line]:
    """Give every speech a speaker: the character the attribution names, else hero and partner in turns."""
    lines: list[Line] = []
    previous_speaker = None
    for index, line in enumerate(raw):
        text = re.sub(r"[\s,;:-]+$", ".", plain_text(line.text))  # "К реке, батюшка, — ответил": a full stop
        if not text:
            continue
        if not line.spoken:
            lines.append(Line(text=_capitalised(text)))
            previous_speaker = None
            continue
        partner = "helper" if index < len(raw) / 2 else "villain"
        named = _speaker_named(line.attribution, cast)
        if line.continues and previous_speaker:
            speaker = previous_speaker
        else:
            speaker = named or (partner if previous_speaker == "hero" else "hero")
        lines.append(Line(text=_capitalised(text), speaker=speaker))
        previous_speaker = speaker
    return lines


def split_into_scenes(lines: list[Line], count: int) -> list[list[Line]]:
    """Contiguous groups of about equal length, each starting with narration where it can."""
    count = max(1, min(count, len(lines)))
    total = sum(count_words(line.text) for line in lines)
    starts, done = [0], 0
    for index, line in enumerate(lines):
        if len(starts) == count:
            break
        if done >= total * len(starts) / count and index > starts[-1]:
            if line.speaker == "narrator" or done >= total * (len(starts) + 0.5) / count:
                starts.append(index)
        done += count_words(line.text)
    if len(starts) < count:  # a few long lines at the end: cut by line count instead
        starts = [round(i * len(lines) / count) for i in range(count)]
    starts = starts + [len(lines)]
    return [lines[a:b] for a, b in zip(starts, starts[1:]) if b > a]


def _speaker_named(attribution: str, cast: Cast) -> str | None:
    said = {w.lower() for w in re.findall(r"\w+", attribution)}
    for role in cast.characters:
        names = {w.lower() for form in cast.entities[role].forms.values() for w in form.split() if len(w) > 2}
        if said & names - {"the"}:
            return role
    return None


def _named(character: Character, lines: list[Line]) -> bool:
    last_word = character.name.split()[-1].lower()
    return any(last_word in line.text.lower() for line in lines)


def _is_readable(text: str, language: Language) -> bool:
    """Two words at least, and in the story's script (a model may drift into another language or code)."""
    letters = [ch for ch in text if ch.isalpha()]
    if count_words(text) < 2 or len(letters) < 0.6 * len(text.replace(" ", "")):
        return False
    cyrillic = sum("а" <= ch.lower() <= "я" or ch.lower() == "ё" for ch in letters)
    return (cyrillic >= 0.7 * len(letters)) if language == "ru" else (cyrillic <= 0.1 * len(letters))


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _keys(text: str, table):
    for word in re.findall(r"\w+", text):
        key = look_up(word, table)
        if key:
            yield key


def _first_key(text: str, table):
    return next(_keys(text, table), None)


def _time_of_day(text: str) -> str | None:
    words = re.findall(r"\w+", text)
    return next((time for time, names in _TIMES.items() if any(is_listed(word, names) for word in words)), None)
