# The bot: slim, no torch and no media tools. It imports only pipeline.types and pipeline.genres from the
# pipeline (tests/test_architecture.py keeps it so), so the package goes in without its dependencies and the
# bot's own are named here (tests/test_compose_file.py checks them against pyproject.toml).
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
RUN pip install "aiogram>=3.20,<4" "arq>=0.26,<0.29" "redis>=5" "pydantic>=2.7" "pydantic-settings>=2.3"
COPY pyproject.toml README.md ./
COPY app app
COPY bot bot
COPY common common
COPY pipeline pipeline
COPY workers workers
COPY locales locales
# Editable, so locales/ beside the packages is found at run time.
RUN pip install --no-deps -e . && python -c "import bot.main, app.cli"
RUN useradd --create-home digiteller
USER digiteller
CMD ["digiteller", "bot"]
