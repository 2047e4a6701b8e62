"""The recognizer's evaluation: held-out fonts kept apart, the same lines for the same seed, the
shipped model measured through onnxruntime, and the engines compared on the same crops."""

from __future__ import annotations

import numpy as np
import pytest

from templateocr.engines.base import ReadOptions, RecognizedWord
from templateocr.engines.crnn_model import MODEL_PATH
from templateocr.training.evaluate import (
    SETS,
    _fonts,
    compare_engines,
    evaluate_model,
    print_comparison,
    print_table,
    sample_lines,
)
from templateocr.training.fonts import Split, Style

MODEL = MODEL_PATH


def test_each_set_draws_only_its_split_and_style() -> None:
    for spec in SETS:
        for split in Split:
            fonts = _fonts(split, spec)
            assert fonts, (spec.name, split)
            assert all(f.split is split for f in fonts)
            if spec.style is not None:
                assert all(f.style is spec.style for f in fonts)
    assert {s.style for s in SETS if "digits" in s.name} == {Style.PRINT, Style.HAND}


def test_the_same_seed_draws_the_same_lines() -> None:
    spec = SETS[0]
    first = sample_lines(spec, Split.HELD_OUT, True, 4, seed=11)
    again = sample_lines(spec, Split.HELD_OUT, True, 4, seed=11)
    other = sample_lines(spec, Split.HELD_OUT, True, 4, seed=12)
    assert [t for t, _ in first] == [t for t, _ in again]
    assert all(np.array_equal(a, b) for (_, a), (_, b) in zip(first, again, strict=True))
    assert [t for t, _ in first] != [t for t, _ in other]


def test_the_shipped_model_is_measured_on_every_set_split_and_condition(
    capsys: pytest.CaptureFixture[str],
) -> None:
    table = evaluate_model([(MODEL, 1.0)], lines=6)
    cells = {(r["set"], r["fonts"], r["condition"]) for r in table["rows"]}
    assert len(cells) == len(SETS) * 2 * 2 == len(table["rows"])
    assert all(r["lines"] == 6 and 0 <= r["exact"] <= 1 and r["cer"] >= 0 for r in table["rows"])
    assert table["ms_per_line"] > 0 and table["model"] == MODEL.name
    rows = {(r["set"], r["fonts"], r["condition"]): r for r in table["rows"]}
    # Clean printed lines of fonts it never saw: the model reads most characters.
    assert rows[("korean printed", "held-out", "clean")]["cer"] < 0.15
    assert rows[("latin printed", "held-out", "clean")]["cer"] < 0.1
    print_table(table)
    assert "korean printed" in capsys.readouterr().out


class _Echo:
    """A fake engine that reads ``text`` whatever the crop shows (compare_engines' bookkeeping)."""

    name = "echo"

    def __init__(self, text: str) -> None:
        self.text = text
        self.calls = 0

    def read(self, image: np.ndarray, options: ReadOptions) -> list[RecognizedWord]:
        assert image.ndim == 3 and image.shape[2] == 3
        self.calls += 1
        return [RecognizedWord(self.text, 0.9, (0, 0, 1, 1))] if self.text else []


def test_engines_are_compared_on_the_same_crops(capsys: pytest.CaptureFixture[str]) -> None:
    silent, echo = _Echo(""), _Echo("x")
    table = compare_engines({"silent": (silent, "ko"), "echo": (echo, "en")}, lines=3)
    assert silent.calls == echo.calls == 3 * len(SETS)
    assert len(table["rows"]) == 2 * len(SETS)
    for row in table["rows"]:
        assert row["exact"] == 0.0 and row["cer"] > 0
    assert [r["numeric_set"] for r in table["rows"]].count(True) == 2 * 2
    print_comparison(table)
    assert "echo" in capsys.readouterr().out
