"""``/api/v1/domains``: domains, their secrets and the templates released to them (admin only).

A domain's JSON carries its ``invokeUrl`` (absolute, built from the request's base URL, the
CLOVA shape ``{base}/custom/v1/{id}/{invokeKey}/infer``) and its ``secret`` in clear: the
admin is allowed to see it (the console masks it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from templateocr.api.deps import RuntimeDep, StoreDep, require_admin
from templateocr.api.routes.templates import ErrorBody
from templateocr.models.records import DomainRecord
from templateocr.models.template import Lang
from templateocr.store.base import TemplateStore

__all__ = [
    "DomainCreate",
    "DomainOut",
    "DomainRelease",
    "ReleaseRequest",
    "domain_out",
    "invoke_url",
    "router",
]


class _Model(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")


class DomainCreate(_Model):
    """A new domain: its name and default language (the server's default when omitted)."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    lang: Lang | None = None


class ReleaseRequest(_Model):
    """Templates to release: each one's newest version goes into service."""

    template_ids: list[Annotated[int, Field(ge=1)]] = Field(
        alias="templateIds", min_length=1, max_length=1000
    )


class DomainRelease(_Model):
    """A template released to a domain, with the version serving there."""

    template_id: int = Field(alias="templateId")
    version: int
    name: str


class DomainOut(_Model):
    """A domain as the admin sees it."""

    id: int
    name: str
    lang: str
    invoke_key: str = Field(alias="invokeKey")
    invoke_url: str = Field(alias="invokeUrl")
    secret: str
    releases: list[DomainRelease]
    created_at: datetime = Field(alias="createdAt")


ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "Missing or wrong admin token"},
    404: {"model": ErrorBody, "description": "No such domain (or template)"},
    422: {"model": ErrorBody, "description": "Invalid body or parameter"},
}

router = APIRouter(prefix="/domains", tags=["domains"], dependencies=[Depends(require_admin)])


def invoke_url(base_url: str, domain: DomainRecord) -> str:
    """The CLOVA-shaped invoke URL of ``domain`` under ``base_url``."""
    return f"{base_url.rstrip('/')}/custom/v1/{domain.id}/{domain.invoke_key}/infer"


def domain_out(domain: DomainRecord, store: TemplateStore, base_url: str) -> DomainOut:
    """The API's view of a domain; release names are those of the released versions."""
    released = [
        DomainRelease(template_id=record.id, version=record.version, name=record.name)
        for record in store.released_templates(domain.id)
    ]
    return DomainOut(
        id=domain.id,
        name=domain.name,
        lang=domain.lang,
        invoke_key=domain.invoke_key,
        invoke_url=invoke_url(base_url, domain),
        secret=domain.secret,
        releases=released,
        created_at=domain.created_at,
    )


def _base(request: Request) -> str:
    return str(request.base_url)


@router.get(
    "",
    operation_id="domains-list",
    summary="List domains",
    response_model=list[DomainOut],
    responses={401: ERRORS[401]},
)
def list_domains(request: Request, store: StoreDep) -> list[DomainOut]:
    """Every domain, by id."""
    return [domain_out(domain, store, _base(request)) for domain in store.list_domains()]


@router.post(
    "",
    operation_id="domains-create",
    summary="Create a domain",
    status_code=201,
    response_model=DomainOut,
    responses={401: ERRORS[401], 422: ERRORS[422]},
)
def create_domain(request: Request, body: DomainCreate, runtime: RuntimeDep) -> DomainOut:
    """A new domain with a fresh invoke key and secret."""
    lang = body.lang.value if body.lang is not None else runtime.settings.default_lang
    domain = runtime.store.create_domain(body.name, lang)
    return domain_out(domain, runtime.store, _base(request))


@router.get(
    "/{domain_id}",
    operation_id="domains-get",
    summary="Read a domain",
    response_model=DomainOut,
    responses=ERRORS,
)
def get_domain(domain_id: int, request: Request, store: StoreDep) -> DomainOut:
    """One domain with its invoke URL, secret and released templates."""
    return domain_out(store.get_domain(domain_id), store, _base(request))


@router.post(
    "/{domain_id}/secret",
    operation_id="domains-rotate-secret",
    summary="Rotate a domain's secret",
    response_model=DomainOut,
    responses=ERRORS,
)
def rotate_secret(domain_id: int, request: Request, store: StoreDep) -> DomainOut:
    """Give the domain a fresh ``X-OCR-SECRET``; the old one stops working at once."""
    return domain_out(store.rotate_secret(domain_id), store, _base(request))


@router.post(
    "/{domain_id}/releases",
    operation_id="domains-release",
    summary="Release templates to a domain",
    response_model=DomainOut,
    responses=ERRORS,
)
def release_templates(
    domain_id: int,
    request: Request,
    runtime: RuntimeDep,
    body: Annotated[ReleaseRequest, Body()],
) -> DomainOut:
    """Put each template's newest version into service; all or none (404 names a missing one).

    The released versions are prepared here (sample features), so that the first request that
    reads with them does not pay for it."""
    store = runtime.store
    domain = store.release(domain_id, body.template_ids)
    released = store.released_templates(domain_id)
    if runtime.compute is not None:
        runtime.compute.prepare(released)
    else:
        for record in released:
            runtime.prepared(record)
    return domain_out(domain, store, _base(request))


@router.delete(
    "/{domain_id}/releases/{template_id}",
    operation_id="domains-withdraw",
    summary="Withdraw a template from a domain",
    response_model=DomainOut,
    responses=ERRORS,
)
def withdraw_template(domain_id: int, template_id: int, request: Request, store: StoreDep) -> DomainOut:
    """Take a template out of service for the domain (404 when it is not released there)."""
    return domain_out(store.withdraw(domain_id, template_id), store, _base(request))
