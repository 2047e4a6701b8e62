"""A drawing surface for form layouts that records the title and field areas as it draws.

Layouts are written in design units of an A4 page at 150 dpi (1240 x 1754); the canvas scales
them to the requested page size (x and y separately, font sizes by the smaller factor).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont

from templateocr.geometry import rect_quad
from templateocr.models.template import (
    BoundingPoly,
    CheckboxSpec,
    FieldSpec,
    FieldType,
    Lang,
    TemplateDefinition,
    TitleSpec,
    ValueType,
)
from templateocr.synth.fonts import load_font

__all__ = ["BASE_HEIGHT", "BASE_WIDTH", "INK", "Canvas", "fit_size", "wrap_text"]

BASE_WIDTH = 1240
BASE_HEIGHT = 1754
INK = (25, 25, 25)
CELL_INSET = 6

Color = tuple[int, int, int]
Rect = tuple[float, float, float, float]


def fit_size(text: str, lang: str, style: str, size: int, max_width: float, *, min_size: int = 8) -> int:
    """The largest font size ``<= size`` at which ``text`` is at most ``max_width`` pixels wide."""
    while size > min_size and load_font(lang, size, style).getlength(text) > max_width:
        size -= 1
    return size


def wrap_text(text: str, font: ImageFont.FreeTypeFont, max_width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``max_width`` (at spaces if any, else anywhere)."""
    words = text.split(" ")
    spaced = text.count(" ") * 12 >= len(text)  # words with spaces (en, ko), not ja / zh
    units = [w + " " for w in words] if spaced else list(text)
    lines: list[str] = []
    current = ""
    for unit in units:
        candidate = current + unit
        if current and font.getlength(candidate.rstrip()) > max_width:
            lines.append(current.rstrip())
            current = unit.lstrip() if not spaced else unit
        else:
            current = candidate
    if current.strip():
        lines.append(current.rstrip())
    return lines


