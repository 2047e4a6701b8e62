"""Line finding on rendered crops: borders, noise, blanks, two lines; word cutting at ink gaps."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from engine_crops import blank, degrade, overlap, render

from templateocr.engines.lines import (
    find_ink,
    split_lines,
    split_words,
    to_gray,
    touching_halves,
    trim_to_ink,
)
from templateocr.synth.fonts import load_font


def _lines(image: np.ndarray) -> list[tuple[int, int, int, int]]:
    return split_lines(to_gray(image))


@pytest.mark.parametrize("box", [False, True])
@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("서울특별시 강남구 테헤란로 123", "ko"),
        ("東京都千代田区丸の内1-1-1", "ja"),
        ("221B Baker Street", "en"),
    ],
)
def test_one_line_is_found_on_its_ink(text: str, lang: str, box: bool) -> None:
    crop = render(text, lang, box=box)
    lines = _lines(crop.image)
    assert len(lines) == 1
    drawn = (
        min(b[0] for _, b in crop.words),
        min(b[1] for _, b in crop.words),
        max(b[2] for _, b in crop.words),
        max(b[3] for _, b in crop.words),
    )
    # The line box hugs the text, not the border 1-3 px from the crop's edges.
    assert all(abs(a - b) <= 3 for a, b in zip(lines[0], drawn, strict=True)), (lines[0], drawn)


@pytest.mark.parametrize("lang", ["ko", "ja", "zh-TW", "en"])
def test_two_lines_are_two_boxes_top_to_bottom(lang: str) -> None:
    texts = {
        "ko": ("김민준", "서울특별시 강남구 테헤란로 123"),
        "ja": ("山田 太郎", "東京都千代田区丸の内1-1-1"),
        "zh-TW": ("王小明", "臺北市信義區市府路1號"),
        "en": ("John Smith", "221B Baker Street"),
    }[lang]
    crop = render(texts, lang, box=True, size=22, leading=1.3)
    lines = _lines(degrade(crop.image, seed=3))
    assert len(lines) == 2
    assert lines[0][3] <= lines[1][1]


def test_a_line_of_stacked_hangul_stays_one_line() -> None:
    # 윤하은 at 8 pt: the consonants above and the vowels below leave an empty row between them.
    for size in (16, 18, 22):
        crop = render("윤하은", "ko", size=size)
        assert len(_lines(degrade(crop.image, seed=size))) == 1


@pytest.mark.parametrize(
    "image",
    [
        blank(),
        blank(box=True),
        blank(noise=True, seed=1),
        blank(box=True, noise=True, seed=2),
        blank(90, 40, box=True),
        blank(900, 120, box=True, noise=True, seed=3),
    ],
    ids=["white", "border", "noise", "border+noise", "small border", "large border+noise"],
)
def test_blank_fields_have_no_lines(image: np.ndarray) -> None:
    assert _lines(image) == []


def test_specks_and_a_partial_rule_are_not_text() -> None:
    image = blank(400, 70)
    rng = np.random.default_rng(5)
    for _ in range(40):
        y, x = rng.integers(0, 67), rng.integers(0, 397)
        image[y : y + 2, x : x + 2] = 0
    image[5:7, 20:260] = 0  # part of a neighbouring box's border
    image[30:70, 392:394] = 0  # a vertical rule coming in from below, near the right edge
    assert _lines(image) == []


def test_isolated_dots_are_dirt_but_a_period_is_text() -> None:
    image = blank(500, 80, box=True)
    for x, y, r in [(60, 20, 3), (200, 55, 4), (330, 30, 2), (450, 50, 4)]:
        cv2.circle(image, (x, y), r, (0, 0, 0), -1)
    assert _lines(image) == []
    crop = render("Smith Co.", "en")
    ink = find_ink(to_gray(crop.image))
    (line,) = split_lines(to_gray(crop.image), ink)
    assert line[2] >= crop.words[-1][1][2] - 4  # the line reaches the period


def test_slightly_tilted_borders_are_removed() -> None:
    crop = render("John Smith", "en", box=True, width=420, height=64)
    gray = to_gray(crop.image)
    rotation = cv2.getRotationMatrix2D((210, 32), 0.3, 1.0)
    tilted = np.asarray(cv2.warpAffine(gray, rotation, (420, 64), borderValue=255), dtype=np.uint8)
    lines = split_lines(tilted)
    assert len(lines) == 1
    assert lines[0][1] > 6 and lines[0][3] < 58


def test_rules_are_kept_apart_from_the_text_mask() -> None:
    crop = render("2024-06-01", "en", box=True)
    ink = find_ink(to_gray(crop.image))
    assert ink.rules[1:3, :].any() and not ink.text[1:3, :].any()
    assert ink.text.any()


def test_tiny_and_degenerate_crops() -> None:
    assert split_lines(np.full((1, 1), 0, np.uint8)) == []
    assert split_lines(np.full((2, 50), 0, np.uint8)) == []
    assert split_lines(np.zeros((40, 300), np.uint8)) == []  # all black: no paper, no text


def test_trim_to_ink() -> None:
    mask = np.zeros((20, 30), bool)
    mask[5:9, 10:14] = True
    assert trim_to_ink(mask, (0, 0, 30, 20)) == (10, 5, 14, 9)
    assert trim_to_ink(mask, (20, 0, 30, 20)) is None


def test_split_words_latin_follows_the_spaces_and_boxes_lie_on_the_ink() -> None:
    crop = render("221B Baker Street", "en")
    gray = to_gray(crop.image)
    ink = find_ink(gray)
    (line,) = split_lines(gray, ink)
    chars = "221BBakerStreet"
    centers = list(np.linspace(line[0] + 5, line[2] - 5, len(chars)))
    words = split_words(ink.text, line, "221B Baker Street", centers)
    assert [w for w, _, _ in words] == ["221B", "Baker", "Street"]
    for (_, box, _), (_, drawn) in zip(words, crop.words, strict=True):
        assert overlap(box, drawn) > 0.8


def test_split_words_cjk_uses_the_gap_in_the_ink() -> None:
    crop = render("山田 太郎", "ja")
    gray = to_gray(crop.image)
    ink = find_ink(gray)
    (line,) = split_lines(gray, ink)
    # A recognizer that dropped the space, with centers where the glyphs are.
    left, right = crop.words[0][1], crop.words[1][1]
    centers = [
        left[0] + (left[2] - left[0]) * 0.25,
        left[0] + (left[2] - left[0]) * 0.75,
        right[0] + (right[2] - right[0]) * 0.25,
        right[0] + (right[2] - right[0]) * 0.75,
    ]
    words = split_words(ink.text, line, "山田太郎", centers)
    assert [w for w, _, _ in words] == ["山田", "太郎"]
    assert [span for _, _, span in words] == [(0, 1), (2, 3)]
    # No gap in an address: one word.
    crop = render("東京都千代田区", "ja")
    gray = to_gray(crop.image)
    ink = find_ink(gray)
    (line,) = split_lines(gray, ink)
    centers = list(np.linspace(line[0] + 14, line[2] - 14, 7))
    assert [w for w, _, _ in split_words(ink.text, line, "東京都千代田区", centers)] == ["東京都千代田区"]


def test_split_words_needs_one_center_per_character() -> None:
    mask = np.ones((10, 10), bool)
    with pytest.raises(ValueError, match="one center"):
        split_words(mask, (0, 0, 10, 10), "ab c", [1.0, 2.0])
    assert split_words(mask, (0, 0, 10, 10), "  ", []) == []


@pytest.mark.parametrize(("text", "lang"), [("916,080", "en"), ("愛知県名古屋市中村区名駅4-7-1", "ja")])
def test_a_value_written_low_keeps_its_stems_where_it_touches_the_crop_edge(text: str, lang: str) -> None:
    crop = render(text, lang, pad=(16, 20))
    gray = to_gray(crop.image)
    bottom = int(np.flatnonzero((gray < 128).any(axis=1))[-1])
    cut = gray[: bottom - 1]  # the area's edge crosses the letters' feet (written low)
    ink = find_ink(cut)
    assert not ink.rules.any()


@pytest.mark.parametrize("size", [36, 44])
def test_two_lines_set_close_are_still_two(size: int) -> None:
    """A wrapped value written large and tight: two or three empty rows between full lines."""
    crop = render(["1600 Main St,", "Springfield"], "en", size=size, leading=0.95)
    gray = to_gray(crop.image)
    inked = np.flatnonzero((gray < 128).any(axis=1))
    assert 0 < (inked[-1] - inked[0] + 1) - inked.size <= 3  # the lines do not touch, but nearly
    assert len(split_lines(gray)) == 2


@pytest.mark.parametrize(
    ("drawn", "read", "words"),
    [
        ("742 Evergreen", "742Evergreen", ["742", "Evergreen"]),
        ("(649) 555-1196", "(649)555-1196", ["(649)", "555-1196"]),
        ("12 Oak Ave", "12Oak Ave", ["12", "Oak", "Ave"]),
        ("4th Street", "4th Street", ["4th", "Street"]),
        ("Unit B2B", "Unit B2B", ["Unit", "B2B"]),
        ("Northwind Inc.", "NorthwindInc.", ["Northwind", "Inc."]),
        ("Portland, OR", "Portland,OR", ["Portland,", "OR"]),
        ("McDonald Way", "McDonald Way", ["McDonald", "Way"]),
        ("3,315", "3,315", ["3,315"]),
    ],
)
def test_a_space_the_recognizer_dropped_between_digits_and_letters_is_restored(
    drawn: str, read: str, words: list[str]
) -> None:
    """PP-OCR drops the space after a number, before a capital or after a comma in blurred
    photos; the gap in the ink is there (and none inside ``McDonald``)."""
    crop = render(drawn, "en", size=26)
    gray = to_gray(crop.image)
    ink = find_ink(gray)
    (line,) = split_lines(gray, ink)
    font = load_font("en", 26, "sans")
    centers = [
        16 + font.getlength(drawn[:k]) + font.getlength(c) / 2 for k, c in enumerate(drawn) if c != " "
    ]
    assert [w for w, _, _ in split_words(ink.text, line, read, centers)] == words


def _signed(text: str, lang: str, seed: int, *, arches: bool = False) -> tuple[np.ndarray, np.ndarray, int]:
    """A value in a field 70 px high with a signature run over the field's right end, cut by the
    crop's right edge; returns the signed crop, the unsigned one and where the value ends."""
    from PIL import Image, ImageDraw

    from templateocr.synth.degrade import draw_signature

    crop = render(text, lang, size=30, width=620, height=70, pad=(14, 14))
    value_end = round(max(b[2] for _, b in crop.words))
    signed = Image.fromarray(crop.image)
    if arches:  # a signature without loops: a run of arches
        xs = np.linspace(440, 630, 120)
        ys = 60 - 36 * np.abs(np.sin((xs - 440) / 190 * 4 * np.pi))
        ImageDraw.Draw(signed).line(list(zip(xs, ys, strict=True)), fill=(30, 30, 40), width=3)
    else:
        draw_signature(signed, (440, 6, 630, 80), seed=seed, ink=(30, 30, 40))
    return np.asarray(signed).copy(), crop.image, value_end


