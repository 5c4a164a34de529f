"""`digiteller render | story | worker | bot`: the pipeline in-process, the story alone, the arq worker, the Telegram
bot. The one module that knows the bot, the workers and the pipeline."""
from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from pipeline.genres import GENRE_NAMES, guess_language, parse_genre
from pipeline.types import STAGES, Length, StageError, StoryRequest


def genre_list(language: str) -> str:
    return ", ".join(GENRE_NAMES[language].values())  # type: ignore[index]


def _request(args: argparse.Namespace, console) -> StoryRequest | None:
    """The StoryRequest the arguments ask for, or None after saying what is wrong with them."""
    genre = parse_genre(args.genre)
    if genre is None:
        console.print(f"[red]Unknown genre {args.genre!r}.[/red] Try: {genre_list('ru')} (or {genre_list('en')}).")
        return None
    language = args.lang
    if language == "auto":  # as the bot does: the genre word, then the title's script; Russian on a tie
        language = guess_language(args.title, args.genre).language or "ru"
    try:
        return StoryRequest(
            title=args.title.strip(), genre=genre, language=language, length=Length(args.length), seed=args.seed
        )
    except ValueError as exc:
        console.print(f"[red]{exc}[/red]")
        return None


def _story(args: argparse.Namespace) -> int:
    from rich.console import Console

    from pipeline.settings import get_settings
    from pipeline.write import make_writer

    request = _request(args, Console(stderr=True))
    if request is None:
        return 2
    settings = get_settings()
    story = make_writer(settings.writer, settings).write(request)
    if args.json:
        print(story.model_dump_json(indent=2))
        return 0
    names = {c.id: c.name for c in story.characters}
    print(story.title, "", sep="\n")
    for number, scene in enumerate(story.scenes, 1):
        print(f"[{number}: {scene.setting}, {scene.time_of_day}]")
        for line in scene.lines:
            print(f"{names[line.speaker]}: {line.text}" if line.speaker in names else line.text)
        print()
    return 0


def _render(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    from pipeline.render import Pipeline, parse_size

    console = Console(stderr=True)
    request = _request(args, console)
    if request is None:
        return 2
    try:
        size = parse_size(args.size)
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
            video = Pipeline.from_settings().render(
                request, Path(args.output), size=size, progress=progress, keep=args.keep
            )
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


def _request_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("title", help='the story\'s title, e.g. "Гарри Поттер"')
    parser.add_argument("genre", help=f"{genre_list('ru')} (or English: {genre_list('en')})")
    parser.add_argument("--lang", choices=["auto", "ru", "en"], default="auto",
                        help="the story's language; auto: the genre word's, else the title's (Russian on a tie)")
    parser.add_argument("--length", choices=[length.value for length in Length], default=Length.standard.value)
    parser.add_argument("--seed", type=int, default=0)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="digiteller", description="Video stories from a title and a genre.")
    commands = parser.add_subparsers(dest="command", required=True)

    render = commands.add_parser("render", help="render a story video in this process")
    _request_arguments(render)
    render.add_argument("--size", default="1280x720", help="WIDTHxHEIGHT, e.g. 1920x1080 or 1080x1920")
    render.add_argument("-o", "--output", default="story.mp4")
    render.add_argument("--keep", type=Path, metavar="DIR",
                        help="keep every stage's output in DIR: story.json, narration.wav/.json, score.mid, music.wav, "
                             "scene-NN.png/.json, subtitles.srt, the video")
    render.set_defaults(handler=_render)

    story = commands.add_parser("story", help="write the story only and print it")
    _request_arguments(story)
    story.add_argument("--json", action="store_true", help="print the Story contract as JSON")
    story.set_defaults(handler=_story)

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
