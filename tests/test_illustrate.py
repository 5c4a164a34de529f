"""The shadow-theatre illustrator: words → drawn elements, sizes, layers, seeds; the registry and its cache tags."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pipeline.illustrate import cache_tag, make_illustrator, plan_scene
from pipeline.illustrate.shadow.figures import look_for
from pipeline.illustrate.shadow.theatre import ShadowTheatreIllustrator
from pipeline.settings import PipelineSettings
from pipeline.types import Character, Genre, Line, Scene, Story, StoryRequest

HERO = Character(id="hero", name="Иван", gender="male", role="hero")
VILLAIN = Character(id="villain", name="Кощей", gender="male", role="villain")
FOX = Character(id="fox", name="Лиса", gender="female", role="helper")
SMALL = (320, 180)


def make_story(*scenes: Scene, genre: Genre = Genre.horror, language: str = "ru", characters=(HERO, VILLAIN, FOX)) -> Story:
    request = StoryRequest(title="Кощей", genre=genre, language=language)
    return Story(request=request, title="Кощей", characters=characters, scenes=scenes)


CASTLE_AT_NIGHT = Scene(setting="field", time_of_day="day", lines=(Line(text="Ночью над замком взошла луна."),))
FOREST = Scene(
    setting="forest",
    time_of_day="dusk",
    lines=(Line(text="Иван шёл по лесу, и вдали завыл волк.", speaker="hero"), Line(text="Стой!", speaker="villain")),
)


@pytest.fixture(scope="module")
def story() -> Story:
    return make_story(CASTLE_AT_NIGHT, FOREST)


@pytest.fixture
def illustrator() -> ShadowTheatreIllustrator:
    return ShadowTheatreIllustrator()


def load(path: Path) -> Image.Image:
    with Image.open(path) as image:
        image.load()
        return image


def pixels(path: Path) -> np.ndarray:
    return np.asarray(load(path).convert("RGB"), dtype=np.float32)


def test_the_plan_reads_russian_and_english_word_forms():
    russian = plan_scene(make_story(CASTLE_AT_NIGHT), 0).elements
    assert russian["castle"] == "word: замком"  # замком → замок
    assert russian["moon"] == "word: Ночью"  # Ночью → ночь
    scene = Scene(setting="field", lines=(Line(text="Wolves ran past the castles."),))
    english = plan_scene(make_story(scene, language="en", characters=()), 0).elements
    assert english["wolf"] == "word: Wolves" and english["castle"] == "word: castles"


def test_scene_words_map_to_drawn_elements(story, illustrator, tmp_path):
    result = illustrator.illustrate(story, 0, SMALL, tmp_path, seed=1)
    drawn = {e.name: e.reason for e in result.elements}
    # the setting is a field by day: castle and moon can only have come from the words
    assert drawn["castle"] == "word: замком"
    assert drawn["moon"].startswith("word: ")


def test_characters_and_animals_in_the_lines_are_drawn(story, illustrator, tmp_path):
    drawn = {e.name: e.reason for e in illustrator.illustrate(story, 1, SMALL, tmp_path, seed=1).elements}
    assert drawn["trees"] == "setting: forest"
    assert drawn["wolf"] == "word: волк"
    assert drawn["hero figure"] == "character: Иван"
    assert drawn["villain figure"] == "character: Кощей"


def test_a_character_named_after_an_animal_is_drawn_as_that_animal(illustrator, tmp_path):
    scene = Scene(setting="forest", lines=(Line(text="Лиса села под деревом.", speaker="fox"),))
    drawn = {e.name: e.reason for e in illustrator.illustrate(make_story(scene), 0, SMALL, tmp_path, seed=0).elements}
    assert drawn["fox"] == "character: Лиса"
    assert "helper figure" not in drawn


def test_english_words(illustrator, tmp_path):
    scene = Scene(setting="village", time_of_day="night", lines=(Line(text="Wolves howled under the castle walls."),))
    story = make_story(scene, language="en", characters=())
    drawn = {e.name: e.reason for e in illustrator.illustrate(story, 0, SMALL, tmp_path, seed=0).elements}
    assert drawn["wolf"] == "word: Wolves"
    assert drawn["castle"] == "word: castle"
    assert drawn["moon"] == "time: night"


@pytest.mark.parametrize("size", [(320, 180), (256, 256), (180, 320)])
def test_image_has_the_requested_size_and_is_not_blank(story, illustrator, tmp_path, size):
    result = illustrator.illustrate(story, 0, size, tmp_path, seed=3)
    image = load(result.image)
    assert image.mode == "RGB"
    assert image.size == size == (result.width, result.height)
    assert result.image == tmp_path / "scene_00.png"
    assert pixels(result.image).std() > 15


def test_layers_are_rgba_of_the_same_size_and_composite_to_the_image(story, illustrator, tmp_path):
    result = illustrator.illustrate(story, 1, SMALL, tmp_path, seed=3)
    assert [p.name for p in result.layers] == [f"scene_01_{n}.png" for n in ("sky", "far", "near", "figures")]
    layers = [load(p) for p in result.layers]
    assert all(layer.mode == "RGBA" and layer.size == SMALL for layer in layers)
    assert np.asarray(layers[0])[..., 3].min() == 255  # the sky is opaque
    assert all(np.asarray(layer)[..., 3].min() == 0 for layer in layers[1:])  # the rest let the back show through
    composite = layers[0].copy()
    for layer in layers[1:]:
        composite.alpha_composite(layer)
    assert np.abs(np.asarray(composite.convert("RGB"), np.float32) - pixels(result.image)).max() <= 1


def test_two_scenes_of_a_story_differ(story, illustrator, tmp_path):
    first = illustrator.illustrate(story, 0, SMALL, tmp_path, seed=5)
    second = illustrator.illustrate(story, 1, SMALL, tmp_path, seed=5)
    assert np.abs(pixels(first.image) - pixels(second.image)).mean() > 10


def test_the_same_seed_draws_the_same_picture(story, illustrator, tmp_path):
    first = illustrator.illustrate(story, 1, SMALL, tmp_path / "a", seed=7)
    again = illustrator.illustrate(story, 1, SMALL, tmp_path / "b", seed=7)
    other = illustrator.illustrate(story, 1, SMALL, tmp_path / "c", seed=8)
    assert np.array_equal(pixels(first.image), pixels(again.image))
    assert first.elements == again.elements
    assert not np.array_equal(pixels(first.image), pixels(other.image))


def test_the_hero_keeps_the_same_figure_through_the_story():
    assert look_for(HERO, seed=4) == look_for(HERO, seed=4)
    assert look_for(HERO, seed=4).kind == "warrior"
    assert look_for(VILLAIN, seed=4).kind in ("sorcerer", "king", "horned")


def test_people_of_one_story_are_told_apart_by_what_they_wear():
    """Two heroes (or a hero and a helper) whose own draw gives the same headwear do not look like twins."""
    from pipeline.illustrate.shadow.figures import cast_looks

    cast = [Character(id=f"c{k}", name=f"Имя{k}", gender="male", role=role)
            for k, role in enumerate(("hero", "hero", "helper", "hero", "villain"))]  # fmt: skip
    for seed in range(20):
        looks = cast_looks(cast, seed)
        assert looks["c0"] == look_for(cast[0], seed), "the first keeps its own look"
        worn = [looks[c.id].headwear for c in cast]
        assert len(set(worn[:4])) == 4, f"seed {seed}: {worn}"
        assert not {looks[c.id].kind for c in cast} & {"maiden", "witch", "crone"}, "men stay men"
        assert cast_looks(cast, seed) == looks, "the same in every scene"


def test_every_setting_and_genre_renders(illustrator, tmp_path):
    settings = ("forest", "castle", "village", "sea", "mountains", "city", "cave", "field", "house", "river", "swamp",
                "sky", "road", "train", "somewhere")
    genres = list(Genre)
    for i, setting in enumerate(settings):
        text = "Дракон, корабль, мост, кладбище, призрак, костёр, меч, сова, кот и медведь."
        scene = Scene(setting=setting, time_of_day=("dawn", "day", "dusk", "night")[i % 4], lines=(Line(text=text, speaker="hero"),))
        result = illustrator.illustrate(make_story(scene, genre=genres[i % len(genres)]), 0, (160, 90), tmp_path / setting, seed=i)
        assert pixels(result.image).std() > 5, setting


def test_make_illustrator():
    settings = PipelineSettings()
    assert settings.illustrator == "shadow_theatre"
    assert isinstance(make_illustrator(settings.illustrator, settings), ShadowTheatreIllustrator)
    with pytest.raises(ValueError, match="choose one of: shadow_theatre, diffusion"):
        make_illustrator("diffusion-in-a-box", settings)


def test_the_cache_tag_names_the_backend_the_diffusion_models_and_the_code_version(monkeypatch):
    import pipeline.illustrate

    settings = PipelineSettings(illustrator_device="cpu")
    v = pipeline.illustrate.CODE_VERSION
    assert cache_tag("shadow_theatre", settings) == f"shadow_theatre:v{v}"
    diffusion = cache_tag("diffusion", settings)
    assert diffusion == f"diffusion:kandinsky-community/kandinsky-2-2-decoder:openai/clip-vit-base-patch32:float32:v{v}"
    other = settings.model_copy(update={"illustrator_model": "my/model", "illustrator_reranker": "my/clip"})
    assert cache_tag("diffusion", other) == f"diffusion:my/model:my/clip:float32:v{v}"
    on_gpu = settings.model_copy(update={"illustrator_device": "cuda"})
    assert cache_tag("diffusion", on_gpu).endswith(f":float16:v{v}")  # half precision draws other pixels
    monkeypatch.setattr(pipeline.illustrate, "CODE_VERSION", v + 1)
    assert cache_tag("shadow_theatre", settings) == f"shadow_theatre:v{v + 1}"


def test_a_dragon_character_and_a_king_are_drawn(illustrator, tmp_path):
    dragon = Character(id="dragon", name="Змей Горыныч", gender="male", role="villain")
    tsar = Character(id="tsar", name="Царь", gender="male", role="donor")
    scene = Scene(setting="field", lines=(Line(text="Царь позвал Ивана: Змей Горыныч летит!", speaker="tsar"),))
    story = make_story(scene, characters=(HERO, dragon, tsar))
    drawn = {e.name: e.reason for e in illustrator.illustrate(story, 0, SMALL, tmp_path, seed=0).elements}
    assert drawn["dragon"] == "character: Змей Горыныч"
    assert drawn["crown"] == "character: Царь"
    assert drawn["donor figure"] == "character: Царь"
    assert drawn["hero figure"] == "character: Иван"


def drawn_in(story: Story, illustrator: ShadowTheatreIllustrator, folder: Path, seed: int = 0) -> dict[str, str]:
    return {e.name: e.reason for e in illustrator.illustrate(story, 0, SMALL, folder, seed=seed).elements}


def test_a_castle_at_night_draws_a_castle_and_a_moon(illustrator, tmp_path):
    scene = Scene(setting="castle", time_of_day="night", lines=(Line(text="Ночь опустилась на старый замок."),))
    drawn = drawn_in(make_story(scene, genre=Genre.fairy_tale), illustrator, tmp_path)
    assert drawn["castle"] == "setting: castle"
    assert drawn["moon"] == "time: night"
    assert "sun" not in drawn


@pytest.mark.parametrize("genre", list(Genre))
def test_every_genre_has_its_own_colours(genre, illustrator, tmp_path):
    scene = Scene(setting="forest", time_of_day="dusk", lines=(Line(text="Иван шёл по лесу.", speaker="hero"),))
    mine = pixels(illustrator.illustrate(make_story(scene, genre=genre), 0, SMALL, tmp_path / "a", seed=2).image)
    other_genre = Genre.comedy if genre != Genre.comedy else Genre.horror
    other = pixels(illustrator.illustrate(make_story(scene, genre=other_genre), 0, SMALL, tmp_path / "b", seed=2).image)
    assert mine.std() > 15
    assert np.abs(mine.mean(axis=(0, 1)) - other.mean(axis=(0, 1))).max() > 8


def test_weather_words_are_drawn(illustrator, tmp_path):
    text = "Шёл дождь, потом началась гроза и повалил снег, а в низинах лёг туман."
    scene = Scene(setting="field", time_of_day="dusk", lines=(Line(text=text),))
    drawn = drawn_in(make_story(scene, characters=()), illustrator, tmp_path)
    assert drawn["rain"] == "word: дождь"
    assert drawn["lightning"] == "word: гроза"
    assert drawn["clouds"] == "word: гроза"  # a thunderstorm brings its clouds
    assert drawn["snow"] == "word: снег"
    assert drawn["fog"] == "word: туман"


def test_a_genre_shows_even_in_a_plain_scene(illustrator, tmp_path):
    scene = Scene(setting="field", time_of_day="night", lines=(Line(text="Иван шёл домой.", speaker="hero"),))
    assert drawn_in(make_story(scene, genre=Genre.scifi), illustrator, tmp_path / "s")["planet"] == "genre: scifi"
    assert drawn_in(make_story(scene, genre=Genre.detective), illustrator, tmp_path / "d")["fog"] == "genre: detective"
    assert drawn_in(make_story(scene, genre=Genre.fantasy), illustrator, tmp_path / "f")["magic sparks"] == "genre: fantasy"


def coverage(path: Path) -> float:
    return float(np.asarray(load(path))[..., 3].astype(np.float32).mean())


def test_props_from_the_vector_assets_are_drawn_on_the_figures_layer(illustrator, tmp_path):
    plain = Scene(setting="city", time_of_day="day", lines=(Line(text="Сыщик стоял на улице.", speaker="hero"),))
    clues = Scene(setting="city", time_of_day="day", lines=(
        Line(text="Сыщик нашёл следы, револьвер, письмо и ключ. Рядом стоял робот.", speaker="hero"),))
    story = make_story(plain, clues, genre=Genre.detective)
    with_clues = illustrator.illustrate(story, 1, SMALL, tmp_path, seed=4)
    drawn = {e.name: e.reason for e in with_clues.elements}
    for element, word in (("footprints", "следы"), ("revolver", "револьвер"), ("letter", "письмо"), ("key", "ключ"),
                          ("robot", "робот")):
        assert drawn[element] == f"word: {word}", element
    without = illustrator.illustrate(story, 0, SMALL, tmp_path, seed=4)
    assert coverage(with_clues.layers[-1]) > coverage(without.layers[-1]) * 1.2


def test_every_curated_icon_renders_as_a_silhouette():
    from pipeline.illustrate.shadow.icons import ICON_PROPS, icon_mask, icon_names

    assert {prop.icon for prop in ICON_PROPS.values()} <= set(icon_names())
    for name in icon_names():
        mask = np.asarray(icon_mask(name, 64), np.float32)
        assert 0.08 < (mask > 128).mean() < 0.95, name  # drawn, and not a filled square


MEASURE_4K = """
import resource, sys
from pathlib import Path
from pipeline.illustrate.shadow.theatre import ShadowTheatreIllustrator
from pipeline.types import Character, Genre, Line, Scene, Story, StoryRequest
text = "Ночью в грозу Иван шёл по лесу к замку; выл волк, над рекой кружили вороны, светила луна."
scene = Scene(setting="forest", time_of_day="night", lines=(Line(text=text, speaker="hero"),))
hero = Character(id="hero", name="Иван", gender="male", role="hero")
story = Story(request=StoryRequest(title="t", genre=Genre.fantasy), title="t", characters=(hero,), scenes=(scene,))
result = ShadowTheatreIllustrator().illustrate(story, 0, (3840, 2160), Path(sys.argv[1]), seed=1)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, result.width, result.height, len(result.layers))
"""


def test_a_4k_picture_is_drawn_within_2_gb(tmp_path):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", MEASURE_4K, str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    peak_kib, width, height, layers = map(int, done.stdout.split())
    assert (width, height, layers) == (3840, 2160, 4)
    assert peak_kib < 2 * 1024 * 1024
    with Image.open(tmp_path / "scene_00.png") as image:
        assert image.size == (3840, 2160)


def test_a_character_named_robot_is_drawn_as_the_robot(illustrator, tmp_path):
    robot = Character(id="zorg", name="Робот Зорг", gender="male", role="villain")
    scene = Scene(setting="city", time_of_day="night", lines=(Line(text="Зорг ждал на крыше.", speaker="zorg"),))
    drawn = drawn_in(make_story(scene, genre=Genre.scifi, characters=(HERO, robot)), illustrator, tmp_path)
    assert drawn["robot"] == "character: Робот Зорг"
    assert "villain figure" not in drawn


def test_the_same_scene_has_the_same_composition_at_any_size(story, illustrator, tmp_path):
    small = pixels(illustrator.illustrate(story, 1, (320, 180), tmp_path / "small", seed=6).image)
    large = load(illustrator.illustrate(story, 1, (1280, 720), tmp_path / "large", seed=6).image)
    reduced = np.asarray(large.convert("RGB").resize((320, 180), Image.Resampling.BOX), np.float32)
    other = pixels(illustrator.illustrate(story, 1, (320, 180), tmp_path / "other", seed=7).image)
    assert np.abs(small - reduced).mean() < 4  # only the anti-aliasing differs
    assert np.abs(small - other).mean() > 3 * np.abs(small - reduced).mean()
