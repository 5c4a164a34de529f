"""Pictures that show what the story says: the vocabulary (emoji art with CLDR names, game-icons, the word bridge),
the title's things in every scene that names them and on the title card, characters drawn as what their names say,
composition (inside the frame, above the subtitles' band) and native-size drawing."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from pipeline.illustrate import plan_scene
from pipeline.illustrate.title import title_picture, title_things
from pipeline.illustrate.shadow.theatre import ShadowTheatreIllustrator
from pipeline.illustrate.vocabulary import available, find
from pipeline.types import Character, Genre, Line, Scene, Story, StoryRequest



def test_the_picture_sets_are_installed():
    assert available(), "the npm picture sets are missing: `make setup` installs them into .assets/"


SIZE = (480, 270)
ANYA = Character(id="hero", name="Аня", gender="female", role="hero")
BUN = Character(id="bun", name="Колобок", gender="male", role="hero")
CAT = Character(id="cat", name="Кот", gender="male", role="helper")


def story_of(title: str, *texts: str, characters=(ANYA,), genre=Genre.fairy_tale, setting="field", language="ru") -> Story:
    scenes = tuple(Scene(setting=setting, time_of_day="day", lines=(Line(text=t),)) for t in texts)
    return Story(request=StoryRequest(title=title, genre=genre, language=language), title=title,
                 characters=characters, scenes=scenes)  # fmt: skip


@pytest.mark.parametrize(
    "word, label",
    [("паровоз", "locomotive"), ("поезд", "train"), ("скрипка", "violin"), ("самовар", "teapot"), ("маяк", "lighthouse"),
     ("кот", "cat"), ("violin", "violin"), ("piano", "piano"), ("колобок", "bread")],
)
def test_words_find_their_pictures_with_the_route_recorded(word, label):
    match = find(word)
    assert match is not None and match.drawable.label == label
    assert word in match.reason and label in match.reason and "(" in match.reason  # word → picture (route)


def test_abstract_nouns_find_no_picture():
    assert find("добро") is None and find("сказка") is None and find("kindness") is None


@pytest.fixture(scope="module")
def train_story() -> Story:
    return story_of(
        "Пропавший самовар",
        "Аня нашла старый самовар на чердаке и поставила его на стол.",
        "Вечером Аня села в поезд; самовар стоял у окна, а рядом лежала скрипка.",
        "Аня вышла в поле, где паслась корова.",
    )


@pytest.fixture(scope="module")
def drawn(train_story, tmp_path_factory):
    folder = tmp_path_factory.mktemp("pictures")
    illustrator = ShadowTheatreIllustrator()
    return [illustrator.illustrate(train_story, k, SIZE, folder, seed=3) for k in range(len(train_story.scenes))]


def test_the_titles_noun_is_drawn_in_every_scene_that_names_it(train_story, drawn):
    for index, picture in enumerate(drawn):
        plan = plan_scene(train_story, index)
        names = {e.name for e in picture.elements}
        if "самовар" in train_story.scenes[index].text:
            assert plan.title == ("teapot",) and "teapot" in names
        else:
            assert plan.title == ()
    reasons = {e.name: e.reason for e in drawn[0].elements}
    assert reasons["teapot"].startswith("title: самовар → teapot")


def test_the_scenes_concrete_nouns_are_drawn(train_story, drawn):
    plan = plan_scene(train_story, 1)
    assert {"поезд", "скрипка", "самовар"} <= set(plan.nouns)
    names = {e.name for e in drawn[1].elements}
    assert {"train", "violin", "teapot"} <= names
    assert "cow" in {e.name for e in drawn[2].elements}


def test_the_title_card_gets_a_picture_of_the_titles_thing(train_story):
    assert [element for element, _, _ in title_things(train_story)] == ["teapot"]
    picture = title_picture(train_story, 256)
    assert picture.mode == "RGBA" and picture.size == (256, 256)
    alpha = np.asarray(picture.getchannel("A"))
    assert 0.1 < (alpha > 0).mean() < 0.9  # something drawn, on a transparent ground
    named_only = story_of("Гарри Поттер", "Гарри шёл домой.", characters=(Character(id="h", name="Гарри Поттер",
                                                                                     gender="male", role="hero"),))
    assert title_picture(named_only, 256) is None  # a name alone: the card keeps its genre motif


def test_characters_are_drawn_as_what_their_names_say_the_same_in_every_scene(tmp_path):
    story = story_of("Колобок", "Колобок покатился по дорожке.", "Колобок встретил Кота у реки.",
                     characters=(BUN, CAT))
    looks = set()
    for index in range(2):
        plan = plan_scene(story, index)
        bun = next(a for a in plan.actors if a.character.id == "bun")
        looks.add(bun.thing)
        assert bun.thing is not None and bun.thing.label == "bread" and "Колобок" in bun.reason
        picture = ShadowTheatreIllustrator().illustrate(story, index, SIZE, tmp_path, seed=1)
        assert "bread" in {e.name for e in picture.elements}
    assert len(looks) == 1
    cat = next(a for a in plan_scene(story, 1).actors if a.character.id == "cat")
    assert cat.animal == "cat"


def test_things_stand_inside_the_frame_and_above_the_subtitles(drawn):
    for picture in drawn:
        with Image.open(picture.layers[-1]) as figures:  # figures and props: what stands in front
            alpha = np.asarray(figures.getchannel("A"))
        band = alpha[int(SIZE[1] * 0.84):, :]
        assert (band > 200).mean() < 0.01  # nothing solid in the subtitles' band (bottom ~18 %)


def test_a_lighthouse_stands_by_the_sea_not_before_a_city():
    story = story_of("Маяк", "В городе у моря стоял старый маяк.", setting="city")
    plan = plan_scene(story, 0)
    assert "lighthouse" in plan.elements and "sea" in plan.elements


def test_vector_pictures_are_drawn_at_the_output_size_under_the_auto_upscaler(tmp_path):
    from pipeline.render import Pipeline
    from pipeline.settings import PipelineSettings

    settings = PipelineSettings(cache_dir=tmp_path, writer="grammar", narrator="festival")
    pipeline = Pipeline.from_settings(settings)
    assert settings.upscaler == "auto"
    assert pipeline.drawn_size((1920, 1080)) == (1920, 1080)  # vector art: no quarter size and enlarge
    raster = Pipeline.from_settings(settings.model_copy(update={"upscaler": "ncnn"}))
    assert raster.drawn_size((1920, 1080)) == (480, 270)
