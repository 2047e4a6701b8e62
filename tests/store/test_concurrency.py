"""Concurrent writers on one database (threads with their own stores, as server processes have).

Every test runs on SQLite and on PostgreSQL (see tests/conftest.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from templateocr.models.template import TemplateDefinition
from templateocr.store.sql import SqlStore, open_store

MakeDef = Callable[..., TemplateDefinition]
PNG = b"\x89PNG-concurrent"
WRITERS = 6


@pytest.fixture
def stores(db_url: str) -> Iterator[list[SqlStore]]:
    """One store (engine and pool) per writer, all on one database with domain 1."""
    opened = [open_store(db_url) for _ in range(WRITERS)]
    opened[0].ensure_default_domain("ko", None)
    try:
        yield opened
    finally:
        for store in opened:
            store.close()


def _all(work: Callable[[int], object]) -> list[object]:
    with ThreadPoolExecutor(WRITERS) as pool:
        return list(pool.map(work, range(WRITERS)))


def test_concurrent_creates_get_distinct_ids(stores: list[SqlStore], make_definition: MakeDef) -> None:
    per_writer = 5

    def work(i: int) -> list[int]:
        ids = []
        for n in range(per_writer):
            record = stores[i].create_template(make_definition(f"W{i}-{n}"), PNG, 400, 300)
            stores[i].replace_template(record.id, make_definition(f"W{i}-{n}b"), None, 0, 0)
            stores[i].release(1, [record.id])
            ids.append(record.id)
        return ids

    made = [tid for ids in _all(work) for tid in ids]  # type: ignore[attr-defined]
    total = WRITERS * per_writer
    assert sorted(made) == list(range(1, total + 1))
    listed = stores[0].list_templates()
    assert [r.id for r in listed] == list(range(1, total + 1))
    assert {r.version for r in listed} == {2}
    assert stores[0].get_domain(1).releases == dict.fromkeys(range(1, total + 1), 2)


def test_concurrent_versions_of_one_template(stores: list[SqlStore], make_definition: MakeDef) -> None:
    created = stores[0].create_template(make_definition("Shared"), PNG, 400, 300)
    rounds = 4

    def work(i: int) -> list[int]:
        return [
            stores[i].replace_template(created.id, make_definition(f"v{i}-{n}"), None, 0, 0).version
            for n in range(rounds)
        ]

    versions = sorted(v for got in _all(work) for v in got)  # type: ignore[attr-defined]
    assert versions == list(range(2, 2 + WRITERS * rounds))
    assert stores[0].get_template(created.id).version == 1 + WRITERS * rounds


def test_overlapping_releases_in_opposite_orders(stores: list[SqlStore], make_definition: MakeDef) -> None:
    """Releases of the same templates listed in different orders neither deadlock nor lose one."""
    ids = [stores[0].create_template(make_definition(f"T{n}"), PNG, 400, 300).id for n in range(8)]
    second = stores[0].create_domain("second", "en")

    def work(i: int) -> None:
        order = ids if i % 2 else list(reversed(ids))
        for _ in range(5):
            stores[i].release(1 + (i % 2) * (second.id - 1), order)
            stores[i].release(1, order[:3])

    _all(work)
    assert stores[0].get_domain(1).releases == dict.fromkeys(ids, 1)
    assert stores[0].get_domain(second.id).releases == dict.fromkeys(ids, 1)


def test_deleted_ids_stay_unused_after_reopening(db_url: str, make_definition: MakeDef) -> None:
    store = open_store(db_url)
    first = [store.create_template(make_definition(f"D{n}"), PNG, 400, 300).id for n in range(3)]
    for template_id in first:
        store.delete_template(template_id)
    store.close()
    reopened = open_store(db_url)
    try:
        assert reopened.list_templates() == []
        later = reopened.create_template(make_definition("After"), PNG, 400, 300)
        assert later.id == max(first) + 1
    finally:
        reopened.close()
