"""Redis killed with SIGKILL (no shutdown, no final fsync) under docker-compose.yml's persistence setting
(appendonly yes, appendfsync everysec): what a user's story keeps. Writes older than the one-second fsync survive;
what was written in the last second before the kill may be lost (printed, not asserted: it is a race)."""
from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
import yaml

from common.ledger import today
from tests.bot_app import (
    USER_ID,
    ask,
    configure,
    run_worker_until_queue_empty,
    running_bot,
)
from tests.conftest import RedisServer
from tests.fake_telegram import free_port

FSYNC_MARGIN_SECONDS = 1.5  # appendfsync everysec: older writes are on disk


def compose_redis_flags() -> list[str]:
    compose = yaml.safe_load((Path(__file__).parents[1] / "docker-compose.yml").read_text())
    return compose["services"]["redis"]["command"][1:]


@pytest.fixture
def crash_redis(tmp_path: Path):
    """A redis-server of our own (the session's is shared), started with the compose file's flags."""
    flags = compose_redis_flags()
    assert flags[flags.index("--appendonly") + 1] == "yes" and flags[flags.index("--appendfsync") + 1] == "everysec"
    server = RedisServer(shutil.which("redis-server") or "/usr/bin/redis-server", tmp_path / "redis", free_port())
    server.directory.mkdir()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def kill_and_restart(server: RedisServer) -> None:
    process = server._process
    assert process is not None
    process.kill()  # SIGKILL
    process.wait()
    server._process = None
    server.start()


def keys(server: RedisServer) -> dict[str, bytes | None]:
    with server.client() as client:
        return {
            "quota": client.get(f"digiteller:quota:{USER_ID}:{today()}"),
            "slot": client.get(f"digiteller:slot:{USER_ID}"),
            "waiting": client.hget("digiteller:waiting", client.get(f"digiteller:slot:{USER_ID}") or b"-"),
            "queue": client.zcard("arq:queue"),
        }


async def test_a_queued_story_and_its_ledger_survive_a_sigkill_and_its_video_is_sent_again_after(
    monkeypatch, fake_telegram, crash_redis, tmp_path, fake_pipeline
):
    configure(monkeypatch, fake_telegram, crash_redis.url, tmp_path, DIGITELLER_DAILY_QUOTA="5")
    async with running_bot() as app:
        ask(fake_telegram, "/story Пропавший самовар детектив")
        [payload] = await app.wait_for_queued()
        await asyncio.sleep(FSYNC_MARGIN_SECONDS)
        ask(fake_telegram, "/story Колобок сказка", user=USER_ID + 1)  # written just before the kill
        await app.wait_for_queued(2)
    kill_and_restart(crash_redis)

    after = keys(crash_redis)
    assert int(after["quota"] or 0) == 1 and after["slot"] and after["waiting"], after
    async with running_bot() as app:  # a bot connected afresh (see the report on pooled connections)
        survivors = [p["request"]["title"] for p in await app.queued_payloads()]
    assert "Пропавший самовар" in survivors, "a job queued over a second before the kill is still queued"
    print(f"\njob queued in the last second before SIGKILL survived: {'Колобок' in survivors}")

    await run_worker_until_queue_empty(crash_redis.url, fake_pipeline)
    first = await fake_telegram.wait_for("sendVideo", lambda c: int(c.params["chat_id"]) == USER_ID)
    await asyncio.sleep(FSYNC_MARGIN_SECONDS)
    kill_and_restart(crash_redis)

    # the delivery mark and the file_id outlived the kill: the same request is answered at once, no render
    renders = len(fake_pipeline.renders)
    async with running_bot():
        ask(fake_telegram, "/story Пропавший самовар детектив")
        again = await fake_telegram.wait_for(
            "sendVideo", lambda c: c is not first and int(c.params["chat_id"]) == USER_ID
        )
    assert again.params["video"] == first.result["video"]["file_id"]
    assert len(fake_pipeline.renders) == renders
    assert payload["request"]["title"] == "Пропавший самовар"
    assert not any("уже снимается" in c.params.get("text", "") for c in fake_telegram.calls_of("sendMessage"))
    assert "Пропавший самовар" in first.params["caption"]


async def test_a_pool_with_the_services_retry_settings_carries_on_over_the_crash(crash_redis):
    """Each connection the pool held before the kill is dead after it: plain settings fail the next command on it
    (a user's update lost); the services' settings retry it on a fresh connection."""
    from arq import create_pool
    from arq.connections import RedisSettings
    from redis.exceptions import ConnectionError as RedisConnectionError

    from common.config import redis_connection_settings

    plain = await create_pool(RedisSettings.from_dsn(crash_redis.url))
    retrying = await create_pool(redis_connection_settings(crash_redis.url))
    try:
        await plain.set("before", 1)
        await retrying.set("before", 1)
        await asyncio.sleep(FSYNC_MARGIN_SECONDS)
        kill_and_restart(crash_redis)
        with pytest.raises(RedisConnectionError):
            await plain.get("before")
        assert await retrying.get("before") == b"1"
    finally:
        await plain.aclose()
        await retrying.aclose()
