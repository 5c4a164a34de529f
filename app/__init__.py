"""The `digiteller` command: the one place that knows the bot, the workers and the pipeline."""
