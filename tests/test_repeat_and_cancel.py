"""The same request again, refunds, and stopping a render: the real bot, Redis and arq worker against the fake Bot
API. Where the render itself is not the point a stand-in pipeline is used; the stand-in that is cancelled runs the
stage's real tools through the pipeline's own runners (pipeline.media.run, assemble's stream_frames into ffmpeg)."""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from common.ledger import today
from pipeline.assemble import frames as assemble_frames
from pipeline.assemble.output import stream_frames
from pipeline.media import run
from pipeline.types import STAGES, StageError, Video
from tests.bot_app import (
    USER_ID,
    ask,
    buttons,
    configure,
    press,
    run_worker_until_queue_empty,
    running_bot,
    running_worker,
    says,
    status_text,
    tiny_video,
    wait_until,
)

STOP_WITHIN_SECONDS = 5.0


def quota_used(redis_server, user: int = USER_ID) -> int:
    with redis_server.client() as client:
        return int(client.get(f"digiteller:quota:{user}:{today()}") or 0)


async def test_the_same_request_after_its_video_comes_again_at_once_and_free(
    story_env, monkeypatch, redis_url, redis_server, tmp_path, fake_pipeline
):
    configure(monkeypatch, story_env, redis_url, tmp_path, DIGITELLER_DAILY_QUOTA="5")
    async with running_bot() as app:
        ask(story_env, "/story Пропавший самовар детектив")
        await app.wait_for_queued()
        await run_worker_until_queue_empty(redis_url, fake_pipeline)
        [first] = story_env.calls_of("sendVideo")
        file_id = first.result["video"]["file_id"]

        ask(story_env, "/story Пропавший самовар детектив")
        again = await story_env.wait_for("sendVideo", lambda call: call is not first)
    assert again.params["video"] == file_id, "sent again by Telegram's file_id, not uploaded"
    assert again.params["caption"] == first.params["caption"]
    assert [b["text"] for b in buttons(again)] == [b["text"] for b in buttons(first)]
    assert len(fake_pipeline.renders) == 1, "no second render"
    assert not [c for c in story_env.calls_of("sendMessage") if "уже снимается" in c.params.get("text", "")]
    assert quota_used(redis_server) == 1, "the repeat is not charged"


async def test_longer_then_shorter_brings_the_first_video_back(story_env, redis_url, fake_pipeline):
    async with running_bot() as app:
        ask(story_env, "/story Кот в сапогах сказка")
        await app.wait_for_queued()
        await run_worker_until_queue_empty(redis_url, fake_pipeline)
        [first] = story_env.calls_of("sendVideo")
        press(story_env, first, "Длиннее")
        await app.wait_for_queued()
        await run_worker_until_queue_empty(redis_url, fake_pipeline)
        longer = story_env.calls_of("sendVideo")[-1]
        assert longer is not first
        press(story_env, longer, "Короче")
        await wait_until(lambda: len(story_env.calls_of("sendVideo")) == 3)
    back = story_env.calls_of("sendVideo")[-1]
    assert back.params["video"] == first.result["video"]["file_id"]
    assert [request.length.value for request, _ in fake_pipeline.renders] == ["standard", "long"]
    texts = [c.params.get("text", "") for c in story_env.calls_of("sendMessage")]
    assert not any("уже снимается" in text for text in texts)


async def test_a_failed_story_asked_again_is_rendered_afresh(story_env, redis_url, fake_pipeline):
    render = fake_pipeline.render
    failures = iter([StageError("narrate", "festival exited with 1")])

    def once_broken(*args, **kwargs):
        if (error := next(failures, None)) is not None:
            raise error
        return render(*args, **kwargs)

    fake_pipeline.render = once_broken
    async with running_bot() as app:
        ask(story_env, "/story Колобок сказка")
        first = await story_env.wait_for("sendMessage", says("В очереди"))
        await app.wait_for_queued()
        await run_worker_until_queue_empty(redis_url, fake_pipeline)
        assert "не получилось" in story_env.calls_of("editMessageText")[-1].params["text"]
        ask(story_env, "/story Колобок сказка")
        status = await story_env.wait_for("sendMessage", lambda call: says("В очереди")(call) and call is not first)
        await app.wait_for_queued()
        await run_worker_until_queue_empty(redis_url, fake_pipeline)
    assert len(story_env.calls_of("sendVideo")) == 1
    assert "готово" in status_text(story_env, USER_ID, status.result["message_id"])


# ---------------------------------------------------------------- stopping a render


