"""Every CLOVA error code of ``/infer`` and the invoke URL route, with CLOVA's error body,
and that no failed request harms the stored templates or the server.
"""

from __future__ import annotations

import base64
import io
import json
import warnings
from collections.abc import Callable
from typing import Any

import pytest
from PIL import Image

from templateocr.api.runtime import Runtime
from templateocr.engines.base import ReadOptions, RecognizedWord
from templateocr.synth import build_form, to_tiff

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

pytestmark = pytest.mark.databases  # SQLite and PostgreSQL (tests/conftest.py)
SECRET = "test-domain-secret-0123456789"


def _body(data: bytes, fmt: str = "png", **extra: Any) -> dict[str, Any]:
    image = {"format": fmt, "name": "x", "data": base64.b64encode(data).decode()}
    image.update(extra.pop("image", {}))
    return {"version": "V2", "requestId": "r", "timestamp": 0, "images": [image], **extra}


def _error(response: Any, status: int, code: str, fragment: str = "") -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"code", "message", "path", "traceId", "timestamp"}
    assert body["code"] == code
    assert fragment in body["message"], body["message"]
    assert body["traceId"] and isinstance(body["timestamp"], int)
    return body


@pytest.fixture
def post(client: Any) -> Callable[..., Any]:
    def send(body: Any, *, path: str = "/infer", secret: str | None = SECRET, **kwargs: Any) -> Any:
        headers = {"X-OCR-SECRET": secret} if secret is not None else {}
        if isinstance(body, bytes):
            return client.post(path, content=body, headers={**headers, "Content-Type": "application/json"})
        return client.post(path, json=body, headers=headers, **kwargs)

    return send


def test_0001_unknown_domain_or_invoke_key(client: Any, post: Callable[..., Any], sample_png: bytes) -> None:
    domain = client.get("/api/v1/domains/1", headers={"Authorization": "Bearer test-admin-token-0123456789"})
    key = domain.json()["invokeKey"]
    _error(post(_body(sample_png), path=f"/custom/v1/1/{key}x/infer"), 400, "0001", "URL is invalid.")
    _error(post(_body(sample_png), path=f"/custom/v1/99/{key}/infer"), 400, "0001")
    _error(post(_body(sample_png), path=f"/custom/v1/abc/{key}/infer"), 400, "0001")
    ok = post(_body(sample_png), path=f"/custom/v1/1/{key}/infer")
    assert ok.status_code == 200, ok.text


def test_0001_url_refused_by_default(post: Callable[..., Any]) -> None:
    body = {
        "version": "V2",
        "requestId": "r",
        "timestamp": 0,
        "images": [{"format": "png", "name": "x", "url": "http://127.0.0.1:9/a.png"}],
    }
    _error(post(body), 400, "0001", "images[0].url")
    body["images"][0]["url"] = "file:///etc/passwd"  # type: ignore[index]
    _error(post(body), 400, "0001")


def test_0002_secret(post: Callable[..., Any], sample_png: bytes) -> None:
    _error(post(_body(sample_png), secret=None), 401, "0002", "Secret key validate failed.")
    _error(post(_body(sample_png), secret="wrong"), 401, "0002")


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda png: b"{not json", "JSON"),
        (lambda png: json.dumps({"version": "V2", "requestId": "r", "timestamp": 0}).encode(), "images"),
        (lambda png: {**_body(png), "images": []}, "exactly one image"),
        (lambda png: {**_body(png), "images": _body(png)["images"] * 2}, "exactly one image"),
        (lambda png: _body(png, image={"data": "%%%not-base64"}), "base64"),
        (lambda png: _body(png, "bmp"), "format"),
        (lambda png: _body(_jpeg(), "png"), "format"),
        (lambda png: _body(b"\x89PNG\r\n\x1a\n" + b"garbage" * 20), ""),
        (lambda png: _body(png, lang="fr"), "lang"),
        (lambda png: _body(png, image={"templateIds": "one"}), "templateIds"),
    ],
)
def test_0011_bad_bodies(post: Callable[..., Any], sample_png: bytes, make: Any, fragment: str) -> None:
    _error(post(make(sample_png)), 400, "0011", fragment)


