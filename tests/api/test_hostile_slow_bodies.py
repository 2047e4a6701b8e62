"""Clients that send their body slowly (a byte at a time) against a real ``templateocr serve``:
they hold a domain's concurrency slots only until ``TEMPLATEOCR_BODY_TIMEOUT_S``, then get
CLOVA's 0011 and a closed connection, and the domain serves again."""

from __future__ import annotations

import base64
import io
import json
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from live_server import SECRET, ServeProcess, start_serve
from PIL import Image

BODY_TIMEOUT_S = 2.0
CAP = 2


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    process = start_serve(
        tmp_path_factory.mktemp("slow") / "data", body_timeout_s=BODY_TIMEOUT_S, domain_concurrency=CAP
    )
    yield process
    process.stop()
    assert "Traceback" not in process.log(), process.log()


def _good_body() -> dict[str, object]:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), "white").save(buffer, "PNG")
    image = {"format": "png", "name": "x", "data": base64.b64encode(buffer.getvalue()).decode()}
    return {"version": "V2", "requestId": "good", "timestamp": 0, "images": [image]}


def _trickle(server: ServeProcess, answers: list[bytes], stop: threading.Event) -> None:
    """Declare a 10,000-byte body and send one byte every 0.2 s; keep what the server answers."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        head = (
            f"POST /infer HTTP/1.1\r\nHost: x\r\nX-OCR-SECRET: {SECRET}\r\n"
            "Content-Type: application/json\r\nContent-Length: 10000\r\n\r\n"
        )
        sock.sendall(head.encode())
        answer = b""
        sock.settimeout(0.2)
        try:
            while not stop.is_set():
                sock.sendall(b" ")
                try:
                    chunk = sock.recv(65536)
                except TimeoutError:
                    continue
                if not chunk:
                    break
                answer += chunk
        except OSError:
            pass
        answers.append(answer)


def test_slow_senders_hold_slots_only_until_the_body_time_limit(server: ServeProcess) -> None:
    post = httpx.Client(base_url=server.base, headers={"X-OCR-SECRET": SECRET}, timeout=30)
    assert post.post("/infer", json=_good_body()).status_code == 200
    answers: list[bytes] = []
    stop = threading.Event()
    senders = [threading.Thread(target=_trickle, args=(server, answers, stop)) for _ in range(CAP)]
    started = time.monotonic()
    for sender in senders:
        sender.start()
    time.sleep(0.8)
    refused = post.post("/infer", json=_good_body())
    assert refused.status_code == 400 and refused.json()["code"] == "0025", refused.text
    for sender in senders:
        sender.join(BODY_TIMEOUT_S + 10)
    elapsed = time.monotonic() - started
    stop.set()
    assert len(answers) == CAP
    for answer in answers:
        head, _, payload = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 400") and b"connection: close" in head.lower(), answer[:300]
        body = json.loads(payload)
        assert body["code"] == "0011" and f"within {BODY_TIMEOUT_S:g} s" in body["message"]
    print(f"{CAP} slow senders cut off after {elapsed:.1f} s (limit {BODY_TIMEOUT_S} s)")
    assert elapsed < BODY_TIMEOUT_S + 5
    assert post.post("/infer", json=_good_body()).status_code == 200
    post.close()
