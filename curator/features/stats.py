"""Statistics for the editor console: items and engagement per subject area over time."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..clock import Clock
    from ..storage import Storage


class Stats:
    """``curator.stats``: counts over stored items and feedback; read-only."""

    def __init__(self, *, storage: Storage, clock: Clock) -> None:
        self._storage = storage
        self._clock = clock

    def trends(self, weeks: int = 12) -> dict[str, Any]:
        """Items per area per week (``"items"``: (week start, area, count)), and engagement
        (``"engagement"``: (week start, area, persona or "-", feedback events other than hide and
        less)) for the last ``weeks`` weeks, oldest week first."""
        since = self._clock.now() - timedelta(weeks=weeks)
        return {"items": self._storage.trend_counts(since), "engagement": self._storage.engagement_counts(since)}
