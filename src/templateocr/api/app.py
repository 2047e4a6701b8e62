"""``create_app(settings)``: the ASGI application, built once per server process."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI

from templateocr import __version__
from templateocr.api.compute import ComputePool, compute_processes
from templateocr.api.errors import install_error_handlers
from templateocr.api.observability import ObservabilityMiddleware
from templateocr.api.routes import console, domains, health, infer, template_test, templates
from templateocr.api.runtime import Runtime
from templateocr.api.security import ensure_admin_token
from templateocr.engines.registry import EngineSet
from templateocr.settings import Settings
from templateocr.store.base import TemplateStore
from templateocr.store.sql import open_store

__all__ = ["app_from_environment", "build_runtime", "create_app", "prepare_server"]

log = logging.getLogger("templateocr")


def _prepare_store(settings: Settings, store: TemplateStore, announce: Callable[[str], None] | None) -> str:
    """Domain 1 and the admin token (printed once when generated); the token's hash."""
    store.ensure_default_domain(settings.default_lang, settings.secret)
    token_hash, new_token = ensure_admin_token(settings, store)
    if new_token is not None:
        message = (
            "Generated the admin token (shown once; set TEMPLATEOCR_ADMIN_TOKEN to choose your own): "
            + new_token
        )
        (announce or log.warning)(message)
    return token_hash


def _private_data_dir(settings: Settings) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    settings.data_dir.chmod(0o700)  # the data directory is the owner's only, also when it existed


def prepare_server(settings: Settings, *, announce: Callable[[str], None] | None = None) -> None:
    """What ``serve`` does once, before it starts its processes: the data directory (0o700), the
    database migrated, domain 1 and the admin token. The processes then find all of it ready, so
    only one of them could ever generate (and print) a token."""
    _private_data_dir(settings)
    store = open_store(settings.resolved_database_url)
    try:
        _prepare_store(settings, store, announce)
    finally:
        store.close()


def build_runtime(
    settings: Settings,
    *,
    store: TemplateStore | None = None,
    engines: EngineSet | None = None,
    announce: Callable[[str], None] | None = None,
) -> Runtime:
    """Open the store (migrating it), make sure domain 1 and the admin token exist, build engines."""
    _private_data_dir(settings)
    store = store or open_store(settings.resolved_database_url)
    token_hash = _prepare_store(settings, store, announce)
    engines = engines or EngineSet()
    return Runtime(settings=settings, store=store, engines=engines, admin_token_hash=token_hash)


def create_app(
    settings: Settings,
    *,
    runtime: Runtime | None = None,
    warm_up: bool = False,
) -> FastAPI:
    """The application. ``runtime`` lets tests share one store and engine set between apps."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if getattr(app.state, "runtime", None) is None:
            app.state.runtime = build_runtime(settings)
        runtime: Runtime = app.state.runtime
        processes = compute_processes(runtime.settings)
        if processes > 1:
            # Pages are read in worker processes (each warms its own engines); this process
            # only serves HTTP (its engines are built when the console's suggest or a test
            # run needs them).
            runtime.compute = ComputePool(runtime.settings, processes)
        elif warm_up:
            runtime.engines.warm_up()
            runtime.prepare_released()
            runtime.warm_pipeline()
        runtime.engines_ready = True
        try:
            yield
        finally:
            if runtime.compute is not None:
                runtime.compute.close()
                runtime.compute = None

    app = FastAPI(
        title="templateocr",
        version=__version__,
        summary="Template OCR compatible with NAVER CLOVA OCR's Template OCR API",
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    install_error_handlers(app)

    app.add_middleware(ObservabilityMiddleware)
    app.include_router(health.router)
    app.include_router(infer.router)
    app.include_router(templates.router, prefix="/api/v1")
    app.include_router(template_test.router, prefix="/api/v1")
    app.include_router(domains.router, prefix="/api/v1")
    app.include_router(console.router)
    return app


def app_from_environment() -> FastAPI:
    """The app with settings from ``TEMPLATEOCR_*`` (what ``templateocr serve`` runs in each worker)."""
    from templateocr.settings import load_settings

    return create_app(load_settings(), warm_up=True)
