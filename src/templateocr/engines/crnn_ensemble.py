"""The server's line reader: templateocr's recognizers read every line, and where their readings
differ, the one that all of them together find likeliest is kept.

Each model reads the line (greedy CTC); every distinct reading is then scored under every model
(:meth:`~templateocr.engines.crnn_model.CrnnRecognizer.log_likelihoods`, all alignments summed),
and the reading with the highest weighted sum wins: a product of the models' opinions, not a
vote of their first guesses. The two shipped models err differently (one class per syllable knows whole
syllables; jamo knows the strokes of rare ones and reads Latin hands better), so the pair reads
more lines right than either (the evaluation in ``engines/models/MODEL_CARD_JAMO.md``, "In the
server"). A reading
that a model cannot write (a syllable outside KS X 1001 from the jamo model) scores ``-inf``
under it and loses to any reading every model can write.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from templateocr.engines.crnn_model import SHIPPED_MODELS, CrnnRecognizer, LineReading, ModelOutput
from templateocr.exceptions import ConfigurationError

__all__ = ["LineRecognizer", "RecognizerEnsemble", "open_recognizer"]


class LineRecognizer(Protocol):
    """Model-ready lines in, one reading per line out."""

    def recognize(self, lines: list[NDArray[np.float32]]) -> list[LineReading]: ...


class RecognizerEnsemble:
    """Several recognizers reading the same lines; the likeliest reading under all of them wins."""

    def __init__(
        self,
        members: Sequence[CrnnRecognizer],
        weights: Sequence[float] | None = None,
        *,
        parallel: bool = False,
    ) -> None:
        """``members`` in order of preference (the first's reading wins a tie), each likelihood
        counted ``weights`` times (once each by default); ``parallel``: the members read at the
        same time, each in a thread of its own (onnxruntime lets go of the GIL)."""
        self.parallel = parallel
        self._pool: ThreadPoolExecutor | None = None
        self._pool_pid = 0
        if not members:
            raise ConfigurationError("an ensemble needs at least one recognizer")
        self.members = list(members)
        self.weights = [1.0] * len(self.members) if weights is None else list(weights)
        if len(self.weights) != len(self.members) or min(self.weights) <= 0:
            raise ConfigurationError(f"an ensemble of {len(self.members)} needs as many positive weights")

    def recognize(self, lines: list[NDArray[np.float32]]) -> list[LineReading]:
        """Read model-ready lines with every member and keep, per line, the likeliest reading."""
        if not lines:
            return []
        if self.parallel:
            outputs = list(self._executor().map(lambda member: member.run(lines), self.members))
        else:
            outputs = [member.run(lines) for member in self.members]
        return [self._choose([member_outputs[i] for member_outputs in outputs]) for i in range(len(lines))]

    def _executor(self) -> ThreadPoolExecutor:
        """One pool per process: a forked server worker makes its own (threads do not survive a
        fork)."""
        if self._pool is None or self._pool_pid != os.getpid():
            self._pool = ThreadPoolExecutor(max_workers=len(self.members), thread_name_prefix="crnn")
            self._pool_pid = os.getpid()
        return self._pool

    def _choose(self, outputs: list[ModelOutput]) -> LineReading:
        readings = [output.reading for output in outputs]
        texts = list(dict.fromkeys(reading.text for reading in readings))
        if len(texts) == 1:
            return _agreed(readings)
        scores = np.zeros(len(texts))
        for member, weight, output in zip(self.members, self.weights, outputs, strict=True):
            scores += weight * np.array(member.log_likelihoods(output, texts))
        best = texts[int(np.argmax(scores))]
        return next(reading for reading in readings if reading.text == best)


def _agreed(readings: list[LineReading]) -> LineReading:
    """The members read the same text: the first's positions, and each character as sure as the
    surest member (agreement of models that err differently is itself evidence)."""
    first = readings[0]
    if any(len(reading.confidences) != len(first.confidences) for reading in readings):
        return first
    confidences = [max(values) for values in zip(*(reading.confidences for reading in readings), strict=True)]
    return LineReading(first.text, first.centers, confidences)


def open_recognizer(
    models: Sequence[tuple[Path, float]] = SHIPPED_MODELS, threads: int = 1
) -> LineRecognizer:
    """``models`` (paths with their weights) as one reader: the model itself when there is one,
    an ensemble when there are several. ``threads``: with at least one per model, the models read
    at the same time, sharing them (two models at once on 2 cores beat either model with 2 threads
    of onnxruntime's own: these models are too small to split); with fewer, one after the other."""
    if len(models) == 1:
        return CrnnRecognizer(models[0][0], threads)
    parallel = threads >= len(models)
    each = max(1, threads // len(models)) if parallel else threads
    members = [CrnnRecognizer(path, each) for path, _ in models]
    return RecognizerEnsemble(members, [weight for _, weight in models], parallel=parallel)
