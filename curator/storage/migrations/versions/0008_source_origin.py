"""Sources record who defines them.

The database is the source of truth for sources at run time; the feeds file is one of two ways to
define them. ``sources.origin`` says which: ``file`` (loading the feeds file adds, changes and
retires only these), ``console`` (editors' console and ``curator sources import``; the file never
touches them) or ``internal`` (member posts, imported archives). ``file_enabled`` keeps the
``enabled`` the file gave last, so an editor's switch survives the next load of an unchanged file;
``retired_at`` replaces ``in_config`` (a file source the file no longer lists).

Existing rows: listed sources are ``file``; unlisted ones are ``internal`` when they are member
posts or hold imports (their URL is on ``curator.invalid``), otherwise retired ``file`` sources.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

from curator.storage.types_sql import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_INTERNAL = "(kind = 'member_post' OR url LIKE 'https://curator.invalid/%')"


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("origin", sa.String(20), nullable=False, server_default="file"))
        batch.add_column(sa.Column("file_enabled", sa.Boolean))
        batch.add_column(sa.Column("retired_at", UTCDateTime()))
    op.execute(f"UPDATE sources SET origin = 'internal' WHERE NOT in_config AND {_INTERNAL}")
    op.execute("UPDATE sources SET file_enabled = enabled WHERE in_config")
    op.execute(f"UPDATE sources SET retired_at = updated_at, enabled = false WHERE NOT in_config AND NOT {_INTERNAL}")
    with op.batch_alter_table("sources") as batch:
        batch.alter_column("origin", existing_type=sa.String(20), existing_nullable=False, server_default=None)
        batch.drop_column("in_config")


def downgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("in_config", sa.Boolean, nullable=False, server_default=sa.false()))
    # console sources become file sources again: the old schema knew no other kind of listed source
    op.execute("UPDATE sources SET in_config = true WHERE origin <> 'internal' AND retired_at IS NULL")
    with op.batch_alter_table("sources") as batch:
        batch.alter_column("in_config", existing_type=sa.Boolean, existing_nullable=False, server_default=None)
        batch.drop_column("retired_at")
        batch.drop_column("file_enabled")
        batch.drop_column("origin")
