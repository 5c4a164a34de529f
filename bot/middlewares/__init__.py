from bot.middlewares.i18n import I18nMiddleware
from bot.middlewares.throttling import ThrottlingMiddleware

__all__ = ["I18nMiddleware", "ThrottlingMiddleware"]
