"""Rebuild game-icons.json: a curated subset of the npm package @iconify-json/game-icons (CC BY 3.0).

    cd /tmp && npm pack @iconify-json/game-icons && tar xzf iconify-json-game-icons-*.tgz
    python pipeline/illustrate/shadow/assets/curate_icons.py /tmp/package/icons.json
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

# the icons the illustrator draws (see ICON_PROPS in pipeline/illustrate/shadow/icons.py for which element each one draws)
CURATED = (
    "spaceship", "rocket", "ufo", "ringed-planet", "satellite", "vintage-robot", "alien-stare", "ray-gun",
    "magnifying-glass", "revolver", "footprint", "fedora", "smoking-pipe", "envelope", "key", "handcuffs",
    "lighthouse", "unicorn", "deer", "crystal-cluster", "wizard-staff", "hanging-spider", "spider-web", "skull-crossed-bones",
    "camping-tent", "mushrooms", "well", "open-treasure-chest", "cauldron", "magic-portal", "pumpkin-lantern",
    "spell-book", "clock-tower", "snowman",
)

HERE = Path(__file__).parent


def curate(source: Path, names: tuple[str, ...] = CURATED) -> dict:
    icon_set = json.loads(source.read_text())
    missing = [name for name in names if name not in icon_set["icons"]]
    if missing:
        raise SystemExit(f"not in {source}: {', '.join(missing)}")
    return {
        "prefix": icon_set["prefix"],
        "width": icon_set.get("width", 512),
        "height": icon_set.get("height", 512),
        "source": "npm @iconify-json/game-icons (https://game-icons.net), CC BY 3.0",
        "icons": {name: icon_set["icons"][name] for name in names},
    }


if __name__ == "__main__":
    subset = curate(Path(sys.argv[1]))
    (HERE / "game-icons.json").write_text(json.dumps(subset, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {len(subset['icons'])} icons to {HERE / 'game-icons.json'}")
