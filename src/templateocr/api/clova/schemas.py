"""The CLOVA Template OCR request, as JSON or as multipart (``message`` + ``file``).

Unknown keys that real clients send (``resultType``, ``enableTableDetect``, ...) are ignored.
Every problem is an ``InvalidRequestError`` (0011) naming the offending key, except a
``version`` other than V1/V2, which is ``ProtocolVersionError`` (0021).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from templateocr.exceptions import InvalidRequestError, ProtocolVersionError
from templateocr.models.template import Lang, parse_langs

__all__ = ["ImageRequest", "InferRequest", "ParsedRequest", "parse_json_body", "parse_message"]

VERSIONS = ("V1", "V2")


class ImageRequest(BaseModel):
    """One entry of ``images``."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    format: str = Field(min_length=1, max_length=10)
    name: str = Field(max_length=1000)
    data: str | None = None
    url: str | None = Field(default=None, max_length=4000)
    template_ids: list[int] | None = Field(default=None, alias="templateIds", max_length=1000)

    @field_validator("template_ids", mode="before")
    @classmethod
    def _int_or_list(cls, value: Any) -> Any:
        if value is None or isinstance(value, list):
            return value
        return [value]


class InferRequest(BaseModel):
    """The request body (or the multipart ``message``)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    version: str
    request_id: str = Field(alias="requestId", max_length=1000)
    timestamp: int
    lang: str | None = Field(default=None, max_length=100)
    images: list[ImageRequest]

    @field_validator("request_id", mode="before")
    @classmethod
    def _id_as_text(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return value

    @field_validator("images")
    @classmethod
    def _exactly_one(cls, value: list[ImageRequest]) -> list[ImageRequest]:
        if len(value) != 1:
            raise ValueError(f"exactly one image per request, got {len(value)}")
        return value

    @property
    def image(self) -> ImageRequest:
        """The one image."""
        return self.images[0]

    def langs(self) -> list[Lang] | None:
        """The requested languages, or None to read each page in its template's language."""
        if self.lang is None or not self.lang.strip():
            return None
        try:
            return parse_langs(self.lang)
        except ValueError as exc:
            raise InvalidRequestError(f"lang: {exc}") from None


@dataclass(frozen=True)
class ParsedRequest:
    """A request and, for multipart, the uploaded file's bytes."""

    request: InferRequest
    file: bytes | None = None


def _location(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _validate(payload: Any) -> InferRequest:
    if not isinstance(payload, dict):
        raise InvalidRequestError("the body must be a JSON object")
    version = payload.get("version")
    if version is not None and version not in VERSIONS:
        raise ProtocolVersionError(f"version: {version!r}; use V1 or V2")
    try:
        return InferRequest.model_validate(payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = _location(tuple(first.get("loc", ())))
        raise InvalidRequestError(f"{where}: {first.get('msg', 'invalid')}") from None


MAX_JSON_VALUES = 10_000
"""Most values (counted as commas and opening brackets) a request's JSON may have. A request is
a handful of values and one long base64 string; a body of millions of small values (``[{},{},...]``)
would cost gigabytes once parsed, so it is refused before parsing."""


def _check_shape(raw: bytes | str) -> None:
    if isinstance(raw, bytes):
        values = raw.count(b",") + raw.count(b"{") + raw.count(b"[")
    else:
        values = raw.count(",") + raw.count("{") + raw.count("[")
    if values > MAX_JSON_VALUES:
        raise InvalidRequestError(f"the body has too many JSON values (over {MAX_JSON_VALUES})")


def _loads(raw: bytes | str) -> Any:
    _check_shape(raw)
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        return json.loads(text)
    except UnicodeDecodeError:
        raise InvalidRequestError("the body is not UTF-8") from None
    except (ValueError, RecursionError):
        raise InvalidRequestError("the body is not valid JSON") from None


def parse_json_body(raw: bytes) -> ParsedRequest:
    """Parse an ``application/json`` body."""
    request = _validate(_loads(raw))
    image = request.image
    if not image.data and not image.url:
        raise InvalidRequestError("images[0]: give 'data' (base64) or 'url'")
    return ParsedRequest(request)


def parse_message(message: bytes | str | None, file: bytes | None) -> ParsedRequest:
    """Parse a multipart body's ``message`` part and ``file`` part."""
    if message is None:
        raise InvalidRequestError("multipart: the 'message' part is missing")
    request = _validate(_loads(message))
    image = request.image
    if file is None and not image.data and not image.url:
        raise InvalidRequestError("multipart: the 'file' part is missing")
    return ParsedRequest(request, file)
