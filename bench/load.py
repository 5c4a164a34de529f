"""200 simulated users send /story within seconds to the real bot process (fake Bot API, real Redis).

Prints the bot's reply latency (p50/p99), how fairly the queue interleaves users, the queue's intake rate and
the bot process's memory across rounds. Run: `.venv/bin/python bench/load.py [--users 200] [--rounds 3]`.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import RedisServer  # noqa: E402
from tests.fake_telegram import DEFAULT_TOKEN, FakeTelegram, free_port  # noqa: E402

QUEUE_KEY = "arq:queue"
FIRST_USER = 10_000


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def wait_for_replies(fake: FakeTelegram, pushed: dict[int, float], timeout: float) -> dict[int, float]:
    """Seconds from each user's first /story to the bot's first message in their chat (calls read once each)."""
    deadline = time.monotonic() + timeout
    replies: dict[int, float] = {}
    seen = 0
    while len(replies) < len(pushed) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        calls, seen = fake.calls[seen:], len(fake.calls)
        for call in calls:
            if call.method != "sendMessage":
                continue
            user = int(call.params.get("chat_id", 0))
            if user in pushed and user not in replies and call.time >= pushed[user]:
                replies[user] = call.time - pushed[user]
    return replies


async def send_round(fake: FakeTelegram, users: list[int], spread: float, requests_each: int) -> dict[int, float]:
    """Every user sends /story, spread over `spread` seconds, `requests_each` times over; the reply latency is
    measured on each user's first request (later ones are spaced past the throttle, like a keen user)."""
    pushed: dict[int, float] = {}
    gap = spread / max(1, len(users))
    for n in range(requests_each):
        for user in users:
            pushed.setdefault(user, time.monotonic())
            fake.push_message(f"/story Ночной поезд {user}-{n} ужасы", chat_id=user, user_id=user)
            await asyncio.sleep(gap)
    return pushed


def queue_order(client: redis.Redis) -> list[int]:
    """The chat id of each queued job, in the order arq will run them."""
    import pickle

    chats = []
    for job_id in client.zrange(QUEUE_KEY, 0, -1):
        raw = client.get(b"arq:job:" + job_id)
        if raw:
            payload = pickle.loads(raw)["a"][0]
            chats.append(int(payload["chat_id"]))
    return chats


def held_requests(client: redis.Redis) -> int:
    """Requests waiting behind their user's running or queued one (one job per user in arq's queue)."""
    return sum(client.llen(key) for key in client.scan_iter("digiteller:line:*"))


def distinct_lead(order: list[int], users: int) -> int:
    """How many different users own the first `users` jobs in the queue (all of them, when the queue is fair)."""
    return len(set(order[:users]))


async def run(args: argparse.Namespace) -> None:
    work = Path(tempfile.mkdtemp(prefix="digiteller-load-"))
    server = RedisServer("redis-server", work, free_port())
    server.start()
    fake = FakeTelegram(DEFAULT_TOKEN)
    await fake.start()
    env = {
        **os.environ, "BOT_TOKEN": fake.token, "REDIS_URL": server.url, "TELEGRAM_API_BASE": fake.base_url,
        "DIGITELLER_CACHE_DIR": str(work / "cache"), "DIGITELLER_WORK_DIR": str(work),
        "DIGITELLER_DAILY_QUOTA": "0",  # 0 = no quota: every simulated user may ask as often as it likes
    }  # fmt: skip
    bot = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "bot"], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=open(work / "bot.log", "wb"),
    )  # fmt: skip
    try:
        await fake.wait_for("getUpdates", timeout=60)
        latencies: list[float] = []
        memory = [rss_mb(bot.pid)]
        missing = 0
        started = time.monotonic()
        for round_no in range(args.rounds):
            users = list(range(FIRST_USER + round_no * args.users, FIRST_USER + (round_no + 1) * args.users))
            pushed = await send_round(fake, users, args.spread, args.requests_each)
            replies = await wait_for_replies(fake, pushed, timeout=120)
            missing += len(pushed) - len(replies)
            latencies += list(replies.values())
            memory.append(rss_mb(bot.pid))
        elapsed = time.monotonic() - started
        with server.client() as client:
            order = queue_order(client)
            held = held_requests(client)
        users_total = args.users * args.rounds
        print(f"$ {shlex.join([Path(sys.executable).name, *sys.argv])}")
        print(f"users: {users_total} in {args.rounds} rounds of {args.users}, {args.requests_each} /story each, "
              f"each round sent within {args.spread:.1f} s")
        print(f"users answered: {users_total - missing}/{users_total}")
        print(f"bot reply latency: p50 {statistics.median(latencies) * 1000:.0f} ms, "
              f"p99 {percentile(latencies, 0.99) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms")
        print(f"queue: {len(order) + held} requests taken in {elapsed:.1f} s ({(len(order) + held) / elapsed:.1f}/s): "
              f"{len(order)} in arq's queue, {held} held behind their user's own job; "
              f"the first {args.users} queued jobs belong to {distinct_lead(order, args.users)} different users")
        print("bot RSS, MB (start, after each round): " + ", ".join(f"{m:.0f}" for m in memory))
    finally:
        bot.terminate()
        bot.wait(timeout=10)
        await fake.stop()
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--spread", type=float, default=3.0, help="seconds over which a round's users send")
    parser.add_argument("--requests-each", type=int, default=2)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
