"""``curator.feeds``: what a member is shown: the ranked feed with a "why you see this" per item
(:mod:`curator.ranking`), the newest items anyone may browse, saved items, and editor pins.

Access: every item returned here passed :func:`curator.profiles.access.visible_to` for the
person asking; ranking scores only visible candidates and the member feed filters again.
Ranked feeds of the web member area are kept a few minutes in the shared :class:`FeedCache`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import datetime

from curator.clock import Clock
from curator.errors import CuratorError, InvalidInput
from curator.profiles.access import visible_to
from curator.ranking.scored import scored_items
from curator.ranking.stages import RankingWeights, rank, subset_batch
from curator.storage import Storage
from curator.types import Item, ItemQuery, Member, ScoredItem, WebUser

from .feed_cache import FeedCache
from .feedback import Feedback
from .members import Members
from .personas import Personas
from .profile_refresh import ProfileRefresher
from .ranking_inputs import ItemEmbedder, RankingInputs

log = logging.getLogger("curator.feeds")

MAX_FEED_BATCH = 2000
"""At most this many members are ranked in one batch on a cache miss."""
FEED_DEPTH = 100
"""Items ranked per member for the web feed (filters by area and language pick from these)."""
PIN_SCOPE = "all"
"""Editor pins apply to every feed that may show the item."""


class Feeds:
    """Ranked feeds, browsing and pins."""

    def __init__(self, *, storage: Storage, clock: Clock, members: Members, personas: Personas,
                 feedback: Feedback, profiles: ProfileRefresher, ranking_inputs: RankingInputs,
                 tagging: ItemEmbedder, weights: RankingWeights, feed_cache: FeedCache) -> None:
        self._storage = storage
        self._clock = clock
        self._members = members
        self._personas = personas
        self._feedback = feedback
        self._profiles = profiles
        self._inputs = ranking_inputs
        self._tagging = tagging
        self._weights = weights
        self._cache = feed_cache
        # one ranking run at a time: a run loads every candidate and profile, so parallel misses
        # after a restart would each pay for what one batch does for all of them
        self._ranking_lock = threading.Lock()

    # ------------------------------------------------------------------ ranking

    def recommend(self, member: Member, limit: int = 10) -> list[ScoredItem]:
        """``member``'s ranked feed: at most ``limit`` items they may see, best first, each with
        its score, the named stage scores and a short explanation in their language."""
        return self.recommend_many([member], limit)[member.id]

    def recommend_many(self, members: Sequence[Member] | None = None, limit: int = 10) -> dict[int, list[ScoredItem]]:
        """Ranked feeds by member id for many members in one batched run (digests). ``None``:
        every member. Members are identified by id and ranked as currently stored (a stale
        record never widens what they see). InvalidInput for a limit below 1; NotFound for a
        member that is not stored."""
        if limit < 1:
            raise InvalidInput("the limit must be at least 1")
        wanted = None if members is None else list(members)
        self._profiles.refresh(wanted)
        run = self._inputs.load(wanted, list(self._personas.all().values()))
        ranked = run.members if wanted is None else wanted
        rows = run.rows(ranked)
        sub = subset_batch(run.batch, rows)
        result = rank(run.pool, sub, self._weights, k=limit)
        liked = {m.id: run.liked.get(m.id, ()) for m in (run.members[r] for r in rows)}
        liked_ids = sorted({x.item_id for likes in liked.values() for x in likes})
        liked_items = {i.id: i for i in self._storage.get_items(liked_ids)} if liked_ids else {}
        liked_vectors = (dict(zip(liked_items, self._tagging.embed(list(liked_items.values())), strict=True))
                         if liked_items else {})
        return scored_items(result, [run.members[r] for r in rows], sub.area_affinity, run.pool, run.items,
                            {p.id: p for p in run.personas}, liked, liked_items, liked_vectors)

    def pin(self, item_id: int, *, editor: str, until: datetime | None = None) -> None:
        """An editor pins an item to the top of every feed that may show it (until ``until``)."""
        if not (editor or "").strip():
            raise InvalidInput("pinning needs the editor's name")
        self._storage.pin_item(item_id, PIN_SCOPE, editor.strip(), self._clock.now(), until)

    def unpin(self, item_id: int) -> bool:
        """Remove an editor pin; False if the item was not pinned."""
        return self._storage.unpin_item(item_id, PIN_SCOPE)

    # ------------------------------------------------------------------ the member area

    def member_feed(self, user: WebUser, *, area: str | None = None, lang: str | None = None,
                    limit: int = 30, member: Member | None | bool = False) -> list[ScoredItem]:
        """The personal ranked feed with a "why you see this" per item, filtered by area and
        language. Members only; anyone else gets the newest public items. Cached for a few
        minutes per (member, visible set), dropped when the member gives feedback. ``member`` may
        pass the caller's already loaded member record (False: load it)."""
        if member is False:
            member = self._members.of_user(user)
        assert member is not True
        visible = visible_to(member)
        ranked: list[ScoredItem] | None = None
        if member is not None and member.status == "member":
            ranked = self._ranked_feed(member, visible)
        out: list[ScoredItem] = []
        for s in ranked or ():
            if s.item.visibility not in visible:  # the same rule again: cache or ranking bugs never leak
                continue
            if area and area not in s.item.areas:
                continue
            if lang and s.item.lang != lang:
                continue
            out.append(s)
        if len(out) < limit:
            seen = {s.item.id for s in out}
            hidden = self._hidden(member)
            why = "Neu" if member is not None and member.language == "de" else "New"
            for item in self._storage.list_items(ItemQuery(limit=limit * 2, area=area or None, lang=lang or None,
                                                           visible_to=visible)):
                if item.id not in seen and item.id not in hidden:
                    out.append(ScoredItem(item, 0.0, {}, why))
        return out[:limit]

    def _ranked_feed(self, member: Member, visible: frozenset[str]) -> list[ScoredItem] | None:
        """The member's ranking from the cache, or computed. A miss ranks every signed-up member
        whose entry is missing or stale in ONE batch (a ranking run loads all candidates and
        profiles, so fifty separate runs after a restart would cost fifty times as much as one
        batch). None if ranking is unavailable."""
        hit = self._cache.get(member.id, visible, self._clock.now())
        if hit is not None:
            return hit
        with self._ranking_lock:
            now = self._clock.now()
            hit = self._cache.get(member.id, visible, now)
            if hit is not None:  # ranked by the batch we waited for
                return hit
            fresh = self._cache.fresh_members(now)
            signed_up = {u.member_id for u in self._storage.list_users() if u.member_id is not None}
            todo = [m for m in self._members.list() if m.status == "member" and m.id in signed_up
                    and m.id not in fresh and m.id != member.id][:MAX_FEED_BATCH - 1] + [member]
            try:
                ranked = self.recommend_many(todo, FEED_DEPTH)
            except CuratorError as exc:
                log.warning("ranking unavailable for member %s: %s", member.id, exc)
                return None
            # keyed by what each member may see at ranking time
            self._cache.put(((m.id, visible if m.id == member.id else visible_to(m), ranked[m.id]) for m in todo), now)
            return ranked[member.id]

    def forget(self, member_id: int | None = None) -> None:
        """Drop cached ranked feeds (of one member, or all)."""
        self._cache.forget(member_id)

    def browse(self, user: WebUser | None, *, area: str | None = None, lang: str | None = None,
               limit: int = 30, offset: int = 0, search: str | None = None) -> list[Item]:
        """Newest items ``user`` may see (the public list, and the fallback feed)."""
        return self._storage.list_items(ItemQuery(limit=limit, offset=offset, area=area or None, lang=lang or None,
                                                  visible_to=self._members.visible_set(user), search=search or None))

    def visible_item(self, user: WebUser | None, item_id: int) -> Item:
        """The item if ``user`` may see it; NotFound with the same message otherwise."""
        return self._members.item_visible_to(self._members.of_user(user), item_id)

    def hidden_item_ids(self, user: WebUser | None) -> set[int]:
        """Items the member behind ``user`` hid."""
        return self._hidden(self._members.of_user(user))

    def _hidden(self, member: Member | None) -> set[int]:
        return {e.item_id for e in self._feedback.of_member(member) if e.kind == "hide"}

    def saved(self, user: WebUser) -> list[Item]:
        """Items the member saved and may still see, newest save first."""
        member = self._members.of_user(user)
        visible = visible_to(member)
        events = sorted(self._feedback.of_member(member), key=lambda e: e.id, reverse=True)
        ids = list(dict.fromkeys(e.item_id for e in events if e.kind == "save"))
        return [i for i in self._storage.get_items(ids) if i.visibility in visible]
