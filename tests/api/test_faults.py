"""Faults: an engine that crashes or hangs on a page, a server killed in the middle of template
writes, a server asked to stop while requests are in flight.

The engine faults use a real HTTP server (uvicorn on loopback, in this process) whose engine set
is a test one that fails on purpose; the kill and shutdown tests use real ``templateocr serve``
processes and the real engines.
"""

from __future__ import annotations

import base64
import contextlib
import io
import os
import random
import signal
import sqlite3
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from live_server import SECRET, process_tree, start_serve
from PIL import Image, ImageDraw

from bench.processes import serve_in_thread
from templateocr.api.app import build_runtime, create_app
from templateocr.engines.base import ReadOptions, RecognizedWord
from templateocr.settings import Settings
from templateocr.synth import build_form, to_png, to_tiff

ADMIN = "faults-admin-token-0123456789"
PAGE_TIMEOUT_S = 1.0
FORM = build_form("en", "invoice")


@dataclass
class FaultyEngines:
    """An engine set whose reads fail as ``mode`` says: ``ok``, ``hang`` (until released),
    ``raise``, ``exit`` (``SystemExit``) or ``memory`` (``MemoryError``), for the first
    ``faulty_calls`` reads after each ``arm()``."""

    mode: str = "ok"
    faulty_calls: int = 0
    release: threading.Event = field(default_factory=threading.Event)
    hung: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def arm(self, mode: str, calls: int = 1) -> None:
        with self._lock:
            self.mode, self.faulty_calls = mode, calls

    def read(self, image: Any, lang: str, options: ReadOptions | None = None) -> list[RecognizedWord]:
        with self._lock:
            faulty = self.faulty_calls > 0
            self.faulty_calls -= 1
            mode = self.mode
        if faulty and mode == "hang":
            with self._lock:
                self.hung += 1
            self.release.wait()
            return []
        if faulty and mode == "raise":
            raise RuntimeError("engine crashed")
        if faulty and mode == "exit":
            raise SystemExit(3)
        if faulty and mode == "memory":
            raise MemoryError
        return [RecognizedWord("OK", 0.9, (0, 0, 5, 5), True)]

    def engine_for(self, lang: str, options: ReadOptions | None = None) -> Any:
        return self

    def warm_up(self, langs: tuple[str, ...] = ()) -> None:
        pass


@dataclass
class Live:
    base: str
    engines: FaultyEngines
    template_id: int

    def infer(self, data: bytes, fmt: str, request_id: str = "f") -> httpx.Response:
        body = {
            "version": "V2",
            "requestId": request_id,
            "timestamp": 0,
            "images": [{"format": fmt, "name": "p", "data": base64.b64encode(data).decode()}],
        }
        return httpx.post(f"{self.base}/infer", json=body, headers={"X-OCR-SECRET": SECRET}, timeout=60)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("faults") / "data",
        admin_token=ADMIN,
        secret=SECRET,
        page_timeout_s=PAGE_TIMEOUT_S,
        compute_processes=1,  # pages read in this process, by the faulty engines
    )
    engines = FaultyEngines()
    runtime = build_runtime(settings, engines=engines, announce=lambda _m: None)  # type: ignore[arg-type]
    with serve_in_thread(create_app(settings, runtime=runtime), timeout_s=20) as base:
        admin = {"Authorization": f"Bearer {ADMIN}"}
        created = httpx.post(
            f"{base}/api/v1/templates", json=FORM.to_create_json(), headers=admin, timeout=60
        )
        assert created.status_code == 201, created.text
        template_id = created.json()["id"]
        released = httpx.post(
            f"{base}/api/v1/domains/1/releases",
            json={"templateIds": [template_id]},
            headers=admin,
            timeout=60,
        )
        assert released.status_code == 200, released.text
        try:
            yield Live(base, engines, template_id)
        finally:
            engines.release.set()


