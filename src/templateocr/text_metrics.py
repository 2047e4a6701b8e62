"""How far a reading is from the truth: edit distance and character error rate (shared by the
benchmarks and the recognizer's training and evaluation)."""

from __future__ import annotations

__all__ = ["cer", "edit_distance"]


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance between two strings (characters)."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def cer(truth: str, read: str) -> float:
    """Character error rate: edits over the truth's length (an empty truth: 0, or 1 if anything was read)."""
    if not truth:
        return float(bool(read))
    return edit_distance(truth, read) / len(truth)
