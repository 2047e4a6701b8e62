"""Finding text lines and words in a field crop, shared by the engines.

A crop is one field cut out of a page: it may hold printed box borders at its edges, white
margins, speckle noise, a signature run over it, or nothing at all. :func:`find_ink` separates
the text's ink from the paper (against a local background, so gray or unevenly lit paper works)
and takes away long horizontal and vertical rules, specks and scribbles; :func:`split_lines`
turns what is left into line boxes; :func:`split_words` cuts a recognized line into words at
the gaps in its ink.

Boxes are ``(left, top, right, bottom)`` in crop pixels, right and bottom exclusive.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import cv2
import numpy as np
from numpy.typing import NDArray

from templateocr.engines.base import ReadOptions, RecognizedWord

__all__ = [
    "Box",
    "CropLines",
    "Half",
    "InkMap",
    "LineChoice",
    "chosen_pieces",
    "crop_lines",
    "line_boxes",
    "find_ink",
    "ink_gaps",
    "is_cjk",
    "is_hangul",
    "line_image",
    "split_lines",
    "split_words",
    "recognized_words",
    "to_gray",
    "touching_halves",
    "trim_to_ink",
]

Box = tuple[int, int, int, int]

MIN_CONTRAST = 45
"""Ink is at least this much darker (0-255) than the paper around it."""

BACKGROUND_WINDOW = 31
"""The paper's brightness is the brightest nearby pixel within this window (wider than strokes)."""

MIN_SPECK_AREA = 6
"""Connected ink smaller than this many pixels is noise (after the rules are gone)."""

MIN_LINE_HEIGHT = 6
"""A band of ink lower than this is a rule's remnant or noise, not text."""

SCRIBBLE_HEIGHT = 0.5
SCRIBBLE_LOOPS = 3
SCRIBBLE_LOOPED_WIDTH = 2.2
SCRIBBLE_WIDTH = 3.5
"""A scribble (a signature run over the field) is one unbroken stroke at least ``SCRIBBLE_HEIGHT``
of the crop high that is far wider than high: ``SCRIBBLE_WIDTH`` times, or ``SCRIBBLE_LOOPED_WIDTH``
times with at least ``SCRIBBLE_LOOPS`` loops. Characters are at most about as wide as high (a
Han character), and handwriting whose letters touch forms wide pieces only as high as its
letters (measured on the accuracy benchmark's crops: none of 58,000 pieces of text, clean and
faxed, is one; the signatures there are 0.6-0.7 of their crop high). Cursive Latin writing joined
into whole words would pass for scribbles; the handwriting we read is print-style."""

SCRIBBLE_TALL_HEIGHT = 0.6
SCRIBBLE_TALL_WIDTH = 1.8
SCRIBBLE_TALL_LOOPS = 4
"""A shorter looped scribble (initials, a signature cut by the area's edge) is a scribble too
when it is at least ``SCRIBBLE_TALL_HEIGHT`` of the crop high, ``SCRIBBLE_TALL_WIDTH`` times as
wide as high and has ``SCRIBBLE_TALL_LOOPS`` loops: on the benchmark's crops (seed 1, 30 copies,
clean, photo and fax), 22 more signatures and none of 468 wide pieces of text."""

SCRIBBLE_REACH = 0.5
"""Smaller pieces centred within this share of a scribble's height beside it (half as far above
or below) are its strokes too, unless they sit in a row of text (:func:`_in_a_row`)."""

ROW_MATES = 2
ROW_TOLERANCE = 0.25
ROW_GAP = 1.5
"""A piece is in a row of text when at least ``ROW_MATES`` other pieces within ``ROW_GAP`` times
its height beside it have their top and bottom within ``ROW_TOLERANCE`` of its height from its
own."""

DOT_SIZE = 12
DOT_ISOLATION = 2.0
"""A filled blob at most ``DOT_SIZE`` px across with no other ink within ``DOT_ISOLATION`` times
its size (at least 8 px) is dirt, not text."""

SHORT_BAND = 14
"""Bands of ink lower than this are too low for a line of text at about 150 dpi (8 pt is 17 px):
close ones are parts of one line (Hangul with its vowels below, split by a gap)."""

SPARSE_ROW = 0.04
"""A row with less ink than this share of a typical row separates lines."""

MIN_LINE_INK = 24
"""A line needs at least this many ink pixels."""

