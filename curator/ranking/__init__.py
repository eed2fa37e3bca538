"""Personalised ranking as named stages (LensKit/POPROX style), batched over many members:

candidates -> scores -> re-ranking -> selection, then explanations.

Pure numpy; never imports ``curator.storage``. The facade (``curator.core_members``) loads the
data, builds a :class:`CandidatePool` and a :class:`MemberBatch`, and calls :func:`rank`.
"""

from .stages import (
    COMPONENTS,
    CandidatePool,
    MemberBatch,
    Ranking,
    RankingWeights,
    candidate_columns,
    make_pool,
    rank,
)

__all__ = ["COMPONENTS", "CandidatePool", "MemberBatch", "Ranking", "RankingWeights", "candidate_columns",
           "make_pool", "rank"]
