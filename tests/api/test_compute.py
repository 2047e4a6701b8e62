"""Pages read in compute processes: the same answers as in-thread, both processes used, and a
process that dies costs one request, not the server."""

from __future__ import annotations

import base64
import os
import signal
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from templateocr.api.app import create_app
from templateocr.api.compute import compute_processes
from templateocr.settings import Settings
from templateocr.synth import build_form, fill_form, foreign_page, sample_values, to_jpeg, to_pdf

ADMIN = "compute-admin-token-0123456789"
SECRET = "compute-secret-0123456789"

pytestmark = pytest.mark.slow


def test_compute_processes_default_to_one_per_core(tmp_path: Path) -> None:
    assert compute_processes(Settings(data_dir=tmp_path, compute_processes=3)) == 3
    assert compute_processes(Settings(data_dir=tmp_path, compute_processes=0)) == min(8, os.cpu_count() or 1)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, str]]]:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("compute") / "data",
        admin_token=ADMIN,
        secret=SECRET,
        compute_processes=2,
    )
    form = build_form("en", "application")
    admin = {"Authorization": f"Bearer {ADMIN}"}
    with TestClient(create_app(settings, warm_up=True)) as client:
        created = client.post("/api/v1/templates", json=form.to_create_json(), headers=admin)
        assert created.status_code == 201, created.text
        released = client.post(
            "/api/v1/domains/1/releases", json={"templateIds": [created.json()["id"]]}, headers=admin
        )
        assert released.status_code == 200
        values = sample_values(form, seed=3)  # what _infer fills in by default
        yield client, {k: v for k, v in values.items() if isinstance(v, str)}


def _infer(client: TestClient, seed: int = 3) -> Any:
    form = build_form("en", "application")
    page = fill_form(form, sample_values(form, seed=seed), seed=seed)
    body = {
        "version": "V2",
        "requestId": f"r{seed}",
        "timestamp": 1,
        "images": [{"format": "jpg", "name": "p", "data": base64.b64encode(to_jpeg(page)).decode()}],
    }
    return client.post("/infer", json=body, headers={"X-OCR-SECRET": SECRET})


def test_pages_are_read_in_the_worker_processes(server: tuple[TestClient, dict[str, str]]) -> None:
    client, values = server
    response = _infer(client)
    assert response.status_code == 200, response.text
    image = response.json()["images"][0]
    assert image["inferResult"] == "SUCCESS"
    fields = {f["name"]: f["inferText"] for f in image["fields"]}
    read = sum(fields.get(name) == value for name, value in values.items() if value)
    assert read >= len([v for v in values.values() if v]) - 2
    pool = client.app.state.runtime.compute  # type: ignore[attr-defined]
    assert pool is not None and len(pool.pids()) == 2
    # Two requests at once are read by two processes.
    with ThreadPoolExecutor(2) as threads:
        answers = list(threads.map(lambda seed: _infer(client, seed), [4, 5]))
    assert [a.status_code for a in answers] == [200, 200]
    assert [a.json()["requestId"] for a in answers] == ["r4", "r5"]


def test_a_dead_process_costs_one_request_not_the_server(server: tuple[TestClient, dict[str, str]]) -> None:
    client, _ = server
    pool = client.app.state.runtime.compute  # type: ignore[attr-defined]
    before = pool.pids()
    os.kill(before[0], signal.SIGKILL)
    time.sleep(0.5)
    first = _infer(client, 6)
    assert first.status_code in (200, 500)
    if first.status_code == 500:
        assert first.json()["code"] == "0500"
    again = _infer(client, 7)
    assert again.status_code == 200, again.text
    assert again.json()["images"][0]["inferResult"] == "SUCCESS"
    assert set(pool.pids()) != set(before)


def test_a_pdf_is_read_page_by_page_by_all_the_workers(server: tuple[TestClient, dict[str, str]]) -> None:
    client, _ = server
    form = build_form("en", "application")
    pages = [fill_form(form, sample_values(form, seed=s), seed=s) for s in (11, 12)] + [
        foreign_page("en", seed=1)
    ]
    body = {
        "version": "V2",
        "requestId": "pdf",
        "timestamp": 1,
        "images": [{"format": "pdf", "name": "doc", "data": base64.b64encode(to_pdf(pages)).decode()}],
    }
    response = client.post("/infer", json=body, headers={"X-OCR-SECRET": SECRET})
    assert response.status_code == 200, response.text
    images = response.json()["images"]
    assert [img["convertedImageInfo"]["pageIndex"] for img in images] == [0, 1, 2]
    assert [img["inferResult"] for img in images] == ["SUCCESS", "SUCCESS", "FAILURE"]
    assert all(img["name"] == "doc" for img in images)
    names = {f["name"]: f["inferText"] for f in images[1]["fields"]}
    assert names["Name"] == sample_values(form, seed=12)["Name"]


def test_each_worker_runs_opencv_on_one_core(server: tuple[TestClient, dict[str, str]]) -> None:
    """One core per compute process: OpenCV's threads would contend with the other worker's core."""
    from templateocr.api.compute import _opencv_threads

    client, _ = server
    pool = client.app.state.runtime.compute  # type: ignore[attr-defined]
    executor = pool._executor
    assert [executor.submit(_opencv_threads).result(timeout=30) for _ in range(4)] == [1, 1, 1, 1]
