"""Bytes and a declared format -> page rasters; the first stage of every request.

``decode_image`` checks what a request says its image is (CLOVA's ``format``) against what the
bytes are (their magic numbers), enforces :class:`DecodeLimits`, and returns one
:class:`~templateocr.models.page.Page` per page: one for JPEG/PNG, up to ``max_pages`` for a PDF
or multi-page TIFF. The pixel work lives in :mod:`templateocr.pipeline.rasterize`.

Every failure is an :class:`~templateocr.exceptions.InvalidRequestError` (CLOVA code 0011)
whose detail names the request field (``images[0].format``, ``images[0].data``).
"""

from __future__ import annotations

import base64
import binascii
import io
import re
from dataclasses import replace

import numpy as np
from PIL import Image as PILImage

from templateocr.exceptions import (
    ImageTooLargeError,
    InvalidRequestError,
    UndecodableImageError,
    UnsupportedFormatError,
)
from templateocr.models.page import Image, Page
from templateocr.pipeline.rasterize import DecodeLimits, rasterize_image, rasterize_pdf, rasterize_tiff

__all__ = [
    "FORMATS",
    "LONG_IMAGE_RATIO",
    "DecodeLimits",
    "canonical_format",
    "decode_base64",
    "decode_image",
    "encode_png",
    "load_sample",
    "page_info_long",
    "sniff_format",
]

FORMATS: dict[str, str] = {
    "jpg": "jpeg",
    "jpeg": "jpeg",
    "png": "png",
    "pdf": "pdf",
    "tif": "tiff",
    "tiff": "tiff",
}
"""CLOVA's declared ``format`` values -> the canonical format name."""

LONG_IMAGE_RATIO = 3.0
"""A page is a "long image" when its long side is more than this many times its short side."""

_PIL_FORMATS = {"jpeg": "JPEG", "png": "PNG"}
_PDF_HEADER_WINDOW = 1024  # readers accept a %PDF- header anywhere in the first 1 KiB
_DATA_URL_PREFIX = re.compile(r"^data:[A-Za-z0-9.+-]+/[A-Za-z0-9.+-]+;base64,")
_WHITESPACE = re.compile(r"\s+")


def canonical_format(declared_format: str, where: str = "images[0]") -> str:
    """The canonical name (``jpeg``, ``png``, ``pdf``, ``tiff``) of a declared format.

    Raises:
        UnsupportedFormatError: The format is not one CLOVA accepts.
    """
    canonical = FORMATS.get(declared_format.strip().lower())
    if canonical is None:
        raise UnsupportedFormatError(
            f"{where}.format: unsupported format '{declared_format}'; use jpg, jpeg, png, pdf, tif or tiff"
        )
    return canonical


