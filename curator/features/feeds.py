"""``curator.feeds``: what a member is shown: the ranked feed with a "why you see this" per item
(:mod:`curator.ranking`), the newest items anyone may browse, saved items, and editor pins.

Access: every item returned here passed :func:`curator.profiles.access.visible_to` for the
person asking; ranking scores only visible candidates and the member feed filters again.
The web member area reads ranked feeds stored in the database (:mod:`.feed_cache`): a page
never ranks, tags or encodes; the worker and a member's own feedback keep them up to date.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from curator.clock import Clock
from curator.errors import InvalidInput
from curator.profiles.access import visible_to
from curator.ranking.explain import LikedItem, explain
from curator.ranking.scored import scored_items
from curator.ranking.stages import RankingWeights, item_area_vector, rank, subset_batch
from curator.storage import FeedEntries, Store
from curator.types import AREA_IDS, Item, ItemQuery, Member, ScoredItem, WebUser

from .feed_cache import LANGUAGES, NO_PERSONA, FeedCache, FeedRefresh
from .feedback import Feedback
from .members import Members
from .personas import Personas
from .profile_refresh import ProfileRefresher
from .ranking_inputs import ItemEmbedder, RankingInputs
from .rules import RuleBook, RuleReader

PIN_SCOPE = "all"
"""Editor pins apply to every feed that may show the item."""
PAGE_SLACK = 10
"""Stored entries read beyond a page's length at a time, for the few that filters leave out."""


