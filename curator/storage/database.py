"""The database: engine, transactions and migrations. Every query module builds on
:class:`Database`; SQLAlchemy errors are translated to StorageError here."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from typing import Any

from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from ..errors import MigrationError, StorageBusy, StorageError
from ..resources import package_path
from .engine import WRITE_OPTION, create_engine

MIGRATIONS_DIR = package_path("curator.storage", "migrations")

def _translate(exc: SQLAlchemyError) -> StorageError:
    orig = getattr(exc, "orig", None)
    if isinstance(orig, sqlite3.OperationalError) and "locked" in str(orig):
        return StorageBusy("the database is busy (locked by another process); try again in a moment")
    return StorageError(f"database error: {exc.__class__.__name__}: {str(orig or exc).splitlines()[0]}")


class Database:
    """Owns the engine. ``read()``/``write()`` give a Connection in a transaction."""

    def __init__(self, url: str, engine: Engine | None = None) -> None:
        self.url = url
        self.engine = engine or create_engine(url)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    # ----------------------------------------------------------------- transactions

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as conn, conn.begin():
                yield conn
        except OperationalError as exc:
            raise _translate(exc) from exc
        except SQLAlchemyError as exc:
            raise _translate(exc) from exc

    @contextlib.contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction: committed on success, rolled back on any exception."""
        try:
            with self.engine.connect() as raw:
                conn = raw.execution_options(**{WRITE_OPTION: True})
                with conn.begin():
                    yield conn
        except SQLAlchemyError as exc:
            raise _translate(exc) from exc

    def _insert(self, table: Any) -> Any:
        if self.dialect == "postgresql":
            return pg_dialect.insert(table)
        return sqlite_dialect.insert(table)

    # ----------------------------------------------------------------- schema

    def _alembic_config(self, conn: Connection) -> Any:
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        cfg.attributes["connection"] = conn
        return cfg

    def _current_revision(self) -> str | None:
        from alembic.migration import MigrationContext

        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def head_revision(self) -> str:
        """The newest schema revision this version of curator knows."""
        from alembic.script import ScriptDirectory

        with self.engine.connect() as conn:
            head = ScriptDirectory.from_config(self._alembic_config(conn)).get_current_head()
        assert head is not None
        return head

    def migrate(self) -> tuple[str | None, str]:
        """Bring the schema to the newest revision. Safe to call on every start and from several
        processes at once (PostgreSQL: advisory lock; SQLite: the write lock). Returns (from, to)."""
        from alembic import command

        try:
            before = self._current_revision()
            head = self.head_revision()
            if before == head:
                return before, head
            with self.engine.connect() as raw:
                conn = raw.execution_options(**{WRITE_OPTION: True})
                if self.dialect == "postgresql":
                    conn.exec_driver_sql("SELECT pg_advisory_lock(727274)")
                    conn.commit()
                try:
                    command.upgrade(self._alembic_config(conn), "head")
                    conn.commit()
                finally:
                    if self.dialect == "postgresql":
                        conn.exec_driver_sql("SELECT pg_advisory_unlock(727274)")
                        conn.commit()
            return before, head
        except SQLAlchemyError as exc:
            raise MigrationError(f"could not migrate the database at {self.url}: {exc}") from exc

    def ensure_schema(self) -> None:
        """Raise MigrationError with a clear message unless the schema is current."""
        current, head = self._current_revision(), self.head_revision()
        if current != head:
            raise MigrationError(
                f"the database at {self.url} is at schema version {current or 'none'}, "
                f"curator needs {head}: run `curator init`"
            )

