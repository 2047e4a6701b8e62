"""templateocr's own line reader (Korean and Latin, printed and handwriting-style) as an OCR
engine.

The models are trained by :mod:`templateocr.training` and shipped in ``engines/models/`` with
their model cards (:mod:`templateocr.engines.crnn_model`); the server reads with all of them
(:mod:`templateocr.engines.crnn_ensemble`). Lines are found and cut exactly as in training
(:mod:`templateocr.engines.lines`, :mod:`templateocr.engines.crnn_input`); every line of a crop
is read in one batch; each character is placed by the frame it was read at, and the line is cut
into words at the gaps in the ink.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from templateocr.engines.base import Image, ReadOptions, RecognizedWord
from templateocr.engines.crnn_ensemble import open_recognizer
from templateocr.engines.crnn_input import HEIGHT, line_to_input
from templateocr.engines.crnn_model import SHIPPED_MODELS, LineReading
from templateocr.engines.lines import Box, chosen_pieces, crop_lines, recognized_words, split_words

__all__ = ["CrnnEngine"]

LINE_PAD_X = 0.25
LINE_PAD_Y = 0.12
"""Margins around a line, as shares of its height (as in training)."""

MIN_SCORE = 0.5
"""Short lines read with a lower mean confidence are dropped (a stroke or two of noise)."""

SHORT_LINE = 2

PEAK_LEAD = 0.05
"""The model emits a character at the frame of its left edge, not its middle: the boundary
between two characters lies this share of the line height before the second one's frame (not
halfway between the frames, which put the gap of a space outside the reach of
:func:`~templateocr.engines.lines.split_words`, so ``동성로 45`` came back ``동성로45``).
Measured on 73 rendered Korean lines with spaces (addresses, companies, names; Noto Sans and
Serif, 20-32 px): spaces right on 45 lines halfway, 66 at 0.0-0.05, 65 at 0.10, 61 at 0.30."""


class CrnnEngine:
    """Reads field crops with templateocr's own recognizer."""

    name = "crnn"

    def __init__(self, models: Sequence[tuple[Path, float]] = SHIPPED_MODELS, threads: int = 1) -> None:
        """Load the models (paths with their weights; one, or several read together) once."""
        self.recognizer = open_recognizer(models, threads)

    def read(self, image: Image, options: ReadOptions) -> list[RecognizedWord]:
        """Read the words of a crop; ``[]`` when it holds no text."""
        return self.read_many([(image, options)])[0]

    def read_many(self, jobs: Sequence[tuple[Image, ReadOptions]]) -> list[list[RecognizedWord]]:
        """Read several crops with one model call for all their lines."""
        crops = [crop_lines(image, options, LINE_PAD_X, LINE_PAD_Y) for image, options in jobs]
        inputs = [line_to_input(line) for crop in crops for line in crop.lines]
        readings = iter(self.recognizer.recognize(inputs))
        out: list[list[RecognizedWord]] = []
        for crop, (_, options) in zip(crops, jobs, strict=True):
            read = [next(readings) for _ in crop.lines]
            texts = [(reading.text.strip(), reading.score) for reading in read]
            words: list[RecognizedWord] = []
            for choice in crop.choices:
                for i in chosen_pieces(choice, texts):
                    if _keep(texts[i][0], read[i].score, options):
                        box, origin, line = crop.boxes[i], crop.origins[i], crop.lines[i]
                        words.extend(_line_words(crop.ink.text, box, origin, line, read[i]))
            out.append(words)
        return out


def _line_words(
    ink: NDArray[np.bool_], box: Box, origin: int, line: Image, reading: LineReading
) -> list[RecognizedWord]:
    """A line's words: each character placed at its frame (scaled from the model's input back to
    the crop), the line cut into words at gaps in the ink."""
    scale = line.shape[0] / HEIGHT
    placed = [
        (origin + x * scale, p)
        for c, x, p in zip(reading.text, reading.centers, reading.confidences, strict=True)
        if not c.isspace()
    ]
    centers = [x for x, _ in placed]
    confidences = [p for _, p in placed]
    lead = PEAK_LEAD * (box[3] - box[1])
    bounds = [max(a + 1.0, b - lead) for a, b in zip(centers, centers[1:], strict=False)]
    found = split_words(ink, box, reading.text.strip(), centers, bounds)
    return recognized_words(found, confidences)


def _keep(text: str, score: float, options: ReadOptions) -> bool:
    if not text:
        return False
    short = len(text.replace(" ", "")) <= SHORT_LINE
    return not (short and score < MIN_SCORE and not options.single_char)
