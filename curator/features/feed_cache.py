"""Ranked feeds stored in the database, shared by every web and worker process.

One :class:`FeedCache` is built by ``make_curator`` and passed to the features that change what
a member should be shown (Feedback, Members: ``forget``) and to Feeds, which reads the stored
feeds and runs the worker's refresh. Correctness needs nothing kept in a process: the decoded
candidate pool is kept in memory only while the database says it is the newest.

How a stored feed stays right:

- **The worker** (job ``rank_feeds``, :meth:`FeedCache.refresh`) rebuilds the candidate pool and
  ranks every member and every persona in batches when the pool's inputs changed (a tag run; an
  editor's correction, pin or visibility change: ``Store.feed_inputs_fingerprint``), when it was
  marked stale, or when it is older than :data:`POOL_MAX_AGE` (freshness, the audience and source
  quality move on). Otherwise it re-ranks, against the stored pool, only the members whose feed is
  missing or out of date: new feedback (by event id), a changed member record (by digest, clubs
  included), or a feed marked stale.
- **A member's own change** (:meth:`FeedCache.forget`): their profile takes in their new feedback
  and they alone are re-ranked against the stored pool at once, bounded by that member's history
  and the pool's size; nothing else is loaded.
- **Reading** (``Feeds.member_feed``) never ranks, tags or encodes: it filters the stored entries
  with THE access rule (:mod:`curator.profiles.access`) and the member's hidden items, so a
  revoked club or a hidden item is gone from the next page whatever the stored feed says.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import numpy as np

from curator.clock import Clock
from curator.embeddings import Encoder
from curator.errors import CuratorError, NotFound
from curator.profiles.access import visible_to
from curator.profiles.personas import persona_name, persona_text
from curator.ranking.batch import LikedEvent, member_batch, summarise_feedback
from curator.ranking.stages import (
    COMPONENTS,
    MemberBatch,
    RankingWeights,
    component_scales,
    persona_vectors,
    profile_vectors,
    rank,
    subset_batch,
)
from curator.ranking.stored import StoredPool, liked_quotes, pool_from_bytes, pool_to_bytes
from curator.storage import FeedEntries, MemberFeed, MemberFeedState, PersonaFeed, Store
from curator.types import AREA_IDS, Member, Persona

from .personas import Personas
from .profile_refresh import ProfileRefresher
from .ranking_inputs import RankingInputs
from .rules import RuleBook

log = logging.getLogger("curator.feeds")

FEED_DEPTH = 100
"""Items stored per feed (filters by area and language pick from these)."""
POOL_MAX_AGE = timedelta(hours=1)
"""A pool older than this is rebuilt even when nothing an editor or the tag job does changed it."""
RANK_CHUNK = 500
"""Members ranked and stored per batch in a refresh: bounds memory, and how long one write holds
SQLite's lock while pages and feedback go on."""
NO_PERSONA = ""
"""The persona key of the feed for members without a (known) persona."""
LANGUAGES = ("de", "en")
POOL_FORMAT = 3
"""Bumped when the stored pool's layout (:mod:`curator.ranking.stored`) changes: the first
refresh after an upgrade then rebuilds it."""
DECIMALS = 5
"""Decimals kept of scores, components and similarities in stored feeds."""


@dataclass(frozen=True)
class FeedRefresh:
    """What :meth:`FeedCache.refresh` did: whether the pool was rebuilt, its id (None: nothing to
    rank yet) and size, and how many member and persona feeds were stored."""

    rebuilt: bool
    pool_id: int | None
    items: int
    members: int
    personas: int


def member_digest(member: Member) -> str:
    """Digest of everything ranking reads of a member record (a change makes their feed stale)."""
    return hashlib.sha256(json.dumps(
        [member.status, member.persona, list(member.declared_areas), member.interests, member.language,
         member.tracking_consent, sorted(member.clubs)]).encode()).hexdigest()


def persona_readers(personas: Sequence[Persona], members: Iterable[Member]) -> list[tuple[str, Member]]:
    """One stand-in reader per persona key (every persona and :data:`NO_PERSONA`), language and
    set of visibilities that some cluster member has (and that of a member in no club), each a
    ``Member`` with a negative id, so that persona feeds go through THE access rule and the very
    ranking members do."""
    plain = Member(id=-1, email="persona@feeds.invalid", name="", organisation=None, language="en", status="member")
    accesses = {visible_to(plain)} | {visible_to(m) for m in members if m.status == "member"}
    out: list[tuple[str, Member]] = []
    for key in (NO_PERSONA, *(p.id for p in personas)):
        for lang in LANGUAGES:
            for access in sorted(accesses, key=sorted):
                clubs = frozenset(v.removeprefix("club:") for v in access if v.startswith("club:"))
                out.append((key, replace(plain, id=-1 - len(out), language=lang, persona=key or None, clubs=clubs)))
    return out


