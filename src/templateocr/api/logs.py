"""Structured logs: one JSON object per line on stderr, with secrets masked.

Every record the server writes (its own, uvicorn's) goes through :class:`JsonFormatter`:
``{"ts", "level", "logger", "message", ...fields}``. Fields come from ``extra={"fields": {...}}``.
Before a line is written, :func:`redact` masks what must never reach a log: the invoke key of
an invoke URL (``/custom/v1/{domainId}/{invokeKey}/...``), bearer tokens, ``X-OCR-SECRET``
values and passwords in database URLs. Request bodies (images) are never logged.

``uvicorn_log_config()`` is the ``logging.config.dictConfig`` that ``templateocr serve`` hands
uvicorn, so every worker process logs the same way; uvicorn's access log is off because the
server writes its own request line (``api/observability.py``), with the route and no invoke key.
"""

from __future__ import annotations

import json
import logging
import os
import re
from datetime import UTC, datetime
from typing import Any

__all__ = ["JsonFormatter", "configure_logging", "redact", "uvicorn_log_config"]

_REDACTIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    # The invoke key is the secret half of an invoke URL (a route template's "{invoke_key}" stays).
    (re.compile(r"(/custom/v1/[^/\s\"'?]+/)(?!\{)[^/\s\"'?]+"), r"\1***"),
    (re.compile(r"(?i)(authorization[\"']?\s*[:=]\s*[\"']?)(?:(?:bearer|basic)\s+)?[^\s\"',}]+"), r"\1***"),
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"), r"\1***"),
    (re.compile(r"(?i)(x-ocr-secret[\"']?\s*[:=]\s*[\"']?)[^\s\"',}]+"), r"\1***"),
    # user:password@ in URLs (database URLs in error messages).
    (re.compile(r"(://[^/\s:@]+:)[^@\s/]+@"), r"\1***@"),
)


def redact(text: str) -> str:
    """``text`` with invoke keys, bearer tokens, secrets and URL passwords replaced by ``***``."""
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


class JsonFormatter(logging.Formatter):
    """A log record as one line of JSON (secrets masked, see :func:`redact`)."""

    def format(self, record: logging.LogRecord) -> str:
        """``{"ts", "level", "logger", "message", "pid", ...fields, "error"?}``."""
        payload: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
            "pid": record.process or os.getpid(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            for key, value in fields.items():
                payload[str(key)] = redact(value) if isinstance(value, str) else value
        if record.exc_info:
            payload["error"] = redact(self.formatException(record.exc_info))
        return json.dumps(payload, ensure_ascii=False, default=str)


def uvicorn_log_config(level: str = "INFO") -> dict[str, Any]:
    """The ``dictConfig`` for the server processes: JSON on stderr for every logger."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": f"{__name__}.JsonFormatter"}},
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
        },
        "loggers": {
            "uvicorn": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.error": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "templateocr": {"handlers": [], "level": level, "propagate": True},
            # httpx logs every URL it fetches at INFO; image URLs may carry signed tokens.
            "httpx": {"handlers": [], "level": "WARNING", "propagate": True},
            "httpcore": {"handlers": [], "level": "WARNING", "propagate": True},
            "alembic": {"handlers": [], "level": "WARNING", "propagate": True},
        },
        "root": {"handlers": ["stderr"], "level": level},
    }


def configure_logging(level: str = "INFO") -> None:
    """Apply :func:`uvicorn_log_config` in this process."""
    import logging.config

    logging.config.dictConfig(uvicorn_log_config(level))
