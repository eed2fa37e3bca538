"""Facade methods for subject-area tagging of stored items, editor corrections and cross-source
duplicates (issue 3). Mixed into ``curator.core.Curator``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import InvalidInput
from .types import AREA_IDS, Item

if TYPE_CHECKING:
    from .tagging import Tagger, TagInput

VISIBILITY_RANK = {"public": 0, "members": 1}
"""When the same story is stored several times, the most widely visible copy is the one shown
(a members-only original must not hide the public copy from non-members)."""

CORRECTIONS_HEAD = "tagging-corrections-head"


@dataclass(frozen=True)
class TagRun:
    """What ``tag()`` did."""

    tagged: int
    version: str
    duplicates: int
    by_area: dict[str, int]
    untagged: int


class TaggingFacade:
    storage: Any
    settings: Any
    clock: Any
    encoder: Any

    def area_model_path(self) -> Path:
        return Path(self.settings.models_dir) / "subject_areas.yaml"

    def document_embedder(self) -> Tagger:
        """A tagger without corrections: what turns items into document vectors (cached)."""
        from .storage.embeddings import DbEmbeddingCache
        from .tagging import Tagger, load_areas

        return Tagger(load_areas(self.area_model_path()), self.encoder, cache=DbEmbeddingCache(self.storage))

    def tagger(self) -> Tagger:
        """The tagger for the configured encoder and area model, with the editors' corrections."""
        from .storage import TaggingStore
        from .tagging import Correction, Corrections, Tagger

        base = self.document_embedder()
        stored = TaggingStore(self.storage).corrections()
        if not stored:
            return base
        items = self.storage.get_items([c.item_id for c in stored])
        vectors = base.embed([_tag_input(i) for i in items])
        by_id = {i.id: n for n, i in enumerate(items)}
        corrections = Corrections(
            Correction(str(c.item_id), vectors[by_id[c.item_id]], c.areas) for c in stored if c.item_id in by_id)
        return Tagger(base.areas, self.encoder, cache=base.cache, corrections=corrections)

    def tag(self, *, retag_all: bool = False, progress: bool = False, batch_size: int = 256,
            duplicates_days: int = 30) -> TagRun:
        """Tag stored items that are new, changed or tagged by another tagger version (a changed
        area model, encoder or set of corrections), then refresh cross-source duplicates.
        Re-runs encode only new or changed text (embeddings are cached)."""
        from .storage import TaggingStore, TagRow

        store = TaggingStore(self.storage)
        tagger = self.tagger()
        todo = store.items_to_tag(tagger.version, retag_all=retag_all)
        bar = None
        if progress and todo:
            import sys

            from tqdm import tqdm

            bar = tqdm(total=len(todo), unit="item", desc="Tagging", file=sys.stderr)
        now = self.clock.now()
        for start in range(0, len(todo), batch_size):
            chunk = todo[start:start + batch_size]
            results = tagger.tag([_tag_input(i) for i in chunk])
            store.save_tags([TagRow(i.id, i.content_hash, r.areas, r.scores) for i, r in zip(chunk, results, strict=True)],
                            tagger.version, now)
            if bar:
                bar.update(len(chunk))
        if bar:
            bar.close()
        marked = self.refresh_duplicates(days=duplicates_days, tagger=tagger)
        self._harmonise_story_tags(tagger)
        by_area = {a: 0 for a in AREA_IDS}
        untagged = 0
        from .storage import ItemQuery

        for item in self.storage.list_items(ItemQuery(limit=10_000_000)):
            for a in item.areas:
                by_area[a] = by_area.get(a, 0) + 1
            untagged += not item.areas
        return TagRun(len(todo), tagger.version, marked, by_area, untagged)

    def refresh_duplicates(self, *, days: int = 30, tagger: Tagger | None = None) -> int:
        """Group the same story from different sources (also across German and English) among the
        items collected in the last ``days`` days (by when curator first saw them, so a late
        syndication of an old story still meets its original); all but the shown copy get
        ``duplicate_of``. Returns the number of items marked as duplicates."""
        from .storage import ItemQuery, TaggingStore
        from .tagging import default_duplicate_threshold, find_duplicates

        tagger = tagger or self.tagger()
        since = self.clock.now() - timedelta(days=days)
        items = self.storage.list_items(ItemQuery(limit=10_000_000, seen_since=since))
        items.sort(key=lambda i: (_visibility_rank(i.visibility), i.first_seen, i.id))
        if len(items) < 2:
            return TaggingStore(self.storage).set_duplicates([])
        vectors = tagger.embed([_tag_input(i) for i in items])
        groups = find_duplicates(vectors, [str(i.id) for i in items], [i.source_id for i in items],
                                 default_duplicate_threshold(self.encoder.model_id),
                                 published=[i.published.timestamp() for i in items])
        # the same canonical link in two sources is the same story whatever the text says
        from .ingest.normalise import url_identity

        position = {i.id: n for n, i in enumerate(items)}
        parent = list(range(len(items)))

        def root(k: int) -> int:
            while parent[k] != k:
                parent[k] = parent[parent[k]]
                k = parent[k]
            return k

        def union(a: int, b: int) -> None:
            ra, rb = root(a), root(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)

        for group in groups:
            for other in group[1:]:
                union(position[int(group[0])], position[int(other)])
        first_by_url: dict[str, int] = {}
        for n, item in enumerate(items):
            key = url_identity(item.canonical_url)
            if key:
                if key in first_by_url and items[first_by_url[key]].source_id != item.source_id:
                    union(first_by_url[key], n)
                first_by_url.setdefault(key, n)
        merged: dict[int, list[int]] = {}
        for n in range(len(items)):
            merged.setdefault(root(n), []).append(items[n].id)
        return TaggingStore(self.storage).set_duplicates([g for g in merged.values() if len(g) > 1])

    def _harmonise_story_tags(self, tagger: Tagger) -> None:
        """Copies of one story (also a German report and its English version) get the same areas:
        the tagger decides once on the mean of their probabilities. Editor corrections stay."""
        import numpy as np

        from .storage import ItemQuery, TaggingStore, TagRow

        items = self.storage.list_items(ItemQuery(limit=10_000_000))
        groups: dict[int, list[Item]] = {}
        by_id = {i.id: i for i in items}
        for i in items:
            if i.duplicate_of is not None and i.duplicate_of in by_id:
                groups.setdefault(i.duplicate_of, [by_id[i.duplicate_of]]).append(i)
        rows = []
        for group in groups.values():
            vectors = tagger.embed([_tag_input(i) for i in group])
            mean = tagger.probabilities(vectors).mean(axis=0, keepdims=True)
            result = tagger.decide(np.asarray(mean))[0]
            rows.extend(TagRow(i.id, i.content_hash, result.areas, result.scores) for i in group
                        if i.areas != result.areas)
        TaggingStore(self.storage).save_tags(rows, tagger.version, self.clock.now())

    def duplicates_of(self, item_id: int) -> list[Item]:
        """Other copies of the same story (shown folded under ``item_id``)."""
        from .storage import TaggingStore

        return TaggingStore(self.storage).duplicates_of(item_id)

    def correct_tags(self, item_id: int, areas: Sequence[str], *, editor: str) -> Item:
        """An editor sets the areas of an item (empty = no area). The correction is kept as a
        labelled example: the next ``tag()`` run learns from it and re-tags with the new version."""
        unknown = [a for a in areas if a not in AREA_IDS]
        if unknown:
            raise InvalidInput(f"unknown area(s) {', '.join(unknown)}; use {', '.join(AREA_IDS)}")
        if not (editor or "").strip():
            raise InvalidInput("a correction needs the editor's name or email")
        from .storage import TaggingStore

        TaggingStore(self.storage).add_correction(item_id, list(dict.fromkeys(areas)), editor.strip(),
                                                  self.clock.now())
        return self.storage.get_item(item_id)


def _visibility_rank(visibility: str) -> int:
    return VISIBILITY_RANK.get(visibility, 2)


def _tag_input(item: Item) -> TagInput:
    from .tagging import TagInput

    return TagInput(id=str(item.id), title=item.title, text=item.text, lang=item.lang,
                    content_hash=item.content_hash)