def test_0011_multipart_without_file_and_broken_multipart(client: Any) -> None:
    message = json.dumps(
        {"version": "V2", "requestId": "r", "timestamp": 0, "images": [{"format": "png", "name": "x"}]}
    )
    response = client.post(
        "/infer", data={"message": message}, files={"other": ("a", b"x")}, headers={"X-OCR-SECRET": SECRET}
    )
    _error(response, 400, "0011", "file")
    broken = client.post(
        "/infer",
        content=b"--b\r\nContent-Disposition: form-data; name=message\r\n\r\n{",
        headers={"X-OCR-SECRET": SECRET, "Content-Type": "multipart/form-data; boundary=b"},
    )
    _error(broken, 400, "0011")


def test_0021_protocol_version(post: Callable[..., Any], sample_png: bytes) -> None:
    _error(post({**_body(sample_png), "version": "V3"}), 400, "0021", "Protocol version not support.")


def test_0025_domain_concurrency(post: Callable[..., Any], runtime: Runtime, sample_png: bytes) -> None:
    limiter = runtime.limiter
    slots = [limiter.slot(1) for _ in range(runtime.settings.domain_concurrency)]
    for slot in slots:
        slot.__enter__()
    try:
        _error(post(_body(sample_png)), 400, "0025", "rate limit")
    finally:
        for slot in slots:
            slot.__exit__(None, None, None)
    assert post(_body(sample_png)).status_code == 200


def test_1021_template_not_released(
    post: Callable[..., Any], create_template: Callable[..., dict[str, Any]], sample_png: bytes
) -> None:
    released = create_template("Released")
    hidden = create_template("Hidden", release=False)
    _error(post(_body(sample_png, image={"templateIds": [hidden["id"]]})), 500, "1021", "released")
    _error(post(_body(sample_png, image={"templateIds": 999})), 500, "1021")
    ok = post(_body(sample_png, image={"templateIds": released["id"]}))
    assert ok.status_code == 200


def test_0500_unexpected_error_is_logged_and_server_keeps_serving(
    app: Any,
    runtime: Runtime,
    sample_png: bytes,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(domain_id: int) -> Any:
        raise RuntimeError("disk on fire")

    headers = {"X-OCR-SECRET": SECRET}
    with TestClient(app, raise_server_exceptions=False) as client:
        monkeypatch.setattr(runtime.store, "released_templates", broken)
        body = _error(client.post("/infer", json=_body(sample_png), headers=headers), 500, "0500")
        assert body["message"] == "Unknown service error." and "disk on fire" not in body["message"]
        assert any(body["traceId"] in record.getMessage() for record in caplog.records)
        monkeypatch.undo()
        assert client.post("/infer", json=_body(sample_png), headers=headers).status_code == 200


def test_over_size_limit(client: Any, runtime: Runtime, sample_png: bytes, post: Callable[..., Any]) -> None:
    runtime.settings.max_image_bytes = 200
    _error(post(_body(sample_png)), 400, "0011", "over the limit")


def test_page_error_does_not_fail_other_pages(client: Any, post: Callable[..., Any], engines: Any) -> None:
    admin = {"Authorization": "Bearer test-admin-token-0123456789"}
    form = build_form("en", "invoice")
    created = client.post("/api/v1/templates", json=form.to_create_json(), headers=admin).json()
    client.post("/api/v1/domains/1/releases", json={"templateIds": [created["id"]]}, headers=admin)
    calls = {"n": 0}

    def reader(image: Any, lang: str, options: ReadOptions) -> list[RecognizedWord]:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("engine crashed")
        return [RecognizedWord("OK", 0.9, (0, 0, 5, 5), True)]

    engines.reader = reader
    response = post(_body(to_tiff([form.image, form.image]), "tiff"))
    assert response.status_code == 200, response.text
    first, second = response.json()["images"]
    assert first["inferResult"] == "ERROR" and "page could not be processed" in first["message"]
    assert second["inferResult"] == "SUCCESS"
    assert second["matchedTemplate"]["id"] == created["id"]
    assert second["title"]["inferText"] == "OK"


def test_failed_requests_leave_templates_intact(
    client: Any, post: Callable[..., Any], create_template: Callable[..., dict[str, Any]], sample_png: bytes
) -> None:
    admin = {"Authorization": "Bearer test-admin-token-0123456789"}
    create_template("Kept")
    before = client.get("/api/v1/templates/1/export", headers=admin).json()
    for bad in (b"{", _body(b"xx"), {**_body(sample_png), "version": "V9"}, _body(sample_png, "gif")):
        assert post(bad).status_code >= 400
    assert client.get("/api/v1/templates/1/export", headers=admin).json() == before
    assert [t["id"] for t in client.get("/api/v1/templates", headers=admin).json()] == [1]
