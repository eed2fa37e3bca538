"""Privacy: ids that are never reused, delivery rows that can lose their address, colleague mail
opt-out.

- ``members`` and ``web_users`` get AUTOINCREMENT on SQLite, which otherwise hands the highest
  id of a deleted row to the next insert: old delivery rows, unsubscribe, preferences, click and
  RSS tokens would then name the new person. PostgreSQL sequences never go back; nothing to do.
- ``deliveries.email_key`` may be NULL: erasure empties both address columns of a delivery row
  and keeps its state for the issue's counts.
- ``members.colleague_mail``: whether the member accepts items sent by colleagues (default yes).

SQLite changes a table only by copying it; the copy must be made with foreign keys off, or
dropping the old table would cascade into its children (``migrations/env.py`` does that).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    autoincrement = {"recreate": "always", "table_kwargs": {"sqlite_autoincrement": True}} if sqlite else {}
    with op.batch_alter_table("members", **autoincrement) as batch:  # type: ignore[arg-type]
        batch.add_column(sa.Column("colleague_mail", sa.Boolean, nullable=False, server_default=sa.true()))
    if sqlite:
        with op.batch_alter_table("web_users", **autoincrement) as batch:  # type: ignore[arg-type]
            pass
    with op.batch_alter_table("deliveries") as batch:
        batch.alter_column("email_key", existing_type=sa.String(320), nullable=True)


def downgrade() -> None:
    op.execute("UPDATE deliveries SET email_key = 'erased:' || id WHERE email_key IS NULL")
    with op.batch_alter_table("deliveries") as batch:
        batch.alter_column("email_key", existing_type=sa.String(320), nullable=False)
    with op.batch_alter_table("members") as batch:
        batch.drop_column("colleague_mail")
