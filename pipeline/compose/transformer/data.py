"""The training data: the ABC tunes that ship inside the music21 wheel, as 388-event token streams.

abc2midi (Debian `abcmidi`) turns each ABC file into one MIDI file per tune and pretty_midi reads
those; music21's own parser is never called (it is slow on essenFolksong and writes pickles to /tmp).
The result is cached once as an .npz: every piece's tokens back to back, with offsets and names.
Pieces are split into training and validation by a hash of their name, so a tune never lands in both.
"""
from __future__ import annotations

import argparse
import hashlib
import importlib.util
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pretty_midi

from pipeline.compose.transformer.encoding import Note, encode, quantise, transpose

DEFAULT_CACHE = Path.home() / ".cache" / "digiteller" / "music" / "corpus.npz"
VALIDATION_SHARE = 20  # one piece in 20 goes to validation
MIN_NOTES = 8


@dataclass(frozen=True)
class Corpus:
    tokens: np.ndarray  # int16, all pieces back to back
    offsets: np.ndarray  # int64, len(names) + 1; piece i is tokens[offsets[i]:offsets[i + 1]]
    names: np.ndarray  # str

    def piece(self, index: int) -> np.ndarray:
        return self.tokens[self.offsets[index]: self.offsets[index + 1]]

    def split(self) -> tuple[list[int], list[int]]:
        """(training, validation) piece indices."""
        validation = [i for i, name in enumerate(self.names) if is_validation(str(name))]
        chosen = set(validation)
        return [i for i in range(len(self.names)) if i not in chosen], validation

    def stream(self, indices: list[int]) -> np.ndarray:
        return np.concatenate([self.piece(i) for i in indices]) if indices else np.zeros(0, np.int16)


def is_validation(name: str) -> bool:
    return int(hashlib.sha1(name.encode()).hexdigest(), 16) % VALIDATION_SHARE == 0


def music21_corpus_dir() -> Path:
    spec = importlib.util.find_spec("music21")
    if spec is None or spec.origin is None:
        raise RuntimeError("music21 is not installed: pip install -e '.[train]'")
    return Path(spec.origin).parent / "corpus"


def abc_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.abc"))


def midi_notes(midi: pretty_midi.PrettyMIDI) -> list[Note]:
    return [Note(n.start, n.end, n.pitch, n.velocity)
            for instrument in midi.instruments if not instrument.is_drum for n in instrument.notes]


def abc_tunes(path: Path) -> list[tuple[str, list[Note]]]:
    """(name, notes) of every tune in one ABC file, via abc2midi in a scratch folder."""
    with tempfile.TemporaryDirectory(prefix="abc2midi-") as scratch:
        local = Path(scratch) / path.name  # abc2midi writes its MIDI files next to its input
        local.symlink_to(path)
        subprocess.run(["abc2midi", local.name, "-silent"], cwd=scratch,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120, check=False)
        tunes = []
        for midi_path in sorted(Path(scratch).glob("*.mid")):
            try:
                notes = midi_notes(pretty_midi.PrettyMIDI(str(midi_path)))
            except Exception:  # a tune abc2midi could not write properly is skipped, not fatal
                continue
            tunes.append((f"{path.parent.name}/{path.stem}/{midi_path.stem}", notes))
        return tunes


def build_corpus(root: Path, limit: int | None = None, log: Callable[[str], None] = print) -> Corpus:
    tokens: list[np.ndarray] = []
    names: list[str] = []
    files = abc_files(root)[:limit]
    for k, path in enumerate(files):
        for name, notes in abc_tunes(path):
            if len(notes) >= MIN_NOTES:
                tokens.append(encode(quantise(notes)))
                names.append(name)
        if k % 100 == 0:
            log(f"{k}/{len(files)} files, {len(names)} pieces, {sum(map(len, tokens))} tokens")
    offsets = np.concatenate([[0], np.cumsum([len(t) for t in tokens])]).astype(np.int64)
    return Corpus(np.concatenate(tokens).astype(np.int16), offsets, np.asarray(names))


def save(corpus: Corpus, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, tokens=corpus.tokens, offsets=corpus.offsets, names=corpus.names)
    return path


def load(path: Path = DEFAULT_CACHE) -> Corpus:
    with np.load(path) as data:
        return Corpus(data["tokens"], data["offsets"], data["names"])


def load_or_build(path: Path = DEFAULT_CACHE, root: Path | None = None) -> Corpus:
    if path.exists():
        return load(path)
    corpus = build_corpus(root or music21_corpus_dir())
    save(corpus, path)
    return corpus


def random_windows(stream: np.ndarray, count: int, length: int, rng: np.random.Generator,
                   max_transpose: int = 0) -> np.ndarray:
    """`count` windows of `length` tokens from a stream, each transposed by a random interval where it fits."""
    starts = rng.integers(0, len(stream) - length, size=count)
    windows = []
    for start in starts:
        window = stream[start: start + length].astype(np.int64)
        if max_transpose:
            shifted = transpose(window, int(rng.integers(-max_transpose, max_transpose + 1)))
            window = window if shifted is None else shifted
        windows.append(window)
    return np.stack(windows)


def main() -> None:
    parser = argparse.ArgumentParser(description="Convert the music21 corpus's ABC tunes to event tokens, once.")
    parser.add_argument("--out", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--limit", type=int, default=None, help="only the first N ABC files")
    args = parser.parse_args()
    corpus = build_corpus(music21_corpus_dir(), args.limit)
    train, validation = corpus.split()
    save(corpus, args.out)
    print(f"{len(corpus.names)} pieces ({len(train)} train, {len(validation)} validation), "
          f"{len(corpus.tokens)} tokens -> {args.out}")


if __name__ == "__main__":
    main()
