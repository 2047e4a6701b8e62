"""Forms filled like a person would: truth, determinism, ink where it belongs, empty fields blank."""

from __future__ import annotations

import numpy as np
import pytest

from templateocr.geometry import bbox_of
from templateocr.models.template import FieldType
from templateocr.synth import build_form, fill_form, sample_values
from templateocr.synth.handwriting import available_hand_fonts
from templateocr.synth.human import fill_like_a_person


def _added(blank: np.ndarray, filled: np.ndarray) -> np.ndarray:
    diff: np.ndarray = np.abs(filled.astype(int) - blank.astype(int)).sum(axis=2) > 60
    return diff


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_handwritten_fill_has_truth_for_every_field_and_is_seeded(lang: str) -> None:
    if not available_hand_fonts(lang):
        pytest.skip(f"no handwriting font for {lang}")
    form = build_form(lang, "application")
    values = sample_values(form, 5, allow_empty=True)
    a = fill_like_a_person(form, values, seed=5, handwritten=True)
    b = fill_like_a_person(form, values, seed=5, handwritten=True)
    assert np.array_equal(a.image, b.image) and a.font == b.font
    assert a.handwritten and a.font in {f.family for f in available_hand_fonts(lang)}
    assert set(a.expected) == set(values)
    for name, value in values.items():
        if name not in a.wrapped:
            assert a.expected[name] == value
        else:
            assert str(a.expected[name]).replace(" ", "") == str(value).replace(" ", "")
    assert not np.array_equal(a.image, fill_like_a_person(form, values, seed=6, handwritten=True).image)


def test_values_land_in_their_fields_and_empty_fields_stay_blank() -> None:
    form = build_form("ja", "registration")
    for seed in range(4):
        values = sample_values(form, seed, allow_empty=True)
        filled = fill_like_a_person(form, values, seed=seed, handwritten=seed % 2 == 0, extras=False)
        added = _added(form.image, filled.image)
        for spec in form.definition.fields:
            left, top, right, bottom = (round(v) for v in bbox_of(spec.area))
            inside = added[top:bottom, left:right].sum()
            value = values[spec.name]
            if value in ("", False):
                assert inside == 0, (seed, spec.name)
            else:
                assert inside > 40, (seed, spec.name, value)
        # nothing but the fields' surroundings gets ink (values may touch the box lines)
        mask = np.zeros_like(added)
        for spec in form.definition.fields:
            left, top, right, bottom = (round(v) for v in bbox_of(spec.area))
            mask[max(0, top - 30) : bottom + 30, max(0, left - 30) : right + 30] = True
        assert added[~mask].sum() == 0, seed


def test_checkboxes_get_a_mark_inside_the_box() -> None:
    form = build_form("en", "invoice")
    checks = [s for s in form.definition.fields if s.type is FieldType.CHECKBOX]
    values = {s.name: True for s in checks}
    filled = fill_like_a_person(form, values, seed=1, handwritten=False, extras=False)
    added = _added(form.image, filled.image)
    for spec in checks:
        left, top, right, bottom = (round(v) for v in bbox_of(spec.area))
        assert added[top:bottom, left:right].sum() > 30, spec.name
    assert all(filled.expected[s.name] is True for s in checks)


def test_typed_fill_differs_from_the_tidy_fill_but_reads_the_same_values() -> None:
    form = build_form("zh-TW", "application")
    values = sample_values(form, 2)
    typed = fill_like_a_person(form, values, seed=2, handwritten=False)
    assert not typed.handwritten
    assert not np.array_equal(typed.image, fill_form(form, values, seed=2))
    inks = {tuple(p) for p in typed.image[_added(form.image, typed.image)][:200]}
    assert inks  # something was written
