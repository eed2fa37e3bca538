"""A member's interest profile as running, time-decayed sums that can be updated incrementally.

Terms:

- **declared vector**: the encoder's vector of what the member said (free-text interests and the
  names of the areas they follow); recomputed only when that text changes.
- **positive / negative sums**: ``sum(w_e * decay(age_e) * vector(item_e))`` over feedback events
  with positive / negative weight (see :mod:`curator.profiles.feedback`). Exponential decay makes
  the update exact and order-free: moving the reference time from ``t0`` to ``t1`` multiplies the
  sums by ``decay(t1 - t0)``, and a new event adds its own decayed term. So folding only the events
  after ``events_through`` gives the same profile as recomputing from scratch.
- **area feedback**: the same decayed sums per subject area, from the items' area scores.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np
from numpy.typing import NDArray

from curator.types import AREA_IDS

from .feedback import FEEDBACK_HALF_LIFE_DAYS, decay_between


@dataclass(frozen=True)
class ProfileState:
    """Decayed feedback sums as of ``as_of``. Arrays are float32 and never mutated."""

    as_of: datetime
    positive: NDArray[np.float32]
    negative: NDArray[np.float32]
    positive_weight: float
    negative_weight: float
    area_feedback: NDArray[np.float32]
    events_through: int = 0

    @classmethod
    def empty(cls, dim: int, as_of: datetime) -> ProfileState:
        z = np.zeros(dim, dtype=np.float32)
        return cls(as_of, z, z, 0.0, 0.0, np.zeros(len(AREA_IDS), dtype=np.float32), 0)

    def decayed_to(self, when: datetime, half_life_days: float = FEEDBACK_HALF_LIFE_DAYS) -> ProfileState:
        """The same sums seen from a later time (earlier times leave it unchanged)."""
        if when <= self.as_of:
            return self
        f = decay_between(self.as_of, when, half_life_days)
        return replace(self, as_of=when, positive=(self.positive * f).astype(np.float32),
                       negative=(self.negative * f).astype(np.float32),
                       positive_weight=self.positive_weight * f, negative_weight=self.negative_weight * f,
                       area_feedback=(self.area_feedback * f).astype(np.float32))


@dataclass(frozen=True)
class WeightedEvent:
    """One feedback event ready to fold: its id, time, signed weight, the item's vector and the
    item's area scores in ``AREA_IDS`` order."""

    id: int
    at: datetime
    weight: float
    vector: NDArray[np.float32]
    areas: NDArray[np.float32]


def fold_events(state: ProfileState, events: Iterable[WeightedEvent], now: datetime,
                half_life_days: float = FEEDBACK_HALF_LIFE_DAYS) -> ProfileState:
    """``state`` advanced to ``now`` (or later event times) with ``events`` added.
    Events already folded (id <= ``events_through``) must not be passed again."""
    events = list(events)
    ref = max([state.as_of, now, *(e.at for e in events)])
    s = state.decayed_to(ref, half_life_days)
    pos, neg = s.positive.astype(np.float64), s.negative.astype(np.float64)
    pw, nw = s.positive_weight, s.negative_weight
    areas = s.area_feedback.astype(np.float64)
    last = s.events_through
    for e in events:
        w = e.weight * decay_between(e.at, ref, half_life_days)
        if w > 0:
            pos += w * e.vector
            pw += w
        elif w < 0:
            neg += -w * e.vector
            nw += -w
        areas += w * e.areas
        last = max(last, e.id)
    return ProfileState(ref, pos.astype(np.float32), neg.astype(np.float32), pw, nw,
                        areas.astype(np.float32), last)


def confidence(weight: float | NDArray[np.float64]) -> NDArray[np.float64] | float:
    """How much a feedback sum of total ``weight`` is trusted: 0 for none, 1/2 at weight 2,
    approaching 1. Few events nudge the profile, many events dominate it."""
    return weight / (weight + 2.0)


def area_affinity(declared_areas: Sequence[str], persona_areas: Sequence[str],
                  area_feedback: NDArray[np.float32] | None, feedback_weight: float = 0.0) -> NDArray[np.float32]:
    """Affinity per area (``AREA_IDS`` order), roughly in [-2, 2].

    The prior is 1 for each declared area and 0.5 for a persona's preferred area. Feedback adds
    each area's SHARE of the member's (decayed) feedback weight, ``area_feedback / feedback_weight``
    (in [-1, 1]; a share, not a sum, so heavy readers do not saturate every area they touch). The
    more feedback there is, the more behaviour counts and the prior fades: declarations are often
    incomplete or out of date, behaviour is what the member actually reads."""
    prior = np.zeros(len(AREA_IDS), dtype=np.float64)
    for a in persona_areas:
        if a in AREA_IDS:
            prior[AREA_IDS.index(a)] = 0.5
    for a in declared_areas:
        if a in AREA_IDS:
            prior[AREA_IDS.index(a)] = 1.0
    if area_feedback is None or feedback_weight <= 0:
        return prior.astype(np.float32)
    conf = float(confidence(feedback_weight))
    share = np.asarray(area_feedback, dtype=np.float64) / feedback_weight
    out = (1.0 - 0.5 * conf) * prior + 2.0 * conf * share
    return np.clip(out, -2.0, 2.0).astype(np.float32)


def declared_text(interests: str, declared_areas: Sequence[str], area_names: dict[str, dict[str, str]]) -> str:
    """What a member said about their interests, as one text for the encoder ("" if nothing)."""
    parts = [interests.strip()] if interests.strip() else []
    for a in declared_areas:
        names = area_names.get(a)
        if names:
            parts.append(" / ".join(names[lang] for lang in ("en", "de") if lang in names))
    return "; ".join(parts)
