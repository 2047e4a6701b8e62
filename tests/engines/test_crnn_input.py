"""Line images as the recognizer's input, the same in training and at inference."""

from __future__ import annotations

import numpy as np

from templateocr.engines.crnn_input import HEIGHT, MAX_WIDTH, PAD_VALUE, STRIDE, line_to_input, pad_lines


def test_a_line_keeps_its_aspect_and_ink_is_dark() -> None:
    line = np.full((64, 300), 255, dtype=np.uint8)
    line[20:44, 30:270] = 0
    out = line_to_input(line)
    assert out.shape == (HEIGHT, 152)  # 150 columns, padded to a multiple of the stride
    assert out.dtype == np.float32
    assert out.min() == -1.0 and out.max() == 1.0
    assert np.all(out[:, 150:] == PAD_VALUE)


def test_tiny_and_very_long_lines() -> None:
    assert line_to_input(np.zeros((5, 1), np.uint8)).shape == (HEIGHT, 2 * STRIDE)
    assert line_to_input(np.zeros((10, 4000), np.uint8)).shape == (HEIGHT, MAX_WIDTH)


def test_pad_lines_pads_with_paper() -> None:
    a = np.zeros((HEIGHT, 8), np.float32)
    b = np.zeros((HEIGHT, 16), np.float32)
    batch, widths = pad_lines([a, b])
    assert batch.shape == (2, 1, HEIGHT, 16)
    assert widths.tolist() == [8, 16]
    assert np.all(batch[0, 0, :, 8:] == PAD_VALUE) and np.all(batch[1, 0] == 0)
