"""The SQL implementation of ``TemplateStore`` (SQLite by default, any SQLAlchemy URL).

``open_store(url)`` builds the engine, migrates the database to the newest revision and
returns a :class:`SqlStore`. Every public method of the store is one transaction; writing
ones take the write lock at their start on SQLite and lock the rows they change on PostgreSQL
(see ``store/engine.py``), so a method either stores all of its change or nothing, also with
several server processes on one database. The
queries live in ``templates_repo.py`` and ``domains_repo.py`` (portable SQLAlchemy Core, so
PostgreSQL works by URL).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import Connection, Engine, literal, select
from sqlalchemy.exc import DataError, IntegrityError

from templateocr.exceptions import NotFoundError
from templateocr.models.records import DomainRecord, TemplateRecord
from templateocr.models.template import TemplateDefinition
from templateocr.store import domains_repo as dom
from templateocr.store import templates_repo as tpl
from templateocr.store.engine import BEGIN_OPTION, create_store_engine, restrict_sqlite_files
from templateocr.store.migrate import upgrade_database

__all__ = [
    "DEFAULT_DOMAIN_ID",
    "DEFAULT_DOMAIN_NAME",
    "SqlStore",
    "new_invoke_key",
    "new_secret",
    "open_store",
]

DEFAULT_DOMAIN_ID = 1
DEFAULT_DOMAIN_NAME = "default"

_T = TypeVar("_T")


def new_secret() -> str:
    """A fresh domain secret (``X-OCR-SECRET``)."""
    return secrets.token_urlsafe(32)


def new_invoke_key() -> str:
    """A fresh invoke key: the opaque part of a domain's invoke URL."""
    return secrets.token_hex(32)


def open_store(url: str) -> SqlStore:
    """Open the database at ``url``, migrated to the newest revision (a SQLite file: its
    directory 0o700, the file and its WAL 0o600, see ``store/engine.py``)."""
    engine = create_store_engine(url)
    upgrade_database(engine)
    restrict_sqlite_files(engine.url)
    return SqlStore(engine)


@contextmanager
def _ids_in_range() -> Iterator[None]:
    """An id past the database's 64-bit integers names nothing: ``NotFoundError``, not a crash
    (SQLite's driver raises ``OverflowError``, PostgreSQL "out of range")."""
    try:
        yield
    except OverflowError:
        raise NotFoundError("no such id (ids are 64-bit integers)") from None
    except DataError as exc:
        if "out of range" not in str(exc.orig):
            raise
        raise NotFoundError("no such id (ids are 64-bit integers)") from None


def _now() -> datetime:
    return datetime.now(UTC)


