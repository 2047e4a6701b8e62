"""Template queries: plain functions over an open ``Connection`` (the caller owns the transaction).

Rows become :class:`~templateocr.models.records.TemplateRecord` here; the definition is kept as
JSON text and validated again when read. Only portable SQLAlchemy Core is used.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeAlias

from sqlalchemy import ColumnElement, Connection, Row, delete, insert, literal, select, update

from templateocr.exceptions import NotFoundError, TemplateDefinitionError
from templateocr.models.records import TemplateRecord
from templateocr.models.template import TemplateDefinition
from templateocr.store.tables import releases, template_versions, templates

__all__ = [
    "check_sample_size",
    "current_version",
    "delete_template",
    "fetch_released",
    "fetch_sample",
    "fetch_template",
    "fetch_templates",
    "inserted_id",
    "insert_template",
    "insert_version",
]

if TYPE_CHECKING:
    AnyRow: TypeAlias = Row[*tuple[Any, ...]]
    """A result row of any columns."""

_RECORD_COLUMNS = (
    templates.c.id,
    template_versions.c.version,
    template_versions.c.definition,
    template_versions.c.width,
    template_versions.c.height,
    templates.c.created_at,
    template_versions.c.created_at.label("version_created_at"),
)


def check_sample_size(definition: TemplateDefinition, width: int, height: int) -> None:
    """Raise ``TemplateDefinitionError`` unless every area lies inside a ``width`` x ``height`` sample."""
    if width <= 0 or height <= 0:
        raise TemplateDefinitionError(f"sample size {width}x{height} is empty")
    try:
        definition.check_inside(width, height)
    except ValueError as exc:
        raise TemplateDefinitionError(str(exc)) from None


def inserted_id(key: AnyRow | None) -> int:
    """The integer primary key of the row an ``INSERT`` just made."""
    assert key is not None, "the insert returned no primary key"
    return int(key[0])


def _dump(definition: TemplateDefinition) -> str:
    return json.dumps(definition.to_json(), ensure_ascii=False, separators=(",", ":"))


def _record(row: AnyRow) -> TemplateRecord:
    return TemplateRecord(
        id=row.id,
        version=row.version,
        definition=TemplateDefinition.model_validate(json.loads(row.definition)),
        sample_width=row.width,
        sample_height=row.height,
        created_at=row.created_at,
        updated_at=row.version_created_at,
    )


def _missing(template_id: int, version: int | None) -> NotFoundError:
    if version is None:
        return NotFoundError(f"template {template_id} does not exist")
    return NotFoundError(f"template {template_id} has no version {version}")


def _wanted(version: int | None) -> ColumnElement[Any]:
    return templates.c.current_version if version is None else literal(version)


def current_version(conn: Connection, *, template_id: int, lock: bool = False) -> int:
    """The newest version of a template (row locked where the database can). Raises ``NotFoundError``."""
    query = select(templates.c.current_version).where(templates.c.id == template_id)
    found = conn.execute(query.with_for_update() if lock else query).scalar_one_or_none()
    if found is None:
        raise _missing(template_id, None)
    return int(found)


def insert_template(
    conn: Connection,
    *,
    definition: TemplateDefinition,
    sample_png: bytes,
    width: int,
    height: int,
    now: datetime,
) -> int:
    """Insert a template with its version 1; return its new id."""
    result = conn.execute(
        insert(templates).values(
            name=definition.name,
            lang=definition.lang.value,
            current_version=1,
            created_at=now,
            updated_at=now,
        )
    )
    template_id = inserted_id(result.inserted_primary_key)
    conn.execute(
        insert(template_versions).values(
            template_id=template_id,
            version=1,
            definition=_dump(definition),
            sample_png=sample_png,
            width=width,
            height=height,
            created_at=now,
        )
    )
    return template_id


def insert_version(
    conn: Connection,
    *,
    template_id: int,
    definition: TemplateDefinition,
    sample_png: bytes | None,
    width: int,
    height: int,
    now: datetime,
) -> int:
    """Add the next version of a template and make it current; return its number.

    With ``sample_png`` None the previous version's sample (and size) is copied inside the
    database and ``width``/``height`` are ignored. Areas are checked against the sample kept.
    """
    current = current_version(conn, template_id=template_id, lock=True)
    version = current + 1
    if sample_png is None:
        previous = template_versions.alias("previous")
        of_previous = (previous.c.template_id == template_id, previous.c.version == current)
        size = conn.execute(select(previous.c.width, previous.c.height).where(*of_previous)).one()
        check_sample_size(definition, size.width, size.height)
        copied = select(
            previous.c.template_id,
            literal(version),
            literal(_dump(definition)),
            previous.c.sample_png,
            previous.c.width,
            previous.c.height,
            literal(now, template_versions.c.created_at.type),
        ).where(*of_previous)
        columns = ["template_id", "version", "definition", "sample_png", "width", "height", "created_at"]
        conn.execute(insert(template_versions).from_select(columns, copied))
    else:
        check_sample_size(definition, width, height)
        conn.execute(
            insert(template_versions).values(
                template_id=template_id,
                version=version,
                definition=_dump(definition),
                sample_png=sample_png,
                width=width,
                height=height,
                created_at=now,
            )
        )
    conn.execute(
        update(templates)
        .where(templates.c.id == template_id)
        .values(current_version=version, name=definition.name, lang=definition.lang.value, updated_at=now)
    )
    return version


def fetch_template(conn: Connection, *, template_id: int, version: int | None = None) -> TemplateRecord:
    """One version of a template (the newest by default). Raises ``NotFoundError``."""
    row = conn.execute(
        select(*_RECORD_COLUMNS)
        .join(template_versions, template_versions.c.template_id == templates.c.id)
        .where(templates.c.id == template_id, template_versions.c.version == _wanted(version))
    ).one_or_none()
    if row is None:
        raise _missing(template_id, version)
    return _record(row)


def fetch_templates(conn: Connection) -> list[TemplateRecord]:
    """The newest version of every template, by id."""
    query = (
        select(*_RECORD_COLUMNS)
        .join(
            template_versions,
            (template_versions.c.template_id == templates.c.id)
            & (template_versions.c.version == templates.c.current_version),
        )
        .order_by(templates.c.id)
    )
    return [_record(row) for row in conn.execute(query)]


def fetch_released(conn: Connection, *, domain_id: int) -> list[TemplateRecord]:
    """The released version of every template released to a domain, by template id."""
    query = (
        select(*_RECORD_COLUMNS)
        .select_from(releases)
        .join(
            template_versions,
            (template_versions.c.template_id == releases.c.template_id)
            & (template_versions.c.version == releases.c.version),
        )
        .join(templates, templates.c.id == releases.c.template_id)
        .where(releases.c.domain_id == domain_id)
        .order_by(releases.c.template_id)
    )
    return [_record(row) for row in conn.execute(query)]


def fetch_sample(conn: Connection, *, template_id: int, version: int | None = None) -> bytes:
    """The PNG bytes of a version's sample. Raises ``NotFoundError``."""
    png = conn.execute(
        select(template_versions.c.sample_png)
        .join(templates, templates.c.id == template_versions.c.template_id)
        .where(templates.c.id == template_id, template_versions.c.version == _wanted(version))
    ).scalar_one_or_none()
    if png is None:
        raise _missing(template_id, version)
    return bytes(png)


def delete_template(conn: Connection, *, template_id: int) -> None:
    """Delete a template with its versions and releases. Raises ``NotFoundError``."""
    current_version(conn, template_id=template_id, lock=True)
    conn.execute(delete(releases).where(releases.c.template_id == template_id))
    conn.execute(delete(template_versions).where(template_versions.c.template_id == template_id))
    conn.execute(delete(templates).where(templates.c.id == template_id))
