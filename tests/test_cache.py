"""The stage cache stays within its size limit by evicting the least recently used entries."""
from __future__ import annotations

import os
import time
from pathlib import Path

from pydantic import BaseModel

from pipeline.cache import StageCache, folder_bytes


class Blob(BaseModel):
    path: Path


def build_blob(size: int):
    def build(folder: Path) -> Blob:
        path = folder / "blob.bin"
        path.write_bytes(os.urandom(size))
        return Blob(path=path)
    return build


def age(entry: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(entry, (then, then))


def test_entry_paths_point_into_the_finished_entry(tmp_path):
    cache = StageCache(tmp_path)
    blob = cache.get_or_build("music", "k1", Blob, build_blob(100))
    assert blob.path == tmp_path / "music" / "k1" / "blob.bin" and blob.path.stat().st_size == 100
    again = cache.get_or_build("music", "k1", Blob, lambda _: (_ for _ in ()).throw(AssertionError("rebuilt")))
    assert again == blob


def test_least_recently_used_entries_are_evicted_beyond_the_limit(tmp_path):
    cache = StageCache(tmp_path, max_bytes=25_000)
    for i, key in enumerate(["a", "b"]):
        cache.get_or_build("pictures", key, Blob, build_blob(10_000))
        age(tmp_path / "pictures" / key, 100 - i)
    cache.get_or_build("pictures", "a", Blob, build_blob(10_000))  # a hit: "a" is now the most recent
    cache.get_or_build("voices", "c", Blob, build_blob(10_000))
    left = {entry.name for entry in cache.entries()}
    assert left == {"a", "c"}
    assert folder_bytes(tmp_path) <= 25_000


def test_an_entry_larger_than_the_limit_is_still_returned(tmp_path):
    cache = StageCache(tmp_path, max_bytes=1_000)
    cache.get_or_build("video", "old", Blob, build_blob(500))
    blob = cache.get_or_build("video", "big", Blob, build_blob(5_000))
    assert blob.path.exists() and [e.name for e in cache.entries()] == ["big"]


def test_a_failed_build_leaves_nothing_and_stale_staging_folders_are_swept(tmp_path):
    cache = StageCache(tmp_path, max_bytes=10**9)

    def explode(folder: Path) -> Blob:
        (folder / "half.bin").write_bytes(b"x" * 100)
        raise RuntimeError("stage failed")

    try:
        cache.get_or_build("write", "k", Blob, explode)
    except RuntimeError:
        pass
    assert list((tmp_path / "write").iterdir()) == []
    abandoned = tmp_path / "write" / ".k.deadbeef"  # what a SIGKILLed worker leaves behind
    abandoned.mkdir()
    age(abandoned, 7200)
    fresh = tmp_path / "write" / ".k.cafebabe"  # another worker's build in progress
    fresh.mkdir()
    cache.get_or_build("write", "k2", Blob, build_blob(10))
    assert not abandoned.exists() and fresh.exists()
