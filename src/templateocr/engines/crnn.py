"""templateocr's own line recognizer (Korean and Latin, printed and handwriting-style), run with
onnxruntime.

The model is trained by :mod:`templateocr.training` and shipped in ``engines/models/`` with its
model card; its classes (``charset``) and how they spell text (``alphabet``: one class per
character, or Hangul as jamo, see :mod:`templateocr.engines.jamo`) lie in the ONNX file's
metadata. Lines are found and cut exactly as in
training (:mod:`templateocr.engines.lines`, :mod:`templateocr.engines.crnn_input`); every line
of a crop is read in one batch; each character is placed by the frame it was read at, and the
line is cut into words at the gaps in the ink.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from templateocr.engines.base import Image, ReadOptions, RecognizedWord
from templateocr.engines.crnn_input import HEIGHT, STRIDE, line_to_input, pad_lines
from templateocr.engines.ctc import greedy_decode
from templateocr.engines.jamo import JAMO_ALPHABET, SYLLABLES, join_jamo
from templateocr.engines.lines import Box, chosen_pieces, crop_lines, recognized_words, split_words
from templateocr.exceptions import ConfigurationError

os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

__all__ = ["MODEL_PATH", "CrnnEngine", "CrnnRecognizer", "LineReading"]

MODEL_PATH = Path(__file__).resolve().parent / "models" / "ko_latin_crnn.onnx"
"""The shipped model."""

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


@dataclass(frozen=True)
class LineReading:
    """A line's text, each character's x in input columns, and each character's confidence."""

    text: str
    centers: list[float]
    confidences: list[float]

    @property
    def score(self) -> float:
        """The mean confidence (0 for an empty line)."""
        return float(np.mean(self.confidences)) if self.confidences else 0.0


class CrnnRecognizer:
    """The ONNX model: model-ready lines in, texts out."""

    def __init__(self, model_path: Path = MODEL_PATH, threads: int = 1) -> None:
        """Load the model once; ``ConfigurationError`` when it is missing or not ours."""
        import onnxruntime as ort

        if not model_path.is_file():
            raise ConfigurationError(f"recognizer model {model_path} is missing; reinstall templateocr")
        options = ort.SessionOptions()
        options.intra_op_num_threads = max(1, threads)
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self._session = ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
        metadata = self._session.get_modelmeta().custom_metadata_map
        if "charset" not in metadata:
            raise ConfigurationError(f"{model_path} has no charset in its metadata")
        self.charset: str = metadata["charset"]
        self.metadata = dict(metadata)
        self.alphabet = metadata.get("alphabet", SYLLABLES)
        if self.alphabet not in (SYLLABLES, JAMO_ALPHABET):
            raise ConfigurationError(f"{model_path} reads an unknown alphabet {self.alphabet!r}")

    def recognize(self, lines: list[NDArray[np.float32]]) -> list[LineReading]:
        """Read model-ready lines (see :func:`~templateocr.engines.crnn_input.line_to_input`)."""
        if not lines:
            return []
        batch, widths = pad_lines(lines)
        (log_probs,) = self._session.run(None, {"images": batch})
        readings = []
        for i, width in enumerate(widths.tolist()):
            decoded = greedy_decode(log_probs[i], width // STRIDE)
            text = "".join(self.charset[c - 1] for c in decoded.ids)
            centers = [(f + 0.5) * STRIDE for f in decoded.frames]
            confidences = decoded.confidences
            if self.alphabet == JAMO_ALPHABET:
                text, centers, confidences = join_jamo(text, centers, confidences)
            readings.append(LineReading(text, centers, confidences))
        return readings


class CrnnEngine:
    """Reads field crops with templateocr's own recognizer."""

    name = "crnn"

    def __init__(self, model_path: Path = MODEL_PATH, threads: int = 1) -> None:
        """Load the model once."""
        self.recognizer = CrnnRecognizer(model_path, threads)

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
