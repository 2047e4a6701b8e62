"""The one place HTTP answers are made from errors.

Inference routes answer CLOVA's error body ``{code, message, path, traceId, timestamp}``;
the management API answers ``{"detail": ...}``. Anything unexpected is logged with its trace id
and answered as CLOVA's ``0500`` (or a 500 ``detail`` under ``/api``).
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from templateocr.exceptions import ClovaError, ManagementError, TemplateOcrError

__all__ = ["clova_body", "install_error_handlers", "is_management_path"]

log = logging.getLogger("templateocr.api")


def is_management_path(path: str) -> bool:
    """True for management API paths, which answer ``{"detail": ...}``."""
    return path.startswith("/api/")


def clova_body(error: TemplateOcrError, path: str, trace_id: str) -> dict[str, Any]:
    """CLOVA's error body for ``error``."""
    return {
        "code": error.code,
        "message": error.full_message,
        "path": path,
        "traceId": trace_id,
        "timestamp": int(time.time() * 1000),
    }


def _trace_id(request: Request) -> str:
    trace = getattr(request.state, "trace_id", None)
    if isinstance(trace, str):
        return trace
    return uuid.uuid4().hex


def _answer(request: Request, error: TemplateOcrError) -> JSONResponse:
    trace_id = _trace_id(request)
    path = request.url.path
    if error.http_status >= 500:
        log.error("error %s %s trace=%s: %s", error.code, path, trace_id, error.full_message)
    if is_management_path(path) and not isinstance(error, ClovaError):
        headers = {"WWW-Authenticate": "Bearer"} if error.http_status == 401 else None
        return JSONResponse({"detail": error.full_message}, status_code=error.http_status, headers=headers)
    headers = {"X-Trace-Id": trace_id}
    if getattr(request.state, "close_connection", False):
        headers["Connection"] = "close"  # the rest of a refused body is not worth reading
    return JSONResponse(clova_body(error, path, trace_id), status_code=error.http_status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that turn every error into the right body."""

    @app.exception_handler(TemplateOcrError)
    async def _known(request: Request, exc: TemplateOcrError) -> JSONResponse:
        return _answer(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        if is_management_path(request.url.path):
            return JSONResponse({"detail": _validation_detail(exc)}, status_code=422)
        return _answer(request, _clova_invalid(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if is_management_path(request.url.path) or request.url.path.startswith("/console"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        if exc.status_code == 404:
            from templateocr.exceptions import InvalidUrlError

            return _answer(request, InvalidUrlError(f"no route {request.url.path}"))
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        trace_id = _trace_id(request)
        log.exception("unexpected error on %s trace=%s", request.url.path, trace_id)
        if is_management_path(request.url.path):
            return JSONResponse({"detail": f"Unknown service error (trace {trace_id})."}, status_code=500)
        return _answer(request, TemplateOcrError())


def _validation_detail(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        parts.append(f"{loc}: {err.get('msg', 'invalid')}" if loc else str(err.get("msg", "invalid")))
    return "; ".join(parts) or "invalid request"


def _clova_invalid(exc: RequestValidationError) -> ManagementError | ClovaError:
    from templateocr.exceptions import InvalidRequestError

    return InvalidRequestError(_validation_detail(exc))
