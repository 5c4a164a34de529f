"""Shared fixtures: a real redis-server, a fake Telegram Bot API server and an aiogram Bot on it."""
from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import redis
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from tests.fake_telegram import DEFAULT_TOKEN, FakeTelegram, free_port

REDIS_START_SECONDS = 10.0


class RedisServer:
    """A redis-server process on 127.0.0.1 with AOF persistence in its own directory."""

    def __init__(self, executable: str, directory: Path, port: int) -> None:
        self.executable = executable
        self.directory = directory
        self.port = port
        self.host = "127.0.0.1"
        self.url = f"redis://{self.host}:{port}/0"
        self.log_path = directory / "redis.log"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def is_running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        """Start the server and wait until it answers PING."""
        command = [
            self.executable, "--bind", self.host, "--port", str(self.port), "--save", "",
            "--appendonly", "yes", "--appendfsync", "everysec", "--dir", str(self.directory),
            "--daemonize", "no",
        ]  # fmt: skip
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        self._wait_ready()

    def stop(self) -> None:
        """SIGTERM (redis fsyncs the AOF on shutdown) and wait for the process to exit."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def restart(self) -> None:
        """Stop and start again on the same port and directory; data comes back from the AOF."""
        self.stop()
        self.start()

    def client(self) -> redis.Redis:
        """A synchronous client (close it after use)."""
        return redis.Redis(host=self.host, port=self.port, socket_timeout=5)

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + REDIS_START_SECONDS
        while True:
            if self._process is None or self._process.poll() is not None:
                raise RuntimeError(f"redis-server exited on start:\n{self._log_tail()}")
            try:
                with self.client() as client:
                    if client.ping():
                        return
            except redis.exceptions.RedisError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"redis-server did not answer PING in {REDIS_START_SECONDS} s:\n{self._log_tail()}")
            time.sleep(0.05)

    def _log_tail(self) -> str:
        lines = self.log_path.read_text(errors="replace").splitlines() if self.log_path.exists() else []
        return "\n".join(lines[-20:])


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A real redis-server for the whole session (``url``, ``port``, ``restart()``, ``stop()``)."""
    executable = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None
    )
    if executable is None:
        pytest.fail("redis-server is not installed (apt-get install redis-server): the tests need a real Redis")
    server = RedisServer(executable, tmp_path_factory.mktemp("redis"), free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The session Redis, emptied (FLUSHALL) for this test; started again if a test stopped it."""
    if not redis_server.is_running:
        redis_server.start()
    with redis_server.client() as client:
        client.flushall()
    return redis_server.url


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    """A started FakeTelegram (token ``123456:TEST-token``), stopped after the test."""
    fake = FakeTelegram(DEFAULT_TOKEN)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


def bot_for(fake: FakeTelegram, token: str | None = None) -> Bot:
    """A real aiogram Bot whose requests go to ``fake``."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url))
    return Bot(token or fake.token, session=session)


@pytest.fixture
async def bot(fake_telegram: FakeTelegram) -> AsyncIterator[Bot]:
    """A real aiogram Bot talking to ``fake_telegram``; its session is closed after the test."""
    instance = bot_for(fake_telegram)
    try:
        yield instance
    finally:
        await close_bot(instance)


async def close_bot(bot: Bot) -> None:
    """Close a Bot's session without aiogram's 0.25 s wait for SSL shutdown (plain HTTP here)."""
    client = getattr(bot.session, "_session", None)
    if client is not None:
        await client.close()
    await bot.session.close()


@pytest.fixture
def fake_pipeline(tmp_path: Path):
    """A fast stand-in for the pipeline (tests/bot_app.FakePipeline) for bot-flow tests where the render is not
    the point: it reports every stage and returns a tiny real video."""
    from tests.bot_app import FakePipeline

    return FakePipeline(tmp_path / "media")


@pytest.fixture
def story_env(monkeypatch: pytest.MonkeyPatch, fake_telegram: FakeTelegram, redis_url: str, tmp_path: Path):
    """``fake_telegram`` with the bot's settings pointed at it and the test's Redis, status edits every 0.2 s
    and ``tests.bot_app.ADMIN_ID`` a bot admin."""
    from tests.bot_app import ADMIN_ID, configure

    configure(
        monkeypatch, fake_telegram, redis_url, tmp_path,
        DIGITELLER_STATUS_EDIT_SECONDS="0.2", DIGITELLER_ADMIN_IDS=str(ADMIN_ID),
    )  # fmt: skip
    return fake_telegram
