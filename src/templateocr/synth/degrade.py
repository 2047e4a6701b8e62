"""What happens to a filled form besides its values: pen inks, stamps and signatures over fields,
shadows on a phone photo, and the fax (100 dpi, binarised, speckled).

Drawing functions change a PIL image in place; :func:`fax` returns a
:class:`~templateocr.synth.warp.Warp` with the ground-truth homography (150 dpi page -> fax
pixels). Everything is deterministic from its seed.
"""

from __future__ import annotations

import math
import random

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw

from templateocr.models.page import Image as PageImage
from templateocr.synth.fonts import load_font
from templateocr.synth.warp import Warp

__all__ = [
    "BLACK_INK",
    "BLUE_INK",
    "STAMP_RED",
    "cast_shadow",
    "draw_signature",
    "draw_stamp",
    "fax",
    "pen_ink",
]

Color = tuple[int, int, int]
BLACK_INK: Color = (24, 24, 28)
BLUE_INK: Color = (22, 48, 160)
STAMP_RED: Color = (205, 40, 45)


def pen_ink(rng: random.Random, blue_share: float = 0.4) -> Color:
    """A black or (with probability ``blue_share``) blue pen colour, slightly varied."""
    base = BLUE_INK if rng.random() < blue_share else BLACK_INK
    return (
        max(0, min(255, base[0] + rng.randint(-10, 10))),
        max(0, min(255, base[1] + rng.randint(-10, 10))),
        max(0, min(255, base[2] + rng.randint(-15, 15))),
    )


def _blend(image: Image.Image, layer: Image.Image, colour: Color, opacity: float) -> None:
    """Multiply ``colour`` into ``image`` where the L ``layer`` is set (ink over paper, not paint)."""
    alpha = np.asarray(layer, dtype=np.float32)[:, :, None] / 255.0 * np.float32(opacity)
    page = np.asarray(image, dtype=np.float32)
    tint = np.array(colour, dtype=np.float32)[None, None, :] / 255.0
    out = page * (1 - alpha) + page * tint * alpha
    image.paste(Image.fromarray(np.clip(out, 0, 255).astype(np.uint8), mode="RGB"))


