"""Reading every area of a matched template on a page.

For each field: cut the area out of the page upright (``crop.py``; a text field with a margin,
so that ink crossing the area's edge is read whole), drop the blank form's own ink and what
lies mostly outside the area (``dropout.py``), decide emptiness from the ink that was added,
read what is left with the engine for the page's language, and map every word's box back into
page pixels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

import cv2
import numpy as np

from templateocr.engines.base import ReadOptions, RecognizedWord
from templateocr.geometry import Homography, Quad, apply_homography, bbox_of, rect_quad
from templateocr.models.page import Image
from templateocr.models.result import FieldResult, WordResult
from templateocr.models.template import FieldSpec, FieldType, TitleSpec, ValueType
from templateocr.pipeline.calibration import Calibration, default_calibration, field_key
from templateocr.pipeline.checkbox import decide_checkbox
from templateocr.pipeline.crop import Crop, cut_out, reach_area
from templateocr.pipeline.dropout import (
    Box,
    Mask,
    added_to,
    box_around,
    faint_seal,
    ink_mask,
    ink_pieces,
    inside_share,
    lines_on_a_rule,
    mostly_inside,
    paper_of,
    printed_rules,
    seal_ink,
    without_seal,
)
from templateocr.pipeline.postprocess import (
    balance_brackets,
    digits_in_numbers,
    filter_numeric,
    filter_numeric_box,
    join_words,
    mean_confidence,
    normalize_text,
    without_stray_marks,
)
from templateocr.pipeline.prepare import PreparedTemplate

__all__ = ["AreaResults", "Reader", "read_areas", "read_batch", "read_fields", "read_title"]

MULTILINE_HEIGHT = 80.0
"""Areas taller than this (template px, about 13 mm at 150 dpi) may hold several lines."""

FAR_REACH = 3.0
"""Where kept ink runs off the cut, the cut is made again this many times wider, to see the
pieces whole (a loop hanging from the line above belongs to a word that is mostly outside)."""

JOIN_ACROSS = 0.3
JOIN_DOWN = 0.12
"""Ink closer than these shares of the area's height (across, down) is one piece when deciding
what lies mostly inside the area: the parts of 資 or 부, and the letters of a word, so that the
loop of a g hanging from a neighbour's line goes with its word, which lies outside."""

BOX_INK_DARKNESS = 0.7
"""A character box of a MULTI_BOX field takes paler strokes for ink than a text field does
(:data:`~templateocr.pipeline.dropout.INK_DARKNESS`): a small digit written in blue and
photographed out of focus is pale, and a box holds nothing else to mistake for it."""

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
    """Read the printed title alone (no dropout: the title is the sample's own ink)."""
    area = title.bounding_poly.quad
    crop = cut_out(page, homography, area)
    words = reader.read(crop.image, lang, ReadOptions(multiline=_tall(area)))
    return _text_result(title.name, FieldType.NORMAL, ValueType.ALL, area, crop, homography, words, "")


@dataclass(frozen=True)
class AreaResults:
    """What :func:`read_areas` read: the title (None when the template has none) and the fields."""

    title: FieldResult | None
    fields: list[FieldResult]


def read_fields(
    page: Image,
    homography: Homography,
    template: PreparedTemplate,
    reader: Reader,
    lang: str,
) -> list[FieldResult]:
    """Read every field of ``template`` on ``page``, in template order (the title is not read)."""
    return read_areas(page, homography, template, reader, lang, title=False).fields


