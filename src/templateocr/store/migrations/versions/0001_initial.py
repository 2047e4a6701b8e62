"""Initial schema: templates, template_versions, domains, releases, settings.

Revision ID: 0001_initial
Revises:
Create Date: 2025-01-01 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_initial"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamp(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    """Create every table."""
    op.create_table(
        "templates",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("lang", sa.String(16), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_templates"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "template_versions",
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("sample_png", sa.LargeBinary(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        _timestamp("created_at"),
        sa.PrimaryKeyConstraint("template_id", "version", name="pk_template_versions"),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["templates.id"],
            name="fk_template_versions_template_id_templates",
            ondelete="CASCADE",
        ),
    )
    op.create_table(
        "domains",
        sa.Column("id", sa.Integer(), sa.Identity(start=2), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("lang", sa.String(32), nullable=False),
        sa.Column("secret", sa.String(200), nullable=False),
        sa.Column("invoke_key", sa.String(128), nullable=False),
        _timestamp("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_domains"),
        sa.UniqueConstraint("invoke_key", name="uq_domains_invoke_key"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "releases",
        sa.Column("domain_id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _timestamp("released_at"),
        sa.PrimaryKeyConstraint("domain_id", "template_id", name="pk_releases"),
        sa.ForeignKeyConstraint(
            ["domain_id"], ["domains.id"], name="fk_releases_domain_id_domains", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["template_id", "version"],
            ["template_versions.template_id", "template_versions.version"],
            name="fk_releases_template_id_version_template_versions",
            ondelete="CASCADE",
        ),
    )
    op.create_table(
        "settings",
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_settings"),
    )


def downgrade() -> None:
    """Drop every table."""
    op.drop_table("settings")
    op.drop_table("releases")
    op.drop_table("domains")
    op.drop_table("template_versions")
    op.drop_table("templates")
