"""The title card's picture: the things the title names ("Ночной поезд" → a train, "Колобок" → the bun), side by
side on a transparent square, for the assemble stage to set above the title (cards.title_card's `emblem`)."""
from __future__ import annotations

from PIL import Image

from pipeline.illustrate import vocabulary
from pipeline.illustrate.plan import _WORD, _noun_lemma, actor_for, picture_for, title_nouns
from pipeline.illustrate.shadow.icons import ICON_PROPS
from pipeline.illustrate.shadow.things import thing_image
from pipeline.illustrate.vocabulary import Drawable
from pipeline.morph import lemmas
from pipeline.types import Story

_ICON_INK = (236, 230, 214)  # silhouettes in pale ink: the card's background is a dark gradient


def title_things(story: Story) -> list[tuple[str, Drawable, str]]:
    """(element, picture, reason) for each thing the title names: its nouns, and characters named in it."""
    found: dict[str, tuple[Drawable, str]] = {}
    title_forms = {f for word in _WORD.findall(story.request.title) if _noun_lemma(word) for f in lemmas(word)}
    for character in story.characters:
        if not title_forms & {f for w in _WORD.findall(character.name) if _noun_lemma(w) for f in lemmas(w)}:
            continue
        actor = actor_for(character)
        if actor.thing is not None:
            found.setdefault(actor.thing.label, (actor.thing, actor.reason))
        elif actor.animal:
            match = vocabulary.find(actor.animal)
            if match:
                found.setdefault(actor.animal, (match.drawable, actor.reason))
    for noun in title_nouns(story):
        hit = picture_for(noun)
        if hit is None:
            continue
        element, drawable, via = hit
        if drawable is None:  # a hand-drawn element ("поезд" → train): its vocabulary picture on the card
            match = vocabulary.find(element) or vocabulary.find(noun)
            drawable = match.drawable if match else None
        if drawable is None and element in ICON_PROPS:  # "сундук" → treasure: the icon the scenes draw it with
            drawable = Drawable("icon", ICON_PROPS[element].icon, element, "prop", ICON_PROPS[element].size)
        if drawable is not None and element not in found:
            found[element] = (drawable, f"title: {noun} → {element} ({via})")
    return [(element, drawable, reason) for element, (drawable, reason) in found.items()][:3]


def title_picture(story: Story, side: int = 512) -> Image.Image | None:
    """An RGBA side×side picture of the title's things, or None when the title names nothing drawable (a name)."""
    things = title_things(story)
    if not things:
        return None
    n = len(things)
    height = side * (0.9 if n == 1 else 0.62 if n == 2 else 0.45)
    arts = [thing_image(d, height, _ICON_INK, 0.0) for _, d, _ in things]
    scale = min(1.0, side * 0.96 / (sum(a.width for a in arts) + side * 0.04 * (n - 1)))
    if scale < 1.0:
        arts = [a.resize((max(1, round(a.width * scale)), max(1, round(a.height * scale))), Image.LANCZOS) for a in arts]
    picture = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    gap = side * 0.04
    x = (side - sum(a.width for a in arts) - gap * (n - 1)) / 2
    baseline = side / 2 + max(a.height for a in arts) / 2
    for art in arts:
        picture.alpha_composite(art, (round(x), round(baseline - art.height)))
        x += art.width + gap
    return picture

