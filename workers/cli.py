"""`digiteller render | worker | bot`: the pipeline in-process, the arq worker, the Telegram bot."""
from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from pipeline.genres import GENRE_NAMES, parse_genre
from pipeline.types import Length, StageError, StoryRequest


def genre_list(language: str) -> str:
    return ", ".join(GENRE_NAMES[language].values())  # type: ignore[index]


def _render(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    from pipeline.render import STAGES, Pipeline, parse_size

    console = Console(stderr=True)
    genre = parse_genre(args.genre)
    if genre is None:
        console.print(f"[red]Unknown genre {args.genre!r}.[/red] Try: {genre_list('ru')} (or {genre_list('en')}).")
        return 2
    try:
        size = parse_size(args.size)
        request = StoryRequest(
            title=args.title.strip(), genre=genre, language=args.lang, length=Length(args.length), seed=args.seed
        )
    except ValueError as exc:
        console.print(f"[red]{exc}[/red]")
        return 2
    started = time.monotonic()
    with Progress(
        TextColumn("{task.description:>10}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn(), console=console
    ) as bars:
        tasks = {stage: bars.add_task(stage, total=1.0, start=False) for stage in STAGES}

        def progress(stage: str, fraction: float) -> None:
            bars.start_task(tasks[stage])
            bars.update(tasks[stage], completed=fraction)
            if fraction >= 1.0:
                bars.stop_task(tasks[stage])

        try:
            video = Pipeline.from_settings().render(request, Path(args.output), size=size, progress=progress)
        except StageError as exc:
            console.print(f"[red]The {exc.stage} stage failed:[/red] {exc}")
            return 1
    console.print(
        f"Wrote {video.path.resolve()} ({video.duration:.1f} s, {video.width}x{video.height}) "
        f"in {time.monotonic() - started:.1f} s; thumbnail {video.thumbnail.resolve()}"
    )
    print(video.path.resolve())
    return 0


def _worker(args: argparse.Namespace) -> int:
    from arq import run_worker

    from workers.worker import WorkerSettings

    run_worker(WorkerSettings, burst=args.burst)  # type: ignore[arg-type]
    return 0


def _bot(args: argparse.Namespace) -> int:
    import asyncio

    from bot.main import run_polling

    asyncio.run(run_polling())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="digiteller", description="Video stories from a title and a genre.")
    commands = parser.add_subparsers(dest="command", required=True)

    render = commands.add_parser("render", help="render a story video in this process")
    render.add_argument("title", help='the story\'s title, e.g. "Гарри Поттер"')
    render.add_argument("genre", help=f"{genre_list('ru')} (or English: {genre_list('en')})")
    render.add_argument("--lang", choices=["ru", "en"], default="ru")
    render.add_argument("--length", choices=[length.value for length in Length], default=Length.standard.value)
    render.add_argument("--seed", type=int, default=0)
    render.add_argument("--size", default="1280x720", help="WIDTHxHEIGHT, e.g. 1920x1080 or 1080x1920")
    render.add_argument("-o", "--output", default="story.mp4")
    render.set_defaults(handler=_render)

    worker = commands.add_parser("worker", help="run the arq worker on REDIS_URL")
    worker.add_argument("--burst", action="store_true", help="exit when the queue is empty")
    worker.set_defaults(handler=_worker)

    bot = commands.add_parser("bot", help="run the Telegram bot (BOT_TOKEN, REDIS_URL, TELEGRAM_API_BASE)")
    bot.set_defaults(handler=_bot)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