TOUCHING_HEIGHT = 28
TOUCHING_VALLEY = 0.25
TOUCHING_PART = 0.3
"""A line box at least ``TOUCHING_HEIGHT`` px high may be two lines that touch (a descender or a
comma reaching the line below, as handwriting wrapped in a box does): where a row in its middle
holds under ``TOUCHING_VALLEY`` of the ink of a typical row, with at least ``TOUCHING_PART`` of
the box's height above and below, the two halves are read as well as the whole, and the
reading with the better confidence wins (:func:`chosen_pieces`). The row alone cannot decide:
a Korean syllable leaves a row as empty between its vowel and its final consonant."""

TOUCHING_TAIL = 0.35
"""A stroke crossing the cut between touching lines with under this share of its ink on one side
goes whole to the other side's line."""

TOUCHING_GAIN = 0.05
"""The halves win when each reads with a confidence at least this much above the whole's."""

HANGUL_SPACE = 0.24
HAN_SPACE = 0.20
MIXED_SPACE = 0.45
"""A gap in the ink at least this share of the line's height is a space between words: next to
Hangul; between two Han or kana characters; between Han or kana and a digit or letter.

Measured on Noto CJK renders at 18-34 px, clean and degraded, at the boundary between two
characters: inside Korean words gaps stay below 0.23 (one case of 660 at 0.28) and spaces are
above 0.23 (two at 0.20-0.23). Han and kana glyphs with wide side bearings (日, 丁, 1 next to
月) leave gaps up to 0.29 without a space, so Japanese and Chinese need more: spaces there
(names such as 山田 太郎) measure 0.21-0.33 and some are missed, which costs less than cutting
a word in two."""

HAN_LONE_SPACE = 0.30
"""Between Han or kana characters, where the space would leave one character alone at the
start or end of the line (few words are one character; glyphs like 丁 目 have wide bearings)."""

KANA_SPACE = 0.5
"""Next to hiragana or katakana: kana such as く and し leave wide gaps of their own, and a real
space between Japanese words is wide (a full-width space is as wide as the line is high)."""

SPACE_MARGIN = 0.10
"""A space's gap must also exceed the gaps beside it by this share of the line's height."""

LATIN_SPACE = 0.3
"""A gap at least this share of the line height between a digit and a letter (or a small letter
and a capital, after a comma, after a closing bracket, before an opening one) is a space the
recognizer dropped."""

MIXED_MARGIN = 0.05
""":data:`SPACE_MARGIN` between Hangul and a digit or Latin letter: a digit is narrow and
leaves no wide gap of its own, but the Hangul beside it may (``로`` in ``동성로 45``: 0.19-0.21
before it, 0.25-0.30 for the space after it)."""

MID_REACH = 0.25
"""A gap between two characters must come this near their boundary (share of their distance)."""


@dataclass(frozen=True)
class InkMap:
    """The ink of a crop. ``text`` is ink without rules, specks and scribbles; ``rules`` the rules
    and scribbles removed (painted with the paper in the line images)."""

    text: NDArray[np.bool_]
    rules: NDArray[np.bool_]
    background: NDArray[np.uint8]


def to_gray(image: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """An RGB or gray ``uint8`` image as gray."""
    if image.ndim == 2:
        return np.ascontiguousarray(image)
    if image.shape[2] == 4:
        image = image[:, :, :3]
    return np.ascontiguousarray(cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_RGB2GRAY))


