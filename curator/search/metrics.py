"""Retrieval figures for a labelled query set: recall@k and mean reciprocal rank."""

from __future__ import annotations

from collections.abc import Collection, Hashable, Sequence


def recall_at(ranking: Sequence[Hashable], relevant: Collection[Hashable], k: int = 10) -> float:
    """Share of ``relevant`` found among the first ``k`` of ``ranking`` (1.0 when nothing is relevant)."""
    if not relevant:
        return 1.0
    return len(set(ranking[:k]) & set(relevant)) / len(set(relevant))


def mean_reciprocal_rank(rankings: Sequence[Sequence[Hashable]],
                         relevants: Sequence[Collection[Hashable]]) -> float:
    """Mean over queries of ``1 / rank`` of the first relevant result (0 when none is found)."""
    if not rankings:
        return 0.0
    total = 0.0
    for ranking, relevant in zip(rankings, relevants, strict=True):
        for rank, key in enumerate(ranking, start=1):
            if key in relevant:
                total += 1.0 / rank
                break
    return total / len(rankings)
