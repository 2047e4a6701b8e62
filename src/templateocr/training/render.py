"""One training line: a text written with a font into a field-like crop, degraded like our
inputs, and cut out exactly as the server cuts lines out of a field crop.

The crop gets paper of uneven tone, printed box lines, comb dividers or an underline (sometimes
touched or crossed by the writing), black or blue ink, and sometimes a red stamp; then slight
rotation and shear, blur, low resolution, noise, JPEG, binarisation. The line is then found with
:func:`templateocr.engines.lines.split_lines` and cut with
:func:`~templateocr.engines.lines.line_image`, so the model learns from what it will be given.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw

from templateocr.engines.crnn_input import line_to_input
from templateocr.engines.lines import find_ink, line_image, split_lines
from templateocr.training.fonts import Style, TrainFont, covered, load

__all__ = ["LINE_PAD_X", "LINE_PAD_Y", "Rendered", "render_line"]

LINE_PAD_X = 0.25
LINE_PAD_Y = 0.12
"""Margins the engine leaves around a line, as shares of its height."""


@dataclass(frozen=True)
class Rendered:
    """A line ready for the model (``(32, width)`` floats) and the gray crop it was cut from."""

    line: NDArray[np.float32]
    crop: NDArray[np.uint8]

    @property
    def image_width(self) -> int:
        """Columns of the model input."""
        return int(self.line.shape[1])


def _text_mask(text: str, font: TrainFont, size: int, rng: random.Random) -> NDArray[np.float32]:
    """The text as an alpha mask with a margin of one ``size`` all round."""
    hand = font.style is Style.HAND
    wobble = rng.uniform(0.4, 1.2) if hand else (rng.uniform(0.0, 0.3) if rng.random() < 0.2 else 0.0)
    tracking = rng.uniform(-0.04, 0.12) if rng.random() < 0.3 else 0.0
    base = load(font, size)
    width = int(base.getlength(text) * (1.3 + max(0.0, tracking)) + 3 * size)
    height = int(size * 2.8)
    canvas = Image.new("L", (width, height), 0)
    baseline = size * 1.75
    if not wobble and not tracking:
        ImageDraw.Draw(canvas).text((size, baseline), text, font=base, fill=255, anchor="ls")
    else:
        x = float(size)
        for char in text:
            char_size = max(6, round(size * (1 + rng.uniform(-0.08, 0.08) * wobble)))
            char_font = load(font, char_size)
            advance = char_font.getlength(char)
            if not char.isspace():
                tile = int(char_size * 3)
                glyph = Image.new("L", (tile, tile), 0)
                ImageDraw.Draw(glyph).text((tile / 2, tile / 2), char, font=char_font, fill=255, anchor="ms")
                angle = rng.uniform(-5, 5) * wobble
                if angle:
                    glyph = glyph.rotate(
                        angle, resample=Image.Resampling.BICUBIC, center=(tile / 2, tile / 2)
                    )
                dx = rng.uniform(-0.03, 0.05) * size * wobble
                dy = rng.uniform(-0.06, 0.06) * size * wobble
                canvas.paste(
                    255, (round(x + advance / 2 + dx - tile / 2), round(baseline + dy - tile / 2)), glyph
                )
            x += advance + size * tracking + rng.uniform(-0.02, 0.04) * size * wobble
    slant = (
        rng.uniform(-0.12, 0.25) * (1.0 if hand else 0.3) if rng.random() < (0.7 if hand else 0.15) else 0.0
    )
    if slant:
        coeffs = (1.0, slant, -slant * baseline, 0.0, 1.0, 0.0)
        canvas = canvas.transform(canvas.size, Image.Transform.AFFINE, coeffs, Image.Resampling.BICUBIC)
    mask = np.asarray(canvas, dtype=np.float32) / 255.0
    if hand and rng.random() < 0.5:
        # Pen pressure: strokes a little thinner or bolder.
        kernel = np.ones((2, 2), np.uint8)
        mask = np.asarray(
            cv2.dilate(mask, kernel) if rng.random() < 0.5 else cv2.erode(mask, kernel), dtype=np.float32
        )
    return mask


def _paper(height: int, width: int, rng: random.Random, nrng: np.random.Generator) -> NDArray[np.float32]:
    tone = rng.uniform(215, 255)
    paper = np.full((height, width), tone, dtype=np.float32)
    if rng.random() < 0.5:
        # Uneven light: a gentle gradient.
        gx, gy = np.meshgrid(np.linspace(-1, 1, width), np.linspace(-1, 1, height))
        paper += (gx * rng.uniform(-25, 25) + gy * rng.uniform(-15, 15)).astype(np.float32)
    if rng.random() < 0.4:
        grain = cv2.GaussianBlur(
            nrng.normal(0, 1, (height, width)).astype(np.float32), (0, 0), rng.uniform(1, 4)
        )
        paper += grain * rng.uniform(3, 12)
    if rng.random() < 0.15:
        # A shaded form cell.
        paper -= rng.uniform(20, 60)
    return paper


def _box_lines(
    page: NDArray[np.float32], ink_box: tuple[int, int, int, int], size: int, rng: random.Random
) -> None:
    """Rules of the form around (and sometimes through) the text, drawn dark onto ``page``."""
    height, width = page.shape
    left, top, right, bottom = ink_box
    tone = rng.uniform(0, 110)
    thick = rng.choice((1, 1, 2, 2, 3))
    kind = rng.random()
    layer = np.zeros_like(page)
    gap_y = rng.uniform(-0.15, 0.5) * size
    if kind < 0.35:
        y = min(height - 1, round(bottom + gap_y))
        cv2.line(layer, (0, y), (width - 1, y), 1.0, thick)
    elif kind < 0.7:
        x0 = max(0, round(left - rng.uniform(-0.1, 0.8) * size))
        x1 = min(width - 1, round(right + rng.uniform(-0.1, 0.8) * size))
        y0 = max(0, round(top - rng.uniform(-0.1, 0.6) * size))
        y1 = min(height - 1, round(bottom + gap_y))
        cv2.rectangle(layer, (x0, y0), (x1, y1), 1.0, thick)
    elif kind < 0.8:
        y0 = max(0, round(top - 0.3 * size))
        y1 = min(height - 1, round(bottom + 0.3 * size))
        step = rng.uniform(0.9, 1.6) * size
        x = left - rng.uniform(0, step)
        while x < right + step:
            cv2.line(layer, (round(x), y0), (round(x), y1), 1.0, thick)
            x += step
        cv2.rectangle(layer, (round(left - step), y0), (round(x), y1), 1.0, thick)
    if rng.random() < 0.1:
        # A stray rule through the writing.
        y = round(rng.uniform(top, bottom))
        cv2.line(layer, (0, y), (width - 1, y), 1.0, 1)
    page[:] = page * (1 - layer) + tone * layer


def _stamp(page: NDArray[np.float32], rng: random.Random) -> None:
    height, width = page.shape
    radius = round(rng.uniform(0.5, 1.2) * height)
    centre = (round(rng.uniform(0, width)), round(rng.uniform(0, height)))
    layer = np.zeros_like(page)
    cv2.circle(layer, centre, radius, 1.0, max(1, radius // 10))
    cv2.circle(layer, centre, max(1, radius * 2 // 3), 1.0, max(1, radius // 14))
    # Red ink seen in gray: fairly dark, drawn over the writing.
    page[:] = np.minimum(page, page * (1 - layer * 0.7) + rng.uniform(70, 130) * layer * 0.7)


def _degrade(
    gray: NDArray[np.float32], size: int, rng: random.Random, nrng: np.random.Generator
) -> NDArray[np.uint8]:
    height, width = gray.shape
    if rng.random() < 0.6:
        angle = rng.uniform(-2.0, 2.0)
        shear = rng.uniform(-0.08, 0.08) if rng.random() < 0.3 else 0.0
        matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
        matrix[0, 1] += shear
        gray = np.asarray(
            cv2.warpAffine(gray, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE), np.float32
        )
    if rng.random() < 0.5:
        gray = np.asarray(cv2.GaussianBlur(gray, (0, 0), rng.uniform(0.3, 1.0)), np.float32)
    if rng.random() < 0.35:
        factor = rng.uniform(max(0.45, 13.0 / size), 0.9)
        small = cv2.resize(
            gray,
            (max(4, round(width * factor)), max(4, round(height * factor))),
            interpolation=cv2.INTER_AREA,
        )
        gray = np.asarray(cv2.resize(small, (width, height), interpolation=cv2.INTER_LINEAR), np.float32)
    if rng.random() < 0.5:
        gray = gray + nrng.normal(0, rng.uniform(2, 10), gray.shape).astype(np.float32)
    out = np.clip(gray, 0, 255).astype(np.uint8)
    if rng.random() < 0.12:
        # Fax-like: binarised, with speckle.
        out = np.asarray(cv2.threshold(out, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[1], np.uint8)
        speckle = nrng.random(out.shape) < rng.uniform(0, 0.004)
        out[speckle] = 255 - out[speckle]
    if rng.random() < 0.5:
        ok, encoded = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, rng.randint(35, 92)])
        decoded = cv2.imdecode(encoded, cv2.IMREAD_GRAYSCALE) if ok else None
        if decoded is not None:
            out = np.asarray(decoded, np.uint8)
    return out


DISTORT_HAND = 0.6
DISTORT_PRINT = 0.1
"""Shares of handwriting-style and typeset training lines bent by :func:`_elastic`."""


def _elastic(mask: NDArray[np.float32], size: int, rng: random.Random) -> NDArray[np.float32]:
    """``mask`` bent by a smooth random displacement (a few percent of the text size, varying
    over about a third of it): each stroke a little differently curved, as no two hands, or
    two writings by one hand, draw a letter alike. A font is one hand; this makes many of it."""
    nrng = np.random.default_rng(rng.getrandbits(32))
    height, width = mask.shape
    sigma = size * rng.uniform(0.25, 0.35)
    strength = size * rng.uniform(0.04, 0.10)
    fields = []
    for _ in range(2):
        field = cv2.GaussianBlur(nrng.uniform(-1.0, 1.0, (height, width)).astype(np.float32), (0, 0), sigma)
        fields.append(field * (strength / (float(field.std()) + 1e-6)))
    xs, ys = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
    bent = cv2.remap(mask, xs + fields[0], ys + fields[1], cv2.INTER_LINEAR, borderValue=0.0)
    return np.asarray(bent, dtype=np.float32)


def render_line(
    text: str, font: TrainFont, seed: int, *, degrade: bool = True, distort: bool = False
) -> Rendered | None:
    """``text`` written with ``font`` and cut out as the server would; ``None`` when the font
    lacks a character of it or the line cannot be found again (too faint, too small).

    Args:
        text: one line, normalized (see :func:`templateocr.training.charset.normalize_text`).
        font: the font to write with.
        seed: every random choice.
        degrade: ``False`` for a clean scan (no box lines, stamp, blur, noise or JPEG).
        distort: bend the strokes now and then (:func:`_elastic`; training only: the
            evaluation reads each held-out font as it is drawn). Draws on its own random
            numbers, so the line is otherwise the same either way.
    """
    chars = covered(font)
    if not text.strip() or any(c not in chars for c in text):
        return None
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    size = rng.randint(18, 46) if degrade else rng.randint(22, 40)
    mask = _text_mask(text, font, size, rng)
    if distort:
        bend = random.Random(seed ^ 0x5EED)
        if bend.random() < (DISTORT_HAND if font.style is Style.HAND else DISTORT_PRINT):
            mask = _elastic(mask, size, bend)
    ys, xs = np.nonzero(mask > 0.1)
    if xs.size == 0:
        return None
    # The field crop: the text with some room around it.
    margin_x, margin_y = round(rng.uniform(0.3, 1.5) * size), round(rng.uniform(0.25, 0.8) * size)
    x0, x1 = max(0, xs.min() - margin_x), min(mask.shape[1], xs.max() + 1 + margin_x)
    y0, y1 = max(0, ys.min() - margin_y), min(mask.shape[0], ys.max() + 1 + margin_y)
    mask = mask[y0:y1, x0:x1]
    ink_box = (int(xs.min() - x0), int(ys.min() - y0), int(xs.max() + 1 - x0), int(ys.max() + 1 - y0))
    height, width = mask.shape
    page = _paper(height, width, rng, nrng) if degrade else np.full((height, width), 255.0, np.float32)
    if degrade and rng.random() < 0.55:
        _box_lines(page, ink_box, size, rng)
    ink_tone = (
        rng.uniform(0, 60) if rng.random() < 0.6 else rng.uniform(50, 120)
    )  # black, or blue seen in gray
    strength = rng.uniform(0.75, 1.0) if degrade else 1.0
    page = page * (1 - mask * strength) + ink_tone * mask * strength
    if degrade and rng.random() < 0.06:
        _stamp(page, rng)
    crop = _degrade(page, size, rng, nrng) if degrade else np.clip(page, 0, 255).astype(np.uint8)
    ink = find_ink(crop)
    boxes = split_lines(crop, ink)
    if len(boxes) == 1:
        box = boxes[0]
    elif boxes:
        # Several bands (a rule or a stamp split off): the one over the text.
        box = max(boxes, key=lambda b: _overlap(b, ink_box))
        if _overlap(box, ink_box) <= 0:
            return None
        box = (min(b[0] for b in boxes), box[1], max(b[2] for b in boxes), box[3])
    else:
        return None
    line_height = box[3] - box[1]
    if line_height < 6 or line_height < 0.4 * (ink_box[3] - ink_box[1]):
        return None
    line = line_image(crop, ink, box, max(3.0, LINE_PAD_X * line_height), max(2.0, LINE_PAD_Y * line_height))
    return Rendered(line_to_input(line), crop)


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> int:
    return max(0, min(a[3], b[3]) - max(a[1], b[1])) * max(0, min(a[2], b[2]) - max(a[0], b[0]))
