"""Secrets: the admin token (kept only as a hash) and domain secrets, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from templateocr.settings import Settings
from templateocr.store.base import TemplateStore

__all__ = ["ADMIN_TOKEN_KEY", "ensure_admin_token", "hash_token", "new_token", "same_secret"]

ADMIN_TOKEN_KEY = "admin_token_sha256"


def new_token() -> str:
    """A fresh random token, URL-safe."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The stored form of a token (tokens are random and long, so one SHA-256 is enough)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same_secret(given: str | None, expected: str) -> bool:
    """Constant-time comparison of a presented secret with the expected one."""
    if not given:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def ensure_admin_token(settings: Settings, store: TemplateStore) -> tuple[str, str | None]:
    """The admin token's hash, and the token itself when it was generated just now.

    A configured ``TEMPLATEOCR_ADMIN_TOKEN`` always wins. Otherwise the first start generates
    one, stores only its hash, and returns it once so the caller can print it.
    """
    if settings.admin_token:
        digest = hash_token(settings.admin_token)
        if store.get_setting(ADMIN_TOKEN_KEY) != digest:
            store.set_setting(ADMIN_TOKEN_KEY, digest)
        return digest, None
    stored = store.get_setting(ADMIN_TOKEN_KEY)
    if stored:
        return stored, None
    token = new_token()
    digest = hash_token(token)
    store.set_setting(ADMIN_TOKEN_KEY, digest)
    return digest, token
