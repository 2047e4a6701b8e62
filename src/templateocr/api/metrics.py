"""Prometheus metrics of the server (``GET /metrics``).

- ``templateocr_http_requests_total{method,route,status}``: requests answered.
- ``templateocr_http_request_duration_seconds{method,route,status}``: their latency (histogram).
- ``templateocr_stage_duration_seconds{stage}``: time one request spent in each pipeline stage
  (``features``, ``classify``, ``read_areas``, ``assemble``, ``engine:<name>``...,
  as ``pipeline/timing.py`` names them), summed over the request's pages (histogram).

``route`` is the route's path template (``/custom/v1/{domain_id}/{invoke_key}/infer``), never
the path a client sent, so no invoke key and no unbounded label values reach the metrics.

With several server processes, ``templateocr serve`` sets ``PROMETHEUS_MULTIPROC_DIR`` (a fresh
``metrics`` directory in the data directory) before any process imports prometheus_client; every
process then writes its samples there and ``/metrics`` answers the sum over all of them, whichever
process serves it.
"""

from __future__ import annotations

import os
from pathlib import Path

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client import multiprocess as prometheus_multiprocess

__all__ = [
    "CONTENT_TYPE",
    "MULTIPROC_ENV",
    "REQUESTS",
    "REQUEST_SECONDS",
    "STAGE_SECONDS",
    "observe_request",
    "observe_stages",
    "prepare_multiprocess_dir",
    "render",
]

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

REQUESTS = Counter("templateocr_http_requests", "HTTP requests answered.", ("method", "route", "status"))
REQUEST_SECONDS = Histogram(
    "templateocr_http_request_duration_seconds",
    "Time from a request's start to its last response byte.",
    ("method", "route", "status"),
    buckets=_LATENCY_BUCKETS,
)
STAGE_SECONDS = Histogram(
    "templateocr_stage_duration_seconds",
    "Time one request spent in a pipeline stage (summed over its pages).",
    ("stage",),
    buckets=_LATENCY_BUCKETS,
)


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    """Count one answered request and its latency."""
    labels = (method, route, str(status))
    REQUESTS.labels(*labels).inc()
    REQUEST_SECONDS.labels(*labels).observe(seconds)


def observe_stages(seconds: dict[str, float]) -> None:
    """Record one request's time per stage."""
    for name, value in seconds.items():
        STAGE_SECONDS.labels(name).observe(value)


def prepare_multiprocess_dir(directory: Path) -> Path:
    """Empty (or make, mode 0o700) the directory the processes of one server share for metrics."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    directory.chmod(0o700)
    for stale in directory.glob("*.db"):
        stale.unlink()
    return directory


def render() -> bytes:
    """The exposition text: every process's metrics in multiprocess mode, else this process's."""
    directory = os.environ.get(MULTIPROC_ENV)
    if directory:
        registry = CollectorRegistry()
        prometheus_multiprocess.MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
    return generate_latest()