class FeedCache:
    """The stored ranked feeds: the worker's refresh, one member's re-rank, and marking feeds
    stale (see the module docstring)."""

    def __init__(self, *, storage: Store, clock: Clock, encoder: Encoder, profiles: ProfileRefresher,
                 personas: Personas, ranking_inputs: RankingInputs, weights: RankingWeights,
                 rules: RuleBook) -> None:
        self._storage = storage
        self._rules = rules
        self._clock = clock
        self._encoder = encoder
        self._profiles = profiles
        self._personas = personas
        self._inputs = ranking_inputs
        self._weights = weights
        self._lock = threading.Lock()
        self._pool: tuple[int, StoredPool] | None = None

    # ------------------------------------------------------------------ changes

    def forget(self, member_id: int | None = None) -> None:
        """Something changed that feeds must show. ``member_id``: that member's feedback, record
        or clubs; their profile takes in their new feedback and they alone are re-ranked against
        the stored pool now, so their next page shows it (when that cannot be done, before the
        first refresh or on a database error, their feed is marked stale for the worker). None:
        an editor's change to items, tags or pins; the pool and every feed are marked stale and
        the worker's next run rebuilds them. Never raises CuratorError: the change itself is
        already stored, and reading filters by the access rule in any case."""
        try:
            if member_id is None:
                self._storage.mark_feeds_stale(None)
                return
            found = self._storage.get_members_by_id([member_id])
            if found and not self.rerank(found):
                self._storage.mark_feeds_stale([member_id])
        except CuratorError as exc:
            log.warning("stored feeds not updated for %s: %s", "everyone" if member_id is None else
                        f"member {member_id}", exc)

    # ------------------------------------------------------------------ the worker

    def refresh(self, *, rebuild: bool = False) -> FeedRefresh:
        """Bring every stored feed up to date (the worker's job): rebuild the pool and rank
        everyone when it is out of date (or ``rebuild``), else re-rank only the members whose
        feed is missing or stale against the stored pool."""
        now = self._clock.now()
        personas = list(self._personas.all().values())
        digest = self._inputs_digest(personas, now)
        current = self._storage.feed_pool()
        if (rebuild or current is None or current.stale or current.inputs_digest != digest
                or current.model_id != self._encoder.model_id or now - current.built_at >= POOL_MAX_AGE):
            return self._rebuild(personas, digest, now)
        states = self._storage.member_feed_states()
        marks = self._storage.latest_feedback_ids()
        todo = [m for m in self._storage.list_members()
                if m.status == "member" and self._stale(m, states.get(m.id), current.id, marks)]
        written = sum(self.rerank(todo[s:s + RANK_CHUNK]) for s in range(0, len(todo), RANK_CHUNK))
        return FeedRefresh(False, current.id, current.items, written, 0)

    @staticmethod
    def _stale(member: Member, state: MemberFeedState | None, pool_id: int, marks: Mapping[int, int]) -> bool:
        return (state is None or state.stale or state.pool_id != pool_id
                or state.events_through != marks.get(member.id, 0) or state.member_digest != member_digest(member))

    def _inputs_digest(self, personas: Sequence[Persona], now: datetime) -> str:
        """What the pool is made of: the stored inputs editors and the tag job change, the
        encoder, the personas' texts and the ranking knobs of this process."""
        return hashlib.sha256(json.dumps([
            POOL_FORMAT, self._storage.feed_inputs_fingerprint(now), self._encoder.model_id, repr(self._weights),
            FEED_DEPTH,
            [[p.id, persona_text(p), list(p.preferred_areas)] for p in personas]]).encode()).hexdigest()

    def _rebuild(self, personas: list[Persona], digest: str, now: datetime) -> FeedRefresh:
        # feedback ids before the profiles fold: an event arriving meanwhile leaves its member stale
        marks = self._storage.latest_feedback_ids()
        self._profiles.refresh(None)
        run = self._inputs.load([], personas, tagged_only=True)
        pool = run.pool
        members = [m for m in run.members if m.status == "member"]
        batch = subset_batch(run.batch, run.rows(members))
        readers = persona_readers(run.personas, members)
        reader_batch = member_batch([r for _, r in readers], {}, run.personas, run.batch.persona_vectors, {},
                                    model_id=self._encoder.model_id, dim=pool.vectors.shape[1], now=now)
        scaled = batch if len(batch) else reader_batch
        scale = component_scales(pool, profile_vectors(scaled, pool.mean, self._weights),
                                 persona_vectors(scaled, pool.mean), scaled.area_affinity, w=self._weights)
        stored = StoredPool(pool, tuple(run.personas), run.batch.persona_vectors, scale)
        pool_id = self._storage.save_feed_pool(inputs_digest=digest, model_id=self._encoder.model_id,
                                               items=len(pool), data=pool_to_bytes(stored), now=now)
        with self._lock:
            self._pool = (pool_id, stored)
        self._rules.remember_pool(pool_id, run.items)
        written = 0
        for start in range(0, len(members), RANK_CHUNK):
            chunk = members[start:start + RANK_CHUNK]
            sub = subset_batch(batch, range(start, start + len(chunk)))
            written += self._storage.save_member_feeds(self._member_feeds(pool_id, stored, chunk, sub, run.liked,
                                                                          marks, now))
        self._storage.replace_persona_feeds([
            PersonaFeed(key, r.language, visible_to(r), pool_id, entries, affinity, name, now)
            for (key, r), (entries, affinity, name) in zip(readers, self._ranked(pool_id, stored, [r for _, r in readers],
                                                                                  reader_batch, {}), strict=True)])
        return FeedRefresh(True, pool_id, len(pool), written, len(readers))

    # ------------------------------------------------------------------ some members

    def rerank(self, members: Sequence[Member]) -> int:
        """Fold the new feedback of ``members`` into their profiles and re-rank them against the
        stored pool; returns how many feeds were stored. Only cluster members have ranked feeds;
        0 before the first refresh (no pool to rank against)."""
        members = [m for m in members if m.status == "member"]
        loaded = self._stored_pool() if members else None
        if loaded is None:
            return 0
        pool_id, stored = loaded
        now = self._clock.now()
        ids = [m.id for m in members]
        history = [f.event for f in self._storage.feedback(ids)]
        marks: dict[int, int] = {}
        for ev in history:
            marks[ev.member_id] = max(marks.get(ev.member_id, 0), ev.id or 0)
        self._profiles.refresh(members)
        # only what touches the pool matters: exclusions, and liked items an explanation may quote
        summary = summarise_feedback(members, (e for e in history if e.item_id in stored.pool.index_of), now)
        batch = member_batch(members, self._storage.get_profiles(ids), stored.personas, stored.persona_vectors,
                             summary.excluded, model_id=self._encoder.model_id, dim=stored.pool.vectors.shape[1],
                             now=now)
        return self._storage.save_member_feeds(self._member_feeds(pool_id, stored, members, batch, summary.liked,
                                                                  marks, now))

    def _stored_pool(self) -> tuple[int, StoredPool] | None:
        """The newest stored pool of this encoder (decoded once per process and pool), or None."""
        head = self._storage.feed_pool()
        if head is None or head.model_id != self._encoder.model_id:
            return None
        with self._lock:
            if self._pool is not None and self._pool[0] == head.id:
                return self._pool
        try:
            loaded = (head.id, pool_from_bytes(self._storage.feed_pool_data(head.id)))
        except NotFound:  # replaced since the line above; the next change sees the new one
            return None
        except (ValueError, KeyError) as exc:  # not a pool this version reads: the worker rebuilds it
            log.warning("stored feed pool %s unreadable (%s); waiting for the next refresh", head.id, exc)
            return None
        with self._lock:
            self._pool = loaded
        return loaded

    # ------------------------------------------------------------------ ranking to entries

    def _ranked(self, pool_id: int, stored: StoredPool, members: Sequence[Member], batch: MemberBatch,
                liked: Mapping[int, Sequence[LikedEvent]]) -> list[tuple[FeedEntries, dict[str, float], str]]:
        """Per member of ``members`` (rows of ``batch``): their ranked entries, their area
        affinities and their persona's name in their language, for the explanation written when
        the feed is read. ``liked``: liked items by member id, strongest first. The editor rules
        for each member act inside the ranking (blocked items out, boosted ones up)."""
        pool = stored.pool
        changes = self._rules.changes(members, pool.item_ids, pool_key=pool_id)
        ranking = rank(pool, batch, self._weights, k=FEED_DEPTH, scale=stored.scale, changes=changes)
        quotes = liked_quotes(ranking, [m.id for m in members], batch.visible, pool, liked)
        # rounded once for the batch: enough to order and explain, and half the stored JSON
        scores = np.round(ranking.scores, DECIMALS)
        components = np.round(ranking.components, DECIMALS)
        similarity = np.round(quotes.similarity, DECIMALS)
        personas = {p.id: p for p in stored.personas}
        out = []
        for j, m in enumerate(members):
            slots = np.flatnonzero(ranking.items[j] >= 0)
            comps = components[j, slots].T.tolist()
            entries = FeedEntries(
                ranking.items[j, slots].tolist(), scores[j, slots].tolist(), dict(zip(COMPONENTS, comps, strict=True)),
                ranking.pinned[j, slots].tolist(), ranking.floor[j, slots].tolist(),
                [None if q < 0 else q for q in quotes.item[j, slots].tolist()], similarity[j, slots].tolist(),
                quotes.rated[j, slots].tolist())
            lang = m.language if m.language in LANGUAGES else "en"
            out.append((entries, dict(zip(AREA_IDS, batch.area_affinity[j].tolist(), strict=True)),
                        persona_name(personas.get(m.persona or ""), lang)))
        return out

    def _member_feeds(self, pool_id: int, stored: StoredPool, members: Sequence[Member], batch: MemberBatch,
                      liked: Mapping[int, Sequence[LikedEvent]], marks: Mapping[int, int],
                      now: datetime) -> list[MemberFeed]:
        return [MemberFeed(MemberFeedState(m.id, pool_id, marks.get(m.id, 0), member_digest(m), visible_to(m), now),
                           entries, affinity, name)
                for m, (entries, affinity, name) in zip(members, self._ranked(pool_id, stored, members, batch, liked),
                                                        strict=True)]
