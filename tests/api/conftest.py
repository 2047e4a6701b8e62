"""Fixtures for the HTTP API tests: settings in tmp_path, an app on a real SQLite store, clients.

By default the app gets a :class:`FakeEngineSet` (reads nothing, records its calls). For the
real engines, either parametrize indirectly::

    @pytest.mark.parametrize("engines", ["real"], indirect=True)
    def test_reads(client, admin_headers): ...

or override ``engines`` in a module: ``def engines(real_engines): return real_engines``.
``real_engines`` is built once per session. Override ``settings_overrides`` (a dict of
``Settings`` fields) in a module to change settings.
"""

from __future__ import annotations

import base64
import io
import warnings
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from PIL import Image, ImageDraw

from templateocr.api.app import build_runtime, create_app
from templateocr.api.runtime import Runtime
from templateocr.engines.base import ReadOptions, RecognizedWord
from templateocr.settings import Settings

with warnings.catch_warnings():
    # starlette >= 1.x asks for httpx2 in its test client and warns (an error here) with httpx.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

ADMIN_TOKEN = "test-admin-token-0123456789"
DOMAIN_SECRET = "test-domain-secret-0123456789"

Reader = Callable[[Any, str, ReadOptions], list[RecognizedWord]]


@dataclass
class FakeEngine:
    """One fake engine: answers what its set's ``reader`` says (nothing by default)."""

    owner: FakeEngineSet
    lang: str
    name: str = "fake"

    def read(self, image: Any, options: ReadOptions) -> list[RecognizedWord]:
        return self.owner.read(image, self.lang, options)


@dataclass
class FakeEngineSet:
    """Stands in for ``engines.registry.EngineSet``: no models, instant, records every read.

    ``reader(image, lang, options)`` decides the words (default: none). ``calls`` holds
    ``(lang, options, image shape)`` per read; ``warmed`` counts ``warm_up()`` calls.
    """

    reader: Reader | None = None
    calls: list[tuple[str, ReadOptions, tuple[int, ...]]] = field(default_factory=list)
    warmed: int = 0

    def engine_for(self, lang: str, options: ReadOptions | None = None) -> FakeEngine:
        return FakeEngine(self, str(lang))

    def read(self, image: Any, lang: str, options: ReadOptions | None = None) -> list[RecognizedWord]:
        options = options or ReadOptions()
        self.calls.append((str(lang), options, tuple(getattr(image, "shape", ()))))
        return list(self.reader(image, str(lang), options)) if self.reader else []

    def warm_up(self, langs: tuple[str, ...] = ()) -> None:
        self.warmed += 1


@pytest.fixture
def admin_token() -> str:
    """The admin bearer token the app is configured with."""
    return ADMIN_TOKEN


@pytest.fixture
def domain_secret() -> str:
    """Domain 1's ``X-OCR-SECRET``."""
    return DOMAIN_SECRET


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """Extra ``Settings`` fields; override this fixture in a module to change them."""
    return {}


@pytest.fixture
def settings(
    tmp_path: Path,
    database_url: str,
    admin_token: str,
    domain_secret: str,
    settings_overrides: dict[str, Any],
) -> Settings:
    """Settings with a fresh data directory and database (SQLite in it; PostgreSQL too for
    modules marked ``pytest.mark.databases``), a fixed admin token and domain secret."""
    data_dir = tmp_path / "data"
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "database_url": database_url,
        "admin_token": admin_token,
        "secret": domain_secret,
        "default_lang": "ko",
        **settings_overrides,
    }
    return Settings(**values)


@pytest.fixture(scope="session")
def real_engines() -> Any:
    """The real ``EngineSet`` (built once per test session)."""
    from templateocr.engines.registry import EngineSet

    return EngineSet()


@pytest.fixture
def engines(request: pytest.FixtureRequest) -> Any:
    """A ``FakeEngineSet``; ``"real"`` by indirect parametrization gives ``real_engines``."""
    if getattr(request, "param", "fake") == "real":
        return request.getfixturevalue("real_engines")
    return FakeEngineSet()


@pytest.fixture
def runtime(settings: Settings, engines: Any) -> Iterator[Runtime]:
    """The runtime the app serves from: a migrated SQLite store, domain 1, the engines."""
    built = build_runtime(settings, engines=engines, announce=lambda _message: None)
    try:
        yield built
    finally:
        close = getattr(built.store, "close", None)
        if callable(close):
            close()


