"""A reduced accuracy benchmark in the default suite: two filled copies of every template (one
handwritten, one typed) at every level, and foreign pages, through the real HTTP API and
engines. The thresholds sit below the figures the full benchmark measures (bench/README.md),
so a change that breaks alignment, classification, checkboxes, emptiness or reading fails here;
the targets of the issue are measured by the full benchmark, not by this guard."""

from __future__ import annotations

from typing import Any

import pytest

from bench.accuracy import parse_args, run_benchmark

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("bench") / "accuracy.json"
    options = ["--pages-per-template", "2", "--foreign-per-lang", "1", "--seed", "7", "--out", str(out)]
    report = run_benchmark(parse_args(options))
    print(report["table"])  # in the test log, for whoever reads a failure
    return report


def test_every_page_is_scored(report: dict[str, Any]) -> None:
    overall = report["groups"]["all/all"]
    assert overall["pages"] == 12 * 2 * 4
    assert overall["foreign_pages"] == 4 * 4
    assert "| all | all |" in report["table"]


def test_templates_pages_and_areas(report: dict[str, Any]) -> None:
    overall = report["groups"]["all/all"]
    assert overall["classification"] >= 0.97
    assert overall["foreign_rejected"] >= 0.9
    assert overall["area_median_px"] <= 3.0
    assert overall["checkbox_accuracy"] >= 0.95
    assert overall["empty_accuracy"] >= 0.9


def test_reading(report: dict[str, Any]) -> None:
    groups = report["groups"]
    assert groups["all/all"]["exact_match"] >= 0.75
    for lang in ("ja", "zh-TW", "en"):
        assert groups[f"{lang}/all/printed"]["exact_match"] >= 0.8, lang
    assert groups["ko/all/printed"]["exact_match"] >= 0.75


def test_confidence_is_calibrated(report: dict[str, Any]) -> None:
    """Fields answered with confidence >= 0.9 are nearly all exact (98.7% on the full benchmark,
    target 97%), and they are not a handful: about half the fields read."""
    overall = report["groups"]["all/all"]
    assert overall["exact_when_confident"] >= 0.94
    readings = [r for record in report["records"] for r in record["score"]["readings"]]
    confident = [r for r in readings if r[2] >= 0.9]
    assert len(confident) >= 0.35 * len(readings)
