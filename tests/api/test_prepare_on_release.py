"""Work done once per template version, not per request: releasing prepares the released
versions, and a server starting with warm-up prepares every released version."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from templateocr.api.app import create_app
from templateocr.api.runtime import Runtime
from templateocr.settings import Settings


def test_release_prepares_the_released_version(
    runtime: Runtime,
    client: TestClient,
    admin_headers: dict[str, str],
    create_template: Callable[..., dict[str, Any]],
) -> None:
    created = create_template(release=False)
    assert len(runtime.templates) == 0
    create_template(name="Other", release=True)
    assert len(runtime.templates) == 1
    client.post("/api/v1/domains/1/releases", json={"templateIds": [created["id"]]}, headers=admin_headers)
    assert len(runtime.templates) == 2


def test_start_up_prepares_every_released_version(
    settings: Settings, runtime: Runtime, create_template: Callable[..., dict[str, Any]]
) -> None:
    create_template(name="A")
    create_template(name="B")
    create_template(name="Not released", release=False)
    fresh = Runtime(settings=settings, store=runtime.store, engines=runtime.engines, admin_token_hash="x")
    assert len(fresh.templates) == 0
    with TestClient(create_app(settings, runtime=fresh, warm_up=True)):
        assert len(fresh.templates) == 2


def test_start_up_reads_a_released_sample_once(
    settings: Settings, runtime: Runtime, client: TestClient, admin_headers: dict[str, str]
) -> None:
    """The warm-up page goes through every stage (timed), so the first request pays for none."""
    from templateocr.pipeline.timing import collect
    from templateocr.synth import build_form

    fresh = Runtime(settings=settings, store=runtime.store, engines=runtime.engines, admin_token_hash="x")
    assert fresh.warm_pipeline() is False  # nothing released yet
    form = build_form("en", "application")
    created = client.post("/api/v1/templates", json=form.to_create_json(), headers=admin_headers)
    assert created.status_code == 201, created.text
    released = client.post(
        "/api/v1/domains/1/releases", json={"templateIds": [created.json()["id"]]}, headers=admin_headers
    )
    assert released.status_code == 200, released.text
    with collect() as times:
        assert fresh.warm_pipeline() is True
    stages = times.as_dict()
    assert {"features", "classify", "read_areas", "assemble"} <= set(stages)