def sniff_format(data: bytes) -> str | None:
    """What the bytes are, from their magic numbers: ``jpeg``, ``png``, ``pdf``, ``tiff`` or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):  # classic and BigTIFF
        return "tiff"
    if b"%PDF-" in data[:_PDF_HEADER_WINDOW]:
        return "pdf"
    return None


def _checked_bytes(data: bytes, declared_format: str, limits: DecodeLimits, where: str) -> str:
    """Check the declared format, the size and the magic numbers; return the canonical format."""
    fmt = canonical_format(declared_format, where)
    if not data:
        raise InvalidRequestError(f"{where}.data: the image is empty")
    if len(data) > limits.max_bytes:
        raise ImageTooLargeError(
            f"{where}.data: {len(data)} bytes is over the limit of {limits.max_bytes} bytes"
        )
    actual = sniff_format(data)
    if actual is None:
        raise UndecodableImageError(f"{where}.data: the bytes are not a JPEG, PNG, PDF or TIFF file")
    if actual != fmt:
        raise UnsupportedFormatError(
            f"{where}.format: declared '{declared_format}' but the data is a {actual.upper()} file"
        )
    return fmt


def _decode(data: bytes, declared_format: str, limits: DecodeLimits, first: int, where: str) -> list[Page]:
    fmt = _checked_bytes(data, declared_format, limits, where)
    if fmt == "pdf":
        return rasterize_pdf(data, limits, first=first, where=where)
    if fmt == "tiff":
        return rasterize_tiff(data, limits, first=first, where=where)
    if first != 0:
        raise UndecodableImageError(f"{where}: page {first} is out of range; a {fmt.upper()} has 1 page")
    return [rasterize_image(data, _PIL_FORMATS[fmt], limits, where=where)]


def decode_image(
    data: bytes, declared_format: str, limits: DecodeLimits = DecodeLimits(), *, where: str = "images[0]"
) -> list[Page]:
    """Decode a request's image into page rasters.

    JPEG and PNG give one page, upright (EXIF orientation applied); a TIFF one page per frame and
    a PDF one per page, the first ``limits.max_pages`` only. Every page is RGB ``uint8``, with
    transparency composited on white.

    Args:
        data: The file's bytes.
        declared_format: CLOVA's ``format`` (``jpg``, ``jpeg``, ``png``, ``pdf``, ``tif``,
            ``tiff``; any case).
        limits: Size limits.
        where: The request field named in error details.

    Raises:
        UnsupportedFormatError: Unknown format, or the bytes are another format.
        ImageTooLargeError: Over ``max_bytes`` or a page over ``max_pixels``.
        UndecodableImageError: Not an image, or truncated, corrupt or password-protected.
        InvalidRequestError: ``data`` is empty.
    """
    return _decode(data, declared_format, limits, 0, where)


def load_sample(
    data: bytes,
    declared_format: str,
    page_index: int = 0,
    limits: DecodeLimits = DecodeLimits(),
    *,
    where: str = "sample",
) -> Image:
    """Decode the page ``page_index`` of a template's sample file.

    Only that page is rendered, so it may lie beyond ``limits.max_pages``.

    Raises:
        UndecodableImageError: ``page_index`` is not a page of the file, or the file is bad.
        UnsupportedFormatError, ImageTooLargeError, InvalidRequestError: as ``decode_image``.
    """
    if page_index < 0:
        raise UndecodableImageError(f"{where}: pageIndex must not be negative (got {page_index})")
    pages = _decode(data, declared_format, replace(limits, max_pages=1), page_index, where)
    return pages[0].image


def decode_base64(data: str, *, where: str = "images[0]") -> bytes:
    """Decode a request's base64 ``data``, with or without a ``data:<type>;base64,`` prefix.

    The standard alphabet with padding is required; ASCII whitespace (line wrapping) is ignored.

    Raises:
        InvalidRequestError: ``data`` is not valid base64.
    """
    text = _DATA_URL_PREFIX.sub("", data, count=1) if data.startswith("data:") else data
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        pass
    try:  # line-wrapped base64 (looked for only now: scanning a large body costs a millisecond)
        return base64.b64decode(_WHITESPACE.sub("", text), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidRequestError(f"{where}.data: not valid base64") from exc


def encode_png(image: Image) -> bytes:
    """Encode an RGB ``uint8`` ``(H, W, 3)`` array as PNG bytes.

    Raises:
        ValueError: The array is not RGB ``uint8``.
    """
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError(f"encode_png needs an RGB uint8 (H, W, 3) array, got {image.dtype} {image.shape}")
    buffer = io.BytesIO()
    PILImage.fromarray(np.ascontiguousarray(image)).save(buffer, format="PNG")
    return buffer.getvalue()


def page_info_long(width: int, height: int) -> bool:
    """CLOVA's ``convertedImageInfo.longImage``: whether the page is unusually elongated.

    CLOVA does not document its threshold. We call a page long when its long side is more than
    :data:`LONG_IMAGE_RATIO` (3.0) times its short side: a receipt strip or a stitched
    screenshot is, an A4 or letter page (1.41, 1.29) or a business card is not.
    """
    short, long = sorted((width, height))
    if short <= 0:
        return False
    return long / short > LONG_IMAGE_RATIO
