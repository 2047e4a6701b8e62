"""Reading a matched template's areas: one pass to the engines, results in template order."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest
from PIL import Image as PILImage
from PIL import ImageDraw

from templateocr.engines.base import ReadOptions, RecognizedWord
from templateocr.engines.registry import EngineSet
from templateocr.geometry import Quad, bbox_of
from templateocr.models.page import Image
from templateocr.models.records import TemplateRecord
from templateocr.models.result import FieldResult
from templateocr.models.template import FieldType
from templateocr.pipeline.crop import cut_out, reach_area
from templateocr.pipeline.dropout import ink_mask
from templateocr.pipeline.prepare import PreparedTemplate, prepare_template
from templateocr.pipeline.recognize import read_areas, read_fields
from templateocr.synth import build_form, fill_form
from templateocr.synth.fonts import load_font
from templateocr.synth.package import to_png


def _prepared(lang: str = "en", kind: str = "application") -> PreparedTemplate:
    form = build_form(lang, kind)
    now = datetime.now(UTC)
    record = TemplateRecord(1, 1, form.definition, form.width, form.height, now, now)
    return prepare_template(record, to_png(form.image))


def _benchmark_case(lang: str, kind: str, copy: int, level: str) -> tuple[Any, dict[str, FieldResult]]:
    """A benchmark page (seed 1) and the fields read from it, by name."""
    from bench.cases import template_case

    case = template_case(build_form(lang, kind), copy, level, 1)
    return case, _fields_of(case.data, case.homography, _prepared(lang, kind), lang)


def _fields_of(data: bytes, homography: Any, prepared: PreparedTemplate, lang: str) -> dict[str, FieldResult]:
    page = np.asarray(PILImage.open(io.BytesIO(data)).convert("RGB"))
    return {f.name: f for f in read_areas(page, homography, prepared, EngineSet(), lang).fields}


def _values(prepared: PreparedTemplate) -> dict[str, str | bool]:
    """A value for some fields: a word, a postcode in the boxes, one box ticked; others empty."""
    values: dict[str, str | bool] = {}
    ticked = False
    for spec in prepared.record.definition.fields:
        if spec.type is FieldType.MULTI_BOX and spec.boxes:
            values[spec.name] = "1234567"[: len(spec.boxes) - 1]  # the last box left empty
        elif spec.type is FieldType.CHECKBOX and not ticked:
            values[spec.name] = ticked = True
        elif spec.type is FieldType.NORMAL and len(values) % 2 == 0:
            values[spec.name] = "Smith"
    return values


class _CountingReader:
    """Answers every crop with its position in the call; records the calls."""

    def __init__(self) -> None:
        self.calls: list[list[ReadOptions]] = []

    def read(self, image: Image, lang: str, options: ReadOptions) -> list[RecognizedWord]:
        raise AssertionError("read_areas must read everything in one read_many call")

    def read_many(self, jobs: Sequence[tuple[Image, ReadOptions]], lang: str) -> list[list[RecognizedWord]]:
        self.calls.append([options for _, options in jobs])
        box = (1.0, 1.0, 5.0, 5.0)
        return [[RecognizedWord(str(i % 10), 0.9, box, line_break=True)] for i in range(len(jobs))]


def test_title_fields_and_boxes_go_to_the_engines_in_one_call() -> None:
    prepared = _prepared()
    definition = prepared.record.definition
    values = _values(prepared)
    page = fill_form(build_form("en", "application"), values, seed=3)
    reader = _CountingReader()
    areas = read_areas(page, np.eye(3), prepared, reader, "en")
    assert len(reader.calls) == 1
    (options,) = reader.calls
    inked_boxes = sum(len(str(values[s.name])) for s in definition.fields if s.type is FieldType.MULTI_BOX)
    inked_texts = sum(1 for s in definition.fields if s.type is FieldType.NORMAL and values.get(s.name))
    assert sum(o.single_char for o in options) == inked_boxes
    assert len(options) == 1 + inked_texts + inked_boxes  # the title first
    assert areas.title is not None and areas.title.name == definition.title.name  # type: ignore[union-attr]
    assert [f.name for f in areas.fields] == [s.name for s in definition.fields]
    by_name = {f.name: f for f in areas.fields}
    for spec in definition.fields:
        got = by_name[spec.name]
        if spec.type is FieldType.MULTI_BOX and spec.boxes:
            assert len(got.words) == len(spec.boxes)
            assert got.words[-1].text == ""  # the empty box is not read
            assert all(w.text for w in got.words[:-1])
        elif spec.type is FieldType.CHECKBOX:
            assert got.checked is (values.get(spec.name) is True)
        elif not values.get(spec.name):
            assert (got.text, got.confidence) == ("", 0.0)
    # without the title: the same fields, one job fewer
    reader.calls.clear()
    assert [f.name for f in read_fields(page, np.eye(3), prepared, reader, "en")] == [
        s.name for s in definition.fields
    ]
    assert len(reader.calls[0]) == len(options) - 1


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_real_engines_read_the_filled_values(lang: str) -> None:
    prepared = _prepared(lang)
    values = _values(prepared)
    page = fill_form(build_form(lang, "application"), values, seed=5)
    areas = read_areas(page, np.eye(3), prepared, EngineSet(), lang)
    by_name = {f.name: f for f in areas.fields}
    for name, value in values.items():
        if isinstance(value, str):
            assert by_name[name].text.replace(" ", "") == value, name
    assert areas.title is not None and areas.title.text


def test_sample_ink_is_cut_once_per_area_and_scale() -> None:
    prepared = _prepared()
    area, _ = reach_area(prepared.record.definition.fields[0].area)  # a text field is cut wider
    assert any(key[0] == np.asarray(area).tobytes() for key in prepared._inks)  # at preparation
    first = prepared.sample_ink(area, 1.0)
    assert prepared.sample_ink(area, 1.0) is first  # kept
    assert not first.flags.writeable
    expected = ink_mask(cut_out(prepared.sample, np.eye(3), area, scale=1.0).image)
    assert np.array_equal(first, expected)
    double = prepared.sample_ink(area, 2.0)
    assert double.shape == (expected.shape[0] * 2, expected.shape[1] * 2)


def test_matching_work_is_done_when_the_template_is_prepared() -> None:
    """The sample's half-size keypoints, screening subset and patches exist before any page."""
    from templateocr.pipeline import align

    prepared = _prepared("ja")
    assert prepared.features in align._PREPARED


