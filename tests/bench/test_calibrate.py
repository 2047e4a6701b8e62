"""Refitting some languages' calibration keeps the other languages' tables as they were."""

from __future__ import annotations

import json
from pathlib import Path

from bench.calibrate import _keep_others
from templateocr.pipeline.calibration import Calibration, fit


def test_a_refit_of_korean_keeps_the_other_languages_tables(tmp_path: Path) -> None:
    readings = [
        (key, raw / 100, raw > 40) for key in ("ko/text", "ja/text", "en/numeric") for raw in range(100)
    ]
    before = fit(readings, {"ko/text": "korean", "ja/text": "rapid-ja", "en/numeric": "rapid"})
    previous = tmp_path / "calibration.json"
    previous.write_text(json.dumps(before.to_json()))
    korean = [("ko/text", raw / 100, raw > 80) for raw in range(100)]
    refit = _keep_others(fit(korean, {"ko/text": "korean"}), previous, ["ko"])
    assert refit.tables["ja/text"] == before.tables["ja/text"]
    assert refit.tables["en/numeric"] == before.tables["en/numeric"]
    assert refit.tables["ko/text"] != before.tables["ko/text"]
    assert refit.engines == {"ko/text": "korean", "ja/text": "rapid-ja", "en/numeric": "rapid"}
    assert refit.confidence("ko/text", [0.6]) < before.confidence("ko/text", [0.6])


def test_without_a_previous_file_only_the_refit_tables_remain(tmp_path: Path) -> None:
    korean = fit([("ko/text", raw / 100, raw > 50) for raw in range(100)], {"ko/text": "korean"})
    assert _keep_others(korean, tmp_path / "missing.json", ["ko"]) == korean
    assert isinstance(korean, Calibration)
