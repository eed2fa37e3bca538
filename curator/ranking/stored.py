"""A candidate pool kept between processes, so one member can be re-ranked alone.

The worker builds the pool of a refresh once (candidates, vectors, the audience of the whole
member base, pins, the personas) and stores it with :func:`pool_to_bytes`; re-ranking one member
right after their feedback reads it back with :func:`pool_from_bytes` instead of loading every
candidate, vector, profile and persona again. The component scales of the refresh travel with
it, so that a member ranked alone is scored on the same scale as everyone else
(:func:`curator.ranking.stages.rank`).
:func:`liked_quotes` finds, for a whole batch at once, the liked item an explanation may quote;
the sentence itself is written when a page is read (:func:`curator.ranking.explain.explain`), in
the reader's language and only with a liked item the reader may see then.

Plain numpy ``.npz`` without pickles: loading never runs code from the database.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from curator.types import Persona

from .batch import LikedEvent
from .stages import CandidatePool, Ranking

F32 = np.float32


@dataclass(frozen=True)
class StoredPool:
    """A pool with what ranking a member against it needs besides the member: the personas of
    the refresh and their vectors (``persona_vectors[k]`` belongs to ``personas[k]``), and the
    component scales estimated over the whole member base."""

    pool: CandidatePool
    personas: tuple[Persona, ...]
    persona_vectors: NDArray[np.float32]
    scale: Mapping[str, float]


@dataclass(frozen=True)
class LikedQuotes:
    """For every cell (member row, slot) of a :class:`Ranking`: the id of the liked item most
    similar to the ranked item (-1: none), that similarity, and whether the like was a rating:
    what "because you rated 'X' highly" needs besides the titles, found for all cells at once."""

    item: NDArray[np.int64]
    similarity: NDArray[np.float32]
    rated: NDArray[np.bool_]


def liked_quotes(ranking: Ranking, member_ids: Sequence[int], visible: Sequence[frozenset[str]],
                 pool: CandidatePool, liked: Mapping[int, Sequence[LikedEvent]]) -> LikedQuotes:
    """The liked item to quote for every ranked cell; row j belongs to ``member_ids[j]``, who
    may see ``visible[j]`` and liked ``liked[member id]`` (only visible items in the pool count:
    their vectors are the pool's, centred like the candidates). The same choice as
    :func:`curator.ranking.scored.most_similar_liked`: the highest cosine, the first of equally
    close ones."""
    m, k = ranking.items.shape
    quote = np.full((m, k), -1, dtype=np.int64)
    sim = np.zeros((m, k), dtype=F32)
    rated = np.zeros((m, k), dtype=bool)
    for j, member_id in enumerate(member_ids):
        likes = [x for x in liked.get(member_id, ())
                 if x.item_id in pool.index_of and pool.visibility[pool.index_of[x.item_id]] in visible[j]]
        slots = np.flatnonzero(ranking.items[j] >= 0)
        if not likes or not slots.size:
            continue
        ranked = pool.vectors[[pool.index_of[int(i)] for i in ranking.items[j, slots]]]
        sims = ranked @ pool.vectors[[pool.index_of[x.item_id] for x in likes]].T
        best = np.argmax(sims, axis=1)
        quote[j, slots] = [likes[b].item_id for b in best.tolist()]
        sim[j, slots] = sims[np.arange(slots.size), best]
        rated[j, slots] = [likes[b].rated for b in best.tolist()]
    return LikedQuotes(quote, sim, rated)


def pool_to_bytes(stored: StoredPool) -> bytes:
    """``stored`` as bytes (see :func:`pool_from_bytes`).

    The audience matrix is kept as its projection on the pool's popularity basis: ranking only
    ever uses ``audience @ basis``, and the basis has orthonormal columns, so the projection
    rebuilds it exactly at a sixth of the size."""
    p = stored.pool
    buf = io.BytesIO()
    np.savez(buf, item_ids=p.item_ids, vectors=p.vectors, reduced=p.reduced, mean=p.mean, areas=p.areas,
             freshness=p.freshness, quality=p.quality, audience_basis=(p.audience @ p.basis).astype(F32),
             basis=p.basis, visibility=np.array(p.visibility, dtype=np.str_), group=p.group, pinned=p.pinned,
             languages=p.language_matrix(), evidence=np.array(np.nan if p.evidence is None else p.evidence),
             area_audience=(np.zeros((0, 0), dtype=F32) if p.area_audience is None else p.area_audience),
             affinity_mean=(np.zeros(0, dtype=F32) if p.affinity_mean is None else p.affinity_mean),
             personas=_json_bytes([asdict(p) for p in stored.personas]), persona_vectors=stored.persona_vectors,
             scale=_json_bytes(dict(stored.scale)))
    return buf.getvalue()


def pool_from_bytes(data: bytes) -> StoredPool:
    """The pool stored by :func:`pool_to_bytes`. ValueError for bytes that are not one."""
    with np.load(io.BytesIO(data), allow_pickle=False) as z:
        basis = z["basis"].astype(F32)
        ids = z["item_ids"].astype(np.int64)
        vis = z["visibility"]
        pool = CandidatePool(
            item_ids=ids, vectors=z["vectors"], reduced=z["reduced"], mean=z["mean"], areas=z["areas"],
            freshness=z["freshness"], quality=z["quality"],
            audience=np.ascontiguousarray(z["audience_basis"] @ basis.T, dtype=F32), basis=basis,
            visibility=tuple(str(v) for v in vis.tolist()) if vis.size else (), group=z["group"].astype(np.int64),
            pinned=z["pinned"].astype(bool), index_of={int(i): k for k, i in enumerate(ids.tolist())},
            languages=z["languages"].astype(F32),
            # pools stored before the popularity shrinkage have no evidence: unknown
            evidence=_evidence(z["evidence"]) if "evidence" in z.files else None,
            # pools stored before area neighbours have none: popularity compares profiles only
            **_area_audience(z, ids.size))
        personas = tuple(_persona(p) for p in json.loads(z["personas"].tobytes().decode()))
        return StoredPool(pool, personas, z["persona_vectors"].astype(F32), json.loads(z["scale"].tobytes().decode()))


def _area_audience(z: Any, n: int) -> dict[str, NDArray[np.float32] | None]:
    if "area_audience" not in z.files or z["affinity_mean"].size == 0:
        return {"area_audience": None, "affinity_mean": None}
    aa, mean = z["area_audience"].astype(F32), z["affinity_mean"].astype(F32)
    if aa.ndim != 2 or aa.shape != (n, mean.size):
        return {"area_audience": None, "affinity_mean": None}
    return {"area_audience": aa, "affinity_mean": mean}


def _evidence(value: NDArray[np.floating]) -> float | None:
    x = float(value)
    return None if np.isnan(x) else x


def _json_bytes(value: Any) -> NDArray[np.uint8]:
    return np.frombuffer(json.dumps(value, sort_keys=True).encode(), dtype=np.uint8)


def _persona(d: dict[str, Any]) -> Persona:
    return Persona(id=d["id"], names=dict(d["names"]), description=dict(d["description"]),
                   goals={k: tuple(v) for k, v in d["goals"].items()}, preferred_areas=tuple(d["preferred_areas"]),
                   example_interests={k: tuple(v) for k, v in d["example_interests"].items()})