class Canvas:
    """A white page plus the definition being built on it."""

    def __init__(self, lang: str, width: int, height: int) -> None:
        self.lang = lang
        self.width = width
        self.height = height
        self.sx = width / BASE_WIDTH
        self.sy = height / BASE_HEIGHT
        self.sf = min(self.sx, self.sy)
        self.image = Image.new("RGB", (width, height), "white")
        self.draw = ImageDraw.Draw(self.image)
        self.fields: list[FieldSpec] = []
        self.semantics: dict[str, str] = {}
        self.title: TitleSpec | None = None

    # -- primitives (design units in, pixels drawn) -------------------------------------------

    def px(self, x: float, y: float) -> tuple[float, float]:
        """Design units to pixels."""
        return x * self.sx, y * self.sy

    def box(self, rect: Rect) -> Rect:
        """A design rectangle in pixels."""
        left, top, right, bottom = rect
        return left * self.sx, top * self.sy, right * self.sx, bottom * self.sy

    def font(self, size: float, style: str = "sans") -> ImageFont.FreeTypeFont:
        """The page's font at a design size."""
        return load_font(self.lang, max(8, round(size * self.sf)), style)

    def _lw(self, width: float) -> int:
        return max(1, round(width * self.sf))

    def text(
        self,
        xy: tuple[float, float],
        text: str,
        size: float,
        *,
        style: str = "sans",
        anchor: str = "la",
        fill: Color = INK,
        max_width: float | None = None,
    ) -> Rect:
        """Draw one line of text, shrunk to ``max_width`` (design units) if given; returns its pixel box."""
        px_size = max(8, round(size * self.sf))
        if max_width is not None:
            px_size = fit_size(text, self.lang, style, px_size, max_width * self.sx)
        font = load_font(self.lang, px_size, style)
        pos = self.px(*xy)
        self.draw.text(pos, text, font=font, fill=fill, anchor=anchor)
        left, top, right, bottom = self.draw.textbbox(pos, text, font=font, anchor=anchor)
        return float(left), float(top), float(right), float(bottom)

    def text_width(self, text: str, size: float, style: str = "sans") -> float:
        """Width of a text in design units."""
        return float(self.font(size, style).getlength(text)) / self.sx

    def paragraph(
        self, xy: tuple[float, float], text: str, size: float, max_width: float, *, leading: float = 1.5
    ) -> float:
        """Draw wrapped text from its top-left corner; returns the design y below the last line."""
        font = self.font(size)
        x, y = xy
        for line in wrap_text(text, font, max_width * self.sx):
            self.text((x, y), line, size)
            y += size * leading
        return y

    def rect(
        self, rect: Rect, *, width: float = 2, outline: Color | None = INK, fill: Color | None = None
    ) -> None:
        """Draw a rectangle."""
        self.draw.rectangle(self.box(rect), outline=outline, fill=fill, width=self._lw(width))

    def line(
        self, x0: float, y0: float, x1: float, y1: float, *, width: float = 2, fill: Color = INK
    ) -> None:
        """Draw a straight line."""
        self.draw.line([self.px(x0, y0), self.px(x1, y1)], fill=fill, width=self._lw(width))

    def dashed(self, x0: float, x1: float, y: float, *, dash: float = 14, gap: float = 10) -> None:
        """Draw a horizontal dashed line (a cut line)."""
        x = x0
        while x < x1:
            self.line(x, y, min(x + dash, x1), y, width=1.5, fill=(110, 110, 110))
            x += dash + gap

    def ellipse(
        self, rect: Rect, *, width: float = 3, outline: Color = INK, fill: Color | None = None
    ) -> None:
        """Draw an ellipse inside a rectangle."""
        self.draw.ellipse(self.box(rect), outline=outline, fill=fill, width=self._lw(width))

    # -- definition ------------------------------------------------------------------------------

    def set_title(self, box: Rect, name: str, pad: float = 8) -> None:
        """Make a pixel box (from :meth:`text`) the definition's title area."""
        self.title = TitleSpec(name=name, bounding_poly=BoundingPoly.from_quad(self._pixel_quad(box, pad)))

    def _pixel_quad(self, box: Rect, pad: float = 0) -> NDArray[np.float64]:
        left, top, right, bottom = box
        return rect_quad(
            max(0.0, left - pad),
            max(0.0, top - pad),
            min(float(self.width), right + pad),
            min(float(self.height), bottom + pad),
        )

    def _add(self, key: str, spec: FieldSpec) -> None:
        self.fields.append(spec)
        self.semantics[spec.name] = key

    def field(
        self,
        key: str,
        name: str,
        rect: Rect,
        *,
        numeric: bool = False,
        separators: str = "",
        inset: float = CELL_INSET,
    ) -> None:
        """Record a NORMAL field whose area is the design ``rect`` shrunk by ``inset``."""
        left, top, right, bottom = rect
        quad = self._pixel_quad(self.box((left + inset, top + inset, right - inset, bottom - inset)))
        self._add(
            key,
            FieldSpec(
                name=name,
                type=FieldType.NORMAL,
                value_type=ValueType.NUMERIC if numeric else ValueType.ALL,
                bounding_poly=BoundingPoly.from_quad(quad),
                separators=separators if numeric else "",
            ),
        )

    def checkbox(
        self,
        key: str,
        name: str,
        xy: tuple[float, float],
        label: str,
        *,
        size: float = 34,
        text_size: float = 26,
    ) -> float:
        """Print a square with a label to its right and record a CHECKBOX field around the square.

        ``xy`` is the square's top-left corner; returns the design x right of the label.
        """
        x, y = xy
        self.rect((x, y, x + size, y + size), width=2.5)
        box = self.text((x + size + 14, y + size / 2), label, text_size, anchor="lm")
        margin = 5
        quad = self._pixel_quad(self.box((x - margin, y - margin, x + size + margin, y + size + margin)))
        self._add(
            key,
            FieldSpec(
                name=name,
                type=FieldType.CHECKBOX,
                bounding_poly=BoundingPoly.from_quad(quad),
                checkbox=CheckboxSpec(checked_text="V", unchecked_text=""),
            ),
        )
        return box[2] / self.sx

    def comb(
        self,
        key: str,
        name: str,
        xy: tuple[float, float],
        count: int,
        *,
        box_w: float = 52,
        box_h: float = 62,
        gap: float = 8,
        hyphen_after: int | None = None,
    ) -> float:
        """Print ``count`` comb boxes from ``xy``, record a numeric MULTI_BOX field; returns the right x."""
        x, y = xy
        boxes: list[BoundingPoly] = []
        for i in range(count):
            self.rect((x, y, x + box_w, y + box_h), width=2)
            inset = 4
            quad = self._pixel_quad(self.box((x + inset, y + inset, x + box_w - inset, y + box_h - inset)))
            boxes.append(BoundingPoly.from_quad(quad))
            x += box_w + gap
            if hyphen_after is not None and i + 1 == hyphen_after:
                self.line(x + 2, y + box_h / 2, x + 18, y + box_h / 2, width=3)
                x += 20 + gap
        self._add(
            key, FieldSpec(name=name, type=FieldType.MULTI_BOX, value_type=ValueType.NUMERIC, boxes=boxes)
        )
        return x - gap

    def definition(self, name: str) -> TemplateDefinition:
        """The definition drawn so far, checked to lie inside the page."""
        definition = TemplateDefinition(name=name, lang=Lang(self.lang), title=self.title, fields=self.fields)
        definition.check_inside(self.width, self.height)
        return definition

    def pixels(self) -> NDArray[np.uint8]:
        """The page as an RGB ``uint8`` array."""
        return np.asarray(self.image, dtype=np.uint8).copy()
