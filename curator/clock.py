"""Time is injected: domain code asks a Clock, so schedules, back-off and decay are testable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from .errors import InvalidInput


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock for tests and replays: stands still until moved."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._at = at

    def now(self) -> datetime:
        return self._at

    def advance(self, **delta: float) -> datetime:
        self._at += timedelta(**delta)
        return self._at

    def set(self, at: datetime) -> None:
        self._at = at


def parse_iso_time(value: Any, now: datetime, field: str = "published") -> datetime | None:
    """ISO 8601 text (date or date-time) to aware UTC, never later than ``now``; naive times
    are taken as UTC; None or "" give None. Raises InvalidInput naming ``field``."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"field '{field}' must be an ISO 8601 date or date-time text")
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidInput(f"field '{field}' is not an ISO 8601 date: {value!r}") from exc
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    dt = dt.astimezone(UTC)
    return min(dt, now)
