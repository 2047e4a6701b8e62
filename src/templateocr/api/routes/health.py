"""Probes and metrics: ``/healthz`` (the process answers), ``/readyz`` (it can serve), ``/metrics``.

``/readyz`` answers 200 only when the store answers a trivial query and the engines have been
built at start-up; otherwise 503 with what is missing (never the database URL or its error
text, which is logged instead). ``/metrics`` is Prometheus' text format (``api/metrics.py``).
None of them needs a token: bind the server to a private address or filter these paths at the
proxy when they must not be public.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from templateocr.api import metrics
from templateocr.api.runtime import Runtime

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

log = logging.getLogger("templateocr.api")


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """200 when the store is reachable and the engines are loaded, else 503."""
    runtime = getattr(request.app.state, "runtime", None)
    checks: dict[str, str] = {}
    if not isinstance(runtime, Runtime):
        checks["store"] = checks["engines"] = "not started"
    else:
        try:
            await run_in_threadpool(runtime.store.ping)
        except Exception as exc:  # any failure of the database means "not ready"
            log.warning("readiness: the store does not answer: %s: %s", type(exc).__name__, exc)
            checks["store"] = "unreachable"
        else:
            checks["store"] = "ok"
        checks["engines"] = "ok" if runtime.engines_ready else "loading"
    ready = all(value == "ok" for value in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "unready", **checks}, status_code=200 if ready else 503
    )


@router.get("/metrics")
async def prometheus_metrics() -> Response:
    """Prometheus text exposition of the request and stage metrics."""
    body = await run_in_threadpool(metrics.render)
    return Response(body, media_type=metrics.CONTENT_TYPE)
