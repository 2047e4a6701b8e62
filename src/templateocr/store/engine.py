"""Building the SQLAlchemy engine: SQLite made safe for several threads and processes.

SQLite gets WAL journaling (readers never block the writer), foreign keys, a busy timeout,
and transactions that SQLAlchemy begins itself. A connection carrying the execution option
``BEGIN_OPTION="IMMEDIATE"`` takes the write lock at ``BEGIN``, so a read-then-write
transaction can never fail half way because another process wrote in between; the store
opens every writing transaction that way. Other databases get a plain engine.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import StaticPool

__all__ = ["BEGIN_OPTION", "BUSY_TIMEOUT_S", "create_store_engine", "is_sqlite_memory", "sqlite_path"]

BEGIN_OPTION = "templateocr_sqlite_begin"
"""Execution option naming how SQLite transactions begin: ``DEFERRED`` (default) or ``IMMEDIATE``."""

BUSY_TIMEOUT_S = 30.0
"""How long a SQLite connection waits for another process's write lock before giving up."""

_BEGIN_MODES = frozenset({"DEFERRED", "IMMEDIATE", "EXCLUSIVE"})


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


def create_store_engine(url: str | URL) -> Engine:
    """An engine for ``url``; for a SQLite file, its directory is created (mode 0o700)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True)
    memory = is_sqlite_memory(parsed)
    path = sqlite_path(parsed)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
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
