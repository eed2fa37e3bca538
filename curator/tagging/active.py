"""Which items an editor should correct next: those whose correction would teach the tagger most.

Terms:

- **margin**: the tagger's probability of its best class minus that of the runner-up (six
  classes: the five areas and ``off_topic``). A small margin means the tagger hesitates between
  two readings, exactly the "angle" questions (company vs technology, government vs society) that
  an editor's verdict settles; a confident item teaches little, whether right or wrong.
- **teaching order**: greedy selection by ``(1 - margin) - diversity * redundancy``, where
  redundancy is the highest cosine of an item to those already chosen or already corrected
  (never below 0). So one page does not ask ten times about the same story or about stories the
  editor has just settled. Recency is the caller's choice of candidates (recent items only).

Pure numpy; measured against random order on the learning curve in docs/tagging.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["DIVERSITY", "margins", "probabilities_from_scores", "teaching_order"]

DIVERSITY = 0.5
"""Weight of redundancy against uncertainty in :func:`teaching_order`."""


def probabilities_from_scores(scores: Sequence[Mapping[str, float]], area_ids: Sequence[str]) -> NDArray[np.float64]:
    """(n, len(area_ids) + 1) class probabilities rebuilt from stored area scores: the areas in
    ``area_ids`` order (missing = 0), then ``off_topic`` as the rest of 1 (never below 0)."""
    areas = np.array([[float(s.get(a, 0.0)) for a in area_ids] for s in scores], dtype=np.float64)
    areas = areas.reshape(len(scores), len(area_ids))
    rest = np.clip(1.0 - areas.sum(axis=1, keepdims=True), 0.0, None)
    result: NDArray[np.float64] = np.hstack([areas, rest])
    return result


def margins(probabilities: NDArray[np.float64]) -> NDArray[np.float64]:
    """Best minus second-best probability per row (0 = undecided, 1 = certain)."""
    if probabilities.shape[0] == 0:
        return np.zeros(0)
    top2 = np.sort(probabilities, axis=1)[:, -2:]
    result: NDArray[np.float64] = top2[:, 1] - top2[:, 0]
    return result


def teaching_order(
    probabilities: NDArray[np.float64],
    vectors: NDArray[np.float32],
    limit: int,
    *,
    taught: NDArray[np.float32] | None = None,
    diversity: float = DIVERSITY,
) -> list[int]:
    """Row indices of the ``limit`` candidates to correct next, best first.

    ``probabilities`` (n, classes) and ``vectors`` (n, dim, L2-normalised) describe the
    candidates; ``taught`` holds vectors of items already corrected (they make near copies
    redundant). Ties keep input order, so the result is deterministic."""
    n = probabilities.shape[0]
    limit = max(0, min(limit, n))
    if limit == 0:
        return []
    gain = 1.0 - margins(probabilities)
    redundancy = np.zeros(n)
    if taught is not None and len(taught):
        redundancy = np.clip((vectors @ taught.T).max(axis=1), 0.0, None).astype(np.float64)
    chosen: list[int] = []
    free = np.ones(n, dtype=bool)
    for _ in range(limit):
        score = np.where(free, gain - diversity * redundancy, -np.inf)
        best = int(np.argmax(score))
        chosen.append(best)
        free[best] = False
        redundancy = np.maximum(redundancy, np.clip(vectors @ vectors[best], 0.0, None))
    return chosen
