"""Blank synthetic forms and their template definitions.

``build_form(lang, kind)`` renders a white A4 page (1240 x 1754 at 150 dpi by default) with a
printed layout and returns it with the :class:`TemplateDefinition` a user would draw on it:
the title area and one field per blank (names in the form's language). ``foreign_page`` renders
a page that is none of the forms, for "no template matched" tests.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from templateocr.models.page import Image
from templateocr.models.template import TemplateDefinition
from templateocr.synth.canvas import Canvas
from templateocr.synth.fonts import LANGS
from templateocr.synth.layouts import (
    draw_application,
    draw_invoice,
    draw_letter,
    draw_registration,
    draw_survey,
)
from templateocr.synth.package import to_png

__all__ = ["KINDS", "LANGS", "SyntheticForm", "build_form", "foreign_page"]

_LAYOUTS: dict[str, Callable[[Canvas], None]] = {
    "application": draw_application,
    "invoice": draw_invoice,
    "registration": draw_registration,
}
KINDS: tuple[str, ...] = tuple(_LAYOUTS)


@dataclass(frozen=True, eq=False)
class SyntheticForm:
    """A blank form page and its template definition.

    ``semantics`` maps each field name to what the field holds (``name``, ``birth``, ``phone``,
    ``postcode``, ``total``, ``agree``, ...), which :func:`~templateocr.synth.values.sample_values`
    uses to invent fitting values.
    """

    lang: str
    kind: str
    image: Image
    definition: TemplateDefinition
    semantics: Mapping[str, str] = field(default_factory=dict)

    @property
    def width(self) -> int:
        """Page width in pixels."""
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        """Page height in pixels."""
        return int(self.image.shape[0])

    def to_create_json(self) -> dict[str, Any]:
        """The ``POST /api/v1/templates`` body: the definition plus the sample as base64 PNG."""
        body = self.definition.to_json()
        body["sample"] = {"format": "png", "data": base64.b64encode(to_png(self.image)).decode("ascii")}
        return body


def _check(lang: str, width: int, height: int) -> None:
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGS)}")
    if width < 300 or height < 400:
        raise ValueError(f"page {width}x{height} is too small for a form (at least 300x400)")


@lru_cache(maxsize=64)
def _build(lang: str, kind: str, width: int, height: int) -> SyntheticForm:
    canvas = Canvas(lang, width, height)
    _LAYOUTS[kind](canvas)
    assert canvas.title is not None
    definition = canvas.definition(canvas.title.name)
    image = canvas.pixels()
    image.setflags(write=False)
    return SyntheticForm(lang, kind, image, definition, dict(canvas.semantics))


def build_form(
    lang: str, kind: str = "application", *, width: int = 1240, height: int = 1754
) -> SyntheticForm:
    """Render a blank form and its definition.

    Args:
        lang: ``ko``, ``ja``, ``zh-TW`` or ``en``.
        kind: one of :data:`KINDS`.
        width: page width in pixels (the layout scales with it).
        height: page height in pixels.

    Returns:
        A fresh :class:`SyntheticForm` (its image is a writable copy; rendering is cached).
    """
    _check(lang, width, height)
    if kind not in _LAYOUTS:
        raise ValueError(f"unknown form kind {kind!r}; use one of {', '.join(KINDS)}")
    form = _build(lang, kind, width, height)
    return replace(form, image=form.image.copy(), semantics=dict(form.semantics))


def foreign_page(lang: str, *, seed: int = 0, width: int = 1240, height: int = 1754) -> Image:
    """A page in the forms' style that is none of them: a notice letter (even seeds) or a survey (odd)."""
    _check(lang, width, height)
    canvas = Canvas(lang, width, height)
    if seed % 2 == 0:
        draw_letter(canvas, seed)
    else:
        draw_survey(canvas, seed)
    return canvas.pixels()