def _statuses(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [page["inferResult"] for page in response.json()["images"]]


@pytest.mark.parametrize("mode", ["raise", "exit", "memory"])
def test_an_engine_that_crashes_gives_error_for_that_page_only(live: Live, mode: str) -> None:
    live.engines.arm(mode)
    response = live.infer(to_tiff([FORM.image, FORM.image]), "tiff")
    first, second = response.json()["images"]
    assert _statuses(response) == ["ERROR", "SUCCESS"], response.text
    assert first["message"].startswith("ERROR: page could not be processed")
    assert second["matchedTemplate"]["id"] == live.template_id and second["title"]["inferText"] == "OK"
    assert _statuses(live.infer(to_png(FORM.image), "png")) == ["SUCCESS"]


def test_an_engine_that_hangs_gives_error_after_the_page_time_limit(live: Live) -> None:
    live.engines.arm("hang")
    started = time.monotonic()
    response = live.infer(to_tiff([FORM.image, FORM.image, FORM.image]), "tiff")
    elapsed = time.monotonic() - started
    assert _statuses(response) == ["ERROR", "SUCCESS", "SUCCESS"]
    assert f"within {PAGE_TIMEOUT_S:g} s" in response.json()["images"][0]["message"]
    assert PAGE_TIMEOUT_S <= elapsed < PAGE_TIMEOUT_S + 10
    # Every page hangs now: each one is cut off, and the server keeps answering meanwhile.
    live.engines.arm("hang", 10**6)
    with ThreadPoolExecutor(4) as pool:
        hung = list(pool.map(lambda i: live.infer(to_png(FORM.image), "png", f"h{i}"), range(4)))
        assert httpx.get(f"{live.base}/healthz", timeout=5).status_code == 200
    assert all(_statuses(r) == ["ERROR"] for r in hung)
    assert sorted(r.json()["requestId"] for r in hung) == ["h0", "h1", "h2", "h3"]
    assert live.engines.hung >= 5
    live.engines.arm("ok", 0)
    assert _statuses(live.infer(to_png(FORM.image), "png")) == ["SUCCESS"]


# --- a killed server -------------------------------------------------------------------------


def _sample(seed: int) -> bytes:
    image = Image.new("RGB", (400, 300), "white")
    draw = ImageDraw.Draw(image)
    rng = random.Random(seed)
    for i in range(4):
        top = 20 + 60 * i
        draw.rectangle((20, top, 380, top + 40), outline="black", width=2)
        draw.rectangle((30, top + 10, 30 + rng.randrange(40, 300), top + 30), fill=(30, 30, 30))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _definition(name: str, seed: int) -> dict[str, Any]:
    def area(top: int) -> dict[str, Any]:
        return {
            "vertices": [
                {"x": 20, "y": top},
                {"x": 380, "y": top},
                {"x": 380, "y": top + 40},
                {"x": 20, "y": top + 40},
            ]
        }

    return {
        "name": name,
        "lang": "en",
        "title": {"name": name, "boundingPoly": area(20)},
        "fields": [{"name": f"f{seed}-{i}", "boundingPoly": area(80 + 60 * i)} for i in range(3)],
        "sample": {"format": "png", "data": base64.b64encode(_sample(seed)).decode()},
    }


@dataclass
class Committed:
    """What the server acknowledged: template id -> (name, newest acknowledged version, sample)."""

    templates: dict[int, tuple[str, int, bytes]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    writes: int = 0


def _writer(
    base: str, admin: dict[str, str], prefix: str, committed: Committed, stop: threading.Event
) -> None:
    with httpx.Client(base_url=base, headers=admin, timeout=30) as client:
        i = 0
        while not stop.is_set():
            i += 1
            seed = random.randrange(10**6)
            name = f"{prefix}-{i}"
            try:
                created = client.post("/api/v1/templates", json=_definition(name, seed))
                if created.status_code != 201:
                    continue
                body = created.json()
                with committed.lock:
                    committed.templates[body["id"]] = (name, body["version"], _sample(seed))
                    committed.writes += 1
                seed2 = random.randrange(10**6)
                replaced = client.put(f"/api/v1/templates/{body['id']}", json=_definition(name, seed2))
                if replaced.status_code == 200:
                    with committed.lock:
                        committed.templates[body["id"]] = (name, replaced.json()["version"], _sample(seed2))
                        committed.writes += 1
            except httpx.HTTPError:
                return  # the server is gone


def _check_intact(base: str, admin: dict[str, str], committed: Committed) -> int:
    """Every acknowledged template is there with its newest version and sample; every listed
    template is whole. Returns how many templates are stored."""
    with httpx.Client(base_url=base, headers=admin, timeout=30) as client:
        listed = client.get("/api/v1/templates")
        assert listed.status_code == 200, listed.text
        stored = {t["id"]: t for t in listed.json()}
        for template_id, (name, version, _sample) in committed.templates.items():
            assert template_id in stored, f"acknowledged template {template_id} ({name}) is lost"
            got = client.get(f"/api/v1/templates/{template_id}").json()
            assert got["name"] == name and got["version"] >= version, got
        for template_id in stored:
            got = client.get(f"/api/v1/templates/{template_id}")
            assert got.status_code == 200, got.text
            definition = got.json()
            assert len(definition["fields"]) == 3 and definition["title"]["name"] == definition["name"]
            picture = client.get(f"/api/v1/templates/{template_id}/sample")
            assert picture.status_code == 200, f"template {template_id} has no sample"
            with Image.open(io.BytesIO(picture.content)) as image:
                assert image.size == (400, 300)
            acknowledged = committed.templates.get(template_id)
            if acknowledged is not None and definition["version"] == acknowledged[1]:
                assert picture.content == acknowledged[2], f"template {template_id}: another sample"
        return len(stored)


def _integrity(database: Path) -> str:
    with sqlite3.connect(database) as connection:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])


