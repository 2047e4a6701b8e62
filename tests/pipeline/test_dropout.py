"""Form dropout: the ink a page adds to the blank form, and a red seal pressed over a value."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from templateocr.engines.base import ReadOptions
from templateocr.engines.registry import EngineSet
from templateocr.pipeline.dropout import added_ink, ink_mask, mostly_inside, seal_mask, without_seal
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
