"""Dependencies the routes declare: the runtime, the store, the admin check."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from templateocr.api.runtime import Runtime
from templateocr.api.security import hash_token, same_secret
from templateocr.exceptions import AuthenticationError
from templateocr.store.base import TemplateStore

__all__ = ["AdminDep", "RuntimeDep", "StoreDep", "get_runtime", "require_admin"]

_bearer = HTTPBearer(auto_error=False)


def get_runtime(request: Request) -> Runtime:
    """The process's runtime, built by the app's lifespan."""
    runtime = request.app.state.runtime
    assert isinstance(runtime, Runtime), "the app's lifespan has not run"
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_store(runtime: RuntimeDep) -> TemplateStore:
    """The template store."""
    return runtime.store


StoreDep = Annotated[TemplateStore, Depends(get_store)]


def require_admin(
    runtime: RuntimeDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Refuse the request unless it carries the admin bearer token."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise AuthenticationError("Send 'Authorization: Bearer <admin token>'.")
    if not same_secret(hash_token(credentials.credentials), runtime.admin_token_hash):
        raise AuthenticationError()


AdminDep = Annotated[None, Depends(require_admin)]
