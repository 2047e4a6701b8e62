"""Greedy CTC decoding: the best class per frame, repeats collapsed, blanks (class 0) dropped."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["Decoded", "greedy_decode"]


@dataclass(frozen=True)
class Decoded:
    """Class ids read, the frame where each was read, and its probability."""

    ids: list[int]
    frames: list[float]
    confidences: list[float]


def greedy_decode(log_probs: NDArray[np.float32], frames: int | None = None) -> Decoded:
    """Decode one line's ``(T, classes)`` log-probabilities (only its first ``frames`` frames).

    A character's frame is the middle of the run of frames it was read in; its confidence is
    the highest probability within that run.
    """
    scores = log_probs[: frames if frames is not None else len(log_probs)]
    best = scores.argmax(axis=1)
    probs = np.exp(scores.max(axis=1))
    ids: list[int] = []
    positions: list[float] = []
    confidences: list[float] = []
    previous = 0
    start = 0
    for t, cls in enumerate(best.tolist()):
        if cls != previous:
            if previous != 0:
                positions.append((start + t - 1) / 2)
                confidences.append(float(probs[start:t].max()))
            if cls != 0:
                ids.append(cls)
            start = t
        previous = cls
    if previous != 0:
        positions.append((start + len(best) - 1) / 2)
        confidences.append(float(probs[start:].max()))
    return Decoded(ids, positions, confidences)