def _write_across_the_bottom(
    image: np.ndarray, area_box: tuple[float, ...], text: str, inside: float
) -> None:
    """Write ``text`` in the area's left part so that ``inside`` of its ink height lies above
    the area's bottom edge (the rest below it, where the next row's space begins)."""
    left, _, _, bottom = area_box
    font = load_font("en", 30, "sans")
    x0, y0, x1, y1 = font.getbbox(text)
    top = bottom - inside * (y1 - y0) - y0
    pil = PILImage.fromarray(image)
    ImageDraw.Draw(pil).text((left + 12, top), text, font=font, fill=(20, 20, 20))
    image[:] = np.asarray(pil)


def _read_written_across_the_bottom(inside: float) -> tuple[FieldResult, Quad]:
    """The first text field of the en form with ``Johnson`` written across its bottom edge
    (``inside`` of its height above the edge): what is read there, and the field's area."""
    prepared = _prepared("en")
    spec = next(s for s in prepared.record.definition.fields if s.type is FieldType.NORMAL)
    page = np.array(prepared.sample, copy=True)
    _write_across_the_bottom(page, bbox_of(spec.area), "Johnson", inside=inside)
    fields = read_areas(page, np.eye(3), prepared, EngineSet(), "en").fields
    return next(f for f in fields if f.name == spec.name), spec.area


def test_a_value_crossing_the_area_edge_is_read_whole() -> None:
    """Written low, its letters hang below the area's edge: read whole, the box around all of it."""
    field, area = _read_written_across_the_bottom(inside=0.6)
    assert field.text == "Johnson"
    assert bbox_of(field.quad)[3] > bbox_of(area)[3] + 5  # the box holds the part below the edge


