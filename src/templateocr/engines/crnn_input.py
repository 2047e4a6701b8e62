"""How a text line becomes the input of templateocr's own recognizer, the same in training and
at inference: gray, paper white, resized to :data:`HEIGHT` pixels keeping its aspect, values in
``[-1, 1]`` with ink dark (negative) and paper at 1.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

__all__ = ["HEIGHT", "MAX_WIDTH", "PAD_VALUE", "STRIDE", "line_to_input", "pad_lines"]

HEIGHT = 32
"""Rows of the model's input."""

STRIDE = 4
"""Input columns per output frame: widths are rounded up to a multiple of it."""

MAX_WIDTH = 1600
"""Longer lines are squeezed to this width."""

PAD_VALUE = 1.0
"""Paper, the value that pads a line to the width of a batch."""


def line_to_input(line: NDArray[np.uint8]) -> NDArray[np.float32]:
    """A gray line image (ink dark on white) as a ``(HEIGHT, width)`` float array."""
    height, width = line.shape[:2]
    scale = HEIGHT / max(1, height)
    new_width = max(STRIDE * 2, min(MAX_WIDTH, round(width * scale)))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    resized = cv2.resize(line, (new_width, HEIGHT), interpolation=interpolation)
    padded_width = -(-new_width // STRIDE) * STRIDE
    out = np.full((HEIGHT, padded_width), PAD_VALUE, dtype=np.float32)
    out[:, :new_width] = resized.astype(np.float32) / 127.5 - 1.0
    return out


def pad_lines(lines: list[NDArray[np.float32]]) -> tuple[NDArray[np.float32], NDArray[np.int64]]:
    """Lines of one batch padded with paper to the widest: ``(n, 1, HEIGHT, width)`` and widths."""
    widths = np.array([line.shape[1] for line in lines], dtype=np.int64)
    batch = np.full((len(lines), 1, HEIGHT, int(widths.max())), PAD_VALUE, dtype=np.float32)
    for i, line in enumerate(lines):
        batch[i, 0, :, : line.shape[1]] = line
    return batch, widths
