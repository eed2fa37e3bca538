"""When to try a failing source again."""

from __future__ import annotations

from datetime import datetime, timedelta


def next_attempt_after_failure(now: datetime, error_count: int, *, base_minutes: int, max_minutes: int,
                               retry_after_seconds: float | None = None) -> datetime:
    """Exponential back-off: base, 2*base, 4*base ... capped at max. A server's Retry-After
    (429/503) is honoured when it asks for a longer pause (RELIABILITY F12)."""
    minutes = min(base_minutes * (2 ** max(error_count - 1, 0)), max_minutes)
    delay = timedelta(minutes=minutes)
    if retry_after_seconds is not None:
        delay = max(delay, timedelta(seconds=min(retry_after_seconds, max_minutes * 60)))
    return now + delay
