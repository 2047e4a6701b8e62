"""Blank forms: every language and layout builds a valid definition on a plausible page."""

from __future__ import annotations

import base64
import io
import itertools

import numpy as np
import pytest
from PIL import Image

from templateocr.geometry import bbox_of
from templateocr.models.template import FieldType, TemplateCreate, ValueType
from templateocr.synth import KINDS, LANGS, build_form, foreign_page, to_png

CASES = list(itertools.product(LANGS, KINDS))


def _crop(image: np.ndarray, quad: np.ndarray, inset: int = 0) -> np.ndarray:
    left, top, right, bottom = (round(v) for v in bbox_of(quad))
    return image[top + inset : bottom - inset, left + inset : right - inset]


def test_at_least_three_layouts() -> None:
    assert len(KINDS) >= 3
    assert {"application", "invoice", "registration"} <= set(KINDS)


@pytest.mark.parametrize(("lang", "kind"), CASES)
def test_form_builds_valid_definition(lang: str, kind: str) -> None:
    form = build_form(lang, kind)
    assert form.image.shape == (1754, 1240, 3)
    assert form.image.dtype == np.uint8
    definition = form.definition
    definition.check_inside(1240, 1754)
    assert definition.lang.value == lang
    assert definition.title is not None
    assert definition.name == definition.title.name
    title_ink = _crop(form.image, definition.title.bounding_poly.quad)
    assert (title_ink < 128).any(), "the title area holds the printed title"
    fields = definition.fields
    assert 6 <= len(fields) <= 10
    if kind == "application":
        assert len(fields) >= 8
    types = [f.type for f in fields]
    assert FieldType.CHECKBOX in types
    assert any(f.value_type is ValueType.NUMERIC and f.type is FieldType.NORMAL for f in fields)
    assert set(form.semantics) == {f.name for f in fields}


@pytest.mark.parametrize(("lang", "kind"), CASES)
def test_value_areas_are_blank_and_checkboxes_printed(lang: str, kind: str) -> None:
    form = build_form(lang, kind)
    for spec in form.definition.fields:
        if spec.type is FieldType.NORMAL:
            area = _crop(form.image, spec.area, inset=1)
            assert area.size and area.min() > 200, f"{spec.name}: value area must be empty paper"
            left, top, right, bottom = bbox_of(spec.area)
            assert bottom - top >= 50 and right - left >= 200, spec.name
        elif spec.type is FieldType.MULTI_BOX:
            assert spec.boxes is not None
            for box in spec.boxes:
                assert _crop(form.image, box.quad, inset=1).min() > 200
        else:
            square = _crop(form.image, spec.area)
            assert (square < 100).mean() > 0.05, f"{spec.name}: the printed square lies in the area"
            assert spec.checkbox_texts.checked_text == "V"
            assert spec.checkbox_texts.unchecked_text == ""


@pytest.mark.parametrize("lang", LANGS)
def test_application_has_postcode_comb_and_two_checkboxes(lang: str) -> None:
    form = build_form(lang, "application")
    combs = [f for f in form.definition.fields if f.type is FieldType.MULTI_BOX]
    assert len(combs) == 1 and combs[0].boxes is not None
    assert 5 <= len(combs[0].boxes) <= 7
    assert combs[0].value_type is ValueType.NUMERIC
    assert sum(f.type is FieldType.CHECKBOX for f in form.definition.fields) == 2
    tops = [bbox_of(box.quad)[0] for box in combs[0].boxes]
    assert tops == sorted(tops), "boxes run left to right"


def test_field_names_are_in_the_form_language() -> None:
    assert build_form("ko", "application").definition.fields[0].name == "성명"
    assert build_form("ja", "application").definition.fields[0].name == "氏名"
    assert build_form("zh-TW", "application").definition.fields[0].name == "姓名"
    assert build_form("en", "application").definition.fields[0].name == "Name"
    assert build_form("ko", "application").definition.title.name == "입사 지원서"  # type: ignore[union-attr]


def test_layouts_differ() -> None:
    images = [build_form("ko", kind).image.astype(np.int16) for kind in KINDS]
    for a, b in itertools.combinations(images, 2):
        assert np.abs(a - b).mean() > 5


def test_build_is_deterministic_and_returns_fresh_copies() -> None:
    first = build_form("ja", "invoice")
    first.image[:10, :10] = 0
    second = build_form("ja", "invoice")
    assert second.image[:10, :10].min() == 255
    assert second.image.flags.writeable
    assert to_png(second.image) == to_png(build_form("ja", "invoice").image)


def test_other_page_sizes_scale_the_layout() -> None:
    form = build_form("en", "registration", width=827, height=1169)
    assert form.image.shape == (1169, 827, 3)
    form.definition.check_inside(827, 1169)
    full = build_form("en", "registration")
    small_area = bbox_of(form.definition.fields[0].area)
    full_area = bbox_of(full.definition.fields[0].area)
    assert small_area[2] == pytest.approx(full_area[2] * 827 / 1240, abs=3)


def test_to_create_json_is_a_valid_create_body() -> None:
    form = build_form("zh-TW", "application")
    body = form.to_create_json()
    created = TemplateCreate.model_validate(body)
    assert created.definition() == form.definition
    assert body["sample"]["format"] == "png"
    decoded = np.asarray(Image.open(io.BytesIO(base64.b64decode(body["sample"]["data"]))).convert("RGB"))
    assert np.array_equal(decoded, form.image)
    assert body["fields"][0]["boundingPoly"]["vertices"][0].keys() == {"x", "y"}


@pytest.mark.parametrize("lang", LANGS)
def test_foreign_pages_are_none_of_the_forms(lang: str) -> None:
    letter, survey = foreign_page(lang, seed=0), foreign_page(lang, seed=1)
    assert letter.shape == survey.shape == (1754, 1240, 3)
    for page in (letter, survey):
        assert (page < 128).mean() > 0.005, "the page has content"
        for kind in KINDS:
            assert np.abs(page.astype(np.int16) - build_form(lang, kind).image).mean() > 5
    assert np.array_equal(foreign_page(lang, seed=2), foreign_page(lang, seed=2))
    assert not np.array_equal(foreign_page(lang, seed=0), foreign_page(lang, seed=2))


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="kind"):
        build_form("ko", "receipt")
    with pytest.raises(ValueError, match="language"):
        build_form("fr")
    with pytest.raises(ValueError, match="too small"):
        build_form("en", width=100, height=100)
