"""Depth planes from an illustration's layers (or a card), one frame of a shot drawn from them with OpenCV, and
the frames of a whole plan of shots (crossfades and dips through black where shots overlap).

Frames are premultiplied BGRA uint8: a plane is warped (bilinear, so the motion is sub-pixel smooth) and laid
over what is behind it as `behind × (1 − alpha) + colour`, only over the rows the plane covers. (Drawing straight
in yuv420p was tried: OpenCV warps 1-channel planes as slowly per call as 4-channel ones, so the five warps a
frame it needs cost 17 ms of CPU at 1080p against 13 ms for two BGRA warps and one conversion.)"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from pipeline.assemble.motion import Move, plane_matrix
from pipeline.assemble.shots import Shot


@dataclass(frozen=True)
class Plane:
    colour: np.ndarray  # H×W×4 premultiplied BGRA uint8
    depth: float  # 0 = far away (moves least) … 1 = nearest
    rows: tuple[int, int]  # the rows that hold anything, [first, last)
    solid_from: int = 1 << 30  # from this row down every row is wholly opaque (it hides what is behind)


def cover(picture: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Scale to cover `size` and crop the centre (pictures of another shape or of the drawn size)."""
    width, height = size
    h, w = picture.shape[:2]
    if (w, h) == (width, height):
        return picture
    scale = max(width / w, height / h)
    new_w, new_h = max(width, math.ceil(w * scale)), max(height, math.ceil(h * scale))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    resized = cv2.resize(picture, (new_w, new_h), interpolation=interpolation)
    x0, y0 = (new_w - width) // 2, (new_h - height) // 2
    return np.ascontiguousarray(resized[y0 : y0 + height, x0 : x0 + width])


def _read_rgba(path: Path) -> np.ndarray:
    """A picture as straight-alpha RGBA uint8."""
    with Image.open(path) as picture:
        return np.array(picture.convert("RGBA"))


def plane_from_rgba(rgba: np.ndarray, depth: float, opaque: bool = False) -> Plane:
    """A straight-alpha RGBA uint8 picture of the frame's size as a premultiplied BGRA plane."""
    if opaque:
        colour = cv2.cvtColor(rgba, cv2.COLOR_RGBA2BGRA)
        colour[..., 3] = 255
    else:
        colour = cv2.cvtColor(cv2.cvtColor(rgba, cv2.COLOR_RGBA2mRGBA), cv2.COLOR_RGBA2BGRA)
    alpha = colour[..., 3]
    filled = np.flatnonzero(alpha.max(axis=1) > 1)
    rows = (int(filled[0]), int(filled[-1]) + 1) if filled.size else (0, 0)
    see_through = np.flatnonzero(alpha.min(axis=1) < 255)
    solid_from = int(see_through[-1]) + 1 if see_through.size else 0
    return Plane(colour, depth, rows, solid_from if solid_from < rgba.shape[0] else 1 << 30)


def illustration_planes(image: Path, layers: tuple[Path, ...], size: tuple[int, int]) -> list[Plane]:
    """Two planes: the far layers (sky, far hills) merged behind, the two nearest layers merged in front.
    Two planes give the depth that shows and cost one blend per frame; each more costs as much again.

    Layers drawn smaller than the output (the upscaler enlarges only the composite) are enlarged here; where
    a layer is the one seen, it takes the upscaled composite's colours, so the visible picture stays sharp.
    (Merging the layers before enlarging them is cheaper but leaves a soft dark ghost round the figures.)"""
    if not layers:
        return [plane_from_rgba(cover(_read_rgba(image), size), 0.5, opaque=True)]
    drawn = [_read_rgba(path) for path in layers]
    stack = [cover(layer, size) for layer in drawn]
    if drawn[0].shape[1] < size[0]:
        stack = _sharpened_from_composite(stack, cover(_read_rgba(image), size))
    if len(stack) >= 3:
        stack = [_merged(stack[:-2]), _merged(stack[-2:])]
    depths = np.linspace(0.0, 1.0, len(stack))
    return [plane_from_rgba(layer, float(d), opaque=i == 0) for i, (layer, d) in enumerate(zip(stack, depths))]


def _sharpened_from_composite(stack: list[np.ndarray], composite: np.ndarray) -> list[np.ndarray]:
    """Crisper silhouette edges, and each layer's solid, fully visible part in the upscaled composite's colours.

    Only where the layer alone makes the composite's colour: taking it at an edge or under a nearer layer's
    soft border would paint the other layer's outline into this one, a ghost once parallax moves them apart."""
    layers = [layer.astype(np.float32) / 255.0 for layer in stack]
    for layer in layers[1:]:
        layer[..., 3] = np.clip((layer[..., 3] - 0.5) * 1.6 + 0.5, 0.0, 1.0)
    seen_through = np.ones(composite.shape[:2], np.float32)  # how much of a layer is not hidden by nearer ones
    for layer, original in zip(reversed(layers), reversed(stack)):
        alone = (seen_through > 0.99) & (layer[..., 3] > 0.99)
        original[alone, :3] = composite[alone, :3]
        seen_through *= 1.0 - layer[..., 3]
    for layer, original in zip(layers[1:], stack[1:]):
        original[..., 3] = np.rint(layer[..., 3] * 255.0)
    return stack


def _merged(layers: list[np.ndarray]) -> np.ndarray:
    """Straight-alpha RGBA layers laid over each other, back to front (Pillow's `over`, in C)."""
    merged = Image.fromarray(layers[0])
    for layer in layers[1:]:
        merged = Image.alpha_composite(merged, Image.fromarray(layer))
    return np.array(merged)


