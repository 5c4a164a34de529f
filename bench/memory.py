"""Peak memory of the tools a bench's process starts (the ffmpeg encoder): getrusage's figure for children counts
the Python process each was forked from, so their own high-water RSS (VmHWM) is read from /proc while they run."""
from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def children_peak_mb(peak: list[float]) -> Iterator[None]:
    """While inside, keep `peak[0]` at the largest VmHWM (MB) of any child process of this one."""
    stop = threading.Event()
    watcher = threading.Thread(target=_watch, args=(stop, peak), daemon=True)
    watcher.start()
    try:
        yield
    finally:
        stop.set()
        watcher.join()


def _watch(stop: threading.Event, peak: list[float]) -> None:
    while not stop.wait(0.5):
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                text = status.read_text()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
            if int(fields.get("PPid", "0").strip()) == os.getpid() and "VmHWM" in fields:
                peak[0] = max(peak[0], int(fields["VmHWM"].split()[0]) / 1024)