def draw_stamp(
    image: Image.Image,
    centre: tuple[float, float],
    radius: float,
    text: str,
    lang: str,
    *,
    seed: int,
    colour: Color = STAMP_RED,
) -> None:
    """A round seal (double ring, text inside, uneven ink) pressed at ``centre``, tilted a little."""
    rng = random.Random(f"stamp:{seed}")
    size = int(radius * 2 + 8)
    layer = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(layer)
    c = size / 2
    ring = max(2, round(radius * 0.07))
    draw.ellipse((c - radius, c - radius, c + radius, c + radius), outline=255, width=ring)
    inner = radius * 0.82
    draw.ellipse((c - inner, c - inner, c + inner, c + inner), outline=255, width=max(1, ring // 2))
    font = load_font(lang, max(8, round(radius * 0.42)), "bold")
    draw.text((c, c), text, font=font, fill=255, anchor="mm")
    layer = layer.rotate(rng.uniform(-25, 25), resample=Image.Resampling.BICUBIC)
    patchy = np.random.default_rng(seed).uniform(0.55, 1.0, size=(size // 6 + 1, size // 6 + 1))
    patch = cv2.resize(patchy.astype(np.float32), (size, size), interpolation=cv2.INTER_CUBIC)
    layer = Image.fromarray((np.asarray(layer, dtype=np.float32) * np.clip(patch, 0, 1)).astype(np.uint8))
    full = Image.new("L", image.size, 0)
    full.paste(layer, (round(centre[0] - c), round(centre[1] - c)))
    _blend(image, full, colour, 0.85)


def draw_signature(
    image: Image.Image, box: tuple[float, float, float, float], *, seed: int, ink: Color = BLUE_INK
) -> None:
    """A quick looping scribble across ``box`` (it may run over whatever is printed there)."""
    rng = random.Random(f"sign:{seed}")
    left, top, right, bottom = box
    h = bottom - top
    points: list[tuple[float, float]] = []
    steps = 160
    loops = rng.uniform(3, 7)
    for i in range(steps):
        t = i / (steps - 1)
        x = left + t * (right - left) + math.sin(t * loops * 2 * math.pi) * h * 0.18
        y = top + h * (0.55 + 0.3 * math.sin(t * loops * 2 * math.pi + 1.3) * (1 - 0.5 * t))
        points.append((x, y + rng.uniform(-0.5, 0.5)))
    layer = Image.new("L", image.size, 0)
    width = max(2, round(h * 0.05))
    ImageDraw.Draw(layer).line(points, fill=255, width=width, joint="curve")
    tail = [points[-1], (right + h * 0.1, top + h * 0.35)]
    ImageDraw.Draw(layer).line(tail, fill=255, width=width)
    _blend_ink(image, layer, ink)


def _blend_ink(image: Image.Image, layer: Image.Image, ink: Color) -> None:
    alpha = np.asarray(layer, dtype=np.float32)[:, :, None] / 255.0 * np.float32(0.92)
    page = np.asarray(image, dtype=np.float32)
    colour = np.array(ink, dtype=np.float32)[None, None, :]
    out = np.minimum(page, page * (1 - alpha) + colour * alpha)
    image.paste(Image.fromarray(np.clip(out, 0, 255).astype(np.uint8), mode="RGB"))


def cast_shadow(image: PageImage, *, seed: int, strength: float = 0.45) -> PageImage:
    """A soft shadow (a hand or a phone) falling over one side of a photo; returns a new image."""
    rng = np.random.default_rng(seed)
    h, w = image.shape[:2]
    mask = np.zeros((h, w), np.uint8)
    side = int(rng.integers(0, 4))
    depth = rng.uniform(0.15, 0.4)
    jag = [(rng.uniform(0, 1), rng.uniform(-0.06, 0.06)) for _ in range(3)]
    if side in (0, 1):  # left or right edge
        edge = depth * w
        xs = [edge + d * w for _, d in sorted(jag)]
        ys = [t * h for t, _ in sorted(jag)]
        inner = [(x, y) for x, y in zip(xs, ys, strict=True)]
        poly = [(0.0, 0.0), (edge, 0.0), *inner, (edge, float(h)), (0.0, float(h))]
        if side == 1:
            poly = [(w - x, y) for x, y in poly]
    else:  # top or bottom edge
        edge = depth * h
        inner = [(t * w, edge + d * h) for t, d in sorted(jag)]
        poly = [(0.0, 0.0), (float(w), 0.0), (float(w), edge), *reversed(inner), (0.0, edge)]
        if side == 3:
            poly = [(x, h - y) for x, y in poly]
    cv2.fillPoly(mask, [np.array(poly, dtype=np.int32)], 255)
    soft = cv2.GaussianBlur(mask.astype(np.float32) / 255.0, (0, 0), max(4.0, 0.03 * min(w, h)))
    dark = 1 - np.float32(strength) * soft[:, :, None]
    return np.clip(image.astype(np.float32) * dark, 0, 255).astype(np.uint8)


def _speckle(binary: NDArray[np.uint8], rng: np.random.Generator, amount: float) -> None:
    h, w = binary.shape
    count = int(h * w * amount)
    ys, xs = rng.integers(0, h, count), rng.integers(0, w, count)
    binary[ys, xs] = 0
    ys, xs = rng.integers(0, h, count // 3), rng.integers(0, w, count // 3)
    binary[ys, xs] = 255  # dropouts inside strokes
    for _ in range(int(rng.integers(0, 3))):  # a streak from a dirty scanner line
        y = int(rng.integers(0, h))
        x0 = int(rng.integers(0, w // 2))
        binary[y, x0 : x0 + int(rng.integers(w // 8, w // 2))] = 0


def fax(
    image: PageImage,
    *,
    seed: int,
    source_dpi: float = 150,
    dpi: float = 100,
    max_rotation: float = 1.0,
    speckle: float = 0.0015,
) -> Warp:
    """A fax of a page: resampled to ``dpi``, fed a little askew, binarised, speckled.

    Returns:
        The fax as an RGB image of black and white pixels, and the homography from ``image``
        pixels to fax pixels.
    """
    rng = np.random.default_rng(seed)
    h, w = image.shape[:2]
    factor = dpi / source_dpi
    out = (round(w * factor), round(h * factor))
    angle = math.radians(float(rng.uniform(-max_rotation, max_rotation)))
    shift = (float(rng.uniform(-6, 6)), float(rng.uniform(-6, 6)))
    c, s = math.cos(angle) * factor, math.sin(angle) * factor
    cx, cy = w / 2, h / 2
    matrix = np.array(
        [
            [c, -s, out[0] / 2 + shift[0] - (c * cx - s * cy)],
            [s, c, out[1] / 2 + shift[1] - (s * cx + c * cy)],
            [0.0, 0.0, 1.0],
        ]
    )
    grey = cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_RGB2GRAY)
    small = cv2.warpPerspective(
        grey, matrix, out, flags=cv2.INTER_AREA, borderMode=cv2.BORDER_CONSTANT, borderValue=255
    )
    threshold = float(rng.uniform(150, 185))  # light blue ink and grey fills may vanish or go black
    binary = np.where(small < threshold, 0, 255).astype(np.uint8)
    _speckle(binary, rng, speckle)
    return Warp(np.repeat(binary[:, :, None], 3, axis=2), matrix)