def draw_shot(planes: list[Plane], move: Move, progress: float, size: tuple[int, int]) -> np.ndarray:
    """One BGRA frame: each plane placed by the camera move at its depth, back to front. Rows that a nearer
    plane hides wholly (the solid ground of the front layer) are not drawn behind it, and a plane's solid rows
    are warped straight into the frame with no blend."""
    width, height = size
    matrices = [plane_matrix(move, progress, plane.depth, size) for plane in planes]
    solid = [_solid_row(plane, matrix, height) for plane, matrix in zip(planes, matrices)]
    hidden_from = [min(solid[index + 1 :], default=height) for index in range(len(planes))]
    frame = np.empty((height, width, 4), np.uint8)
    _warp_rows(planes[0].colour, matrices[0], frame, 0, hidden_from[0])
    for plane, matrix, solid_row, hidden in zip(planes[1:], matrices[1:], solid[1:], hidden_from[1:]):
        _lay_over(frame, plane, matrix, solid_row, hidden)
    return frame


def _solid_row(plane: Plane, matrix: np.ndarray, height: int) -> int:
    """The first frame row from which the placed plane is wholly opaque (`height` if none)."""
    if plane.solid_from >= height:
        return height
    return max(0, min(height, math.ceil(plane.solid_from * float(matrix[1, 1]) + float(matrix[1, 2])) + 1))


def _warp_rows(colour: np.ndarray, matrix: np.ndarray, frame: np.ndarray, top: int, bottom: int) -> None:
    """Warp a plane straight into the frame's rows [top, bottom) (an opaque plane, or a plane's solid rows)."""
    if bottom <= top:
        return
    band = matrix.copy()
    band[1, 2] -= top
    rows = frame[top:bottom]
    cv2.warpAffine(colour, band, (frame.shape[1], bottom - top), dst=rows, flags=cv2.INTER_LINEAR,
                   borderMode=cv2.BORDER_REPLICATE)  # fmt: skip


def _lay_over(frame: np.ndarray, plane: Plane, matrix: np.ndarray, solid_row: int, hidden_row: int) -> None:
    """The plane over the frame: blended where it is see-through, copied where solid, skipped where hidden."""
    height, width = frame.shape[:2]
    scale, shift_y = float(matrix[1, 1]), float(matrix[1, 2])
    top = max(0, math.floor(plane.rows[0] * scale + shift_y) - 1)
    bottom = min(hidden_row, math.ceil(plane.rows[1] * scale + shift_y) + 1)
    solid_row = max(top, min(solid_row, bottom))
    _warp_rows(plane.colour, matrix, frame, solid_row, bottom)
    if solid_row <= top:
        return
    band = matrix.copy()
    band[1, 2] -= top  # warp straight into the rows the plane covers
    colour = cv2.warpAffine(plane.colour, band, (width, solid_row - top), flags=cv2.INTER_LINEAR)
    # 255 − alpha in every channel (the frame's own alpha channel is never shown, so its value does not matter)
    inverse = cv2.cvtColor(cv2.bitwise_not(cv2.extractChannel(colour, 3)), cv2.COLOR_GRAY2BGRA)
    rows = frame[top:solid_row]
    cv2.multiply(rows, inverse, dst=rows, scale=1 / 255)
    cv2.add(rows, colour, dst=rows)


def _faded(frame: np.ndarray, level: float) -> np.ndarray:
    return cv2.convertScaleAbs(frame, alpha=max(0.0, min(1.0, level)))


PlaneSource = Callable[[], list[Plane]]  # draws or loads a picture's planes when its first shot starts


class ShotFrames:
    """Frames of the planned shots, planes loaded when a shot starts and dropped when it ends."""

    def __init__(self, shots: list[Shot], pictures: list[PlaneSource], size: tuple[int, int], fps: int, total: float):
        self.shots, self.pictures, self.size, self.fps, self.total = shots, pictures, size, fps, total
        self.loaded: dict[int, list[Plane]] = {}

    def planes(self, picture: int) -> list[Plane]:
        if picture not in self.loaded:
            self.loaded[picture] = self.pictures[picture]()
        return self.loaded[picture]

    def shot_frame(self, shot: Shot, t: float) -> np.ndarray:
        progress = (t - shot.start) / max(1e-6, shot.end - shot.start)
        return draw_shot(self.planes(shot.picture), shot.move, progress, self.size)

    def frame(self, t: float) -> np.ndarray:
        active = [shot for shot in self.shots if shot.start <= t < shot.end] or [self.shots[-1]]
        if len(active) == 1:
            return self.shot_frame(active[0], t)
        leaving, coming = active[0], active[-1]
        mixed = (t - coming.start) / max(1e-6, leaving.end - coming.start)
        if coming.dip:
            if mixed < 0.5:
                return _faded(self.shot_frame(leaving, t), 1.0 - 2.0 * mixed)
            return _faded(self.shot_frame(coming, t), 2.0 * mixed - 1.0)
        return cv2.addWeighted(self.shot_frame(leaving, t), 1.0 - mixed, self.shot_frame(coming, t), mixed, 0.0)

    def __iter__(self) -> Iterator[np.ndarray]:
        for index in range(int(round(self.total * self.fps))):
            t = index / self.fps
            for picture in [p for p in self.loaded if all(s.end <= t for s in self.shots if s.picture == p)]:
                del self.loaded[picture]  # no later shot uses these planes
            yield self.frame(t)
