"""Reciprocal-rank fusion (Cormack, Clarke and Büttcher 2009)."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

RRF_K = 60
"""The constant of the original paper: large enough that rank 1 does not swamp ranks 2-10."""


def reciprocal_rank_fusion(rankings: Sequence[Sequence[K]], *, k: int = RRF_K) -> list[tuple[K, float]]:
    """``(key, score)`` best first, the score being the sum of ``1 / (k + rank)`` (rank from 1)
    over the rankings that hold the key. Ties keep the order of first appearance (earlier
    ranking, better rank first), so the result is deterministic. A key repeated within one
    ranking counts at its best rank only."""
    scores: dict[K, float] = {}
    for ranking in rankings:
        seen: set[K] = set()
        for rank, key in enumerate(ranking, start=1):
            if key in seen:
                continue
            seen.add(key)
            scores[key] = scores.get(key, 0.0) + 1.0 / (k + rank)
    order = {key: n for n, key in enumerate(scores)}
    return sorted(scores.items(), key=lambda kv: (-kv[1], order[kv[0]]))
