"""Topic trends (``curator.trends`` on the root): topics of recent items, which of them rise or
fall against the previous period, and which segments engage with them.

The worker computes them (job ``compute_topic_trends``) and stores each computation; the console,
``curator trends`` and the digest's "topics" block read the newest one. The algorithm lives in the
domain package :mod:`curator.trends`; this class loads the items of both periods and their stored
vectors, centres the vectors per language (``curator.search``), calls it and stores the result.

Items of clubs are left out on purpose: clubs promise discretion, and a topic's label and
examples travel into a digest for everyone (docs/design-notes.md, "Topic trends leave club items
out").
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ..errors import InvalidInput
from ..search import centre_by_language
from ..trends import TopicParams, find_topics, topic_summary, topics_block
from ..types import Item, ItemQuery, TopicsBlock, TopicTrends

if TYPE_CHECKING:
    from ..clock import Clock
    from ..embeddings import Encoder
    from ..storage import Store
    from .tagging import Tagging

log = logging.getLogger("curator.trends")

DEFAULT_PERIOD_DAYS = 30
MAX_ITEMS = 4000
"""Items of both periods together that are clustered at most (the newest half of it from each):
clustering holds a matrix of all pairs in memory (4000 items: about 130 MB)."""
SHARED_VISIBILITIES = frozenset({"public", "members"})
"""What topic trends are computed from: not club items (see the module docstring)."""


class Trends:
    """``curator.trends``: compute, store and read topic trends; the "topics" block."""

    def __init__(self, *, storage: Store, clock: Clock, encoder: Encoder, tagging: Tagging,
                 params: TopicParams | None = None) -> None:
        self._storage = storage
        self._clock = clock
        self._encoder = encoder
        self._tagging = tagging
        self._params = params or TopicParams()

    def compute(self, period_days: int = DEFAULT_PERIOD_DAYS) -> TopicTrends:
        """Find the topics of the last ``period_days`` days against the ``period_days`` before,
        store the result and return it (with its id). Items are the newest ``MAX_ITEMS`` public
        and members' items of both periods, duplicates folded into their first copy; their vectors
        come from the embedding cache (items not yet tagged are encoded now). Raises InvalidInput
        for a period shorter than one day."""
        if period_days < 1:
            raise InvalidInput(f"a trends period must be at least one day, not {period_days}")
        until = self._clock.now()
        current_from = until - timedelta(days=period_days)
        items = self._items(current_from - timedelta(days=period_days), until)
        vectors = centre_by_language(self._tagging.embed(items), [i.lang for i in items]) if items else None
        events = self._storage.engagement_events(current_from, until)
        topics = find_topics(items, vectors, current_from=current_from, until=until, events=events,
                             params=self._params) if vectors is not None else []
        now_count = sum(1 for i in items if i.published >= current_from)
        trends = TopicTrends(period_days=period_days, computed_at=until, current_from=current_from, until=until,
                             items_current=now_count, items_previous=len(items) - now_count, topics=tuple(topics),
                             detail={**self._params.as_dict(), "encoder": self._encoder.model_id,
                                     "max_items": MAX_ITEMS})
        run_id = self._storage.store_topic_trends(trends)
        log.info("topic trends for %d days: %d topics (%d rising) from %d items", period_days, len(topics),
                 sum(t.rising for t in topics), len(items))
        return TopicTrends(**{**trends.__dict__, "id": run_id})

    def report(self, period_days: int = DEFAULT_PERIOD_DAYS, *, refresh: bool = False) -> TopicTrends:
        """The newest stored computation for ``period_days``-day periods; computed now (and
        stored) when ``refresh`` or when none is stored yet."""
        found = None if refresh else self.latest(period_days)
        return found or self.compute(period_days)

    def latest(self, period_days: int = DEFAULT_PERIOD_DAYS) -> TopicTrends | None:
        """The newest stored computation for ``period_days``-day periods, None before the first."""
        return self._storage.latest_topic_trends(period_days)

    def examples(self, trends: TopicTrends) -> dict[int, Item]:
        """The example items of every topic of ``trends`` that are still stored, by id."""
        ids = [i for topic in trends.topics for i in topic.examples]
        return {i.id: i for i in self._storage.get_items(ids)}

    def summaries(self, trends: TopicTrends, lang: str) -> list[dict[str, object]]:
        """The topics of ``trends`` as JSON records (:func:`curator.trends.topic_summary`), labels
        in ``lang``, with their example items that are still stored: what ``curator trends --json``
        prints and ``GET /api/v1/trends`` answers."""
        examples = self.examples(trends)
        return [topic_summary(t, lang, examples) for t in trends.topics]

    def topics_block(self, lang: str, *, period_days: int = DEFAULT_PERIOD_DAYS, limit: int = 5) -> TopicsBlock:
        """A "topics" block in ``lang`` (``de`` or ``en``) for a digest or an event idea: the first
        ``limit`` topics of the newest computation (rising first), each with its label, items now,
        a rising/falling mark and two public or members' example items; computed now if none is
        stored yet. Text and HTML."""
        trends = self.report(period_days)
        shown = {k: v for k, v in self.examples(trends).items() if v.visibility in SHARED_VISIBILITIES}
        return topics_block(trends, lang, shown, limit=limit)

    def _items(self, since: datetime, until: datetime) -> list[Item]:
        """The newest ``MAX_ITEMS // 2`` items of each period (the same cap on both, so shares stay
        comparable when a period has more), oldest first: the order clustering sees does not
        depend on when it runs."""
        middle = since + (until - since) / 2
        found = [i for i in self._storage.list_items(ItemQuery(limit=MAX_ITEMS * 4, since=since))
                 if i.published < until and i.duplicate_of is None and i.visibility in SHARED_VISIBILITIES]
        half = MAX_ITEMS // 2
        kept = [i for i in found if i.published >= middle][:half] + [i for i in found if i.published < middle][:half]
        kept.reverse()
        return kept
