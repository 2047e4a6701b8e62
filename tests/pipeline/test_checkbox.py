from __future__ import annotations

import cv2
import numpy as np

from templateocr.pipeline.checkbox import read_checkbox


def _box(size: int = 40) -> np.ndarray:
    image = np.full((size, size, 3), 255, np.uint8)
    cv2.rectangle(image, (6, 6), (size - 7, size - 7), (30, 30, 30), 2)
    return image


def test_empty_box_is_unchecked_even_when_shifted() -> None:
    sample = _box()
    page = np.roll(_box(), 2, axis=1)
    reading = read_checkbox(page, sample)
    assert not reading.checked


def test_tick_cross_and_fill_are_checked() -> None:
    sample = _box()
    tick = _box()
    cv2.line(tick, (11, 20), (18, 29), (20, 20, 200), 3)
    cv2.line(tick, (18, 29), (31, 10), (20, 20, 200), 3)
    cross = _box()
    cv2.line(cross, (10, 10), (30, 30), (0, 0, 0), 2)
    cv2.line(cross, (30, 10), (10, 30), (0, 0, 0), 2)
    filled = _box()
    cv2.rectangle(filled, (12, 12), (28, 28), (0, 0, 0), -1)
    for page in (tick, cross, filled):
        reading = read_checkbox(page, sample)
        assert reading.checked, reading
        assert 0.5 <= reading.confidence <= 1.0


def test_noise_is_not_a_mark() -> None:
    rng = np.random.default_rng(3)
    sample = _box()
    page = _box().astype(np.int16) + rng.normal(0, 12, (40, 40, 3)).astype(np.int16)
    reading = read_checkbox(np.clip(page, 0, 255).astype(np.uint8), sample)
    assert not reading.checked
