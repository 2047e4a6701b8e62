"""SqlStore against real databases (a SQLite file, a PostgreSQL database): templates, versions,
domains, releases, settings."""

from __future__ import annotations

import stat
from collections.abc import Callable
from datetime import UTC
from pathlib import Path

import pytest
from sqlalchemy import func, select

from templateocr.exceptions import NotFoundError, TemplateDefinitionError
from templateocr.models.template import TemplateDefinition
from templateocr.store.sql import SqlStore, open_store
from templateocr.store.tables import template_versions, templates

MakeDef = Callable[..., TemplateDefinition]
PNG_A = b"\x89PNG-sample-a"
PNG_B = b"\x89PNG-sample-b"


def count(store: SqlStore, table: object) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_open_store_creates_private_directory(sqlite_url: str, tmp_path: Path) -> None:
    store = open_store(sqlite_url)
    store.close()
    data_dir = tmp_path / "data"
    assert (data_dir / "store.sqlite3").is_file()
    assert stat.S_IMODE(data_dir.stat().st_mode) & 0o077 == 0


def test_sqlite_pragmas(sqlite_url: str) -> None:
    store = open_store(sqlite_url)
    try:
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
    finally:
        store.close()


def test_backend_is_the_one_asked_for(store: SqlStore, db_url: str) -> None:
    """PostgreSQL URLs (``postgresql://`` too) go through psycopg 3; nothing falls back to SQLite."""
    expected = "postgresql" if db_url.startswith("postgresql") else "sqlite"
    assert store.engine.dialect.name == expected
    if expected == "postgresql":
        assert store.engine.dialect.driver == "psycopg"


def test_create_and_read_template(store: SqlStore, make_definition: MakeDef) -> None:
    created = store.create_template(make_definition("Invoice", "Total", "Date"), PNG_A, 400, 300)
    assert created.id == 1
    assert created.version == 1
    assert (created.sample_width, created.sample_height) == (400, 300)
    assert created.created_at.tzinfo is not None and created.created_at.utcoffset() == UTC.utcoffset(None)
    read = store.get_template(created.id)
    assert read == created
    assert [f.name for f in read.definition.fields] == ["Total", "Date"]
    assert read.name == "Invoice"
    assert store.get_sample(created.id) == PNG_A
    assert store.list_templates() == [created]


def test_unicode_definition_round_trip(store: SqlStore, make_definition: MakeDef) -> None:
    definition = make_definition("사업자등록증", "등록번호", "商号", lang="ko")
    created = store.create_template(definition, PNG_A, 400, 300)
    assert store.get_template(created.id).definition == definition


def test_replace_makes_versions_and_keeps_sample(store: SqlStore, make_definition: MakeDef) -> None:
    first = store.create_template(make_definition("A", "x"), PNG_A, 400, 300)
    second = store.replace_template(first.id, make_definition("A2", "x", "y"), None, 0, 0)
    assert second.version == 2
    assert (second.sample_width, second.sample_height) == (400, 300)
    assert second.created_at == first.created_at
    assert second.updated_at >= first.updated_at
    assert store.get_sample(first.id) == PNG_A
    third = store.replace_template(first.id, make_definition("A3", "z"), PNG_B, 800, 600)
    assert third.version == 3
    assert store.get_sample(first.id) == PNG_B
    assert store.get_sample(first.id, 2) == PNG_A
    assert store.get_template(first.id, 2).name == "A2"
    assert store.get_template(first.id, 1).name == "A"
    assert store.get_template(first.id).sample_width == 800
    assert [t.version for t in store.list_templates()] == [3]
    assert store.list_templates()[0].name == "A3"
    with pytest.raises(NotFoundError, match="no version 4"):
        store.get_template(first.id, 4)
    with pytest.raises(NotFoundError):
        store.get_sample(first.id, 9)


def test_area_outside_sample_is_refused_and_nothing_stored(store: SqlStore, make_definition: MakeDef) -> None:
    with pytest.raises(TemplateDefinitionError, match="outside the 100x100 sample"):
        store.create_template(make_definition("A", "x"), PNG_A, 100, 100)
    assert count(store, templates) == 0
    created = store.create_template(make_definition("A", "x"), PNG_A, 400, 300)
    wide = TemplateDefinition.model_validate(
        {
            "name": "A",
            "fields": [
                {
                    "name": "x",
                    "boundingPoly": {
                        "vertices": [
                            {"x": 0, "y": 0},
                            {"x": 500, "y": 0},
                            {"x": 500, "y": 10},
                            {"x": 0, "y": 10},
                        ]
                    },
                }
            ],
        }
    )
    with pytest.raises(TemplateDefinitionError):
        store.replace_template(created.id, wide, None, 9999, 9999)  # the kept sample is 400 wide
    assert store.get_template(created.id).version == 1
    assert count(store, template_versions) == 1


def test_unknown_template(store: SqlStore, make_definition: MakeDef) -> None:
    with pytest.raises(NotFoundError, match="template 5 does not exist"):
        store.get_template(5)
    with pytest.raises(NotFoundError):
        store.replace_template(5, make_definition(), None, 0, 0)
    with pytest.raises(NotFoundError):
        store.delete_template(5)
    with pytest.raises(NotFoundError):
        store.get_sample(5)


