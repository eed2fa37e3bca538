"""Full-text search over items (issue 13).

- SQLite: ``items_fts``, an FTS5 table with external content (``items``: title, summary, text),
  kept in step by triggers; filled from the stored items once here. The ``unicode61`` tokenizer
  with diacritics removed matches whole words ("KI" never matches "Kinder").
- PostgreSQL: a GIN index on the item's text vector in its own language's configuration
  (German for ``de``, English otherwise), the expression ``curator.storage.search`` queries.

Revision ID: 0011
Revises: 0010
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# keep in step with curator.storage.search.PG_DOCUMENT (the index serves only this exact expression)
PG_DOCUMENT = ("to_tsvector(CASE WHEN lang = 'de' THEN 'german'::regconfig ELSE 'english'::regconfig END, "
               "coalesce(title, '') || ' ' || coalesce(summary, '') || ' ' || coalesce(text, ''))")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE INDEX ix_items_fulltext ON items USING gin (({PG_DOCUMENT}))")
        return
    op.execute("CREATE VIRTUAL TABLE items_fts USING fts5(title, summary, text, content='items', "
               "content_rowid='id', tokenize='unicode61 remove_diacritics 2')")
    op.execute("CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN "
               "INSERT INTO items_fts(rowid, title, summary, text) VALUES (new.id, new.title, new.summary, new.text); "
               "END")
    op.execute("CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN "
               "INSERT INTO items_fts(items_fts, rowid, title, summary, text) "
               "VALUES ('delete', old.id, old.title, old.summary, old.text); END")
    op.execute("CREATE TRIGGER items_fts_update AFTER UPDATE OF title, summary, text ON items BEGIN "
               "INSERT INTO items_fts(items_fts, rowid, title, summary, text) "
               "VALUES ('delete', old.id, old.title, old.summary, old.text); "
               "INSERT INTO items_fts(rowid, title, summary, text) VALUES (new.id, new.title, new.summary, new.text); "
               "END")
    op.execute("INSERT INTO items_fts(items_fts) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_items_fulltext")
        return
    for trigger in ("items_fts_insert", "items_fts_delete", "items_fts_update"):
        op.execute(f"DROP TRIGGER {trigger}")
    op.execute("DROP TABLE items_fts")
