"""Deciding whether a checkbox is checked: ink added inside the box, against the blank sample."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from templateocr.models.page import Image
from templateocr.pipeline.dropout import Mask, added_ink

__all__ = ["CheckboxReading", "decide_checkbox", "read_checkbox"]

CHECKED_RATIO = 0.035
"""Share of the box's inner area that added ink must cover to count as a mark."""


@dataclass(frozen=True)
class CheckboxReading:
    """Checked or not, and how far the measurement is from the decision line (0.5 to 1)."""

    checked: bool
    confidence: float
    ink_ratio: float


def _opened(mask: NDArray[np.uint8], kernel: tuple[int, int]) -> NDArray[np.bool_]:
    opened = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones(kernel, np.uint8))
    return np.asarray(opened, dtype=bool)


def read_checkbox(page_crop: Image, sample_crop: Image, *, scale: float = 1.0) -> CheckboxReading:
    """Compare the page's box with the sample's empty box."""
    return decide_checkbox(added_ink(page_crop, sample_crop, scale=scale), scale=scale)


def decide_checkbox(added: Mask, *, scale: float = 1.0) -> CheckboxReading:
    """Checked or not, from the ink added inside the box (``dropout.added_to``)."""
    extra = added.astype(np.uint8)
    height, width = extra.shape
    # Thin straight rules (a box border landing a pixel off) are not marks.
    line_len = max(5, int(min(height, width) * 0.6))
    lines = _opened(extra, (1, line_len)) | _opened(extra, (line_len, 1))
    thick = max(3, round(4 * scale))
    solid = _opened(extra, (thick, thick))
    marks = added & ~(lines & ~solid)
    # Speckle is not a mark either.
    marks = _opened(marks.astype(np.uint8), (2, 2))
    inner = marks[int(height * 0.1) : max(int(height * 0.9), 1), int(width * 0.1) : max(int(width * 0.9), 1)]
    ratio = float(np.count_nonzero(inner)) / float(max(inner.size, 1))
    distance = abs(ratio - CHECKED_RATIO) / CHECKED_RATIO
    confidence = float(min(1.0, 0.5 + 0.5 * min(distance, 1.0)))
    return CheckboxReading(checked=ratio >= CHECKED_RATIO, confidence=round(confidence, 4), ink_ratio=ratio)
