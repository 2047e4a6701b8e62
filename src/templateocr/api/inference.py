"""One inference request, from its raw body to CLOVA's JSON: shared by ``/infer``, the
invoke URL route and ``POST /api/v1/templates/{id}/test``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import ClientDisconnect

from templateocr.api.clova.mapping import page_to_wire, response_to_wire
from templateocr.api.clova.schemas import ParsedRequest, parse_json_body, parse_message
from templateocr.api.runtime import Runtime
from templateocr.exceptions import InvalidRequestError, TemplateNotReleasedError
from templateocr.models.page import Page
from templateocr.models.records import DomainRecord, TemplateRecord
from templateocr.models.result import PageResult
from templateocr.pipeline.decode import decode_base64, decode_image
from templateocr.pipeline.fetch import FetchPolicy, fetch_image
from templateocr.pipeline.prepare import PreparedTemplate
from templateocr.pipeline.run import RunOptions, run_document
from templateocr.pipeline.validate import HttpValidator

__all__ = ["candidates_for_domain", "execute", "read_request", "run_inference"]

BASE64_OVERHEAD = 4 / 3
MAX_MESSAGE_BYTES = 1024 * 1024


def _too_large(request: Request, limit: int, image_limit: int) -> InvalidRequestError:
    request.state.close_connection = True  # answer now and close: the client may stop sending
    return InvalidRequestError(
        f"the body is over {limit // (1024 * 1024)} MB (an image may have {image_limit} bytes)"
    )


async def _read_capped(request: Request, limit: int, image_limit: int, timeout_s: float) -> bytes:
    """The whole body, refused as soon as it is known to be over ``limit`` (declared or streamed)
    or when it has not all arrived within ``timeout_s``."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > limit:
        raise _too_large(request, limit, image_limit)
    chunks: list[bytes] = []
    total = 0
    try:
        async with asyncio.timeout(timeout_s):
            async for chunk in request.stream():
                total += len(chunk)
                if total > limit:
                    chunks.clear()
                    raise _too_large(request, limit, image_limit)
                chunks.append(chunk)
    except ClientDisconnect:
        raise InvalidRequestError("the client closed the connection before the body ended") from None
    except TimeoutError:
        request.state.close_connection = True
        raise InvalidRequestError(f"the body did not arrive within {timeout_s:g} s") from None
    return b"".join(chunks)


async def read_request(request: Request, runtime: Runtime) -> ParsedRequest:
    """Read and parse the body (JSON or multipart), refusing it past the size cap while streaming
    and when it has not arrived within ``body_timeout_s``."""
    limit = int(runtime.settings.max_image_bytes * BASE64_OVERHEAD) + MAX_MESSAGE_BYTES
    settings = runtime.settings
    body = await _read_capped(request, limit, settings.max_image_bytes, settings.body_timeout_s)
    content_type = request.headers.get("content-type", "").lower()
    if content_type.startswith("multipart/form-data"):
        return await _parse_multipart(request, body)
    if content_type and not content_type.startswith(("application/json", "text/plain")):
        raise InvalidRequestError(f"unsupported Content-Type {content_type.split(';')[0]!r}")
    return parse_json_body(body)


async def _parse_multipart(request: Request, body: bytes) -> ParsedRequest:
    sent = False

    async def replay() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    replayed = Request(request.scope, replay)
    try:
        form = await replayed.form(max_files=2, max_fields=20, max_part_size=MAX_MESSAGE_BYTES)
    except Exception as exc:  # python-multipart raises several types for broken bodies
        raise InvalidRequestError(f"multipart: {str(exc) or type(exc).__name__}") from None
    try:
        message = form.get("message")
        file = form.get("file")
        message_text: str | bytes | None
        if isinstance(message, UploadFile):
            message_text = await message.read()
        else:
            message_text = message
        file_bytes = await file.read() if isinstance(file, UploadFile) else None
        if isinstance(file, str):
            raise InvalidRequestError("multipart: 'file' must be a file part")
    finally:
        await form.close()
    return parse_message(message_text, file_bytes)


def candidates_for_domain(
    runtime: Runtime, domain: DomainRecord, template_ids: Sequence[int] | None
) -> list[TemplateRecord]:
    """The released template versions a request may match; 1021 for an unreleased id."""
    if template_ids:
        missing = [tid for tid in template_ids if tid not in domain.releases]
        if missing:
            raise TemplateNotReleasedError(f"templateIds: {missing} not released to domain {domain.id}")
    released = runtime.store.released_templates(domain.id)
    if template_ids:
        wanted = set(template_ids)
        released = [record for record in released if record.id in wanted]
    return released


def _image_bytes(runtime: Runtime, parsed: ParsedRequest) -> bytes:
    image = parsed.request.image
    if parsed.file is not None:
        data = parsed.file
    elif image.data:
        data = decode_base64(image.data)
    else:
        assert image.url is not None
        settings = runtime.settings
        policy = FetchPolicy(
            allow_private=settings.allow_private_urls,
            timeout_s=settings.url_timeout_s,
            max_bytes=settings.max_image_bytes,
        )
        data = fetch_image(image.url, policy)
    return data


def load_pages(runtime: Runtime, parsed: ParsedRequest) -> list[Page]:
    """The request's image (sent or fetched), decoded into pages."""
    return decode_image(_image_bytes(runtime, parsed), parsed.request.image.format, runtime.decode_limits())


def read_pages(
    runtime: Runtime, parsed: ParsedRequest, records: Sequence[TemplateRecord], pages: Sequence[Page]
) -> list[PageResult]:
    """Match and read decoded pages against the released template versions."""
    settings = runtime.settings
    request = parsed.request
    prepared: list[PreparedTemplate] = [runtime.prepared(record) for record in records]
    options = RunOptions(
        langs=request.langs(),
        threshold=settings.match_threshold,
        payload=lambda result: {"image": page_to_wire(result, request.image.name, "V2")},
        validator=HttpValidator(settings.validator_timeout_s),
        page_timeout_s=settings.page_timeout_s,
    )
    return run_document(pages, prepared, runtime.engines, options)


def to_response(parsed: ParsedRequest, results: Sequence[PageResult]) -> dict[str, Any]:
    """The CLOVA response body for a request's page results."""
    request = parsed.request
    return response_to_wire(request.version, request.request_id, request.image.name, results)


def execute(runtime: Runtime, parsed: ParsedRequest, records: Sequence[TemplateRecord]) -> dict[str, Any]:
    """One request from its image to its response body: decode, match, read."""
    return to_response(parsed, read_pages(runtime, parsed, records, load_pages(runtime, parsed)))


async def run_inference(
    runtime: Runtime, parsed: ParsedRequest, records: Sequence[TemplateRecord]
) -> dict[str, Any]:
    """Decode, match and read, off the event loop: in a compute process when there are some."""
    if runtime.compute is not None:
        return await runtime.compute.run(runtime, parsed, records)
    return await run_in_threadpool(execute, runtime, parsed, records)
