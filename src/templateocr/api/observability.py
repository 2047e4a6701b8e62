"""The ASGI middleware that sees every request: trace id, request log line, metrics.

For each HTTP request it

- gives the request a trace id (``request.state.trace_id``; error bodies and ``X-Trace-Id``
  carry it, see ``api/errors.py``);
- adds ``X-Templateocr-Worker: <pid>`` to the response, so a client behind several server
  processes can tell which one answered;
- opens a stage-time collector (``pipeline/timing.py``) around the request, so the pipeline's
  stages are timed and land in ``templateocr_stage_duration_seconds``;
- writes one log line ``request`` (logger ``templateocr.access``) with ``method``, ``path``
  (invoke keys masked), ``route``, ``status``, ``durationMs`` and ``traceId``, and counts the
  request in the metrics (``api/metrics.py``). Headers, query strings and bodies are never logged.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from templateocr.api.metrics import observe_request, observe_stages
from templateocr.pipeline.timing import collect

__all__ = ["ACCESS_LOGGER", "WORKER_HEADER", "ObservabilityMiddleware", "route_of"]

ACCESS_LOGGER = "templateocr.access"
WORKER_HEADER = "X-Templateocr-Worker"
UNMATCHED_ROUTE = "unmatched"

access_log = logging.getLogger(ACCESS_LOGGER)


def route_of(scope: Scope) -> str:
    """The path template of the route that answered (``unmatched`` when none did)."""
    route: Any = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) and path else UNMATCHED_ROUTE


class ObservabilityMiddleware:
    """Trace id, worker header, stage timing, one log line and the metrics of every request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.worker = str(os.getpid())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        trace_id = uuid.uuid4().hex
        scope.setdefault("state", {})["trace_id"] = trace_id
        status = 500

        async def send_with_worker(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                MutableHeaders(scope=message).append(WORKER_HEADER, self.worker)
            await send(message)

        with collect() as times:
            try:
                await self.app(scope, receive, send_with_worker)
            finally:
                seconds = time.perf_counter() - start
                method = str(scope.get("method", ""))
                route = route_of(scope)
                observe_request(method, route, status, seconds)
                observe_stages(times.seconds)
                access_log.log(
                    logging.ERROR if status >= 500 else logging.INFO,
                    "request",
                    extra={
                        "fields": {
                            "method": method,
                            "path": str(scope.get("path", "")),
                            "route": route,
                            "status": status,
                            "durationMs": round(seconds * 1000.0, 2),
                            "traceId": trace_id,
                        }
                    },
                )
