"""What the bot and the worker share: the job contract, the ledger in Redis, service settings, i18n, the Telegram
session and the buttons both put under messages."""
