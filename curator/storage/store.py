"""The storage facade: every query curator runs. Rows never leave this package; callers get the
frozen dataclasses of ``curator.types``. SQLAlchemy errors are translated to StorageError here."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from ..errors import InvalidInput, MigrationError, NotFound, StorageBusy, StorageError, WorkflowError
from ..types import Item, MemberPost, ParsedItem, Source, SourceHealth
from . import schema as t
from .engine import WRITE_OPTION, create_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


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


@dataclass(frozen=True)
class UpsertCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    new_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class ItemQuery:
    """Filters for listing items. ``visible_to`` is the set of visibilities the reader may see;
    None means no restriction (editors and internal jobs only)."""

    limit: int = 50
    offset: int = 0
    source_id: str | None = None
    lang: str | None = None
    area: str | None = None
    kind: str | None = None
    since: datetime | None = None
    visible_to: frozenset[str] | None = None
    search: str | None = None
    seen_since: datetime | None = None
    """Only items first collected at or after this time."""


def _translate(exc: SQLAlchemyError) -> StorageError:
    orig = getattr(exc, "orig", None)
    if isinstance(orig, sqlite3.OperationalError) and "locked" in str(orig):
        return StorageBusy("the database is busy (locked by another process); try again in a moment")
    return StorageError(f"database error: {exc.__class__.__name__}: {str(orig or exc).splitlines()[0]}")


class Storage:
    """Owns the engine. ``read()``/``write()`` give a Connection in a transaction."""

    def __init__(self, url: str, engine: Engine | None = None) -> None:
        self.url = url
        self.engine = engine or create_engine(url)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()

    # ----------------------------------------------------------------- transactions

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as conn, conn.begin():
                yield conn
        except OperationalError as exc:
            raise _translate(exc) from exc
        except SQLAlchemyError as exc:
            raise _translate(exc) from exc

    @contextlib.contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction: committed on success, rolled back on any exception."""
        try:
            with self.engine.connect() as raw:
                conn = raw.execution_options(**{WRITE_OPTION: True})
                with conn.begin():
                    yield conn
        except SQLAlchemyError as exc:
            raise _translate(exc) from exc

    def _insert(self, table: Any) -> Any:
        if self.dialect == "postgresql":
            return pg_dialect.insert(table)
        return sqlite_dialect.insert(table)

    # ----------------------------------------------------------------- schema

    def _alembic_config(self, conn: Connection) -> Any:
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        cfg.attributes["connection"] = conn
        return cfg

    def current_revision(self) -> str | None:
        from alembic.migration import MigrationContext

        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def head_revision(self) -> str:
        from alembic.script import ScriptDirectory

        with self.engine.connect() as conn:
            head = ScriptDirectory.from_config(self._alembic_config(conn)).get_current_head()
        assert head is not None
        return head

    def migrate(self) -> tuple[str | None, str]:
        """Bring the schema to the newest revision. Safe to call on every start and from several
        processes at once (PostgreSQL: advisory lock; SQLite: the write lock). Returns (from, to)."""
        from alembic import command

        try:
            before = self.current_revision()
            head = self.head_revision()
            if before == head:
                return before, head
            with self.engine.connect() as raw:
                conn = raw.execution_options(**{WRITE_OPTION: True})
                if self.dialect == "postgresql":
                    conn.exec_driver_sql("SELECT pg_advisory_lock(727274)")
                    conn.commit()
                try:
                    command.upgrade(self._alembic_config(conn), "head")
                    conn.commit()
                finally:
                    if self.dialect == "postgresql":
                        conn.exec_driver_sql("SELECT pg_advisory_unlock(727274)")
                        conn.commit()
            return before, head
        except SQLAlchemyError as exc:
            raise MigrationError(f"could not migrate the database at {self.url}: {exc}") from exc

    def ensure_schema(self) -> None:
        """Raise MigrationError with a clear message unless the schema is current."""
        current, head = self.current_revision(), self.head_revision()
        if current != head:
            raise MigrationError(
                f"the database at {self.url} is at schema version {current or 'none'}, "
                f"curator needs {head}: run `curator init`"
            )

    # ----------------------------------------------------------------- sources

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

    def get_source(self, source_id: str) -> Source:
        with self.read() as conn:
            row = conn.execute(select(t.sources).where(t.sources.c.id == source_id)).first()
        if row is None:
            raise NotFound(f"no source with id '{source_id}'")
        return self._source(row)

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

    # ----------------------------------------------------------------- items

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
            values = dict(
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
        with self.read() as conn:
            row = conn.execute(self._items_select().where(t.items.c.id == item_id)).first()
        if row is None:
            raise NotFound(f"no item with id {item_id}")
        return self._rows_to_items([row])[0]

    def get_items(self, item_ids: Sequence[int]) -> list[Item]:
        out: list[Item] = []
        with self.read() as conn:
            for start in range(0, len(item_ids), 500):
                chunk = list(item_ids[start:start + 500])
                out.extend(self._rows_to_items(conn.execute(
                    self._items_select().where(t.items.c.id.in_(chunk))).all()))
        order = {i: n for n, i in enumerate(item_ids)}
        return sorted(out, key=lambda i: order[i.id])

    def count_items(self) -> int:
        with self.read() as conn:
            return int(conn.execute(select(func.count()).select_from(t.items)).scalar_one())

    # ----------------------------------------------------------------- member posts

    @staticmethod
    def _post(row: Any) -> MemberPost:
        return MemberPost(
            id=row.id, title=row.title, text=row.text, link=row.link, author_name=row.author_name,
            author_email=row.author_email, organisation=row.organisation, lang=row.lang,
            visibility=row.visibility, status=row.status, reason=row.reason, submitted_at=row.submitted_at,
            decided_at=row.decided_at, decided_by=row.decided_by, item_id=row.item_id,
        )

    def add_post(self, *, title: str, text: str, link: str | None, author_name: str,
                 author_email: str | None, organisation: str | None, lang: str | None,
                 visibility: str, now: datetime) -> MemberPost:
        with self.write() as conn:
            res = conn.execute(t.member_posts.insert().values(
                title=title, text=text, link=link, author_name=author_name, author_email=author_email,
                organisation=organisation, lang=lang, visibility=visibility, status="pending",
                submitted_at=now,
            ).returning(t.member_posts.c.id))
            post_id = res.scalar_one()
            row = conn.execute(select(t.member_posts).where(t.member_posts.c.id == post_id)).one()
        return self._post(row)

    def get_post(self, post_id: int) -> MemberPost:
        with self.read() as conn:
            row = conn.execute(select(t.member_posts).where(t.member_posts.c.id == post_id)).first()
        if row is None:
            raise NotFound(f"no member post with id {post_id}")
        return self._post(row)

    def list_posts(self, status: str | None = None, limit: int = 100) -> list[MemberPost]:
        q = select(t.member_posts)
        if status:
            q = q.where(t.member_posts.c.status == status)
        with self.read() as conn:
            rows = conn.execute(q.order_by(t.member_posts.c.submitted_at.desc(), t.member_posts.c.id.desc())
                                .limit(limit)).all()
        return [self._post(r) for r in rows]

    def decide_post(self, post_id: int, *, approve: bool, editor: str, reason: str | None,
                    now: datetime, item_source: Source | None = None,
                    item: ParsedItem | None = None) -> MemberPost:
        """Approve (storing ``item`` under ``item_source``) or reject a pending post, atomically.
        Raises WorkflowError if the post was already decided."""
        with self.write() as conn:
            row = conn.execute(select(t.member_posts).where(t.member_posts.c.id == post_id)).first()
            if row is None:
                raise NotFound(f"no member post with id {post_id}")
            if row.status != "pending":
                raise WorkflowError(f"member post {post_id} was already {row.status} by {row.decided_by}")
            item_id = None
            if approve:
                if item is None or item_source is None:
                    raise InvalidInput("approving a post needs the item to publish")
                counts = self._upsert_items(conn, item_source, [item], now, kind="member_post")
                item_id = counts.new_ids[0] if counts.new_ids else conn.execute(
                    select(t.items.c.id).where(t.items.c.source_id == item_source.id,
                                               t.items.c.key == item.key)).scalar_one()
                conn.execute(update(t.items).where(t.items.c.id == item_id).values(visibility=row.visibility))
            conn.execute(update(t.member_posts).where(t.member_posts.c.id == post_id).values(
                status="approved" if approve else "rejected", reason=reason, decided_at=now,
                decided_by=editor, item_id=item_id))
            row = conn.execute(select(t.member_posts).where(t.member_posts.c.id == post_id)).one()
        return self._post(row)


@dataclass(frozen=True)
class _Tags:
    areas: Any
    scores: Any


# ----------------------------------------------------------------------------- tagging queries


@dataclass(frozen=True)
class TagRow:
    item_id: int
    content_hash: str
    areas: tuple[str, ...]
    scores: dict[str, float]


@dataclass(frozen=True)
class Correction:
    item_id: int
    areas: tuple[str, ...]
    editor: str
    at: datetime


class TaggingStore:
    """Queries for tags, editor corrections, duplicates and trained artefacts."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    def items_to_tag(self, version: str, *, retag_all: bool = False, limit: int | None = None) -> list[Item]:
        """Items without tags, tagged by another version, or changed since they were tagged."""
        s = self.storage
        q = s._items_select().add_columns(t.item_tags.c.version.label("tag_version"),
                                           t.item_tags.c.content_hash.label("tag_hash"))
        if not retag_all:
            q = q.where(or_(t.item_tags.c.item_id.is_(None), t.item_tags.c.version != version,
                            t.item_tags.c.content_hash != t.items.c.content_hash))
        q = q.order_by(t.items.c.id)
        if limit:
            q = q.limit(limit)
        with s.read() as conn:
            return s._rows_to_items(conn.execute(q).all())

    def save_tags(self, rows: Sequence[TagRow], version: str, now: datetime) -> None:
        """Store tagger output. Items an editor corrected keep the editor's areas (scores update)."""
        if not rows:
            return
        with self.storage.write() as conn:
            corrected = {r.item_id for r in conn.execute(
                select(t.item_tags.c.item_id).where(t.item_tags.c.corrected,
                                                    t.item_tags.c.item_id.in_([r.item_id for r in rows])))}
            for r in rows:
                values = dict(version=version, content_hash=r.content_hash, scores=r.scores, tagged_at=now)
                if r.item_id in corrected:
                    conn.execute(update(t.item_tags).where(t.item_tags.c.item_id == r.item_id).values(**values))
                    continue
                stmt = self.storage._insert(t.item_tags).values(
                    item_id=r.item_id, areas=list(r.areas), corrected=False, **values)
                conn.execute(stmt.on_conflict_do_update(
                    index_elements=["item_id"], set_=dict(areas=list(r.areas), **values)))
                self._set_areas(conn, r.item_id, r.areas)

    @staticmethod
    def _set_areas(conn: Connection, item_id: int, areas: Sequence[str]) -> None:
        """Keep the item_areas index table (used for filtering by area) in step with item_tags."""
        conn.execute(t.item_areas.delete().where(t.item_areas.c.item_id == item_id))
        if areas:
            conn.execute(t.item_areas.insert(), [{"item_id": item_id, "area": a} for a in dict.fromkeys(areas)])

    def add_correction(self, item_id: int, areas: Sequence[str], editor: str, now: datetime) -> None:
        with self.storage.write() as conn:
            if conn.execute(select(t.items.c.id).where(t.items.c.id == item_id)).first() is None:
                raise NotFound(f"no item with id {item_id}")
            conn.execute(t.tag_corrections.insert().values(item_id=item_id, areas=list(areas), editor=editor, at=now))
            row = conn.execute(select(t.item_tags).where(t.item_tags.c.item_id == item_id)).first()
            if row is None:
                h = conn.execute(select(t.items.c.content_hash).where(t.items.c.id == item_id)).scalar_one()
                conn.execute(t.item_tags.insert().values(
                    item_id=item_id, version="editor", content_hash=h, areas=list(areas), scores={},
                    tagged_at=now, corrected=True))
            else:
                conn.execute(update(t.item_tags).where(t.item_tags.c.item_id == item_id).values(
                    areas=list(areas), corrected=True))
            self._set_areas(conn, item_id, areas)

    def corrections(self) -> list[Correction]:
        """The latest correction per item, oldest first."""
        with self.storage.read() as conn:
            rows = conn.execute(select(t.tag_corrections).order_by(t.tag_corrections.c.at, t.tag_corrections.c.id)).all()
        latest: dict[int, Correction] = {}
        for r in rows:
            latest[r.item_id] = Correction(r.item_id, tuple(r.areas), r.editor, r.at)
        return list(latest.values())

    def set_duplicates(self, groups: Sequence[Sequence[int]]) -> int:
        """Mark every item of a group but the first (the earliest) as a duplicate of it. Items in no
        group are cleared. Returns how many items are marked."""
        marked = 0
        with self.storage.write() as conn:
            conn.execute(update(t.items).where(t.items.c.duplicate_of.is_not(None)).values(duplicate_of=None))
            for group in groups:
                head, *rest = group
                if rest:
                    conn.execute(update(t.items).where(t.items.c.id.in_(list(rest))).values(duplicate_of=head))
                    marked += len(rest)
        return marked

    def duplicates_of(self, item_id: int) -> list[Item]:
        with self.storage.read() as conn:
            rows = conn.execute(self.storage._items_select().where(t.items.c.duplicate_of == item_id)).all()
        return self.storage._rows_to_items(rows)

    def get_artifact(self, name: str) -> tuple[str, bytes] | None:
        with self.storage.read() as conn:
            row = conn.execute(select(t.model_artifacts).where(t.model_artifacts.c.name == name)).first()
        return (row.version, row.data) if row else None

    def put_artifact(self, name: str, version: str, data: bytes, now: datetime) -> None:
        with self.storage.write() as conn:
            stmt = self.storage._insert(t.model_artifacts).values(name=name, version=version, data=data, created_at=now)
            conn.execute(stmt.on_conflict_do_update(index_elements=["name"],
                                                    set_=dict(version=version, data=data, created_at=now)))
