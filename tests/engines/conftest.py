"""Fixtures of the engine tests: one engine set for the session (helpers: ``engine_crops.py``)."""

from __future__ import annotations

import pytest

from templateocr.engines.registry import EngineSet


@pytest.fixture(scope="session")
def engines() -> EngineSet:
    """One engine set for the whole session (models load once)."""
    return EngineSet()
