"""Form dropout: the ink a page adds to the blank form, and a red seal pressed over a value."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from templateocr.engines.base import ReadOptions
from templateocr.engines.registry import EngineSet
from templateocr.pipeline.dropout import (
    added_ink,
    faint_seal,
    ink_mask,
    mostly_inside,
    seal_mask,
    without_seal,
)
from templateocr.synth.degrade import BLUE_INK, STAMP_RED, draw_stamp
from templateocr.synth.fonts import load_font


def _field(text: str, *, ink: tuple[int, int, int] = (20, 20, 20), seal: bool = True) -> np.ndarray:
    image = Image.new("RGB", (360, 64), "white")
    ImageDraw.Draw(image).text((14, 14), text, font=load_font("en", 32, "sans"), fill=ink)
    if seal:
        draw_stamp(image, (250, 32), 30, "ACME", "en", seed=3)
    return np.asarray(image).copy()


def test_a_seal_over_a_value_is_painted_out_and_the_value_reads() -> None:
    page = _field("2024-118")
    blank = np.full_like(page, 255)
    added = added_ink(page, blank)
    seal = seal_mask(page)
    assert seal.sum() > 300  # the seal's ring and text
    cleaned = without_seal(page, added)
    assert not (seal_mask(cleaned)).any()
    assert (ink_mask(cleaned) & ~seal).sum() >= 0.95 * (ink_mask(page) & ~seal).sum()  # the value stays
    words = EngineSet().read(cleaned, "en", ReadOptions())
    assert "".join(w.text for w in words) == "2024-118"


def test_blue_ink_is_not_seal_and_a_value_written_in_red_is_kept() -> None:
    blue = _field("Seoul", ink=BLUE_INK, seal=False)
    assert not seal_mask(blue).any()
    red = _field("URGENT", ink=STAMP_RED, seal=False)
    added = added_ink(red, np.full_like(red, 255))
    assert seal_mask(red).sum() > 100
    assert without_seal(red, added) is red  # red is all the ink there is: it is the value


def test_a_faint_pink_seal_is_found_away_from_the_value_and_no_stroke_of_the_value_is() -> None:
    """A photo's washed-out stamp: too light to be ink, still read as text (``Redwood LLC (ok)``)."""
    image = Image.new("RGB", (360, 64), "white")
    ImageDraw.Draw(image).text((14, 14), "Redwood", font=load_font("en", 32, "sans"), fill=(30, 30, 30))
    draw_stamp(image, (290, 32), 26, "OK", "en", seed=3, colour=(240, 190, 190))
    page = np.asarray(image).copy()
    assert not seal_mask(page).any()  # not red enough for a seal in ink ...
    kept = ink_mask(page)
    assert not (kept[:, 240:]).any()  # ... nor dark enough to be ink
    faint = faint_seal(page, kept)
    assert faint[:, 250:].sum() > 150  # its ring and text
    assert not faint[:, :200].any()  # the value's strokes and their soft edges stay
    red = np.asarray(Image.new("RGB", (60, 40), (215, 40, 40))).copy()
    assert not faint_seal(red, ink_mask(red) | True).any()  # a value written in red keeps its edges


def test_a_shadow_across_a_field_is_not_ink_when_the_paper_is_measured_locally() -> None:
    """A photo's shadow darkens a field's left half to half the lit paper's brightness."""
    image = Image.new("RGB", (360, 64), "white")
    ImageDraw.Draw(image).text((150, 14), "1969-12", font=load_font("en", 32, "sans"), fill=(40, 40, 90))
    page = np.asarray(image).astype(np.float32)
    light = np.clip(np.linspace(0.45, 1.4, 360), 0.45, 1.0)[None, :, None]
    page = np.asarray(page * light, dtype=np.uint8)
    text = np.asarray(image.convert("L")) < 128
    assert ink_mask(page)[:, :50].all()  # against the crop's paper the shade is ink
    local = ink_mask(page, local=1.0)
    assert not (local & ~text)[:, :140].any()  # measured around each pixel: it is paper
    assert (local & text).sum() >= 0.95 * text.sum()  # and the value's strokes are all ink


def test_a_smudged_word_keeps_some_ink_when_the_paper_is_measured_locally() -> None:
    """A value blurred until it is a gray smear: the window must reach the paper beyond it."""
    image = Image.new("RGB", (320, 64), "white")
    font = load_font("en", 36, "sans")
    ImageDraw.Draw(image).text((10, 10), "Northwind Inc.", font=font, fill=(20, 20, 20))
    page = np.asarray(image.filter(ImageFilter.GaussianBlur(5))).copy()
    assert ink_mask(page, local=1.0).sum() >= 0.5 * ink_mask(page).sum() > 0


def test_ink_mostly_inside_is_kept_whole_and_ink_mostly_outside_is_not() -> None:
    added = np.zeros((60, 100), dtype=bool)
    added[30:50, 10:20] = True  # a stroke crossing the bottom edge (40): half inside, kept whole
    added[36:58, 40:48] = True  # a neighbour's stroke reaching in: under a third inside, dropped
    added[12:16, 70:80] = True  # the top of a character above a gap of 3 px ...
    added[19:30, 70:80] = True  # ... and its body: one piece, mostly inside
    inner = (0, 18, 100, 40)
    kept, box = mostly_inside(added, inner, join=(4, 4))
    assert kept[30:50, 10:20].all() and not kept[36:58, 40:48].any()
    assert kept[12:16, 70:80].all()
    assert box == (0, 12, 100, 50)
    alone, _ = mostly_inside(added, inner)  # strokes judged one by one: the top is outside
    assert not alone[12:16, 70:80].any()


