"""A naive per-member ranking loop with the same maths as :func:`curator.ranking.stages.rank`.

It exists to check the batched version (same results) and to show in ``bench/rank.py`` what the
batching buys. Do not use it in the product.
"""

from __future__ import annotations

import numpy as np

from .stages import (
    COMPONENTS,
    CandidatePool,
    MemberBatch,
    Ranking,
    RankingWeights,
    _exclusion_cells,
    _PoolLookup,
    candidate_columns,
    component_scales,
    group_context,
    language_preference,
    left_matrix,
    persona_vectors,
    profile_vectors,
    rerank,
)


def rank_naive(pool: CandidatePool, batch: MemberBatch, w: RankingWeights | None = None, k: int = 20) -> Ranking:
    """One member at a time: candidates, a score vector, re-ranking, with the same component
    scales and item-side matrices as the batched version, so results are identical."""
    w = w or RankingWeights()
    m = len(batch)
    items = np.full((m, k), -1, dtype=np.int64)
    scores = np.zeros((m, k), dtype=np.float32)
    comps = np.zeros((m, k, len(COMPONENTS)), dtype=np.float32)
    pinned = np.zeros((m, k), dtype=bool)
    floor = np.zeros((m, k), dtype=bool)
    profiles = profile_vectors(batch, pool.mean, w)
    personas = persona_vectors(batch, pool.mean)
    language = language_preference(batch, pool, w)
    scale = component_scales(pool, profiles, personas, batch.area_affinity, w=w)
    lookup = _PoolLookup(pool)
    contexts = {}
    for j in range(m):  # the naive part: every member on their own
        vis = batch.visible[j]
        if vis not in contexts:  # the item side is shared by members with the same access
            cols = candidate_columns(pool, vis)
            contexts[vis] = group_context(pool, cols, scale, w) if cols.size else None
        ctx = contexts[vis]
        if ctx is None:
            continue
        cols = ctx.cols
        row = np.array([j])
        left = left_matrix(ctx, pool, profiles[row], personas[row], batch.area_affinity[row], w, language[row])
        total = (ctx.right @ left[0])[None, :]  # one matrix-vector product per member
        ex_r, ex_c = _exclusion_cells(batch, row, lookup, ctx.group_column)
        total[ex_r, ex_c] = -np.inf
        picked, fl = rerank(pool, cols, total, batch.followed[row], k, w, batch.area_affinity[row])
        ok = picked[0] >= 0
        safe = np.maximum(picked[0], 0)
        items[j] = np.where(ok, pool.item_ids[cols][safe], -1)
        scores[j] = np.where(ok, total[0, safe], 0.0)
        pinned[j] = ok & pool.pinned[cols][safe]
        floor[j] = fl[0] & ok
    return Ranking(items, scores, comps, pinned, floor)
