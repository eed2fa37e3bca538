"""Editor rules as pure logic: which items a rule matches, what a set of rules does to one
member's scores, and which rule a "why you see this" names. No database, no segments: the
feature layer (``curator.features.rules``) decides which rules apply to which member
(``curator.newsletter.segments.in_segment``) and passes them here.

Matching, by ``EditorRule.match``:

- ``source``: the item's source id, exactly.
- ``keyword``: one or more words or phrases separated by ``|`` (write both languages:
  ``KI|künstliche Intelligenz|artificial intelligence``), each matched as whole words in any case
  on the title, summary and text; whitespace inside a phrase matches any whitespace, and a
  trailing ``*`` matches the start of a word (``Cyber*`` finds "Cyberangriff"). "KI" never
  matches "Kinder".
- ``author``: the item's author, whole name, any case, spaces normalised.
- ``area``: one of the item's subject areas.

Effect: a block takes the item out (its score becomes -inf); boosts add their strengths (in units
of a typical per-member score spread, see :func:`curator.ranking.stages.component_scales`). A
block wins over any boost.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, get_args

from curator.errors import InvalidInput
from curator.types import AREA_IDS, EditorRule, Item, RuleAction, RuleExample, RuleMatch

ACTIONS: Final = get_args(RuleAction)
MATCHES: Final = get_args(RuleMatch)
DEFAULT_BOOST: Final = 1.0
"""A boost's strength when the editor gives none: about one typical spread of a member's scores,
enough to lift a middling item into the first page without outranking every strong match."""
MAX_BOOST: Final = 5.0
MAX_PATTERN: Final = 500
BLOCKED: Final = float("-inf")
EXAMPLES: Final = 8


@dataclass(frozen=True)
class RuleFields:
    """A rule as an editor wrote it, checked and normalised (:func:`check_rule`)."""

    action: RuleAction
    match: RuleMatch
    pattern: str
    strength: float
    note: str


def check_rule(action: str, match: str, pattern: str, *, strength: float | None = None,
               note: str | None = None) -> RuleFields:
    """Check and normalise a rule's fields. ``strength`` applies to boosts only (None: the
    default); a block's strength is 0. Raises InvalidInput naming the field and what is allowed."""
    action = (action or "").strip().lower()
    match = (match or "").strip().lower()
    if action not in ACTIONS:
        raise InvalidInput(f"rule action {action!r}: use one of {', '.join(ACTIONS)}")
    if match not in MATCHES:
        raise InvalidInput(f"rule match {match!r}: use one of {', '.join(MATCHES)}")
    pattern = " ".join((pattern or "").split())
    if not pattern:
        raise InvalidInput(f"a {match} rule needs a {match} to match (the pattern is empty)")
    if len(pattern) > MAX_PATTERN:
        raise InvalidInput(f"the pattern is longer than {MAX_PATTERN} characters")
    if match == "area":
        pattern = pattern.lower()
        if pattern not in AREA_IDS:
            raise InvalidInput(f"unknown area {pattern!r}; areas are {', '.join(AREA_IDS)}")
    if match == "keyword":
        pattern = "|".join(_alternatives(pattern))
        if not pattern:
            raise InvalidInput("a keyword rule needs at least one word or phrase (separate several with |)")
    if action == "block":
        value = 0.0
    else:
        value = DEFAULT_BOOST if strength is None else float(strength)
        if not (math.isfinite(value) and 0 < value <= MAX_BOOST):
            raise InvalidInput(f"a boost's strength must be above 0 and at most {MAX_BOOST:g}, not {strength!r}")
    return RuleFields(action, match, pattern, value, " ".join((note or "").split()))  # type: ignore[arg-type]


def _alternatives(pattern: str) -> list[str]:
    return [a for a in (" ".join(p.split()) for p in pattern.split("|")) if a and a != "*"]


@dataclass(frozen=True)
class KeywordMatcher:
    """A keyword pattern made ready to match: per alternative, its lower-cased first word (without
    a trailing ``*``) and a regex for the whole alternative anchored where that word starts, on
    lower-cased text. Finding the first word with a plain substring search and checking the
    word boundary before it is many times faster than searching the text with one regex, and
    most texts do not hold any of the words at all."""

    alternatives: tuple[tuple[str, re.Pattern[str]], ...]

    def search(self, text: str) -> bool:
        return self.search_lower(text.lower())

    def search_lower(self, low: str) -> bool:
        """:meth:`search` of a text already lower-cased."""
        for first, regex in self.alternatives:
            at = low.find(first)
            while at != -1:
                before = low[at - 1] if at else " "
                if not (before.isalnum() or before == "_") and regex.match(low, at):
                    return True
                at = low.find(first, at + 1)
        return False


@lru_cache(maxsize=256)
def keyword_matcher(pattern: str) -> KeywordMatcher:
    """The :class:`KeywordMatcher` of a keyword pattern (``|``-separated words and phrases)."""
    out = []
    for alt in _alternatives(pattern):
        prefix = alt.endswith("*")
        words = alt.rstrip("*").lower().split()
        if words:
            body = r"\s+".join(re.escape(w) for w in words)
            out.append((words[0], re.compile(body + (r"\w*" if prefix else r"(?!\w)"))))
    return KeywordMatcher(tuple(out))