@pytest.mark.parametrize(
    ("text", "lang", "seed"),
    [("1979年10月31日", "ja", 1), ("조현우", "ko", 2), ("04/12/1961", "en", 3), ("李家豪", "zh-TW", 4)],
)
def test_a_signature_over_the_field_is_not_text(text: str, lang: str, seed: int) -> None:
    signed, plain, value_end = _signed(text, lang, seed)
    ink, alone = find_ink(to_gray(signed)), find_ink(to_gray(plain))
    assert not ink.text[:, value_end + 8 :].any()  # the scribble and its cut-off strokes are gone
    assert ink.rules[:, value_end + 8 :].any()  # and painted over in the line images
    value, unsigned = ink.text[:, : value_end + 4], alone.text[:, : value_end + 4]
    assert np.count_nonzero(value != unsigned) <= 0.02 * np.count_nonzero(unsigned)  # the value stays


@pytest.mark.parametrize(("width", "seed"), [(70, 0), (70, 3), (90, 0), (90, 1)])
def test_initials_after_a_value_go_and_the_value_keeps_its_last_digit(width: int, seed: int) -> None:
    """A short looped scribble (initials, a signature cut by the area's edge) just after a value,
    as in the benchmark's invoices: it goes (only two or so times wider than high), and the
    digit before it, close enough to pass for one of its cut-off strokes, stays: it sits in the
    row of the value's other characters."""
    from PIL import Image

    from templateocr.synth.degrade import draw_signature

    crop = render("2025-1391", "en", size=30, width=340, height=62, pad=(14, 14))
    value_end = round(max(b[2] for _, b in crop.words))
    signed = Image.fromarray(crop.image)
    draw_signature(signed, (value_end + 10, 2, value_end + width, 72), seed=seed, ink=(30, 30, 40))
    ink, alone = find_ink(to_gray(np.asarray(signed))), find_ink(to_gray(crop.image))
    assert not ink.text[:, value_end + 8 :].any()
    value, unsigned = ink.text[:, : value_end + 4], alone.text[:, : value_end + 4]
    assert np.count_nonzero(value != unsigned) <= 0.05 * np.count_nonzero(unsigned)