def test_a_comma_ending_on_an_underline_keeps_its_tail() -> None:
    """``St,`` written on the form's underline: the comma's tail ends a pixel above the line,
    where the sample's line, widened against misalignment, used to take it (read ``St.``).
    Everything of the value but the line's own pixels is added ink; the line's blurred edge
    away from the value is not."""
    font = load_font("en", 24, "sans")
    blank = Image.new("RGB", (300, 60), "white")
    ImageDraw.Draw(blank).rectangle((0, 44, 299, 45), fill=(20, 20, 20))
    text = Image.new("RGB", blank.size, "white")
    tail = font.getbbox("St, London")[3]  # the comma's tail: the lowest ink of the value
    ImageDraw.Draw(text).text((14, 43 - tail), "St, London", font=font, fill=(20, 20, 20))
    page = np.minimum(np.asarray(blank), np.asarray(text))
    line = ink_mask(np.asarray(blank))
    written = ink_mask(np.asarray(text)) & ~line
    added = added_ink(page, np.asarray(blank))
    assert written[40:44].any()  # the tail reaches the line's margin
    assert (added == written).all()
    assert not added[46:].any()


def _written_across_a_rule(neighbour: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, slice]:
    """``Johnson`` written on a 3 px rule (rows 44-46) with the J's hook down to 1 px under it,
    as a value sits on a box's bottom line, and, if ``neighbour``, the next field's ``1989``
    touching the rule from below. Returns the page, the blank, the ink of the value alone and
    the J's columns."""
    font = load_font("en", 24, "sans")
    blank = Image.new("RGB", (300, 80), "white")
    ImageDraw.Draw(blank).rectangle((0, 44, 299, 46), fill=(20, 20, 20))
    text = Image.new("RGB", blank.size, "white")
    left, _, right, bottom = font.getbbox("J")
    ImageDraw.Draw(text).text((20, 49 - bottom), "Johnson", font=font, fill=(20, 20, 20))
    value = ink_mask(np.asarray(text))
    if neighbour:
        top = font.getbbox("1989")[1]
        ImageDraw.Draw(text).text((34, 47 - top), "1989", font=font, fill=(20, 20, 20))
    page = np.minimum(np.asarray(blank), np.asarray(text))
    return page, np.asarray(blank), value, slice(20 + left, 20 + right)


def test_a_descender_crossing_the_rule_is_read_whole() -> None:
    """The J's hook lies in the rule and its widening: dropout took it for the rule and the
    value read ``lohnson``. The page's ink that crosses the rule under the J is the value's;
    along the rest of the rule, under the other letters, nothing is."""
    page, blank, value, j = _written_across_a_rule(neighbour=False)
    added = added_ink(page, blank)
    assert value[47, j].any()  # the hook comes out under the rule
    assert (added[47:] == value[47:]).all()  # the hook under the rule, and only it
    assert np.count_nonzero(added[44:47, j].all(axis=0)) >= 3  # joined to the stem across it
    assert not added[44:47, j.stop + 4 :].any()


def test_a_descender_crossing_the_rule_onto_a_neighbour_stays_cut() -> None:
    """With the next field's value touching the rule from below, next to the J, the rule is what
    keeps the two lines apart: the hook is not given back across it."""
    page, blank, _, j = _written_across_a_rule(neighbour=True)
    added = added_ink(page, blank)
    assert added[48:, :].any()  # the neighbour's line
    assert not added[44:47, :].any()


def _on_a_rule(below_columns: list[int]) -> tuple[np.ndarray, np.ndarray, tuple[int, int, int, int]]:
    """A line of 'letters' (4 px strokes every 12 px) sitting on a rule at rows 60-61, and under
    the rule strokes in ``below_columns`` hanging from it down to the crop's edge; the area is
    rows 20-58, so the line lies inside and the strokes below outside."""
    added = np.zeros((80, 240), dtype=bool)
    rules = np.zeros_like(added)
    rules[60:62, :] = True
    for x in range(20, 200, 12):
        added[36:58, x : x + 4] = True  # the line, its feet 2 px above the rule
        added[36:38, x : x + 12] = True  # joined into words at the top
    for x in below_columns:
        added[64:80, x : x + 4] = True
    return added, rules, (0, 20, 240, 58)


def test_a_line_on_a_rule_is_kept_when_the_line_below_touching_the_rule_is_dropped() -> None:
    """The two lines join across the rule into one piece that runs off the crop (and, judged
    whole, goes); the line above is a line of its own, its strokes do not go on below."""
    from templateocr.pipeline.dropout import ink_pieces, lines_on_a_rule

    added, rules, inner = _on_a_rule(list(range(26, 230, 9)))  # another rhythm: a neighbour's
    join = (8, 8)
    count, labels, _ = ink_pieces(added, join)
    assert count == 2  # one piece, across the rule
    dropped = np.array([False, True])
    rescued = lines_on_a_rule(added, labels, dropped, inner, join, rules)
    assert (rescued == (added & (np.arange(80) < 60)[:, None])).all()


def test_a_word_written_across_a_rule_is_not_cut_at_it() -> None:
    """The strokes below the rule continue the ones above (the same columns): one word."""
    from templateocr.pipeline.dropout import ink_pieces, lines_on_a_rule

    added, rules, inner = _on_a_rule(list(range(20, 200, 12)))
    join = (8, 8)
    count, labels, _ = ink_pieces(added, join)
    rescued = lines_on_a_rule(added, labels, np.array([False, True]), inner, join, rules)
    assert not rescued.any()