def test_sigkill_during_template_writes_loses_nothing_committed(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    committed = Committed()
    rounds = 5
    stored = 0
    for round_ in range(rounds):
        server = start_serve(data_dir)
        if round_:
            stored = _check_intact(server.base, server.admin, committed)
        stop = threading.Event()
        writers = [
            threading.Thread(
                target=_writer, args=(server.base, server.admin, f"r{round_}w{w}", committed, stop)
            )
            for w in range(3)
        ]
        for writer in writers:
            writer.start()
        time.sleep(random.Random(round_).uniform(0.8, 2.0))
        assert server.stop(signal.SIGKILL) == -signal.SIGKILL
        stop.set()
        for writer in writers:
            writer.join(30)
        assert _integrity(data_dir / "templateocr.sqlite3") == "ok"
    server = start_serve(data_dir)
    try:
        stored = _check_intact(server.base, server.admin, committed)
    finally:
        server.stop()
    print(
        f"{rounds} SIGKILLs: {committed.writes} acknowledged writes, {len(committed.templates)} templates, "
        f"{stored} stored, all intact"
    )
    assert committed.writes >= rounds  # the kills did land in the middle of writing


# --- graceful shutdown -----------------------------------------------------------------------


@pytest.mark.parametrize("compute_processes", [1, 2])
def test_sigterm_finishes_requests_in_flight(tmp_path: Path, compute_processes: int) -> None:
    server = start_serve(tmp_path / "data", compute_processes=compute_processes)
    tree = process_tree(server.process.pid)
    assert len(tree) == (1 if compute_processes == 1 else compute_processes + 2)  # + resource tracker
    form = build_form("en", "registration")
    created = httpx.post(f"{server.base}/api/v1/templates", json=form.to_create_json(), headers=server.admin)
    assert created.status_code == 201, created.text
    httpx.post(
        f"{server.base}/api/v1/domains/1/releases",
        json={"templateIds": [created.json()["id"]]},
        headers=server.admin,
    )
    document = base64.b64encode(to_tiff([form.image] * 3)).decode()

    def infer(i: int) -> httpx.Response:
        body = {
            "version": "V2",
            "requestId": f"in-flight-{i}",
            "timestamp": 0,
            "images": [{"format": "tiff", "name": "d", "data": document}],
        }
        return httpx.post(f"{server.base}/infer", json=body, headers={"X-OCR-SECRET": SECRET}, timeout=120)

    with ThreadPoolExecutor(3) as pool:
        futures = [pool.submit(infer, i) for i in range(3)]
        time.sleep(1.0)  # each request reads 3 pages: well over a second on the real engines
        assert not all(f.done() for f in futures), "the requests ended before the signal"
        server.process.send_signal(signal.SIGTERM)
        responses = [f.result() for f in futures]
    # uvicorn re-raises the signal once it has shut down cleanly: killed by SIGTERM, after the log line.
    assert server.process.wait(60) in (0, -signal.SIGTERM)
    assert "Finished server process" in server.log()
    for i, response in enumerate(responses):
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["requestId"] == f"in-flight-{i}"
        assert [p["inferResult"] for p in body["images"]] == ["SUCCESS"] * 3
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{server.base}/healthz", timeout=2)
    assert _still_running(tree, 10) == []


def _still_running(pids: list[int], wait_s: float) -> list[int]:
    """Those of ``pids`` that are still running after up to ``wait_s`` seconds."""
    deadline = time.monotonic() + wait_s
    while True:
        alive = []
        for pid in pids:
            with contextlib.suppress(OSError):
                if "zombie" not in Path(f"/proc/{pid}/status").read_text():
                    alive.append(pid)
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.2)


def test_compute_processes_end_with_a_killed_server(tmp_path: Path) -> None:
    server = start_serve(tmp_path / "data", compute_processes=2)
    children = process_tree(server.process.pid)[1:]
    assert len(children) == 3
    server.stop(signal.SIGKILL)
    orphans = _still_running(children, 10)
    for pid in orphans:  # this test started them: end them
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    assert orphans == []
