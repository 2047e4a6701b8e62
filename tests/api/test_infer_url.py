"""Images given by ``url`` (with private addresses allowed, as a self-hosted user may configure),
and a template's external validator, both served by a real local HTTP server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from templateocr.synth import build_form, to_png

FORM = build_form("en", "registration")
SECRET = "test-domain-secret-0123456789"
ADMIN = {"Authorization": "Bearer test-admin-token-0123456789"}


class _Handler(BaseHTTPRequestHandler):
    posted: list[dict[str, Any]] = []

    def do_GET(self) -> None:
        body = to_png(FORM.image) if self.path == "/form.png" else b"no"
        self.send_response(200 if self.path == "/form.png" else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        self.posted.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        answer = b'{"result": "INVALID", "message": "member unknown"}'
        self.send_response(200)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"allow_private_urls": True}


def test_image_url_and_external_validator(client: Any, server: str) -> None:
    body = FORM.to_create_json()
    body["validation"] = {"url": f"{server}/validate"}
    created = client.post("/api/v1/templates", json=body, headers=ADMIN).json()
    client.post("/api/v1/domains/1/releases", json={"templateIds": [created["id"]]}, headers=ADMIN)
    request = {
        "version": "V2",
        "requestId": "u",
        "timestamp": 0,
        "images": [{"format": "png", "name": "by-url", "url": f"{server}/form.png"}],
    }
    response = client.post("/infer", json=request, headers={"X-OCR-SECRET": SECRET})
    assert response.status_code == 200, response.text
    (image,) = response.json()["images"]
    assert image["inferResult"] == "SUCCESS" and image["matchedTemplate"]["id"] == created["id"]
    assert image["validationResult"] == {"result": "INVALID", "message": "member unknown"}
    sent = _Handler.posted[-1]["image"]
    assert sent["validationResult"] == {"result": "UNCHECKED"} and sent["name"] == "by-url"
    assert [f["name"] for f in sent["fields"]] == [f.name for f in FORM.definition.fields]
    request["images"][0]["url"] = f"{server}/missing.png"  # type: ignore[index]
    missing = client.post("/infer", json=request, headers={"X-OCR-SECRET": SECRET})
    assert missing.status_code == 400 and missing.json()["code"] == "0001"
