"""Shared fixtures. Database tests run on SQLite always, and on PostgreSQL as well when
CURATOR_TEST_DATABASE_URL is set (each test gets its own PostgreSQL schema)."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from curator.clock import FixedClock
from curator.config import Settings
from curator.core import Curator, make_curator

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CURATOR_SHARED_DIR", REPO.parent / "shared"))
PG_URL = os.environ.get("CURATOR_TEST_DATABASE_URL")

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def shared_dir(*parts: str) -> Path:
    """A folder under ../shared, or skip the test with a message saying what is missing."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: these tests read the shared fixtures beside the repository")
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL: a SQLite file, or a private schema on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    with private_postgresql_schema() as url:
        yield url


@contextlib.contextmanager
def private_postgresql_schema() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL schema, dropped afterwards; skips the test without
    CURATOR_TEST_DATABASE_URL."""
    if not PG_URL:
        pytest.skip("PostgreSQL run: set CURATOR_TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1/test)")
    import sqlalchemy as sa

    from curator.storage.engine import create_engine

    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=db_url,
        feeds_file=str(tmp_path / "feeds.yaml"),
        fetch_allowed_networks=("127.0.0.1/32", "::1/128"),
        fetch_connect_timeout=2.0, fetch_read_timeout=3.0, fetch_total_timeout=5.0,
        outbox_dir=str(tmp_path / "outbox"),
        encoder="fake",
    )


@pytest.fixture
def curator(settings: Settings, clock: FixedClock) -> Iterator[Curator]:
    cur = make_curator(settings, clock=clock)
    try:
        yield cur
    finally:
        cur.close()


def rebuilt(cur: Curator, **collaborators: object) -> Curator:
    """Another Curator on the same database, settings and clock, with some collaborators replaced
    (a delivery policy, a sender, a member directory...): how tests inject, through the factory."""
    return make_curator(cur.settings, clock=cur.clock, migrate=False, **collaborators)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    """pytest-httpserver on 127.0.0.1 (not the name localhost, which the fetcher refuses by name)."""
    return ("127.0.0.1", 0)
