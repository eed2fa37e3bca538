"""Alembic environment: runs on the connection curator hands over (see storage.migrate)."""

from __future__ import annotations

from alembic import context

from curator.storage.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - curator always passes a connection
    raise RuntimeError("curator migrations run through `curator init` or Storage.migrate(), not alembic's CLI")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
