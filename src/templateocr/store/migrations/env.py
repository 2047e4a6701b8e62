"""Alembic environment: runs the revisions on the connection ``store/sql.py`` hands over.

``templateocr.store.sql.upgrade_database`` puts an open SQLAlchemy ``Connection`` in
``config.attributes["connection"]``; when there is none (someone ran Alembic by hand), an
engine is built from the ``sqlalchemy.url`` option. Offline (SQL script) mode is supported too.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine, text

from templateocr.store.engine import normalize_url
from templateocr.store.tables import metadata

_PG_MIGRATION_LOCK = 0x74656D706C  # any constant: serializes upgrades of one PostgreSQL database


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate through the given connection, or one made from ``sqlalchemy.url``."""
    connection = context.config.attributes.get("connection")
    if isinstance(connection, Connection):
        _run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no connection given and no sqlalchemy.url configured")
    engine = create_engine(normalize_url(url))
    try:
        with engine.connect() as conn:
            _run(conn)
    finally:
        engine.dispose()


def run_migrations_offline() -> None:
    """Write the migration SQL instead of running it."""
    context.configure(
        url=context.config.get_main_option("sqlalchemy.url"),
        target_metadata=metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
