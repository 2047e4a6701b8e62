"""The browser console at ``/console`` and the two admin endpoints it needs.

``GET /console`` answers the single page; ``GET /console/static/{path}`` its ES modules and CSS
(from ``templateocr/console/static``; no build step). ``POST /api/v1/samples/preview`` turns an
uploaded PNG/JPEG/PDF/TIFF page into the PNG the server would read (EXIF applied, PDF rendered);
``POST /api/v1/templates/suggest`` proposes field areas on a sample. Both need the admin token.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from templateocr.api.deps import AdminDep, RuntimeDep
from templateocr.api.template_io import SampleUpload, decode_sample
from templateocr.console.suggest import Suggestion, suggest_fields
from templateocr.engines.base import Image, ReadOptions
from templateocr.exceptions import InvalidRequestError, NotFoundError, TemplateDefinitionError
from templateocr.models.template import Lang
from templateocr.pipeline.decode import load_sample, sniff_format

__all__ = ["STATIC_DIR", "router"]

STATIC_DIR = Path(__file__).resolve().parents[2] / "console" / "static"
_TYPES = {".js": "text/javascript", ".css": "text/css", ".html": "text/html", ".svg": "image/svg+xml"}
_NO_CACHE = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}

router = APIRouter()


class SuggestedField(BaseModel):
    """A proposed field: a name from its label, a type, an area (``[left, top, right, bottom]``)."""

    model_config = ConfigDict(populate_by_name=True)

    name: str
    type: str
    box: list[int]
    boxes: list[list[int]] = Field(default_factory=list)
    label: list[int] | None = None


@router.get("/console", include_in_schema=False)
@router.get("/console/", include_in_schema=False)
def console_page() -> FileResponse:
    """The console's single page."""
    return FileResponse(STATIC_DIR / "index.html", media_type="text/html", headers=_NO_CACHE)


@router.get("/console/static/{path:path}", include_in_schema=False)
def console_static(path: str) -> FileResponse:
    """One of the console's static files (nothing outside ``static/``)."""
    target = (STATIC_DIR / path).resolve()
    if not target.is_relative_to(STATIC_DIR) or not target.is_file() or target.suffix not in _TYPES:
        raise NotFoundError(f"no console file {path!r}")
    return FileResponse(target, media_type=_TYPES[target.suffix], headers=_NO_CACHE)


def _upload(data: bytes, filename: str | None, page_index: int) -> SampleUpload:
    if not data:
        raise TemplateDefinitionError("file: empty upload")
    fmt = sniff_format(data)
    if fmt is None and filename and "." in filename:
        fmt = filename.rsplit(".", 1)[1].lower()
    if fmt is None:
        raise TemplateDefinitionError("file: not a PNG, JPEG, PDF or TIFF file")
    return SampleUpload(data=data, format=fmt, page_index=page_index)


@router.post(
    "/api/v1/samples/preview",
    tags=["console"],
    operation_id="samples-preview",
    summary="One page of an upload as the PNG the server reads",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}},
)
async def preview_sample(
    runtime: RuntimeDep,
    _: AdminDep,
    file: Annotated[UploadFile, File(description="PNG, JPEG, PDF or TIFF")],
    page_index: Annotated[int, Form(alias="pageIndex", ge=0)] = 0,
) -> Response:
    """The page ``pageIndex`` of the upload, decoded (EXIF applied, PDF rendered) and encoded as PNG."""
    upload = _upload(await file.read(), file.filename, page_index)
    png, width, height = await run_in_threadpool(decode_sample, upload, runtime.decode_limits())
    headers = {"X-Image-Width": str(width), "X-Image-Height": str(height), "Cache-Control": "no-store"}
    return Response(png, media_type="image/png", headers=headers)


@router.post(
    "/api/v1/templates/suggest",
    tags=["console"],
    operation_id="templates-suggest",
    summary="Propose field areas on a sample",
    response_model=list[SuggestedField],
)
async def suggest(
    runtime: RuntimeDep,
    _: AdminDep,
    file: Annotated[UploadFile, File(description="The sample: PNG, JPEG, PDF or TIFF")],
    lang: Annotated[Lang, Form()] = Lang.EN,
    page_index: Annotated[int, Form(alias="pageIndex", ge=0)] = 0,
) -> list[SuggestedField]:
    """The blank cells, boxes and lines beside the sample's printed labels, named after the labels."""
    upload = _upload(await file.read(), file.filename, page_index)
    limits = runtime.decode_limits()
    options = ReadOptions(multiline=True)

    def work() -> list[Suggestion]:
        try:
            image = load_sample(upload.data, upload.format, upload.page_index, limits, where="file")
        except InvalidRequestError as exc:
            raise TemplateDefinitionError(exc.detail or exc.message) from None

        def read(crop: Image) -> str:
            words = runtime.engines.read(crop, lang.value, options)
            return " ".join(word.text for word in words)

        return suggest_fields(image, read)

    found = await run_in_threadpool(work)
    return [
        SuggestedField(
            name=s.name,
            type=s.type,
            box=list(s.box),
            boxes=[list(b) for b in s.boxes],
            label=list(s.label) if s.label else None,
        )
        for s in found
    ]
