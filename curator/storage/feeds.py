"""Queries for stored ranked feeds: the candidate pool of the latest refresh, one
ranked feed per member, persona feeds, and what tells the worker that they are out of date."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Connection

from ..errors import NotFound
from ..types import Item
from . import schema as t
from .items import ItemQueries


@dataclass(frozen=True)
class FeedEntry:
    """One ranked item of a stored feed: the final score, the named stage scores, whether an
    editor pin or the area floor placed it, and the liked item its explanation may quote (None:
    none) with that item's similarity and whether the like was a rating. The sentence itself
    is written when the feed is read, for the reader and what they may see then."""

    item_id: int
    score: float
    components: Mapping[str, float]
    pinned: bool = False
    floor: bool = False
    liked_item: int | None = None
    liked_similarity: float = 0.0
    liked_rated: bool = False


@dataclass(frozen=True)
class FeedEntries:
    """The entries of a stored feed, best first, as columns of equal length: how a batched
    ranking makes them and how they are stored (ten thousand feeds of a hundred entries are a
    million entries). Iterating gives one :class:`FeedEntry` per entry."""

    item_ids: Sequence[int] = ()
    scores: Sequence[float] = ()
    components: Mapping[str, Sequence[float]] = field(default_factory=dict)
    pinned: Sequence[bool] = ()
    floor: Sequence[bool] = ()
    liked_items: Sequence[int | None] = ()
    liked_similarity: Sequence[float] = ()
    liked_rated: Sequence[bool] = ()

    def __len__(self) -> int:
        return len(self.item_ids)

    def __iter__(self) -> Iterator[FeedEntry]:
        for n, item_id in enumerate(self.item_ids):
            yield FeedEntry(item_id, self.scores[n], {k: v[n] for k, v in self.components.items()}, self.pinned[n],
                            self.floor[n], self.liked_items[n], self.liked_similarity[n], self.liked_rated[n])


@dataclass(frozen=True)
class FeedPool:
    """The stored candidate pool (``data``: :func:`curator.ranking.stored.pool_to_bytes`, not
    loaded by :meth:`FeedQueries.feed_pool`), the digest of its inputs and the encoder model."""

    id: int
    inputs_digest: str
    model_id: str
    items: int
    built_at: datetime
    stale: bool


@dataclass(frozen=True)
class MemberFeedState:
    """What produced a member's stored feed: the pool, the member's last feedback event folded
    in, a digest of their record, and the visibilities they had. ``stale``: marked for the
    worker."""

    member_id: int
    pool_id: int
    events_through: int
    member_digest: str
    access: frozenset[str]
    computed_at: datetime
    stale: bool = False


@dataclass(frozen=True)
class MemberFeed:
    """A member's stored ranked feed, best first, with what its explanations need besides the
    reader: the member's area affinities and their persona's name, as ranked."""

    state: MemberFeedState
    entries: FeedEntries
    affinity: Mapping[str, float]
    persona_name: str


@dataclass(frozen=True)
class PersonaFeed:
    """The feed of a persona (``""``: no persona) in one language for readers who may see
    ``access``, best first, with the persona's area affinities and name in that language."""

    persona: str
    lang: str
    access: frozenset[str]
    pool_id: int
    entries: FeedEntries
    affinity: Mapping[str, float]
    persona_name: str
    computed_at: datetime


def _access_key(access: Iterable[str]) -> str:
    return "\n".join(sorted(access))


def _access(key: str) -> frozenset[str]:
    return frozenset(v for v in key.split("\n") if v)


def _entries_json(entries: FeedEntries) -> dict[str, Any]:
    return {"item": list(entries.item_ids), "score": list(entries.scores),
            "components": {k: list(v) for k, v in entries.components.items()}, "pinned": list(entries.pinned),
            "floor": list(entries.floor), "liked": list(entries.liked_items),
            "similarity": list(entries.liked_similarity), "rated": list(entries.liked_rated)}


def _entries(raw: Any) -> FeedEntries:
    if not raw:
        return FeedEntries()
    return FeedEntries(raw["item"], raw["score"], raw["components"], raw["pinned"], raw["floor"], raw["liked"],
                       raw["similarity"], raw["rated"])