def read_areas(
    page: Image,
    homography: Homography,
    template: PreparedTemplate,
    reader: Reader,
    lang: str,
    *,
    title: bool = True,
    calibration: Calibration | None = None,
) -> AreaResults:
    """Read the title and every field of ``template`` on ``page``, fields in template order.

    Every area is cut out and cleaned first; then everything that needs reading (the title,
    the text fields, each inked box of a MULTI_BOX field) is read in one pass, one recognizer
    call per engine for all their lines where the engine can; then the results are built.
    Checkboxes are decided from their ink alone. Field confidences are calibrated per reading
    route (``calibration.py``; the shipped tables unless ``calibration`` is given).
    """
    calibration = calibration if calibration is not None else default_calibration()
    definition = template.record.definition
    fields = definition.fields
    results: list[FieldResult | None] = [None] * len(fields)
    jobs: list[tuple[Image, ReadOptions]] = []
    title_job: tuple[Crop, int] | None = None
    if title and definition.title is not None:
        area = definition.title.bounding_poly.quad
        crop = cut_out(page, homography, area)
        title_job = (crop, len(jobs))
        jobs.append((crop.image, ReadOptions(multiline=_tall(area))))
    texts: list[tuple[int, Crop, int]] = []  # field index, crop, job index
    boxes: dict[int, list[tuple[Crop, int | None]]] = {}  # per MULTI_BOX field: each box, its job
    for i, field in enumerate(fields):
        if field.type is FieldType.CHECKBOX:
            results[i] = _read_checkbox(page, homography, template, field)
        elif field.type is FieldType.MULTI_BOX:
            assert field.boxes
            options = ReadOptions(numeric=field.value_type is ValueType.NUMERIC, single_char=True)
            cut: list[tuple[Crop, int | None]] = []
            for box in field.boxes:
                crop, cleaned, has_ink = _cut_and_drop(page, homography, template, box.quad)
                cut.append((crop, len(jobs) if has_ink else None))
                if has_ink:
                    jobs.append((cleaned, options))
            boxes[i] = cut
        else:
            crop, cleaned, has_ink = _cut_reaching(page, homography, template, field.area)
            if not has_ink:
                results[i] = _empty(field, field.area, homography)
                continue
            options = ReadOptions(multiline=_tall(field.area), numeric=field.value_type is ValueType.NUMERIC)
            texts.append((i, crop, len(jobs)))
            jobs.append((cleaned, options))
    read = read_batch(reader, jobs, lang) if jobs else []
    for i, crop, job in texts:
        field = fields[i]
        results[i] = _text_result(
            field.name,
            field.type,
            field.value_type,
            field.area,
            crop,
            homography,
            read[job],
            field.separators,
        )
        numeric = field.value_type is ValueType.NUMERIC
        results[i] = _calibrated(results[i], calibration, field_key(lang, numeric=numeric))
    for i, cut in boxes.items():
        results[i] = _multibox_result(
            fields[i], homography, [(c, [] if j is None else read[j]) for c, j in cut]
        )
        results[i] = _calibrated(results[i], calibration, field_key(lang, box=True))
    title_result = None
    if title_job is not None and definition.title is not None:
        crop, job = title_job
        spec = definition.title
        title_result = _text_result(
            spec.name,
            FieldType.NORMAL,
            ValueType.ALL,
            spec.bounding_poly.quad,
            crop,
            homography,
            read[job],
            "",
        )
    return AreaResults(title_result, [result for result in results if result is not None])


def _cut_and_drop(
    page: Image, homography: Homography, template: PreparedTemplate, area: Quad
) -> tuple[Crop, Image, bool]:
    """Cut ``area`` out and paint the ink the blank form printed there white; whether the page
    added enough ink to the area to hold a value."""
    crop = cut_out(page, homography, area)
    page_ink = ink_mask(crop.image, BOX_INK_DARKNESS)
    added = added_to(page_ink, template.sample_ink(area, crop.scale), scale=crop.scale)
    has_ink = int(np.count_nonzero(added)) >= max(12.0 * crop.scale**2, MIN_ADDED_INK * added.size)
    cleaned = crop.image.copy()
    cleaned[page_ink & ~added] = 255
    return crop, without_seal(cleaned, added), has_ink


