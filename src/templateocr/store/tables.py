"""The database schema: SQLAlchemy Core tables, portable between SQLite and PostgreSQL.

The Alembic revisions in ``store/migrations/versions`` create exactly these tables; a test
compares the two so they cannot drift apart. Nothing outside ``store/`` sees these tables.

- ``templates``: one row per template (ids grow and are never reused: ``AUTOINCREMENT`` on
  SQLite, a sequence elsewhere). ``name``/``lang`` mirror the newest version for listing.
- ``template_versions``: every version's definition (JSON text) and sample (PNG bytes).
- ``domains``: what clients call. Domain 1 is inserted with its id by the store; the id
  sequence starts at 2 where the database has one, so later domains never collide with it.
- ``releases``: which version of which template serves a domain.
- ``settings``: small key/value pairs (the admin token's hash).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)

__all__ = [
    "UtcDateTime",
    "domains",
    "metadata",
    "releases",
    "settings",
    "template_versions",
    "templates",
]

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Refuse naive datetimes; store UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Read back as an aware UTC datetime."""
        if value is None:
            return None
        assert isinstance(value, datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


templates = Table(
    "templates",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("lang", String(16), nullable=False),
    Column("current_version", Integer, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    sqlite_autoincrement=True,
)

template_versions = Table(
    "template_versions",
    metadata,
    Column(
        "template_id",
        Integer,
        ForeignKey("templates.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("version", Integer, nullable=False),
    Column("definition", Text, nullable=False),
    Column("sample_png", LargeBinary, nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    PrimaryKeyConstraint("template_id", "version"),
)

domains = Table(
    "domains",
    metadata,
    Column("id", Integer, Identity(start=2), primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("lang", String(32), nullable=False),
    Column("secret", String(200), nullable=False),
    Column("invoke_key", String(128), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("invoke_key"),
    sqlite_autoincrement=True,
)

releases = Table(
    "releases",
    metadata,
    Column(
        "domain_id",
        Integer,
        ForeignKey("domains.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("template_id", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    Column("released_at", UtcDateTime(), nullable=False),
    PrimaryKeyConstraint("domain_id", "template_id"),
    ForeignKeyConstraint(
        ["template_id", "version"],
        ["template_versions.template_id", "template_versions.version"],
        ondelete="CASCADE",
    ),
)

settings = Table(
    "settings",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("value", Text, nullable=False),
)
