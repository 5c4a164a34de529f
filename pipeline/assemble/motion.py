"""Camera moves: an eased push-in, pull-out or pan, and how each depth plane follows it (parallax)."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

OVERSCAN = 1.08  # every plane is at least this much larger than the frame, so a pan never shows an edge


def ease_in_out(progress: float) -> float:
    """Sine ease: starts and ends at rest, so a shot's motion never jerks at a cut."""
    p = min(1.0, max(0.0, progress))
    return 0.5 - 0.5 * math.cos(math.pi * p)


@dataclass(frozen=True)
class Move:
    """Zoom (≥ 1) and pan (−1..1 of the room the overscan leaves) at the start and end of a shot."""

    zoom_from: float
    zoom_to: float
    pan_from: tuple[float, float]
    pan_to: tuple[float, float]

    def at(self, progress: float) -> tuple[float, float, float]:
        e = ease_in_out(progress)
        zoom = self.zoom_from + (self.zoom_to - self.zoom_from) * e
        pan_x = self.pan_from[0] + (self.pan_to[0] - self.pan_from[0]) * e
        pan_y = self.pan_from[1] + (self.pan_to[1] - self.pan_from[1]) * e
        return zoom, pan_x, pan_y


MOVES = (
    Move(1.0, 1.10, (0.0, 0.0), (0.3, -0.2)),  # push in, drifting right and up
    Move(1.0, 1.04, (-0.8, 0.1), (0.8, 0.0)),  # pan left to right
    Move(1.10, 1.0, (0.2, -0.3), (-0.2, 0.1)),  # pull out
    Move(1.04, 1.0, (0.8, 0.0), (-0.8, 0.1)),  # pan right to left
    Move(1.0, 1.12, (0.0, 0.2), (0.0, -0.1)),  # slow push in to the centre
)


def move_for(shot_index: int) -> Move:
    return MOVES[shot_index % len(MOVES)]


def plane_matrix(move: Move, progress: float, depth: float, size: tuple[int, int]) -> np.ndarray:
    """The 2×3 affine matrix placing a plane of the frame's size; nearer planes (depth → 1) move more."""
    width, height = size
    zoom, pan_x, pan_y = move.at(progress)
    follow = 0.25 + 0.75 * depth
    scale = OVERSCAN * (1.0 + (zoom - 1.0) * follow)
    room = (OVERSCAN - 1.0) / 2 * 0.95  # the largest shift (of a side) that keeps the plane covering the frame
    shift_x = pan_x * follow * room * width
    shift_y = pan_y * follow * room * height
    cx, cy = width / 2, height / 2
    return np.array(
        [[scale, 0.0, (1 - scale) * cx - shift_x], [0.0, scale, (1 - scale) * cy - shift_y]], dtype=np.float32
    )