def test_a_neighbours_value_reaching_into_the_area_is_not_read() -> None:
    field, _ = _read_written_across_the_bottom(inside=0.25)
    assert (field.text, field.confidence) == ("", 0.0)


def test_a_loop_hanging_from_the_line_above_is_not_a_value() -> None:
    """A benchmark copy (en application, copy 16 of seed 1): the handwritten g of the e-mail
    address above hangs its loop into the empty member number's area; the loop alone lies
    mostly inside it, its word does not."""
    from bench.cases import template_case

    prepared = _prepared("en")
    form = build_form("en", "application")
    case = template_case(form, 16, "clean", 1)
    assert case.expected["Member No."] == ""
    page = np.asarray(PILImage.open(io.BytesIO(case.data)).convert("RGB"))
    fields = {f.name: f for f in read_areas(page, case.homography, prepared, EngineSet(), "en").fields}
    assert (fields["Member No."].text, fields["Member No."].confidence) == ("", 0.0)
    assert fields["E-mail"].text.startswith("sarah.davis@example")


@pytest.mark.parametrize(
    ("lang", "copy", "name", "value"),
    [("en", 2, "Date of Birth", "04/12/1961"), ("ko", 18, "성명", "조현우")],
)
def test_a_signature_run_over_a_value_is_not_read(lang: str, copy: int, name: str, value: str) -> None:
    """Benchmark copies (application form, seed 1) signed across the end of a field: the scribble
    was read as more of the value (``04/12/1961 uees``)."""
    from bench.cases import template_case

    case = template_case(build_form(lang, "application"), copy, "clean", 1)
    assert case.meta["overlapped"] == [name] and case.expected[name] == value
    page = np.asarray(PILImage.open(io.BytesIO(case.data)).convert("RGB"))
    fields = {f.name: f for f in read_areas(page, case.homography, _prepared(lang), EngineSet(), lang).fields}
    assert fields[name].text == value


def test_a_seal_and_a_signature_on_one_page_leave_both_values() -> None:
    """en application copy 13 (seed 1): a red seal over the end of the company, whose ring had
    joined the value to ink beyond the area (so the whole value was painted out), and a
    signature after the name."""
    from bench.cases import template_case

    case = template_case(build_form("en", "application"), 13, "clean", 1)
    assert case.meta["overlapped"] == ["Company", "Name"]
    page = np.asarray(PILImage.open(io.BytesIO(case.data)).convert("RGB"))
    fields = {f.name: f for f in read_areas(page, case.homography, _prepared("en"), EngineSet(), "en").fields}
    assert (fields["Company"].text, fields["Name"].text) == ("Acme Corp.", "Emily Johnson")


@pytest.mark.parametrize(
    ("copy", "name", "value"),
    [
        (13, "Address", "221 Baker St, London"),
        (25, "Invoice No.", "2025-1391"),
        (5, "Invoice No.", "2023-2216"),
    ],
)
def test_benchmark_invoices_keep_a_comma_on_the_underline_and_drop_initials(
    copy: int, name: str, value: str
) -> None:
    """Benchmark copies (en invoice, seed 1): a printed comma whose tail ends on the underline
    (read ``St.`` once the line's widened ink took it), and looped initials after a number
    (read as ``0000`` after it, or taking its last digit with them)."""
    case, fields = _benchmark_case("en", "invoice", copy, "clean")
    assert case.expected[name] == value
    assert fields[name].text == value


@pytest.mark.parametrize(
    ("copy", "level", "name", "value"),
    [
        (5, "clean", "Name", "Emily Johnson"),
        (13, "photo", "E-mail", "sarah.davis@example.org"),
        (15, "skewed", "Address", "12 Oak Ave, Portland, OR"),
    ],
)
def test_benchmark_values_written_across_their_bottom_line_keep_what_crosses_it(
    copy: int, level: str, name: str, value: str
) -> None:
    """Benchmark copies (en application, seed 1), typed large enough that the J's hook, the g's
    loop and the commas' tails lie in the area's bottom line and its widening: dropout took
    them for the line and the values read ``lohnson``, ``example.orq`` and ``Ave. Portland.``
    in every level."""
    case, fields = _benchmark_case("en", "application", copy, level)
    assert case.expected[name] == value
    assert fields[name].text == value


