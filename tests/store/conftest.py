"""Fixtures for the store tests: a migrated database (SQLite and PostgreSQL, see tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from templateocr.models.template import TemplateDefinition
from templateocr.store.sql import SqlStore, open_store


def _rect(x: float, y: float, w: float, h: float) -> dict[str, Any]:
    """A rectangle as a CLOVA ``boundingPoly``."""
    return {
        "vertices": [
            {"x": x, "y": y},
            {"x": x + w, "y": y},
            {"x": x + w, "y": y + h},
            {"x": x, "y": y + h},
        ]
    }


def _definition(name: str = "Form", *fields: str, lang: str = "ko") -> TemplateDefinition:
    """A valid definition with one NORMAL field per name, stacked inside a 400x300 sample."""
    names = fields or ("Name",)
    return TemplateDefinition.model_validate(
        {
            "name": name,
            "lang": lang,
            "title": {"name": name, "boundingPoly": _rect(20, 10, 200, 30)},
            "fields": [
                {"name": n, "boundingPoly": _rect(20, 60 + 40 * i, 300, 30)} for i, n in enumerate(names)
            ],
        }
    )


@pytest.fixture
def make_definition() -> Callable[..., TemplateDefinition]:
    """``make_definition(name, *field_names, lang=...)``: a valid definition for a 400x300 sample."""
    return _definition


@pytest.fixture
def db_url(database_url: str) -> str:
    """A fresh empty database: SQLite in a directory that does not exist yet, or PostgreSQL."""
    return database_url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite URL in a directory that does not exist yet (for SQLite-only tests)."""
    return f"sqlite:///{tmp_path / 'data' / 'store.sqlite3'}"


@pytest.fixture
def store(db_url: str) -> Iterator[SqlStore]:
    """A migrated store on a fresh database (each test runs on SQLite and on PostgreSQL)."""
    opened = open_store(db_url)
    try:
        yield opened
    finally:
        opened.close()
