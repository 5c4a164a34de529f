"""The assemble stage: streams and sizes, length, loudness, subtitles on screen, motion, transitions, size guard."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pretty_midi
import pytest
from PIL import Image, ImageDraw

from pipeline.assemble import ASSEMBLERS, CODE_VERSION, cache_tag, make_assembler
from pipeline.assemble.output import fit_size
from pipeline.assemble.shots import END_SECONDS, TAIL_SECONDS, TITLE_SECONDS, plan_shots, video_seconds
from pipeline.assemble.sound import loudness
from pipeline.assemble.subtitles import write_subtitles
from pipeline.media import write_wav
from pipeline.settings import PipelineSettings
from pipeline.types import Character, Clip, Genre, Illustration, Line, Narration, Scene, Score, Story, StoryRequest
from tests.media_checks import assert_story_video, decoded_audio, duration, frame_at, streams

SIZE = (320, 180)
RATE = 44100
LINE_SECONDS = 2.0
PAUSE = 0.5
SCENE_RED = (40, 120, 200)  # the sky of each scene, told apart by its red channel
TEMPO = 120


def make_story(title: str = "Гарри Поттер", settings: tuple[str, ...] = ("forest", "forest", "castle")) -> Story:
    scenes = tuple(
        Scene(
            setting=setting,
            lines=(
                Line(text=f"Сцена {s}: в лесу было тихо, и только ветер шумел в ветвях."),
                Line(text="Я никого не боюсь!", speaker="hero"),
            ),
        )
        for s, setting in enumerate(settings)
    )
    hero = Character(id="hero", name="Гарри Поттер", gender="male", role="hero")
    return Story(request=StoryRequest(title=title, genre=Genre.horror), title=title, characters=(hero,), scenes=scenes)


def make_narration(story: Story, folder: Path, line_seconds: float = LINE_SECONDS) -> Narration:
    """A 200 Hz tone while each line is "spoken", silence in the pauses."""
    clips, start = [], 0.5
    for s, scene in enumerate(story.scenes):
        for i, line in enumerate(scene.lines):
            clips.append(Clip(scene=s, line=i, speaker=line.speaker, voice="tone", text=line.text, start=start,
                              duration=line_seconds))  # fmt: skip
            start += line_seconds + PAUSE
    t = np.arange(int(start * RATE)) / RATE
    speaking = np.zeros_like(t, dtype=bool)
    for clip in clips:
        speaking |= (t >= clip.start) & (t < clip.start + clip.duration)
    audio = write_wav(folder / "narration.wav", 0.3 * np.sin(2 * np.pi * 200 * t) * speaking, RATE)
    return Narration(audio=audio, sample_rate=RATE, duration=start, clips=tuple(clips))


def make_score(duration: float, folder: Path) -> Score:
    """A 330 Hz tone, and a MIDI file in 4/4 at 120 bpm whose bars the transitions may land on."""
    t = np.arange(int(duration * RATE)) / RATE
    audio = write_wav(folder / "music.wav", 0.2 * np.sin(2 * np.pi * 330 * t), RATE)
    midi = pretty_midi.PrettyMIDI(initial_tempo=TEMPO)
    piano = pretty_midi.Instrument(program=0)
    piano.notes = [pretty_midi.Note(80, 60, b * 0.5, b * 0.5 + 0.4) for b in range(int(duration * 2))]
    midi.instruments.append(piano)
    midi.write(str(folder / "music.mid"))
    return Score(midi=folder / "music.mid", audio=audio, duration=duration, mood="test")


def make_pictures(count: int, folder: Path, size: tuple[int, int] = SIZE) -> list[Illustration]:
    """Layered pictures: an opaque sky of the scene's colour, hills, and a figure."""
    pictures = []
    width, height = size
    for index in range(count):
        sky = Image.new("RGBA", size, (SCENE_RED[index % 3], 30, 60, 255))
        hills = Image.new("RGBA", size, (0, 0, 0, 0))
        ImageDraw.Draw(hills).ellipse([-width // 2, height * 0.75, width * 1.5, height * 1.6], fill=(20, 40, 20, 255))
        figure = Image.new("RGBA", size, (0, 0, 0, 0))
        ImageDraw.Draw(figure).rectangle([width * 0.6, height * 0.5, width * 0.66, height * 0.8], fill=(5, 5, 5, 255))
        paths = []
        for name, layer in (("sky", sky), ("hills", hills), ("figure", figure)):
            paths.append(folder / f"scene_{index}_{name}.png")
            layer.save(paths[-1])
        composite = Image.alpha_composite(Image.alpha_composite(sky, hills), figure).convert("RGB")
        composite.save(folder / f"scene_{index}.png")
        pictures.append(Illustration(scene=index, image=folder / f"scene_{index}.png", width=width, height=height,
                                     layers=tuple(paths)))  # fmt: skip
    return pictures


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Story, Narration, Path, Score]:
    folder = tmp_path_factory.mktemp("assemble")
    story = make_story()
    narration = make_narration(story, folder)
    score = make_score(video_seconds(narration), folder)
    assembler = make_assembler("ffmpeg", PipelineSettings(crossfade_seconds=0.6, soft_subtitles=True))
    video = assembler.assemble(story, narration, score, make_pictures(3, folder), folder / "story.mp4", folder)
    return video.path, story, narration, video.thumbnail, score


def test_video_has_the_streams_and_length_asked_for(rendered):
    path, _, narration, thumbnail, _ = rendered
    length = assert_story_video(path, *SIZE, min_seconds=narration.duration)
    assert abs(length - (narration.duration + TITLE_SECONDS + TAIL_SECONDS + END_SECONDS)) < 0.5
    found = streams(path)
    assert found["video"]["profile"] == "High"
    assert int(found["audio"]["sample_rate"]) in (44100, 48000) and found["audio"]["channels"] == 2
    assert found["subtitle"]["codec_name"] == "mov_text"
    with Image.open(thumbnail) as picture:
        assert picture.format == "JPEG" and max(picture.size) <= 320
    assert thumbnail.stat().st_size < 200_000


def test_soundtrack_is_normalised_without_clipping(rendered):
    measured = loudness(rendered[0])
    assert abs(measured["input_i"] - (-16.0)) <= 1.0
    assert measured["input_tp"] < -1.0


def _tone_level(samples: np.ndarray, rate: int, frequency: float) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size)))
    bin_ = int(round(frequency * samples.size / rate))
    return float(spectrum[bin_ - 2 : bin_ + 3].max())


