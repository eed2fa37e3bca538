"""Queries for stored items: upserting parsed entries, listing, reading by id."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.engine import Connection

from ..errors import NotFound
from ..types import Item, ItemQuery, ParsedItem, Source
from . import schema as t
from .database import Database


@dataclass(frozen=True)
class UpsertCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    new_ids: tuple[int, ...] = ()




@dataclass(frozen=True)
class _Tags:
    areas: Any
    scores: Any



class ItemQueries(Database):
    """Items and their tags, as ``curator.types.Item``."""


    def _upsert_items(self, conn: Connection, source: Source, parsed: Sequence[ParsedItem],
                      now: datetime, kind: str | None = None) -> UpsertCounts:
        if not parsed:
            return UpsertCounts()
        by_key: dict[str, ParsedItem] = {}
        for p in parsed:  # first occurrence wins (RELIABILITY D01)
            by_key.setdefault(p.key, p)
        keys = list(by_key)
        existing: dict[str, Any] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            for r in conn.execute(select(t.items.c.id, t.items.c.key, t.items.c.content_hash)
                                  .where(t.items.c.source_id == source.id, t.items.c.key.in_(chunk))):
                existing[r.key] = r
        new = updated = unchanged = 0
        new_ids: list[int] = []
        for key, p in by_key.items():
            values: dict[str, Any] = dict(
                title=p.title, url=p.url, canonical_url=p.canonical_url, summary=p.summary,
                content_html=p.content_html, text=p.text, author=p.author, lang=p.lang,
                content_hash=p.content_hash,
            )
            old = existing.get(key)
            if old is None:
                stmt = self._insert(t.items).values(
                    source_id=source.id, key=key, kind=kind or source.kind,
                    published=p.published or now, first_seen=now, updated_at=now,
                    visibility=source.visibility, **values,
                ).on_conflict_do_nothing(index_elements=["source_id", "key"]).returning(t.items.c.id)
                inserted = conn.execute(stmt).first()
                if inserted is None:  # a concurrent collector stored it first (D08)
                    unchanged += 1
                else:
                    new += 1
                    new_ids.append(inserted.id)
            elif old.content_hash != p.content_hash:
                if p.published is not None:
                    values["published"] = p.published
                conn.execute(update(t.items).where(t.items.c.id == old.id).values(updated_at=now, **values))
                updated += 1
            else:
                unchanged += 1
        return UpsertCounts(new, updated, unchanged, tuple(new_ids))

    def upsert_items(self, source: Source, parsed: Sequence[ParsedItem], now: datetime,
                     kind: str | None = None) -> UpsertCounts:
        """Store parsed entries under ``source``, keyed by (source, key): a new key is inserted, a
        changed content hash updates the item (keeping its id), an unchanged one is left alone.
        The first of several entries with one key wins; the source must exist."""
        with self.write() as conn:
            return self._upsert_items(conn, source, parsed, now, kind)

    def _item(self, row: Any, tags: Any = None) -> Item:
        return Item(
            id=row.id, source_id=row.source_id, key=row.key, kind=row.kind, title=row.title, url=row.url,
            canonical_url=row.canonical_url, summary=row.summary, content_html=row.content_html,
            text=row.text, author=row.author, published=row.published, first_seen=row.first_seen,
            updated_at=row.updated_at, lang=row.lang, content_hash=row.content_hash,
            visibility=row.visibility,
            areas=tuple(tags.areas) if tags is not None and tags.areas is not None else (),
            area_scores=dict(tags.scores) if tags is not None and tags.scores is not None else {},
            duplicate_of=row.duplicate_of,
        )

    def _items_select(self) -> Any:
        return (select(t.items, t.item_tags.c.areas.label("tag_areas"), t.item_tags.c.scores.label("tag_scores"))
                .select_from(t.items.outerjoin(t.item_tags, t.item_tags.c.item_id == t.items.c.id)))

    def _rows_to_items(self, rows: Sequence[Any]) -> list[Item]:
        out = []
        for r in rows:
            tags = _Tags(r.tag_areas, r.tag_scores) if r.tag_areas is not None else None
            out.append(self._item(r, tags))
        return out

    def list_items(self, query: ItemQuery | None = None) -> list[Item]:
        """Items newest first, filtered as ``query`` says."""
        query = query or ItemQuery()
        q = self._items_select()
        conds = []
        if query.source_id:
            conds.append(t.items.c.source_id == query.source_id)
        if query.lang:
            conds.append(t.items.c.lang == query.lang)
        if query.kind:
            conds.append(t.items.c.kind == query.kind)
        if query.since:
            conds.append(t.items.c.published >= query.since)
        if query.seen_since:
            conds.append(t.items.c.first_seen >= query.seen_since)
        if query.visible_to is not None:
            conds.append(t.items.c.visibility.in_(sorted(query.visible_to)))
        if query.area:
            conds.append(t.items.c.id.in_(select(t.item_areas.c.item_id).where(t.item_areas.c.area == query.area)))
        if query.search:
            pattern = f"%{query.search.lower()}%"
            conds.append(or_(func.lower(t.items.c.title).like(pattern), func.lower(t.items.c.text).like(pattern)))
        if conds:
            q = q.where(and_(*conds))
        q = q.order_by(t.items.c.published.desc(), t.items.c.id.desc()).limit(query.limit).offset(query.offset)
        with self.read() as conn:
            return self._rows_to_items(conn.execute(q).all())

    def get_item(self, item_id: int) -> Item:
        """The item with this id; NotFound if there is none."""
        with self.read() as conn:
            row = conn.execute(self._items_select().where(t.items.c.id == item_id)).first()
        if row is None:
            raise NotFound(f"no item with id {item_id}")
        return self._rows_to_items([row])[0]

    def get_items(self, item_ids: Sequence[int]) -> list[Item]:
        """The items with these ids, in the order given; unknown ids are left out."""
        out: list[Item] = []
        with self.read() as conn:
            for start in range(0, len(item_ids), 500):
                chunk = list(item_ids[start:start + 500])
                out.extend(self._rows_to_items(conn.execute(
                    self._items_select().where(t.items.c.id.in_(chunk))).all()))
        order = {i: n for n, i in enumerate(item_ids)}
        return sorted(out, key=lambda i: order[i.id])

    def find_item(self, ref: str) -> int | None:
        """The id of the item whose key, URL or canonical URL is ``ref`` (None if none); the
        oldest item wins when several match."""
        with self.read() as conn:
            for col in (t.items.c.key, t.items.c.url, t.items.c.canonical_url):
                row = conn.execute(select(t.items.c.id).where(col == ref).order_by(t.items.c.id).limit(1)).first()
                if row is not None:
                    return int(row.id)
        return None

    def set_item_visibility(self, item_id: int, visibility: str) -> None:
        """Restrict or open one item (tests, tools; editors normally restrict a whole source).
        NotFound if there is no such item."""
        with self.write() as conn:
            res = conn.execute(update(t.items).where(t.items.c.id == item_id).values(visibility=visibility))
        if not res.rowcount:
            raise NotFound(f"no item with id {item_id}")
