"""Train the music model on the cached corpus: random transposed windows, AdamW, cosine decay,
a validation loss every few minutes, and a checkpoint (the best so far) each time.

    OMP_NUM_THREADS=1 python -m pipeline.compose.transformer.train --minutes 50 --out pipeline/compose/transformer/weights/folk.pt
"""
from __future__ import annotations

import argparse
import math
import time
from dataclasses import asdict
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from pipeline.compose.transformer.data import DEFAULT_CACHE, Corpus, load_or_build, random_windows
from pipeline.compose.transformer.model import ModelConfig, MusicTransformer, save_checkpoint

MAX_TRANSPOSE = 6


def validation_loss(model: MusicTransformer, windows: torch.Tensor, batch_size: int) -> float:
    model.eval()
    with torch.no_grad():
        losses = [float(model.loss(windows[i: i + batch_size])) for i in range(0, len(windows), batch_size)]
    model.train()
    return float(np.mean(losses))


def learning_rate(progress: float, step: int, peak: float, warmup: int) -> float:
    """Linear warm-up over `warmup` steps, then cosine decay to a tenth of the peak as progress goes 0 → 1."""
    if step < warmup:
        return peak * (step + 1) / warmup
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))


def train(corpus: Corpus, config: ModelConfig, out: Path, minutes: float, batch_size: int,
          lr: float, eval_every_seconds: float, seed: int = 0, log: Callable[[str], None] = print,
          max_steps: int | None = None, validation_windows: int = 64) -> MusicTransformer:
    """Train for `minutes` (or `max_steps`); the best checkpoint goes to `out`, the latest beside it."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    train_ids, validation_ids = corpus.split()
    train_stream, validation_stream = corpus.stream(train_ids), corpus.stream(validation_ids)
    length = config.context + 1
    validation = torch.from_numpy(random_windows(validation_stream, validation_windows, length,
                                                 np.random.default_rng(1)))
    model = MusicTransformer(config)
    optimiser = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01, betas=(0.9, 0.98))
    started = time.monotonic()
    budget = minutes * 60
    warmup = min(100, (max_steps or 1000) // 10 + 1)
    best, step, last_eval = float("inf"), 0, started
    log(f"config {asdict(config)}; {sum(p.numel() for p in model.parameters())} parameters; "
        f"{len(train_stream)} train / {len(validation_stream)} validation tokens")
    while True:
        # The schedule follows the time budget (the machine's pace varies), or the step count when given.
        progress = step / max_steps if max_steps else (time.monotonic() - started) / budget
        if progress >= 1.0:
            break
        for group in optimiser.param_groups:
            group["lr"] = learning_rate(progress, step, lr, warmup)
        batch = torch.from_numpy(random_windows(train_stream, batch_size, length, rng, MAX_TRANSPOSE))
        loss = model.loss(batch)
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
        step += 1
        if step % 10 == 0:
            log(f"step {step} train {loss.item():.4f} {time.monotonic() - started:.0f}s")
        if time.monotonic() - last_eval > eval_every_seconds:
            best = evaluate_and_save(model, validation, batch_size, out, step, started, best, log)
            last_eval = time.monotonic()
    evaluate_and_save(model, validation, batch_size, out, step, started, best, log)
    return model


def evaluate_and_save(model: MusicTransformer, validation: torch.Tensor, batch_size: int, out: Path, step: int,
                      started: float, best: float, log: Callable[[str], None]) -> float:
    """Validation loss, logged; the latest checkpoint always, and `out` when the loss is the best so far."""
    loss = validation_loss(model, validation, batch_size)
    minutes = (time.monotonic() - started) / 60
    log(f"step {step} validation {loss:.4f} ({minutes:.1f} min)")
    save_checkpoint(model, out.with_suffix(".last.pt"), step=step, validation_loss=loss, minutes=minutes)
    if loss < best:
        save_checkpoint(model, out, step=step, validation_loss=loss, minutes=round(minutes, 1))
        return loss
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description="Train the music model on the cached music21 corpus.")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--out", type=Path, default=Path("pipeline/compose/transformer/weights/folk.pt"))
    parser.add_argument("--minutes", type=float, default=50)
    parser.add_argument("--dim", type=int, default=256)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--context", type=int, default=512)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--eval-minutes", type=float, default=4)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    config = ModelConfig(dim=args.dim, layers=args.layers, heads=args.heads, context=args.context)
    train(load_or_build(args.corpus), config, args.out, args.minutes, args.batch, args.lr,
          args.eval_minutes * 60, log=lambda line: print(line, flush=True))


if __name__ == "__main__":
    main()