@pytest.fixture
def store(runtime: Runtime) -> Any:
    """The app's template store (a ``SqlStore``)."""
    return runtime.store


@pytest.fixture
def app(settings: Settings, runtime: Runtime) -> FastAPI:
    """The application, sharing ``runtime``."""
    return create_app(settings, runtime=runtime)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """A synchronous client (runs the app's lifespan)."""
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
async def async_client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An async client over ASGI (use in ``@pytest.mark.anyio`` tests)."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as async_test_client:
        yield async_test_client


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on asyncio only."""
    return "asyncio"


@pytest.fixture
def admin_headers(admin_token: str) -> dict[str, str]:
    """``Authorization: Bearer <admin token>``."""
    return {"Authorization": f"Bearer {admin_token}"}


def _sample(width: int = 400, height: int = 300, fmt: str = "png") -> bytes:
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 10, 220, 40), outline="black", width=2)
    for i in range(3):
        top = 60 + 40 * i
        draw.rectangle((20, top, 320, top + 30), outline="black", width=2)
        draw.rectangle((30, top + 8, 30 + 40 * (i + 1), top + 22), fill=(40, 40, 40))
    buffer = io.BytesIO()
    image.save(
        buffer, format={"png": "PNG", "jpg": "JPEG", "jpeg": "JPEG", "tiff": "TIFF", "pdf": "PDF"}[fmt]
    )
    return buffer.getvalue()


@pytest.fixture
def make_sample() -> Callable[..., bytes]:
    """``make_sample(width=400, height=300, fmt="png")``: a form-like page image (Pillow)."""
    return _sample


@pytest.fixture
def sample_png() -> bytes:
    """A 400x300 PNG with a few rectangles."""
    return _sample()


def rect(x: float, y: float, w: float, h: float) -> dict[str, Any]:
    """A rectangle as a CLOVA ``boundingPoly``."""
    return {
        "vertices": [{"x": x, "y": y}, {"x": x + w, "y": y}, {"x": x + w, "y": y + h}, {"x": x, "y": y + h}]
    }


def _template_body(
    name: str = "Form",
    fields: tuple[str, ...] = ("Name", "Date"),
    *,
    sample: bytes | None = None,
    fmt: str = "png",
    lang: str = "ko",
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": name,
        "lang": lang,
        "title": {"name": name, "boundingPoly": rect(20, 10, 200, 30)},
        "fields": [{"name": n, "boundingPoly": rect(20, 60 + 40 * i, 300, 30)} for i, n in enumerate(fields)],
    }
    if sample is not None:
        body["sample"] = {"format": fmt, "data": base64.b64encode(sample).decode("ascii")}
    return body


@pytest.fixture
def make_template_body(sample_png: bytes) -> Callable[..., dict[str, Any]]:
    """``make_template_body(name, fields=(...), sample=..., fmt="png", lang="ko")``: a JSON body for
    ``POST /api/v1/templates`` (fields stacked inside a 400x300 sample; ``sample_png`` by default,
    ``sample=None`` leaves the sample out)."""
    missing = object()

    def build(
        name: str = "Form", fields: tuple[str, ...] = ("Name", "Date"), **kwargs: Any
    ) -> dict[str, Any]:
        if kwargs.get("sample", missing) is missing:
            kwargs["sample"] = sample_png
        return _template_body(name, fields, **kwargs)

    return build


@pytest.fixture
def create_template(
    client: TestClient, admin_headers: dict[str, str], make_template_body: Callable[..., dict[str, Any]]
) -> Callable[..., dict[str, Any]]:
    """``create_template(name="Form", fields=(...), release=True, **body_kwargs)``: create one through the
    API and (by default) release it to domain 1; returns the template's JSON."""

    def create(
        name: str = "Form", fields: tuple[str, ...] = ("Name", "Date"), *, release: bool = True, **kwargs: Any
    ) -> dict[str, Any]:
        response = client.post(
            "/api/v1/templates", json=make_template_body(name, fields, **kwargs), headers=admin_headers
        )
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        if release:
            released = client.post(
                "/api/v1/domains/1/releases", json={"templateIds": [created["id"]]}, headers=admin_headers
            )
            assert released.status_code == 200, released.text
        return created

    return create
