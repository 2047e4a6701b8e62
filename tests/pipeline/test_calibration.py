"""Calibrated field confidence: monotone step tables fitted by isotonic regression, per route."""

from __future__ import annotations

import random

import pytest

from templateocr.engines.base import ReadOptions
from templateocr.engines.registry import route
from templateocr.pipeline.calibration import (
    Calibration,
    Table,
    default_calibration,
    field_key,
    fit,
    raw_score,
)


def test_keys_and_raw_score() -> None:
    assert field_key("ko") == "ko/text"
    assert field_key("en", numeric=True) == "en/numeric"
    assert field_key("ja", numeric=True, box=True) == "ja/box"
    assert raw_score([0.99, 0.62, 0.95]) == 0.62  # the least sure word
    assert raw_score([]) == 0.0


def test_a_step_table_maps_a_score_to_its_block() -> None:
    table = Table(xs=(0.2, 0.8, 0.95), ys=(0.1, 0.5, 0.97))
    assert [table(x) for x in (0.0, 0.2, 0.5, 0.8, 0.949, 0.95, 1.0)] == [0.1, 0.1, 0.1, 0.5, 0.5, 0.97, 0.97]


def test_the_fit_is_monotone_and_matches_the_rates_it_saw() -> None:
    rng = random.Random(3)
    readings = []
    for _ in range(3000):  # an over-confident engine: raw 0.9 is right half the time, 1.0 nearly always
        raw = rng.choice([0.5, 0.9, 0.99, 1.0])
        exact = rng.random() < {0.5: 0.05, 0.9: 0.5, 0.99: 0.8, 1.0: 0.99}[raw]
        readings.append(("en/text", raw, exact))
    readings += [("ko/box", 0.9, True)] * 5  # too few: no table
    calibration = fit(readings, {"en/text": "rapid", "ko/box": "korean"})
    assert set(calibration.tables) == {"en/text"} and calibration.engines == {"en/text": "rapid"}
    table = calibration.tables["en/text"]
    assert list(table.ys) == sorted(table.ys)
    for raw, rate in {0.5: 0.05, 0.9: 0.5, 0.99: 0.8, 1.0: 0.99}.items():
        assert table(raw) == pytest.approx(rate, abs=0.05)
    assert table(0.95) == table(0.9)  # between two blocks: the lower one's value
    # applied to a field: its least sure word decides
    assert calibration.confidence("en/text", [1.0, 0.9]) == pytest.approx(table(0.9), abs=1e-4)
    assert calibration.confidence("en/text", []) == 0.0
    assert calibration.confidence("zh-TW/text", [0.8, 1.0]) == pytest.approx(0.9)  # no table: the mean
    assert Calibration.from_json(calibration.to_json()) == calibration


def test_the_shipped_tables_were_fitted_on_todays_engine_routes() -> None:
    """Changing which engine reads a route makes its table meaningless: refit (bench/calibrate.py)."""
    shipped = default_calibration()
    assert {"ko/text", "ja/text", "zh-TW/text", "en/text", "en/numeric"} <= set(shipped.tables)
    for key, engine in shipped.engines.items():
        lang, kind = key.split("/")
        if kind == "box":
            now = {route(lang, ReadOptions(numeric=n, single_char=True)) for n in (False, True)}
            assert engine == "|".join(sorted(now)), key
        else:
            assert engine == route(lang, ReadOptions(numeric=kind == "numeric")), key
    for table in shipped.tables.values():
        assert list(table.ys) == sorted(table.ys) and all(0.0 < y < 1.0 for y in table.ys)
        assert list(table.xs) == sorted(table.xs) and table.readings >= 30
