"""Semantic ranking with per-language centring (plain numpy)."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

K = TypeVar("K", bound=Hashable)


def centre_by_language(vectors: NDArray[Any], langs: Sequence[str | None]) -> NDArray[np.float32]:
    """``vectors`` with the mean vector of each language's rows subtracted from those rows, then
    L2-normalised again. Rows without a language form one group of their own. A language with a
    single row is left uncentred (its mean is the row itself, which would leave nothing)."""
    out = np.asarray(vectors, dtype=np.float32).copy()
    if len(langs) != len(out):
        raise ValueError("one language per vector")
    groups: dict[str | None, list[int]] = {}
    for row, lang in enumerate(langs):
        groups.setdefault(lang, []).append(row)
    for rows in groups.values():
        if len(rows) > 1:
            out[rows] -= out[rows].mean(axis=0)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    result: NDArray[np.float32] = (out / norms).astype(np.float32, copy=False)
    return result


def semantic_ranking(query: NDArray[Any], keys: Sequence[K], vectors: NDArray[Any],
                     langs: Sequence[str | None], *, centre: bool = True,
                     limit: int | None = None) -> list[tuple[K, float]]:
    """``(key, cosine)`` best first for the query vector against ``vectors`` (one row per key),
    centred per language first unless ``centre`` is False. Ties keep input order; ``limit``
    keeps the first so many (None: all)."""
    if len(keys) == 0:
        return []
    docs = centre_by_language(vectors, langs) if centre else np.asarray(vectors, dtype=np.float32)
    q = np.asarray(query, dtype=np.float32).reshape(-1)
    norm = float(np.linalg.norm(q))
    sims = docs @ (q / norm if norm else q)
    order = np.argsort(-sims, kind="stable")
    if limit is not None:
        order = order[:limit]
    return [(keys[i], float(sims[i])) for i in order]
