"""CTC: greedy decoding (the best class per frame, repeats collapsed, blanks (class 0) dropped),
and the likelihood of a given text (every alignment of it summed), with which readings of the
same line by different models are compared."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["Decoded", "greedy_decode", "log_likelihood", "log_likelihoods"]


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


_FLOOR = 1e-30
"""Probabilities below this count as this (a class the model rules out stays possible, just very
unlikely, so that one text never scores minus infinity under one model and wins on another's)."""


_RESCALE_EVERY = 4
"""Frames between rescalings of the forward variables (each frame's probabilities are floored
at ``_FLOOR``, so four frames shrink them at most to 1e-120, far from float64's limit)."""


def log_likelihood(log_probs: NDArray[np.float32], labels: list[int]) -> float:
    """The natural log of the probability that one line's ``(T, classes)`` log-probabilities
    spell ``labels`` (class ids, no blanks), summed over every CTC alignment; ``-inf`` when the
    line has too few frames for the labels."""
    return log_likelihoods([(log_probs, labels)])[0]


def log_likelihoods(lines: Sequence[tuple[NDArray[np.float32], list[int]]]) -> list[float]:
    """:func:`log_likelihood` of several ``(log_probs, labels)`` at once (one pass over the
    frames for all of them: the cost is in Python's loop over frames, not in the arithmetic).

    The forward algorithm over the ``2 * len(labels) + 1`` states (blank, label, blank, ...), in
    probabilities rescaled every few frames (cheaper than log-space sums). Shorter lines are padded
    with frames that are surely blank, which leaves every sum unchanged: a path that ended on the
    last label moves to the final blank with probability 1, one that ended on the final blank stays.
    """
    if not lines:
        return []
    count = len(lines)
    frames = max(len(log_probs) for log_probs, _ in lines)
    if frames == 0:
        return [0.0 if not labels else float("-inf") for _, labels in lines]
    states = 2 * max(len(labels) for _, labels in lines) + 1
    probs = np.zeros((frames, count, states))
    skip = np.zeros((count, states))
    ends = []
    for k, (log_probs, labels) in enumerate(lines):
        used = 2 * len(labels) + 1
        extended = np.zeros(used, dtype=np.int64)
        extended[1::2] = labels
        # A label may follow the one two states back (skipping the blank) unless they are equal.
        skip[k, 3:used:2] = extended[3::2] != extended[1:-2:2]
        gathered = np.exp(log_probs.astype(np.float64)[:, extended])
        probs[: len(log_probs), k, :used] = np.maximum(gathered, _FLOOR)
        probs[len(log_probs) :, k, 0 if used == 1 else used - 1] = 1.0
        ends.append(used)
    # alpha lives in columns 2: of a buffer whose two leading zero columns make "the state one
    # back" and "two back" plain views, so each frame costs a handful of array operations.
    buffer = np.zeros((count, states + 2))
    alpha, back_one, back_two = buffer[:, 2:], buffer[:, 1:-1], buffer[:, :-2]
    alpha[:, :2] = probs[0, :, :2]
    logs = np.zeros(count)
    for t in range(1, frames):
        step = alpha + back_one
        step += back_two * skip
        step *= probs[t]
        if t % _RESCALE_EVERY:
            alpha[:] = step
            continue
        total = np.maximum(step.sum(axis=1), 1e-300)  # zero only on a line already impossible
        np.divide(step, total[:, None], out=alpha)
        logs += np.log(total)
    out = []
    for k, used in enumerate(ends):
        end = alpha[k, used - 1] + (alpha[k, used - 2] if used > 1 else 0.0)
        out.append(float(logs[k] + np.log(end)) if end > 0.0 else float("-inf"))
    return out
