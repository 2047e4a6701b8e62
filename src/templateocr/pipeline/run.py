"""The orchestrator: for each page, find the template, read its areas, assemble the result.

Stages, in order (each a plain function in its own module)::

    features.extract_features   page -> keypoints
    classify.classify           which candidate template, and the homography (align.py)
    recognize.read_title/fields every area cut out, dropped out and read
    assemble.assemble_page      combine and validation

A page that fails inside the pipeline becomes that page's ``ERROR``; other pages still return.
Each stage (and each engine call) is timed when a caller collects (``timing.collect``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from templateocr.models.page import Page
from templateocr.models.result import InferStatus, PageInfo, PageResult
from templateocr.models.template import Lang
from templateocr.pipeline.assemble import assemble_page
from templateocr.pipeline.classify import DEFAULT_THRESHOLD, classify
from templateocr.pipeline.decode import page_info_long
from templateocr.pipeline.features import extract_features
from templateocr.pipeline.prepare import PreparedTemplate
from templateocr.pipeline.recognize import Reader, read_fields, read_title
from templateocr.pipeline.timing import stage, timed_reader
from templateocr.pipeline.validate import ExternalValidator, HttpValidator

__all__ = ["NOT_FOUND_MESSAGE", "RunOptions", "choose_lang", "process_page", "run_document"]

log = logging.getLogger("templateocr.pipeline")

NOT_FOUND_MESSAGE = "NOT_FOUND: not found matched template"


def _no_payload(result: PageResult) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class RunOptions:
    """How to read a request's pages.

    ``langs``: the request's ``lang`` (None: each page in its template's language).
    ``payload``: builds the validator's body from a page result (the CLOVA wire shape).
    """

    langs: Sequence[Lang] | None = None
    threshold: float = DEFAULT_THRESHOLD
    payload: Callable[[PageResult], dict[str, Any]] = _no_payload
    validator: ExternalValidator = field(default_factory=HttpValidator)


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
        with stage("read_title"):
            title = (
                read_title(page.image, homography, definition.title, reader, lang)
                if definition.title
                else None
            )
        with stage("read_fields"):
            fields = read_fields(page.image, homography, template, reader, lang)
        with stage("assemble"):
            return assemble_page(
                info,
                template.record.id,
                definition,
                title,
                fields,
                payload=options.payload,
                validator=options.validator,
            )
    except Exception as exc:  # one page's failure must not fail the request
        log.exception("page %d could not be processed", page.index)
        return PageResult(
            InferStatus.ERROR, f"ERROR: page could not be processed ({type(exc).__name__})", info
        )


def run_document(
    pages: Sequence[Page], candidates: Sequence[PreparedTemplate], reader: Reader, options: RunOptions
) -> list[PageResult]:
    """Every page of a request, in order."""
    return [process_page(page, candidates, reader, options) for page in pages]
