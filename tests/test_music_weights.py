"""The committed music model is trained: on tunes it never saw in training (the validation share of the music21
corpus, picked by the same name hash as train.py) it predicts the next event far better than chance. Every other
music test would pass with random weights; this one fails if folk.pt were untrained, truncated or mismatched."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from pipeline.compose.transformer import DEFAULT_WEIGHTS
from pipeline.compose.transformer.data import (
    MIN_NOTES,
    abc_files,
    abc_tunes,
    is_validation,
    music21_corpus_dir,
)
from pipeline.compose.transformer.encoding import VOCAB_SIZE, encode, quantise
from pipeline.compose.transformer.model import MusicTransformer, load_checkpoint

HELD_OUT_TUNES = 8
EVENTS_PER_TUNE = 384  # within the model's context of 512
CHANCE = math.log(VOCAB_SIZE)  # ≈ 5.96 nats per event: a model that knows nothing
TRAINED_BOUND = 2.0  # the committed weights score ≈ 1.0 on the validation set; random ones ≈ 6


@pytest.fixture(scope="module")
def held_out() -> list[np.ndarray]:
    """Token streams of the first held-out tunes (validation by name hash), in corpus order."""
    tunes = []
    for path in abc_files(music21_corpus_dir()):
        for name, notes in abc_tunes(path):
            if is_validation(name) and len(notes) >= MIN_NOTES:
                tunes.append(encode(quantise(notes))[: EVENTS_PER_TUNE + 1])
        if len(tunes) >= HELD_OUT_TUNES:
            return tunes[:HELD_OUT_TUNES]
    pytest.fail("the music21 corpus has too few held-out tunes")


def mean_nll(model: MusicTransformer, tunes: list[np.ndarray]) -> float:
    """Mean negative log-likelihood per event, in nats, over every tune's events after its first."""
    torch.set_num_threads(1)
    total, count = 0.0, 0
    with torch.inference_mode():
        for tokens in tunes:
            batch = torch.as_tensor(tokens.astype(np.int64))[None]
            total += float(model.loss(batch)) * (batch.shape[1] - 1)
            count += batch.shape[1] - 1
    return total / count


def test_the_committed_weights_predict_held_out_tunes_far_better_than_chance(held_out):
    model, _ = load_checkpoint(DEFAULT_WEIGHTS)
    nll = mean_nll(model, held_out)
    print(f"held-out NLL {nll:.3f} nats/event over {sum(len(t) - 1 for t in held_out)} events (chance {CHANCE:.2f})")
    assert nll < TRAINED_BOUND


def test_the_bound_tells_a_trained_model_from_an_untrained_one(held_out):
    model, _ = load_checkpoint(DEFAULT_WEIGHTS)
    torch.manual_seed(0)
    untrained = MusicTransformer(model.config).eval()
    assert mean_nll(untrained, held_out) > CHANCE - 1.0 > TRAINED_BOUND