def test_music_is_ducked_while_someone_speaks(rendered):
    path, _, narration, _, _ = rendered
    rate = 16000
    audio = decoded_audio(path, rate)
    clip = narration.clips[2]
    mid_line = TITLE_SECONDS + clip.start + clip.duration / 2
    # after the last word, once the music has come back up and before it fades out
    quiet = TITLE_SECONDS + narration.duration + TAIL_SECONDS * 0.6

    def window(t: float) -> np.ndarray:
        return audio[int((t - 0.2) * rate) : int((t + 0.2) * rate)]

    ducked = _tone_level(window(mid_line), rate, 330)
    free = _tone_level(window(quiet), rate, 330)
    assert 20 * np.log10(free / ducked) > 6, "the music is not lower under the voice"
    assert _tone_level(window(mid_line), rate, 200) > 3 * _tone_level(window(quiet), rate, 200), "no voice"


def _lower_band(path: Path, seconds: float) -> np.ndarray:
    frame = np.asarray(frame_at(path, seconds).convert("L"), dtype=np.float32)
    return frame[int(SIZE[1] * 0.7) :, :]


def test_subtitles_show_mid_line_and_not_in_pauses(rendered):
    path, _, narration, _, _ = rendered
    clip = narration.clips[3]
    during = _lower_band(path, TITLE_SECONDS + clip.start + clip.duration / 2)
    pause = _lower_band(path, TITLE_SECONDS + clip.start + clip.duration + PAUSE / 2)
    assert (during > 200).sum() > 50, "no bright subtitle text in the lower band mid-line"
    assert (pause > 200).sum() < (during > 200).sum() / 5


def _bright_pixels(path: Path, seconds: float) -> int:
    """Bright pixels above the subtitle band."""
    return int((np.asarray(frame_at(path, seconds).convert("L"))[: int(SIZE[1] * 0.7)] > 180).sum())


