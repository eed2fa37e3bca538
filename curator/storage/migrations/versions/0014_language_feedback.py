"""Members' reading-language preference (issue 15): ``member_profiles.language_feedback``, the
decayed positive and negative feedback weight on items of each language, ``{"de": [pos, neg],
"en": [pos, neg]}``, folded incrementally like the area sums.

Existing rows get NULL: such a profile is folded again from the member's first event at the next
refresh (once), so the language sums cover the whole history, decayed exactly like the rest.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN: nullable, no batch copy needed on SQLite
    op.add_column("member_profiles", sa.Column("language_feedback", sa.JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("member_profiles") as batch:
        batch.drop_column("language_feedback")
