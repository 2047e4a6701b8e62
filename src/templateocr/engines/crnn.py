"""templateocr's own line recognizer (Korean and Latin, printed and handwriting-style), run with
onnxruntime.

The model is trained by :mod:`templateocr.training` and shipped in ``engines/models/`` with its
model card; its charset lies in the ONNX file's metadata. Lines are found and cut exactly as in
training (:mod:`templateocr.engines.lines`, :mod:`templateocr.engines.crnn_input`); every line
of a crop is read in one batch; each character is placed by the frame it was read at, and the
line is cut into words at the gaps in the ink.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from templateocr.engines.base import Image, ReadOptions, RecognizedWord
from templateocr.engines.crnn_input import STRIDE, line_to_input, pad_lines
from templateocr.engines.ctc import greedy_decode
from templateocr.engines.lines import (
    InkMap,
    find_ink,
    line_image,
    recognized_words,
    split_lines,
    split_words,
    to_gray,
)
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
            readings.append(LineReading(text, centers, decoded.confidences))
        return readings


class CrnnEngine:
    """Reads field crops with templateocr's own recognizer."""

    name = "crnn"

    def __init__(self, model_path: Path = MODEL_PATH, threads: int = 1) -> None:
        """Load the model once."""
        self.recognizer = CrnnRecognizer(model_path, threads)

    def read(self, image: Image, options: ReadOptions) -> list[RecognizedWord]:
        """Read the words of a crop; ``[]`` when it holds no text."""
        gray = to_gray(image)
        ink = find_ink(gray)
        boxes = split_lines(gray, ink)
        if options.single_char and len(boxes) > 1:
            boxes = [
                (
                    min(b[0] for b in boxes),
                    min(b[1] for b in boxes),
                    max(b[2] for b in boxes),
                    max(b[3] for b in boxes),
                )
            ]
        if not boxes:
            return []
        return self.read_lines(gray, ink, boxes, options)

    def read_lines(
        self,
        gray: NDArray[np.uint8],
        ink: InkMap,
        boxes: list[tuple[int, int, int, int]],
        options: ReadOptions,
    ) -> list[RecognizedWord]:
        """Recognize the given line boxes of a crop and cut them into words."""
        inputs, placements = [], []
        for box in boxes:
            height = box[3] - box[1]
            pad_x = max(3.0, LINE_PAD_X * height)
            line = line_image(gray, ink, box, pad_x, max(2.0, LINE_PAD_Y * height))
            model_input = line_to_input(line)
            # input column -> crop x: the line was scaled by input height / line height
            scale = line.shape[0] / model_input.shape[0]
            placements.append((box[0] - round(pad_x), scale))
            inputs.append(model_input)
        words: list[RecognizedWord] = []
        for box, (origin, scale), reading in zip(
            boxes, placements, self.recognizer.recognize(inputs), strict=True
        ):
            text = reading.text.strip()
            if not _keep(text, reading.score, options):
                continue
            chars = [
                (c, x, p)
                for c, x, p in zip(reading.text, reading.centers, reading.confidences, strict=True)
                if not c.isspace()
            ]
            centers = [origin + x * scale for _, x, _ in chars]
            confidences = [p for _, _, p in chars]
            words.extend(recognized_words(split_words(ink.text, box, text, centers), confidences))
        return words


def _keep(text: str, score: float, options: ReadOptions) -> bool:
    if not text:
        return False
    short = len(text.replace(" ", "")) <= SHORT_LINE
    return not (short and score < MIN_SCORE and not options.single_char)
