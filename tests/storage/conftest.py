"""Fixtures of the storage contract tests: a migrated, empty ``Storage`` on SQLite and on
PostgreSQL (``store``, ``store_url``), and builders of the plain values storage takes."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy.engine import Engine

from curator.storage import Storage
from curator.storage.engine import create_engine
from curator.storage.schema import metadata
from curator.types import MemberRecord, ParsedItem, Source
from tests.conftest import T0, private_postgresql_schema

R = TypeVar("R")


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per test session; each test gets a copy."""
    path = tmp_path_factory.mktemp("storage-template") / "migrated.db"
    s = Storage(f"sqlite:///{path}")
    s.migrate()
    s.close()  # the last connection to close checkpoints the WAL into the file
    return path


@pytest.fixture(scope="session")
def _postgresql_schema() -> Iterator[tuple[str, Engine]]:
    """A private PostgreSQL schema migrated once per test session, and an engine on it; each
    test starts from its tables emptied."""
    with private_postgresql_schema() as url:
        s = Storage(url)
        s.migrate()
        s.close()
        engine = create_engine(url)
        try:
            yield url, engine
        finally:
            engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a database with every migration applied and no rows, on SQLite and on
    PostgreSQL (migrated once per session: migrating takes longer than most contract tests)."""
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
        return f"sqlite:///{path}"
    url, engine = request.getfixturevalue("_postgresql_schema")
    with engine.begin() as conn:  # children first; DELETE is quicker than TRUNCATE on small tables
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())
    return str(url)


@pytest.fixture
def store(store_url: str) -> Iterator[Storage]:
    """A Storage on an empty, migrated database (SQLite and PostgreSQL)."""
    s = Storage(store_url)
    try:
        yield s
    finally:
        s.close()


def source(sid: str = "news", **kw: object) -> Source:
    values: dict[str, object] = dict(title=f"Source {sid}", url=f"https://{sid}.example/feed.xml", lang="en")
    values.update(kw)
    return Source(id=sid, **values)  # type: ignore[arg-type]


def parsed(key: str, *, title: str | None = None, text: str = "some text", published: datetime | None = T0,
           url: str | None = None, lang: str | None = "en", version: str = "1") -> ParsedItem:
    """An entry whose content hash changes with ``text`` and ``version``."""
    link = url if url is not None else f"https://news.example/{key}"
    return ParsedItem(key=key, title=title or f"Title {key}", url=link, canonical_url=link, summary=text[:100],
                      content_html=f"<p>{text}</p>", text=text, author=None, published=published, updated=None,
                      lang=lang, content_hash=f"{key}:{text}:{version}")


def member(email: str, **kw: object) -> MemberRecord:
    values: dict[str, object] = dict(name=email.split("@")[0].title(), organisation="Acme", language="en")
    values.update(kw)
    return MemberRecord(email=email, **values)  # type: ignore[arg-type]


def stored_items(store: Storage, n: int, *, sid: str = "news", start: datetime = T0,
                 step: timedelta = timedelta(hours=1)) -> list[int]:
    """``n`` items under source ``sid`` (created if missing), published ``step`` apart, oldest
    first; returns their ids in that order."""
    store.ensure_internal_source(source(sid), T0)
    counts = store.upsert_items(source(sid), [parsed(f"{sid}-{i}", published=start + i * step) for i in range(n)], T0)
    return list(counts.new_ids)


def in_parallel(n: int, work: Callable[[int], R]) -> list[R]:
    """Run ``work(0..n-1)`` on ``n`` threads released at the same moment; the results in index
    order. An exception in any thread fails the test."""
    barrier = threading.Barrier(n)
    results: list[R | None] = [None] * n
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except BaseException as exc:  # collected and raised in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    if errors:
        raise errors[0]
    return results  # type: ignore[return-value]


def on_connections(store_url: str, n: int, work: Callable[[Storage, int], R]) -> list[R]:
    """``in_parallel`` with a Storage of its own (its own engine, so a real connection of its own
    on PostgreSQL) for each of the ``n`` threads: ``work(storage, index)``."""
    stores = [Storage(store_url) for _ in range(n)]
    try:
        return in_parallel(n, lambda i: work(stores[i], i))
    finally:
        for s in stores:
            s.close()
