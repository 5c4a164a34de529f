"""The project's own music model: event encoding, corpus conversion, transformer, training, generator."""
from pathlib import Path

DEFAULT_WEIGHTS = Path(__file__).parent / "weights" / "folk.pt"  # here, not in generator.py: no torch to import it
