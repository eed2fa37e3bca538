"""Alembic environment: runs on the connection curator hands over (see storage.migrate)."""

from __future__ import annotations

from alembic import context

from curator.storage.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - curator always passes a connection
    raise RuntimeError("curator migrations run through `curator init` or Storage.migrate(), not alembic's CLI")

# SQLite alters a table by copying it and dropping the original; with foreign keys on, that drop
# would delete (ON DELETE CASCADE) the rows of every child table. The pragma takes effect only
# outside a transaction, so it is switched on the driver connection before alembic begins one,
# the result is checked before the last commit, and it is switched back on afterwards.
sqlite = connection.dialect.name == "sqlite"
driver = connection.connection.driver_connection if sqlite else None
if driver is not None:
    driver.execute("PRAGMA foreign_keys = OFF")
try:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=sqlite,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
        if driver is not None:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
            if broken:
                raise RuntimeError(f"the migration left rows whose foreign keys point nowhere: {broken[:5]}")
    if driver is not None:
        connection.commit()
finally:
    if driver is not None:
        if connection.in_transaction():
            connection.rollback()
        driver.execute("PRAGMA foreign_keys = ON")
