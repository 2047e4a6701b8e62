"""Reading every area of a matched template on a page.

For each field: cut the area out of the page upright (``crop.py``), drop the blank form's own
ink (``dropout.py``), decide emptiness from the ink that was added, read what is left with the
engine for the page's language, and map every word's box back into page pixels.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from templateocr.engines.base import ReadOptions, RecognizedWord
from templateocr.geometry import Homography, Quad, apply_homography, bbox_of, rect_quad
from templateocr.models.page import Image
from templateocr.models.result import FieldResult, WordResult
from templateocr.models.template import FieldSpec, FieldType, TitleSpec, ValueType
from templateocr.pipeline.checkbox import read_checkbox
from templateocr.pipeline.crop import Crop, cut_out
from templateocr.pipeline.dropout import added_ink, ink_mask
from templateocr.pipeline.postprocess import filter_numeric, join_words, mean_confidence, normalize_text
from templateocr.pipeline.prepare import PreparedTemplate

__all__ = ["Reader", "read_batch", "read_fields", "read_title"]

MULTILINE_HEIGHT = 80.0
"""Areas taller than this (template px, about 13 mm at 150 dpi) may hold several lines."""

MIN_ADDED_INK = 0.002
"""Below this share of the area in added ink (and a few dozen pixels), a field is empty."""


class Reader(Protocol):
    """What recognition needs of the engines (``EngineSet`` satisfies it)."""

    def read(self, image: Image, lang: str, options: ReadOptions) -> list[RecognizedWord]:
        """Read one crop."""
        ...


def read_batch(
    reader: Reader, jobs: Sequence[tuple[Image, ReadOptions]], lang: str
) -> list[list[RecognizedWord]]:
    """Read crops through ``reader``, in batches when it can (``EngineSet.read_many``)."""
    batch: Any = getattr(reader, "read_many", None)
    if callable(batch):
        result: list[list[RecognizedWord]] = batch(jobs, lang)
        return result
    return [reader.read(image, lang, options) for image, options in jobs]


def read_title(
    page: Image, homography: Homography, title: TitleSpec, reader: Reader, lang: str
) -> FieldResult:
    """Read the printed title (no dropout: the title is the sample's own ink)."""
    area = title.bounding_poly.quad
    crop = cut_out(page, homography, area)
    words = reader.read(crop.image, lang, ReadOptions(multiline=_tall(area)))
    return _text_result(title.name, FieldType.NORMAL, ValueType.ALL, area, crop, homography, words, "")


def read_fields(
    page: Image,
    homography: Homography,
    template: PreparedTemplate,
    reader: Reader,
    lang: str,
) -> list[FieldResult]:
    """Read every field of ``template`` on ``page``, in template order.

    Text fields are cut out and cleaned first, then read together (one recognizer call for all
    their lines where the engine can), then turned into results.
    """
    fields = template.record.definition.fields
    results: list[FieldResult | None] = [None] * len(fields)
    pending: list[tuple[int, Crop]] = []
    jobs: list[tuple[Image, ReadOptions]] = []
    for i, field in enumerate(fields):
        if field.type is FieldType.CHECKBOX:
            results[i] = _read_checkbox(page, homography, template.sample, field)
        elif field.type is FieldType.MULTI_BOX:
            results[i] = _read_multibox(page, homography, template.sample, field, reader, lang)
        else:
            crop, cleaned, has_ink = _cut_and_drop(page, homography, template.sample, field.area)
            if not has_ink:
                results[i] = _empty(field, field.area, homography)
                continue
            options = ReadOptions(multiline=_tall(field.area), numeric=field.value_type is ValueType.NUMERIC)
            pending.append((i, crop))
            jobs.append((cleaned, options))
    for (i, crop), words in zip(pending, read_batch(reader, jobs, lang), strict=True):
        field = fields[i]
        results[i] = _text_result(
            field.name, field.type, field.value_type, field.area, crop, homography, words, field.separators
        )
    return [result for result in results if result is not None]


def _cut_and_drop(page: Image, homography: Homography, sample: Image, area: Quad) -> tuple[Crop, Image, bool]:
    crop = cut_out(page, homography, area)
    sample_crop = cut_out(sample, np.eye(3), area, scale=crop.scale)
    added = added_ink(crop.image, sample_crop.image, scale=crop.scale)
    count = int(np.count_nonzero(added))
    has_ink = count >= max(12.0 * crop.scale**2, MIN_ADDED_INK * added.size)
    cleaned = crop.image.copy()
    printed = ink_mask(crop.image) & ~added
    cleaned[printed] = 255
    return crop, cleaned, has_ink


def _read_checkbox(page: Image, homography: Homography, sample: Image, field: FieldSpec) -> FieldResult:
    area = field.area
    crop = cut_out(page, homography, area)
    sample_crop = cut_out(sample, np.eye(3), area, scale=crop.scale)
    reading = read_checkbox(crop.image, sample_crop.image, scale=crop.scale)
    texts = field.checkbox_texts
    text = texts.checked_text if reading.checked else texts.unchecked_text
    quad = apply_homography(homography, area)
    words = (
        (WordResult(text=text, confidence=reading.confidence, quad=quad, line_break=True),) if text else ()
    )
    return FieldResult(
        name=field.name,
        type=field.type,
        value_type=field.value_type,
        quad=quad,
        text=text,
        confidence=reading.confidence,
        words=words,
        checked=reading.checked,
    )


def _read_multibox(
    page: Image, homography: Homography, sample: Image, field: FieldSpec, reader: Reader, lang: str
) -> FieldResult:
    assert field.boxes
    numeric = field.value_type is ValueType.NUMERIC
    words: list[WordResult] = []
    for box in field.boxes:
        area = box.quad
        crop, cleaned, has_ink = _cut_and_drop(page, homography, sample, area)
        text, confidence, quad = "", 0.0, area
        if has_ink:
            found = reader.read(cleaned, lang, ReadOptions(numeric=numeric, single_char=True))
            text = normalize_text("".join(w.text for w in found))
            if numeric:
                text = filter_numeric(text, field.separators)
            if text:
                confidence = mean_confidence([w.confidence for w in found])
                quad = crop.box_to_template(bbox_of(np.array([_corners(w.box) for w in found])))
        words.append(
            WordResult(
                text=text, confidence=confidence, quad=apply_homography(homography, quad), line_break=False
            )
        )
    if words:
        last = words[-1]
        words[-1] = WordResult(last.text, last.confidence, last.quad, line_break=True)
    text = "".join(w.text for w in words)
    filled = [w.confidence for w in words if w.text]
    return FieldResult(
        name=field.name,
        type=field.type,
        value_type=field.value_type,
        quad=apply_homography(homography, field.area),
        text=text,
        confidence=mean_confidence(filled),
        words=tuple(words),
    )


def _text_result(
    name: str,
    field_type: FieldType,
    value_type: ValueType,
    area: Quad,
    crop: Crop,
    homography: Homography,
    found: Sequence[RecognizedWord],
    separators: str,
) -> FieldResult:
    words: list[WordResult] = []
    template_boxes: list[Quad] = []
    for word in found:
        text = normalize_text(word.text)
        if value_type is ValueType.NUMERIC:
            text = filter_numeric(text, separators)
        if not text:
            if word.line_break and words:
                words[-1] = WordResult(words[-1].text, words[-1].confidence, words[-1].quad, True)
            continue
        template_quad = crop.box_to_template(word.box)
        template_boxes.append(template_quad)
        words.append(
            WordResult(
                text=text,
                confidence=float(np.clip(word.confidence, 0.0, 1.0)),
                quad=apply_homography(homography, template_quad),
                line_break=word.line_break,
            )
        )
    if words and not words[-1].line_break:
        last = words[-1]
        words[-1] = WordResult(last.text, last.confidence, last.quad, line_break=True)
    if not words:
        quad = apply_homography(homography, area)
        return FieldResult(name, field_type, value_type, quad, "", 0.0, ())
    union = rect_quad(*bbox_of(np.concatenate(template_boxes)))
    return FieldResult(
        name=name,
        type=field_type,
        value_type=value_type,
        quad=apply_homography(homography, union),
        text=join_words([(w.text, w.line_break) for w in words]),
        confidence=mean_confidence([w.confidence for w in words]),
        words=tuple(words),
    )


def _corners(box: tuple[float, float, float, float]) -> list[tuple[float, float]]:
    left, top, right, bottom = box
    return [(left, top), (right, bottom)]


def _empty(field: FieldSpec, area: Quad, homography: Homography) -> FieldResult:
    return FieldResult(
        field.name, field.type, field.value_type, apply_homography(homography, area), "", 0.0, ()
    )


def _tall(area: Quad) -> bool:
    _, top, _, bottom = bbox_of(area)
    return bottom - top > MULTILINE_HEIGHT
