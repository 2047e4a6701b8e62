"""Fill a synthetic form: print each value inside its field's area, as a typed or stamped copy would.

NORMAL values are left-aligned and vertically centred, at the largest size that fits the area
(a little over half its height); MULTI_BOX values put one character centred in each box; checked
CHECKBOX fields get a tick or a cross (chosen by the seed) inside the printed square. Ink never
leaves the field's area, and an empty value draws nothing.
"""

from __future__ import annotations

import random
from collections.abc import Mapping

import numpy as np
from PIL import Image, ImageDraw

from templateocr.geometry import bbox_of
from templateocr.models.page import Image as PageImage
from templateocr.models.template import FieldSpec, FieldType
from templateocr.synth.fonts import load_font
from templateocr.synth.forms import SyntheticForm

__all__ = ["fill_form", "value_font_size"]

Color = tuple[int, int, int]
Box = tuple[float, float, float, float]
_HEIGHT_SHARE = 0.56
_PAD = 3


def value_font_size(text: str, lang: str, box_w: float, box_h: float, style: str = "sans") -> int:
    """The font size :func:`fill_form` uses for ``text`` in a ``box_w`` x ``box_h`` area.

    Starts at 0.56 of the height and shrinks until the text's ink fits with a small margin.
    """
    size = max(6, int(box_h * _HEIGHT_SHARE))
    while size > 6:
        left, top, right, bottom = load_font(lang, size, style).getbbox(text, anchor="ls")
        if right - left <= box_w - 2 * _PAD - 16 and bottom - top <= box_h - 2 * _PAD:
            break
        size -= 1
    return size


def _draw_text(
    draw: ImageDraw.ImageDraw,
    box: Box,
    text: str,
    lang: str,
    style: str,
    ink: Color,
    rng: random.Random,
    *,
    centre: bool,
) -> None:
    left, top, right, bottom = box
    w, h = right - left, bottom - top
    size = value_font_size(text, lang, w, h, style)
    font = load_font(lang, size, style)
    il, it, ir, ib = font.getbbox(text, anchor="ls")
    ink_w, ink_h = ir - il, ib - it
    slack_x = max(0.0, w - 2 * _PAD - ink_w)
    slack_y = max(0.0, h - 2 * _PAD - ink_h)
    x = left + _PAD + (slack_x / 2 if centre else min(slack_x, 4 + rng.uniform(0, 6)))
    y = top + _PAD + slack_y / 2 + rng.uniform(-1, 1) * min(2.0, slack_y / 2)
    draw.text((round(x - il), round(y - it)), text, font=font, fill=ink, anchor="ls")


def _draw_mark(draw: ImageDraw.ImageDraw, box: Box, ink: Color, rng: random.Random) -> None:
    left, top, right, bottom = box
    inset = max(4.0, (right - left) * 0.18)
    x0, y0, x1, y1 = left + inset, top + inset, right - inset, bottom - inset
    w, h = x1 - x0, y1 - y0
    width = max(3, round((right - left) * 0.1))
    if rng.random() < 0.5:
        points = [
            (x0 + 0.05 * w, y0 + 0.55 * h),
            (x0 + 0.4 * w, y1 - 0.02 * h),
            (x1 - 0.02 * w, y0 + 0.05 * h),
        ]
        draw.line(points, fill=ink, width=width, joint="curve")
    else:
        draw.line([(x0, y0), (x1, y1)], fill=ink, width=width)
        draw.line([(x0, y1), (x1, y0)], fill=ink, width=width)


def _is_checked(spec: FieldSpec, value: str | bool) -> bool:
    if isinstance(value, bool):
        return value
    texts = spec.checkbox_texts
    return value != "" and value != texts.unchecked_text


def fill_form(
    form: SyntheticForm,
    values: Mapping[str, str | bool],
    *,
    seed: int = 0,
    ink: Color = (20, 20, 20),
    style: str = "sans",
) -> PageImage:
    """Print ``values`` (field name -> text, or bool for checkboxes) on a copy of the blank form.

    Args:
        form: the blank form.
        values: a value per field name; fields not named and empty strings draw nothing. A
            CHECKBOX takes a bool (or its ``checkedText``); a MULTI_BOX takes one character per box.
        seed: small placement jitter and the tick-or-cross choice.
        ink: the colour of the printed values.
        style: the font style of the values (``sans``, ``serif`` or ``bold``).

    Raises:
        ValueError: for an unknown field name, a text value that is a bool, or a MULTI_BOX value
            longer than its boxes.
    """
    image = Image.fromarray(np.ascontiguousarray(form.image), mode="RGB")
    draw = ImageDraw.Draw(image)
    rng = random.Random(f"fill:{seed}")
    specs = {spec.name: spec for spec in form.definition.fields}
    for name, value in values.items():
        spec = specs.get(name)
        if spec is None:
            raise ValueError(f"form has no field {name!r}")
        if spec.type is FieldType.CHECKBOX:
            if _is_checked(spec, value):
                _draw_mark(draw, bbox_of(spec.area), ink, rng)
            continue
        if isinstance(value, bool):
            raise ValueError(f"field {name!r} is {spec.type.value}; give it a text, not {value!r}")
        if spec.type is FieldType.MULTI_BOX:
            assert spec.boxes is not None
            if len(value) > len(spec.boxes):
                raise ValueError(f"field {name!r} has {len(spec.boxes)} boxes; {value!r} is longer")
            for char, box in zip(value, spec.boxes, strict=False):
                if char.strip():
                    _draw_text(draw, bbox_of(box.quad), char, form.lang, style, ink, rng, centre=True)
        elif value:
            _draw_text(draw, bbox_of(spec.area), value, form.lang, style, ink, rng, centre=False)
    return np.asarray(image, dtype=np.uint8).copy()
