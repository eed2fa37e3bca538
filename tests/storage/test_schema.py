"""The schema: migrations match the table definitions, SQLite is tuned for concurrency."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from curator.errors import MigrationError
from curator.storage import Storage
from curator.storage.schema import metadata
from curator.storage.search import FTS_TABLES, FULLTEXT_INDEX


def _is_fulltext_search(diff: object) -> bool:
    """SQLite's FTS5 tables and PostgreSQL's full-text index exist in the database only (migration
    0011): SQLAlchemy cannot declare virtual tables, nor a GIN index for one dialect only."""
    return isinstance(diff, tuple) and ((diff[0] == "remove_table" and diff[1].name in FTS_TABLES)
                                        or (diff[0] == "remove_index" and diff[1].name == FULLTEXT_INDEX))


def test_migrations_create_exactly_the_declared_schema(db_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    store = Storage(db_url)
    before, after = store.migrate()
    assert before is None and after == store.head_revision()
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    # SQLite reflects JSON/LargeBinary loosely; anything but type noise is a real drift.
    real = [d for d in diff if not (isinstance(d, list) and d and d[0][0] == "modify_type")
            and not _is_fulltext_search(d)]
    assert real == [], f"migrations and schema.py disagree: {real}"
    store.close()


def test_migrate_is_idempotent_and_ensure_schema_checks(db_url: str) -> None:
    store = Storage(db_url)
    with pytest.raises(MigrationError, match="curator init"):
        store.ensure_schema()
    store.migrate()
    assert store.migrate()[0] == store.head_revision()
    store.ensure_schema()
    store.close()


def test_sqlite_wal_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    store = Storage(f"sqlite:///{tmp_path / 'x.db'}")
    with store.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    store.close()


def test_read_then_write_transactions_do_not_fail_busy(tmp_path: Path) -> None:
    """RELIABILITY L02: two threads each SELECT then UPDATE; BEGIN IMMEDIATE serialises them."""
    store = Storage(f"sqlite:///{tmp_path / 'x.db'}")
    with store.write() as conn:
        conn.exec_driver_sql("CREATE TABLE counter (n INTEGER)")
        conn.exec_driver_sql("INSERT INTO counter VALUES (0)")
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def bump() -> None:
        try:
            barrier.wait()
            for _ in range(100):
                with store.write() as conn:
                    n = conn.exec_driver_sql("SELECT n FROM counter").scalar()
                    conn.execute(sa.text("UPDATE counter SET n = :n"), {"n": n + 1})
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=bump) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    with store.read() as conn:
        assert conn.exec_driver_sql("SELECT n FROM counter").scalar() == 200
    store.close()
