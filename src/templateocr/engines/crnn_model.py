"""One of templateocr's own line recognizers (an ONNX file of ``engines/models/``), run with
onnxruntime: model-ready lines in, texts out, and how likely the model finds a given text.

A model's classes (``charset``) and how they spell text (``alphabet``: one class per character,
or Hangul as jamo, see :mod:`templateocr.engines.jamo`) lie in the ONNX file's metadata.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from templateocr.engines.crnn_input import STRIDE, pad_lines
from templateocr.engines.ctc import greedy_decode, log_likelihoods
from templateocr.engines.jamo import JAMO_ALPHABET, SYLLABLES, join_jamo, split_syllables
from templateocr.exceptions import ConfigurationError

os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

__all__ = [
    "JAMO_MODEL_PATH",
    "MODEL_PATH",
    "MODEL_PATHS",
    "SHIPPED_MODELS",
    "CrnnRecognizer",
    "LineReading",
    "ModelOutput",
]

_MODELS = Path(__file__).resolve().parent / "models"
MODEL_PATH = _MODELS / "ko_latin_crnn.onnx"
"""The shipped model that reads one class per character."""
JAMO_MODEL_PATH = _MODELS / "ko_latin_jamo.onnx"
"""The shipped model that reads Hangul as jamo."""
SHIPPED_MODELS = ((MODEL_PATH, 1.0), (JAMO_MODEL_PATH, 1.5))
"""The models the server's reader combines (see :mod:`templateocr.engines.crnn_ensemble`), each
with the weight its likelihood carries where their readings differ. The jamo model's 1.5 was
measured on held-out lines apart from the evaluation's (150 per set and condition, seed 777):
with the jamo model at step 29,601, weights 1.25-3 read 1,207-1,209 of 1,800 lines right, 1.0
read 1,198 and 0.5 1,155 (the syllable model alone 1,028, the jamo model alone 1,179)."""
MODEL_PATHS = tuple(path for path, _ in SHIPPED_MODELS)


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


@dataclass(frozen=True)
class ModelOutput:
    """What a model made of one line: its log-probabilities per frame and their greedy reading."""

    log_probs: NDArray[np.float32]
    reading: LineReading


class CrnnRecognizer:
    """One ONNX model: model-ready lines in, texts out."""

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
        self.path = model_path
        self.charset: str = metadata["charset"]
        self.metadata = dict(metadata)
        self.alphabet = metadata.get("alphabet", SYLLABLES)
        if self.alphabet not in (SYLLABLES, JAMO_ALPHABET):
            raise ConfigurationError(f"{model_path} reads an unknown alphabet {self.alphabet!r}")
        self._classes = {char: i + 1 for i, char in enumerate(self.charset)}

    def recognize(self, lines: list[NDArray[np.float32]]) -> list[LineReading]:
        """Read model-ready lines (see :func:`~templateocr.engines.crnn_input.line_to_input`)."""
        return [output.reading for output in self.run(lines)]

    def run(self, lines: list[NDArray[np.float32]]) -> list[ModelOutput]:
        """Read model-ready lines in one batch, keeping each line's log-probabilities."""
        if not lines:
            return []
        batch, widths = pad_lines(lines)
        (log_probs,) = self._session.run(None, {"images": batch})
        outputs = []
        for i, width in enumerate(widths.tolist()):
            scores = log_probs[i, : width // STRIDE]
            decoded = greedy_decode(scores)
            text = "".join(self.charset[c - 1] for c in decoded.ids)
            centers = [(f + 0.5) * STRIDE for f in decoded.frames]
            confidences = decoded.confidences
            if self.alphabet == JAMO_ALPHABET:
                text, centers, confidences = join_jamo(text, centers, confidences)
            outputs.append(ModelOutput(scores, LineReading(text, centers, confidences)))
        return outputs

    def labels(self, text: str) -> list[int] | None:
        """``text`` as this model's class ids; ``None`` when it has a character the model
        cannot write."""
        if self.alphabet == JAMO_ALPHABET:
            text = split_syllables(text)
        try:
            return [self._classes[char] for char in text]
        except KeyError:
            return None

    def log_likelihoods(self, output: ModelOutput, texts: Sequence[str]) -> list[float]:
        """How likely this model found each of ``texts`` on the line it read as ``output``
        (natural log, all alignments summed); ``-inf`` for a text it cannot write."""
        labels = [self.labels(text) for text in texts]
        known = log_likelihoods([(output.log_probs, ids) for ids in labels if ids is not None])
        values = iter(known)
        return [float("-inf") if ids is None else next(values) for ids in labels]