@pytest.mark.parametrize(
    ("lang", "copy", "name", "value"),
    [("ja", 25, "氏名", "渡辺 翔"), ("en", 28, "Phone", "(316) 555-8301")],
)
def test_a_value_on_the_line_touched_by_the_next_value_from_below_is_read(
    lang: str, copy: int, name: str, value: str
) -> None:
    """Benchmark copies (application form, seed 1): written large, the value sits on its area's
    bottom line and the next field's value touches the line from below; joined across the line
    into one piece that runs far below the area, both went, and the field came back empty."""
    from bench.cases import template_case

    case = template_case(build_form(lang, "application"), copy, "clean", 1)
    assert case.expected[name] == value
    page = np.asarray(PILImage.open(io.BytesIO(case.data)).convert("RGB"))
    fields = {f.name: f for f in read_areas(page, case.homography, _prepared(lang), EngineSet(), lang).fields}
    assert fields[name].text == value


def test_a_photographed_stamp_too_faint_to_be_ink_is_not_read_beside_the_value() -> None:
    """en invoice copy 9 (seed 1), photographed: the washed-out seal's ``OK`` and ring were read
    as ``Redwood LLC (ok)``."""
    case, fields = _benchmark_case("en", "invoice", 9, "photo")
    assert "Bill To" in case.meta["overlapped"]
    assert fields["Bill To"].text == "Redwood LLC"


def test_pale_digits_in_photographed_boxes_are_read_and_empty_boxes_stay_empty() -> None:
    """zh-TW registration (seed 1), photographed: small blue digits out of focus are paler than
    a text field's ink limit (``807158`` came back ``87158``); the same photographs with the
    boxes left empty must still come back empty."""
    from bench.cases import render, seed_of
    from templateocr.synth.human import fill_like_a_person
    from templateocr.synth.values import sample_values

    case, fields = _benchmark_case("zh-TW", "registration", 0, "photo")
    assert case.expected["學員編號"] == "807158"
    assert fields["學員編號"].text == "807158"
    form, prepared = build_form("zh-TW", "registration"), _prepared("zh-TW", "registration")
    for copy in (0, 2, 16):
        value_seed = seed_of(1, "zh-TW", "registration", copy)
        values = {**sample_values(form, value_seed, allow_empty=True), "學員編號": ""}
        filled = fill_like_a_person(form, values, seed=value_seed, handwritten=True)
        data, _, matrix = render(filled.image, "photo", seed_of(1, "zh-TW", "registration", copy, "photo"))
        fields = _fields_of(data, matrix, prepared, "zh-TW")
        assert fields["學員編號"].text == "", copy


def test_a_value_under_a_photographed_shadow_is_not_lost_with_the_shade() -> None:
    """ko registration copy 29 (seed 1), photographed: the shadow over the field's corner was
    ink against the lit paper, joined the value to the label above, and both went."""
    _, fields = _benchmark_case("ko", "registration", 29, "photo")
    assert fields["생년월일"].text == "1969-12-29"


def test_an_open_handwritten_zero_in_a_phone_number_is_a_zero() -> None:
    """en registration copy 0 (seed 1), skewed scan: the open zeros of a handwritten phone
    number were read ``C`` in a text field, ``(47C) 555-164C``."""
    _, fields = _benchmark_case("en", "registration", 0, "skewed")
    assert fields["Phone"].text == "(470) 555-1640"


def test_a_fax_speck_after_a_phone_number_is_not_read_as_a_dash() -> None:
    """ko registration copy 21 (seed 1), faxed: a speck after the number came back ``-``."""
    _, fields = _benchmark_case("ko", "registration", 21, "fax")
    assert fields["연락처"].text == "02-935-3842"
