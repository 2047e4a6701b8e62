"""Reading template definitions and samples as clients send them, and writing them back.

Shared by the management routes (``routes/templates.py``) and the CLI: a definition JSON
(``TemplateCreate``) with its sample base64 inside, or a form with a ``definition`` part and a
``sample`` file part. A refused definition or sample raises ``TemplateDefinitionError`` (422)
and nothing is stored.
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.datastructures import UploadFile
from starlette.formparsers import FormParser, MultiPartException, MultiPartParser

from templateocr.exceptions import (
    BodyTooLargeError,
    InvalidRequestError,
    TemplateDefinitionError,
    UnsupportedMediaTypeError,
)
from templateocr.models.records import DomainRecord, TemplateRecord
from templateocr.models.template import TemplateDefinition
from templateocr.pipeline.decode import (
    DecodeLimits,
    canonical_format,
    decode_base64,
    encode_png,
    load_sample,
    sniff_format,
)
from templateocr.store.base import TemplateStore

__all__ = [
    "MAX_BODY_BYTES",
    "SampleUpload",
    "TemplateOut",
    "TemplateRelease",
    "create_from_payload",
    "decode_sample",
    "export_body",
    "parse_template_payload",
    "read_body",
    "read_template_body",
    "template_json",
    "template_out",
]

MAX_BODY_BYTES = 60 * 1024 * 1024
"""Largest ``POST``/``PUT`` body accepted (a 50 MB sample, base64 encoded, fits)."""


class TemplateRelease(BaseModel):
    """A domain a template is released to, and the version serving there."""

    model_config = ConfigDict(populate_by_name=True)

    domain_id: int = Field(alias="domainId")
    version: int


class TemplateOut(TemplateDefinition):
    """A stored template: its definition (without the sample bytes) and what the store knows."""

    id: int
    version: int
    sample_width: int = Field(alias="sampleWidth")
    sample_height: int = Field(alias="sampleHeight")
    created_at: datetime = Field(alias="createdAt")
    updated_at: datetime = Field(alias="updatedAt")
    released_to: list[TemplateRelease] = Field(default_factory=list, alias="releasedTo")


@dataclass(frozen=True)
class SampleUpload:
    """A sample file as uploaded: its bytes, declared (or guessed) format and page."""

    data: bytes
    format: str
    page_index: int = 0


class _SampleOptions(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    format: str | None = Field(default=None, min_length=1, max_length=10)
    data: str | None = Field(default=None, min_length=1)
    page_index: int = Field(default=0, ge=0, alias="pageIndex")


async def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The whole request body; ``BodyTooLargeError`` (413) as soon as it passes ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLargeError(f"{declared} bytes is over the limit of {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLargeError(f"the body is over the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _describe(error: ValidationError, prefix: str = "") -> str:
    parts = []
    for item in error.errors(include_url=False, include_input=False)[:5]:
        loc = ".".join(str(p) for p in item.get("loc", ()))
        msg = str(item.get("msg", "invalid")).removeprefix("Value error, ")
        where = f"{prefix}{loc}" if loc else prefix.rstrip(".")
        parts.append(f"{where}: {msg}" if where else msg)
    return "; ".join(parts) or "invalid definition"


def _extension(filename: str | None) -> str | None:
    if not filename or "." not in filename:
        return None
    return filename.rsplit(".", 1)[1].lower() or None


def parse_template_payload(
    payload: object, sample: bytes | None = None, filename: str | None = None
) -> tuple[TemplateDefinition, SampleUpload | None]:
    """A definition JSON object (``TemplateCreate``) and, optionally, the sample file sent beside it.

    A file ``sample`` wins over ``payload["sample"]["data"]``; its format is ``sample.format``
    when that names the file (no ``data`` beside it), else what the bytes are, else the file
    name's extension. Raises
    ``TemplateDefinitionError`` naming the problem. Nothing is decoded or stored here.
    """
    if not isinstance(payload, dict):
        raise TemplateDefinitionError("the definition must be a JSON object")
    raw = dict(payload)
    try:
        options = _SampleOptions.model_validate(raw.pop("sample", None) or {})
    except ValidationError as exc:
        raise TemplateDefinitionError(_describe(exc, "sample.")) from None
    try:
        definition = TemplateDefinition.model_validate(raw)
    except ValidationError as exc:
        raise TemplateDefinitionError(_describe(exc)) from None
    if sample is not None:
        declared = options.format if options.data is None else None  # else it is the embedded data's
        fmt = declared or sniff_format(sample) or _extension(filename) or "png"
        return definition, SampleUpload(sample, fmt, options.page_index)
    if options.data is None:
        return definition, None
    if options.format is None:
        raise TemplateDefinitionError("sample.format: required with sample.data")
    try:
        data = decode_base64(options.data, where="sample")
    except InvalidRequestError as exc:
        raise TemplateDefinitionError(exc.detail or exc.message) from None
    return definition, SampleUpload(data, options.format, options.page_index)


def _json(text: str | bytes, what: str) -> object:
    try:
        return json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise TemplateDefinitionError(f"{what} is not valid JSON ({exc})") from None


async def _once(body: bytes) -> AsyncGenerator[bytes, None]:
    yield body


async def _from_form(
    request: Request, body: bytes, multipart: bool
) -> tuple[TemplateDefinition, SampleUpload | None]:
    parser: MultiPartParser | FormParser
    if multipart:
        parser = MultiPartParser(
            request.headers, _once(body), max_files=4, max_fields=16, max_part_size=MAX_BODY_BYTES
        )
    else:
        parser = FormParser(request.headers, _once(body), max_fields=16, max_part_size=MAX_BODY_BYTES)
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise TemplateDefinitionError(f"malformed form body: {exc.message}") from None
    try:
        part = form.get("definition")
        if part is None:
            raise TemplateDefinitionError("the form needs a 'definition' part (JSON)")
        payload = _json(await part.read() if isinstance(part, UploadFile) else part, "definition")
        file = form.get("sample")
        if isinstance(file, str) and file:
            raise TemplateDefinitionError("sample: send the sample as a file part")
        if isinstance(file, UploadFile):
            return parse_template_payload(payload, await file.read(), file.filename)
        return parse_template_payload(payload)
    finally:
        await form.close()


_FORMS = ("multipart/form-data", "application/x-www-form-urlencoded")


async def read_template_body(request: Request) -> tuple[TemplateDefinition, SampleUpload | None]:
    """The definition and (if sent) the sample of a ``POST``/``PUT`` body: JSON or a form."""
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media not in ("", "application/json", *_FORMS) and not media.endswith("+json"):
        raise UnsupportedMediaTypeError(f"send application/json or multipart/form-data, not {media}")
    body = await read_body(request)
    if media in _FORMS:
        return await _from_form(request, body, multipart=media == "multipart/form-data")
    return parse_template_payload(_json(body, "the body"))


def decode_sample(upload: SampleUpload, limits: DecodeLimits) -> tuple[bytes, int, int]:
    """The sample's page as PNG bytes with its width and height; ``TemplateDefinitionError`` if unusable."""
    try:
        canonical_format(upload.format, where="sample")
        image = load_sample(upload.data, upload.format, upload.page_index, limits, where="sample")
    except InvalidRequestError as exc:
        raise TemplateDefinitionError(exc.detail or exc.message) from None
    height, width = int(image.shape[0]), int(image.shape[1])
    return encode_png(image), width, height


