"""Bringing stored member profiles up to date, shared by Feedback (``refresh_profiles``), Feeds
(before ranking) and Personas (before suggesting). The folding itself is
:func:`curator.profiles.profile.refreshed_profile`.

Not a namespace of the facade: one :class:`ProfileRefresher` is built by ``make_curator``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from curator.clock import Clock
from curator.embeddings import EmbeddingCache, Encoder, encode_cached, text_hash
from curator.profiles.profile import (
    current_declared,
    declared_hash,
    declared_text,
    folded_through,
    refreshed_profile,
)
from curator.ranking.stages import item_area_vector
from curator.storage import Store
from curator.types import FeedbackEvent, Member, MemberProfile

from .ranking_inputs import ItemEmbedder


class ProfileRefresher:
    """Incremental profile updates: only feedback events newer than a profile's last folded event
    are added (with exact time decay); the declared-interest vector is re-encoded only when the
    member's text changed; a change of encoder rebuilds."""

    def __init__(self, *, storage: Store, clock: Clock, encoder: Encoder, tagging: ItemEmbedder,
                 embedding_cache: EmbeddingCache) -> None:
        self._storage = storage
        self._clock = clock
        self._encoder = encoder
        self._tagging = tagging
        self._cache = embedding_cache

    def refresh(self, members: Sequence[Member] | None = None) -> int:
        """Refresh the profiles of ``members`` (None: every member). Returns how many were written."""
        members = list(members) if members is not None else self._storage.list_members()
        if not members:
            return 0
        now = self._clock.now()
        enc = self._encoder
        stored = self._storage.get_profiles([m.id for m in members])
        area_names = self._tagging.area_names()
        texts = {m.id: declared_text(m.interests, m.declared_areas, area_names) for m in members}
        hashes = {m.id: declared_hash(texts[m.id]) for m in members}
        stale = [m for m in members if current_declared(stored.get(m.id), enc.model_id, hashes[m.id]) is None]
        new_declared = self._declared_vectors(stale, texts) if stale else {}
        # events after the oldest folded one: a member further along skips what they already hold
        after = min(folded_through(stored.get(m.id), enc.model_id) for m in members)
        by_member: dict[int, list[FeedbackEvent]] = {}
        for f in self._storage.feedback([m.id for m in members], after_id=after):
            by_member.setdefault(f.event.member_id, []).append(f.event)
        item_ids = sorted({e.item_id for evs in by_member.values() for e in evs})
        items = self._storage.get_items(item_ids) if item_ids else []
        vectors = dict(zip([i.id for i in items], self._tagging.embed(items), strict=True)) if items else {}
        areas = {i.id: item_area_vector(i) for i in items}
        langs = {i.id: i.lang for i in items}
        # the vector width of a stored profile when there is one: asking the encoder may load its
        # model, which a web process folding one member's feedback on tagged items never needs
        dim = next((len(p.declared) // 4 for p in stored.values() if p.model_id == enc.model_id), None) or enc.dim
        out: list[MemberProfile] = []
        for m in members:
            profile = refreshed_profile(m, stored.get(m.id), model_id=enc.model_id, dim=dim, text_hash=hashes[m.id],
                                        new_declared=new_declared.get(m.id), events=by_member.get(m.id, ()),
                                        vectors=vectors, areas=areas, now=now, langs=langs)
            if profile is not None:
                out.append(profile)
        self._storage.save_profiles(out)
        return len(out)

    def _declared_vectors(self, members: Sequence[Member], texts: dict[int, str]) -> dict[int, bytes]:
        """Declared vectors of ``members`` encoded in one go (cached by text); zeros for a member
        who declared nothing."""
        dim = self._encoder.dim
        said = [m for m in members if texts[m.id]]
        vecs = (encode_cached(self._encoder, [texts[m.id] for m in said],
                              [text_hash(texts[m.id], "query") for m in said], self._cache, kind="query")
                if said else np.zeros((0, dim), dtype=np.float32))
        out = {m.id: np.asarray(v, dtype="<f4").tobytes() for m, v in zip(said, vecs, strict=True)}
        for m in members:
            out.setdefault(m.id, np.zeros(dim, dtype="<f4").tobytes())
        return out
