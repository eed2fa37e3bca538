"""Engine creation: SQLite tuned for concurrent use (WAL, busy timeout, BEGIN IMMEDIATE for
writes, foreign keys), PostgreSQL through the same code."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.engine import create_engine as sa_create_engine

from ..errors import ConfigError
from ..resources import install_hint

SQLITE_BUSY_TIMEOUT_MS = 15_000

WRITE_OPTION = "curator_write"
"""Execution option: this transaction will write. On SQLite it starts with BEGIN IMMEDIATE so a
read-then-write transaction never fails with SQLITE_BUSY half-way (RELIABILITY L02)."""


def create_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for a SQLite or PostgreSQL URL.

    ``postgresql://`` is mapped to the psycopg 3 driver, which the ``postgres`` extra installs
    (ConfigError naming the extra when it is missing). Other databases are refused with a
    ConfigError, because only these two are tested.
    """
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError with a terse text
        raise ConfigError(f"database_url {url!r} is not a valid database URL") from exc
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        if parsed.drivername in ("postgresql", "postgres"):
            parsed = parsed.set(drivername="postgresql+psycopg")
        try:
            return sa_create_engine(parsed, pool_pre_ping=True, **kwargs)
        except ImportError as exc:  # the driver is imported when the engine is made
            raise ConfigError(f"database_url {make_url(url).render_as_string()!r}: PostgreSQL needs the psycopg driver, "
                              f"which the default install leaves out: {install_hint('postgres')}") from exc
    if backend != "sqlite":
        raise ConfigError(f"database_url {url!r}: only sqlite:/// and postgresql:// URLs are supported")
    engine = sa_create_engine(parsed, **kwargs)
    _tune_sqlite(engine, memory=parsed.database in (None, "", ":memory:"))
    return engine


def _tune_sqlite(engine: Engine, memory: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event decide how transactions start (pysqlite would emit
        # a plain deferred BEGIN lazily otherwise).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if not memory:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get(WRITE_OPTION):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")