class Feeds:
    """Ranked feeds, browsing and pins."""

    def __init__(self, *, storage: Store, clock: Clock, members: Members, personas: Personas,
                 feedback: Feedback, profiles: ProfileRefresher, ranking_inputs: RankingInputs,
                 tagging: ItemEmbedder, weights: RankingWeights, feed_cache: FeedCache, rules: RuleBook) -> None:
        self._storage = storage
        self._rules = rules
        self._clock = clock
        self._members = members
        self._personas = personas
        self._feedback = feedback
        self._profiles = profiles
        self._inputs = ranking_inputs
        self._tagging = tagging
        self._weights = weights
        self._cache = feed_cache

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
        effects = self._rules.effects([run.members[r] for r in rows], run.pool.item_ids, items=run.items)
        result = rank(run.pool, sub, self._weights, k=limit, changes=None if effects is None else effects.changes)
        liked = {m.id: run.liked.get(m.id, ()) for m in (run.members[r] for r in rows)}
        liked_ids = sorted({x.item_id for likes in liked.values() for x in likes})
        liked_items = {i.id: i for i in self._storage.get_items(liked_ids)} if liked_ids else {}
        liked_vectors = (dict(zip(liked_items, self._tagging.embed(list(liked_items.values())), strict=True))
                         if liked_items else {})
        return scored_items(result, [run.members[r] for r in rows], sub.area_affinity, run.pool, run.items,
                            {p.id: p for p in run.personas}, liked, liked_items, liked_vectors,
                            self._tagging.area_names(), None if effects is None else effects.notes)

    def pin(self, item_id: int, *, editor: str, until: datetime | None = None) -> None:
        """An editor pins an item to the top of every feed that may show it (until ``until``)."""
        if not (editor or "").strip():
            raise InvalidInput("pinning needs the editor's name")
        self._storage.pin_item(item_id, PIN_SCOPE, editor.strip(), self._clock.now(), until)
        self._cache.forget(None)

    def unpin(self, item_id: int) -> bool:
        """Remove an editor pin; False if the item was not pinned."""
        removed = self._storage.unpin_item(item_id, PIN_SCOPE)
        if removed:
            self._cache.forget(None)
        return removed

    # ------------------------------------------------------------------ stored feeds

    def refresh(self, *, rebuild: bool = False) -> FeedRefresh:
        """Bring the stored feeds up to date (the worker's job ``rank_feeds``): after a tag run
        or an editor's change, rebuild the candidate pool and rank every member and persona in
        batches (or always, with ``rebuild``); otherwise re-rank only the members whose feed is
        missing or out of date. See :mod:`curator.features.feed_cache`."""
        return self._cache.refresh(rebuild=rebuild)

    def forget(self, member_id: int | None = None) -> None:
        """Tell the stored feeds that something changed: a member's feedback, record or clubs
        (that member is re-ranked at once), or None for an editor's change to items (every feed
        is marked stale for the worker). See :meth:`FeedCache.forget`."""
        self._cache.forget(member_id)

    # ------------------------------------------------------------------ the member area

    def member_feed(self, user: WebUser, *, area: str | None = None, lang: str | None = None,
                    limit: int = 30, member: Member | None | bool = False) -> list[ScoredItem]:
        """The personal ranked feed with a "why you see this" per item, filtered by area and
        language, read from the stored feeds (never ranked here): the member's own, or until the
        worker has ranked them, the feed of their persona; topped up with the newest items they
        may see. Anyone but a cluster member gets the newest items they may see. Every item, and
        every liked item an explanation quotes, passes THE access rule now, and hidden items and
        items an editor rule blocks for the member are left out, whatever was stored; an item an
        editor rule boosts says so in its explanation. ``member`` may pass the caller's already
        loaded member record (False: load it)."""
        if member is False:
            member = self._members.of_user(user)
        assert member is not True
        visible = visible_to(member)
        hidden = self._hidden(member)
        rules = self._rules.reader(member)
        out: list[ScoredItem] = []
        if member is not None and member.status == "member":
            out = self._stored_page(member, visible, hidden, rules, area, lang, limit)
            if len(out) == limit:
                return out
        seen = {s.item.id for s in out}
        why = "Neu" if member is not None and member.language == "de" else "New"
        for item in self._storage.list_items(ItemQuery(limit=limit * 2, area=area or None, lang=lang or None,
                                                       visible_to=visible)):
            if item.id not in seen and item.id not in hidden and not rules.blocked(item):
                out.append(ScoredItem(item, 0.0, {}, why))
        return out[:limit]

    def _stored_page(self, member: Member, visible: frozenset[str], hidden: set[int], rules: RuleReader,
                     area: str | None, lang: str | None, limit: int) -> list[ScoredItem]:
        """At most ``limit`` items of the member's stored feed (else of their persona's, see
        :meth:`_stored_feed`) that pass the access rule, the hidden items and the filters, each
        explained in the member's language."""
        area_names = self._tagging.area_names()
        entries, affinity, name, own = self._stored_feed(member, visible)
        language = member.language if member.language in LANGUAGES else "en"
        listed = list(entries)
        out: list[ScoredItem] = []
        # items are loaded a page's worth at a time: most pages need only the first of them
        for start in range(0, len(listed), limit + PAGE_SLACK):
            chunk = listed[start:start + limit + PAGE_SLACK]
            items = {i.id: i for i in self._storage.get_items(list(dict.fromkeys(
                [*(e.item_id for e in chunk), *(e.liked_item for e in chunk if e.liked_item is not None)])))}
            for e in chunk:
                item = items.get(e.item_id)
                if item is None or item.visibility not in visible or item.id in hidden or rules.blocked(item):
                    continue
                if (area and area not in item.areas) or (lang and item.lang != lang):
                    continue
                quoted = items.get(e.liked_item) if e.liked_item is not None else None
                liked = (LikedItem(quoted.title, e.liked_rated, e.liked_similarity)
                         if quoted is not None and quoted.visibility in visible else None)
                boost = rules.boost(item)
                why = explain(language, e.components,
                              item_areas=dict(zip(AREA_IDS, item_area_vector(item).tolist(), strict=True)),
                              followed=member.declared_areas if own else (), affinity=affinity,
                              persona_name=name or None, liked=liked,
                              has_interests=own and bool(member.interests.strip()), pinned=e.pinned, floor=e.floor,
                              area_names=area_names, boosted=None if boost is None else boost.note)
                out.append(ScoredItem(item, e.score, dict(e.components), why, e.pinned))
                if len(out) == limit:
                    return out
        return out

    def _stored_feed(self, member: Member, visible: frozenset[str]
                     ) -> tuple[FeedEntries, Mapping[str, float], str, bool]:
        """(entries, area affinities, persona name, whether the feed is the member's own): their
        stored ranked feed, or until the worker has ranked them, the feed of their persona (none
        known: of no persona) in their language for the widest set of visibilities they have."""
        own = self._storage.member_feed(member.id)
        if own is not None:
            return own.entries, own.affinity, own.persona_name, True
        language = member.language if member.language in LANGUAGES else "en"
        feeds = self._storage.persona_feeds(member.persona or NO_PERSONA, language)
        if not feeds and member.persona:
            feeds = self._storage.persona_feeds(NO_PERSONA, language)
        best = max((f for f in feeds if f.access <= visible), key=lambda f: len(f.access), default=None)
        return (FeedEntries(), {}, "", False) if best is None else (best.entries, best.affinity, best.persona_name, False)

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
        return set() if member is None else self._storage.hidden_item_ids(member.id)

    def saved(self, user: WebUser) -> list[Item]:
        """Items the member saved and may still see, newest save first."""
        member = self._members.of_user(user)
        visible = visible_to(member)
        events = sorted(self._feedback.of_member(member), key=lambda e: e.id, reverse=True)
        ids = list(dict.fromkeys(e.item_id for e in events if e.kind == "save"))
        return [i for i in self._storage.get_items(ids) if i.visibility in visible]
