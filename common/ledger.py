"""What the bot and the workers keep in Redis beside arq's queue: requests behind buttons, one-job-per-user
slots, daily quotas, status messages of waiting jobs, delivery marks, worker heartbeats and counters."""
from __future__ import annotations

import datetime as dt
import json
import time
import uuid

from arq.connections import ArqRedis
from arq.constants import (
    abort_jobs_ss,
    default_queue_name,
    in_progress_key_prefix,
    job_key_prefix,
    result_key_prefix,
)

from common.contract import JOB_FUNCTION, PREFIX, StoryJob
from pipeline.types import StoryRequest

REQUEST_TTL = 90 * 24 * 3600  # result buttons keep working this long
DELIVERED_TTL = 7 * 24 * 3600
STAT_EVENTS = ("requested", "delivered", "failed", "cancelled", "refused")

# Hand the user's slot to their next held job, or free it; only the job holding the slot may do so.
_RELEASE = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return false end
local next_id = redis.call('LPOP', KEYS[2])
if not next_id then redis.call('DEL', KEYS[1]) return false end
redis.call('SET', KEYS[1], next_id, 'EX', ARGV[2])
local payload = redis.call('HGET', KEYS[3], next_id)
redis.call('HDEL', KEYS[3], next_id)
return payload
"""


def today() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")


class Ledger:
    def __init__(self, redis: ArqRedis, slot_ttl: int = 4 * 3600):
        self.redis = redis
        self.slot_ttl = slot_ttl

    # ------------------------------------------------------------ the queue

    async def enqueue(self, job: StoryJob, position: int = 0) -> bool:
        """Put the job on arq's queue and track its status message; False if the same job is queued or running."""
        await self.save_position(job, position)
        queued = await self.redis.enqueue_job(JOB_FUNCTION, job.model_dump(mode="json"), _job_id=job.job_id)
        if queued is None:
            await self.redis.hdel(f"{PREFIX}:waiting", job.job_id)
        return queued is not None

    async def is_known(self, job_id: str) -> bool:
        """Queued, running or held for its user."""
        keys = (job_key_prefix + job_id, in_progress_key_prefix + job_id)
        return bool(await self.redis.exists(*keys)) or bool(await self.redis.hexists(f"{PREFIX}:held", job_id))

    async def queue_order(self) -> tuple[list[str], set[str]]:
        """Job ids in arq's queue, oldest first, and which of them a worker is running now."""
        ids = [raw.decode() for raw in await self.redis.zrange(default_queue_name, 0, -1)]
        async with self.redis.pipeline(transaction=False) as pipe:
            for job_id in ids:
                pipe.exists(in_progress_key_prefix + job_id)
            running = await pipe.execute()
        return ids, {job_id for job_id, busy in zip(ids, running) if busy}

    async def next_position(self, head: int = 64) -> int:
        """The place a job enqueued now gets: the queue's length less the jobs running. Workers take jobs from the
        front, so only the first `head` are checked: a submit stays O(1) however long the line is."""
        length = await self.redis.zcard(default_queue_name)
        front = await self.redis.zrange(default_queue_name, 0, head - 1)
        if not front:
            return 1
        running = await self.redis.exists(*(in_progress_key_prefix + raw.decode() for raw in front))
        return length - running + 1

    async def positions(self) -> dict[str, int]:
        """1-based place in the line of every job not yet started."""
        ids, running = await self.queue_order()
        waiting = [job_id for job_id in ids if job_id not in running]
        return {job_id: place for place, job_id in enumerate(waiting, start=1)}

    async def waiting_jobs(self) -> dict[str, tuple[int, dict]]:
        """Queued jobs whose status message the bot keeps up to date: job id → (the position it shows now, the
        job as JSON). The JSON is left unvalidated: a pass over a long line validates only the jobs it edits."""
        raw = await self.redis.hgetall(f"{PREFIX}:waiting")
        entries = {job_id.decode(): json.loads(value) for job_id, value in raw.items()}
        return {job_id: (entry["position"], entry["job"]) for job_id, entry in entries.items()}

    async def save_position(self, job: StoryJob, position: int) -> None:
        entry = {"job": job.model_dump(mode="json"), "position": position}
        await self.redis.hset(f"{PREFIX}:waiting", job.job_id, json.dumps(entry))

    async def still_waiting(self, job_id: str) -> bool:
        return bool(await self.redis.hexists(f"{PREFIX}:waiting", job_id))

    async def forget_status(self, job_id: str) -> bool:
        """True if the job was still waiting (whoever removes it first takes over its status message)."""
        return bool(await self.redis.hdel(f"{PREFIX}:waiting", job_id))

    async def held_job(self, job_id: str) -> StoryJob | None:
        raw = await self.redis.hget(f"{PREFIX}:held", job_id)
        return StoryJob.model_validate_json(raw) if raw else None

    async def queued_job(self, job_id: str) -> StoryJob | None:
        raw = await self.redis.hget(f"{PREFIX}:waiting", job_id)
        return StoryJob.model_validate(json.loads(raw)["job"]) if raw else None

    async def request_abort(self, job_id: str) -> None:
        """Ask arq to cancel a running job, and leave a mark so the worker says "cancelled", not "failed"."""
        await self.redis.set(f"{PREFIX}:aborted:{job_id}", 1, ex=3600)
        await self.redis.zadd(abort_jobs_ss, {job_id: int(time.time() * 1000)})

    async def was_aborted(self, job_id: str) -> bool:
        return bool(await self.redis.exists(f"{PREFIX}:aborted:{job_id}"))

    async def remove_queued(self, job_id: str) -> bool:
        """Take a job off the queue if no worker has started it; True if it was removed."""
        async with self.redis.pipeline(transaction=True) as pipe:
            await pipe.watch(in_progress_key_prefix + job_id)
            if await pipe.exists(in_progress_key_prefix + job_id):
                return False
            pipe.multi()
            pipe.zrem(default_queue_name, job_id)
            pipe.delete(job_key_prefix + job_id)
            removed, _ = await pipe.execute()
        return bool(removed)

    # ------------------------------------------------------------ requests behind result buttons

    async def remember_request(self, request: StoryRequest) -> str:
        request_id = request.digest()[:12]
        await self.redis.set(f"{PREFIX}:request:{request_id}", request.model_dump_json(), ex=REQUEST_TTL)
        return request_id

    async def recall_request(self, request_id: str) -> StoryRequest | None:
        raw = await self.redis.get(f"{PREFIX}:request:{request_id}")
        return StoryRequest.model_validate_json(raw) if raw else None

    # ------------------------------------------------------------ one job per user

    async def claim_slot(self, user_id: int, job_id: str) -> bool:
        return bool(await self.redis.set(f"{PREFIX}:slot:{user_id}", job_id, nx=True, ex=self.slot_ttl))

    async def hold(self, user_id: int, job: StoryJob) -> int:
        """Keep a job until the user's running one ends; returns how many of theirs wait now."""
        await self.redis.hset(f"{PREFIX}:held", job.job_id, job.model_dump_json())
        return int(await self.redis.rpush(f"{PREFIX}:line:{user_id}", job.job_id))

    async def drop_held(self, user_id: int, job_id: str) -> bool:
        await self.redis.lrem(f"{PREFIX}:line:{user_id}", 0, job_id)
        return bool(await self.redis.hdel(f"{PREFIX}:held", job_id))

    async def release_and_promote(self, job: StoryJob) -> StoryJob | None:
        """The job is over: hand its user's slot to their next held job, which is enqueued; returns that job."""
        if not job.user_id:
            return None
        promoted = await self.release_slot(job.user_id, job.job_id)
        if promoted is not None:
            await self.enqueue(promoted, await self.next_position())
        return promoted

    async def release_slot(self, user_id: int, job_id: str) -> StoryJob | None:
        """The user's job ended: their next held job (now holding the slot) to enqueue, if any."""
        keys = [f"{PREFIX}:slot:{user_id}", f"{PREFIX}:line:{user_id}", f"{PREFIX}:held"]
        payload = await self.redis.eval(_RELEASE, len(keys), *keys, job_id, self.slot_ttl)
        return StoryJob.model_validate_json(payload) if payload else None

    # ------------------------------------------------------------ quota

    async def spend_quota(self, user_id: int, limit: int) -> bool:
        """Count one story against today's quota; False (and nothing counted) when it is used up."""
        if limit <= 0:
            return True
        key = f"{PREFIX}:quota:{user_id}:{today()}"
        used = await self.redis.incr(key)
        await self.redis.expire(key, 2 * 24 * 3600)
        if used > limit:
            await self.redis.decr(key)
            return False
        return True

    async def refund_quota(self, user_id: int) -> None:
        key = f"{PREFIX}:quota:{user_id}:{today()}"
        if int(await self.redis.get(key) or 0) > 0:
            await self.redis.decr(key)

    # ------------------------------------------------------------ delivery, cancellation

    async def was_delivered(self, job_id: str) -> bool:
        return bool(await self.redis.exists(f"{PREFIX}:delivered:{job_id}"))

    async def mark_delivered(self, job_id: str) -> None:
        await self.redis.set(f"{PREFIX}:delivered:{job_id}", 1, ex=DELIVERED_TTL)

    async def remember_video(self, job_id: str, sent: list[dict]) -> None:
        """What went to the chat for this job (per part: Telegram's file_id, the caption, the buttons), so the
        same request again is answered by sending those files again, without a render."""
        await self.redis.set(f"{PREFIX}:video:{job_id}", json.dumps(sent), ex=DELIVERED_TTL)

    async def sent_video(self, job_id: str) -> list[dict] | None:
        raw = await self.redis.get(f"{PREFIX}:video:{job_id}")
        return json.loads(raw) if raw else None

    async def forget_finished(self, job_id: str) -> None:
        """Clear what a finished job left (arq's kept result, which makes arq refuse the same job id; the delivery
        mark, which makes a worker skip it; the sent files), so the same request can be rendered afresh.
        Only for a job that is neither queued nor running."""
        await self.redis.delete(
            result_key_prefix + job_id, f"{PREFIX}:delivered:{job_id}", f"{PREFIX}:video:{job_id}"
        )

    # ------------------------------------------------------------ pace of messages in a group

    async def pace(self, chat_id: int, per_minute: int) -> bool:
        """Take one of a chat's `per_minute` message slots in the last 60 s, shared by every worker; False if none."""
        key, now = f"{PREFIX}:pace:{chat_id}", time.time()
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zremrangebyscore(key, 0, now - 60)
            pipe.zcard(key)
            _, used = await pipe.execute()
        if used >= per_minute:
            return False
        await self.redis.zadd(key, {f"{now}:{uuid.uuid4().hex[:6]}": now})
        await self.redis.expire(key, 61)
        return True

    # ------------------------------------------------------------ workers alive, jobs they hold

    async def beat(self, worker_id: str, ttl: float) -> None:
        await self.redis.set(f"{PREFIX}:worker:{worker_id}", int(time.time()), px=int(ttl * 1000))

    async def workers_alive(self) -> int:
        return len([key async for key in self.redis.scan_iter(f"{PREFIX}:worker:*")])

    async def own(self, job_id: str, worker_id: str) -> None:
        await self.redis.hset(f"{PREFIX}:owners", job_id, worker_id)

    async def disown(self, job_id: str) -> None:
        await self.redis.hdel(f"{PREFIX}:owners", job_id)

    async def orphans(self) -> list[str]:
        """Jobs whose worker stopped beating (killed, machine lost) while running them."""
        found = []
        for raw_job, raw_worker in (await self.redis.hgetall(f"{PREFIX}:owners")).items():
            if not await self.redis.exists(f"{PREFIX}:worker:{raw_worker.decode()}"):
                found.append(raw_job.decode())
        return found

    async def free_orphan(self, job_id: str) -> None:
        """Drop arq's in-progress mark of an orphaned job, so a live worker picks it up again."""
        await self.redis.delete(in_progress_key_prefix + job_id)
        await self.disown(job_id)

    async def drop_orphan(self, job_id: str) -> None:
        """Take an orphaned job off the queue altogether."""
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zrem(default_queue_name, job_id)
            pipe.delete(job_key_prefix + job_id, in_progress_key_prefix + job_id)
            pipe.hdel(f"{PREFIX}:owners", job_id)
            await pipe.execute()

    # ------------------------------------------------------------ counters for /stats

    async def count(self, event: str, user_id: int = 0) -> None:
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.hincrby(f"{PREFIX}:stats", event, 1)
            pipe.hincrby(f"{PREFIX}:stats:{today()}", event, 1)
            pipe.expire(f"{PREFIX}:stats:{today()}", 40 * 24 * 3600)
            if user_id and event == "requested":
                pipe.sadd(f"{PREFIX}:users", user_id)
                pipe.sadd(f"{PREFIX}:users:{today()}", user_id)
                pipe.expire(f"{PREFIX}:users:{today()}", 40 * 24 * 3600)
            await pipe.execute()

    async def stats(self) -> dict[str, int]:
        total = await self.redis.hgetall(f"{PREFIX}:stats")
        day = await self.redis.hgetall(f"{PREFIX}:stats:{today()}")
        figures = {f"{event}_total": int(total.get(event.encode(), 0)) for event in STAT_EVENTS}
        figures |= {f"{event}_today": int(day.get(event.encode(), 0)) for event in STAT_EVENTS}
        figures["users_total"] = int(await self.redis.scard(f"{PREFIX}:users"))
        figures["users_today"] = int(await self.redis.scard(f"{PREFIX}:users:{today()}"))
        return figures
