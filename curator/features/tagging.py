"""Subject-area tagging of stored items, editor corrections and cross-source duplicates
(``curator.tagging`` on the root).

Loads items from storage, hands them to :mod:`curator.tagging` (the tagger, duplicate grouping,
story harmonising) and stores the results. The encoder is the configured one; it loads its
model on the first encode, so building this object costs nothing. With a second encoder (setting
``second_encoder``) the tagger is an ensemble (docs/tagging.md): its zero-shot scores and its
corrections head read both encoders' vectors, which the embedding cache keeps like the first's (by
model and text hash), so each text is encoded once per encoder; everything else that reads
document vectors (duplicates, profiles, ranking, the teaching order) keeps the first encoder's.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from numpy.typing import NDArray

from curator.clock import Clock
from curator.embeddings import EmbeddingCache, Encoder
from curator.errors import InvalidInput
from curator.ingest.normalise import url_identity
from curator.storage import Store, TagRow
from curator.tagging import (
    AreaModel,
    Correction,
    Corrections,
    Tagger,
    default_duplicate_threshold,
    group_stories,
    harmonise_story_tags,
    language_centres,
    probabilities_from_scores,
    show_order,
    tag_input,
    teaching_order,
)
from curator.types import AREA_IDS, Item, ItemQuery

__all__ = ["TagRun", "Tagging"]

log = logging.getLogger("curator.tagging")

ALL_ITEMS = 10_000_000
"""Limit that means "every stored item" for the whole-collection passes below."""

CENTRE_ITEMS = 2000
"""Newest stored items whose vectors give the language centres of the corrections head."""


@dataclass(frozen=True)
class TagRun:
    """What :meth:`Tagging.tag` did: items tagged, the tagger version, items marked as
    duplicates, how many items carry each area, how many carry none, and which tagger ran
    (one line: the encoder alone or the ensemble, and why)."""

    tagged: int
    version: str
    duplicates: int
    by_area: dict[str, int]
    untagged: int
    tagger: str = ""


class Tagging:
    """Tagging of what is stored.

    ``areas`` is the subject-area model (``models/subject_areas.yaml``, loaded once by
    ``make_curator``); ``embedding_cache`` keeps document vectors by model and text hash so
    each text is encoded once across runs and processes. ``second_encoder`` makes the tagger an
    ensemble; ``tagger_note`` says which tagger runs and why (logged by :meth:`tag`)."""

    def __init__(self, storage: Store, clock: Clock, encoder: Encoder, areas: AreaModel,
                 embedding_cache: EmbeddingCache, *, second_encoder: Encoder | None = None,
                 tagger_note: str = "") -> None:
        self._storage = storage
        self._clock = clock
        self._encoder = encoder
        self._areas = areas
        self._cache = embedding_cache
        self._second = second_encoder
        self.tagger_note = tagger_note or f"tagger: {encoder.model_id}" + (
            f" and {second_encoder.model_id}" if second_encoder is not None else " alone")

    @property
    def ensemble(self) -> bool:
        """True when the tagger is an ensemble of two encoders: an item's scores are then both
        encoders' joint reading, while its further (secondary) areas are those the first encoder
        alone would tag, so a further area can carry a low score (the teaching page says so)."""
        return self._second is not None

    def area_names(self) -> dict[str, dict[str, str]]:
        """``{area id: {language: display name}}`` for the five subject areas, in canonical
        order, as ``models/subject_areas.yaml`` names them (the one place area names are written)."""
        return {a.id: dict(a.names) for a in self._areas.areas}

    def embed(self, items: Sequence[Item], *, progress: bool = False) -> NDArray[np.float32]:
        """One L2-normalised document vector per item, in input order: the same vectors the
        tagger and the duplicate finder use, so each item is encoded once. Vectors are cached
        in the database by model and text hash; only new or changed items are encoded."""
        return self.document_embedder().document_vectors([tag_input(i) for i in items], progress=progress)

    def document_embedder(self) -> Tagger:
        """A tagger of the first encoder without corrections: what turns items into document
        vectors (cached)."""
        return Tagger(self._areas, self._encoder, cache=self._cache)

    def tagger(self) -> Tagger:
        """The tagger for the configured encoder(s) and area model, with the editors' corrections
        (the latest per item; corrections of items no longer stored are ignored). Its head sees
        vectors centred by language, the centres being the mean vectors of the newest
        ``CENTRE_ITEMS`` stored items per language (cached vectors, so this costs lookups only).
        With a second encoder, the same centres (its part of them) centre its documents for its
        zero-shot scores, so they are computed even without corrections."""
        base = Tagger(self._areas, self._encoder, cache=self._cache, second=self._second)
        stored = self._storage.corrections()
        if not stored and self._second is None:
            return base
        recent = self._storage.list_items(ItemQuery(limit=CENTRE_ITEMS))
        recent_vectors, recent_langs = base.embed([tag_input(i) for i in recent]), [i.lang for i in recent]
        centres = language_centres(recent_vectors, recent_langs)
        base = base.with_second_centres(recent_vectors, recent_langs)
        if not stored:
            return base
        items = self._storage.get_items([c.item_id for c in stored])
        vectors = base.embed([tag_input(i) for i in items])
        row_of = {i.id: n for n, i in enumerate(items)}
        corrections = Corrections(
            Correction(str(c.item_id), vectors[row_of[c.item_id]], c.areas, items[row_of[c.item_id]].lang)
            for c in stored if c.item_id in row_of)
        return base.with_corrections(corrections, centres)

    def to_teach(self, *, limit: int = 10, days: int = 14) -> list[Item]:
        """Items whose correction would teach the tagger most, best first: items first collected
        in the last ``days`` days, not yet corrected, not a duplicate copy, already tagged, in
        :func:`curator.tagging.teaching_order` (smallest margin between the two likeliest classes,
        skipping near copies of each other and of corrected items)."""
        since = self._clock.now() - timedelta(days=days)
        stored = self._storage.corrections()
        corrected = {c.item_id for c in stored}
        candidates = [i for i in self._storage.list_items(ItemQuery(limit=ALL_ITEMS, seen_since=since))
                      if i.id not in corrected and i.duplicate_of is None and i.area_scores]
        if not candidates or limit <= 0:
            return []
        probabilities = probabilities_from_scores([i.area_scores for i in candidates], self._areas.ids)
        vectors = self.embed(candidates)
        taught_items = self._storage.get_items([c.item_id for c in stored]) if stored else []
        taught = self.embed(taught_items) if taught_items else None
        order = teaching_order(probabilities, vectors, limit, taught=taught)
        return [candidates[i] for i in order]

    def tag(self, *, retag_all: bool = False, progress: bool = False, batch_size: int = 256,
            duplicates_days: int = 30) -> TagRun:
        """Tag stored items that are new, changed or tagged by another tagger version (a changed
        area model, encoder or set of corrections), then refresh cross-source duplicates and give
        the copies of each story the same areas. Re-runs encode only new or changed text
        (embeddings are cached). ``progress`` shows a bar on stderr."""
        log.info("%s", self.tagger_note)
        tagger = self.tagger()
        todo = self._storage.items_to_tag(tagger.version, retag_all=retag_all)
        bar = None
        if progress and todo:
            from tqdm import tqdm  # only when a bar is wanted: keeps jobs and the web app free of it

            bar = tqdm(total=len(todo), unit="item", desc="Tagging", file=sys.stderr)
        now = self._clock.now()
        for start in range(0, len(todo), batch_size):
            chunk = todo[start:start + batch_size]
            results = tagger.tag([tag_input(i) for i in chunk])
            self._storage.save_tags([TagRow(i.id, i.content_hash, r.areas, r.scores)
                                     for i, r in zip(chunk, results, strict=True)], tagger.version, now)
            if bar:
                bar.update(len(chunk))
        if bar:
            bar.close()
        marked = self.refresh_duplicates(days=duplicates_days)
        # duplicate marks exist only inside the window (refresh_duplicates clears the rest), so
        # the stories to harmonise are all among the window's items: the run grows with the
        # window, not with the whole collection
        window = self._storage.list_items(ItemQuery(limit=ALL_ITEMS, seen_since=self._window_start(duplicates_days)))
        changed = harmonise_story_tags(tagger, window)
        self._storage.save_tags([TagRow(i.id, i.content_hash, r.areas, r.scores) for i, r in changed],
                                tagger.version, self._clock.now())
        counts, untagged = self._storage.area_counts()
        by_area = {a: counts.get(a, 0) for a in AREA_IDS}
        return TagRun(len(todo), tagger.version, marked, by_area, untagged, self.tagger_note)

    def _window_start(self, days: int) -> datetime:
        return self._clock.now() - timedelta(days=days)

    def refresh_duplicates(self, *, days: int = 30) -> int:
        """Group the same story from different sources (also across German and English) among the
        items collected in the last ``days`` days (by when curator first saw them, so a late
        syndication of an old story still meets its original); all but the shown copy (the most
        widely visible, then the first seen) get ``duplicate_of``. Items outside the window lose
        their mark. Uses the first encoder's document vectors (its duplicate threshold). Returns the
        number of items marked."""
        items = show_order(self._storage.list_items(ItemQuery(limit=ALL_ITEMS, seen_since=self._window_start(days))))
        if len(items) < 2:
            return self._storage.set_duplicates([])
        vectors = self.embed(items)
        groups = group_stories(vectors, [i.id for i in items], [i.source_id for i in items],
                               [i.published.timestamp() for i in items],
                               [url_identity(i.canonical_url) for i in items],
                               default_duplicate_threshold(self._encoder.model_id))
        return self._storage.set_duplicates(groups)

    def duplicates_of(self, item_id: int) -> list[Item]:
        """Other copies of the same story (shown folded under ``item_id``)."""
        return self._storage.duplicates_of(item_id)

    def correct(self, item_id: int, areas: Sequence[str], *, editor: str) -> Item:
        """An editor sets the areas of an item (empty = no area). The correction is kept as a
        labelled example: the next :meth:`tag` run learns from it and re-tags with the new version.
        Raises InvalidInput for an unknown area or a missing editor, NotFound for an unknown item."""
        unknown = [a for a in areas if a not in AREA_IDS]
        if unknown:
            raise InvalidInput(f"unknown area(s) {', '.join(unknown)}; use {', '.join(AREA_IDS)}")
        if not (editor or "").strip():
            raise InvalidInput("a correction needs the editor's name or email")
        self._storage.add_correction(item_id, list(dict.fromkeys(areas)), editor.strip(), self._clock.now())
        return self._storage.get_item(item_id)
