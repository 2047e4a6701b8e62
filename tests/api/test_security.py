"""Secrets at rest and in comparison (api/security.py), on SQLite and PostgreSQL: the admin token is
stored only as its hash, and every presented secret is compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from templateocr.api import security
from templateocr.api.app import build_runtime, create_app
from templateocr.settings import Settings
from templateocr.store.engine import sqlite_path
from templateocr.store.tables import metadata

pytestmark = pytest.mark.databases


def _everything_stored(store: Any) -> str:
    """Every row of every table as text, plus (SQLite) the raw bytes of the database files."""
    parts: list[str] = []
    with store.engine.connect() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(text(f"SELECT * FROM {table.name}")):
                parts.extend(str(value) for value in row)
    path = sqlite_path(store.engine.url)
    if path is not None:
        for file in path.parent.glob(path.name + "*"):
            parts.append(file.read_bytes().decode("latin-1"))
    return "\n".join(parts)


def test_configured_admin_token_is_stored_only_as_its_hash(runtime: Any, admin_token: str) -> None:
    stored = runtime.store.get_setting(security.ADMIN_TOKEN_KEY)
    assert stored == hashlib.sha256(admin_token.encode()).hexdigest()
    assert admin_token not in _everything_stored(runtime.store)


def test_generated_admin_token_is_shown_once_and_stored_as_its_hash(
    tmp_path: Path, database_url: str, engines: Any
) -> None:
    said: list[str] = []
    settings = Settings(data_dir=tmp_path / "data", database_url=database_url)
    runtime = build_runtime(settings, engines=engines, announce=said.append)
    try:
        (message,) = said
        token = message.rsplit(" ", 1)[1]
        assert len(token) >= 32
        assert token not in _everything_stored(runtime.store)
        with TestClient(create_app(settings, runtime=runtime)) as client:
            assert (
                client.get("/api/v1/domains", headers={"Authorization": f"Bearer {token}"}).status_code == 200
            )
            assert (
                client.get("/api/v1/domains", headers={"Authorization": "Bearer x" + token}).status_code
                == 401
            )
        again = build_runtime(settings, engines=engines, announce=said.append)
        again.store.close()  # type: ignore[attr-defined]
        assert len(said) == 1  # not generated (nor shown) a second time
    finally:
        runtime.store.close()  # type: ignore[attr-defined]


def test_secrets_are_compared_in_constant_time(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, admin_headers: dict[str, str]
) -> None:
    """Admin token, domain secret and invoke key all go through ``hmac.compare_digest``."""
    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    key = client.get("/api/v1/domains/1", headers=admin_headers).json()["invokeKey"]
    monkeypatch.setattr(security.hmac, "compare_digest", spy)
    assert client.get("/api/v1/domains", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert len(compared) == 1
    body = {"version": "V2", "requestId": "r", "timestamp": 0, "images": [{"format": "png", "name": "x"}]}
    assert client.post("/infer", json=body, headers={"X-OCR-SECRET": "wrong"}).status_code == 401
    assert compared[-1] == (b"wrong", compared[-1][1]) and len(compared) == 2
    assert (
        client.post(f"/custom/v1/1/{key}z/infer", json=body, headers={"X-OCR-SECRET": "x"}).status_code == 400
    )
    assert compared[-1][0] == f"{key}z".encode() and len(compared) == 3