def export_body(store: TemplateStore, template_id: int, version: int | None = None) -> dict[str, Any]:
    """A version's definition with its sample as base64 PNG: what ``POST /templates`` takes back."""
    record = store.get_template(template_id, version)
    png = store.get_sample(template_id, record.version)
    return {
        **record.definition.to_json(),
        "sample": {"format": "png", "data": base64.b64encode(png).decode("ascii")},
    }


def template_out(record: TemplateRecord, domains: Sequence[DomainRecord]) -> TemplateOut:
    """The API's view of a stored template version."""
    released = [
        TemplateRelease(domain_id=domain.id, version=domain.releases[record.id])
        for domain in domains
        if record.id in domain.releases
    ]
    return TemplateOut.model_validate(
        {
            **record.definition.to_json(),
            "id": record.id,
            "version": record.version,
            "sampleWidth": record.sample_width,
            "sampleHeight": record.sample_height,
            "createdAt": record.created_at,
            "updatedAt": record.updated_at,
            "releasedTo": released,
        }
    )


def create_from_payload(
    store: TemplateStore,
    payload: object,
    sample: bytes | None = None,
    sample_format: str | None = None,
    limits: DecodeLimits | None = None,
) -> TemplateRecord:
    """Create a template from a definition JSON (and a sample file beside it): the CLI's path."""
    filename = f"sample.{sample_format}" if sample_format else None
    definition, upload = parse_template_payload(payload, sample, filename)
    if upload is None:
        raise TemplateDefinitionError("sample: a new template needs a sample image")
    png, width, height = decode_sample(upload, limits or DecodeLimits())
    return store.create_template(definition, png, width, height)


def template_json(store: TemplateStore, record: TemplateRecord) -> dict[str, Any]:
    """A stored template as the API shows it."""
    out = template_out(record, store.list_domains())
    return out.model_dump(mode="json", by_alias=True, exclude_none=True)
