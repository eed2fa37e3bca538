"""Loading for the ranking, shared by Feeds (recommendations) and Personas (suggestions): the
candidates with their vectors, every member with their stored profile and feedback, and the
persona vectors; the arrays are assembled by :mod:`curator.ranking.batch`.

Not a namespace of the facade: one :class:`RankingInputs` is built by ``make_curator`` and
passed to the features that rank.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from curator.clock import Clock
from curator.embeddings import EmbeddingCache, Encoder, encode_cached, text_hash
from curator.errors import NotFound
from curator.profiles.personas import persona_text
from curator.ranking.batch import (
    LikedEvent,
    candidate_pool,
    member_batch,
    summarise_feedback,
    with_member_audience,
)
from curator.ranking.stages import CandidatePool, MemberBatch, RankingWeights
from curator.storage import Store
from curator.types import Item, ItemQuery, Member, Persona

RECENT_DAYS = 30
"""Candidates are items published in the last month (older ones only if there are too few)."""
MIN_CANDIDATES = 200
MAX_CANDIDATES = 5000
FALLBACK_CANDIDATES = 1000
"""With fewer than MIN_CANDIDATES recent items, the newest this many of any age are candidates."""


class ItemEmbedder(Protocol):
    """What ranking needs from tagging: the document vectors of items (``Tagging.embed``) and the
    areas' display names."""

    def embed(self, items: Sequence[Item], *, progress: bool = False) -> NDArray[np.float32]: ...

    def area_names(self) -> dict[str, dict[str, str]]:
        """Display names by area and language, from models/subject_areas.yaml."""
        ...


@dataclass(frozen=True)
class RankingRun:
    """Everything one ranking run needs, loaded once: the pool and its items by id, the batch of
    EVERY member (row ``row_of[member id]``; the whole base is needed for the audience matrix),
    the members in row order, the liked items of the members to explain, and the personas in the
    order of ``batch.persona_vectors``."""

    pool: CandidatePool
    items: dict[int, Item]
    batch: MemberBatch
    members: list[Member]
    row_of: dict[int, int]
    liked: dict[int, tuple[LikedEvent, ...]]
    personas: list[Persona]

    def rows(self, members: Sequence[Member]) -> list[int]:
        """Batch rows of ``members`` (by id), in their order. NotFound for a member not stored."""
        missing = [m for m in members if m.id not in self.row_of]
        if missing:
            raise NotFound(f"no member {missing[0].email!r} (id {missing[0].id})")
        return [self.row_of[m.id] for m in members]


class RankingInputs:
    """Loads a :class:`RankingRun` from storage."""

    def __init__(self, *, storage: Store, clock: Clock, encoder: Encoder, tagging: ItemEmbedder,
                 embedding_cache: EmbeddingCache, weights: RankingWeights) -> None:
        self._storage = storage
        self._clock = clock
        self._encoder = encoder
        self._tagging = tagging
        self._cache = embedding_cache
        self._weights = weights


    def area_names(self) -> dict[str, dict[str, str]]:
        """Display names by area and language, from the area model (for explanations and
        persona suggestions)."""
        return self._tagging.area_names()
    def candidates(self, *, tagged_only: bool = False) -> list[Item]:
        """Recent items (newest first), or the newest of any age when there are too few;
        ``tagged_only``: only items the tag job has embedded and tagged (stored feeds)."""
        since = self._clock.now() - timedelta(days=RECENT_DAYS)
        fallback = max(MIN_CANDIDATES, FALLBACK_CANDIDATES)
        if tagged_only:
            items = self._storage.feed_candidates(since, MAX_CANDIDATES)
            return items if len(items) >= MIN_CANDIDATES else self._storage.feed_candidates(None, fallback)
        items = self._storage.list_items(ItemQuery(limit=MAX_CANDIDATES, since=since))
        if len(items) < MIN_CANDIDATES:
            items = self._storage.list_items(ItemQuery(limit=fallback))
        return items

    def persona_vectors(self, personas: Sequence[Persona]) -> NDArray[np.float32]:
        """One query vector per persona, in order (cached by text in the embedding cache)."""
        if not personas:
            return np.zeros((0, self._encoder.dim), dtype=np.float32)
        texts = [persona_text(p) for p in personas]
        return encode_cached(self._encoder, texts, [text_hash(t, "query") for t in texts], self._cache, kind="query")

    def load(self, wanted: Sequence[Member] | None, personas: Sequence[Persona], *,
             tagged_only: bool = False) -> RankingRun:
        """Candidates (``tagged_only``: see :meth:`candidates`), every member's profile,
        personas, and feedback: everyone's on the candidates (exclusions, audience) and the whole
        history of the ``wanted`` members (None: of everyone) for liked items to quote in
        explanations; nothing else is loaded."""
        now = self._clock.now()
        enc = self._encoder
        items = self.candidates(tagged_only=tagged_only)
        vectors = self._tagging.embed(items) if items else np.zeros((0, enc.dim), dtype=np.float32)
        pins = self._storage.active_pins(now)
        pool = candidate_pool(items, vectors, now=now, source_feedback=self._storage.source_feedback_counts(),
                              pinned={i for i, scopes in pins.items() if "all" in scopes}, dim=enc.dim)
        members = self._storage.list_members()
        in_pool = self._storage.feedback(item_ids=[int(i) for i in pool.item_ids])
        history = self._storage.feedback(None if wanted is None else [m.id for m in wanted])
        summary = summarise_feedback(members, (f.event for f in [*in_pool, *history]), now)
        batch = member_batch(members, self._storage.get_profiles(None), personas, self.persona_vectors(personas),
                             summary.excluded, model_id=enc.model_id, dim=enc.dim, now=now)
        pool = with_member_audience(pool, batch, members, summary.likes, self._weights)
        return RankingRun(pool, {i.id: i for i in items}, batch, members, {m.id: r for r, m in enumerate(members)},
                          dict(summary.liked), list(personas))
