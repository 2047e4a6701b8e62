"""Fill a synthetic form the way people do: by hand or typed, black or blue, uneven.

Unlike :func:`templateocr.synth.fill.fill_form` (tidy, centred, always inside the box), values here
come at varying sizes and baselines, sometimes sitting on or crossing the printed lines, long
addresses sometimes wrapped onto two lines, checkboxes ticked, crossed or filled in, and a
stamp or a signature sometimes pressed over a field. :func:`fill_like_a_person` returns the page
and what a reader should answer for it.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from templateocr.geometry import bbox_of
from templateocr.models.page import Image as PageImage
from templateocr.models.template import FieldType
from templateocr.synth.degrade import BLACK_INK, draw_signature, draw_stamp, pen_ink
from templateocr.synth.fonts import load_font
from templateocr.synth.forms import SyntheticForm
from templateocr.synth.handwriting import (
    HandFont,
    available_hand_fonts,
    covers,
    draw_handwriting,
    load_hand_font,
)

__all__ = ["HumanFill", "fill_like_a_person"]

Color = tuple[int, int, int]
Box = tuple[float, float, float, float]
_SEAL_TEXT = {"ko": "인", "ja": "印", "zh-TW": "印", "en": "OK"}
_WRAP_KEYS = frozenset({"address", "company", "customer", "org"})


@dataclass(frozen=True, eq=False)
class HumanFill:
    """A filled page and its truth.

    ``expected`` is the text a reader should return per field (a wrapped value's two lines joined
    by one space; compare with whitespace collapsed), or a bool for checkboxes.
    """

    image: PageImage
    expected: dict[str, str | bool]
    handwritten: bool
    font: str
    ink: Color
    wrapped: frozenset[str]
    overlapped: frozenset[str]


class _Pen:
    """Writes one line of text by hand or in type."""

    def __init__(self, lang: str, hand: HandFont | None, style: str, ink: Color, seed: int) -> None:
        self.lang, self.hand, self.style, self.ink, self.seed = lang, hand, style, ink, seed
        self.count = 0

    def width(self, text: str, size: int) -> float:
        if self.hand is not None:
            return float(load_hand_font(self.hand, size).getlength(text)) * 1.08
        return float(load_font(self.lang, size, self.style).getlength(text))

    def height(self, size: int) -> float:
        """Ascent of a capital / CJK glyph, as a share of the nominal size, in pixels."""
        font = load_hand_font(self.hand, size) if self.hand is not None else load_font(self.lang, size)
        top = font.getbbox("国" if self.lang != "en" else "H", anchor="ls")[1]
        return float(-top)

    def write(self, image: Image.Image, origin: tuple[float, float], text: str, size: int) -> None:
        self.count += 1
        if self.hand is not None:
            draw_handwriting(
                image, origin, text, self.hand, size, ink=self.ink, seed=self.seed * 1000 + self.count
            )
        else:
            font = load_font(self.lang, size, self.style)
            ImageDraw.Draw(image).text(origin, text, font=font, fill=self.ink, anchor="ls")


def _fit(pen: _Pen, text: str, size: int, max_width: float) -> int:
    while size > 10 and pen.width(text, size) > max_width:
        size -= 1
    return size


def _split(text: str) -> tuple[str, str]:
    """Two lines of about equal length, at a space when there is one near the middle."""
    middle = len(text) // 2
    spaces = [i for i, ch in enumerate(text) if ch == " "]
    if spaces:
        cut = min(spaces, key=lambda i: abs(i - middle))
        return text[:cut].strip(), text[cut + 1 :].strip()
    return text[:middle], text[middle:]


def _write_field(
    image: Image.Image, pen: _Pen, box: Box, text: str, rng: random.Random, *, wrap: bool
) -> list[str]:
    left, top, right, bottom = box
    w, h = right - left, bottom - top
    lines = list(_split(text)) if wrap else [text]
    share = rng.uniform(0.36, 0.44) if wrap else rng.uniform(0.45, 0.72)
    size = _fit(pen, max(lines, key=len), max(10, round(h * share)), w - 14)
    x0 = left + 6 + rng.uniform(0, 0.1) * max(0.0, w - pen.width(max(lines, key=len), size))
    ascent = pen.height(size)
    if wrap:
        gap = (h - 2 * ascent) / 3
        baselines = [top + gap + ascent, top + 2 * gap + 2 * ascent + rng.uniform(-1, 2)]
    else:
        mode = rng.random()
        if mode < 0.15:  # sitting on (and a little through) the bottom line
            baselines = [bottom + rng.uniform(-2, 3)]
        elif mode < 0.25:  # written high, the tops crossing the upper line
            baselines = [top + ascent * rng.uniform(0.8, 0.95)]
        else:
            baselines = [top + (h + ascent) / 2 + rng.uniform(-0.12, 0.12) * h]
    for line, baseline in zip(lines, baselines, strict=True):
        pen.write(image, (x0 + rng.uniform(-3, 3), baseline), line, size)
    return lines


def _mark(image: Image.Image, box: Box, ink: Color, rng: random.Random) -> None:
    """A tick, a cross or a filled square, drawn freehand; ticks may overshoot the square."""
    left, top, right, bottom = box
    side = right - left
    inset = side * 0.2
    x0, y0, x1, y1 = left + inset, top + inset, right - inset, bottom - inset
    draw = ImageDraw.Draw(image)
    width = max(2, round(side * rng.uniform(0.07, 0.12)))

    def j(v: float) -> float:
        return v + rng.uniform(-0.05, 0.05) * side

    kind = rng.random()
    if kind < 0.45:
        over = rng.uniform(0, 0.35) * side
        pts = [(j(x0), j((y0 + y1) / 2)), (j(x0 + 0.35 * (x1 - x0)), j(y1)), (x1 + over * 0.6, y0 - over)]
        draw.line(pts, fill=ink, width=width, joint="curve")
    elif kind < 0.8:
        draw.line([(j(x0), j(y0)), (j(x1), j(y1))], fill=ink, width=width)
        draw.line([(j(x0), j(y1)), (j(x1), j(y0))], fill=ink, width=width)
    else:
        draw.rectangle((x0 - 1, y0 - 1, x1 + 1, y1 + 1), fill=ink)


def _hand_font(lang: str, texts: list[str], rng: random.Random) -> HandFont | None:
    fonts = [f for f in available_hand_fonts(lang) if covers(f, "".join(texts))]
    return rng.choice(fonts) if fonts else None


def fill_like_a_person(
    form: SyntheticForm,
    values: Mapping[str, str | bool],
    *,
    seed: int,
    handwritten: bool,
    ink: Color | None = None,
    extras: bool = True,
) -> HumanFill:
    """Fill ``form`` with ``values`` (as :func:`~templateocr.synth.values.sample_values` gives them).

    Args:
        form: the blank form.
        values: field name -> text ("" for empty) or bool (checkboxes).
        seed: every random choice (font, sizes, baselines, wraps, marks, stamp, signature).
        handwritten: write with a handwriting font of the form's script (falls back to type when
            none is installed: see ``HumanFill.handwritten``), else type in Noto/DejaVu.
        ink: the pen colour; black or blue by the seed when None.
        extras: allow a stamp or a signature over a field (about one page in three each).
    """
    rng = random.Random(f"human:{form.lang}:{form.kind}:{seed}")
    texts = [v for v in values.values() if isinstance(v, str) and v]
    hand = _hand_font(form.lang, texts, rng) if handwritten else None
    style = rng.choice(("sans", "sans", "serif", "bold"))
    colour = (
        ink
        if ink is not None
        else (pen_ink(rng) if hand is not None else rng.choice((BLACK_INK, pen_ink(rng))))
    )
    pen = _Pen(form.lang, hand, style, colour, seed)
    image = Image.fromarray(np.ascontiguousarray(form.image), mode="RGB")
    specs = {spec.name: spec for spec in form.definition.fields}
    expected: dict[str, str | bool] = {}
    wrapped: set[str] = set()
    text_boxes: list[tuple[str, Box]] = []
    for name, value in values.items():
        spec = specs[name]
        if spec.type is FieldType.CHECKBOX:
            checked = (
                bool(value)
                if isinstance(value, bool)
                else value not in ("", spec.checkbox_texts.unchecked_text)
            )
            if checked:
                _mark(image, bbox_of(spec.area), colour, rng)
            expected[name] = checked
            continue
        text = str(value)
        expected[name] = text
        if spec.type is FieldType.MULTI_BOX:
            assert spec.boxes is not None
            for char, sub in zip(text, spec.boxes, strict=False):
                left, top, right, bottom = bbox_of(sub.quad)
                size = round((bottom - top) * rng.uniform(0.55, 0.75))
                cx = (left + right) / 2 - pen.width(char, size) / 2 + rng.uniform(-3, 3)
                pen.write(
                    image, (cx, (top + bottom) / 2 + pen.height(size) / 2 + rng.uniform(-4, 4)), char, size
                )
            continue
        if not text:
            continue
        box = bbox_of(spec.area)
        key = form.semantics.get(name, "")
        wrap = key in _WRAP_KEYS and len(text) >= 8 and (box[3] - box[1]) >= 60 and rng.random() < 0.35
        lines = _write_field(image, pen, box, text, rng, wrap=wrap)
        if wrap:
            wrapped.add(name)
            expected[name] = " ".join(lines)
        text_boxes.append((name, box))
    overlapped: set[str] = set()
    if extras and text_boxes and rng.random() < 0.35:
        name, (left, top, right, bottom) = rng.choice(text_boxes)
        radius = (bottom - top) * rng.uniform(0.45, 0.7)
        draw_stamp(
            image,
            (right - radius * 1.2, (top + bottom) / 2),
            radius,
            _SEAL_TEXT[form.lang],
            form.lang,
            seed=seed,
        )
        overlapped.add(name)
    if extras and text_boxes and rng.random() < 0.3:
        name, (left, top, right, bottom) = rng.choice(text_boxes)
        width = (right - left) * rng.uniform(0.2, 0.35)
        draw_signature(image, (right - width, top + 4, right + 10, bottom + 12), seed=seed, ink=colour)
        overlapped.add(name)
    return HumanFill(
        image=np.asarray(image, dtype=np.uint8).copy(),
        expected=expected,
        handwritten=hand is not None,
        font=hand.family if hand is not None else f"noto-{style}" if form.lang != "en" else f"dejavu-{style}",
        ink=colour,
        wrapped=frozenset(wrapped),
        overlapped=frozenset(overlapped),
    )
