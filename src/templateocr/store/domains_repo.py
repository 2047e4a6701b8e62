"""Domain, release and setting queries: plain functions over an open ``Connection``.

The caller owns the transaction (``store/sql.py``). Only portable SQLAlchemy Core is used.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, delete, insert, select, update

from templateocr.exceptions import NotFoundError
from templateocr.models.records import DomainRecord
from templateocr.store.tables import domains, releases, settings
from templateocr.store.templates_repo import inserted_id

if TYPE_CHECKING:
    from templateocr.store.templates_repo import AnyRow

__all__ = [
    "delete_release",
    "fetch_domain",
    "fetch_domains",
    "fetch_setting",
    "insert_domain",
    "put_releases",
    "put_setting",
    "require_domain",
    "set_secret",
]


def _record(row: AnyRow, released: Mapping[int, int]) -> DomainRecord:
    return DomainRecord(
        id=row.id,
        name=row.name,
        lang=row.lang,
        secret=row.secret,
        invoke_key=row.invoke_key,
        created_at=row.created_at,
        releases=dict(released),
    )


def require_domain(conn: Connection, *, domain_id: int) -> None:
    """Raise ``NotFoundError`` unless the domain exists."""
    found = conn.execute(select(domains.c.id).where(domains.c.id == domain_id)).scalar_one_or_none()
    if found is None:
        raise NotFoundError(f"domain {domain_id} does not exist")


def fetch_domain(conn: Connection, *, domain_id: int) -> DomainRecord:
    """One domain with its releases. Raises ``NotFoundError``."""
    row = conn.execute(select(domains).where(domains.c.id == domain_id)).one_or_none()
    if row is None:
        raise NotFoundError(f"domain {domain_id} does not exist")
    released = conn.execute(
        select(releases.c.template_id, releases.c.version)
        .where(releases.c.domain_id == domain_id)
        .order_by(releases.c.template_id)
    )
    return _record(row, {rel.template_id: rel.version for rel in released})


def fetch_domains(conn: Connection) -> list[DomainRecord]:
    """Every domain with its releases, by id."""
    rows = conn.execute(select(domains).order_by(domains.c.id)).all()
    released: dict[int, dict[int, int]] = {}
    for rel in conn.execute(select(releases).order_by(releases.c.template_id)):
        released.setdefault(rel.domain_id, {})[rel.template_id] = rel.version
    return [_record(row, released.get(row.id, {})) for row in rows]


def insert_domain(
    conn: Connection,
    *,
    name: str,
    lang: str,
    secret: str,
    invoke_key: str,
    now: datetime,
    domain_id: int | None = None,
) -> int:
    """Insert a domain (with ``domain_id`` when given, else the next id); return its id."""
    values: dict[str, object] = {
        "name": name,
        "lang": lang,
        "secret": secret,
        "invoke_key": invoke_key,
        "created_at": now,
    }
    if domain_id is not None:
        values["id"] = domain_id
    return inserted_id(conn.execute(insert(domains).values(**values)).inserted_primary_key)


def set_secret(conn: Connection, *, domain_id: int, secret: str) -> None:
    """Replace a domain's secret. Raises ``NotFoundError``."""
    result = conn.execute(update(domains).where(domains.c.id == domain_id).values(secret=secret))
    if result.rowcount == 0:
        raise NotFoundError(f"domain {domain_id} does not exist")


def put_releases(conn: Connection, *, domain_id: int, versions: Mapping[int, int], now: datetime) -> None:
    """Release ``{template_id: version}`` to the domain, replacing earlier releases of those templates."""
    if not versions:
        return
    conn.execute(
        delete(releases).where(releases.c.domain_id == domain_id, releases.c.template_id.in_(list(versions)))
    )
    conn.execute(
        insert(releases),
        [
            {"domain_id": domain_id, "template_id": tid, "version": version, "released_at": now}
            for tid, version in versions.items()
        ],
    )


def delete_release(conn: Connection, *, domain_id: int, template_id: int) -> None:
    """Withdraw a template from a domain. Raises ``NotFoundError`` when it is not released there."""
    result = conn.execute(
        delete(releases).where(releases.c.domain_id == domain_id, releases.c.template_id == template_id)
    )
    if result.rowcount == 0:
        raise NotFoundError(f"template {template_id} is not released to domain {domain_id}")


def fetch_setting(conn: Connection, *, key: str) -> str | None:
    """A stored setting, or None."""
    value = conn.execute(select(settings.c.value).where(settings.c.key == key)).scalar_one_or_none()
    return None if value is None else str(value)


def put_setting(conn: Connection, *, key: str, value: str) -> None:
    """Insert or replace a setting."""
    result = conn.execute(update(settings).where(settings.c.key == key).values(value=value))
    if result.rowcount == 0:
        conn.execute(insert(settings).values(key=key, value=value))
