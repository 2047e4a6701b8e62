"""Image ``url`` fetching and the external validator against real ``templateocr serve`` processes
and a real local HTTP server that misbehaves on purpose (redirects to metadata addresses,
trickles, hangs, sends too much).
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from live_server import SECRET, ServeProcess, start_serve

from templateocr.synth import build_form, to_png

MB = 1024 * 1024
FORM = build_form("en", "registration")
FORM_PNG = to_png(FORM.image)
URL_TIMEOUT_S = 2.0
VALIDATOR_TIMEOUT_S = 1.0


class Target(ThreadingHTTPServer):
    daemon_threads = True
    hits: list[str]
    stop: threading.Event

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up on a trickle or a huge body is what these tests do."""


class _Handler(BaseHTTPRequestHandler):
    server: Target

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for key, value in {"Content-Length": str(len(body)), **(headers or {})}.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _trickle(self, total: int, every_s: float) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(total))
        self.end_headers()
        for _ in range(total):
            if self.server.stop.wait(every_s):
                return
            self.wfile.write(b"{")
            self.wfile.flush()

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.server.hits.append(self.path)
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        redirects = {
            "/redirect-metadata": "http://169.254.169.254/latest/meta-data/",
            "/redirect-metadata6": "http://[fd00:ec2::254]/latest/meta-data/",
            "/redirect-ftp": "ftp://127.0.0.1/form.png",
            "/redirect-file": "file:///etc/passwd",
            "/redirect-loop": f"{base}/redirect-loop",
        }
        if self.path == "/form.png":
            self._send(200, FORM_PNG, {"Content-Type": "image/png"})
        elif self.path in redirects:
            self._send(302, b"", {"Location": redirects[self.path]})
        elif self.path == "/trickle":
            self._trickle(1000, 0.1)
        elif self.path == "/hang":
            self.server.stop.wait(30)
        elif self.path == "/huge":
            self.send_response(200)
            self.end_headers()  # no length: the body runs until the connection closes
            block = b"\x89PNG\r\n\x1a\n" + bytes(MB - 8)
            for _ in range(200):
                if self.server.stop.is_set():
                    return
                self.wfile.write(block)
        elif self.path == "/huge-declared":
            self._send(200, b"\x89PNG\r\n\x1a\n", {"Content-Length": str(10 * 1024 * MB)})
        else:
            self._send(404, b"no")

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.server.hits.append(self.path)
        if self.path == "/validate/ok":
            self._send(200, b'{"result": "VALID"}')
        elif self.path == "/validate/hang":
            self.server.stop.wait(30)
        elif self.path == "/validate/trickle":
            self._trickle(200, 0.2)
        elif self.path == "/validate/500":
            self._send(500, b'{"result": "VALID"}')
        elif self.path == "/validate/not-json":
            self._send(200, b"<html>VALID</html>")
        elif self.path == "/validate/no-result":
            self._send(200, b'{"result": "MAYBE"}')
        elif self.path == "/validate/huge":
            self._send(200, b'{"result": "VALID", "message": "' + b"x" * (3 * MB) + b'"}')
        elif self.path == "/validate/nested":
            self._send(200, b"[" * 100_000 + b"]" * 100_000)
        elif self.path == "/validate/redirect":
            self._send(307, b"", {"Location": "/validate/ok"})
        else:
            self._send(404, b"no")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def target() -> Iterator[Target]:
    httpd = Target(("127.0.0.1", 0), _Handler)
    httpd.hits = []
    httpd.stop = threading.Event()
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield httpd
    httpd.stop.set()
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    """A server with the defaults: private addresses refused."""
    process = start_serve(tmp_path_factory.mktemp("strict") / "data")
    yield process
    process.stop()


@pytest.fixture(scope="module")
def lenient(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    """A server that may fetch from private addresses (as a self-hosted user may set), short limits."""
    process = start_serve(
        tmp_path_factory.mktemp("lenient") / "data",
        allow_private_urls=1,
        url_timeout_s=URL_TIMEOUT_S,
        validator_timeout_s=VALIDATOR_TIMEOUT_S,
    )
    yield process
    process.stop()
    assert "Traceback" not in process.log(), process.log()


def _url_body(url: str, **image: Any) -> dict[str, Any]:
    return {
        "version": "V2",
        "requestId": "url",
        "timestamp": 0,
        "images": [{"format": "png", "name": "x", "url": url, **image}],
    }


def _post(server: ServeProcess, body: dict[str, Any]) -> httpx.Response:
    return httpx.post(f"{server.base}/infer", json=body, headers={"X-OCR-SECRET": SECRET}, timeout=60)


def _error(response: httpx.Response, code: str, fragment: str = "") -> None:
    assert response.status_code == 400, response.text
    body = response.json()
    assert set(body) == {"code", "message", "path", "traceId", "timestamp"}
    assert body["code"] == code and fragment in body["message"], body


REFUSED = [
    "http://127.0.0.1:{port}/form.png",
    "http://localhost:{port}/form.png",
    "http://[::1]:{port}/form.png",
    "http://[::ffff:127.0.0.1]:{port}/form.png",
    "http://2130706433:{port}/form.png",
    "http://127.1:{port}/form.png",
    "http://0.0.0.0:{port}/form.png",
    "http://10.0.0.1/form.png",
    "http://172.16.0.1/form.png",
    "http://192.168.0.1/form.png",
    "http://100.64.0.1/form.png",
    "http://169.254.1.1/form.png",
    "http://[fe80::1]/form.png",
    "http://[fc00::1]/form.png",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fd00:ec2::254]/latest/meta-data/",
    "http://100.100.100.200/latest/meta-data/",
    "file:///etc/passwd",
    "ftp://127.0.0.1/form.png",
    "gopher://127.0.0.1:70/_x",
    "data:image/png;base64,iVBORw0KGgo=",
    "javascript:alert(1)",
    "http:///form.png",
    "//127.0.0.1/form.png",
    "http://[::1/form.png",
]


