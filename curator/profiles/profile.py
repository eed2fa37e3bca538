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
- **language feedback**: the decayed positive and negative weight on items of each language
  (``LANGUAGES`` order), folded the same way; the ranking turns it into a reading-language
  preference (:func:`curator.ranking.stages.language_preference`).
- **stored profile** (:class:`curator.types.MemberProfile`): the sums as bytes, with the encoder
  they belong to; :func:`refreshed_profile` folds new events into one (the feature layer loads
  the events and item vectors and stores the result).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

import numpy as np
from numpy.typing import NDArray

from curator.types import AREA_IDS, LANGUAGES, FeedbackEvent, Member, MemberProfile

from .feedback import FEEDBACK_HALF_LIFE_DAYS, counts_for, decay_between, event_weight


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
    language_feedback: NDArray[np.float64] = field(default_factory=lambda: np.zeros((len(LANGUAGES), 2)))
    """(L, 2): decayed positive weight (column 0) and negative weight (column 1) on items of each
    language of ``LANGUAGES``; items in other or unknown languages add nothing."""

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
                       area_feedback=(self.area_feedback * f).astype(np.float32),
                       language_feedback=self.language_feedback * f)


@dataclass(frozen=True)
class WeightedEvent:
    """One feedback event ready to fold: its id, time, signed weight, the item's vector, the
    item's area scores in ``AREA_IDS`` order and the item's language (None: unknown)."""

    id: int
    at: datetime
    weight: float
    vector: NDArray[np.float32]
    areas: NDArray[np.float32]
    lang: str | None = None


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
    langs = np.array(s.language_feedback, dtype=np.float64)
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
        if e.lang in LANGUAGES and w != 0:
            langs[LANGUAGES.index(e.lang), 0 if w > 0 else 1] += abs(w)
        last = max(last, e.id)
    return ProfileState(ref, pos.astype(np.float32), neg.astype(np.float32), pw, nw,
                        areas.astype(np.float32), last, langs)


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


# --------------------------------------------------------------------------- stored profiles

def declared_hash(text: str) -> str:
    """Identifies the declared text a stored declared vector was computed from (sha256 hex)."""
    return hashlib.sha256(text.encode()).hexdigest()


def _vector(data: bytes) -> NDArray[np.float32]:
    return np.frombuffer(data, "<f4").copy()


def language_sums(stored: MemberProfile) -> NDArray[np.float64]:
    """A stored profile's language feedback as (L, 2) in ``LANGUAGES`` order: decayed positive
    and negative weight (zeros when none is recorded)."""
    out = np.zeros((len(LANGUAGES), 2))
    for k, lang in enumerate(LANGUAGES):
        pos, neg = (stored.language_feedback or {}).get(lang, (0.0, 0.0))
        out[k] = (pos, neg)
    return out


def _usable(stored: MemberProfile | None, model_id: str) -> bool:
    """A stored profile whose feedback sums can be folded further: same encoder (vectors of
    different models cannot be mixed) and language feedback recorded (a profile folded before
    it was is folded again from the first event, once)."""
    return stored is not None and stored.model_id == model_id and stored.language_feedback is not None


def state_of(stored: MemberProfile | None, model_id: str, dim: int, now: datetime) -> ProfileState:
    """The feedback sums of a stored profile, as stored (not decayed). An empty state as of
    ``now`` when nothing is stored, the profile belongs to another encoder (``model_id``), or
    it predates the language feedback: the events are then folded again from the first."""
    if stored is None or not _usable(stored, model_id):
        return ProfileState.empty(dim, now)
    return ProfileState(stored.as_of, _vector(stored.positive), _vector(stored.negative), stored.positive_weight,
                        stored.negative_weight,
                        np.array([stored.area_affinity.get(a, 0.0) for a in AREA_IDS], dtype=np.float32),
                        stored.events_through, language_sums(stored))


def folded_through(stored: MemberProfile | None, model_id: str) -> int:
    """The last feedback event id folded into a stored profile that is still usable with the
    encoder ``model_id`` (0: start from the first event)."""
    return stored.events_through if stored is not None and _usable(stored, model_id) else 0


def current_declared(stored: MemberProfile | None, model_id: str, text_hash: str) -> bytes | None:
    """The stored declared vector if it is still valid (same encoder, same declared text whose
    :func:`declared_hash` is ``text_hash``); None means it must be encoded again."""
    if stored is None or stored.model_id != model_id or stored.declared_hash != text_hash:
        return None
    return stored.declared


def fold_events_to(state: ProfileState, events: Sequence[WeightedEvent], now: datetime) -> ProfileState:
    """:func:`fold_events`, except that a profile that already holds events and gets no new ones
    is returned unchanged: its stored row stays as it is (decay is applied when reading it), so
    refreshing without new feedback writes nothing."""
    if not events and state.events_through > 0:
        return state
    return fold_events(state, events, now)


def refreshed_profile(member: Member, stored: MemberProfile | None, *, model_id: str, dim: int,
                      text_hash: str, new_declared: bytes | None, events: Iterable[FeedbackEvent],
                      vectors: Mapping[int, NDArray[np.float32]], areas: Mapping[int, NDArray[np.float32]],
                      now: datetime, langs: Mapping[int, str | None] | None = None) -> MemberProfile | None:
    """``member``'s profile brought up to date, or None when the stored one is still current.

    ``events`` are the member's feedback events (any order; those already folded, those that do
    not count without the member's tracking consent, and those on items without an entry in
    ``vectors`` are ignored). ``vectors``/``areas``/``langs`` give each item's document vector,
    area vector (``AREA_IDS`` order) and language (missing: unknown). ``new_declared`` is the
    freshly encoded declared vector (little-endian float32 bytes), needed only when :func:`current_declared` is None; ``text_hash`` is the
    :func:`declared_hash` of the member's declared text. Raises ValueError when a new declared
    vector is needed and missing."""
    state = state_of(stored, model_id, dim, now)
    declared = current_declared(stored, model_id, text_hash)
    fresh = sorted((e for e in events
                    if e.id > state.events_through and counts_for(e.kind, member.tracking_consent)
                    and e.item_id in vectors), key=lambda e: e.id)
    langs = langs or {}
    weighted = [WeightedEvent(e.id, e.at, event_weight(e.kind, e.value), vectors[e.item_id], areas[e.item_id],
                              langs.get(e.item_id)) for e in fresh]
    new_state = fold_events_to(state, weighted, now)
    if (declared is not None and not weighted and new_state.events_through == state.events_through
            and (stored is None or stored.language_feedback is not None)):
        return None
    if declared is None:
        if new_declared is None:
            raise ValueError(f"member {member.id}: the declared text changed and no new declared vector was given")
        declared = new_declared
    return MemberProfile(
        member_id=member.id, model_id=model_id, as_of=new_state.as_of, declared=declared,
        positive=np.asarray(new_state.positive, "<f4").tobytes(),
        negative=np.asarray(new_state.negative, "<f4").tobytes(),
        positive_weight=float(new_state.positive_weight), negative_weight=float(new_state.negative_weight),
        area_affinity={a: float(new_state.area_feedback[k]) for k, a in enumerate(AREA_IDS)},
        events_through=new_state.events_through, declared_hash=text_hash,
        language_feedback={lang: (float(new_state.language_feedback[k, 0]), float(new_state.language_feedback[k, 1]))
                           for k, lang in enumerate(LANGUAGES)})
