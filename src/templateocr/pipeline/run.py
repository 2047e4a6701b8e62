"""The orchestrator: for each page, find the template, read its areas, assemble the result.

Stages, in order (each a plain function in its own module)::

    features.extract_features   page -> keypoints
    classify.classify           which candidate template, and the homography (align.py)
    recognize.read_areas        every area cut out, dropped out and read (one batch)
    assemble.assemble_page      combine and validation

A page that fails inside the pipeline becomes that page's ``ERROR``; other pages still return.
With ``RunOptions.page_timeout_s`` a page runs on a worker thread and one that is not done in
time (an engine that hangs) is answered ``ERROR`` too; its thread is left to finish or hang on
its own, as Python cannot stop a thread, and another one serves the next pages. Each stage (and
each engine call) is timed when a caller collects (``timing.collect``).
"""

from __future__ import annotations

import contextvars
import logging
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from templateocr.models.page import Page
from templateocr.models.result import AlignmentInfo, InferStatus, PageInfo, PageResult
from templateocr.models.template import Lang
from templateocr.pipeline.assemble import assemble_page
from templateocr.pipeline.calibration import Calibration
from templateocr.pipeline.classify import DEFAULT_THRESHOLD, classify
from templateocr.pipeline.decode import page_info_long
from templateocr.pipeline.features import extract_features
from templateocr.pipeline.prepare import PreparedTemplate
from templateocr.pipeline.recognize import Reader, read_areas
from templateocr.pipeline.timing import stage, timed_reader
from templateocr.pipeline.validate import ExternalValidator, HttpValidator

__all__ = [
    "NOT_FOUND_MESSAGE",
    "RunOptions",
    "choose_lang",
    "process_page",
    "process_page_within",
    "run_document",
]

log = logging.getLogger("templateocr.pipeline")

NOT_FOUND_MESSAGE = "NOT_FOUND: not found matched template"


def _no_payload(result: PageResult) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class RunOptions:
    """How to read a request's pages.

    ``langs``: the request's ``lang`` (None: each page in its template's language).
    ``payload``: builds the validator's body from a page result (the CLOVA wire shape).
    ``page_timeout_s``: time limit per page (None: no limit); a page past it is ``ERROR``.
    ``calibration``: field confidence tables (None: the shipped ones, ``calibration.py``).
    """

    langs: Sequence[Lang] | None = None
    threshold: float = DEFAULT_THRESHOLD
    payload: Callable[[PageResult], dict[str, Any]] = _no_payload
    validator: ExternalValidator = field(default_factory=HttpValidator)
    page_timeout_s: float | None = None
    calibration: Calibration | None = None


def choose_lang(requested: Sequence[Lang] | None, template_lang: Lang) -> Lang:
    """The template's language when the request allows it, else the request's first."""
    if not requested or template_lang in requested:
        return template_lang
    return requested[0]


def _info(page: Page) -> PageInfo:
    return PageInfo(page.width, page.height, page.index, page_info_long(page.width, page.height))


def process_page(
    page: Page, candidates: Sequence[PreparedTemplate], reader: Reader, options: RunOptions
) -> PageResult:
    """One page through every stage."""
    info = _info(page)
    if not candidates:
        return PageResult(InferStatus.FAILURE, NOT_FOUND_MESSAGE, info)
    try:
        reader = timed_reader(reader)
        with stage("features"):
            features = extract_features(page.image)
        with stage("classify"):
            match = classify(features, [c.features for c in candidates], threshold=options.threshold)
        if match is None:
            return PageResult(InferStatus.FAILURE, NOT_FOUND_MESSAGE, info)
        template = candidates[match.index]
        definition = template.record.definition
        homography = match.alignment.homography
        lang = choose_lang(options.langs, definition.lang).value
        with stage("read_areas"):
            calibration = options.calibration
            areas = read_areas(page.image, homography, template, reader, lang, calibration=calibration)
        with stage("assemble"):
            result = assemble_page(
                info,
                template.record.id,
                definition,
                areas.title,
                areas.fields,
                payload=options.payload,
                validator=options.validator,
            )
        aligned = match.alignment
        quality = AlignmentInfo(aligned.score, aligned.reprojection_error_px, aligned.inliers)
        return replace(result, alignment=quality)
    except Exception as exc:  # one page's failure must not fail the request
        log.exception("page %d could not be processed", page.index)
        return PageResult(
            InferStatus.ERROR, f"ERROR: page could not be processed ({type(exc).__name__})", info
        )


class _PageWorkers:
    """Daemon threads that run pages, reused from page to page; one more is started whenever
    none is idle. A thread whose page hangs stays busy (it is never counted idle again), so
    a hung engine costs one thread, not the service; being daemons, they never hold up exit.
    Reusing threads keeps the allocator's per-thread arenas (and so memory) flat under load."""

    def __init__(self) -> None:
        self._tasks: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._idle = 0
        self._lock = threading.Lock()

    def submit(self, task: Callable[[], None]) -> None:
        with self._lock:
            if self._idle == 0:
                threading.Thread(target=self._work, name="templateocr-page", daemon=True).start()
            else:
                self._idle -= 1
        self._tasks.put(task)

    def _work(self) -> None:
        while True:
            self._tasks.get()()
            with self._lock:
                self._idle += 1


_WORKERS = _PageWorkers()


def process_page_within(
    page: Page, candidates: Sequence[PreparedTemplate], reader: Reader, options: RunOptions
) -> PageResult:
    """:func:`process_page` under ``options.page_timeout_s``: ``ERROR`` when the page is not done in
    time, or when an engine raised what ``process_page`` lets through (``SystemExit``, ...)."""
    limit = options.page_timeout_s
    if limit is None:
        return process_page(page, candidates, reader, options)
    done: list[PageResult] = []
    stopped: list[BaseException] = []
    finished = threading.Event()
    context = contextvars.copy_context()  # the caller's timing collector goes with the page

    def work() -> None:
        try:
            done.append(context.run(process_page, page, candidates, reader, options))
        except BaseException as exc:  # SystemExit, KeyboardInterrupt from an engine: this page only
            stopped.append(exc)
        finally:
            finished.set()

    _WORKERS.submit(work)
    finished.wait(limit)
    if done:
        return done[0]
    if stopped:
        log.error("page %d could not be processed", page.index, exc_info=stopped[0])
        message = f"ERROR: page could not be processed ({type(stopped[0]).__name__})"
    else:
        log.error("page %d was not processed within %g s; answered ERROR", page.index, limit)
        message = f"ERROR: page could not be processed within {limit:g} s"
    return PageResult(InferStatus.ERROR, message, _info(page))


def run_document(
    pages: Sequence[Page], candidates: Sequence[PreparedTemplate], reader: Reader, options: RunOptions
) -> list[PageResult]:
    """Every page of a request, in order (each under ``options.page_timeout_s``)."""
    return [process_page_within(page, candidates, reader, options) for page in pages]