class FeedQueries(ItemQueries):
    """Stored feeds and their candidate pool."""

    # ----------------------------------------------------------------- what feeds are made of

    def feed_candidates(self, since: datetime | None, limit: int) -> list[Item]:
        """Tagged items (newest first) published since ``since`` (None: of any age), at most
        ``limit``: an item reaches feeds only once the tag job has embedded and tagged it."""
        q = self._items_select().where(t.item_tags.c.item_id.is_not(None))
        if since is not None:
            q = q.where(t.items.c.published >= since)
        q = q.order_by(t.items.c.published.desc(), t.items.c.id.desc()).limit(limit)
        with self.read() as conn:
            return self._rows_to_items(conn.execute(q).all())

    def feed_inputs_fingerprint(self, now: datetime) -> str:
        """A digest of what the stored pool is built from and editors may change: items and
        their tags, areas, duplicates and visibilities, tag corrections, the pins in force at
        ``now``, and the sources' visibility. Cheap (aggregates only); a tag run, a correction,
        a pin or a visibility change gives another digest."""
        i, tg, c, p, s = t.items, t.item_tags, t.tag_corrections, t.editor_pins, t.sources
        with self.read() as conn:
            parts: list[Any] = [
                list(conn.execute(select(func.count(), func.max(i.c.id), func.max(i.c.updated_at),
                                         func.count(i.c.duplicate_of), func.sum(i.c.duplicate_of))).one()),
                sorted(map(list, conn.execute(select(i.c.visibility, func.count(), func.sum(i.c.id))
                                              .group_by(i.c.visibility)).all())),
                list(conn.execute(select(func.count(), func.max(tg.c.tagged_at))).one()),
                sorted(map(list, conn.execute(select(t.item_areas.c.area, func.count(), func.sum(t.item_areas.c.item_id))
                                              .group_by(t.item_areas.c.area)).all())),
                list(conn.execute(select(func.count(), func.max(c.c.id))).one()),
                sorted([r.item_id, r.scope] for r in conn.execute(select(p.c.item_id, p.c.scope, p.c.until))
                       if r.until is None or r.until > now),
                sorted(map(list, conn.execute(select(s.c.id, s.c.visibility, s.c.enabled)).all())),
            ]
        return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()

    def latest_feedback_ids(self) -> dict[int, int]:
        """Member id -> id of their latest feedback event (members without any are left out)."""
        fe = t.feedback_events
        with self.read() as conn:
            return {int(r[0]): int(r[1]) for r in conn.execute(select(fe.c.member_id, func.max(fe.c.id))
                                                               .group_by(fe.c.member_id))}

    # ----------------------------------------------------------------- the pool

    def save_feed_pool(self, *, inputs_digest: str, model_id: str, items: int, data: bytes, now: datetime) -> int:
        """Store a new pool and drop the older ones; returns its id (ids only grow)."""
        with self.write() as conn:
            new_id = conn.execute(t.feed_pools.insert().values(
                inputs_digest=inputs_digest, model_id=model_id, item_count=items, built_at=now, stale=False,
                data=data).returning(t.feed_pools.c.id)).scalar_one()
            conn.execute(delete(t.feed_pools).where(t.feed_pools.c.id < new_id))
        return int(new_id)

    def feed_pool(self) -> FeedPool | None:
        """The newest stored pool without its data, or None before the first refresh."""
        fp = t.feed_pools
        with self.read() as conn:
            r = conn.execute(select(fp.c.id, fp.c.inputs_digest, fp.c.model_id, fp.c.item_count, fp.c.built_at,
                                    fp.c.stale).order_by(fp.c.id.desc()).limit(1)).first()
        return None if r is None else FeedPool(r.id, r.inputs_digest, r.model_id, r.item_count, r.built_at, r.stale)

    def feed_pool_data(self, pool_id: int) -> bytes:
        """The data of pool ``pool_id``; NotFound once a newer pool replaced it."""
        with self.read() as conn:
            data = conn.execute(select(t.feed_pools.c.data).where(t.feed_pools.c.id == pool_id)).scalar()
        if data is None:
            raise NotFound(f"no stored feed pool {pool_id} (a newer refresh replaced it)")
        return bytes(data)

    def mark_feeds_stale(self, member_ids: Sequence[int] | None = None) -> None:
        """Mark stored feeds for the worker: those of ``member_ids``, or (None) the pool and so
        every feed ranked against it."""
        with self.write() as conn:
            if member_ids is None:
                conn.execute(update(t.feed_pools).values(stale=True))
                conn.execute(update(t.member_feeds).values(stale=True))
                return
            ids = list(member_ids)
            for start in range(0, len(ids), 500):
                conn.execute(update(t.member_feeds).where(t.member_feeds.c.member_id.in_(ids[start:start + 500]))
                             .values(stale=True))

    # ----------------------------------------------------------------- member feeds

    def save_member_feeds(self, feeds: Sequence[MemberFeed]) -> int:
        """Store ranked feeds (one transaction). A stored feed that already folds in a later
        feedback event of its member is kept (a slower run never overwrites a fresher one), and
        a feed of a member who no longer exists is skipped. Returns how many were written."""
        if not feeds:
            return 0
        mf = t.member_feeds
        with self.write() as conn:
            alive = self._existing_members(conn, [f.state.member_id for f in feeds])
            rows = [dict(member_id=f.state.member_id, pool_id=f.state.pool_id, events_through=f.state.events_through,
                         member_digest=f.state.member_digest, access=_access_key(f.state.access),
                         entries=_entries_json(f.entries), affinity=dict(f.affinity), persona_name=f.persona_name,
                         computed_at=f.state.computed_at, stale=False) for f in feeds if f.state.member_id in alive]
            if not rows:
                return 0
            stmt = self._insert(mf)
            # one statement for every row: compiling a statement per feed cost more than the writes
            stmt = stmt.on_conflict_do_update(
                index_elements=["member_id"], set_={k: stmt.excluded[k] for k in rows[0] if k != "member_id"},
                where=mf.c.events_through <= stmt.excluded.events_through).returning(mf.c.member_id)
            return len(conn.execute(stmt, rows).all())

    @staticmethod
    def _existing_members(conn: Connection, ids: Sequence[int]) -> set[int]:
        out: set[int] = set()
        for start in range(0, len(ids), 500):
            out.update(r[0] for r in conn.execute(select(t.members.c.id).where(t.members.c.id.in_(ids[start:start + 500]))))
        return out

    @staticmethod
    def _feed_state(r: Any) -> MemberFeedState:
        return MemberFeedState(r.member_id, r.pool_id, r.events_through, r.member_digest, _access(r.access),
                               r.computed_at, bool(r.stale))

    def member_feed(self, member_id: int) -> MemberFeed | None:
        """The member's stored ranked feed, or None if they have none yet."""
        with self.read() as conn:
            r = conn.execute(select(t.member_feeds).where(t.member_feeds.c.member_id == member_id)).first()
        return None if r is None else MemberFeed(self._feed_state(r), _entries(r.entries), dict(r.affinity),
                                                 r.persona_name)

    def member_feed_states(self) -> dict[int, MemberFeedState]:
        """What produced each stored member feed, by member id (entries are not loaded)."""
        mf = t.member_feeds
        cols = [mf.c.member_id, mf.c.pool_id, mf.c.events_through, mf.c.member_digest, mf.c.access,
                mf.c.computed_at, mf.c.stale]
        with self.read() as conn:
            return {r.member_id: self._feed_state(r) for r in conn.execute(select(*cols))}

    # ----------------------------------------------------------------- persona feeds

    def replace_persona_feeds(self, feeds: Sequence[PersonaFeed]) -> None:
        """Replace every stored persona feed with ``feeds`` (one transaction)."""
        with self.write() as conn:
            conn.execute(delete(t.persona_feeds))
            if feeds:
                conn.execute(t.persona_feeds.insert(), [
                    {"persona": f.persona, "lang": f.lang, "access": _access_key(f.access), "pool_id": f.pool_id,
                     "entries": _entries_json(f.entries), "affinity": dict(f.affinity),
                     "persona_name": f.persona_name, "computed_at": f.computed_at} for f in feeds])

    def persona_feeds(self, persona: str, lang: str) -> list[PersonaFeed]:
        """The stored feeds of ``persona`` ("" for none) in ``lang``, one per set of visibilities."""
        pf = t.persona_feeds
        with self.read() as conn:
            rows = conn.execute(select(pf).where(pf.c.persona == persona, pf.c.lang == lang)).all()
        return [PersonaFeed(r.persona, r.lang, _access(r.access), r.pool_id, _entries(r.entries), dict(r.affinity),
                            r.persona_name, r.computed_at) for r in rows]
