"""Calibrated field confidence: ``inferConfidence`` as the chance that a field reads exactly right.

An engine's own score (the mean probability of its characters) means different things for
different engines and scripts: PP-OCR is sure of most Latin handwriting it misreads, our Korean
recognizer rarely scores a wrong reading high. So each *reading route*, the field's language
and what it holds (``text``, ``numeric``, ``box`` for a MULTI_BOX field), has its own monotone
table from the raw score to the share of exact readings, fitted by isotonic regression (pool
adjacent violators) on readings of synthetic filled forms: printed and handwriting-style values,
clean scans, skewed scans, phone photos and faxes (``python bench/calibrate.py``, with other
seeds than the accuracy benchmark reports on).

The raw score of a field is its *least* sure word: one doubtful word is enough to make the field
wrong. Each block of the fit is valued at ``(exact + 1) / (n + 2)`` (Laplace), so only large
blocks of exact readings come near 1, and a score maps to the value of the block it falls in
(the lower one between two blocks). A route without a table keeps its raw score (the mean of
its words'). ``calibration.json`` records the engine each route went to when it
was fitted: a change of engines needs a refit (a test checks it).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["Calibration", "Table", "default_calibration", "field_key", "fit", "raw_score"]

TABLE_FILE = Path(__file__).with_name("calibration.json")

_MIN_READINGS = 30
"""A route with fewer readings in the fit gets no table (its raw score is kept)."""


def field_key(lang: str, *, numeric: bool = False, box: bool = False) -> str:
    """The reading route of a field: its language and what it holds."""
    return f"{lang}/{'box' if box else 'numeric' if numeric else 'text'}"


def raw_score(word_confidences: Sequence[float]) -> float:
    """The score a table maps: the least sure word's confidence (0.0 for no words), to the four
    decimals the API gives words (the fit reads them from the API)."""
    return round(float(min(word_confidences)), 4) if word_confidences else 0.0


@dataclass(frozen=True)
class Table:
    """A monotone step map from raw score to calibrated confidence: a score at or above
    ``xs[i]`` (the lowest score of block ``i`` in the fit) and below ``xs[i + 1]`` maps to
    ``ys[i]``; below ``xs[0]`` to ``ys[0]``. A score between two blocks of the fit gets the
    lower block's value: nothing in the data says it deserves more."""

    xs: tuple[float, ...]
    ys: tuple[float, ...]
    readings: int = 0

    def __call__(self, raw: float) -> float:
        index = int(np.searchsorted(self.xs, raw, side="right")) - 1
        return self.ys[max(0, index)]


@dataclass(frozen=True)
class Calibration:
    """The tables of every route, and the engine each route was fitted on."""

    tables: Mapping[str, Table] = field(default_factory=dict)
    engines: Mapping[str, str] = field(default_factory=dict)

    def confidence(self, key: str, word_confidences: Sequence[float]) -> float:
        """A field's calibrated confidence from its words' raw ones (0.0 for no words)."""
        if not word_confidences:
            return 0.0
        table = self.tables.get(key)
        if table is None:
            return float(np.clip(np.mean(word_confidences), 0.0, 1.0))
        return round(table(raw_score(word_confidences)), 4)

    def to_json(self) -> dict[str, Any]:
        return {
            "engines": dict(self.engines),
            "tables": {
                key: {"readings": t.readings, "xs": list(t.xs), "ys": list(t.ys)}
                for key, t in sorted(self.tables.items())
            },
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Calibration:
        tables = {
            key: Table(tuple(map(float, t["xs"])), tuple(map(float, t["ys"])), int(t.get("readings", 0)))
            for key, t in data.get("tables", {}).items()
        }
        return cls(tables=tables, engines=dict(data.get("engines", {})))


@functools.cache
def default_calibration() -> Calibration:
    """The tables shipped with the package (none when the file is missing)."""
    if not TABLE_FILE.is_file():
        return Calibration()
    return Calibration.from_json(json.loads(TABLE_FILE.read_text(encoding="utf-8")))


def fit(readings: Iterable[tuple[str, float, bool]], engines: Mapping[str, str]) -> Calibration:
    """Tables from ``(route key, raw score, exact)`` readings, one per route with enough of them."""
    by_key: dict[str, list[tuple[float, bool]]] = {}
    for key, raw, exact in readings:
        by_key.setdefault(key, []).append((float(raw), bool(exact)))
    tables = {key: _isotonic(points) for key, points in by_key.items() if len(points) >= _MIN_READINGS}
    return Calibration(tables=tables, engines={k: v for k, v in engines.items() if k in tables})


def _isotonic(points: list[tuple[float, bool]]) -> Table:
    """Pool adjacent violators over the readings sorted by raw score; one point per block."""
    same: dict[float, list[float]] = {}  # equal scores start in one block
    for raw, exact in points:
        counts = same.setdefault(raw, [0.0, 0.0])
        counts[0] += float(exact)
        counts[1] += 1.0
    blocks: list[list[float]] = []  # [lowest raw score, exact count, count]
    for raw in sorted(same):
        blocks.append([raw, *same[raw]])
        # merge while the previous block's rate is not below this one's (ties pooled too)
        while len(blocks) > 1 and blocks[-2][1] / blocks[-2][2] >= blocks[-1][1] / blocks[-1][2]:
            last = blocks.pop()
            blocks[-1][1] += last[1]
            blocks[-1][2] += last[2]
    xs = [low for low, _, _ in blocks]
    ys = [(exact + 1.0) / (n + 2.0) for _, exact, n in blocks]
    # the Laplace values of small blocks may step down: keep the table monotone
    ys = list(np.maximum.accumulate(ys))
    return Table(tuple(round(x, 5) for x in xs), tuple(round(y, 5) for y in ys), readings=len(points))