def _name(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def matches(rule: EditorRule, item: Item) -> bool:
    """Whether ``rule`` matches ``item`` (see the module docstring); whether it is enabled or
    applies to anyone is not asked here."""
    if rule.match == "source":
        return item.source_id == rule.pattern
    if rule.match == "area":
        return rule.pattern in item.areas
    if rule.match == "author":
        return bool(item.author) and _name(item.author) == _name(rule.pattern)
    matcher = keyword_matcher(rule.pattern)
    return any(matcher.search(part) for part in (item.title, item.summary, item.text) if part)


class MatchMemo:
    """:func:`matches` remembering keyword matches by (pattern, item id, content hash), the only
    costly kind: a digest send asks the same items for thousands of members. Bounded; the key
    decides the answer, so a remembered one is never stale."""

    def __init__(self, size: int = 200_000) -> None:
        self._size = size
        self._known: dict[tuple[str, int, str], bool] = {}

    def __call__(self, rule: EditorRule, item: Item) -> bool:
        if rule.match != "keyword":
            return matches(rule, item)
        key = (rule.pattern, item.id, item.content_hash)
        found = self._known.get(key)
        if found is None:
            if len(self._known) >= self._size:
                self._known.clear()
            found = self._known[key] = matches(rule, item)
        return found


def matched_items(rules: Sequence[EditorRule], items: Iterable[Item]) -> dict[int, frozenset[int]]:
    """Rule id -> ids of the ``items`` it matches, for every rule in ``rules`` (each item's
    text is lower-cased once for all keyword rules)."""
    items = list(items)
    out = {r.id: frozenset(i.id for i in items if matches(r, i)) for r in rules if r.match != "keyword"}
    keyword = [(r.id, keyword_matcher(r.pattern)) for r in rules if r.match == "keyword"]
    if keyword:
        hits: dict[int, list[int]] = {rid: [] for rid, _ in keyword}
        for i in items:
            parts = [p.lower() for p in (i.title, i.summary, i.text) if p]
            for rid, matcher in keyword:
                if any(matcher.search_lower(p) for p in parts):
                    hits[rid].append(i.id)
        out.update((rid, frozenset(ids)) for rid, ids in hits.items())
    return out


def score_changes(rules: Sequence[EditorRule], matched: Mapping[int, frozenset[int]]) -> dict[int, float]:
    """Item id -> what ``rules`` (those that apply to one member) do to its score: the sum of
    the strengths of the boosts that match it, or :data:`BLOCKED` when a block matches it.
    Items no rule matches are left out; disabled rules do nothing."""
    out: dict[int, float] = {}
    for r in rules:
        if r.enabled and r.action == "boost":
            for i in matched.get(r.id, ()):
                out[i] = out.get(i, 0.0) + r.strength
    for r in rules:
        if r.enabled and r.action == "block":
            out.update(dict.fromkeys(matched.get(r.id, ()), BLOCKED))
    return out


def boost_notes(rules: Sequence[EditorRule], matched: Mapping[int, frozenset[int]]) -> dict[int, str]:
    """Item id -> the note of the strongest enabled boost among ``rules`` (those that apply to
    one member) that matches it, for the items no block among them matches."""
    blocked = {i for r in rules if r.enabled and r.action == "block" for i in matched.get(r.id, ())}
    out: dict[int, str] = {}
    for r in sorted((r for r in rules if r.enabled and r.action == "boost"), key=lambda r: (r.strength, -r.id)):
        out.update((i, r.note) for i in matched.get(r.id, ()) if i not in blocked)  # the strongest is written last
    return out


def boosting_rule(rules: Sequence[EditorRule], item: Item,
                  match: Callable[[EditorRule, Item], bool] = matches) -> EditorRule | None:
    """The strongest enabled boost among ``rules`` that matches ``item`` (its note goes into
    "why you see this"), None when none does or a block matches it. ``match``: :func:`matches`
    or a :class:`MatchMemo`."""
    found = [r for r in rules if r.enabled and match(r, item)]
    if any(r.action == "block" for r in found):
        return None
    return max((r for r in found if r.action == "boost"), key=lambda r: (r.strength, -r.id), default=None)


def is_blocked(rules: Sequence[EditorRule], item: Item,
               match: Callable[[EditorRule, Item], bool] = matches) -> bool:
    """Whether an enabled block among ``rules`` matches ``item`` (``match``: see
    :func:`boosting_rule`)."""
    return any(r.enabled and r.action == "block" and match(r, item) for r in rules)


def examples(items: Sequence[Item], limit: int = EXAMPLES) -> tuple[RuleExample, ...]:
    """The newest ``limit`` of ``items`` as preview examples."""
    newest = sorted(items, key=lambda i: (-i.published.timestamp(), -i.id))[:limit]
    return tuple(RuleExample(i.id, i.title, i.lang, i.source_id, i.published) for i in newest)


def by_language(items: Iterable[Item]) -> dict[str, int]:
    """How many of ``items`` per language (``?`` for unknown)."""
    out: dict[str, int] = {}
    for i in items:
        out[i.lang or "?"] = out.get(i.lang or "?", 0) + 1
    return dict(sorted(out.items()))


__all__ = ["ACTIONS", "BLOCKED", "DEFAULT_BOOST", "MATCHES", "KeywordMatcher", "MAX_BOOST", "MatchMemo", "RuleFields", "boost_notes", "boosting_rule",
           "by_language", "check_rule", "examples", "is_blocked", "keyword_matcher", "matched_items", "matches",
           "score_changes"]
