"""Stage outputs cached on disk by a hash of their inputs: "other music" reuses the story, voices and pictures."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import uuid
from pathlib import Path
from typing import Callable, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

RESULT_FILE = "result.json"


def cache_key(*parts: object) -> str:
    """A short stable hash of JSON-able parts (models are dumped first)."""
    plain = [p.model_dump(mode="json") if isinstance(p, BaseModel) else p for p in parts]
    payload = json.dumps(plain, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


def folder_bytes(folder: Path) -> int:
    """The size of the files under `folder`; files that another worker or thread removes meanwhile count 0."""
    return sum(_size(f) for f in folder.rglob("*"))


def _size(path: Path) -> int:
    try:
        return path.stat().st_size if path.is_file() else 0
    except FileNotFoundError:
        return 0


class StageCache:
    """`root/<stage>/<key>/` holds a stage's files and `result.json`, its output model.

    An entry is built in a temporary sibling folder and renamed into place when complete,
    so a worker killed mid-stage never leaves a half-written entry that looks finished.
    With `max_bytes`, the least recently used entries are evicted after each build until
    the cache fits; a hit refreshes the entry's mtime, which is the "last used" clock.
    """

    def __init__(self, root: Path, max_bytes: int | None = None):
        self.root = Path(root)
        self.max_bytes = max_bytes

    def get_or_build(self, stage: str, key: str, model: type[M], build: Callable[[Path], M]) -> M:
        entry = self.root / stage / key
        result_file = entry / RESULT_FILE
        if result_file.exists():
            os.utime(entry)
            return model.model_validate_json(result_file.read_text())
        staging = self.root / stage / f".{key}.{uuid.uuid4().hex[:8]}"
        staging.mkdir(parents=True)
        try:
            result = build(staging)
            text = result.model_dump_json().replace(str(staging), str(entry))
            (staging / RESULT_FILE).write_text(text)
            try:
                os.rename(staging, entry)
            except OSError:  # another worker finished the same entry first: keep theirs
                shutil.rmtree(staging, ignore_errors=True)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        loaded = model.model_validate_json(result_file.read_text())
        self.evict(keep=entry)
        return loaded

    def entries(self) -> list[Path]:
        """Finished entries, least recently used first (those another worker or thread removes meanwhile left out)."""
        used = {}
        for result in self.root.glob(f"*/*/{RESULT_FILE}"):
            try:
                used[result.parent] = result.parent.stat().st_mtime
            except FileNotFoundError:
                continue
        return sorted(used, key=used.__getitem__)

    def evict(self, keep: Path | None = None) -> list[Path]:
        """Remove least recently used entries until the cache fits `max_bytes`; returns what was removed.

        Staging folders abandoned by a killed worker are removed once they are an hour old.
        """
        self._remove_stale_staging()
        if self.max_bytes is None:
            return []
        sizes = {entry: folder_bytes(entry) for entry in self.entries()}
        total = sum(sizes.values())
        removed = []
        for entry, size in sizes.items():
            if total <= self.max_bytes:
                break
            if entry == keep:
                continue
            shutil.rmtree(entry, ignore_errors=True)
            total -= size
            removed.append(entry)
        return removed

    def _remove_stale_staging(self, max_age_seconds: float = 3600) -> None:
        cutoff = time.time() - max_age_seconds
        for staging in self.root.glob("*/.*"):
            try:
                if staging.is_dir() and staging.stat().st_mtime < cutoff:
                    shutil.rmtree(staging, ignore_errors=True)
            except FileNotFoundError:
                pass
