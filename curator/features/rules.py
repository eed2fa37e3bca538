"""``curator.rules``: editor rules that block or boost items in feeds and digest drafts, for
everyone or one segment, with a preview over the last 30 days before saving.

Two classes: :class:`RuleBook`, built once by ``make_curator`` and passed to the features that
rank or draft (the stored feeds, the member feed page, the digest drafts), loads the enabled rules
and says what they do for a member; :class:`Rules` is the editors' namespace (list, preview, add,
disable, enable, delete). Matching is :mod:`curator.ranking.rules`; who is in a segment is
:func:`curator.newsletter.segments.in_segment`.

How a rule reaches the feeds:

- **stored ranked feeds**: a saved, switched or deleted rule marks the pool and every stored feed
  stale (:meth:`FeedCache.forget`, as a pin does); the worker's next ``rank_feeds`` run ranks
  everyone again with the rules applied inside the ranking (a block takes the item out, a boost
  adds to its score), so a boosted item can rise from anywhere in the pool;
- **reading a page** (``Feeds.member_feed``) filters blocked items at once, whatever was stored,
  and names the boosting rule in "why you see this";
- **digest drafts**: the editor's default picks leave out items blocked for the whole issue's
  segment, each member's personal picks leave out items blocked for that member and come from
  the ranking with the member's boosts.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Final

import numpy as np
from numpy.typing import NDArray

from curator.clock import Clock
from curator.errors import InvalidInput
from curator.newsletter.segments import in_segment, parse_segment
from curator.ranking.rules import (
    MatchMemo,
    boost_notes,
    boosting_rule,
    by_language,
    check_rule,
    examples,
    is_blocked,
    matched_items,
    matches,
    score_changes,
)
from curator.storage import Store
from curator.types import LANGUAGES, EditorRule, Item, ItemQuery, Member, RulePreview, Segment

if TYPE_CHECKING:
    from .feed_cache import FeedCache

log = logging.getLogger("curator.rules")

PREVIEW_DAYS: Final = 30
PREVIEW_ITEMS: Final = 20000
"""At most this many of the newest items of the preview period are tested."""
LOAD_CHUNK: Final = 1000


@lru_cache(maxsize=512)
def rule_segment(text: str) -> Segment:
    """The segment a rule names: every form of :func:`parse_segment`, plus ``language:<de|en>``
    (members whose language it is). Raises InvalidInput naming the forms."""
    text = (text or "everyone").strip()
    kind, _, value = text.partition(":")
    if kind == "language":
        if value not in LANGUAGES:
            raise InvalidInput(f"segment {text!r}: the language must be one of {', '.join(LANGUAGES)}")
        return Segment("filter", None, f"language-{value}", {"languages": (value,)})
    try:
        return parse_segment(text)
    except InvalidInput as exc:
        raise InvalidInput(f"{exc}, or language:<de|en>") from exc


def applies_to(rule: EditorRule, member: Member) -> bool:
    """Whether ``rule`` is for ``member`` (its segment holds them). A rule whose stored segment no
    longer parses applies to no one."""
    try:
        return in_segment(member, rule_segment(rule.segment))
    except InvalidInput:
        return False


@dataclass(frozen=True)
class RuleEffects:
    """Per member, in order: score changes for the ranking (item id -> added score, -inf for a
    block) and the notes of the boosts that explain an item (item id -> note)."""

    changes: list[Mapping[int, float]]
    notes: list[Mapping[int, str]]


class RuleBook:
    """The enabled rules as the ranking, the feed page and the digests need them."""

    def __init__(self, *, storage: Store) -> None:
        self._storage = storage
        self._lock = threading.Lock()
        self._matched: tuple[object, dict[int, frozenset[int]]] | None = None
        self._memo = MatchMemo()

    def enabled(self) -> list[EditorRule]:
        """The enabled rules, oldest first (one small query)."""
        return self._storage.list_rules(enabled_only=True)

    @staticmethod
    def for_member(rules: Sequence[EditorRule], member: Member) -> list[EditorRule]:
        """Those of ``rules`` that apply to ``member``."""
        return [r for r in rules if applies_to(r, member)]

    def effects(self, members: Sequence[Member], item_ids: NDArray[np.int64] | Sequence[int], *,
                items: Mapping[int, Item] | None = None, pool_key: int | None = None) -> RuleEffects | None:
        """What the enabled rules do to ``members`` over the items ``item_ids``; None when no rule
        is enabled (the ranking runs unchanged). ``items`` gives the items already loaded (else
        they are loaded); ``pool_key`` (a stored pool's id) lets a process keep the matches for
        that pool and these rules."""
        rules = self.enabled()
        if not rules:
            return None
        matched = self._matches(rules, [int(i) for i in item_ids], items, pool_key)
        shared: dict[tuple[int, ...], tuple[Mapping[int, float], Mapping[int, str]]] = {}
        changes: list[Mapping[int, float]] = []
        notes: list[Mapping[int, str]] = []
        for m in members:
            mine = self.for_member(rules, m)
            key = tuple(r.id for r in mine)
            if key not in shared:
                shared[key] = (score_changes(mine, matched), boost_notes(mine, matched))
            changes.append(shared[key][0])
            notes.append(shared[key][1])
        return RuleEffects(changes, notes)

    def changes(self, members: Sequence[Member], item_ids: NDArray[np.int64] | Sequence[int], *,
                items: Mapping[int, Item] | None = None,
                pool_key: int | None = None) -> list[Mapping[int, float]] | None:
        """Per member of ``members``, in order: what the rules for them add to the scores of the
        items ``item_ids`` (-inf: blocked), for :func:`curator.ranking.stages.rank`; None when no
        rule is enabled. See :meth:`effects`."""
        found = self.effects(members, item_ids, items=items, pool_key=pool_key)
        return None if found is None else found.changes

    def _matches(self, rules: Sequence[EditorRule], ids: list[int], items: Mapping[int, Item] | None,
                 pool_key: int | None) -> dict[int, frozenset[int]]:
        key = None if pool_key is None else (pool_key, tuple((r.id, r.match, r.pattern) for r in rules))
        if key is not None:
            with self._lock:
                if self._matched is not None and self._matched[0] == key:
                    return self._matched[1]
        if items is None:
            loaded: list[Item] = []
            for start in range(0, len(ids), LOAD_CHUNK):
                loaded += self._storage.get_items(ids[start:start + LOAD_CHUNK])
            pool_items: list[Item] = loaded
        else:
            pool_items = [items[i] for i in ids if i in items]
        matched = matched_items(rules, pool_items)
        if key is not None:
            with self._lock:
                self._matched = (key, matched)
        return matched

    def remember_pool(self, pool_key: int, items: Mapping[int, Item]) -> None:
        """Match the enabled rules against a pool just built from ``items`` (already loaded), so
        that ranking against pool ``pool_key`` does not load its items again."""
        rules = self.enabled()
        if rules:
            self._matches(rules, list(items), items, pool_key)

    def reader(self, member: Member | None) -> RuleReader:
        """The rules for one reader of a page (None: someone who is not a member; no segment
        holds them, only rules for everyone apply)."""
        rules = self.enabled()
        if member is None:
            return RuleReader([r for r in rules if r.segment == "everyone"], self._memo)
        return RuleReader(self.for_member(rules, member), self._memo)

    def allowed(self, member: Member, items: Sequence[Item]) -> list[Item]:
        """``items`` without those a rule for ``member`` blocks, in order."""
        return self.reader(member).allowed(items)

    def allowed_for_segment(self, segment: Segment, items: Sequence[Item]) -> list[Item]:
        """``items`` without those blocked for a whole segment: by a rule for everyone or for
        exactly that segment (the editor's picks of an issue for ``segment``)."""
        rules = [r for r in self.enabled() if r.segment == "everyone" or _same_segment(r, segment)]
        return RuleReader(rules, self._memo).allowed(items)


def _same_segment(rule: EditorRule, segment: Segment) -> bool:
    try:
        return rule_segment(rule.segment).key == segment.key
    except InvalidInput:
        return False


class RuleReader:
    """The rules that apply to one reader: what they block, and which boost explains an item."""

    def __init__(self, rules: Sequence[EditorRule], memo: MatchMemo) -> None:
        self.rules = list(rules)
        self._memo = memo

    def blocked(self, item: Item) -> bool:
        return bool(self.rules) and is_blocked(self.rules, item, self._memo)

    def allowed(self, items: Sequence[Item]) -> list[Item]:
        return list(items) if not self.rules else [i for i in items if not is_blocked(self.rules, i, self._memo)]

    def boost(self, item: Item) -> EditorRule | None:
        """The strongest boost for this reader matching ``item``, None if none (or it is blocked)."""
        return boosting_rule(self.rules, item, self._memo) if self.rules else None


class Rules:
    """Editor rules: list, preview, add, disable, enable, delete (``cur.rules``)."""

    def __init__(self, *, storage: Store, clock: Clock, feed_cache: FeedCache) -> None:
        self._storage = storage
        self._clock = clock
        self._feed_cache = feed_cache

    def list(self, *, enabled_only: bool = False) -> list[EditorRule]:
        """Every rule (or only the enabled ones), oldest first."""
        return self._storage.list_rules(enabled_only=enabled_only)

    def get(self, rule_id: int) -> EditorRule:
        """The rule with this id. Raises NotFound."""
        return self._storage.get_rule(rule_id)

    def check(self, action: str, match: str, pattern: str, *, segment: str = "everyone",
              strength: float | None = None, note: str | None = None, editor: str = "") -> EditorRule:
        """The rule these fields make, checked and normalised but not stored (id 0). Raises
        InvalidInput naming the field: an unknown action, match, area, source or segment, an
        empty pattern, a strength out of range."""
        fields = check_rule(action, match, pattern, strength=strength, note=note)
        segment_text = " ".join((segment or "everyone").split())
        rule_segment(segment_text)
        if fields.match == "source":
            known = {h.source.id for h in self._storage.source_health()}
            if fields.pattern not in known:
                raise InvalidInput(f"unknown source {fields.pattern!r}; `curator sources` lists the source ids")
        return EditorRule(0, fields.action, fields.match, fields.pattern, segment_text, fields.strength, fields.note,
                          created_by=editor.strip())

    def preview(self, action: str, match: str, pattern: str, *, segment: str = "everyone",
                strength: float | None = None, note: str | None = None,
                days: int = PREVIEW_DAYS) -> RulePreview:
        """What the rule would hide (block) or lift (boost) before it is saved: the items of the
        last ``days`` days it matches (count, by language, the newest as examples) and how many
        cluster members its segment holds. Raises InvalidInput as :meth:`check`."""
        return self.preview_rule(self.check(action, match, pattern, segment=segment, strength=strength, note=note),
                                 days=days)

    def preview_rule(self, rule: EditorRule | int, *, days: int = PREVIEW_DAYS) -> RulePreview:
        """:meth:`preview` of a rule already made (or stored, by id; NotFound)."""
        if isinstance(rule, int):
            rule = self._storage.get_rule(rule)
        if days < 1:
            raise InvalidInput("the preview period must be at least one day")
        since = self._clock.now() - timedelta(days=days)
        items = self._storage.list_items(ItemQuery(limit=PREVIEW_ITEMS, since=since))
        hit = [i for i in items if matches(rule, i)]
        members = [m for m in self._storage.list_members() if m.status == "member"]
        return RulePreview(rule, days, len(items), len(hit), by_language(hit), examples(hit),
                           sum(applies_to(rule, m) for m in members), len(members))

    def add(self, action: str, match: str, pattern: str, *, editor: str, segment: str = "everyone",
            strength: float | None = None, note: str | None = None) -> EditorRule:
        """Store a rule (enabled) and mark every stored feed for re-ranking. ``editor`` names who
        made it. Raises InvalidInput as :meth:`check`, or when ``editor`` is empty."""
        if not (editor or "").strip():
            raise InvalidInput("a rule needs the editor's name or address (who made it)")
        rule = self._storage.add_rule(self.check(action, match, pattern, segment=segment, strength=strength,
                                                 note=note, editor=editor), self._clock.now())
        self._feed_cache.forget(None)
        return rule

    def disable(self, rule_id: int) -> EditorRule:
        """Switch a rule off (kept, acting nowhere); feeds are re-ranked. Raises NotFound."""
        return self._set_enabled(rule_id, False)

    def enable(self, rule_id: int) -> EditorRule:
        """Switch a rule on again; feeds are re-ranked. Raises NotFound."""
        return self._set_enabled(rule_id, True)

    def _set_enabled(self, rule_id: int, enabled: bool) -> EditorRule:
        rule = self._storage.set_rule_enabled(rule_id, enabled, self._clock.now())
        self._feed_cache.forget(None)
        return rule

    def delete(self, rule_id: int) -> bool:
        """Delete a rule; False if there was none. Feeds are re-ranked when one was deleted."""
        deleted = self._storage.delete_rule(rule_id)
        if deleted:
            self._feed_cache.forget(None)
        return deleted