def _cut_reaching(
    page: Image, homography: Homography, template: PreparedTemplate, area: Quad
) -> tuple[Crop, Image, bool]:
    """:func:`_cut_and_drop` for a text field, cut with a margin beyond its area: added ink
    that lies mostly inside the area is kept whole, even where it crosses the edge, and the
    crop grows to hold it; the rest (printed, or a neighbour's) is painted with the paper."""
    wide, margin = reach_area(area)
    crop = cut_out(page, homography, wide)
    page_ink = ink_mask(crop.image, local=crop.scale)
    added = added_to(page_ink, template.sample_ink(wide, crop.scale), scale=crop.scale)
    # a seal is taken out first: its ring would join the value to ink beyond the area
    seal = seal_ink(crop.image, added)
    added &= ~seal
    height, width = added.shape
    edge = round(margin * crop.scale)
    inner = (edge, edge, max(edge + 1, width - edge), max(edge + 1, height - edge))
    area_height = inner[3] - inner[1]
    join = (max(3, round(JOIN_ACROSS * area_height)), max(3, round(JOIN_DOWN * area_height)))
    rules = printed_rules(page_ink & ~added & ~seal)
    kept, (x0, y0, x1, y1) = mostly_inside(added, inner, join=join, rules=rules)
    if kept[0].any() or kept[-1].any():
        kept = _without_runaways(page, homography, template, area, crop.scale, kept, join)
        kept |= _lines_kept(added, kept, inner, join, rules)
        x0, y0, x1, y1 = box_around(kept, inner)
    inner_size = (inner[2] - inner[0]) * (inner[3] - inner[1])
    has_ink = int(np.count_nonzero(kept)) >= max(12.0 * crop.scale**2, MIN_ADDED_INK * inner_size)
    cleaned = crop.image.copy()
    # Beyond the area only the kept strokes stay (with their soft edges). Paint is the paper
    # around, not white: on shaded paper a white label reads as light text on gray.
    outside = np.ones_like(kept)
    outside[inner[1] : inner[3], inner[0] : inner[2]] = False
    near_kept = cv2.dilate(kept.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    gone = (page_ink & ~kept) | (outside & ~near_kept) | seal | faint_seal(crop.image, kept)
    cleaned[gone] = paper_of(crop.image)[gone]
    origin = (crop.origin[0] + x0 / crop.scale, crop.origin[1] + y0 / crop.scale)
    part = Crop(image=np.ascontiguousarray(cleaned[y0:y1, x0:x1]), origin=origin, scale=crop.scale)
    return part, part.image, has_ink


def _lines_kept(added: Mask, kept: Mask, inner: Box, join: tuple[int, int], rules: Mask) -> Mask:
    """The lines of text of their own inside the area that went with a runaway piece, cut from
    it by a printed rule (:func:`dropout.lines_on_a_rule`): a value sitting on the area's
    bottom line that the next field's value, touching the line from below, joined."""
    gone = added & ~kept
    if not rules.any() or not gone.any():
        return np.zeros_like(kept)
    count, labels, _ = ink_pieces(gone, join)
    dropped = np.ones(count, dtype=bool)
    dropped[0] = False
    return lines_on_a_rule(gone, labels, dropped, inner, join, rules)


def _without_runaways(
    page: Image,
    homography: Homography,
    template: PreparedTemplate,
    area: Quad,
    scale: float,
    kept: Mask,
    join: tuple[int, int],
) -> Mask:
    """``kept`` without the pieces that run off the cut's top or bottom and, seen in a cut
    :data:`FAR_REACH` times taller, belong to ink that lies mostly outside the area (the loop
    of a g hanging from a neighbour's line above). A piece that grows into something much
    larger than a line (a shadow, the background around a photographed page) is no word: the
    first judgement stands for it."""
    wide, margin = reach_area(area, FAR_REACH)
    far = cut_out(page, homography, wide, scale=scale)
    far_added = added_to(ink_mask(far.image, local=scale), template.sample_ink(wide, scale), scale=scale)
    shift = round((margin - reach_area(area)[1]) * scale)
    count, labels, _ = ink_pieces(kept, join)
    far_count, far_labels, stats = ink_pieces(far_added, join)
    edge = round(margin * scale)
    inner = (edge, edge, far_labels.shape[1] - edge, far_labels.shape[0] - edge)
    inside, total = inside_share(far_labels, far_count, inner)
    too_tall = 2 * (inner[3] - inner[1])  # twice the area's height: not a line of text
    out = kept.copy()
    for piece in range(1, count):
        mask = labels == piece
        if not (mask[0].any() or mask[-1].any()):
            continue
        ys, xs = np.nonzero(mask)
        found = far_labels[ys + shift, xs + shift]
        owner = int(np.bincount(found[found > 0]).argmax()) if (found > 0).any() else 0
        if owner == 0 or stats[owner, cv2.CC_STAT_HEIGHT] > too_tall:
            continue
        if 2 * inside[owner] < total[owner]:
            out[mask] = False
    return out


def _read_checkbox(
    page: Image, homography: Homography, template: PreparedTemplate, field: FieldSpec
) -> FieldResult:
    area = field.area
    crop = cut_out(page, homography, area)
    added = added_to(ink_mask(crop.image), template.sample_ink(area, crop.scale), scale=crop.scale)
    reading = decide_checkbox(added, scale=crop.scale)
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


def _calibrated(result: FieldResult | None, calibration: Calibration, key: str) -> FieldResult | None:
    """The field with its calibrated confidence (its words keep the engine's own)."""
    if result is None or not result.words:
        return result
    scores = [w.confidence for w in result.words if w.text]
    return replace(result, confidence=calibration.confidence(key, scores))


def _multibox_result(
    field: FieldSpec, homography: Homography, boxes: Sequence[tuple[Crop, Sequence[RecognizedWord]]]
) -> FieldResult:
    """A MULTI_BOX field from what was read in each of its boxes (in the order of ``field.boxes``)."""
    assert field.boxes
    numeric = field.value_type is ValueType.NUMERIC
    words: list[WordResult] = []
    for box, (crop, found) in zip(field.boxes, boxes, strict=True):
        text, confidence, quad = "", 0.0, box.quad
        if found:
            text = normalize_text("".join(w.text for w in found))
            if numeric:
                text = filter_numeric_box(text, field.separators)
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
    texts = [normalize_text(word.text) for word in found]
    if value_type is ValueType.NUMERIC:
        texts = [filter_numeric(text, separators) for text in texts]
    else:
        texts = digits_in_numbers(texts)
    texts = balance_brackets(without_stray_marks(texts))
    for word, text in zip(found, texts, strict=True):
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
