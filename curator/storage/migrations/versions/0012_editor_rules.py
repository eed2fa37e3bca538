"""Editor rules: block or boost items by source, keyword or phrase, author or area, for everyone
or one segment (``schema/rules.py``).

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

from curator.storage.types_sql import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "editor_rules",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("match_kind", sa.String(20), nullable=False),
        sa.Column("pattern", sa.Text, nullable=False),
        sa.Column("segment", sa.String(300), nullable=False),
        sa.Column("strength", sa.Float, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(320), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_editor_rules"),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("editor_rules")
