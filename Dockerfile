# One image for the bot and the worker. GPU workers: build with --build-arg TORCH_EXTRA=gpu on a CUDA base.
FROM python:3.11-slim-bookworm
ARG TORCH_EXTRA=""
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        ffmpeg festival festvox-ru espeak-ng fluidsynth fluid-soundfont-gm sox fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY app app
COPY bot bot
COPY common common
COPY pipeline pipeline
COPY workers workers
COPY locales locales
# Editable, so locales/ beside the packages is found at run time.
RUN pip install --no-cache-dir -e ".${TORCH_EXTRA:+[$TORCH_EXTRA]}"
ENV DIGITELLER_CACHE_DIR=/cache
RUN useradd --create-home digiteller && mkdir -p /cache && chown digiteller /cache
USER digiteller
CMD ["digiteller", "bot"]
