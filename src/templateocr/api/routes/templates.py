"""``/api/v1/templates``: create, read, version, delete and export templates (admin only).

``POST`` and ``PUT`` take either JSON (a ``TemplateCreate``, the sample base64 inside) or a form
(``multipart/form-data``, or urlencoded without a file) with a ``definition`` part (the same
JSON; its ``sample`` may hold only ``format``/``pageIndex``) and a ``sample`` file part. The
sample is decoded to one RGB page and stored as PNG; a refused definition or sample stores
nothing (422). ``POST /templates/{id}/test`` lives in ``routes/template_test.py``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from templateocr.api.deps import RuntimeDep, StoreDep, require_admin
from templateocr.api.template_io import (
    MAX_BODY_BYTES,
    TemplateOut,
    decode_sample,
    export_body,
    read_template_body,
    template_out,
)
from templateocr.exceptions import TemplateDefinitionError
from templateocr.models.template import TemplateCreate

__all__ = ["ErrorBody", "router"]


class ErrorBody(BaseModel):
    """The body of every management API error."""

    detail: str


ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "Missing or wrong admin token"},
    404: {"model": ErrorBody, "description": "No such template (or version)"},
    422: {"model": ErrorBody, "description": "Invalid definition, sample or parameter"},
}
_CREATE_ERRORS: dict[int | str, dict[str, Any]] = {
    401: ERRORS[401],
    422: ERRORS[422],
    413: {"model": ErrorBody, "description": f"Body over {MAX_BODY_BYTES // (1024 * 1024)} MB"},
    415: {"model": ErrorBody, "description": "Body is neither JSON nor multipart/form-data"},
}
_REPLACE_ERRORS: dict[int | str, dict[str, Any]] = {**_CREATE_ERRORS, 404: ERRORS[404]}


def _upload_body(sample_required: bool) -> dict[str, Any]:
    note = "required" if sample_required else "optional: without it the previous sample is kept"
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/TemplateCreate"}},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["definition"],
                        "properties": {
                            "definition": {
                                "type": "string",
                                "description": "The definition JSON; its `sample` may give `format` and "
                                "`pageIndex` of the file part.",
                            },
                            "sample": {
                                "type": "string",
                                "format": "binary",
                                "description": f"The sample page image (PNG, JPEG, PDF or TIFF); {note}.",
                            },
                        },
                    }
                },
            },
        }
    }


router = APIRouter(prefix="/templates", tags=["templates"], dependencies=[Depends(require_admin)])


# answers -------------------------------------------------------------------------------
VersionQuery = Annotated[int | None, Query(ge=1, description="A version (default: the newest)")]


@router.post(
    "",
    operation_id="templates-create",
    summary="Create a template",
    status_code=201,
    response_model=TemplateOut,
    response_model_exclude_none=True,
    responses=_CREATE_ERRORS,
    openapi_extra=_upload_body(sample_required=True),
)
async def create_template(request: Request, runtime: RuntimeDep, response: Response) -> TemplateOut:
    """Create a template (version 1) from a definition and its sample page."""
    definition, upload = await read_template_body(request)
    if upload is None:
        raise TemplateDefinitionError("sample: a new template needs a sample image")

    def work() -> TemplateOut:
        png, width, height = decode_sample(upload, runtime.decode_limits())
        record = runtime.store.create_template(definition, png, width, height)
        return template_out(record, [])

    out = await run_in_threadpool(work)
    response.headers["Location"] = str(request.url_for("templates-get", template_id=out.id))
    return out


@router.get(
    "",
    operation_id="templates-list",
    summary="List templates",
    response_model=list[TemplateOut],
    response_model_exclude_none=True,
    responses={401: ERRORS[401]},
)
def list_templates(store: StoreDep) -> list[TemplateOut]:
    """The newest version of every template, by id."""
    domains = store.list_domains()
    return [template_out(record, domains) for record in store.list_templates()]


@router.get(
    "/{template_id}",
    name="templates-get",
    operation_id="templates-get",
    summary="Read a template",
    response_model=TemplateOut,
    response_model_exclude_none=True,
    responses=ERRORS,
)
def get_template(template_id: int, store: StoreDep, version: VersionQuery = None) -> TemplateOut:
    """One version of a template (the newest by default), without the sample bytes."""
    record = store.get_template(template_id, version)
    return template_out(record, store.list_domains())


@router.put(
    "/{template_id}",
    operation_id="templates-replace",
    summary="Replace a template's definition (a new version)",
    response_model=TemplateOut,
    response_model_exclude_none=True,
    responses=_REPLACE_ERRORS,
    openapi_extra=_upload_body(sample_required=False),
)
async def replace_template(template_id: int, request: Request, runtime: RuntimeDep) -> TemplateOut:
    """Store a new version; without a sample the previous one is kept. Releases keep their version."""
    await run_in_threadpool(runtime.store.get_template, template_id)
    definition, upload = await read_template_body(request)

    def work() -> TemplateOut:
        if upload is None:
            record = runtime.store.replace_template(template_id, definition, None, 0, 0)
        else:
            png, width, height = decode_sample(upload, runtime.decode_limits())
            record = runtime.store.replace_template(template_id, definition, png, width, height)
        return template_out(record, runtime.store.list_domains())

    return await run_in_threadpool(work)


@router.delete(
    "/{template_id}",
    operation_id="templates-delete",
    summary="Delete a template",
    status_code=204,
    response_class=Response,
    responses=ERRORS,
)
def delete_template(template_id: int, store: StoreDep) -> Response:
    """Delete a template with every version, and withdraw it from every domain."""
    store.delete_template(template_id)
    return Response(status_code=204)


@router.get(
    "/{template_id}/sample",
    operation_id="templates-sample",
    summary="The sample image",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}, "description": "The sample page as PNG"}, **ERRORS},
)
def get_sample(template_id: int, store: StoreDep, version: VersionQuery = None) -> Response:
    """The sample page of a version (the newest by default) as PNG."""
    png = store.get_sample(template_id, version)
    cache = "private, max-age=31536000, immutable" if version is not None else "no-cache"
    return Response(png, media_type="image/png", headers={"Cache-Control": cache})


@router.get(
    "/{template_id}/export",
    operation_id="templates-export",
    summary="Export a template (re-importable by POST /templates)",
    response_model=TemplateCreate,
    responses=ERRORS,
)
def export_template(template_id: int, store: StoreDep, version: VersionQuery = None) -> JSONResponse:
    """The definition with its sample as base64 PNG: the body ``POST /templates`` takes."""
    body = export_body(store, template_id, version)
    filename = f"template-{template_id}-v{version}.json" if version else f"template-{template_id}.json"
    return JSONResponse(body, headers={"Content-Disposition": f'attachment; filename="{filename}"'})
