"""Reading pages in worker processes, so that one server process keeps every core busy.

Decoding, alignment and recognition are CPU work, much of it in Python that holds the GIL: a
single server process reads about one page at a time however many clients wait. The
:class:`ComputePool` runs :func:`templateocr.api.inference.execute` in ``compute_processes``
worker processes (started with ``spawn``, each with its own engines, store connection and
prepared-template cache, engines warmed and released templates prepared at start); the server
process only parses requests, checks secrets and limits, and sends the answers. With one compute
process nothing is spawned: requests are read in the server's threads, as before.

Each compute process works on one core: onnxruntime runs one thread per call and OpenCV one
thread (``_start_worker``). Letting a request alone spread OpenCV's work over idle cores saved
it 12-16 ms (of ~200-280) on 2 cores, but cost 10-20 ms more CPU a page, and under load, where
a worker idles only a moment between two requests, a request started in that moment contended
with the other's core: with 2 clients the server read 5-10% fewer pages a second (bench/SPEED.md).

A worker that dies (a crash in native code) breaks the pool: the request in flight answers an
error, the pool is rebuilt, and the next requests are served again.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Any

from templateocr.api.clova.schemas import ParsedRequest
from templateocr.exceptions import ClovaError
from templateocr.models.page import Page
from templateocr.models.records import TemplateRecord
from templateocr.models.result import PageResult
from templateocr.settings import Settings

if TYPE_CHECKING:
    from templateocr.api.runtime import Runtime

__all__ = ["MULTI_PAGE_FORMATS", "ComputePool", "compute_processes"]

MULTI_PAGE_FORMATS = frozenset({"pdf", "tif", "tiff"})
"""Formats whose pages are read by several workers at once."""

log = logging.getLogger("templateocr.compute")

_PARENT_CHECK_S = 0.5
"""How often a worker checks that the server process that started it is still there."""

_WORKER: Any = None
"""The worker process's own Runtime (set by :func:`_start_worker`)."""


def compute_processes(settings: Settings) -> int:
    """How many processes read pages: the setting, or one per core (at most 8) when it is 0."""
    if settings.compute_processes > 0:
        return settings.compute_processes
    return max(1, min(8, os.cpu_count() or 1))


def _exit_with_parent(parent: int) -> None:
    """End this worker when the server process is gone (a SIGKILL leaves no one to stop it)."""
    while True:
        time.sleep(_PARENT_CHECK_S)
        if os.getppid() != parent:
            os._exit(1)


def _start_worker(settings_data: dict[str, Any]) -> None:
    """Build this worker's runtime: store, engines (warmed), released templates prepared."""
    global _WORKER
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True, name="parent-watch").start()
    import cv2

    from templateocr.api.app import build_runtime

    cv2.setNumThreads(1)  # one core per process (see the module's text)
    settings = Settings(**settings_data)
    runtime = build_runtime(settings, announce=lambda message: None)
    runtime.engines.warm_up()
    runtime.prepare_released()
    runtime.warm_pipeline()
    _WORKER = runtime


def _execute(parsed: ParsedRequest, records: Sequence[TemplateRecord]) -> dict[str, Any]:
    from templateocr.api.inference import execute

    return execute(_WORKER, parsed, records)


def _read_page(parsed: ParsedRequest, records: Sequence[TemplateRecord], page: Page) -> list[PageResult]:
    from templateocr.api.inference import read_pages

    return read_pages(_WORKER, parsed, records, [page])


def _opencv_threads() -> int:
    """OpenCV's threads in this worker (for the tests)."""
    import cv2

    return int(cv2.getNumThreads())


def _without_image(parsed: ParsedRequest) -> ParsedRequest:
    """The request without its image bytes (what a page's worker needs of it)."""
    image = parsed.request.image.model_copy(update={"data": None, "url": None})
    return ParsedRequest(parsed.request.model_copy(update={"image": image}), None)


def _ready() -> int:
    return os.getpid()


def _prepare(records: Sequence[TemplateRecord]) -> int:
    for record in records:
        _WORKER.prepared(record)
    _WORKER.warm_pipeline(records)  # a worker started before anything was released is still cold
    # Stay busy a moment, so that the pool's other workers take the other copies of this task.
    time.sleep(0.2)
    return os.getpid()


class ComputePool:
    """Worker processes that read pages (see the module's text)."""

    def __init__(self, settings: Settings, processes: int) -> None:
        """Start ``processes`` workers and wait until each has warmed up."""
        self.settings = settings
        self.processes = processes
        self._lock = threading.Lock()
        self._executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        data = self.settings.model_dump()
        executor = ProcessPoolExecutor(
            max_workers=self.processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(data,),
        )
        # One task per worker makes every worker start (and warm up) now, not on a request.
        for future in [executor.submit(_ready) for _ in range(self.processes)]:
            future.result()
        return executor

    async def run(
        self, runtime: Runtime, parsed: ParsedRequest, records: Sequence[TemplateRecord]
    ) -> dict[str, Any]:
        """Read one request in the workers; the CLOVA response body.

        An image is decoded and read by one worker. A PDF or TIFF is decoded here (pdfium and
        Pillow leave the interpreter lock while they work) and its pages are read by all the
        workers at once.
        """
        executor = self._executor
        loop = asyncio.get_running_loop()
        try:
            if parsed.request.image.format in MULTI_PAGE_FORMATS:
                from templateocr.api.inference import load_pages, to_response

                pages = await loop.run_in_executor(None, load_pages, runtime, parsed)
                light, wanted = _without_image(parsed), list(records)
                parts = await asyncio.gather(
                    *(loop.run_in_executor(executor, _read_page, light, wanted, page) for page in pages)
                )
                return to_response(parsed, [result for part in parts for result in part])
            result: dict[str, Any] = await loop.run_in_executor(executor, _execute, parsed, list(records))
            return result
        except BrokenProcessPool:
            log.error("a compute process died; restarting the pool")
            self._restart(executor)
            raise ClovaError("a worker process died while reading this request") from None

    def _restart(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._executor is broken:
                broken.shutdown(wait=False, cancel_futures=True)
                self._executor = self._start()

    def prepare(self, records: Sequence[TemplateRecord], timeout_s: float = 120.0) -> None:
        """Have the workers prepare these template versions now, and wait for it (one task per
        worker; a worker that missed it prepares them on first use)."""
        futures = [self._executor.submit(_prepare, list(records)) for _ in range(self.processes)]
        wait(futures, timeout=timeout_s)

    def pids(self) -> list[int]:
        """The worker processes' ids (for the operator and the tests)."""
        processes = getattr(self._executor, "_processes", None) or {}
        return sorted(int(pid) for pid in processes)

    def close(self) -> None:
        """Stop the workers (requests in flight finish first)."""
        self._executor.shutdown(wait=True, cancel_futures=False)
