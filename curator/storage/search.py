"""Full-text search over items: SQLite FTS5 (``items_fts``, migration 0011) or PostgreSQL full-text
search with the German configuration for German items and the English one for the rest."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import bindparam, text

from ..search import item_snippet, query_terms
from ..types import SearchHit
from .items import ItemQueries

PG_DOCUMENT = ("to_tsvector(CASE WHEN lang = 'de' THEN 'german'::regconfig ELSE 'english'::regconfig END, "
               "coalesce(title, '') || ' ' || coalesce(summary, '') || ' ' || coalesce(text, ''))")
"""The item's text vector; the same expression as the GIN index of migration 0011, or the index is unused."""

FULLTEXT_INDEX = "ix_items_fulltext"
"""PostgreSQL's GIN index on ``PG_DOCUMENT`` (migration 0011), not declared in ``schema``."""

FTS_TABLES = ("items_fts", "items_fts_config", "items_fts_data", "items_fts_docsize", "items_fts_idx")
"""SQLite's FTS5 table and its shadow tables: made by migration 0011, not declared in ``schema``
(SQLAlchemy cannot declare virtual tables)."""


class SearchQueries(ItemQueries):
    """Full-text search with the item filters of listing."""

    def search_items_text(self, query: str, *, visible_to: Collection[str] | None, area: str | None = None,
                          lang: str | None = None, limit: int = 20) -> list[SearchHit]:
        """Items matching any word of ``query`` on word boundaries, best first (items matching
        more and rarer words, in the title above the text; ties by newer id), at most ``limit``.
        ``visible_to`` is the reader's set of visibilities from the one visibility rule (None:
        no restriction, editors and tools only); ``area`` and ``lang`` filter. Each hit's snippet
        is HTML-escaped with the query's words in ``<mark>``; its score is higher for better
        matches. A query without words finds nothing."""
        terms = query_terms(query)
        if not terms or limit <= 0:
            return []
        filters = []
        params: dict[str, Any] = {"limit": int(limit)}
        binds: list[Any] = []
        if visible_to is not None:
            filters.append("items.visibility IN :visible")
            params["visible"] = sorted(visible_to) or [""]
            binds.append(bindparam("visible", expanding=True))
        if area:
            filters.append("items.id IN (SELECT item_id FROM item_areas WHERE area = :area)")
            params["area"] = area
        if lang:
            filters.append("items.lang = :lang")
            params["lang"] = lang
        where = "".join(f" AND {f}" for f in filters)
        if self.dialect == "postgresql":
            params["q"] = " or ".join(terms)
            sql = (f"SELECT items.id, ts_rank({PG_DOCUMENT}, q.query) AS score FROM items, "
                   "(SELECT websearch_to_tsquery('german', :q) || websearch_to_tsquery('english', :q) AS query) q "
                   f"WHERE {PG_DOCUMENT} @@ q.query{where} ORDER BY score DESC, items.id DESC LIMIT :limit")
        else:
            params["q"] = " OR ".join(f'"{t}"' for t in terms)  # quoted: no FTS5 operators from the user
            # bm25() is lower for better matches; title counts more than summary, summary more than text
            sql = ("SELECT items.id, -bm25(items_fts, 5.0, 2.0, 1.0) AS score FROM items_fts "
                   f"JOIN items ON items.id = items_fts.rowid WHERE items_fts MATCH :q{where} "
                   "ORDER BY score DESC, items.id DESC LIMIT :limit")
        with self.read() as conn:
            rows = conn.execute(text(sql).bindparams(*binds), params).all()
        scores = {int(r.id): float(r.score) for r in rows}
        items = self.get_items(list(scores))
        return [SearchHit(item=i, score=scores[i.id], snippet=item_snippet(i.title, i.summary, i.text, terms))
                for i in items]

