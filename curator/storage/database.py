"""The database: engine, transactions and migrations. Every query module builds on
:class:`Database`; SQLAlchemy errors are translated to StorageError here."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from contextvars import ContextVar
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


class _ReadScope:
    """The connection and transaction that one thread's consecutive reads share inside
    :meth:`Database.reading`; ``writing`` counts the write transactions open meanwhile."""

    __slots__ = ("conn", "db", "writing")

    def __init__(self, db: Database) -> None:
        self.db = db
        self.conn: Connection | None = None
        self.writing = 0

    def connection(self) -> Connection:
        if self.conn is None:
            conn = self.db.engine.connect()
            try:
                conn.begin()
            except BaseException:
                conn.close()
                raise
            self.conn = conn
        return self.conn

    def end(self) -> None:
        """Roll the shared read transaction back (it wrote nothing) and return its connection."""
        conn, self.conn = self.conn, None
        if conn is not None:
            conn.close()


_READ_SCOPE: ContextVar[_ReadScope | None] = ContextVar("curator_read_scope", default=None)


class Database:
    """Owns the engine. ``read()``/``write()`` give a Connection in a transaction;
    ``reading()`` lets consecutive reads share one."""

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

    def reading(self) -> contextlib.AbstractContextManager[None]:
        """Within the block, this thread's reads share one connection and one transaction (one
        pool checkout, one BEGIN, one consistent snapshot) until the thread writes: a write ends
        the shared transaction first, so every read after it sees the write. A web request runs
        in one such block: a page's eight reads cost one round of connection handling instead
        of eight. Nested blocks join the outer one."""
        return self._reading()

    @contextlib.contextmanager
    def _reading(self) -> Iterator[None]:
        scope = _READ_SCOPE.get()
        if scope is not None and scope.db is self:
            yield
            return
        scope = _ReadScope(self)
        token = _READ_SCOPE.set(scope)
        try:
            yield
        finally:
            _READ_SCOPE.reset(token)
            try:
                scope.end()
            except SQLAlchemyError as exc:
                raise _translate(exc) from exc

    def _shared_scope(self) -> _ReadScope | None:
        scope = _READ_SCOPE.get()
        return scope if scope is not None and scope.db is self else None

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        scope = self._shared_scope()
        if scope is not None and not scope.writing:
            try:
                yield scope.connection()
            except BaseException as exc:
                # A failed statement leaves a PostgreSQL transaction unusable: the next read
                # starts a new one.
                scope.end()
                if isinstance(exc, SQLAlchemyError):
                    raise _translate(exc) from exc
                raise
            return
        try:
            with self.engine.connect() as conn, conn.begin():
                yield conn
        except OperationalError as exc:
            raise _translate(exc) from exc
        except SQLAlchemyError as exc:
            raise _translate(exc) from exc

    @contextlib.contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction: committed on success, rolled back on any exception. Inside
        :meth:`reading` it ends the shared read transaction first, and reads during the write
        use their own, so reads after it see what it wrote."""
        scope = self._shared_scope()
        if scope is not None:
            scope.end()
            scope.writing += 1
        try:
            with self.engine.connect() as raw:
                conn = raw.execution_options(**{WRITE_OPTION: True})
                with conn.begin():
                    yield conn
        except SQLAlchemyError as exc:
            raise _translate(exc) from exc
        finally:
            if scope is not None:
                scope.writing -= 1

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