def test_a_signature_without_loops_is_not_text() -> None:
    signed, _, value_end = _signed("2024-03-31", "en", 0, arches=True)
    assert not find_ink(to_gray(signed)).text[:, value_end + 8 :].any()


def test_a_signature_alone_leaves_the_field_empty() -> None:
    from PIL import Image

    from templateocr.synth.degrade import draw_signature

    page = Image.new("RGB", (620, 70), "white")
    draw_signature(page, (200, 6, 560, 80), seed=9, ink=(22, 48, 160))
    assert _lines(np.asarray(page)) == []


@pytest.mark.parametrize(
    ("text", "lang", "style"),
    [("臺北市信義區市府路", "zh-TW", "sans"), ("WMW MWM", "en", "bold"), ("圖書館", "ja", "bold")],
)
def test_text_as_high_as_its_crop_is_not_a_scribble(text: str, lang: str, style: str) -> None:
    """Glyphs filling a tight crop, wide ones, ones with many enclosed holes: still text."""
    crop = render(text, lang, style=style, size=40, pad=(4, 2))
    ink = find_ink(to_gray(crop.image))
    assert not ink.rules.any()
    assert ink.text.sum() > 0.9 * (to_gray(crop.image) < 128).sum()


@pytest.mark.parametrize(
    ("texts", "lang"),
    [(("742 Evergreen Way,", "Springfield"), "en"), (("東京都千代田区", "丸の内1-1-1"), "ja")],
)
def test_touching_lines_are_offered_as_two_halves(texts: tuple[str, str], lang: str) -> None:
    """Two lines set so close that the first one's descenders touch the second: one band of
    ink, offered in halves, the first line's tails hidden from the second's image."""
    crop = render(texts, lang, size=30, leading=0.95)
    gray = to_gray(crop.image)
    ink = find_ink(gray)
    (band,) = split_lines(gray, ink)
    halves = touching_halves(ink.text, band)
    assert halves is not None
    upper, lower = halves
    first = [b for w, b in crop.words if w in texts[0].split()]
    second = [b for w, b in crop.words if w in texts[1].split()]
    assert abs(upper.box[1] - min(b[1] for b in first)) <= 3
    assert abs(lower.box[3] - max(b[3] for b in second)) <= 3
    assert upper.box[1] < lower.box[1] and upper.box[3] < lower.box[3]


def test_the_halves_win_only_when_both_read_better() -> None:
    """A Korean line whose syllables leave an empty row between vowel and final consonant is
    offered in halves too, but they read worse than the whole and lose."""
    from templateocr.engines.lines import LineChoice, chosen_pieces

    choice = LineChoice(0, (1, 2))
    assert chosen_pieces(choice, [("굴둘", 0.93), ("구두", 0.45), ("ㄹㄹ", 0.2)]) == (0,)
    readings = [("742Eversreen", 0.61), ("742 Evergreen", 0.99), ("Terrace", 0.99)]
    assert chosen_pieces(choice, readings) == (1, 2)
    # a comma's tail below a line reads confidently, but one character is not a line
    assert chosen_pieces(choice, [("7,067,700", 0.9), ("7067700", 1.0), (",", 0.99)]) == (0,)
    assert chosen_pieces(LineChoice(0), [("anything", 0.1)]) == (0,)
