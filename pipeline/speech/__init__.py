"""Speech for the narrate stage: text made speakable (numbers, dates, abbreviations, punctuation, long
lines), Russian stress marks, and the voices of each engine (festival, espeak-ng, Silero, Piper)."""
