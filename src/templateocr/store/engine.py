"""Building the SQLAlchemy engine: SQLite made safe for several threads and processes.

SQLite gets WAL journaling (readers never block the writer), foreign keys, a busy timeout,
and transactions that SQLAlchemy begins itself. A connection carrying the execution option
``BEGIN_OPTION="IMMEDIATE"`` takes the write lock at ``BEGIN``, so a read-then-write
transaction can never fail half way because another process wrote in between; the store
opens every writing transaction that way.

PostgreSQL (``postgresql://`` or ``postgresql+psycopg://``) always goes through psycopg 3; its
writing transactions lock the rows they read-then-write (``SELECT ... FOR UPDATE``), and its
pool checks a connection before handing it out, so a restarted database server costs no request.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import StaticPool

__all__ = [
    "BEGIN_OPTION",
    "BUSY_TIMEOUT_S",
    "create_store_engine",
    "is_sqlite_memory",
    "normalize_url",
    "restrict_sqlite_files",
    "sqlite_path",
]

BEGIN_OPTION = "templateocr_sqlite_begin"
"""Execution option naming how SQLite transactions begin: ``DEFERRED`` (default) or ``IMMEDIATE``."""

BUSY_TIMEOUT_S = 30.0
"""How long a SQLite connection waits for another process's write lock before giving up."""

_BEGIN_MODES = frozenset({"DEFERRED", "IMMEDIATE", "EXCLUSIVE"})

PG_CONNECT_TIMEOUT_S = 10
"""How long opening a PostgreSQL connection may take before the store gives up."""


def normalize_url(url: str | URL) -> URL:
    """``url`` parsed, with a bare ``postgresql://`` (or ``postgres://``) bound to psycopg 3."""
    if isinstance(url, str) and url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def is_sqlite_memory(url: URL) -> bool:
    """True for a SQLite URL whose database lives only in memory."""
    database = url.database or ""
    return database in ("", ":memory:") or url.query.get("mode") == "memory"


def sqlite_path(url: URL) -> Path | None:
    """The file of a SQLite URL, or None for memory and ``file:`` URI databases."""
    if url.get_backend_name() != "sqlite" or is_sqlite_memory(url):
        return None
    database = url.database or ""
    if database.startswith("file:"):
        return None
    return Path(database).expanduser()


_SQLITE_SIDE_FILES = ("", "-wal", "-shm", "-journal")


def restrict_sqlite_files(url: URL) -> None:
    """Make a SQLite database file (and its WAL, shared-memory and journal files) owner-only."""
    path = sqlite_path(url)
    if path is None:
        return
    for suffix in _SQLITE_SIDE_FILES:
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.chmod(0o600)


def create_store_engine(url: str | URL) -> Engine:
    """An engine for ``url``. For a SQLite file, its directory is created (mode 0o700) and a new
    file is created empty with mode 0o600 before SQLite opens it (SQLite gives its WAL and
    shared-memory files the database file's mode)."""
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "postgresql":
        defaults = {"connect_timeout": PG_CONNECT_TIMEOUT_S, "application_name": "templateocr"}
        connect_args = {key: value for key, value in defaults.items() if key not in parsed.query}
        return create_engine(parsed, pool_pre_ping=True, connect_args=connect_args)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True)
    memory = is_sqlite_memory(parsed)
    path = sqlite_path(parsed)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    kwargs: dict[str, Any] = {"connect_args": {"timeout": BUSY_TIMEOUT_S, "check_same_thread": False}}
    if memory:
        kwargs["poolclass"] = StaticPool
    engine = create_engine(parsed, **kwargs)
    _install_sqlite_hooks(engine, wal=not memory)
    return engine


def _install_sqlite_hooks(engine: Engine, *, wal: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself (the sqlite3 module's own handling skips it for SELECT).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if wal:
                cursor.execute("PRAGMA journal_mode = WAL")
                cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = str(conn.get_execution_options().get(BEGIN_OPTION, "DEFERRED")).upper()
        if mode not in _BEGIN_MODES:
            raise ValueError(f"unknown SQLite begin mode {mode!r}")
        conn.exec_driver_sql(f"BEGIN {mode}")
