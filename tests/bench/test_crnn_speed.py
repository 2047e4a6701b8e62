"""The recognizer's speed benchmark runs and reports every set with its ratios."""

from __future__ import annotations

import pytest

from bench.crnn_speed import main
from templateocr.training.evaluate import SETS


def test_it_times_every_set_against_one_model(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--crops", "2", "--passes", "1"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| ")][1:]
    assert [row.split(" | ")[0].lstrip("| ") for row in rows] == [spec.name for spec in SETS]
    for row in rows:
        values = [float(cell) for cell in row.strip("| ").split(" | ")[1:]]
        assert len(values) == 5 and all(value > 0 for value in values)
