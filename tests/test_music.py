"""The music model's parts: the event encoding, the corpus conversion, training and cached sampling."""
from __future__ import annotations

import random
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from pipeline.compose.transformer import data
from pipeline.compose.transformer.encoding import (
    NOTE_OFF,
    TIME_SHIFT,
    VOCAB_SIZE,
    Note,
    decode,
    encode,
    quantise,
    transpose,
)
from pipeline.compose.transformer.model import ModelConfig, MusicTransformer, load_checkpoint
from pipeline.compose.transformer.train import train

TUNE = """X:1
T:Test tune
M:6/8
L:1/8
Q:3/8=100
K:D
A|dfa agf|edc dBA|B2c d2e|f3 z2A|
dfa agf|edc dBA|[DFA]2 [EGB] [FAd]3|d3-d2||
"""


def random_notes(rng: random.Random, count: int) -> list[Note]:
    """Notes on the 10 ms grid, chords and long gaps included; one pitch never overlaps itself."""
    notes, free_at = [], {}
    now = 0
    for _ in range(count):
        now += rng.choice((0, 0, 1, 7, 25, 50, 180))  # steps of 10 ms; 180 needs two time-shift events
        pitch = rng.randrange(21, 109)
        start = max(now, free_at.get(pitch, 0))
        end = start + rng.randint(1, 260)
        free_at[pitch] = end
        notes.append(Note(start / 100, end / 100, pitch, rng.randint(1, 127)))
    return notes


def test_encoding_round_trips_notes_on_its_grid() -> None:
    notes = quantise(random_notes(random.Random(3), 400))
    tokens = encode(notes)
    assert tokens.min() >= 0 and tokens.max() < VOCAB_SIZE
    assert decode(tokens) == notes


@pytest.fixture(scope="module")
def tune_notes(tmp_path_factory: pytest.TempPathFactory) -> list[Note]:
    folder = tmp_path_factory.mktemp("abc")
    (folder / "tune.abc").write_text(TUNE)
    [(name, notes)] = data.abc_tunes(folder / "tune.abc")
    assert name.endswith("tune/tune1")
    return notes


def test_an_abc_tune_becomes_notes_that_round_trip(tune_notes: list[Note]) -> None:
    assert len(tune_notes) > 30
    assert {n.pitch % 12 for n in tune_notes} <= {2, 4, 6, 7, 9, 11, 1}  # D major
    # a quaver's pickup, then 8 bars of 6/8 at 100 dotted crotchets a minute (1.2 s a bar) less the last quaver
    assert max(n.end for n in tune_notes) == pytest.approx(0.2 + 9.6 - 0.2, abs=0.05)
    on_grid = quantise(tune_notes)
    assert decode(encode(on_grid)) == on_grid


def test_transposition_moves_pitches_only(tune_notes: list[Note]) -> None:
    tokens = encode(quantise(tune_notes))
    up = transpose(tokens, 5)
    assert [n.pitch + 5 for n in decode(tokens)] == [n.pitch for n in decode(up)]
    assert np.array_equal(tokens[tokens >= TIME_SHIFT], up[up >= TIME_SHIFT])
    assert transpose(np.array([NOTE_OFF + 125]), 5) is None


def test_corpus_splits_by_piece(tmp_path: Path) -> None:
    for k in range(3):
        (tmp_path / f"book{k}.abc").write_text("\n".join(TUNE.replace("X:1", f"X:{x}") for x in range(1, 15)))
    corpus = data.build_corpus(tmp_path, log=lambda _: None)
    assert len(corpus.names) == 42 and len(set(corpus.names)) == 42
    train_ids, validation_ids = corpus.split()
    assert sorted(train_ids + validation_ids) == list(range(42))
    assert validation_ids and not set(train_ids) & set(validation_ids)
    saved = data.load(data.save(corpus, tmp_path / "corpus.npz"))
    assert np.array_equal(saved.piece(5), corpus.piece(5)) and list(saved.names) == list(corpus.names)


def test_a_tiny_model_learns_the_corpus(tmp_path: Path) -> None:
    root = data.music21_corpus_dir()
    source = tmp_path / "abc"
    source.mkdir()
    shutil.copy(root / "airdsAirs" / "book5.abc", source)
    corpus = data.build_corpus(source, log=lambda _: None)
    lines: list[str] = []
    config = ModelConfig(dim=48, layers=2, heads=2, context=64, dropout=0.0)
    torch.manual_seed(0)
    train(corpus, config, tmp_path / "tiny.pt", minutes=5, batch_size=8, lr=3e-3, eval_every_seconds=1e9,
          log=lines.append, max_steps=60, validation_windows=16)
    losses = [float(line.split()[3]) for line in lines
              if line.startswith("step") and " validation " in line]
    untrained = MusicTransformer(config)
    model, record = load_checkpoint(tmp_path / "tiny.pt")
    validation = torch.from_numpy(data.random_windows(corpus.stream(corpus.split()[1]), 16, 65,
                                                      np.random.default_rng(1)))
    with torch.no_grad():
        assert model.loss(validation).item() < untrained.loss(validation).item() - 1.0
    assert record["step"] == 60 and losses[-1] == pytest.approx(record["validation_loss"], abs=0.01)


def test_cached_sampling_matches_the_full_forward_pass() -> None:
    torch.manual_seed(0)
    model = MusicTransformer(ModelConfig(dim=32, layers=2, heads=2, context=16, dropout=0.0)).eval()
    tokens = torch.randint(0, VOCAB_SIZE, (1, 12))
    full, _ = model(tokens)
    logits, cache = model(tokens[:, :5])
    steps = [logits[:, -1]]
    for position in range(5, 12):
        logits, cache = model(tokens[:, position: position + 1], start=position, cache=cache)
        steps.append(logits[:, -1])
    torch.testing.assert_close(torch.stack(steps[:-1], dim=1), full[:, 4:11], atol=1e-4, rtol=1e-4)
    _, cache = model(tokens[:, :5])
    block, _ = model(tokens[:, 5:9], start=5, cache=cache)  # several new events at once
    torch.testing.assert_close(block, full[:, 5:9], atol=1e-4, rtol=1e-4)


def test_sampling_goes_on_past_the_context_and_repeats_with_a_seed() -> None:
    torch.manual_seed(0)
    model = MusicTransformer(ModelConfig(dim=32, layers=1, heads=2, context=16))
    first = model.sample([[TIME_SHIFT], [TIME_SHIFT]], 50, torch.Generator().manual_seed(4), top_k=20)
    again = model.sample([[TIME_SHIFT], [TIME_SHIFT]], 50, torch.Generator().manual_seed(4), top_k=20)
    assert [len(stream) for stream in first] == [50, 50] and first == again
    assert first[0] != first[1]  # the streams are independent
    assert all(0 <= t < VOCAB_SIZE for stream in first for t in stream)
    assert model.training  # sampling leaves the mode as it found it
