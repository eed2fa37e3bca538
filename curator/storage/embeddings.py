"""The embedding cache in the database: vectors keyed by (model id, text hash)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from sqlalchemy import select

from . import schema as t
from .database import Database as Storage


class DbEmbeddingCache:
    """Implements curator.embeddings.EmbeddingCache on the ``embeddings`` table.

    Vectors are stored as little-endian float32 bytes. ``put_many`` ignores hashes that are
    already stored (a concurrent tagger may have written the same vector)."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    def get_many(self, model_id: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        unique = list(dict.fromkeys(hashes))
        with self.storage.read() as conn:
            for start in range(0, len(unique), 500):
                chunk = unique[start:start + 500]
                rows = conn.execute(select(t.embeddings.c.content_hash, t.embeddings.c.vector)
                                    .where(t.embeddings.c.model_id == model_id,
                                           t.embeddings.c.content_hash.in_(chunk)))
                for r in rows:
                    found[r.content_hash] = np.frombuffer(r.vector, dtype="<f4").copy()
        return found

    def put_many(self, model_id: str, vectors: Mapping[str, np.ndarray]) -> None:
        if not vectors:
            return
        rows = [{"model_id": model_id, "content_hash": h, "dim": int(v.shape[-1]),
                 "vector": np.asarray(v, dtype="<f4").tobytes()} for h, v in vectors.items()]
        with self.storage.write() as conn:
            for start in range(0, len(rows), 500):
                stmt = self.storage._insert(t.embeddings).on_conflict_do_nothing(
                    index_elements=["model_id", "content_hash"])
                conn.execute(stmt, rows[start:start + 500])
