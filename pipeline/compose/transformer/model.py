"""A small decoder-only transformer over the 388 performance events, with a KV cache for sampling.

Positions are rotary (RoPE): attention then depends only on the distance between events, like
Music Transformer's relative attention, at the cost of standard attention. Because of that the
sampler can slide a window of cached keys forward and play on for longer than the training context.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from pipeline.compose.transformer.encoding import VOCAB_SIZE


@dataclass(frozen=True)
class ModelConfig:
    vocab: int = VOCAB_SIZE
    dim: int = 256
    layers: int = 4
    heads: int = 4
    context: int = 512
    dropout: float = 0.1


KVCache = list[tuple[torch.Tensor, torch.Tensor]]


def rotary(x: torch.Tensor, positions: torch.Tensor) -> torch.Tensor:
    """Rotate pairs of channels of x (batch, heads, time, head_dim) by angles growing with position."""
    half = x.shape[-1] // 2
    freqs = 1.0 / (10000 ** (torch.arange(half, device=x.device, dtype=torch.float32) / half))
    angles = positions.float()[:, None] * freqs[None, :]
    cos, sin = angles.cos().to(x.dtype), angles.sin().to(x.dtype)
    x1, x2 = x[..., :half], x[..., half:]
    return torch.cat([x1 * cos - x2 * sin, x1 * sin + x2 * cos], dim=-1)


class Attention(nn.Module):
    def __init__(self, config: ModelConfig):
        super().__init__()
        self.heads = config.heads
        self.qkv = nn.Linear(config.dim, 3 * config.dim, bias=False)
        self.out = nn.Linear(config.dim, config.dim, bias=False)
        self.dropout = config.dropout

    def forward(self, x: torch.Tensor, positions: torch.Tensor,
                cache: tuple[torch.Tensor, torch.Tensor] | None = None
                ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        batch, time, dim = x.shape
        q, k, v = (t.view(batch, time, self.heads, -1).transpose(1, 2) for t in self.qkv(x).chunk(3, dim=-1))
        q, k = rotary(q, positions), rotary(k, positions)
        past = 0
        if cache is not None:
            past = cache[0].shape[2]
            k, v = torch.cat([cache[0], k], dim=2), torch.cat([cache[1], v], dim=2)
        dropout = self.dropout if self.training else 0.0
        if past and time > 1:  # new events after cached ones: each sees the past and the new ones before it
            mask = torch.ones(time, past + time, dtype=torch.bool, device=x.device).tril(diagonal=past)
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=dropout)
        else:
            y = F.scaled_dot_product_attention(q, k, v, is_causal=time > 1, dropout_p=dropout)
        return self.out(y.transpose(1, 2).reshape(batch, time, dim)), (k, v)


class Block(nn.Module):
    def __init__(self, config: ModelConfig):
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(config.dim), nn.LayerNorm(config.dim)
        self.attention = Attention(config)
        self.mlp = nn.Sequential(nn.Linear(config.dim, 4 * config.dim), nn.GELU(),
                                 nn.Linear(4 * config.dim, config.dim), nn.Dropout(config.dropout))

    def forward(self, x, positions, cache=None):
        attended, new_cache = self.attention(self.norm1(x), positions, cache)
        x = x + attended
        return x + self.mlp(self.norm2(x)), new_cache


class MusicTransformer(nn.Module):
    def __init__(self, config: ModelConfig = ModelConfig()):
        super().__init__()
        self.config = config
        self.embed = nn.Embedding(config.vocab, config.dim)
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.layers))
        self.norm = nn.LayerNorm(config.dim)
        self.head = nn.Linear(config.dim, config.vocab, bias=False)
        self.head.weight = self.embed.weight  # tied: fewer weights to train and to ship
        self.apply(self._init)

    @staticmethod
    def _init(module: nn.Module) -> None:
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, std=0.02)
            if getattr(module, "bias", None) is not None:
                nn.init.zeros_(module.bias)

    def forward(self, tokens: torch.Tensor, start: int = 0, cache: KVCache | None = None
                ) -> tuple[torch.Tensor, KVCache]:
        """Logits for the next event after each position, and the keys/values to continue from."""
        positions = torch.arange(start, start + tokens.shape[1], device=tokens.device)
        x = self.embed(tokens)
        new_cache: KVCache = []
        for k, block in enumerate(self.blocks):
            x, layer_cache = block(x, positions, None if cache is None else cache[k])
            new_cache.append(layer_cache)
        return self.head(self.norm(x)), new_cache

    def loss(self, batch: torch.Tensor) -> torch.Tensor:
        logits, _ = self(batch[:, :-1])
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), batch[:, 1:].reshape(-1))

    @torch.inference_mode()
    def sample(self, primes: list[list[int]], steps: int, generator: torch.Generator,
               temperature: float = 1.0, top_k: int = 0) -> list[list[int]]:
        """`steps` events after each prime (all of one length), one stream per prime, sampled side by
        side: on a CPU a few streams cost little more than one, as the weights are read once per step.
        The KV cache keeps the last `context` events, so sampling can go on past the training context."""
        was_training = self.training
        self.eval()
        window = self.config.context
        start = torch.tensor([prime[-window:] for prime in primes])
        logits, cache = self(start)
        position, new = start.shape[1], []
        for _ in range(steps):
            last = logits[:, -1] / max(temperature, 1e-5)
            if top_k:
                threshold = torch.topk(last, top_k, dim=-1).values[:, -1:]
                last = last.masked_fill(last < threshold, float("-inf"))
            tokens = torch.multinomial(torch.softmax(last, dim=-1), 1, generator=generator)
            new.append(tokens)
            cache = [(k[:, :, -(window - 1):], v[:, :, -(window - 1):]) for k, v in cache]
            logits, cache = self(tokens, start=position, cache=cache)
            position += 1
        self.train(was_training)
        return torch.cat(new, dim=1).tolist() if new else [[] for _ in primes]


def save_checkpoint(model: MusicTransformer, path: Path, **record) -> Path:
    """Weights in half precision (the file ships in the repo) with the config and how they were made."""
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.half() if v.is_floating_point() else v for k, v in model.state_dict().items()}
    tmp = path.with_suffix(".tmp")
    torch.save({"config": asdict(model.config), "state": state, "record": record}, tmp)
    tmp.replace(path)
    return path


def load_checkpoint(path: Path) -> tuple[MusicTransformer, dict]:
    data = torch.load(path, map_location="cpu", weights_only=True)
    model = MusicTransformer(ModelConfig(**data["config"]))
    model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in data["state"].items()})
    model.eval()
    return model, data.get("record", {})
