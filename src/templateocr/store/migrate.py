"""Running the Alembic migrations programmatically (no ``alembic.ini`` needed).

The environment and revisions ship inside the package (``templateocr/store/migrations``).
``upgrade_database`` runs in one transaction that holds the write lock from its start (SQLite
``BEGIN IMMEDIATE``, a PostgreSQL advisory lock in ``env.py``), so several server processes
starting at once migrate the database exactly once between them.
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from templateocr.store.engine import BEGIN_OPTION

__all__ = ["SCRIPT_LOCATION", "alembic_config", "current_revision", "head_revision", "upgrade_database"]

SCRIPT_LOCATION = "templateocr.store:migrations"


def alembic_config(url: str | None = None) -> Config:
    """An Alembic ``Config`` for templateocr's migrations, optionally bound to ``url``."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str:
    """The newest revision the package ships."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the package ships no migrations"
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None for an empty database)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade_database(engine: Engine, revision: str = "head") -> None:
    """Migrate the database to ``revision``; a no-op when it is already there."""
    config = alembic_config()
    writer = engine.execution_options(**{BEGIN_OPTION: "IMMEDIATE"})
    with writer.connect() as conn, conn.begin():
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