def test_title_card_opens_and_end_card_closes_the_video(rendered):
    path, _, narration, _, _ = rendered
    first_scene = TITLE_SECONDS + narration.clips[0].start + 0.5
    assert _bright_pixels(path, TITLE_SECONDS / 2) > 300, "no title text or motif on the first seconds"
    assert _bright_pixels(path, first_scene) < 50
    end = video_seconds(narration) - END_SECONDS / 2
    assert _bright_pixels(path, end) > 300, "no end card"


def _sky_red(path: Path, seconds: float) -> float:
    return float(np.asarray(frame_at(path, seconds))[: SIZE[1] // 4, :, 0].mean())


def test_each_scene_picture_is_on_screen_during_its_lines_and_moves(rendered):
    path, _, narration, _, _ = rendered
    for scene in range(3):
        start, end = narration.scene_span(scene)
        assert abs(_sky_red(path, TITLE_SECONDS + (start + end) / 2) - SCENE_RED[scene]) < 15
    start, end = narration.scene_span(0)
    early = np.asarray(frame_at(path, TITLE_SECONDS + start + 1.0), dtype=np.float32)
    late = np.asarray(frame_at(path, TITLE_SECONDS + end - 1.5), dtype=np.float32)
    assert np.abs(early - late).mean() > 1.0, "the shot does not move"


def test_scenes_in_one_place_crossfade_and_a_new_place_dips_to_black(rendered):
    path, story, narration, _, score = rendered
    shots = plan_shots(story, narration, score, crossfade=0.6)
    crossfade, dip = shots[2], shots[3]  # forest → forest, then forest → castle
    assert not crossfade.dip and dip.dip
    middle = crossfade.start + crossfade.blend / 2
    assert SCENE_RED[0] + 15 < _sky_red(path, middle) < SCENE_RED[1] - 15, "no blend of both pictures"
    assert np.asarray(frame_at(path, dip.start + dip.blend / 2)).mean() < 8, "no dip to black"


def test_transitions_land_on_a_bar_of_the_music_when_one_is_near(tmp_path):
    story = make_story()
    narration = make_narration(story, tmp_path)
    pause_start = TITLE_SECONDS + narration.clips[1].start + narration.clips[1].duration
    bar = 60 / TEMPO * 4
    shift = (np.ceil(pause_start / bar) * bar - pause_start) - PAUSE / 2  # put a bar mid-pause
    clips = tuple(c.model_copy(update={"start": c.start + shift}) for c in narration.clips)
    moved = narration.model_copy(update={"clips": clips, "duration": narration.duration + shift})
    shots = plan_shots(story, moved, make_score(video_seconds(moved), tmp_path), crossfade=0.6)
    cut = shots[2].start + shots[2].blend / 2
    assert cut == pytest.approx(round(cut / bar) * bar, abs=1e-6)
    assert shots[2].picture == 2


def test_a_long_scene_is_cut_into_shots_at_its_pauses(tmp_path):
    long_scene = Scene(setting="forest", lines=tuple(Line(text=f"Строка {i}.") for i in range(8)))
    story = make_story().model_copy(update={"scenes": (long_scene,)})
    narration = make_narration(story, tmp_path, line_seconds=3.0)
    score = Score(midi=tmp_path / "missing.mid", audio=narration.audio, duration=1.0, mood="none")
    shots = plan_shots(story, narration, score, crossfade=0.6)
    scene_shots = [shot for shot in shots if shot.picture == 1]
    assert len(scene_shots) >= 2
    pauses = [
        (TITLE_SECONDS + a.start + a.duration, TITLE_SECONDS + b.start) for a, b in zip(narration.clips, narration.clips[1:])
    ]
    for shot in scene_shots[1:]:
        cut = shot.start + shot.blend / 2
        assert any(low <= cut <= high for low, high in pauses), "a cut in the middle of a line"


@pytest.mark.parametrize("size", [(180, 320), (240, 240)])
def test_vertical_and_square_videos_from_wide_pictures(tmp_path, size):
    story = make_story(settings=("forest",))
    narration = make_narration(story, tmp_path, line_seconds=1.0)
    score = make_score(video_seconds(narration), tmp_path)
    pictures = [p.model_copy(update={"width": size[0], "height": size[1]}) for p in make_pictures(1, tmp_path)]
    assembler = make_assembler("ffmpeg", PipelineSettings())
    video = assembler.assemble(story, narration, score, pictures, tmp_path / "phone.mp4", tmp_path)
    assert_story_video(video.path, *size, min_seconds=narration.duration)


def test_size_guard_reencodes_or_splits_an_oversize_video(rendered, tmp_path):
    source = rendered[0]
    limit = source.stat().st_size // 2
    smaller = tmp_path / "fit.mp4"
    smaller.write_bytes(source.read_bytes())
    assert fit_size(smaller, limit, "veryfast", split=False) == [smaller]
    assert smaller.stat().st_size <= limit
    assert abs(duration(smaller) - duration(source)) < 0.5
    whole = tmp_path / "split.mp4"
    whole.write_bytes(source.read_bytes())
    parts = fit_size(whole, source.stat().st_size * 2 // 3, "veryfast", split=True)
    assert len(parts) >= 2
    assert abs(sum(duration(part) for part in parts) - duration(source)) < 0.5


def test_markup_in_lines_is_shown_as_text(tmp_path):
    story = make_story()
    line = Line(text="<b>Гарри</b> {\\i1}Поттер *жирный*")
    story = story.model_copy(update={"scenes": (Scene(setting="forest", lines=(line,)),)})
    narration = make_narration(story, tmp_path)
    ass = write_subtitles(story, narration, SIZE, tmp_path / "subs.ass").read_text(encoding="utf-8")
    assert "<b>Гарри</b>" in ass and "*жирный*" in ass
    assert "{\\i1}" not in ass, "a user's override tag reached libass"


def test_make_assembler_and_cache_tag():
    with pytest.raises(ValueError):
        make_assembler("moviepy", PipelineSettings())
    tag = cache_tag("ffmpeg", PipelineSettings())
    assert tag.startswith("ffmpeg:") and tag.endswith(f"v{CODE_VERSION}")
    assert cache_tag("ffmpeg", PipelineSettings(crf=23)) != tag
    assert cache_tag("ffmpeg", PipelineSettings(x264_tune="animation")) != tag
    assert cache_tag("ffmpeg", PipelineSettings(x264_params="")) != tag
    assert set(ASSEMBLERS) == {"ffmpeg"}


def test_stream_says_which_colours_it_holds(rendered):
    """A player told nothing guesses BT.709 for HD; the frames are BT.601 limited range, and the file says so."""
    video = streams(rendered[0])["video"]
    assert video.get("color_space") == "smpte170m" and video.get("color_range") == "tv"


def _blended_everywhere(planes, move, progress, size) -> np.ndarray:
    """Every plane warped whole and laid over the one behind, in floating point: the frame to match."""
    import cv2

    from pipeline.assemble.motion import plane_matrix

    frame = None
    for plane in planes:
        warped = cv2.warpAffine(plane.colour, plane_matrix(move, progress, plane.depth, size), size,
                                flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE).astype(np.float32)  # fmt: skip
        frame = warped if frame is None else frame * (1 - warped[..., 3:] / 255) + warped
    return frame[..., :3]


@pytest.mark.parametrize("progress", [0.0, 0.4, 1.0])
def test_hidden_rows_skipped_without_changing_the_picture(tmp_path, progress):
    """The solid ground of the front layer hides the back one: skipping those rows must not change a pixel."""
    from pipeline.assemble.frames import draw_shot, illustration_planes
    from pipeline.assemble.motion import MOVES

    picture = make_pictures(1, tmp_path)[0]
    planes = illustration_planes(picture.image, picture.layers, SIZE)
    assert planes[-1].solid_from < SIZE[1], "the hills should make the front plane's bottom rows solid"
    for move in MOVES:
        drawn = draw_shot(planes, move, progress, SIZE)[..., :3].astype(np.float32)
        assert np.abs(drawn - _blended_everywhere(planes, move, progress, SIZE)).max() <= 2


def _red_pixels(planes) -> int:
    """Pure red pixels in a card's motif plane (premultiplied BGRA)."""
    colour = planes[1].colour
    return int(((colour[..., 2] > 200) & (colour[..., 1] < 40) & (colour[..., 0] < 40)).sum())


def test_title_card_takes_a_picture_in_place_of_the_motif():
    from pipeline.assemble.cards import title_card

    emblem = Image.new("RGBA", (64, 64), (255, 0, 0, 255))
    assert _red_pixels(title_card(make_story(), SIZE, emblem=emblem)) > 500
    assert _red_pixels(title_card(make_story(), SIZE)) == 0
