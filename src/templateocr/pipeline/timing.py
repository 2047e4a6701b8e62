"""Per-stage timing of one request: where the time goes.

Recording is off unless a caller opens :func:`collect`; then every :func:`stage` block (and
every read through :func:`timed_reader`) adds its duration to the collector held in a context
variable, so concurrent requests (threads, tasks) never mix their figures. With no collector
open a stage costs one context-variable lookup.

Usage::

    with collect() as times:
        run_document(...)
    times.seconds  # {"features": 0.05, "classify": 0.21, "engine:rapid": 0.3, ...}
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ParamSpec, Protocol, TypeVar

from templateocr.engines.base import ReadOptions, RecognizedWord
from templateocr.models.page import Image

__all__ = ["StageTimes", "collect", "current", "stage", "timed", "timed_reader"]

P = ParamSpec("P")
R = TypeVar("R")


class StageTimes:
    """Per stage name: total wall seconds, CPU seconds of the calling thread, and calls (a recorder).

    The thread's CPU time does not grow while other processes hold the cores, so it measures a
    stage's cost on a busy machine; it misses work done on other threads (none with one
    onnxruntime thread and Tesseract, both of which run in the caller).
    """

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.cpu_seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}

    def add(self, name: str, seconds: float, cpu_seconds: float = 0.0) -> None:
        """Add one call of ``name`` that took ``seconds`` (``cpu_seconds`` of thread CPU time)."""
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds
        self.cpu_seconds[name] = self.cpu_seconds.get(name, 0.0) + cpu_seconds
        self.calls[name] = self.calls.get(name, 0) + 1

    def as_dict(self) -> dict[str, dict[str, float]]:
        """``{stage: {"ms", "cpu_ms", "calls"}}`` (totals) in recording order."""
        return {
            name: {
                "ms": 1000.0 * seconds,
                "cpu_ms": 1000.0 * self.cpu_seconds[name],
                "calls": float(self.calls[name]),
            }
            for name, seconds in self.seconds.items()
        }


_CURRENT: ContextVar[StageTimes | None] = ContextVar("templateocr_stage_times", default=None)


def current() -> StageTimes | None:
    """The open collector of this context, if any."""
    return _CURRENT.get()


@contextmanager
def collect() -> Iterator[StageTimes]:
    """Record every stage run inside the block (nested collectors each see their own block)."""
    times = StageTimes()
    token = _CURRENT.set(times)
    try:
        yield times
    finally:
        _CURRENT.reset(token)


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Time the block as ``name`` when a collector is open (an exception still records it)."""
    times = _CURRENT.get()
    if times is None:
        yield
        return
    start, cpu = time.perf_counter(), time.thread_time()
    try:
        yield
    finally:
        times.add(name, time.perf_counter() - start, time.thread_time() - cpu)


def timed(name: str, function: Callable[P, R]) -> Callable[P, R]:
    """``function`` wrapped so that each call is recorded as ``name`` (when collecting)."""

    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with stage(name):
            return function(*args, **kwargs)

    wrapper.__wrapped__ = function  # type: ignore[attr-defined]
    return wrapper


class _Reader(Protocol):
    def read(self, image: Image, lang: str, options: ReadOptions) -> list[RecognizedWord]: ...


class _TimedReader:
    """Records each read as ``engine:<name>`` (the routed engine's name when the reader tells it)."""

    def __init__(self, inner: _Reader) -> None:
        self.inner = inner

    def _name(self, lang: str, options: ReadOptions) -> str:
        engine_for: Any = getattr(self.inner, "engine_for", None)
        if callable(engine_for):
            try:
                return str(engine_for(lang, options).name)
            except Exception:  # the read raises the real error
                return "reader"
        return "reader"

    def read(self, image: Image, lang: str, options: ReadOptions) -> list[RecognizedWord]:
        with stage(f"engine:{self._name(lang, options)}"):
            return self.inner.read(image, lang, options)

    def read_many(self, jobs: Sequence[tuple[Image, ReadOptions]], lang: str) -> list[list[RecognizedWord]]:
        """A batch is recorded under the engine of its first crop (a page's text fields share one)."""
        if not jobs:
            return []
        with stage(f"engine:{self._name(lang, jobs[0][1])}"):
            from templateocr.pipeline.recognize import read_batch

            return read_batch(self.inner, jobs, lang)


def timed_reader(reader: _Reader) -> _Reader:
    """``reader`` itself when nothing is collecting, else a wrapper that times each engine call."""
    if _CURRENT.get() is None:
        return reader
    return _TimedReader(reader)
