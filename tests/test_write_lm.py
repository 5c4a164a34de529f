"""The language-model writer: a tiny GPT-2 and tokenizer, trained here on grammar tales, loaded from disk."""
from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
import torch
from razdel import sentenize

from pipeline.genres import genre_name
from pipeline.settings import PipelineSettings
from pipeline.types import Genre, Length, Line, Story, StoryRequest
from pipeline.write import CODE_VERSION, cache_tag, make_writer
from pipeline.write.grammar.cast import cast_story
from pipeline.write.grammar.packs import PACKS
from pipeline.write.title import read_title

transformers = pytest.importorskip("transformers")
tokenizers = pytest.importorskip("tokenizers")

from pipeline.write.lm import (  # noqa: E402  (the lm extra: transformers)
    LanguageModelWriter,
    Sampling,
    cut_at_sentence_end,
    split_into_scenes,
    story_from_text,
    strip_prompt_echo,
)

PLAIN = re.compile(r"^[\w .,!?:;-]+$")
TRAINING_STEPS = 40


def corpus() -> str:
    """Grammar tales written the way ruGPT-3 reads them: the prompt, then paragraphs, speech after a dash."""
    writer = make_writer("grammar", PipelineSettings())
    tales = []
    for seed, genre in enumerate(Genre):
        for title in ("Гарри Поттер", "Ночной поезд"):
            request = StoryRequest(title=title, genre=genre, seed=seed)
            story = writer.write(request)
            paragraphs = [("— " if line.speaker != "narrator" else "") + line.text for line in story.lines]
            tales.append(f"Имя: {title}. Жанр: {genre_name(genre, 'ru')}. Текст:\n" + "\n".join(paragraphs))
    return "<|endoftext|>".join(tales)


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory) -> Path:
    """A byte-level BPE tokenizer and a 2-layer GPT-2, trained briefly so that it writes Russian-looking text."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-gpt2")
    text = corpus()
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    bpe.train_from_iterator(text.split("<|endoftext|>"), trainers.BpeTrainer(
        vocab_size=1200, special_tokens=["<|endoftext|>"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=bpe, eos_token="<|endoftext|>", bos_token="<|endoftext|>")
    tokenizer.save_pretrained(folder)

    torch.manual_seed(0)
    config = GPT2Config(vocab_size=len(tokenizer), n_positions=256, n_embd=64, n_layer=2, n_head=2,
                        eos_token_id=tokenizer.eos_token_id, bos_token_id=tokenizer.eos_token_id)
    model = GPT2LMHeadModel(config)
    ids = torch.tensor(tokenizer(text).input_ids)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    model.train()
    for step in range(TRAINING_STEPS):
        starts = torch.randint(0, len(ids) - 129, (8,))
        batch = torch.stack([ids[s : s + 128] for s in starts])
        loss = model(batch, labels=batch).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    model.save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def lm_writer(tiny_model) -> LanguageModelWriter:
    settings = PipelineSettings(writer="lm", lm_model=str(tiny_model), lm_local_files_only=True, lm_max_new_tokens=96)
    writer = make_writer("lm", settings)
    assert isinstance(writer, LanguageModelWriter)
    return writer


def sentences_of(story: Story) -> list[str]:
    return [re.sub(r"\W+", " ", s.text.lower()).strip() for line in story.lines for s in sentenize(line.text)]


def test_the_model_loads_from_its_folder_offline_and_writes_a_story_of_the_contract(lm_writer):
    request = StoryRequest(title="Гарри Поттер", genre=Genre.fairy_tale, length=Length.short, seed=1)
    story = lm_writer.write(request)
    assert lm_writer.device in ("cpu", "cuda")
    assert story.request == request and story.title == "Гарри Поттер"
    assert len(story.scenes) == 4
    ids = {c.id for c in story.characters}
    assert "hero" in ids
    for scene in story.scenes:
        assert scene.lines and scene.setting
        for line in scene.lines:
            assert PLAIN.match(line.text), line.text
            assert line.speaker == "narrator" or line.speaker in ids
    said = sentences_of(story)
    assert len(said) == len(set(said)), "a sentence is repeated"
    assert sum(len(line.text.split()) for line in story.lines) >= 40
    assert re.search("[а-яё]{3}", " ".join(said))


def test_the_seed_decides_the_text(lm_writer):
    request = StoryRequest(title="Ночной поезд", genre=Genre.horror, length=Length.short, seed=3)
    first, again = lm_writer.write(request), lm_writer.write(request)
    other = lm_writer.write(request.model_copy(update={"seed": 4}))
    assert first == again
    assert sentences_of(first) != sentences_of(other)


def test_the_prompt_is_the_rugpt_one_or_the_chat_template(lm_writer):
    request = StoryRequest(title="Кот в сапогах", genre=Genre.comedy)
    assert lm_writer.prompt(request) == "Имя: Кот в сапогах. Жанр: комедия. Текст:"
    english = StoryRequest(title="Puss in Boots", genre=Genre.scifi, language="en")
    assert lm_writer.prompt(english) == "Title: Puss in Boots. Genre: science fiction. Text:"
    lm_writer.tokenizer.chat_template = "{% for m in messages %}<{{ m['role'] }}>{{ m['content'] }}{% endfor %}<assistant>"
    try:
        chat = lm_writer.prompt(request)
    finally:
        lm_writer.tokenizer.chat_template = None
    assert chat.startswith("<user>") and "Кот в сапогах" in chat and "комедия" in chat and chat.endswith("<assistant>")


def test_the_cache_tag_tells_models_and_sampling_apart():
    grammar = PipelineSettings(writer="grammar")
    small = PipelineSettings(writer="lm", lm_model="ai-forever/rugpt3small_based_on_gpt2")
    large = PipelineSettings(writer="lm", lm_model="ai-forever/rugpt3large_based_on_gpt2")
    hot = PipelineSettings(writer="lm", lm_model="ai-forever/rugpt3small_based_on_gpt2", lm_temperature=1.3)
    assert len({cache_tag(s.writer, s) for s in (grammar, small, large, hot)}) == 4
    assert cache_tag("grammar", grammar) == f"grammar:v{CODE_VERSION}"
    assert cache_tag("lm", small).endswith(f":v{CODE_VERSION}")
    changed = [{"lm_top_p": 0.5}, {"lm_top_k": 5}, {"lm_repetition_penalty": 1.0}, {"lm_max_new_tokens": 64}]
    assert len({cache_tag("lm", small.model_copy(update=change)) for change in changed} | {cache_tag("lm", small)}) == 5


RUGPT_LIKE = """Жил-был Гарри Поттер в маленькой деревне у леса. Каждое утро он ходил к реке за водой.
— Куда ты идёшь, Гарри? — спросил старый отец. — Опять к реке?
— К реке, батюшка, — ответил Гарри Поттер.
Однажды ночью над деревней пролетел Змей Горыныч и унёс золотое перо.
Однажды ночью над деревней пролетел Змей Горыныч и унёс золотое перо.
Гарри сказал: «Я верну перо, чего бы это ни стоило». И ушёл в дремучий лес.
В лесу было темно и тихо, только сова ухала на старом дубе.
Змей Горыныч ждал его в пещере за горами. Бой был долгим.
Гарри победил и вернулся домой на рассвете, и все радовались. А потом"""


def test_model_text_is_cleaned_and_split_into_voiced_scenes():
    request = StoryRequest(title="Гарри Поттер", genre=Genre.fairy_tale, length=Length.short)
    pack = PACKS["ru"]
    cast = cast_story(read_title(request.title, "ru"), pack.genres[request.genre], pack, random.Random(0), "ru")
    story = story_from_text(RUGPT_LIKE, request, cast)
    text = " ".join(line.text for line in story.lines)
    assert not text.endswith("А потом")
    assert text.count("пролетел Змей Горыныч") == 1
    spoken = [(line.speaker, line.text) for line in story.lines if line.speaker != "narrator"]
    assert ("other", "Куда ты идёшь, Гарри? Опять к реке?") in [(story.character(s).role, t) for s, t in spoken]
    assert ("hero", "К реке, батюшка.") in spoken
    assert any(s == "hero" and t.startswith("Я верну перо") for s, t in spoken)
    assert not any("спросил" in t or "ответил" in t for _, t in spoken), "the attribution stays out of the speech"
    assert len(story.scenes) == 4
    settings = [scene.setting for scene in story.scenes]
    assert "forest" in settings and ("cave" in settings or "mountains" in settings)
    assert any("owl" in scene.props or "tree" in scene.props for scene in story.scenes)
    assert story.scenes[-1].time_of_day == "dawn"


ENGLISH_LIKE = """Alice lived in a small village by the forest.
"Where are you going?" asked the old father. "To the river again?"
"To the river," Alice answered. She took a lantern and went out into the night.
The Dark Lord waited in the cave beyond the mountains."""


def test_english_quotes_get_their_speaker_and_lose_the_said():
    request = StoryRequest(title="Alice", genre=Genre.fantasy, language="en", length=Length.short)
    pack = PACKS["en"]
    cast = cast_story(read_title("Alice", "en"), pack.genres[Genre.fantasy], pack, random.Random(1), "en")
    story = story_from_text(ENGLISH_LIKE, request, cast)
    lines = [(line.speaker, line.text) for line in story.lines]
    assert ("hero", "To the river.") in lines
    assert ("helper", "To the river again?") in lines, "a second quote with no words between: the same speaker"
    assert ("narrator", "She took a lantern and went out into the night.") in lines
    assert not any(re.search(r"\b(asked|answered)\b", text) for _, text in lines)
    assert any(speaker != "narrator" and text.startswith("Where are you going") for speaker, text in lines)
    assert {scene.setting for scene in story.scenes} >= {"village", "cave"}


def test_a_new_story_and_the_prompt_labels_the_model_echoes_are_left_out():
    assert strip_prompt_echo("Он ушёл.. Текст: Она осталась. Имя: Другая сказка. Жанр: басня.") == "Он ушёл. Она осталась. "


@pytest.mark.parametrize("words", [[2, 2, 2, 2, 2, 40], [30, 2, 2, 2, 2], [5] * 9, [3, 3, 3, 3]])
def test_lines_split_into_the_asked_number_of_scenes(words):
    lines = [Line(text=" ".join(["слово"] * n) + ".") for n in words]
    scenes = split_into_scenes(lines, 4)
    assert len(scenes) == 4 and [line for scene in scenes for line in scene] == lines


def test_unfinished_text_is_cut_at_the_last_sentence_end():
    assert cut_at_sentence_end("Он ушёл. Она осталась! А потом они") == "Он ушёл. Она осталась!"
    assert cut_at_sentence_end("«Стой!» А") == "«Стой!»"
    assert cut_at_sentence_end("ни одной точки") == ""


def test_sampling_settings_reach_the_writer(tiny_model):
    settings = PipelineSettings(lm_model=str(tiny_model), lm_local_files_only=True, lm_temperature=0.5, lm_top_k=7)
    writer = make_writer("lm", settings)
    assert writer.sampling == Sampling(temperature=0.5, top_p=0.95, top_k=7, repetition_penalty=1.2, max_new_tokens=256)
