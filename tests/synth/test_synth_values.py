"""Sample values: right script, right shape, fit their boxes, deterministic."""

from __future__ import annotations

import itertools
import re

import opencc
import pytest

from templateocr.geometry import bbox_of
from templateocr.models.template import FieldType, ValueType
from templateocr.synth import KINDS, LANGS, build_form, load_font, sample_values, value_font_size
from templateocr.synth.values import OPTIONAL_KEYS

CASES = list(itertools.product(LANGS, KINDS))
SCRIPT = {
    "ko": re.compile(r"[\uac00-\ud7a3]"),
    "ja": re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]"),
    "zh-TW": re.compile(r"[\u4e00-\u9fff]"),
    "en": re.compile(r"^[\x20-\x7e]+$"),
}


@pytest.mark.parametrize(("lang", "kind"), CASES)
def test_values_have_the_right_shape(lang: str, kind: str) -> None:
    form = build_form(lang, kind)
    for seed in range(8):
        values = sample_values(form, seed)
        assert list(values) == [f.name for f in form.definition.fields]
        for spec in form.definition.fields:
            value = values[spec.name]
            if spec.type is FieldType.CHECKBOX:
                assert isinstance(value, bool)
                continue
            assert isinstance(value, str) and value, f"{spec.name}: all non-empty by default"
            if spec.type is FieldType.MULTI_BOX:
                assert spec.boxes is not None
                assert value.isdigit() and len(value) == len(spec.boxes)
            elif spec.value_type is ValueType.NUMERIC:
                allowed = set("0123456789") | set(spec.separators)
                assert set(value) <= allowed, f"{spec.name}: {value!r} vs separators {spec.separators!r}"
                assert any(c.isdigit() for c in value)
        name = values[form.definition.fields[0].name]
        assert isinstance(name, str) and SCRIPT[lang].search(name), name


@pytest.mark.parametrize(("lang", "kind"), CASES)
def test_values_fit_their_boxes_at_a_readable_size(lang: str, kind: str) -> None:
    form = build_form(lang, kind)
    probe = "가" if lang == "ko" else "漢" if lang != "en" else "H"
    for seed in range(20):
        values = sample_values(form, seed)
        for spec in form.definition.fields:
            value = values[spec.name]
            if spec.type is not FieldType.NORMAL or not isinstance(value, str):
                continue
            left, top, right, bottom = bbox_of(spec.area)
            size = value_font_size(value, lang, right - left, bottom - top)
            _, glyph_top, _, glyph_bottom = load_font(lang, size).getbbox(probe, anchor="ls")
            assert glyph_bottom - glyph_top >= 22, f"{spec.name}={value!r} shrinks to {size}px"


def test_traditional_chinese_values_use_traditional_characters() -> None:
    to_traditional = opencc.OpenCC("s2t")
    for kind in KINDS:
        form = build_form("zh-TW", kind)
        for seed in range(30):
            for value in sample_values(form, seed).values():
                if isinstance(value, str):
                    assert to_traditional.convert(value) == value


def test_deterministic_per_seed() -> None:
    form = build_form("ko", "invoice")
    assert sample_values(form, 5) == sample_values(build_form("ko", "invoice"), 5)
    assert sample_values(form, 5) != sample_values(form, 6)


def test_amounts_add_up() -> None:
    form = build_form("ja", "invoice")
    for seed in range(10):
        values = sample_values(form, seed)
        subtotal, tax, total = (int(str(values[n]).replace(",", "")) for n in ("小計", "消費税", "合計金額"))
        assert subtotal + tax == total
        assert tax == round(subtotal * 0.10)


def test_allow_empty_leaves_only_optional_fields_empty() -> None:
    form = build_form("en", "application")
    empties = 0
    for seed in range(20):
        full = sample_values(form, seed)
        sparse = sample_values(form, seed, allow_empty=True)
        for name, value in sparse.items():
            if value == "":
                empties += 1
                assert form.semantics[name] in OPTIONAL_KEYS
            else:
                assert value == full[name]
    assert empties > 0
