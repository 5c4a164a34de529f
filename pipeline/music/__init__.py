"""The project's own music model: event encoding, corpus conversion, transformer, training, generator."""
