"""``POST /api/v1/templates/{id}/test``: run a request against a template's newest version."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from templateocr.api.deps import AdminDep, RuntimeDep
from templateocr.api.inference import read_request, run_inference

__all__ = ["router"]

router = APIRouter(tags=["templates"])


@router.post("/templates/{template_id}/test", operation_id="templates-test")
async def test_template(
    template_id: int, request: Request, runtime: RuntimeDep, _: AdminDep
) -> dict[str, Any]:
    """Body as ``/infer``; the page is matched only against this template's newest version,
    released or not. The answer is CLOVA's response JSON.
    """
    record = runtime.store.get_template(template_id)
    parsed = await read_request(request, runtime)
    return await run_inference(runtime, parsed, [record])
