"""Queries for sources: their definitions (from the feeds file or the console, see
:data:`curator.types.SourceOrigin`) and the collector's runtime state."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection

from ..errors import InvalidInput, NotFound, WorkflowError
from ..types import ParsedItem, Source, SourceHealth, SourceImportResult
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
    source's URL is changed."""

    @property
    def fetch_url(self) -> str:
        return self.moved_to or self.source.url


def _definition(src: Source) -> dict[str, Any]:
    """The columns a source's owner (the feeds file or the console) decides."""
    return dict(title=src.title, url=src.url, lang=src.lang, areas=list(src.areas), visibility=src.visibility,
                poll_minutes=src.poll_minutes, kind=src.kind)


def _internal_use(row: Any) -> str:
    return "member posts" if row.kind == "member_post" else "imported items"


class SourceQueries(ItemQueries):
    """Sources, their health and the outcome of each fetch."""

    # ------------------------------------------------------------------ definitions

    def sync_sources(self, sources: Sequence[Source], now: datetime) -> tuple[int, int, int]:
        """Make the ``file`` sources match the feeds file's ``sources``; other sources are left
        alone. Returns (added, changed, retired).

        A source the file lists again comes back; one it no longer lists is retired (disabled,
        items kept). The file's ``enabled`` applies when the file changes it, so an editor's
        switch survives a reload of an unchanged file. An id of a console source with the same
        URL is taken over by the file (how exported console sources move into the file). Raises
        WorkflowError, naming every such id and changing nothing, when the file lists the id of
        an internal source or of a console source with another URL."""
        added = changed = retired = 0
        wanted = {s.id for s in sources}
        with self.write() as conn:
            rows = {r.id: r for r in conn.execute(select(t.sources))}
            clashes = [f"'{s.id}' ({self._clash(rows[s.id])})" for s in sources
                       if s.id in rows and (rows[s.id].origin == "internal"
                                            or rows[s.id].origin == "console" and rows[s.id].url != s.url)]
            if clashes:
                raise WorkflowError(f"the feeds file uses the id(s) of other sources: {', '.join(clashes)}; "
                                    "give those entries other ids")
            for src in sources:
                row = rows.get(src.id)
                if row is None:
                    conn.execute(t.sources.insert().values(
                        id=src.id, origin="file", enabled=src.enabled, file_enabled=src.enabled, error_count=0,
                        broken=False, created_at=now, updated_at=now, **_definition(src)))
                    added += 1
                    continue
                values: dict[str, Any] = {}
                if row.origin != "file" or row.retired_at is not None or row.file_enabled != src.enabled:
                    # taken over, listed again, or switched in the file: the file's word applies
                    values = dict(origin="file", retired_at=None, enabled=src.enabled, file_enabled=src.enabled)
                if self._apply_definition(conn, row, src, now, **values):
                    changed += 1
            for row in rows.values():
                if row.origin == "file" and row.retired_at is None and row.id not in wanted:
                    conn.execute(update(t.sources).where(t.sources.c.id == row.id)
                                 .values(retired_at=now, enabled=False, updated_at=now))
                    retired += 1
        return added, changed, retired

    def add_source(self, source: Source, now: datetime) -> None:
        """Store a new ``console`` source (``source.origin`` is ignored). Raises InvalidInput when
        the id is taken or another source has the URL."""
        with self.write() as conn:
            if conn.execute(select(t.sources.c.id).where(t.sources.c.id == source.id)).first():
                raise InvalidInput(f"there is already a source with the id '{source.id}'")
            self._refuse_taken_url(conn, source)
            conn.execute(t.sources.insert().values(
                id=source.id, origin="console", enabled=source.enabled, error_count=0, broken=False,
                created_at=now, updated_at=now, **_definition(source)))

    def update_source(self, source: Source, now: datetime) -> bool:
        """Change the definition (title, URL, language, areas, visibility, poll interval, kind)
        of the ``console`` source ``source.id``; its ``enabled`` is left as it is. A new URL
        resets the fetch state; a new visibility applies to its stored items at once. Returns
        whether anything changed. Raises NotFound for an unknown id, WorkflowError for a source
        of another origin, InvalidInput when another source has the URL."""
        with self.write() as conn:
            row = self._row(conn, source.id)
            if row.origin != "console":
                where = "change it in that file" if row.origin == "file" else "it cannot be changed"
                raise WorkflowError(f"'{source.id}' is {self._clash(row)}; {where}")
            self._refuse_taken_url(conn, source)
            return self._apply_definition(conn, row, source, now)

    def import_sources(self, sources: Sequence[Source], now: datetime) -> list[SourceImportResult]:
        """Add or update ``sources`` as ``console`` sources, definition and ``enabled`` alike, in
        one transaction; one result per source, in order. Skipped, with the reason: an id the
        feeds file defines or an internal source holds, and a URL another source has. A retired
        file source is taken over by the console."""
        results: list[SourceImportResult] = []
        with self.write() as conn:
            for src in sources:
                row = conn.execute(select(t.sources).where(t.sources.c.id == src.id)).first()
                taken = self._url_owner(conn, src)
                if row is not None and (row.origin == "internal" or row.origin == "file" and row.retired_at is None):
                    results.append(SourceImportResult(src.id, "skipped", f"it is {self._clash(row)}"))
                elif taken is not None:
                    results.append(SourceImportResult(src.id, "skipped", f"its URL is already the source '{taken}'"))
                elif row is None:
                    conn.execute(t.sources.insert().values(
                        id=src.id, origin="console", enabled=src.enabled, error_count=0, broken=False,
                        created_at=now, updated_at=now, **_definition(src)))
                    results.append(SourceImportResult(src.id, "added"))
                else:
                    values = dict(origin="console", retired_at=None, file_enabled=None, enabled=src.enabled)
                    changed = self._apply_definition(conn, row, src, now, **values)
                    results.append(SourceImportResult(src.id, "updated" if changed else "unchanged"))
        return results

    def set_source_enabled(self, source_id: str, enabled: bool, now: datetime) -> Source:
        """Switch a ``file`` or ``console`` source on or off and return it. Switching on makes it
        due at once; switching on a retired file source hands it to the console (the file gave
        it up). Raises NotFound for an unknown id, WorkflowError for an internal source."""
        with self.write() as conn:
            row = self._row(conn, source_id)
            if row.origin == "internal":
                raise WorkflowError(f"'{source_id}' holds {_internal_use(row)} and is never collected; "
                                    "there is nothing to switch")
            values: dict[str, Any] = dict(enabled=enabled, updated_at=now)
            if enabled:
                values["next_attempt"] = None
                if row.retired_at is not None:
                    values.update(origin="console", retired_at=None, file_enabled=None)
            conn.execute(update(t.sources).where(t.sources.c.id == source_id).values(**values))
            return self._source(self._row(conn, source_id))

    def ensure_internal_source(self, source: Source, now: datetime) -> None:
        """Create an ``internal`` source (member posts, imports) if missing; an existing source is
        left as it is."""
        with self.write() as conn:
            stmt = self._insert(t.sources).values(
                id=source.id, title=source.title, url=source.url, lang=source.lang,
                areas=list(source.areas), visibility=source.visibility, poll_minutes=source.poll_minutes,
                enabled=False, kind=source.kind, origin="internal", error_count=0, broken=False,
                created_at=now, updated_at=now,
            ).on_conflict_do_nothing(index_elements=["id"])
            conn.execute(stmt)

    @staticmethod
    def _row(conn: Connection, source_id: str) -> Any:
        row = conn.execute(select(t.sources).where(t.sources.c.id == source_id)).first()
        if row is None:
            raise NotFound(f"no source with id '{source_id}'; `curator sources` lists them")
        return row

    @staticmethod
    def _clash(row: Any) -> str:
        if row.origin == "internal":
            return f"curator's own source of {_internal_use(row)}"
        if row.origin == "console":
            return f"a source added in the console with the URL {row.url}"
        return "a source of the feeds file"

    @staticmethod
    def _url_owner(conn: Connection, source: Source) -> str | None:
        """The id of another source with ``source.url``, if any."""
        return conn.execute(select(t.sources.c.id).where(t.sources.c.url == source.url,
                                                         t.sources.c.id != source.id)).scalar()

    def _refuse_taken_url(self, conn: Connection, source: Source) -> None:
        owner = self._url_owner(conn, source)
        if owner is not None:
            raise InvalidInput(f"{source.url} is already the source '{owner}'; enable or change that one instead")

    @staticmethod
    def _apply_definition(conn: Connection, row: Any, src: Source, now: datetime, **extra: Any) -> bool:
        """Write ``src``'s definition (and ``extra``) over ``row`` if anything differs; a new URL
        resets the fetch state, a new visibility reaches the stored items. Whether it changed."""
        values = {**_definition(src), **extra}
        if all(getattr(row, k) == v for k, v in values.items()):
            return False
        if row.url != src.url:  # a new address starts with a clean slate
            values.update(etag=None, last_modified=None, error_count=0, broken=False,
                          next_attempt=None, last_error=None, moved_to=None)
        conn.execute(update(t.sources).where(t.sources.c.id == row.id).values(updated_at=now, **values))
        if row.visibility != src.visibility:  # stored items follow their source's rule
            conn.execute(update(t.items).where(t.items.c.source_id == row.id).values(visibility=src.visibility))
        return True

    # ------------------------------------------------------------------ runtime state

    @staticmethod
    def _source(row: Any) -> Source:
        return Source(id=row.id, title=row.title, url=row.url, lang=row.lang, areas=tuple(row.areas or ()),
                      visibility=row.visibility, poll_minutes=row.poll_minutes, enabled=row.enabled,
                      kind=row.kind, origin=row.origin)

    def source_states(self, only_enabled: bool = True) -> list[SourceState]:
        """The collector's state of every collected source (``file`` and ``console``, not
        retired; only the enabled ones unless ``only_enabled`` is False), by id."""
        with self.read() as conn:
            q = select(t.sources).where(t.sources.c.origin != "internal", t.sources.c.retired_at.is_(None))
            if only_enabled:
                q = q.where(t.sources.c.enabled)
            rows = conn.execute(q.order_by(t.sources.c.id)).all()
        return [SourceState(self._source(r), r.etag, r.last_modified, r.last_unconditional,
                            r.next_attempt, r.error_count, r.broken, r.last_attempt, r.moved_to) for r in rows]

    def source_health(self) -> list[SourceHealth]:
        """Every source (internal and retired ones too) with its last fetch outcome and item
        count, by id."""
        counts = (select(t.items.c.source_id, func.count().label("n"))
                  .group_by(t.items.c.source_id).subquery())
        with self.read() as conn:
            rows = conn.execute(
                select(t.sources, func.coalesce(counts.c.n, 0).label("item_count"))
                .select_from(t.sources.outerjoin(counts, counts.c.source_id == t.sources.c.id))
                .order_by(t.sources.c.id)
            ).all()
        return [SourceHealth(self._source(r), r.last_attempt, r.last_success, r.last_error, r.error_count,
                             r.item_count, r.next_attempt, r.broken, r.moved_to, r.retired_at) for r in rows]

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
        """A fetch answered "not modified": store the validators and mark the source healthy."""
        with self.write() as conn:
            conn.execute(update(t.sources).where(t.sources.c.id == source_id).values(
                etag=etag, last_modified=last_modified, last_attempt=now, last_success=now,
                last_error=None, error_count=0, broken=False, next_attempt=None, updated_at=now))

    def record_fetch_failure(self, source_id: str, error: str, *, now: datetime,
                             next_attempt: datetime | None, broken_after: int,
                             disable: bool = False) -> int:
        """Record a failed collection; returns the consecutive error count (0 for an unknown
        source). The count is raised in one statement, so concurrent failures all count."""
        src = t.sources
        values: dict[str, Any] = dict(last_attempt=now, last_error=error[:2000], error_count=src.c.error_count + 1,
                                      next_attempt=next_attempt, broken=src.c.error_count + 1 >= broken_after,
                                      updated_at=now)
        if disable:
            values["enabled"] = False
        with self.write() as conn:
            count = conn.execute(update(src).where(src.c.id == source_id).values(**values)
                                 .returning(src.c.error_count)).scalar()
        return int(count or 0)

    def delete_source(self, source_id: str) -> None:
        """Delete a source and its items (tests: a source removed while it is being collected).
        NotFound if there is no such source."""
        with self.write() as conn:
            res = conn.execute(t.sources.delete().where(t.sources.c.id == source_id))
        if res.rowcount == 0:
            raise NotFound(f"no source with id '{source_id}'")

