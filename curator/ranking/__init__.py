"""Personalised ranking as named stages (LensKit/POPROX style), batched over many members:

candidates -> scores -> re-ranking -> selection, then explanations.

Pure numpy; never imports ``curator.storage``. The feature layer (``curator.features.feeds``)
loads items, members, profiles, personas and feedback as plain values; :mod:`.batch` assembles
them into a :class:`CandidatePool` and a :class:`MemberBatch`; :func:`rank` ranks; and
:mod:`.scored` turns the result into explained :class:`curator.types.ScoredItem` lists.
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