@dataclass
class ToolPipeline:
    """Reports every stage; in `slow_stage` it runs that stage's kind of tool for a minute: a shell with a child
    (compose/narrate run FluidSynth, festival, sox through pipeline.media.run) or ffmpeg fed endless frames by
    assemble's stream_frames (the first render only). Records each render's start and end and the tools' pids."""

    folder: Path
    slow_stage: str = "narrate"
    spans: list[tuple[float, float]] = field(default_factory=list)
    starts: list[float] = field(default_factory=list)
    pids: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def render(self, request, out, size, seeds, progress) -> Video:
        started = time.monotonic()
        self.starts.append(started)
        try:
            for stage in STAGES:
                progress(stage, 0.0)
                if stage == self.slow_stage and len(self.starts) == 1:  # only the first render is slow
                    self._tool(stage)
                progress(stage, 1.0)
            video, thumbnail = tiny_video(self.folder)
            out.write_bytes(video.read_bytes())
            return Video(path=out, duration=1.0, width=128, height=72, thumbnail=thumbnail)
        except BaseException as exc:
            self.errors.append(type(exc).__name__)
            raise
        finally:
            self.spans.append((started, time.monotonic()))

    def _tool(self, stage: str) -> None:
        pid_file = self.folder / f"pids-{len(self.spans)}"
        if stage == "assemble":
            frames = self._frames(pid_file)
            cmd = ["ffmpeg", "-y", "-v", "error", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", "64x64", "-r", "25",
                   "-i", "-", "-c:v", "libx264", "-preset", "ultrafast", str(self.folder / "endless.mp4")]  # fmt: skip
            stream_frames(cmd, frames, cwd=self.folder)
        else:
            script = f"sleep 60 & echo $$ $! > {pid_file}; wait"
            run(["sh", "-c", script], stage=stage, timeout=120)

    def _frames(self, pid_file: Path):
        frame = blank_frame()
        for _ in range(25 * 600):
            if not pid_file.exists():
                ffmpeg = [p for p in _children() if _name(p) == "ffmpeg"]
                if ffmpeg:
                    pid_file.write_text(" ".join(map(str, ffmpeg)))
            yield frame
            time.sleep(0.04)

    def tool_pids(self) -> list[int]:
        return [int(pid) for path in self.folder.glob("pids-*") for pid in path.read_text().split()]


def blank_frame():
    """A dark 64x64 frame in the form stream_frames takes (a yuv420p Frame, or a BGRA array before it)."""
    if hasattr(assemble_frames, "Frame"):
        frame = assemble_frames.Frame((64, 64))
        frame.data[:] = 16
        return frame
    return np.zeros((64, 64, 4), dtype=np.uint8)


def _children() -> list[int]:
    me = os.getpid()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == me:
                found.append(int(entry.name))
    return found


def _name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture
def tool_pipeline(tmp_path: Path) -> ToolPipeline:
    folder = tmp_path / "media"
    folder.mkdir()
    return ToolPipeline(folder)


@pytest.mark.parametrize("stage", ["compose", "narrate", "assemble"])
async def test_cancel_stops_the_stage_and_its_tools_within_seconds_and_refunds(
    story_env, redis_url, redis_server, tool_pipeline, stage
):
    tool_pipeline.slow_stage = stage
    label = {"compose": "Сочиняю музыку", "narrate": "Озвучиваю", "assemble": "Монтирую"}[stage]
    async with running_bot(), running_worker(redis_url, tool_pipeline):
        ask(story_env, "/story Кот в сапогах сказка")
        status = await story_env.wait_for("sendMessage", says("В очереди"))
        ask(story_env, "/story Колобок сказка", user=USER_ID + 1)  # the next in line must wait for the first
        await story_env.wait_for("editMessageText", says(label), timeout=20)
        await wait_until(lambda: bool(tool_pipeline.tool_pids()), timeout=10)
        pids = tool_pipeline.tool_pids()
        assert all(alive(pid) for pid in pids)
        assert quota_used(redis_server) == 1
        pressed = time.monotonic()
        press(story_env, status, "Отменить")
        await wait_until(lambda: len(tool_pipeline.spans) >= 1, timeout=STOP_WITHIN_SECONDS + 5)
        stopped_after = tool_pipeline.spans[0][1] - pressed
        await story_env.wait_for("editMessageText", says("отменено"))
        await story_env.wait_for("sendVideo", timeout=20)  # the next story, rendered after the cancelled one
        await wait_until(lambda: len(tool_pipeline.spans) == 2)
    assert stopped_after < STOP_WITHIN_SECONDS, f"the {stage} render went on {stopped_after:.1f} s after Cancel"
    assert tool_pipeline.errors[0] in ("Cancelled", "JobStopped")
    assert not [pid for pid in pids if alive(pid)], "the stage's processes were terminated"
    (_, first_end), (second_start, _) = tool_pipeline.spans
    assert second_start >= first_end, "the next render began only after the cancelled one had stopped"
    assert quota_used(redis_server) == 0, "a cancelled story is refunded, even a running one"
    assert len(story_env.calls_of("sendVideo")) == 1, "only the next story's video"


async def test_a_job_timeout_stops_the_running_tool_too(story_env, monkeypatch, redis_url, tmp_path, tool_pipeline):
    configure(monkeypatch, story_env, redis_url, tmp_path, DIGITELLER_JOB_TIMEOUT="3",
              DIGITELLER_STATUS_EDIT_SECONDS="0.2")  # fmt: skip
    tool_pipeline.slow_stage = "narrate"
    async with running_bot():
        ask(story_env, "/story Кот в сапогах сказка")
        await story_env.wait_for("sendMessage", says("В очереди"))
    started = time.monotonic()
    await run_worker_until_queue_empty(redis_url, tool_pipeline)
    assert tool_pipeline.spans and tool_pipeline.spans[0][1] - started < 3 + STOP_WITHIN_SECONDS
    assert not [pid for pid in tool_pipeline.tool_pids() if alive(pid)]
    assert "слишком много времени" in story_env.calls_of("editMessageText")[-1].params["text"]
