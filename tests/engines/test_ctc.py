"""CTC: greedy decoding (repeats collapse, blanks separate, each character keeps its frame), and
the likelihood of a text checked against every alignment enumerated."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from templateocr.engines.ctc import greedy_decode, log_likelihood, log_likelihoods


def _log_probs(best: list[int], classes: int = 5, sure: float = 0.9) -> np.ndarray:
    probs = np.full((len(best), classes), (1 - sure) / (classes - 1), dtype=np.float32)
    probs[np.arange(len(best)), best] = sure
    return np.log(probs)


def test_repeats_collapse_and_blanks_separate() -> None:
    decoded = greedy_decode(_log_probs([0, 1, 1, 0, 1, 2, 2, 0]))
    assert decoded.ids == [1, 1, 2]
    assert decoded.frames == [1.5, 4.0, 5.5]
    assert all(abs(c - 0.9) < 1e-6 for c in decoded.confidences)


def test_only_the_given_frames_are_read() -> None:
    log_probs = _log_probs([3, 0, 4, 4])
    assert greedy_decode(log_probs, frames=2).ids == [3]
    assert greedy_decode(log_probs).ids == [3, 4]
    assert greedy_decode(_log_probs([0, 0, 0])).ids == []


def _collapse(path: tuple[int, ...]) -> list[int]:
    return [c for i, c in enumerate(path) if c != 0 and (i == 0 or path[i - 1] != c)]


def _brute_force(log_probs: np.ndarray, labels: list[int]) -> float:
    """The sum over every path of frames that collapses to ``labels``."""
    total = 0.0
    frames, classes = log_probs.shape
    for path in itertools.product(range(classes), repeat=frames):
        if _collapse(path) == labels:
            total += math.exp(sum(float(log_probs[t, c]) for t, c in enumerate(path)))
    return math.log(total) if total > 0 else float("-inf")


@pytest.mark.parametrize(
    ("frames", "labels"),
    [(5, [1, 2]), (6, [1, 1]), (4, []), (5, [2, 1, 2]), (3, [1]), (1, [2]), (6, [3, 3, 3])],
)
def test_the_likelihood_sums_every_alignment(frames: int, labels: list[int]) -> None:
    rng = np.random.default_rng(frames * 10 + len(labels))
    logits = rng.normal(size=(frames, 4)) * 2
    log_probs = (logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))).astype(np.float32)
    assert log_likelihood(log_probs, labels) == pytest.approx(_brute_force(log_probs, labels), rel=1e-4)


def test_a_text_too_long_for_the_frames_is_impossible() -> None:
    log_probs = _log_probs([1, 0, 1])
    assert log_likelihood(log_probs, [1, 1, 2]) == float("-inf")
    assert log_likelihood(log_probs[:0], []) == 0.0
    assert log_likelihood(log_probs[:0], [1]) == float("-inf")


def test_the_greedy_reading_is_likelier_than_a_wrong_one() -> None:
    log_probs = _log_probs([0, 1, 1, 0, 2, 0], sure=0.8)
    assert log_likelihood(log_probs, [1, 2]) > log_likelihood(log_probs, [1, 3]) > float("-inf")


def test_lines_scored_together_score_as_alone() -> None:
    rng = np.random.default_rng(7)
    lines = []
    for frames, labels in [(9, [1, 2, 2]), (4, [3]), (12, []), (6, [1, 1, 1, 1]), (0, []), (0, [2])]:
        logits = rng.normal(size=(frames, 4)) * 2
        lines.append(
            ((logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))).astype(np.float32), labels)
        )
    together = log_likelihoods(lines)
    alone = [log_likelihood(log_probs, labels) for log_probs, labels in lines]
    assert together[:4] == pytest.approx(alone[:4], rel=1e-9)
    assert together[4:] == [0.0, float("-inf")] == alone[4:]
    assert together[3] == float("-inf")  # four 1s need seven frames
    assert log_likelihoods([]) == []
