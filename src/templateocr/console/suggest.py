"""Propose field areas on a blank sample: the empty cell, box or line beside each printed label.

The page's ruling lines are found with morphology; the regions they enclose are cells. A blank
cell is a field named after the text cell left of it (or above it); a small blank square is a
checkbox named after the text right of it; a row of equal small squares is one MULTI_BOX; a
free-standing horizontal line is a field above the line, named after the text left of it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

__all__ = ["Box", "Suggestion", "suggest_fields"]

Box = tuple[int, int, int, int]
"""``(left, top, right, bottom)`` in sample pixels."""

ReadText = Callable[[NDArray[np.uint8]], str]
"""Reads the text of an RGB crop (one label)."""

_INK = 160
_MIN_CELL = 18


@dataclass(frozen=True)
class Suggestion:
    """One proposed field: its name (from the label), type and area (or MULTI_BOX boxes)."""

    name: str
    type: str
    box: Box
    boxes: tuple[Box, ...] = ()
    label: Box | None = None


def _rules(ink: NDArray[np.uint8], scale: int) -> tuple[NDArray[np.uint8], NDArray[np.uint8]]:
    length = max(15, scale // 70)
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1)))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, length)))
    return np.asarray(horizontal, np.uint8), np.asarray(vertical, np.uint8)


def _cells(rules: NDArray[np.uint8]) -> list[Box]:
    closed = cv2.dilate(rules, np.ones((3, 3), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats((closed == 0).astype(np.uint8), connectivity=4)
    height, width = rules.shape
    cells: list[Box] = []
    for i in range(1, count):
        x, y, w, h, area = (int(v) for v in stats[i])
        if w < _MIN_CELL or h < _MIN_CELL or (w > 0.95 * width and h > 0.5 * height):
            continue
        if x == 0 or y == 0 or x + w >= width or y + h >= height:
            continue  # the page's background, not an enclosed region
        if area < 0.6 * w * h:
            continue
        cells.append((x, y, x + w, y + h))
    return cells


def _text_ink(ink: NDArray[np.uint8], rules: NDArray[np.uint8], box: Box, pad: int = 3) -> int:
    left, top, right, bottom = box
    inner = ink[top + pad : bottom - pad, left + pad : right - pad]
    ruled = rules[top + pad : bottom - pad, left + pad : right - pad]
    return int(np.count_nonzero((inner > 0) & (ruled == 0)))


def _overlap(a0: int, a1: int, b0: int, b1: int) -> float:
    return max(0, min(a1, b1) - max(a0, b0)) / max(1, min(a1 - a0, b1 - b0))


def _is_square(box: Box, limit: int) -> bool:
    w, h = box[2] - box[0], box[3] - box[1]
    return w <= limit and h <= limit and 0.6 <= w / max(1, h) <= 1.6


def _text_right_of(ink: NDArray[np.uint8], box: Box, reach: int) -> Box | None:
    """The ink to the right of ``box`` on its row (a checkbox's label), trimmed."""
    left, top, right, bottom = box
    pad = (bottom - top) // 3
    y0, y1 = max(0, top - pad), min(ink.shape[0], bottom + pad)
    strip = ink[y0:y1, right + 4 : min(ink.shape[1], right + reach)]
    cols = np.flatnonzero(strip.any(axis=0))
    if not len(cols):
        return None
    # Stop at the first wide gap: the label ends there.
    gaps = np.flatnonzero(np.diff(cols) > 3 * (bottom - top))
    end = cols[gaps[0]] if len(gaps) else cols[-1]
    rows = np.flatnonzero(strip[:, cols[0] : end + 1].any(axis=1))
    return (right + 4 + int(cols[0]), y0 + int(rows[0]), right + 4 + int(end) + 1, y0 + int(rows[-1]) + 1)


def _clean(text: str) -> str:
    return " ".join(text.replace("|", " ").split()).strip(" :：.").strip()


def suggest_fields(image: NDArray[np.uint8], read_text: ReadText) -> list[Suggestion]:
    """Proposed fields on a blank sample (RGB ``uint8``), top to bottom.

    Args:
        image: the sample page.
        read_text: reads one label crop (the server passes the OCR engine of the template's language).
    """
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    ink = ((gray < _INK) * 255).astype(np.uint8)
    horizontal, vertical = _rules(ink, max(gray.shape))
    rules = np.maximum(horizontal, vertical)
    cells = _cells(rules)
    page_h, page_w = gray.shape
    blank = [c for c in cells if _text_ink(ink, rules, c) < 15]
    texty = [c for c in cells if c not in blank]
    box_limit = max(24, page_w // 12)

    def read(box: Box, pad: int = 4) -> str:
        left, top, right, bottom = box
        crop = image[max(0, top + pad) : bottom - pad, max(0, left + pad) : right - pad]
        return _clean(read_text(np.ascontiguousarray(crop))) if crop.size else ""

    out: list[Suggestion] = []
    squares = [c for c in blank if _is_square(c, box_limit)]
    used: set[Box] = set()
    # Rows of equal squares side by side: one MULTI_BOX each.
    for square in sorted(squares, key=lambda c: (c[1], c[0])):
        if square in used:
            continue
        size = square[3] - square[1]
        row = [s for s in squares if abs(s[1] - square[1]) < 6 and abs((s[3] - s[1]) - size) < 6]
        row.sort(key=lambda c: c[0])
        if len(row) < 3:
            continue
        used.update(row)
        hull = (row[0][0], min(s[1] for s in row), row[-1][2], max(s[3] for s in row))
        beside = [t for t in texty if t[2] <= hull[0] and _overlap(t[1], t[3], hull[1], hull[3]) > 0.5]
        label = max(beside, key=lambda t: t[2]) if beside else None
        name = read(label) if label else ""
        out.append(Suggestion(name or "Boxes", "MULTI_BOX", hull, tuple(row), label))
    # Single squares: checkboxes, named after the text right of them.
    for square in squares:
        if square in used:
            continue
        used.add(square)
        label = _text_right_of(ink, square, page_w // 2)
        name = read(label, pad=-2) if label else ""
        grown = (square[0] - 6, square[1] - 6, square[2] + 6, square[3] + 6)  # take in the box's frame
        out.append(Suggestion(" ".join(name.split()[:4]) or "Checkbox", "CHECKBOX", grown, (), label))
    # Blank cells: fields named after the text cell left of them, else above them.
    for cell in blank:
        if cell in used or any(_inside(s, cell) for s in used):
            continue
        left_of = [
            t for t in texty if abs(t[2] - cell[0]) < 8 and _overlap(t[1], t[3], cell[1], cell[3]) > 0.7
        ]
        above = [t for t in texty if abs(t[3] - cell[1]) < 8 and _overlap(t[0], t[2], cell[0], cell[2]) > 0.7]
        if not (left_of or above):
            continue
        label = (left_of or above)[0]
        name = read(label)
        if name:
            out.append(Suggestion(name, "NORMAL", cell, (), label))
    # Free-standing lines: the area above each, named after the text left of it.
    out.extend(_underlines(ink, horizontal, vertical, cells, read))
    return _unique_names(sorted(out, key=lambda s: (s.box[1], s.box[0])))


def _inside(inner: Box, outer: Box) -> bool:
    return inner[0] >= outer[0] and inner[1] >= outer[1] and inner[2] <= outer[2] and inner[3] <= outer[3]


def _underlines(
    ink: NDArray[np.uint8],
    horizontal: NDArray[np.uint8],
    vertical: NDArray[np.uint8],
    cells: list[Box],
    read: Callable[[Box, int], str],
) -> list[Suggestion]:
    out: list[Suggestion] = []
    count, _, stats, _ = cv2.connectedComponentsWithStats(horizontal, connectivity=8)
    page_w = ink.shape[1]
    touching = cv2.dilate(vertical, np.ones((9, 9), np.uint8))
    for i in range(1, count):
        x, y, w, h, _area = (int(v) for v in stats[i])
        if h > 8 or w < page_w // 12 or w > page_w // 2:
            continue
        if np.count_nonzero(touching[y : y + h, x : x + w]):
            continue  # part of a table's grid
        height = max(30, w // 6)
        top = max(0, y - height)
        if np.count_nonzero(ink[top : y - 2, x + 2 : x + w - 2]) > 20:
            continue  # text sits on it already: not a blank line
        strip = ink[top:y, max(0, x - page_w // 3) : x - 2]
        cols = np.flatnonzero(strip.any(axis=0))
        if not len(cols):
            continue
        start = max(0, x - page_w // 3) + int(cols[0])
        rows = np.flatnonzero(strip.any(axis=1))
        label: Box = (start, top + int(rows[0]), x - 2, top + int(rows[-1]) + 1)
        name = read(label, -2)
        if name:
            out.append(Suggestion(name, "NORMAL", (x, top, x + w, y), (), label))
    return out


def _unique_names(suggestions: list[Suggestion]) -> list[Suggestion]:
    seen: dict[str, int] = {}
    out = []
    for s in suggestions:
        count = seen.get(s.name, 0)
        seen[s.name] = count + 1
        out.append(s if count == 0 else Suggestion(f"{s.name} {count + 1}", s.type, s.box, s.boxes, s.label))
    return out
