"""Filling: ink lands inside each filled field's area, nowhere else, and nothing for empty values."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from templateocr.geometry import bbox_of
from templateocr.models.template import FieldType
from templateocr.synth import KINDS, LANGS, build_form, fill_form, sample_values, to_png

CASES = list(itertools.product(LANGS, KINDS))


def _mask(shape: tuple[int, ...], quad: np.ndarray) -> np.ndarray:
    mask = np.zeros(shape[:2], dtype=bool)
    left, top, right, bottom = bbox_of(quad)
    mask[int(np.floor(top)) : int(np.ceil(bottom)) + 1, int(np.floor(left)) : int(np.ceil(right)) + 1] = True
    return mask


@pytest.mark.parametrize(("lang", "kind"), CASES)
def test_ink_only_inside_filled_areas(lang: str, kind: str) -> None:
    form = build_form(lang, kind)
    seed = next(s for s in range(50) if "" in sample_values(form, s, allow_empty=True).values())
    values = sample_values(form, seed, allow_empty=True)
    filled = fill_form(form, values, seed=seed)
    assert filled.shape == form.image.shape and filled.dtype == np.uint8
    changed = np.abs(filled.astype(np.int16) - form.image).max(axis=2) > 30
    allowed = np.zeros(changed.shape, dtype=bool)
    for spec in form.definition.fields:
        value = values[spec.name]
        quads = [b.quad for b in spec.boxes] if spec.boxes else [spec.area]
        area = np.zeros(changed.shape, dtype=bool)
        for quad in quads:
            area |= _mask(changed.shape, quad)
        if value in ("", False):
            assert not changed[area].any(), f"{spec.name}: empty value drew ink"
        else:
            assert changed[area].sum() > 30, f"{spec.name}: {value!r} drew nothing"
            allowed |= area
        if spec.type is FieldType.MULTI_BOX and value:
            for quad in quads:
                assert changed[_mask(changed.shape, quad)].any(), f"{spec.name}: one character per box"
    assert not (changed & ~allowed).any(), "ink outside every filled area"
    assert np.array_equal(form.image, build_form(lang, kind).image), "the blank form is untouched"


def test_text_is_left_aligned_and_vertically_centred() -> None:
    form = build_form("en", "application")
    filled = fill_form(form, {"Name": "John Smith"})
    left, top, right, bottom = (round(v) for v in bbox_of(form.definition.field("Name").area))
    ink = np.argwhere(filled[top:bottom, left:right].min(axis=2) < 128)
    ys, xs = ink[:, 0], ink[:, 1]
    assert xs.min() < 20, "starts near the left edge"
    assert xs.max() < (right - left) / 2
    centre = (ys.min() + ys.max()) / 2
    assert abs(centre - (bottom - top) / 2) < 6
    assert ys.max() - ys.min() > 0.45 * (bottom - top), "the size follows the box height"


def test_ink_colour_and_style() -> None:
    form = build_form("ko", "registration")
    values = {"성명": "김민준"}
    red = fill_form(form, values, ink=(200, 0, 0))
    name = form.definition.field("성명")
    left, top, right, bottom = (round(v) for v in bbox_of(name.area))
    crop = red[top:bottom, left:right].reshape(-1, 3).astype(int)
    inked = crop[crop.min(axis=1) < 128]
    assert len(inked) and (inked[:, 0] > 150).mean() > 0.5
    bold = fill_form(form, values, style="bold")
    sans = fill_form(form, values)
    assert (bold[top:bottom, left:right] < 128).sum() > (sans[top:bottom, left:right] < 128).sum()


def test_checkbox_marks_vary_with_seed_and_accept_checked_text() -> None:
    form = build_form("ja", "application")
    name = next(f.name for f in form.definition.fields if f.type is FieldType.CHECKBOX)
    marks = {to_png(fill_form(form, {name: True}, seed=s)) for s in range(6)}
    assert len(marks) == 2, "a tick or a cross"
    assert np.array_equal(fill_form(form, {name: "V"}, seed=0), fill_form(form, {name: True}, seed=0))
    assert np.array_equal(fill_form(form, {name: False}), form.image)


def test_deterministic() -> None:
    form = build_form("zh-TW", "invoice")
    values = sample_values(form, 3)
    assert to_png(fill_form(form, values, seed=3)) == to_png(fill_form(form, values, seed=3))


def test_bad_values() -> None:
    form = build_form("en", "application")
    with pytest.raises(ValueError, match="no field"):
        fill_form(form, {"Nope": "x"})
    with pytest.raises(ValueError, match="boxes"):
        fill_form(form, {"ZIP Code": "1234567"})
    with pytest.raises(ValueError, match="text"):
        fill_form(form, {"Name": True})
