"""Queries for sources: the desired state from the sources file and the collector's runtime state."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from ..errors import NotFound
from ..types import ParsedItem, Source, SourceHealth
from . import schema as t
from .items import ItemQueries, UpsertCounts


@dataclass(frozen=True)
class SourceState:
    """Runtime state the collector needs for one source."""

    source: Source
    etag: str | None
    last_modified: str | None
    last_unconditional: datetime | None
    next_attempt: datetime | None
    error_count: int
    broken: bool
    last_attempt: datetime | None = None
    moved_to: str | None = None
    """Where the feed has moved (HTTP 301/308 on every hop); fetched from there until the
    feeds file is updated."""

    @property
    def fetch_url(self) -> str:
        return self.moved_to or self.source.url



class SourceQueries(ItemQueries):
    """Sources, their health and the outcome of each fetch."""


    def sync_sources(self, sources: Sequence[Source], now: datetime) -> tuple[int, int, int]:
        """Make the stored sources match the desired ones (feeds.yaml). Sources no longer listed
        are disabled and kept with their items. Returns (added, changed, retired)."""
        added = changed = retired = 0
        wanted = {s.id: s for s in sources}
        with self.write() as conn:
            existing = {r.id: r for r in conn.execute(select(t.sources).where(t.sources.c.in_config))}
            for src in sources:
                values = dict(
                    title=src.title, url=src.url, lang=src.lang, areas=list(src.areas),
                    visibility=src.visibility, poll_minutes=src.poll_minutes, enabled=src.enabled,
                    kind=src.kind, in_config=True,
                )
                row = conn.execute(select(t.sources).where(t.sources.c.id == src.id)).first()
                if row is None:
                    conn.execute(t.sources.insert().values(id=src.id, error_count=0, broken=False,
                                                           created_at=now, updated_at=now, **values))
                    added += 1
                elif any(getattr(row, k) != v for k, v in values.items()):
                    if row.url != src.url:  # a new address starts with a clean slate
                        values.update(etag=None, last_modified=None, error_count=0, broken=False,
                                      next_attempt=None, last_error=None, moved_to=None)
                    conn.execute(update(t.sources).where(t.sources.c.id == src.id)
                                 .values(updated_at=now, **values))
                    if row.visibility != src.visibility:  # stored items follow their source's rule
                        conn.execute(update(t.items).where(t.items.c.source_id == src.id)
                                     .values(visibility=src.visibility))
                    changed += 1
            for sid in set(existing) - set(wanted):
                if existing[sid].kind == "member_post" or sid.startswith(("import-", "member-")):
                    continue
                conn.execute(update(t.sources).where(t.sources.c.id == sid)
                             .values(in_config=False, enabled=False, updated_at=now))
                retired += 1
        return added, changed, retired

    def ensure_internal_source(self, source: Source, now: datetime) -> None:
        """Create a source that is not in feeds.yaml (member posts, imports) if missing."""
        with self.write() as conn:
            stmt = self._insert(t.sources).values(
                id=source.id, title=source.title, url=source.url, lang=source.lang,
                areas=list(source.areas), visibility=source.visibility, poll_minutes=source.poll_minutes,
                enabled=False, kind=source.kind, in_config=False, error_count=0, broken=False,
                created_at=now, updated_at=now,
            ).on_conflict_do_nothing(index_elements=["id"])
            conn.execute(stmt)

    @staticmethod
    def _source(row: Any) -> Source:
        return Source(id=row.id, title=row.title, url=row.url, lang=row.lang, areas=tuple(row.areas or ()),
                      visibility=row.visibility, poll_minutes=row.poll_minutes, enabled=row.enabled,
                      kind=row.kind)

    def source_states(self, only_enabled: bool = True) -> list[SourceState]:
        with self.read() as conn:
            q = select(t.sources).where(t.sources.c.in_config)
            if only_enabled:
                q = q.where(t.sources.c.enabled)
            rows = conn.execute(q.order_by(t.sources.c.id)).all()
        return [SourceState(self._source(r), r.etag, r.last_modified, r.last_unconditional,
                            r.next_attempt, r.error_count, r.broken, r.last_attempt, r.moved_to) for r in rows]

    def source_health(self) -> list[SourceHealth]:
        counts = (select(t.items.c.source_id, func.count().label("n"))
                  .group_by(t.items.c.source_id).subquery())
        with self.read() as conn:
            rows = conn.execute(
                select(t.sources, func.coalesce(counts.c.n, 0).label("item_count"))
                .select_from(t.sources.outerjoin(counts, counts.c.source_id == t.sources.c.id))
                .order_by(t.sources.c.id)
            ).all()
        return [SourceHealth(self._source(r), r.last_attempt, r.last_success, r.last_error,
                             r.error_count, r.item_count, r.next_attempt, r.broken, r.moved_to) for r in rows]

    def record_fetch_success(self, source_id: str, parsed: Sequence[ParsedItem], *, etag: str | None,
                             last_modified: str | None, feed_title: str | None, unconditional: bool,
                             now: datetime, warning: str | None = None,
                             moved_to: str | None = None) -> UpsertCounts:
        """Store a fetch's items AND its validators in ONE transaction (RELIABILITY F04), and mark
        the source healthy. Raises NotFound if the source was deleted meanwhile (D09)."""
        with self.write() as conn:
            row = conn.execute(select(t.sources).where(t.sources.c.id == source_id)).first()
            if row is None:
                raise NotFound(f"source '{source_id}' was removed while it was being collected")
            counts = self._upsert_items(conn, self._source(row), parsed, now)
            values: dict[str, Any] = dict(
                etag=etag, last_modified=last_modified, last_attempt=now, last_success=now,
                last_error=warning, error_count=0, broken=False, next_attempt=None, updated_at=now,
            )
            if feed_title:
                values["feed_title"] = feed_title[:1000]
            if moved_to:
                values["moved_to"] = moved_to if moved_to != row.url else None
            if unconditional:
                values["last_unconditional"] = now
            conn.execute(update(t.sources).where(t.sources.c.id == source_id).values(**values))
        return counts

    def record_not_modified(self, source_id: str, *, etag: str | None, last_modified: str | None,
                            now: datetime) -> None:
        with self.write() as conn:
            conn.execute(update(t.sources).where(t.sources.c.id == source_id).values(
                etag=etag, last_modified=last_modified, last_attempt=now, last_success=now,
                last_error=None, error_count=0, broken=False, next_attempt=None, updated_at=now))

    def record_fetch_failure(self, source_id: str, error: str, *, now: datetime,
                             next_attempt: datetime | None, broken_after: int,
                             disable: bool = False) -> int:
        """Record a failed collection; returns the consecutive error count."""
        with self.write() as conn:
            row = conn.execute(select(t.sources.c.error_count).where(t.sources.c.id == source_id)).first()
            if row is None:
                return 0
            count = row.error_count + 1
            values: dict[str, Any] = dict(last_attempt=now, last_error=error[:2000], error_count=count,
                                          next_attempt=next_attempt, broken=count >= broken_after,
                                          updated_at=now)
            if disable:
                values["enabled"] = False
            conn.execute(update(t.sources).where(t.sources.c.id == source_id).values(**values))
        return count

    def delete_source(self, source_id: str) -> None:
        with self.write() as conn:
            res = conn.execute(t.sources.delete().where(t.sources.c.id == source_id))
        if res.rowcount == 0:
            raise NotFound(f"no source with id '{source_id}'")

