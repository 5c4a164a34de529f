"""The assemble stage's parts: frames (layers, motion, cards), subtitles, sound, and the mp4 output."""
