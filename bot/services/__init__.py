"""What the bot runs beside its handlers: the group story game."""
