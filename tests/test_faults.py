"""Faults a running service meets: Redis restarted mid-run, a video Telegram refuses as too large (413),
stages that fail, and the disk they must leave clean."""
from __future__ import annotations

import asyncio
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

from pipeline.media import media_duration
from pipeline.types import StageError
from tests.bot_app import (
    FakePipeline,
    ask,
    configure,
    run_worker_until_queue_empty,
    running_bot,
    running_worker,
    says,
)
from tests.fake_telegram import FakeTelegram


def sent_to(fake: FakeTelegram, chat_id: int) -> list:
    return [c for c in fake.calls_of("sendVideo") if c.ok and int(c.params["chat_id"]) == chat_id]


async def test_jobs_survive_a_redis_restart_in_the_middle_of_a_run(story_env, redis_server, redis_url, tmp_path):
    pipeline = FakePipeline(tmp_path / "media", gate=threading.Event())
    async with running_bot() as app:
        for user in (501, 502):
            ask(story_env, f"/story Кощей {user} ужасы", user=user)
        await app.wait_for_queued(2)
    async with running_worker(redis_url, pipeline):
        await story_env.wait_for("editMessageText", says("Пишу историю"), timeout=20)
        redis_server.restart()  # SIGTERM: the AOF is synced; the second job is still waiting in the queue
        pipeline.gate.set()
        await story_env.wait_for("sendVideo", lambda c: c.ok and int(c.params["chat_id"]) == 502, timeout=60)
        await story_env.wait_for("sendVideo", lambda c: c.ok and int(c.params["chat_id"]) == 501, timeout=60)
        await asyncio.sleep(0.5)
    assert len(sent_to(story_env, 501)) == 1 and len(sent_to(story_env, 502)) == 1


@dataclass
class BigVideoPipeline(FakePipeline):
    """Renders a 4-second noisy video of about 400 kB: too big for a fake Bot API with a 250 kB limit."""

    def render(self, request, out, size, seeds, progress):
        video = super().render(request, out, size, seeds, progress)
        noisy_video(out, 4.0)
        return video.model_copy(update={"duration": 4.0, "width": 320, "height": 240})


async def test_a_video_refused_as_too_large_is_compressed_and_sent_again(monkeypatch, redis_url, tmp_path):
    limit = 250_000
    fake = FakeTelegram(upload_limit=limit)
    await fake.start()
    try:
        configure(monkeypatch, fake, redis_url, tmp_path, DIGITELLER_STATUS_EDIT_SECONDS="0.2")
        async with running_bot() as app:
            ask(fake, "/story Ночной поезд ужасы")
            await app.wait_for_queued()
        await run_worker_until_queue_empty(redis_url, BigVideoPipeline(tmp_path / "media"))
    finally:
        await fake.stop()
    attempts = fake.calls_of("sendVideo")
    assert attempts[0].status == 413 and attempts[-1].ok and sum(c.ok for c in attempts) == 1
    delivered = fake.files[attempts[-1].result["video"]["file_id"]]
    assert delivered.size < limit
    shown = [c.params["text"] for c in fake.calls_of("editMessageText")]
    assert any("Сжимаю" in text for text in shown) and "готово" in shown[-1]
    copy = tmp_path / "delivered.mp4"
    copy.write_bytes(delivered.content)
    assert abs(media_duration(copy) - 4.0) < 0.5


async def test_failed_and_finished_jobs_leave_no_files_behind(story_env, redis_url, tmp_path):
    pipeline = FakePipeline(tmp_path / "media")
    plain_render = pipeline.render
    calls = iter(range(100))

    def every_other_fails(request, out, size, seeds, progress):
        (out.parent / "scratch.wav").write_bytes(b"\0" * 1000)  # what a stage leaves in the job's folder
        if next(calls) % 2:
            raise StageError("illustrate", "the picture could not be drawn")
        return plain_render(request, out, size, seeds, progress)

    pipeline.render = every_other_fails
    users = range(601, 611)
    async with running_bot() as app:
        for user in users:
            ask(story_env, f"/story Кот {user} сказка", user=user)
        await app.wait_for_queued(len(users))
    await run_worker_until_queue_empty(redis_url, pipeline)
    chats = [" ".join(m.get("text", "") for m in story_env.chat_messages(user)) for user in users]
    assert sum("готово" in chat for chat in chats) == 5 and sum("не получилось" in chat for chat in chats) == 5
    assert list(Path(tmp_path / "work").iterdir()) == []


def noisy_video(out: Path, seconds: float = 4.0) -> Path:
    """About 100 kB a second of noise (x264 cannot squeeze it): a file that is too big on purpose."""
    subprocess.run(
        ["ffmpeg", "-y", "-v", "error", "-f", "lavfi", "-i", f"testsrc2=s=320x240:d={seconds},noise=alls=80:allf=t",
         "-f", "lavfi", "-i", f"sine=f=440:d={seconds}", "-c:v", "libx264", "-b:v", "800k", "-pix_fmt", "yuv420p",
         "-c:a", "aac", "-t", str(seconds), str(out)],
        check=True,
    )  # fmt: skip
    return out


@dataclass
class SplitVideoPipeline(FakePipeline):
    """A video already split into parts (as for a local Bot API server): the first part small, the second over
    the upload limit on its own (a cut at keyframes is not an even split)."""

    def render(self, request, out, size, seeds, progress):
        video = super().render(request, out, size, seeds, progress)
        small = out.with_name("story.part00.mp4")
        small.write_bytes(out.read_bytes())
        big = noisy_video(out.with_name("story.part01.mp4"))
        return video.model_copy(update={"parts": [small, big], "duration": 5.0})


async def test_every_part_of_a_split_video_is_brought_under_the_limit(story_env, monkeypatch, redis_url, tmp_path):
    limit = 250_000
    configure(monkeypatch, story_env, redis_url, tmp_path, DIGITELLER_UPLOAD_LIMIT_MB=str(limit / 1e6))
    async with running_bot() as app:
        ask(story_env, "/story Ночной поезд ужасы")
        await app.wait_for_queued()
    await run_worker_until_queue_empty(redis_url, SplitVideoPipeline(tmp_path / "media"))
    sent = story_env.calls_of("sendVideo")
    assert [call.ok for call in sent] == [True, True], "each part sent once, none refused"
    sizes = [story_env.files[call.result["video"]["file_id"]].size for call in sent]
    assert all(size <= limit for size in sizes), sizes
    assert "Часть 1 из 2" in sent[0].params["caption"] and "Часть 2 из 2" in sent[1].params["caption"]
    copy = tmp_path / "part2.mp4"
    copy.write_bytes(story_env.files[sent[1].result["video"]["file_id"]].content)
    assert abs(media_duration(copy) - 4.0) < 0.5, "the whole part, only smaller"


async def test_a_shrink_measures_the_file_again_after_encoding(tmp_path):
    from common.contract import StoryJob
    from pipeline.types import Genre, StageSeeds, StoryRequest
    from workers.worker import _shrink_to

    video = noisy_video(tmp_path / "big.mp4")
    before = video.stat().st_size
    job = StoryJob(chat_id=1, status_message_id=1, language="ru",
                   request=StoryRequest(title="Поезд", genre=Genre.horror, language="ru"),
                   seeds=StageSeeds.from_seed(0))  # fmt: skip
    limit = before // 3
    measured = await _shrink_to(job, video, limit)
    assert measured == video.stat().st_size <= limit < before
