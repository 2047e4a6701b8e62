"""Greedy CTC decoding: repeats collapse, blanks separate, each character keeps its frame."""

from __future__ import annotations

import numpy as np

from templateocr.engines.ctc import greedy_decode


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
