"""Reciprocal-rank fusion (Cormack, Clarke and Büttcher 2009) and the tuning of the fused search."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

RRF_K = 60
"""The constant of the original paper: large enough that rank 1 does not swamp ranks 2-10."""


@dataclass(frozen=True)
class SearchTuning:
    """The settings of the fused search, chosen on the labelled query set (docs/search.md; the
    defaults are the product's).

    ``min_similarity``: when even the best semantic hit's cosine to the query (after per-language
    centring) is below this, the query is about nothing in the collection and the semantic side
    gives nothing ("xqzt vlorbnik" finds nothing instead of the least unrelated items). A gate
    on the best hit, not a floor under each: relevant articles sit as low as 0.07 below a best
    hit of 0.2, while the best hit of a nonsense query stays near 0.11-0.13.
    ``text_weight`` and ``semantic_weight`` multiply each side's reciprocal-rank contribution;
    ``rrf_k`` is the fusion's rank constant."""

    min_similarity: float = 0.13
    text_weight: float = 1.0
    semantic_weight: float = 3.0
    rrf_k: int = 10


def semantic_gate(semantic: Sequence[tuple[K, float]], min_similarity: float) -> list[tuple[K, float]]:
    """``semantic`` (``(key, cosine)``) unchanged, or empty when its best cosine is below
    ``min_similarity`` (see :class:`SearchTuning`)."""
    if not semantic or max(sim for _, sim in semantic) < min_similarity:
        return []
    return list(semantic)


def reciprocal_rank_fusion(rankings: Sequence[Sequence[K]], *, k: int = RRF_K,
                           weights: Sequence[float] | None = None) -> list[tuple[K, float]]:
    """``(key, score)`` best first, the score being the sum of ``weight / (k + rank)`` (rank from
    1) over the rankings that hold the key; ``weights`` gives one weight per ranking (None: all
    1). Ties keep the order of first appearance (earlier ranking, better rank first), so the
    result is deterministic. A key repeated within one ranking counts at its best rank only."""
    if weights is not None and len(weights) != len(rankings):
        raise ValueError("one weight per ranking")
    scores: dict[K, float] = {}
    for n, ranking in enumerate(rankings):
        weight = 1.0 if weights is None else float(weights[n])
        seen: set[K] = set()
        for rank, key in enumerate(ranking, start=1):
            if key in seen:
                continue
            seen.add(key)
            scores[key] = scores.get(key, 0.0) + weight / (k + rank)
    order = {key: n for n, key in enumerate(scores)}
    return sorted(scores.items(), key=lambda kv: (-kv[1], order[kv[0]]))


def fuse_text_and_semantic(text: Sequence[K], semantic: Sequence[tuple[K, float]],
                           tuning: SearchTuning) -> list[tuple[K, float]]:
    """The fused search: the full-text ranking ``text`` (keys best first) and the semantic one
    (``(key, cosine)`` best first, passed through :func:`semantic_gate`) combined by weighted
    reciprocal-rank fusion with ``tuning.rrf_k``. ``(key, score)`` best first."""
    kept = [key for key, _ in semantic_gate(semantic, tuning.min_similarity)]
    return reciprocal_rank_fusion([text, kept], k=tuning.rrf_k, weights=(tuning.text_weight, tuning.semantic_weight))
