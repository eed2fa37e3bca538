"""Batch assembly: from plain typed values (items, members, stored profiles, personas, feedback
events) to the arrays the ranking stages take (:class:`CandidatePool`, :class:`MemberBatch`).

The feature layer loads these values and calls the functions here; nothing here touches storage
or an encoder. Rows of a :class:`MemberBatch` follow the order of the ``members`` given, so a
``Member`` stays the key from loading to the ranked feed.

- :func:`candidate_pool`: items with their vectors, freshness (half-life of a week), source
  quality (the source's explicit feedback record, smoothed) and editor pins.
- :func:`summarise_feedback`: what members did, as exclusions (items hidden or already seen),
  liked items to quote in explanations, and the positive events for the audience matrix.
- :func:`member_batch`: declared / feedback vectors decayed to now, persona index, area affinity,
  language feedback and account language (the reading-language preference,
  :func:`curator.ranking.stages.language_preference`), followed areas, the access set (THE rule, :func:`curator.profiles.access.visible_to`) and
  exclusions per member.
- :func:`with_member_audience`: the pool's audience ("members who liked this") from the whole
  member base's profiles and area interests.
- :func:`suggest_personas_from`: the profiles of members with behaviour, clustered into persona
  suggestions (:func:`curator.profiles.suggest.suggest_personas`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray

from curator.profiles.access import visible_to
from curator.profiles.feedback import counts_for, decay, decay_between, event_weight
from curator.profiles.profile import area_affinity, language_sums
from curator.profiles.suggest import suggest_personas
from curator.types import AREA_IDS, LANGUAGES, FeedbackEvent, Item, Member, MemberProfile, Persona

from .stages import (
    CandidatePool,
    MemberBatch,
    RankingWeights,
    area_audience_matrix,
    audience_evidence,
    audience_matrix,
    centre,
    item_area_vector,
    make_pool,
    profile_vectors,
    with_audience,
)

FRESHNESS_HALF_LIFE_DAYS = 7.0
"""News ages fast: an item loses half its freshness score in a week."""
LIKED_TO_EXPLAIN = 20
"""Liked items kept per member for explanations: the strongest few are enough to find the most
similar one, and the list stays small for members with long histories."""
SUGGEST_MIN_WEIGHT = 1.0
"""Members whose decayed positive feedback weighs less than this have too little behaviour to
take part in persona suggestions."""


def freshness(published: datetime, now: datetime, half_life_days: float = FRESHNESS_HALF_LIFE_DAYS) -> float:
    """1.0 for an item published now (or in the future), halving every ``half_life_days``."""
    age_days = max(0.0, (now - published).total_seconds()) / 86400.0
    return float(0.5 ** (age_days / half_life_days))


def source_quality(counts: tuple[int, int] | None) -> float:
    """A source's share of positive explicit feedback, ``(positive + 1) / (all + 2)``: 0.5 for a
    source without feedback, so a new source is neither favoured nor punished."""
    pos, neg = counts if counts is not None else (0, 0)
    return (pos + 1.0) / (pos + neg + 2.0)


def candidate_pool(items: Sequence[Item], vectors: NDArray[np.floating], *, now: datetime,
                   source_feedback: Mapping[str, tuple[int, int]], pinned: Collection[int],
                   dim: int) -> CandidatePool:
    """The pool of ``items`` (``vectors[i]`` is item i's document vector, ``items[i].lang`` its
    language for the members' reading-language preference). ``source_feedback``
    maps a source id to its (positive, negative) explicit feedback counts; ``pinned`` holds the
    ids of items an editor pinned for everyone; ``dim`` is the vector length (for an empty pool)."""
    if not items:
        return make_pool([], np.zeros((0, dim), dtype=np.float32), np.zeros((0, len(AREA_IDS)), dtype=np.float32),
                         np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.float32), visibility=[],
                         duplicate_of=[], pinned=[], languages=[])
    return make_pool(
        [i.id for i in items], vectors, np.stack([item_area_vector(i) for i in items]),
        np.array([freshness(i.published, now) for i in items], dtype=np.float32),
        np.array([source_quality(source_feedback.get(i.source_id)) for i in items], dtype=np.float32),
        visibility=[i.visibility for i in items], duplicate_of=[i.duplicate_of for i in items],
        pinned=[i.id in pinned for i in items], languages=[i.lang for i in items])


@dataclass(frozen=True)
class LikedEvent:
    """An item a member gave positive feedback, with the decayed weight of that feedback;
    ``rated`` says it was a rating (explanations then say "you rated", not "you liked")."""

    item_id: int
    weight: float
    rated: bool


@dataclass(frozen=True)
class FeedbackSummary:
    """What members did, by member id: ``excluded`` items not to show again (every counted event
    excludes its item: hidden, rated, saved, seen), ``liked`` the strongest positive events
    (strongest first, at most :data:`LIKED_TO_EXPLAIN`), and ``likes`` every positive event as
    (member id, item id, decayed weight) in event order, for the audience matrix."""

    excluded: Mapping[int, frozenset[int]]
    liked: Mapping[int, tuple[LikedEvent, ...]]
    likes: tuple[tuple[int, int, float], ...]


def summarise_feedback(members: Sequence[Member], events: Iterable[FeedbackEvent], now: datetime) -> FeedbackSummary:
    """Summarise ``events`` of ``members`` as of ``now``. Events of other members, events that do
    not count without the member's tracking consent, and repeats of an event id are ignored, so
    overlapping loads (feedback on the candidates, a member's whole history) may be chained."""
    consent = {m.id: m.tracking_consent for m in members}
    excluded: dict[int, set[int]] = {}
    liked: dict[int, list[LikedEvent]] = {}
    likes: list[tuple[int, int, float]] = []
    seen: set[int] = set()
    for ev in events:
        if ev.id in seen or ev.member_id not in consent or not counts_for(ev.kind, consent[ev.member_id]):
            continue
        seen.add(ev.id)
        excluded.setdefault(ev.member_id, set()).add(ev.item_id)
        w = event_weight(ev.kind, ev.value) * decay_between(ev.at, now)
        if w > 0:
            liked.setdefault(ev.member_id, []).append(LikedEvent(ev.item_id, w, ev.kind == "rating"))
            likes.append((ev.member_id, ev.item_id, w))
    return FeedbackSummary(
        excluded={mid: frozenset(ids) for mid, ids in excluded.items()},
        liked={mid: tuple(sorted(lst, key=lambda x: -x.weight)[:LIKED_TO_EXPLAIN]) for mid, lst in liked.items()},
        likes=tuple(likes))


def member_batch(members: Sequence[Member], profiles: Mapping[int, MemberProfile], personas: Sequence[Persona],
                 persona_vectors: NDArray[np.floating], excluded: Mapping[int, Collection[int]], *,
                 model_id: str, dim: int, now: datetime) -> MemberBatch:
    """``members`` as a batch (row j is ``members[j]``). ``profiles`` are the stored profiles by
    member id (missing, or of another encoder than ``model_id``: the member has only a persona and
    declared areas); their feedback sums are decayed from their ``as_of`` to ``now``.
    ``persona_vectors[k]`` is the vector of ``personas[k]``; a member whose persona is not among
    ``personas`` has none. ``excluded`` holds the item ids each member must not be shown again.
    The language feedback of a stored profile is decayed like the rest; the member's account
    language (``Member.language``) is the weak prior of their reading-language preference."""
    n = len(members)
    declared = np.zeros((n, dim), dtype=np.float32)
    positive = np.zeros((n, dim), dtype=np.float32)
    negative = np.zeros((n, dim), dtype=np.float32)
    pw = np.zeros(n)
    nw = np.zeros(n)
    aff = np.zeros((n, len(AREA_IDS)), dtype=np.float32)
    followed = np.zeros((n, len(AREA_IDS)), dtype=bool)
    pidx = np.full(n, -1, dtype=np.int64)
    lang_fb = np.zeros((n, len(LANGUAGES), 2))
    by_id = {p.id: (k, p) for k, p in enumerate(personas)}
    for r, m in enumerate(members):
        p = profiles.get(m.id)
        area_fb = None
        if p is not None and p.model_id == model_id:
            fac = decay((now - p.as_of).total_seconds())
            declared[r] = np.frombuffer(p.declared, "<f4")
            positive[r] = np.frombuffer(p.positive, "<f4") * fac
            negative[r] = np.frombuffer(p.negative, "<f4") * fac
            pw[r], nw[r] = p.positive_weight * fac, p.negative_weight * fac
            area_fb = np.array([p.area_affinity.get(a, 0.0) for a in AREA_IDS], dtype=np.float32) * fac
            lang_fb[r] = language_sums(p) * fac
        row, persona = by_id.get(m.persona or "", (-1, None))
        pidx[r] = row
        aff[r] = area_affinity(m.declared_areas, persona.preferred_areas if persona else (), area_fb,
                               float(pw[r] + nw[r]))
        followed[r] = [a in m.declared_areas for a in AREA_IDS]
    pvecs = (np.asarray(persona_vectors, dtype=np.float32) if len(personas)
             else np.zeros((0, dim), dtype=np.float32))
    return MemberBatch(
        declared=declared, positive=positive, negative=negative, positive_weight=pw, negative_weight=nw,
        persona_index=pidx, persona_vectors=pvecs, area_affinity=aff, followed=followed,
        visible=tuple(visible_to(m) for m in members),
        excluded=tuple(np.array(sorted(excluded.get(m.id, ())), dtype=np.int64) for m in members),
        language_feedback=lang_fb,
        language=np.array([LANGUAGES.index(m.language) if m.language in LANGUAGES else -1 for m in members],
                          dtype=np.int64))


def with_member_audience(pool: CandidatePool, batch: MemberBatch, members: Sequence[Member],
                         likes: Iterable[tuple[int, int, float]], weights: RankingWeights) -> CandidatePool:
    """``pool`` with its audience matrices: for each candidate, the sum of the profiles of the
    members who liked it (weighted by how much), and the same sum of their area interests
    (centred on the mean of ``batch``, the member base). ``batch`` rows follow ``members``; ``likes`` are
    (member id, item id, weight); likes of other members or items outside the pool are ignored.
    The pool is returned unchanged when nobody liked a candidate."""
    row_of = {m.id: r for r, m in enumerate(members)}
    rows = [(row_of[mid], item_id, w) for mid, item_id, w in likes if mid in row_of and item_id in pool.index_of]
    if not rows or not len(pool):
        return pool
    return with_audience(pool, audience_matrix(pool, profile_vectors(batch, pool.mean, weights), rows),
                         audience_evidence(pool, rows), area_audience_matrix(pool, batch.area_affinity, rows))


def suggest_personas_from(pool: CandidatePool, batch: MemberBatch, members: Sequence[Member],
                          personas: Sequence[Persona], titles: Mapping[int, str],
                          weights: RankingWeights, area_names: Mapping[str, Mapping[str, str]]) -> list[dict[str, Any]]:
    """Persona suggestions from the members of ``batch`` (rows follow ``members``) with enough
    behaviour (:data:`SUGGEST_MIN_WEIGHT`); ``personas`` follow ``batch.persona_vectors``;
    ``titles`` maps item ids of the pool to their titles. Example titles come only from public
    items: a persona's text may be shown to anyone. [] when nobody has enough behaviour."""
    has = batch.positive_weight >= SUGGEST_MIN_WEIGHT
    if not has.any():
        return []
    profiles = profile_vectors(batch, pool.mean, weights)[has]
    rows = np.flatnonzero(has)
    public = np.array([v == "public" for v in pool.visibility], dtype=bool)
    persona_vecs = (centre(batch.persona_vectors, pool.mean) if batch.persona_vectors.shape[0]
                    else np.zeros((0, profiles.shape[1]), dtype=np.float32))
    return suggest_personas(
        profiles, [members[int(r)].persona for r in rows], batch.area_affinity[rows], {p.id: p for p in personas},
        persona_vecs, pool.vectors[public], [titles[int(i)] for i in pool.item_ids[public]], area_names=area_names)
