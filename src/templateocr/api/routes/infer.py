"""CLOVA-compatible inference: ``POST /infer`` (domain 1) and the invoke URL shape."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request

from templateocr.api.deps import RuntimeDep
from templateocr.api.inference import candidates_for_domain, read_request, run_inference
from templateocr.api.runtime import Runtime
from templateocr.api.security import same_secret
from templateocr.exceptions import InvalidUrlError, NotFoundError, SecretError
from templateocr.models.records import DomainRecord

__all__ = ["router"]

router = APIRouter(tags=["inference"])

SecretHeader = Annotated[str | None, Header(alias="X-OCR-SECRET")]


def _domain(runtime: Runtime, domain_id: int, invoke_key: str | None) -> DomainRecord:
    try:
        domain = runtime.store.get_domain(domain_id)
    except NotFoundError:
        raise InvalidUrlError(f"no domain {domain_id}") from None
    if invoke_key is not None and not same_secret(invoke_key, domain.invoke_key):
        raise InvalidUrlError("the invoke key does not match the domain")
    return domain


async def _infer(
    request: Request, runtime: Runtime, domain_id: int, invoke_key: str | None, secret: str | None
) -> dict[str, Any]:
    domain = _domain(runtime, domain_id, invoke_key)
    if not same_secret(secret, domain.secret):
        raise SecretError()
    with runtime.limiter.slot(domain.id):
        parsed = await read_request(request, runtime)
        records = candidates_for_domain(runtime, domain, parsed.request.image.template_ids)
        return await run_inference(runtime, parsed, records)


@router.post("/infer", operation_id="infer-default-domain", summary="Template OCR on domain 1")
async def infer_default(request: Request, runtime: RuntimeDep, secret: SecretHeader = None) -> dict[str, Any]:
    """CLOVA Template OCR request against domain 1 (see API.md section 2)."""
    return await _infer(request, runtime, 1, None, secret)


@router.post(
    "/custom/v1/{domain_id}/{invoke_key}/infer",
    operation_id="infer-invoke-url",
    summary="Template OCR at a domain's invoke URL",
)
async def infer_invoke_url(
    domain_id: str, invoke_key: str, request: Request, runtime: RuntimeDep, secret: SecretHeader = None
) -> dict[str, Any]:
    """CLOVA Template OCR request at ``/custom/v1/{domainId}/{invokeKey}/infer``."""
    if not domain_id.isdigit() or len(domain_id) > 12:
        raise InvalidUrlError(f"no domain {domain_id!r}")
    return await _infer(request, runtime, int(domain_id), invoke_key, secret)
