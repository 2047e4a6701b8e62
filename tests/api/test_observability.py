"""Request logs, metrics, readiness and file modes of the server (api/observability.py, logs.py,
metrics.py, routes/health.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import json
import logging
import os
import re
import shutil
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from templateocr.api.app import build_runtime
from templateocr.api.logs import JsonFormatter, redact
from templateocr.api.observability import ACCESS_LOGGER, WORKER_HEADER
from templateocr.api.runtime import Runtime
from templateocr.settings import Settings
from templateocr.store.engine import sqlite_path

pytestmark = pytest.mark.databases

Headers = dict[str, str]


def _infer_body(image: bytes) -> dict[str, Any]:
    return {
        "version": "V2",
        "requestId": "req-1",
        "timestamp": 0,
        "images": [{"format": "png", "name": "page", "data": base64.b64encode(image).decode()}],
    }


def _sample_value(text: str, name: str, **labels: str) -> float:
    """The value of one sample of the exposition text (0 when absent)."""
    for line in text.splitlines():
        if not line.startswith(name + "{"):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line[len(name) : line.index("}") + 1]))
        if all(found.get(key) == value for key, value in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_have_request_and_stage_histograms_after_an_infer(
    client: TestClient,
    create_template: Callable[..., dict[str, Any]],
    domain_secret: str,
    sample_png: bytes,
) -> None:
    create_template("Metered")
    before = client.get("/metrics").text
    response = client.post("/infer", json=_infer_body(sample_png), headers={"X-OCR-SECRET": domain_secret})
    assert response.status_code == 200, response.text
    assert response.json()["images"][0]["inferResult"] in ("SUCCESS", "FAILURE")
    after = client.get("/metrics")
    assert after.status_code == 200
    assert after.headers["content-type"].startswith("text/plain")
    text = after.text
    count = "templateocr_http_request_duration_seconds_count"
    labels = {"method": "POST", "route": "/infer", "status": "200"}
    assert _sample_value(text, count, **labels) == _sample_value(before, count, **labels) + 1
    assert _sample_value(text, "templateocr_http_requests_total", **labels) >= 1
    assert 'templateocr_http_request_duration_seconds_bucket{le="0.005",method="POST",route="/infer"' in text
    for stage in ("features", "classify"):
        stage_count = _sample_value(text, "templateocr_stage_duration_seconds_count", stage=stage)
        assert (
            stage_count >= _sample_value(before, "templateocr_stage_duration_seconds_count", stage=stage) + 1
        )
    assert 'templateocr_stage_duration_seconds_bucket{le="+Inf",stage="classify"}' in text


def test_invoke_urls_are_counted_by_route_not_by_key(
    client: TestClient, admin_headers: Headers, domain_secret: str, sample_png: bytes
) -> None:
    key = client.get("/api/v1/domains/1", headers=admin_headers).json()["invokeKey"]
    response = client.post(
        f"/custom/v1/1/{key}/infer", json=_infer_body(sample_png), headers={"X-OCR-SECRET": domain_secret}
    )
    assert response.status_code == 200, response.text
    text = client.get("/metrics").text
    assert key not in text
    assert 'route="/custom/v1/{domain_id}/{invoke_key}/infer"' in text


def test_every_response_names_its_worker(client: TestClient) -> None:
    for path in ("/healthz", "/readyz", "/nowhere"):
        assert client.get(path).headers[WORKER_HEADER] == str(os.getpid())


def test_readyz_when_store_and_engines_are_up(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "store": "ok", "engines": "ok"}


def _make_unreachable(runtime: Runtime, settings: Settings, request: pytest.FixtureRequest) -> None:
    """Take the database away from under the running app."""
    engine = runtime.store.engine  # type: ignore[attr-defined]
    path = sqlite_path(engine.url)
    if path is None:  # PostgreSQL: drop its database, closing every connection
        cluster = request.getfixturevalue("postgres_cluster")
        cluster.drop_database(engine.url.database)
    else:  # SQLite: close the pool and move the data directory away
        engine.dispose()
        shutil.move(path.parent, path.parent.with_name("moved-away"))


def test_readyz_fails_when_the_database_is_unreachable(
    client: TestClient,
    runtime: Runtime,
    settings: Settings,
    request: pytest.FixtureRequest,
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert client.get("/readyz").status_code == 200
    _make_unreachable(runtime, settings, request)
    with caplog.at_level(logging.WARNING, logger="templateocr.api"):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unready", "store": "unreachable", "engines": "ok"}
    assert "does not answer" in caplog.text
    assert client.get("/healthz").status_code == 200  # the process itself is alive


def test_request_log_lines_are_json_without_secrets(
    client: TestClient,
    admin_token: str,
    admin_headers: Headers,
    domain_secret: str,
    sample_png: bytes,
    caplog: pytest.LogCaptureFixture,
) -> None:
    key = client.get("/api/v1/domains/1", headers=admin_headers).json()["invokeKey"]
    image_b64 = base64.b64encode(sample_png).decode()
    with caplog.at_level(logging.DEBUG):
        ok = client.post(
            f"/custom/v1/1/{key}/infer", json=_infer_body(sample_png), headers={"X-OCR-SECRET": domain_secret}
        )
        wrong_key = client.post(
            f"/custom/v1/1/{key}x/infer",
            json=_infer_body(sample_png),
            headers={"X-OCR-SECRET": domain_secret},
        )
        bad_secret = client.post("/infer", json=_infer_body(sample_png), headers={"X-OCR-SECRET": "nope"})
        listed = client.get("/api/v1/templates?x=1", headers=admin_headers)
    assert (ok.status_code, wrong_key.status_code, bad_secret.status_code, listed.status_code) == (
        200,
        400,
        401,
        200,
    )
    formatter = JsonFormatter()
    # httpx's own lines are the test client's (the server sets httpx's loggers to WARNING).
    lines = [formatter.format(r) for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    text = "\n".join(lines)
    for secret in (key, admin_token, domain_secret, image_b64[:40]):
        assert secret not in text
    access = [json.loads(line) for line in lines if json.loads(line)["logger"] == ACCESS_LOGGER]
    assert [(entry["method"], entry["status"]) for entry in access] == [
        ("POST", 200),
        ("POST", 400),
        ("POST", 401),
        ("GET", 200),
    ]
    assert access[0]["path"] == "/custom/v1/1/***/infer"
    assert access[0]["route"] == "/custom/v1/{domain_id}/{invoke_key}/infer"
    assert access[3]["path"] == "/api/v1/templates"
    for entry in access:
        assert entry["durationMs"] >= 0
        assert re.fullmatch(r"[0-9a-f]{32}", entry["traceId"])
    assert access[2]["traceId"] == bad_secret.json()["traceId"] == bad_secret.headers["X-Trace-Id"]


def test_redact_masks_every_kind_of_secret() -> None:
    assert redact("POST /custom/v1/12/abcDEF123/infer 200") == "POST /custom/v1/12/***/infer 200"
    assert redact("Authorization: Bearer tok.en-123") == "Authorization: ***"
    assert redact("authorization=Basic dXNlcjpwYXNz x") == "authorization=*** x"
    assert redact("bearer abc123 more") == "bearer *** more"
    assert redact('{"X-OCR-SECRET": "s3cret"}') == '{"X-OCR-SECRET": "***"}'
    assert redact("postgresql://user:pa55@db:5432/x") == "postgresql://user:***@db:5432/x"
    assert redact("nothing secret here /api/v1/templates/3") == "nothing secret here /api/v1/templates/3"
    route = "/custom/v1/{domain_id}/{invoke_key}/infer"
    assert redact(route) == route


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # PostgreSQL keeps no files here
def test_data_directory_and_database_files_are_owner_only(
    client: TestClient,
    runtime: Runtime,
    settings: Settings,
    create_template: Callable[..., dict[str, Any]],
) -> None:
    create_template("Private")
    assert stat.S_IMODE(settings.data_dir.stat().st_mode) == 0o700
    path = sqlite_path(runtime.store.engine.url)  # type: ignore[attr-defined]
    assert path is not None
    files = [p for p in path.parent.iterdir() if p.name.startswith(path.name)]
    assert {p.name for p in files} >= {path.name, path.name + "-wal"}
    for file in files:
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file


def test_existing_data_directory_and_database_are_tightened(
    tmp_path: Path, database_url: str, engines: Any
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o755)
    data_dir.chmod(0o755)
    url = database_url
    if url.startswith("sqlite"):
        db = data_dir / "templateocr.sqlite3"
        db.touch()
        db.chmod(0o644)
    settings = Settings(data_dir=data_dir, database_url=url, admin_token="t" * 32)
    built = build_runtime(settings, engines=engines, announce=lambda _message: None)
    try:
        assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
        if url.startswith("sqlite"):
            assert stat.S_IMODE((data_dir / "templateocr.sqlite3").stat().st_mode) == 0o600
    finally:
        built.store.close()  # type: ignore[attr-defined]
