"""Grouping item vectors into topics: average-linkage agglomerative clustering on cosine
distance, cut at a fixed distance, small groups dropped.

Why this and not k-means: the number of topics is not known in advance and changes from month to
month; a distance cut gives "items closer than this are one topic" whatever their number, and
average linkage keeps one long chain of loosely related items from swallowing everything (single
linkage) without splitting a broad topic into equal-sized halves (Ward). scikit-learn is imported
here only, when clustering starts.

The vectors must be centred per language first (``curator.search.centre_by_language``): e5
vectors carry a strong language direction, and uncentred, German and English items on one
subject fall into two topics.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

DISTANCE_THRESHOLD = 0.8
"""Cosine distance at which the tree is cut (1 - average cosine between two groups), chosen on
the evaluation pool with multilingual-e5-small, centred (docs/trends.md): 0.7 leaves four items
in five outside any topic, 0.85 starts to merge unrelated stories into catch-all topics."""
MIN_TOPIC_SIZE = 4
"""Fewer items than this are no topic: they stay in the rest."""


def cluster_vectors(vectors: NDArray[Any], *, distance_threshold: float = DISTANCE_THRESHOLD,
                    min_size: int = MIN_TOPIC_SIZE) -> NDArray[np.int64]:
    """A topic number per row of ``vectors`` (L2-normalised, centred per language), or -1 for
    rows in no topic. Topics are numbered 0, 1, ... largest first (ties by their first row), so
    the result depends only on the vectors and their order."""
    x = np.asarray(vectors, dtype=np.float64)
    n = len(x)
    if n < max(2, min_size):
        return np.full(n, -1, dtype=np.int64)
    from sklearn.cluster import AgglomerativeClustering

    raw = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                  distance_threshold=distance_threshold).fit_predict(x)
    groups: dict[int, list[int]] = {}
    for row, c in enumerate(raw):
        groups.setdefault(int(c), []).append(row)
    kept = sorted((rows for rows in groups.values() if len(rows) >= min_size), key=lambda rows: (-len(rows), rows[0]))
    out = np.full(n, -1, dtype=np.int64)
    for topic, rows in enumerate(kept):
        out[rows] = topic
    return out


def central_rows(vectors: NDArray[Any], rows: list[int]) -> list[int]:
    """``rows`` ordered by cosine to their mean vector, most central first (ties by row)."""
    if not rows:
        return []
    x = np.asarray(vectors, dtype=np.float64)[rows]
    centre = x.mean(axis=0)
    norm = float(np.linalg.norm(centre))
    sims = x @ (centre / norm) if norm else np.zeros(len(rows))
    order = sorted(range(len(rows)), key=lambda k: (-float(sims[k]), rows[k]))
    return [rows[k] for k in order]
