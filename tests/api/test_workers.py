"""``templateocr serve --workers 2``: real server processes sharing one database (SQLite file or
PostgreSQL). A template created, released or withdrawn through one process is what every process
serves from then on; the metrics are the sum over the processes; the logs are JSON lines without
a secret.
"""

from __future__ import annotations

import base64
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image, ImageDraw

pytestmark = pytest.mark.databases

ADMIN_TOKEN = "workers-admin-token-0123456789"
SECRET = "workers-domain-secret-0123456789"
WORKER_HEADER = "X-Templateocr-Worker"
WORKERS = 2
PROPAGATION_S = 1.0


@dataclass
class Server:
    base: str
    process: subprocess.Popen[str]
    log_path: Path

    def admin(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path, database_url: str) -> Iterator[Server]:
    """``templateocr serve --workers 2`` on a fresh database, up until every worker answered."""
    port = _free_port()
    env = {
        **os.environ,
        "TEMPLATEOCR_DATA_DIR": str(tmp_path / "data"),
        "TEMPLATEOCR_DATABASE_URL": database_url,
        "TEMPLATEOCR_ADMIN_TOKEN": ADMIN_TOKEN,
        "TEMPLATEOCR_SECRET": SECRET,
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    log_path = tmp_path / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "templateocr", "serve", "--workers", str(WORKERS), "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
    running = Server(f"http://127.0.0.1:{port}", process, log_path)
    try:
        deadline = time.monotonic() + 180
        seen: set[str] = set()
        while len(seen) < WORKERS:
            assert process.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, f"workers answering: {seen}\n{log_path.read_text()}"
            try:
                seen.update(worker for worker, _ in _burst(running, "GET", "/readyz", expect=200))
            except httpx.TransportError:
                time.sleep(0.25)
        yield running
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


def _once(server: Server, method: str, path: str, body: Any = None) -> tuple[str, httpx.Response]:
    """One request on a new connection (so the kernel may hand it to either process)."""
    headers = {"X-OCR-SECRET": SECRET, **server.admin()}
    with httpx.Client(base_url=server.base, timeout=30) as client:
        response = client.request(method, path, json=body, headers=headers)
    return response.headers[WORKER_HEADER], response


def _burst(
    server: Server, method: str, path: str, body: Any = None, *, expect: int | None = None, size: int = 4
) -> list[tuple[str, httpx.Response]]:
    """``size`` requests at once, each on its own connection."""
    with ThreadPoolExecutor(size) as pool:
        answers = list(pool.map(lambda _i: _once(server, method, path, body), range(size)))
    if expect is not None:
        for _worker, response in answers:
            assert response.status_code == expect, response.text
    return answers


def _png(width: int, height: int, boxes: bool) -> bytes:
    image = Image.new("RGB", (width, height), "white")
    if boxes:
        draw = ImageDraw.Draw(image)
        draw.rectangle((20, 10, 220, 40), outline="black", width=2)
        draw.rectangle((20, 60, 320, 90), outline="black", width=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _rect(x: int, y: int, w: int, h: int) -> dict[str, Any]:
    return {
        "vertices": [{"x": x, "y": y}, {"x": x + w, "y": y}, {"x": x + w, "y": y + h}, {"x": x, "y": y + h}]
    }


def _probe_body(template_id: int) -> dict[str, Any]:
    """An /infer body naming one template: 1021 unless it is released to domain 1."""
    tiny = base64.b64encode(_png(64, 48, boxes=False)).decode()
    return {
        "version": "V2",
        "requestId": "probe",
        "timestamp": 0,
        "images": [{"format": "png", "name": "probe", "data": tiny, "templateIds": [template_id]}],
    }


def _released(response: httpx.Response) -> bool:
    """True when /infer saw the template released (any answer but 1021)."""
    if response.status_code == 200:
        return True
    assert response.json()["code"] == "1021", response.text
    return False


def _until_every_worker(server: Server, body: dict[str, Any], released: bool) -> dict[str, float]:
    """Probe /infer until every worker answered; each answer must already show ``released``.

    Returns, per worker, how long after the call its first answer came.
    """
    start = time.monotonic()
    first: dict[str, float] = {}
    while len(first) < WORKERS:
        assert time.monotonic() - start < 60, f"only workers {sorted(first)} answered"
        for worker, response in _burst(server, "POST", "/infer", body):
            assert _released(response) is released, (worker, response.text)
            first.setdefault(worker, time.monotonic() - start)
    return first


def test_changes_through_one_process_are_served_by_every_process(server: Server) -> None:
    definition = {
        "name": "Shared",
        "lang": "en",
        "title": {"name": "Shared", "boundingPoly": _rect(20, 10, 200, 30)},
        "fields": [{"name": "Name", "boundingPoly": _rect(20, 60, 300, 30)}],
        "sample": {"format": "png", "data": base64.b64encode(_png(400, 300, boxes=True)).decode()},
    }
    creator, created = _once(server, "POST", "/api/v1/templates", definition)
    assert created.status_code == 201, created.text
    template_id = created.json()["id"]
    probe = _probe_body(template_id)

    # Before the release every process answers 1021 (and has read the domain once).
    _until_every_worker(server, probe, released=False)

    releaser, released = _once(server, "POST", "/api/v1/domains/1/releases", {"templateIds": [template_id]})
    assert released.status_code == 200, released.text
    after_release = _until_every_worker(server, probe, released=True)

    withdrawer, withdrawn = _once(server, "DELETE", f"/api/v1/domains/1/releases/{template_id}")
    assert withdrawn.status_code == 200, withdrawn.text
    after_withdraw = _until_every_worker(server, probe, released=False)

    # Each probe above already showed the change it followed: no process served a stale state,
    # so the delay is 0 s (the contract allows 1 s). All three changes went through some process.
    assert creator and releaser and withdrawer
    assert set(after_release) == set(after_withdraw)

    # A domain created through one process answers at its invoke URL on every process.
    _, domain = _once(server, "POST", "/api/v1/domains", {"name": "partner", "lang": "en"})
    assert domain.status_code == 201, domain.text
    invoke = domain.json()["invokeUrl"]
    path = invoke[invoke.index("/custom/") :]
    secret = domain.json()["secret"]
    plain = _probe_body(0)
    del plain["images"][0]["templateIds"]
    seen: set[str] = set()
    deadline = time.monotonic() + 60
    while len(seen) < WORKERS:
        assert time.monotonic() < deadline, f"only workers {sorted(seen)} answered"
        with ThreadPoolExecutor(4) as pool:
            answers = list(
                pool.map(
                    lambda _i: httpx.post(
                        server.base + path, json=plain, headers={"X-OCR-SECRET": secret}, timeout=30
                    ),
                    range(4),
                )
            )
        for answer in answers:
            assert answer.status_code == 200, answer.text
            assert answer.json()["images"][0]["inferResult"] == "FAILURE"  # nothing released there
            seen.add(answer.headers[WORKER_HEADER])


def test_metrics_sum_every_process_and_logs_are_clean_json(server: Server) -> None:
    sent: dict[str, int] = {}
    deadline = time.monotonic() + 60
    while len(sent) < WORKERS:
        assert time.monotonic() < deadline
        for worker, _response in _burst(server, "GET", "/healthz", expect=200):
            sent[worker] = sent.get(worker, 0) + 1
    total = sum(sent.values())
    _, metrics = _once(server, "GET", "/metrics")
    line = next(
        line
        for line in metrics.text.splitlines()
        if line.startswith("templateocr_http_requests_total{")
        and 'route="/healthz"' in line
        and 'status="200"' in line
    )
    # The fixture's readiness probes went to /readyz, so /healthz counts exactly these requests.
    assert float(line.rsplit(" ", 1)[1]) == total

    _, domain = _once(server, "GET", "/api/v1/domains/1")
    invoke_key = domain.json()["invokeKey"]
    _once(server, "POST", f"/custom/v1/1/{invoke_key}/infer", _probe_body(99))
    server.process.send_signal(signal.SIGINT)
    server.process.wait(timeout=60)
    text = server.log_path.read_text()
    lines = text.splitlines()
    assert lines[0].startswith("templateocr ")  # the banner; then only JSON from our loggers
    records = [json.loads(line) for line in lines[1:] if line.startswith("{")]
    assert {"uvicorn.error", "templateocr.access"} <= {r["logger"] for r in records}
    for secret in (ADMIN_TOKEN, SECRET, invoke_key):
        assert secret not in text
    access = [r for r in records if r["logger"] == "templateocr.access"]
    assert {r["pid"] for r in access if r["route"] == "/healthz"} == {int(w) for w in sent}
    assert sum(1 for r in access if r["route"] == "/healthz") == total
    infer = [r for r in access if r["route"] == "/custom/v1/{domain_id}/{invoke_key}/infer"]
    assert len(infer) == 1 and infer[0]["status"] == 500 and infer[0]["path"] == "/custom/v1/1/***/infer"
