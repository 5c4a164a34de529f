"""A worker killed mid-job (SIGKILL: no cleanup at all): another worker notices the silent heartbeat, arq retries
the job there, and the user gets exactly one video; or, when that was the job's last try, a clear message."""
from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from arq.constants import in_progress_key_prefix, retry_key_prefix

from common.contract import StoryJob
from tests.bot_app import FakePipeline, configure, running_bot, running_worker, says, tiny_video

USER = 555


@contextlib.asynccontextmanager
async def doomed_worker(media: Path, log: Path) -> AsyncIterator[subprocess.Popen]:
    """A worker process (slow FakePipeline) on REDIS_URL, killed for sure at the end."""
    tiny_video(media)  # made before the worker starts, so the doomed worker gets going at once
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.bot_app", str(media), "5"],
        cwd=os.getcwd(), stdout=subprocess.DEVNULL, stderr=log.open("wb"),
    )  # fmt: skip
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


async def kill_mid_job(fake_telegram, process: subprocess.Popen, app) -> None:
    fake_telegram.push_message("/story Кот в сапогах сказка", chat_id=USER, user_id=USER)
    await app.wait_for_queued()
    await fake_telegram.wait_for("editMessageText", says("Пишу историю"), timeout=40)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


async def test_a_killed_worker_job_is_retried_elsewhere_and_delivered_once(
    fake_telegram, redis_url, tmp_path, monkeypatch
):
    configure(
        monkeypatch, fake_telegram, redis_url, tmp_path,
        DIGITELLER_WORKER_HEARTBEAT_SECONDS="1", DIGITELLER_STATUS_EDIT_SECONDS="0.2",
    )  # fmt: skip
    async with doomed_worker(tmp_path / "media", tmp_path / "doomed.log") as doomed, running_bot() as app:
        await kill_mid_job(fake_telegram, doomed, app)
        survivor = FakePipeline(tmp_path / "media")
        async with running_worker(redis_url, survivor) as worker:
            await fake_telegram.wait_for("sendVideo", timeout=20)
            await asyncio.sleep(1.0)  # time enough for a duplicate to show up, were there one
        assert worker.jobs_complete == 1 and len(survivor.renders) == 1
    assert len(fake_telegram.calls_of("sendVideo")) == 1
    assert "готово" in fake_telegram.calls_of("editMessageText")[-1].params["text"]


async def test_a_job_orphaned_on_its_last_try_is_reported_to_the_user(fake_telegram, redis_url, tmp_path, monkeypatch):
    configure(
        monkeypatch, fake_telegram, redis_url, tmp_path, DIGITELLER_JOB_MAX_TRIES="1",
        DIGITELLER_WORKER_HEARTBEAT_SECONDS="1", DIGITELLER_STATUS_EDIT_SECONDS="0.2",
    )  # fmt: skip
    async with running_bot() as app:
        fake_telegram.push_message("/story Кот в сапогах сказка", chat_id=USER, user_id=USER)
        [payload] = await app.wait_for_queued()
        # What a worker killed on the job's only try leaves in Redis (the previous test kills one for real):
        # arq's in-progress mark and try count, the job's owner, and no heartbeat of that owner.
        job_id = StoryJob.model_validate(payload).job_id
        await app.pool.set(in_progress_key_prefix + job_id, b"1", px=3_600_000)
        await app.pool.set(retry_key_prefix + job_id, 1)
        await app.pool.hset("digiteller:owners", job_id, "killed-worker")
        survivor = FakePipeline(tmp_path / "media")
        async with running_worker(redis_url, survivor):
            await fake_telegram.wait_for("editMessageText", says("остановилась машина"), timeout=20)
            fake_telegram.push_message("/story Колобок сказка", chat_id=USER, user_id=USER)
            await fake_telegram.wait_for("sendVideo", timeout=20)
    assert [request.title for request, _ in survivor.renders] == ["Колобок"], "the user's slot was freed"
