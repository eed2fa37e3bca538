"""Topics of recent items and how they changed: cluster, label, count, compare, engage."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..types import SEGMENT_KINDS, EngagementEvent, Item, Topic
from .change import ChangeRule, assess_change
from .clustering import DISTANCE_THRESHOLD, MIN_TOPIC_SIZE, central_rows, cluster_vectors
from .labels import distinctive_words, label

LABEL_LANGS = ("en", "de")
MIN_LABEL_ITEMS = 2
"""Items a topic needs in a language to be labelled from that language's words; with fewer it
borrows the other language's label."""
TEXT_CHARS = 1500
"""Characters of an item's text used for its topic's words (the start says what it is about)."""


@dataclass(frozen=True)
class TopicParams:
    """How topics are found and judged; the defaults are the measured ones (docs/trends.md)."""

    distance_threshold: float = DISTANCE_THRESHOLD
    min_size: int = MIN_TOPIC_SIZE
    examples: int = 3
    rule: ChangeRule = field(default_factory=ChangeRule)

    def as_dict(self) -> dict[str, Any]:
        return {"distance_threshold": self.distance_threshold, "min_size": self.min_size,
                "min_items": self.rule.min_items, "alpha": self.rule.alpha, "min_ratio": self.rule.min_ratio}


def find_topics(items: Sequence[Item], vectors: NDArray[Any], *, current_from: datetime,
                events: Sequence[EngagementEvent] = (), until: datetime | None = None,
                params: TopicParams | None = None) -> list[Topic]:
    """Topics among ``items`` (both periods: published before ``current_from`` is the previous
    period, from it on the current one), one row of ``vectors`` per item, centred per language.

    Each topic is labelled in English and German by its distinctive words in that language (a
    topic with fewer than ``MIN_LABEL_ITEMS`` items in one language borrows the other's words:
    names and technical terms mostly read the same); counted per period, area and language; judged rising or falling by
    :func:`curator.trends.change.assess_change`, the level divided among the topics with at
    least ``min_items`` items in one period (the others can be flagged neither way); given its most central
    items as examples (current period first) and the ``events`` on its items from
    ``current_from`` up to ``until`` (None: no end) per segment. Rising topics come first, then
    falling ones, then the rest; each group by items now, most first."""
    params = params or TopicParams()
    if len(items) != len(vectors):
        raise ValueError("one vector per item")
    assignment = cluster_vectors(vectors, distance_threshold=params.distance_threshold, min_size=params.min_size)
    count = int(assignment.max()) + 1 if len(assignment) else 0
    rows_of: list[list[int]] = [[] for _ in range(count)]
    for row, topic in enumerate(assignment):
        if topic >= 0:
            rows_of[int(topic)].append(row)
    is_current = [i.published >= current_from for i in items]
    total_current = sum(is_current)
    total_previous = len(items) - total_current
    words = _words_per_language(items, assignment, count)
    events_of: dict[int, list[EngagementEvent]] = {}
    for e in events:
        if e.at >= current_from and (until is None or e.at < until):
            events_of.setdefault(e.item_id, []).append(e)
    now_of = [sum(1 for r in rows if is_current[r]) for rows in rows_of]
    # only topics that could be flagged at all count as tests (Tarone): one with fewer than
    # min_items in both periods can neither rise nor fall, so it does not dilute the others
    tests = sum(1 for rows, now in zip(rows_of, now_of, strict=True)
                if max(now, len(rows) - now) >= params.rule.min_items)
    topics = []
    for topic, rows in enumerate(rows_of):
        now = now_of[topic]
        verdict = assess_change(now, len(rows) - now, total_current, total_previous, tests=tests, rule=params.rule)
        en, de = words["en"][topic], words["de"][topic]
        central = central_rows(vectors, rows)
        examples = [r for r in central if is_current[r]] + [r for r in central if not is_current[r]]
        topics.append(Topic(
            label_en=label(en or de), label_de=label(de or en), words={"en": tuple(en), "de": tuple(de)},
            areas=_tally(a for r in rows for a in items[r].areas),
            langs=_tally(items[r].lang or "-" for r in rows),
            items=now, previous=len(rows) - now, change=round(verdict.change, 4), p_value=verdict.p_value,
            rising=verdict.rising, falling=verdict.falling,
            examples=tuple(items[r].id for r in examples[:params.examples]),
            engagement=engagement_by_segment(e for r in rows for e in events_of.get(items[r].id, ()))))
    topics.sort(key=lambda t: (not t.rising, not t.falling, -t.items, -t.previous, t.label_en))
    return topics


def engagement_by_segment(events: Any) -> dict[str, dict[str, dict[str, int]]]:
    """Events counted per segment kind (club, persona, organisation, language), segment and
    action. A member in two clubs counts for both; a member without a persona or organisation
    type counts under neither."""
    out: dict[str, dict[str, dict[str, int]]] = {kind: {} for kind in SEGMENT_KINDS}
    for e in events:
        segments = ([("club", c) for c in e.clubs] + [("persona", e.persona), ("organisation", e.organisation_kind),
                                                       ("language", e.language)])
        for kind, name in segments:
            if name:
                row = out[kind].setdefault(name, {})
                row[e.action] = row.get(e.action, 0) + 1
    return out


def _words_per_language(items: Sequence[Item], assignment: NDArray[np.int64], count: int) -> dict[str, list[list[str]]]:
    out: dict[str, list[list[str]]] = {}
    for lang in LABEL_LANGS:
        docs: dict[int, list[tuple[str, str]]] = {t: [] for t in range(count)}
        rest: list[tuple[str, str]] = []
        for item, topic in zip(items, assignment, strict=True):
            if item.lang != lang:
                continue
            doc = (item.title, (item.text or item.summary)[:TEXT_CHARS])
            (docs[int(topic)] if topic >= 0 else rest).append(doc)
        found = distinctive_words(docs, rest)
        # one article is no basis for a label: its words are its own, not the topic's
        out[lang] = [found[t] if len(docs[t]) >= MIN_LABEL_ITEMS else [] for t in range(count)]
    return out


def _tally(values: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