def find_ink(gray: NDArray[np.uint8]) -> InkMap:
    """Separate the text's ink from the paper, then take away long rules and specks."""
    height, width = gray.shape
    empty = np.zeros((height, width), dtype=bool)
    if height < 3 or width < 3:
        return InkMap(empty, empty, np.full_like(gray, 255))
    smooth = _u8(cv2.GaussianBlur(gray, (3, 3), 0))
    background = _u8(cv2.dilate(smooth, np.ones((BACKGROUND_WINDOW, BACKGROUND_WINDOW), np.uint8)))
    darkness = _u8(cv2.subtract(background, smooth))
    if int(darkness.max()) < MIN_CONTRAST:
        return InkMap(empty, empty, background)
    # The smoothed image says how dark the ink is; the raw one keeps strokes a pixel thin.
    threshold = max(MIN_CONTRAST * 0.8, 0.4 * _robust_peak(darkness))
    ink = _u8(cv2.subtract(background, gray)) >= threshold
    rules = _rules(ink)
    text = _drop_specks(ink & ~rules)
    scribbles = _scribbles(text)
    if scribbles.any():
        text &= ~scribbles
        rules = rules | cv2.dilate(scribbles.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    return InkMap(text, rules, background)


def _u8(array: object) -> NDArray[np.uint8]:
    return np.asarray(array, dtype=np.uint8)


def _robust_peak(darkness: NDArray[np.uint8]) -> float:
    """How dark the ink is: a high percentile of the clearly dark pixels (not one dark speck)."""
    dark = darkness[darkness >= MIN_CONTRAST]
    if dark.size == 0:
        return float(MIN_CONTRAST)
    return float(np.percentile(dark, 90))


def _open(mask: NDArray[np.uint8], thicken: tuple[int, int], run: tuple[int, int]) -> NDArray[np.uint8]:
    """Runs at least ``run`` (rows, columns) long in ``mask`` thickened by ``thicken`` first, so
    a rule tilted by a fraction of a degree stays one run.

    The run must lie inside the crop: outside it is paper (OpenCV's default border counts as ink
    when eroding, so a letter's stem that touched the crop's bottom edge was half a rule long
    already, and the stems of a value written low in its box were erased as rules)."""
    thick = cv2.dilate(mask, np.ones(thicken, np.uint8))
    opened = cv2.morphologyEx(
        thick, cv2.MORPH_OPEN, np.ones(run, np.uint8), borderType=cv2.BORDER_CONSTANT, borderValue=0
    )
    return _u8(opened)


def _rules(ink: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Long thin horizontal and vertical strokes (box borders, underlines), slightly grown."""
    height, width = ink.shape
    mask = _u8(ink)
    found = np.zeros_like(mask)
    h_len = max(40, width // 3)
    if width > h_len:
        found |= _open(mask, (3, 1), (1, h_len))
    v_len = max(20, int(0.8 * min(height, 150)))
    if height > v_len:
        found |= _thin(_open(mask, (1, 3), (v_len, 1)))
    # Near the left and right edges, shorter vertical strokes that come in from the crop's top or
    # bottom are rules too (a border cut short by the crop, a neighbouring cell's line).
    edge_len, margin = max(12, int(0.45 * min(height, 150))), max(4, width // 40)
    if height > edge_len and width > 2 * margin:
        runs = _open(mask, (1, 3), (edge_len, 1))
        runs[:, margin:-margin] = 0
        found |= _thin(_touching_top_or_bottom(runs))
    if not found.any():
        return np.zeros_like(ink)
    # Grown a little, so the rule's faint anti-aliased edges go with it.
    return _u8(cv2.dilate(found, np.ones((3, 3), np.uint8))).astype(bool)


def _thin(runs: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """The vertical runs that are thin for their length: a rule, not a bold letter's stem (the
    stem of a large title glyph in a tight crop is as tall as a short rule, but much wider)."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(runs, connectivity=8)
    if count <= 1:
        return runs
    widths = stats[:, cv2.CC_STAT_WIDTH]
    heights = stats[:, cv2.CC_STAT_HEIGHT]
    keep = np.asarray(widths <= np.maximum(6, 0.1 * heights), dtype=bool)
    keep[0] = False
    return _u8(keep[labels])


def _touching_top_or_bottom(runs: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """The connected parts of ``runs`` that reach the first or last two rows."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(runs, connectivity=8)
    if count <= 1:
        return runs
    top = stats[:, cv2.CC_STAT_TOP]
    bottom = top + stats[:, cv2.CC_STAT_HEIGHT]
    keep = np.asarray((top <= 1) | (bottom >= runs.shape[0] - 1), dtype=bool)
    keep[0] = False
    return _u8(keep[labels])


def _drop_specks(mask: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Without specks (tiny components) and isolated dots (small filled blobs far from any
    other ink: dust, a stray pen touch; a period or the dot of an i has ink next to it)."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if count <= 1:
        return mask
    area = stats[:, cv2.CC_STAT_AREA]
    keep = np.asarray(area >= MIN_SPECK_AREA, dtype=bool)
    keep[0] = False
    left, top = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_TOP]
    right, bottom = left + stats[:, cv2.CC_STAT_WIDTH], top + stats[:, cv2.CC_STAT_HEIGHT]
    size = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])
    fill = area / np.maximum(1, stats[:, cv2.CC_STAT_WIDTH] * stats[:, cv2.CC_STAT_HEIGHT])
    dots = np.flatnonzero(keep & (size <= DOT_SIZE) & (fill >= 0.5))
    others = np.flatnonzero(keep)
    for dot in dots:
        rest = others[others != dot]
        dx = np.maximum(0, np.maximum(left[rest] - right[dot], left[dot] - right[rest]))
        dy = np.maximum(0, np.maximum(top[rest] - bottom[dot], top[dot] - bottom[rest]))
        if rest.size == 0 or np.min(np.maximum(dx, dy)) > DOT_ISOLATION * max(int(size[dot]), 8):
            keep[dot] = False
    return np.asarray(keep[labels], dtype=bool)


def _scribbles(mask: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """The pieces of ``mask`` that are scribbles, not text (see :data:`SCRIBBLE_HEIGHT`), with the
    smaller pieces around them: the scribble's own strokes, cut apart by the crop's edge."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    found = np.zeros(count, dtype=bool)
    for i in range(1, count):
        left, top, width, height = (int(v) for v in stats[i, :4])
        if height < SCRIBBLE_HEIGHT * mask.shape[0] or width < SCRIBBLE_TALL_WIDTH * height:
            continue
        if width >= SCRIBBLE_WIDTH * height:
            found[i] = True
            continue
        loops = _loops(labels[top : top + height, left : left + width] == i)
        tall = height >= SCRIBBLE_TALL_HEIGHT * mask.shape[0]
        found[i] = (width >= SCRIBBLE_LOOPED_WIDTH * height and loops >= SCRIBBLE_LOOPS) or (
            tall and loops >= SCRIBBLE_TALL_LOOPS
        )
    if not found.any():
        return np.zeros(mask.shape, dtype=bool)
    lefts, tops = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_TOP]
    heights = stats[:, cv2.CC_STAT_HEIGHT]
    centre_x = lefts + stats[:, cv2.CC_STAT_WIDTH] / 2
    centre_y = tops + heights / 2
    scribbles = np.flatnonzero(found)
    in_row = _in_a_row(np.asarray(stats, dtype=np.int32), found)
    for j in scribbles:
        reach = SCRIBBLE_REACH * float(heights[j])
        right, bottom = int(lefts[j] + stats[j, cv2.CC_STAT_WIDTH]), int(tops[j] + heights[j])
        found |= (
            (centre_x >= lefts[j] - reach)
            & (centre_x <= right + reach)
            & (centre_y >= tops[j] - reach / 2)
            & (centre_y <= bottom + reach / 2)
            & (heights < heights[j])
            & ~in_row
        )
    found[0] = False
    return np.asarray(found[labels], dtype=bool)


def _in_a_row(stats: NDArray[np.int32], scribble: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Pieces that line up, top and bottom, with at least :data:`ROW_MATES` others: characters of
    a line of text, kept even beside a scribble (the last digit before a signature), where the
    scribble's own strokes cut off by the crop's edge line up with nothing."""
    tops = stats[:, cv2.CC_STAT_TOP].astype(np.float64)
    bottoms = tops + stats[:, cv2.CC_STAT_HEIGHT]
    heights = stats[:, cv2.CC_STAT_HEIGHT].astype(np.float64)
    tolerance = ROW_TOLERANCE * heights
    same = (np.abs(tops[:, None] - tops[None, :]) <= tolerance[:, None]) & (
        np.abs(bottoms[:, None] - bottoms[None, :]) <= tolerance[:, None]
    )
    lefts = stats[:, cv2.CC_STAT_LEFT].astype(np.float64)
    rights = lefts + stats[:, cv2.CC_STAT_WIDTH]
    gap = np.maximum(lefts[None, :] - rights[:, None], lefts[:, None] - rights[None, :])
    same &= gap <= ROW_GAP * heights[:, None]  # near: not across the scribble
    same[:, 0] = same[0, :] = False  # the background
    same[:, scribble] = False
    np.fill_diagonal(same, False)
    return np.asarray(same.sum(axis=1) >= ROW_MATES)


def _loops(piece: NDArray[np.bool_]) -> int:
    """How many holes one connected piece of ink encloses."""
    contours, _ = cv2.findContours(piece.astype(np.uint8), cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    return max(0, len(contours) - 1)


def _bands(profile: NDArray[np.int64]) -> list[tuple[int, int]]:
    """Runs of non-zero entries, as ``(start, end)`` with end exclusive."""
    on = np.concatenate(([0], (profile > 0).astype(np.int8), [0]))
    edges = np.flatnonzero(np.diff(on))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def _merge_bands(bands: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join bands split inside one line (the dot of an i, accents, Hangul at small sizes).

    Two bands of about the same height are two lines however close they are: a wrapped value
    written large leaves as little as two empty rows between its lines (they were once joined
    when the gap was under a tenth of their height, and read as one garbled line)."""
    merged = list(bands)
    changed = True
    while changed and len(merged) > 1:
        changed = False
        for i in range(len(merged) - 1):
            (a0, a1), (b0, b1) = merged[i], merged[i + 1]
            gap, ha, hb = b0 - a1, a1 - a0, b1 - b0
            small, large = min(ha, hb), max(ha, hb)
            pieces = large < SHORT_BAND and gap <= large  # 윤하은 at 8 pt: ㅇ ㅎ above, ㅠ ㅡ below
            if (small < 0.5 * large and gap <= 0.35 * large) or pieces:
                merged[i : i + 2] = [(a0, b1)]
                changed = True
                break
    return merged


def split_lines(gray: NDArray[np.uint8], ink: InkMap | None = None) -> list[Box]:
    """Boxes of the text lines in a crop, top to bottom, each trimmed to its ink.

    Long rules at the crop's edges (or across it), specks and faint noise are not text; a crop
    with none of its own ink gives ``[]``.
    """
    ink = ink or find_ink(gray)
    mask = ink.text
    if not mask.any():
        return []
    profile = mask.sum(axis=1)
    # Rows with a few pixels of ink are gaps too: two lines set close touch by a descender.
    faint = max(0.0, SPARSE_ROW * float(np.median(profile[profile > 0])))
    bands = _merge_bands(_bands(np.where(profile > faint, profile, 0)))
    boxes: list[Box] = []
    for top, bottom in bands:
        if bottom - top < MIN_LINE_HEIGHT:
            continue
        box = trim_to_ink(mask, (0, top, mask.shape[1], bottom))
        if box is None:
            continue
        left, top2, right, bottom2 = box
        if bottom2 - top2 < MIN_LINE_HEIGHT or int(mask[top2:bottom2, left:right].sum()) < MIN_LINE_INK:
            continue
        boxes.append(box)
    return boxes


def trim_to_ink(mask: NDArray[np.bool_], box: Box) -> Box | None:
    """``box`` shrunk to the ink inside it, or ``None`` when it holds none."""
    left, top, right, bottom = box
    part = mask[top:bottom, left:right]
    rows = np.flatnonzero(part.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(part.any(axis=0))
    return (left + int(cols[0]), top + int(rows[0]), left + int(cols[-1]) + 1, top + int(rows[-1]) + 1)


def line_image(
    gray: NDArray[np.uint8],
    ink: InkMap,
    box: Box,
    pad_x: float,
    pad_y: float,
    hidden: NDArray[np.bool_] | None = None,
) -> NDArray[np.uint8]:
    """The line's pixels with margins, rules (and ``hidden`` strokes) painted over with paper;
    ``(x, y)`` of its origin is ``(box.left - round(pad_x), box.top - round(pad_y))`` in the crop
    (outside it: white)."""
    left, top, right, bottom = box
    px, py = round(pad_x), round(pad_y)
    height, width = gray.shape
    out = np.full((bottom - top + 2 * py, right - left + 2 * px), 255, dtype=np.uint8)
    x0, y0, x1, y1 = max(0, left - px), max(0, top - py), min(width, right + px), min(height, bottom + py)
    part = gray[y0:y1, x0:x1].copy()
    rules = ink.rules[y0:y1, x0:x1]
    if hidden is not None:
        other = cv2.dilate(hidden[y0:y1, x0:x1].astype(np.uint8), np.ones((3, 3), np.uint8))
        rules = rules | other.astype(bool)
    part[rules] = ink.background[y0:y1, x0:x1][rules]
    # Normalize the paper to white so gray or shaded paper reads like a clean scan.
    paper = ink.background[y0:y1, x0:x1].astype(np.int16)
    part = np.clip(part.astype(np.int16) + (255 - paper), 0, 255).astype(np.uint8)
    out[y0 - (top - py) : y1 - (top - py), x0 - (left - px) : x1 - (left - px)] = part
    return out


def ink_gaps(mask: NDArray[np.bool_], box: Box) -> list[tuple[int, int]]:
    """Runs of ink-free columns strictly inside ``box``'s ink, in crop x (end exclusive)."""
    left, top, right, bottom = box
    columns = mask[top:bottom, left:right].any(axis=0)
    gaps: list[tuple[int, int]] = []
    blank = np.concatenate(([0], (~columns).astype(np.int8), [0]))
    edges = np.flatnonzero(np.diff(blank))
    for a, b in zip(edges[::2], edges[1::2], strict=True):
        if a == 0 or b == columns.size:
            continue
        gaps.append((left + int(a), left + int(b)))
    return gaps


def is_hangul(char: str) -> bool:
    """True for Hangul syllables and jamo."""
    return bool(char) and unicodedata.name(char[0], "").startswith("HANGUL")


def is_cjk(char: str) -> bool:
    """True for Han, kana and Hangul (scripts written without spaces inside a word)."""
    if not char:
        return False
    name = unicodedata.name(char[0], "")
    return name.startswith(("CJK", "HIRAGANA", "KATAKANA", "HANGUL")) or "IDEOGRAPH" in name


def is_kana(char: str) -> bool:
    """True for hiragana and katakana (full and half width)."""
    code = ord(char[0])
    return 0x3040 <= code <= 0x30FF or 0x31F0 <= code <= 0x31FF or 0xFF66 <= code <= 0xFF9D


def split_words(
    mask: NDArray[np.bool_],
    line_box: Box,
    text: str,
    centers: Sequence[float],
    bounds: Sequence[float] | None = None,
) -> list[tuple[str, Box, tuple[int, int]]]:
    """Cut a recognized line into words with boxes on their ink.

    ``centers`` holds the approximate crop x of each non-space character of ``text`` (from the
    recognizer); ``bounds`` optionally the x where each character ends and the next begins
    (default: halfway between centers). Between two Latin characters (or digits) a word ends
    where ``text`` has a space. Next to a CJK character the ink decides, because recognizers
    drop spaces there (PP-OCR) or add them (Tesseract's ``kor``): a word ends at a gap near the
    characters' boundary of at least :data:`HANGUL_SPACE` (:data:`HAN_SPACE`,
    :data:`MIXED_SPACE`) of the line height that is also :data:`SPACE_MARGIN` wider than the
    gaps beside it. Returns ``(word, box, (first, last))`` with the indices of the word's first and last
    non-space character.
    """
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return []
    if len(centers) != len(chars):
        raise ValueError("one center per non-space character is needed")
    if bounds is None:
        bounds = [(a + b) / 2 for a, b in zip(centers, centers[1:], strict=False)]
    spaced = _space_before(text)
    left, top, right, bottom = line_box
    height = bottom - top
    gaps = ink_gaps(mask, line_box)
    found: list[tuple[int, int] | None] = []  # the widest gap at each boundary
    for i in range(len(chars) - 1):
        lo, hi = sorted((centers[i], centers[i + 1]))
        # The gap between two characters lies at their boundary; a gap nearer one center is
        # inside a character (between the jamo of 시, the strokes of 川).
        reach = max(1.0, (hi - lo) * MID_REACH)
        near = [g for g in gaps if g[0] <= bounds[i] + reach and g[1] >= bounds[i] - reach]
        found.append(max(near, key=lambda g: g[1] - g[0], default=None))
    widths = [0.0 if g is None else (g[1] - g[0]) / max(1, height) for g in found]
    cuts: list[tuple[int, float]] = []  # (index of the first char of the next word, cut x)
    for i, widest in enumerate(found):
        share = _space_share(chars[i], chars[i + 1])
        if share is None:
            cut = spaced[i + 1] or (
                _kind_change(chars[i], chars[i + 1])
                and widths[i] >= LATIN_SPACE
                and widths[i] - _beside(widths, i) >= SPACE_MARGIN
            )
            if cut and widest is None:
                lo, hi = sorted((centers[i], centers[i + 1]))
                between = [g for g in gaps if lo <= (g[0] + g[1]) / 2 <= hi]
                widest = max(between, key=lambda g: g[1] - g[0], default=None)
        else:
            if share == HAN_SPACE and i in (0, len(widths) - 1):
                share = HAN_LONE_SPACE  # a lone Han character at a line's end: 2丁 目, 王 小明
            cut = widths[i] >= share
            if cut and share != MIXED_SPACE:
                # Glyphs with wide side bearings (七, 小, 二; 김 next to 민) leave wide gaps on
                # both sides; a space widens only one.
                cut = widths[i] - _beside(widths, i) >= _space_margin(chars[i], chars[i + 1])
        if cut:
            x = (widest[0] + widest[1]) / 2 if widest is not None else bounds[i]
            cuts.append((i + 1, x))
    words: list[tuple[str, Box, tuple[int, int]]] = []
    starts = [0] + [i for i, _ in cuts]
    ends = [i for i, _ in cuts] + [len(chars)]
    xs = [float(left)] + [x for _, x in cuts] + [float(right)]
    for n, (start, end) in enumerate(zip(starts, ends, strict=True)):
        x0 = max(left, int(np.floor(xs[n])))
        x1 = min(right, max(x0 + 1, int(np.ceil(xs[n + 1]))))
        box = trim_to_ink(mask, (x0, top, x1, bottom)) or (x0, top, x1, bottom)
        words.append(("".join(chars[start:end]), box, (start, end - 1)))
    return words


def _space_share(a: str, b: str) -> float | None:
    """The least gap (share of the line height) that is a space between ``a`` and ``b``, or
    ``None`` where the recognizer's spaces are trusted (Latin letters, digits)."""
    if is_hangul(a) or is_hangul(b):
        return HANGUL_SPACE
    if is_kana(a) or is_kana(b):
        return KANA_SPACE
    cjk_a, cjk_b = is_cjk(a), is_cjk(b)
    if cjk_a and cjk_b:
        return HAN_SPACE
    if cjk_a or cjk_b:
        return MIXED_SPACE
    return None


def _space_margin(a: str, b: str) -> float:
    """How much wider than the gaps beside it a space between ``a`` and ``b`` must be."""
    if (is_hangul(a) and _ascii_alnum(b)) or (_ascii_alnum(a) and is_hangul(b)):
        return MIXED_MARGIN
    return SPACE_MARGIN


def _beside(widths: Sequence[float], i: int) -> float:
    """The wider of the gaps next to gap ``i``."""
    return max(widths[i - 1] if i > 0 else 0.0, widths[i + 1] if i + 1 < len(widths) else 0.0)


def _kind_change(a: str, b: str) -> bool:
    """A digit next to a letter, a small letter before a capital, a comma before a letter, or a
    bracket closed before (opened after) a letter or digit: where a recognizer drops a space it
    saw (``742Evergreen``, ``NorthwindInc.``, ``Portland,OR``, ``(649)555``)."""
    if not (a.isascii() and b.isascii()):
        return False
    if (a.isdigit() and b.isalpha()) or (a.isalpha() and b.isdigit()):
        return True
    if (a.islower() and b.isupper()) or (a == "," and b.isalpha()):
        return True
    return (a == ")" and b.isalnum()) or (a.isalnum() and b == "(")


def _ascii_alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _space_before(text: str) -> list[bool]:
    """For each non-space character: whether a space precedes it in ``text``."""
    flags: list[bool] = []
    pending = False
    for c in text:
        if c.isspace():
            pending = True
            continue
        flags.append(pending and bool(flags))
        pending = False
    return flags


def recognized_words(
    words: Sequence[tuple[str, Box, tuple[int, int]]], confidences: Sequence[float]
) -> list[RecognizedWord]:
    """Words from :func:`split_words` as the engine interface returns them: each with the mean
    confidence of its characters (``confidences`` holds one per non-space character), the
    last one ending the line."""
    out: list[RecognizedWord] = []
    for n, (word, box, (first, last)) in enumerate(words):
        confidence = float(np.clip(np.mean(confidences[first : last + 1]), 0.0, 1.0))
        out.append(
            RecognizedWord(
                text=word,
                confidence=confidence,
                box=(float(box[0]), float(box[1]), float(box[2]), float(box[3])),
                line_break=n == len(words) - 1,
            )
        )
    return out


@dataclass(frozen=True)
class LineChoice:
    """One line found in a crop: the piece holding it whole and, where it may be two lines that
    touch, the pieces of its upper and lower half (indices into :class:`CropLines`)."""

    whole: int
    halves: tuple[int, int] | None = None


@dataclass(frozen=True)
class CropLines:
    """The lines of one crop, cut out for a recognizer. ``boxes``, ``lines`` (the images) and
    ``origins`` (the crop x of each image's left edge) list every piece to read: each line
    found, then the halves of those that may be two; ``choices`` says which is which, in
    reading order."""

    ink: InkMap
    boxes: list[Box]
    lines: list[NDArray[np.uint8]]
    origins: list[int]
    choices: list[LineChoice]


def line_boxes(gray: NDArray[np.uint8], ink: InkMap, options: ReadOptions) -> list[Box]:
    """The crop's line boxes; for a single-character crop, all its lines as one box."""
    boxes = split_lines(gray, ink)
    if options.single_char and len(boxes) > 1:
        left, top = min(b[0] for b in boxes), min(b[1] for b in boxes)
        boxes = [(left, top, max(b[2] for b in boxes), max(b[3] for b in boxes))]
    return boxes


class Half(NamedTuple):
    """One of the two lines in a box of touching lines: its box, and the other line's strokes
    that reach into it (painted over with the paper in its image)."""

    box: Box
    hidden: NDArray[np.bool_]


def touching_halves(mask: NDArray[np.bool_], box: Box) -> tuple[Half, Half] | None:
    """The upper and lower line of a line box that may be two touching lines; ``None`` when it is
    not (see :data:`TOUCHING_HEIGHT`). They are cut at the emptiest row of its middle; a stroke
    crossing that row with little of its ink on one side (a descender's tail, an ascender's top)
    belongs to the other line."""
    left, top, right, bottom = box
    height = bottom - top
    if height < TOUCHING_HEIGHT:
        return None
    profile = mask[top:bottom, left:right].sum(axis=1)
    start, stop = round(TOUCHING_PART * height), round((1 - TOUCHING_PART) * height)
    if stop <= start:
        return None
    row = start + int(np.argmin(profile[start:stop]))
    if profile[row] > TOUCHING_VALLEY * float(np.median(profile[profile > 0])):
        return None
    part = mask[top:bottom, left:right]
    count, labels = cv2.connectedComponents(part.astype(np.uint8), connectivity=8)
    above = np.bincount(labels[:row].ravel(), minlength=count)
    below = np.bincount(labels[row:].ravel(), minlength=count)
    share_above = above / np.maximum(1, above + below)
    upper, lower = np.zeros_like(mask), np.zeros_like(mask)
    upper_part, lower_part = upper[top:bottom, left:right], lower[top:bottom, left:right]
    upper_part[:row] = part[:row] & (share_above[labels[:row]] > TOUCHING_TAIL)
    lower_part[row:] = part[row:] & (share_above[labels[row:]] < 1 - TOUCHING_TAIL)
    tails_up = part[row:] & (share_above[labels[row:]] >= 1 - TOUCHING_TAIL)
    tails_down = part[:row] & (share_above[labels[:row]] <= TOUCHING_TAIL)
    upper_part[row:] |= tails_up
    lower_part[:row] |= tails_down
    upper_box, lower_box = trim_to_ink(upper, box), trim_to_ink(lower, box)
    if upper_box is None or lower_box is None:
        return None
    least = max(MIN_LINE_HEIGHT, TOUCHING_PART * height / 2)
    if min(upper_box[3] - upper_box[1], lower_box[3] - lower_box[1]) < least:
        return None
    return Half(upper_box, mask & ~upper), Half(lower_box, mask & ~lower)


def chosen_pieces(choice: LineChoice, readings: Sequence[tuple[str, float]]) -> tuple[int, ...]:
    """The pieces to take a line's words from: its halves when both read two characters or more
    (not a comma's tail or a mark's edge), each with a confidence at least
    :data:`TOUCHING_GAIN` above the whole's; else the whole line.
    ``readings`` holds the text and confidence of every piece of the crop."""
    if choice.halves is None:
        return (choice.whole,)
    _, whole = readings[choice.whole]
    (upper_text, upper), (lower_text, lower) = (readings[i] for i in choice.halves)
    both = _characters(upper_text) >= 2 and _characters(lower_text) >= 2
    if both and min(upper, lower) >= whole + TOUCHING_GAIN:
        return choice.halves
    return (choice.whole,)


def _characters(text: str) -> int:
    return len(text) - sum(1 for c in text if c.isspace())


def crop_lines(
    image: NDArray[np.uint8],
    options: ReadOptions,
    pad_x: float,
    pad_y: float,
    min_pad: tuple[float, float] = (3.0, 2.0),
) -> CropLines:
    """Find a crop's lines and cut each out with margins of ``pad_x`` / ``pad_y`` of its height
    (at least ``min_pad`` pixels); a single-character crop's lines are taken as one, and a line
    that may be two touching lines is cut in halves too."""
    gray = to_gray(image)
    ink = find_ink(gray)
    boxes = line_boxes(gray, ink, options)
    hidden: list[NDArray[np.bool_] | None] = [None] * len(boxes)
    choices = []
    for n, box in enumerate(list(boxes)):
        halves = None if options.single_char else touching_halves(ink.text, box)
        if halves is None:
            choices.append(LineChoice(n))
            continue
        boxes.extend(half.box for half in halves)
        hidden.extend(half.hidden for half in halves)
        choices.append(LineChoice(n, (len(boxes) - 2, len(boxes) - 1)))
    lines, origins = [], []
    for box, hide in zip(boxes, hidden, strict=True):
        height = box[3] - box[1]
        px, py = max(min_pad[0], pad_x * height), max(min_pad[1], pad_y * height)
        lines.append(line_image(gray, ink, box, px, py, hide))
        origins.append(box[0] - round(px))
    return CropLines(ink, boxes, lines, origins, choices)