def test_ids_are_never_reused(store: SqlStore, make_definition: MakeDef) -> None:
    a = store.create_template(make_definition("A"), PNG_A, 400, 300)
    b = store.create_template(make_definition("B"), PNG_A, 400, 300)
    store.delete_template(b.id)
    store.delete_template(a.id)
    assert store.list_templates() == []
    c = store.create_template(make_definition("C"), PNG_A, 400, 300)
    assert c.id == 3
    with pytest.raises(NotFoundError):
        store.get_template(b.id)
    assert count(store, template_versions) == 1


def test_default_domain(store: SqlStore) -> None:
    first = store.ensure_default_domain("ko", None)
    assert (first.id, first.name, first.lang) == (1, "default", "ko")
    assert len(first.secret) >= 32 and len(first.invoke_key) >= 32
    again = store.ensure_default_domain("ja", None)
    assert again == first  # nothing changes without a configured secret
    configured = store.ensure_default_domain("ko", "my-secret")
    assert configured.secret == "my-secret"
    assert configured.invoke_key == first.invoke_key
    assert [d.id for d in store.list_domains()] == [1]
    other = store.create_domain("second", "ja")
    assert other.id == 2
    assert other.invoke_key != first.invoke_key
    assert other.secret != configured.secret


def test_create_domain_with_secret_and_rotate(store: SqlStore) -> None:
    store.ensure_default_domain("ko", None)
    domain = store.create_domain("partner", "zh-TW", secret="given")
    assert domain.secret == "given"
    rotated = store.rotate_secret(domain.id)
    assert rotated.secret != "given"
    assert store.get_domain(domain.id).secret == rotated.secret
    with pytest.raises(NotFoundError, match="domain 42"):
        store.rotate_secret(42)
    with pytest.raises(NotFoundError):
        store.get_domain(42)


def test_release_and_withdraw(store: SqlStore, make_definition: MakeDef) -> None:
    store.ensure_default_domain("ko", None)
    a = store.create_template(make_definition("A"), PNG_A, 400, 300)
    b = store.create_template(make_definition("B"), PNG_A, 400, 300)
    domain = store.release(1, [b.id, a.id, a.id])
    assert domain.releases == {1: 1, 2: 1}
    store.replace_template(a.id, make_definition("A2"), None, 0, 0)
    released = store.released_templates(1)
    assert [(t.id, t.version, t.name) for t in released] == [(1, 1, "A"), (2, 1, "B")]
    assert store.release(1, [a.id]).releases == {1: 2, 2: 1}
    assert [t.name for t in store.released_templates(1)] == ["A2", "B"]
    withdrawn = store.withdraw(1, b.id)
    assert withdrawn.releases == {1: 2}
    with pytest.raises(NotFoundError, match="not released"):
        store.withdraw(1, b.id)
    with pytest.raises(NotFoundError):
        store.withdraw(7, a.id)


def test_release_unknown_things_releases_nothing(store: SqlStore, make_definition: MakeDef) -> None:
    store.ensure_default_domain("ko", None)
    a = store.create_template(make_definition("A"), PNG_A, 400, 300)
    with pytest.raises(NotFoundError, match="template 99"):
        store.release(1, [a.id, 99])
    assert store.get_domain(1).releases == {}
    with pytest.raises(NotFoundError, match="domain 3"):
        store.release(3, [a.id])
    with pytest.raises(NotFoundError):
        store.released_templates(3)


def test_delete_withdraws_everywhere(store: SqlStore, make_definition: MakeDef) -> None:
    store.ensure_default_domain("ko", None)
    second = store.create_domain("second", "en")
    a = store.create_template(make_definition("A"), PNG_A, 400, 300)
    b = store.create_template(make_definition("B"), PNG_A, 400, 300)
    store.release(1, [a.id, b.id])
    store.release(second.id, [a.id])
    store.delete_template(a.id)
    assert store.get_domain(1).releases == {b.id: 1}
    assert store.get_domain(second.id).releases == {}
    assert [t.id for t in store.released_templates(1)] == [b.id]


def test_settings(store: SqlStore) -> None:
    assert store.get_setting("k") is None
    store.set_setting("k", "one")
    store.set_setting("k", "two")
    assert store.get_setting("k") == "two"


def test_two_stores_on_one_file_see_each_other(db_url: str, make_definition: MakeDef) -> None:
    first = open_store(db_url)
    second = open_store(db_url)
    try:
        first.ensure_default_domain("ko", None)
        created = first.create_template(make_definition("Shared"), PNG_A, 400, 300)
        assert second.get_template(created.id).name == "Shared"
        second.release(1, [created.id])
        assert first.get_domain(1).releases == {created.id: 1}
        second.set_setting("token", "abc")
        assert first.get_setting("token") == "abc"
        second.delete_template(created.id)
        assert first.list_templates() == []
    finally:
        first.close()
        second.close()


def test_memory_database(make_definition: MakeDef) -> None:
    store = open_store("sqlite://")
    try:
        store.ensure_default_domain("en", "s")
        created = store.create_template(make_definition("M"), PNG_A, 400, 300)
        assert store.get_template(created.id).name == "M"
    finally:
        store.close()


@pytest.mark.parametrize("big", [2**63, 10**30])
def test_ids_past_64_bits_name_nothing(store: SqlStore, big: int) -> None:
    for call in (
        lambda: store.get_template(big),
        lambda: store.get_sample(big),
        lambda: store.delete_template(big),
        lambda: store.get_domain(big),
        lambda: store.rotate_secret(big),
        lambda: store.withdraw(1, big),
    ):
        with pytest.raises(NotFoundError):
            call()
