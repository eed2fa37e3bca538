"""What feedback events mean for a profile: their signed weights, which ones are tracking, and
time decay.

Tracking events (``view``, ``click``) are observed, not given: they are stored and used only with
tracking consent. Explicit actions (rating, save, hide, more/less like this, send, attend) are
things the member did on purpose and count without tracking consent.
"""

from __future__ import annotations

import math
from datetime import datetime

from curator.errors import InvalidInput
from curator.types import FeedbackKind

FEEDBACK_KINDS: tuple[str, ...] = ("view", "click", "rating", "save", "hide", "more", "less", "send", "attend")
TRACKING_KINDS: frozenset[str] = frozenset({"view", "click"})
EXPLICIT_KINDS: frozenset[str] = frozenset(FEEDBACK_KINDS) - TRACKING_KINDS

FEEDBACK_HALF_LIFE_DAYS = 30.0
"""Feedback loses half its weight in a month: interests drift, a year-old click says little."""

_WEIGHTS: dict[str, float] = {
    "view": 0.15, "click": 0.35, "save": 0.8, "hide": -1.0, "more": 1.0, "less": -1.0,
    "send": 0.8, "attend": 1.0,
}


def event_weight(kind: FeedbackKind | str, value: float | None = None) -> float:
    """Signed strength of one event: positive means "more like this". A rating of 1..5 maps to
    -1..+1 (3 is neutral). Unknown kinds weigh 0."""
    if kind == "rating":
        if value is None:
            return 0.0
        return max(-1.0, min(1.0, (float(value) - 3.0) / 2.0))
    return _WEIGHTS.get(kind, 0.0)


def counts_for(kind: str, tracking_consent: bool) -> bool:
    """Whether an event of ``kind`` may be stored and used for a member with/without consent."""
    return kind in EXPLICIT_KINDS or (tracking_consent and kind in TRACKING_KINDS)


def decay(age_seconds: float, half_life_days: float = FEEDBACK_HALF_LIFE_DAYS) -> float:
    """Weight factor of something ``age_seconds`` old (negative ages count as new)."""
    return math.pow(0.5, max(0.0, age_seconds) / (half_life_days * 86400.0))


def decay_between(earlier: datetime, later: datetime, half_life_days: float = FEEDBACK_HALF_LIFE_DAYS) -> float:
    return decay((later - earlier).total_seconds(), half_life_days)


def checked_value(kind: str, value: float | None) -> float | None:
    """The value an event of ``kind`` stores: a rating's 1..5 as a float; None for kinds that
    carry no value (a ``send`` keeps what it was given). InvalidInput for an unknown kind or a
    rating without a value from 1 to 5."""
    if kind not in FEEDBACK_KINDS:
        raise InvalidInput(f"unknown feedback kind '{kind}'; use one of {', '.join(FEEDBACK_KINDS)}")
    if kind == "rating":
        if value is None or not 1 <= float(value) <= 5:
            raise InvalidInput("a rating needs a value from 1 to 5")
    elif kind != "send":
        return None
    return None if value is None else float(value)