class SqlStore:
    """``TemplateStore`` over a SQLAlchemy engine whose database is already migrated."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._writer = engine.execution_options(**{BEGIN_OPTION: "IMMEDIATE"})

    @property
    def engine(self) -> Engine:
        """The underlying engine (for tools and tests)."""
        return self._engine

    def close(self) -> None:
        """Close every pooled connection."""
        self._engine.dispose()

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with _ids_in_range(), self._engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with _ids_in_range(), self._writer.connect() as conn, conn.begin():
            yield conn

    def _write_retrying(self, work: Callable[[Connection], _T]) -> _T:
        """Run ``work`` in a write transaction, once more if a concurrent insert clashed with it."""
        try:
            with self._write() as conn:
                return work(conn)
        except IntegrityError:
            with self._write() as conn:
                return work(conn)

    # templates -------------------------------------------------------------------------
    def create_template(
        self, definition: TemplateDefinition, sample_png: bytes, width: int, height: int
    ) -> TemplateRecord:
        """Store a new template as version 1. ``TemplateDefinitionError`` when an area is off the sample."""
        tpl.check_sample_size(definition, width, height)
        with self._write() as conn:
            template_id = tpl.insert_template(
                conn, definition=definition, sample_png=sample_png, width=width, height=height, now=_now()
            )
            return tpl.fetch_template(conn, template_id=template_id)

    def replace_template(
        self,
        template_id: int,
        definition: TemplateDefinition,
        sample_png: bytes | None,
        width: int,
        height: int,
    ) -> TemplateRecord:
        """Store a new version. With ``sample_png`` None the previous sample and its size are kept
        (``width``/``height`` are then ignored). Raises ``NotFoundError``, ``TemplateDefinitionError``."""
        with self._write() as conn:
            version = tpl.insert_version(
                conn,
                template_id=template_id,
                definition=definition,
                sample_png=sample_png,
                width=width,
                height=height,
                now=_now(),
            )
            return tpl.fetch_template(conn, template_id=template_id, version=version)

    def get_template(self, template_id: int, version: int | None = None) -> TemplateRecord:
        """One version (the newest by default). Raises ``NotFoundError``."""
        with self._read() as conn:
            return tpl.fetch_template(conn, template_id=template_id, version=version)

    def list_templates(self) -> list[TemplateRecord]:
        """The newest version of every template, by id."""
        with self._read() as conn:
            return tpl.fetch_templates(conn)

    def delete_template(self, template_id: int) -> None:
        """Delete a template, its versions and its releases. Raises ``NotFoundError``."""
        with self._write() as conn:
            tpl.delete_template(conn, template_id=template_id)

    def get_sample(self, template_id: int, version: int | None = None) -> bytes:
        """The sample image of a version, as PNG bytes. Raises ``NotFoundError``."""
        with self._read() as conn:
            return tpl.fetch_sample(conn, template_id=template_id, version=version)

    # domains ---------------------------------------------------------------------------
    def get_domain(self, domain_id: int) -> DomainRecord:
        """One domain with its releases. Raises ``NotFoundError``."""
        with self._read() as conn:
            return dom.fetch_domain(conn, domain_id=domain_id)

    def list_domains(self) -> list[DomainRecord]:
        """Every domain, by id."""
        with self._read() as conn:
            return dom.fetch_domains(conn)

    def create_domain(self, name: str, lang: str, secret: str | None = None) -> DomainRecord:
        """A new domain with a fresh invoke key (and a fresh secret unless one is given)."""
        with self._write() as conn:
            domain_id = dom.insert_domain(
                conn,
                name=name,
                lang=lang,
                secret=secret or new_secret(),
                invoke_key=new_invoke_key(),
                now=_now(),
            )
            return dom.fetch_domain(conn, domain_id=domain_id)

    def ensure_default_domain(self, lang: str, secret: str | None) -> DomainRecord:
        """Create domain 1 ("default") if it is missing; set its secret when ``secret`` is given."""

        def work(conn: Connection) -> DomainRecord:
            try:
                found = dom.fetch_domain(conn, domain_id=DEFAULT_DOMAIN_ID)
            except NotFoundError:
                dom.insert_domain(
                    conn,
                    domain_id=DEFAULT_DOMAIN_ID,
                    name=DEFAULT_DOMAIN_NAME,
                    lang=lang,
                    secret=secret or new_secret(),
                    invoke_key=new_invoke_key(),
                    now=_now(),
                )
            else:
                if not secret or found.secret == secret:
                    return found
                dom.set_secret(conn, domain_id=DEFAULT_DOMAIN_ID, secret=secret)
            return dom.fetch_domain(conn, domain_id=DEFAULT_DOMAIN_ID)

        return self._write_retrying(work)

    def rotate_secret(self, domain_id: int) -> DomainRecord:
        """Give the domain a fresh secret. Raises ``NotFoundError``."""
        with self._write() as conn:
            dom.set_secret(conn, domain_id=domain_id, secret=new_secret())
            return dom.fetch_domain(conn, domain_id=domain_id)

    def release(self, domain_id: int, template_ids: Sequence[int]) -> DomainRecord:
        """Put the newest version of each template into service for the domain.

        Raises ``NotFoundError`` (and releases nothing) for an unknown domain or template.
        """
        with self._write() as conn:
            dom.require_domain(conn, domain_id=domain_id)
            # Rows are locked in id order, so two releases of overlapping sets cannot deadlock.
            versions = {
                template_id: tpl.current_version(conn, template_id=template_id, lock=True)
                for template_id in sorted(set(template_ids))
            }
            dom.put_releases(conn, domain_id=domain_id, versions=versions, now=_now())
            return dom.fetch_domain(conn, domain_id=domain_id)

    def withdraw(self, domain_id: int, template_id: int) -> DomainRecord:
        """Take a template out of service for the domain. Raises ``NotFoundError``."""
        with self._write() as conn:
            dom.require_domain(conn, domain_id=domain_id)
            dom.delete_release(conn, domain_id=domain_id, template_id=template_id)
            return dom.fetch_domain(conn, domain_id=domain_id)

    def released_templates(self, domain_id: int) -> list[TemplateRecord]:
        """The released version of each template released to the domain, by template id.

        Raises ``NotFoundError`` for an unknown domain.
        """
        with self._read() as conn:
            dom.require_domain(conn, domain_id=domain_id)
            return tpl.fetch_released(conn, domain_id=domain_id)

    # settings --------------------------------------------------------------------------
    def get_setting(self, key: str) -> str | None:
        """A stored setting, or None."""
        with self._read() as conn:
            return dom.fetch_setting(conn, key=key)

    def set_setting(self, key: str, value: str) -> None:
        """Store a setting, replacing any earlier value."""
        self._write_retrying(lambda conn: dom.put_setting(conn, key=key, value=value))

    # health ----------------------------------------------------------------------------
    def ping(self) -> None:
        """Raise (a SQLAlchemy error) unless the database answers ``SELECT 1``."""
        with self._engine.connect() as conn:
            conn.execute(select(literal(1))).scalar_one()
