"""Stage outputs cached on disk by a hash of their inputs: "other music" reuses the story, voices and pictures."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from pathlib import Path
from typing import Callable, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


def cache_key(*parts: object) -> str:
    """A short stable hash of JSON-able parts (models are dumped first)."""
    plain = [p.model_dump(mode="json") if isinstance(p, BaseModel) else p for p in parts]
    payload = json.dumps(plain, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


class StageCache:
    """`root/<stage>/<key>/` holds a stage's files and `result.json`, its output model.

    An entry is built in a temporary sibling folder and renamed into place when complete,
    so a worker killed mid-stage never leaves a half-written entry that looks finished.
    """

    def __init__(self, root: Path):
        self.root = Path(root)

    def get_or_build(self, stage: str, key: str, model: type[M], build: Callable[[Path], M]) -> M:
        entry = self.root / stage / key
        result_file = entry / "result.json"
        if result_file.exists():
            return model.model_validate_json(result_file.read_text())
        staging = self.root / stage / f".{key}.{uuid.uuid4().hex[:8]}"
        staging.mkdir(parents=True)
        try:
            result = build(staging)
            text = result.model_dump_json().replace(str(staging), str(entry))
            (staging / "result.json").write_text(text)
            try:
                os.rename(staging, entry)
            except OSError:  # another worker finished the same entry first: keep theirs
                shutil.rmtree(staging, ignore_errors=True)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return model.model_validate_json(result_file.read_text())