@pytest.mark.parametrize("template", REFUSED)
def test_refused_by_default_and_nothing_is_sent(strict: ServeProcess, target: Target, template: str) -> None:
    before = len(target.hits)
    url = template.format(port=target.server_address[1])
    _error(_post(strict, _url_body(url)), "0001", "URL is invalid.")
    assert len(target.hits) == before, f"{url} reached the server"


def test_metadata_addresses_refused_even_when_private_ones_are_allowed(
    lenient: ServeProcess, target: Target
) -> None:
    base = f"http://127.0.0.1:{target.server_address[1]}"
    for url in ("http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/"):
        _error(_post(lenient, _url_body(url)), "0001", "metadata")
    for path in ("/redirect-metadata", "/redirect-metadata6"):
        _error(_post(lenient, _url_body(base + path)), "0001", "metadata")
    _error(_post(lenient, _url_body(base + "/redirect-ftp")), "0001", "http and https")
    _error(_post(lenient, _url_body(base + "/redirect-file")), "0001", "http and https")
    _error(_post(lenient, _url_body(base + "/redirect-loop")), "0001", "redirects")


def test_slow_and_silent_servers_are_cut_off_at_the_time_limit(lenient: ServeProcess, target: Target) -> None:
    base = f"http://127.0.0.1:{target.server_address[1]}"
    for path in ("/trickle", "/hang"):
        started = time.monotonic()
        _error(_post(lenient, _url_body(base + path)), "0001", "timed out")
        elapsed = time.monotonic() - started
        print(f"{path}: refused after {elapsed:.2f} s (limit {URL_TIMEOUT_S} s)")
        assert URL_TIMEOUT_S * 0.9 < elapsed < URL_TIMEOUT_S + 3


def test_bodies_over_the_cap_are_abandoned_with_memory_flat(lenient: ServeProcess, target: Target) -> None:
    base = f"http://127.0.0.1:{target.server_address[1]}"
    before = lenient.rss()
    response, most = lenient.max_rss_during(lambda: _post(lenient, _url_body(base + "/huge")))
    _error(response, "0011", "over the limit")
    started = time.monotonic()
    _error(_post(lenient, _url_body(base + "/huge-declared")), "0011", "over the limit")
    assert time.monotonic() - started < 2
    print(f"a 200 MB image url: RSS {before / MB:.0f} MB, at most {most / MB:.0f} MB")
    assert most - before < 160 * MB


def test_a_good_url_is_read(lenient: ServeProcess, target: Target) -> None:
    response = _post(lenient, _url_body(f"http://localhost:{target.server_address[1]}/form.png"))
    assert response.status_code == 200, response.text
    assert response.json()["images"][0]["convertedImageInfo"]["width"] == FORM.image.shape[1]


@pytest.fixture(scope="module")
def validated(lenient: ServeProcess, target: Target) -> dict[str, int]:
    """One template per validator behaviour, all released: path -> template id."""
    base = f"http://127.0.0.1:{target.server_address[1]}"
    ids: dict[str, int] = {}
    paths = ["ok", "hang", "trickle", "500", "not-json", "no-result", "huge", "nested", "redirect"]
    for path in [*paths, "closed-port"]:
        body = FORM.to_create_json()
        url = f"{base}/validate/{path}" if path != "closed-port" else "http://127.0.0.1:9/validate"
        body["validation"] = {"url": url}
        created = httpx.post(f"{lenient.base}/api/v1/templates", json=body, headers=lenient.admin, timeout=60)
        assert created.status_code == 201, created.text
        ids[path] = created.json()["id"]
    released = httpx.post(
        f"{lenient.base}/api/v1/domains/1/releases",
        json={"templateIds": list(ids.values())},
        headers=lenient.admin,
        timeout=60,
    )
    assert released.status_code == 200, released.text
    return ids


def _validated(lenient: ServeProcess, template_id: int) -> tuple[dict[str, Any], float]:
    body = {
        "version": "V2",
        "requestId": f"validate-{template_id}",
        "timestamp": 0,
        "images": [
            {
                "format": "png",
                "name": "v",
                "data": base64.b64encode(FORM_PNG).decode(),
                "templateIds": [template_id],
            }
        ],
    }
    started = time.monotonic()
    response = _post(lenient, body)
    elapsed = time.monotonic() - started
    assert response.status_code == 200, response.text
    (page,) = response.json()["images"]
    assert page["inferResult"] == "SUCCESS" and page["matchedTemplate"]["id"] == template_id, page
    return page["validationResult"], elapsed


@pytest.mark.parametrize(
    "path", ["hang", "trickle", "500", "not-json", "no-result", "huge", "nested", "redirect", "closed-port"]
)
def test_validator_failures_are_validation_error_not_a_failed_request(
    lenient: ServeProcess, validated: dict[str, int], path: str
) -> None:
    ok, baseline = _validated(lenient, validated["ok"])
    assert ok == {"result": "VALID"}
    result, elapsed = _validated(lenient, validated[path])
    print(f"validator {path}: {result} in {elapsed:.2f} s (a VALID answer took {baseline:.2f} s)")
    assert result["result"] == "ERROR" and result.get("message"), result
    assert len(json.dumps(result)) < 2000
    assert elapsed < baseline + 2 * VALIDATOR_TIMEOUT_S + 2


def test_no_traceback_in_the_logs(strict: ServeProcess, lenient: ServeProcess) -> None:
    for process in (strict, lenient):
        assert process.process.poll() is None
        assert "Traceback" not in process.log(), process.log()[-3000:]
