"""Stored items: listing, one item, and importing an article archive (``curator.items`` on the root).

The archive format and its checks live in :mod:`curator.ingest.jsonl`; this class only stores
what that returns.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Sequence

from curator.clock import Clock
from curator.embeddings import Encoder
from curator.features.tagging import Tagging
from curator.ingest.jsonl import parse_archive
from curator.ingest.sanitise import sanitise_html
from curator.newsletter.editing import segment_visibility
from curator.profiles.access import visible_to
from curator.search import (
    SearchTuning,
    fuse_text_and_semantic,
    item_snippet,
    query_terms,
    semantic_gate,
    semantic_ranking,
)
from curator.storage import Store
from curator.types import ImportResult, Item, ItemQuery, Member, SearchHit, SearchMethod, Segment, Source

__all__ = ["Items"]


class Items:
    """Items of every source: feed articles, imports, approved member posts."""

    SEMANTIC_CANDIDATES = 2000
    """How many of the newest visible items the semantic side compares (vectors come from the
    embedding cache; items never tagged are encoded on the spot)."""

    def __init__(self, storage: Store, clock: Clock, encoder: Encoder, tagging: Tagging) -> None:
        self._storage = storage
        self._clock = clock
        self._encoder = encoder
        self._tagging = tagging

    def list(self, query: ItemQuery | None = None) -> builtins.list[Item]:
        """Items newest first, filtered and paged as ``query`` says (None: ``ItemQuery()``, the newest 50)."""
        return self._storage.list_items(query or ItemQuery())

    def get(self, item_id: int) -> Item:
        """One item. Raises NotFound for an unknown id."""
        return self._storage.get_item(item_id)

    def get_many(self, item_ids: Sequence[int]) -> builtins.list[Item]:
        """The items with these ids, in the order given; unknown ids are left out."""
        return self._storage.get_items(item_ids)

    def safe_html(self, html: str | None) -> str:
        """``html`` (an item's ``content_html``) passed through the ingest allow-list again, for
        pages to show: the same sanitiser that cleaned it on the way in, so stored HTML from an
        older version or written to the database by hand cannot carry script."""
        return sanitise_html(html or "")

    def search(self, query: str, *, member: Member | None = None, everything: bool = False,
               segment: Segment | None = None, area: str | None = None, lang: str | None = None, limit: int = 20,
               method: SearchMethod = "fused", tuning: SearchTuning | None = None) -> builtins.list[SearchHit]:
        """Items for ``query`` best first, at most ``limit``, in either language: full-text matches
        (word boundaries) fused by reciprocal rank with the nearest item vectors to the query's
        vector (the encoder's query side, items centred per language so an English query finds
        German articles and the reverse). Only what ``member`` may see by the one visibility rule
        (:func:`curator.profiles.access.visible_to`; None: a visitor) unless ``everything`` (editors
        and tools) or ``segment`` (the editor's digest workbench: only what everyone in that digest
        segment may see, :func:`curator.newsletter.editing.segment_visibility`); ``area`` and ``lang`` filter. ``method`` picks one side alone or the substring match, for
        evaluation. When even the best semantic hit is less similar than ``tuning.min_similarity``
        the semantic side is dropped (centred only), so a query about nothing stored finds nothing;
        ``tuning`` None is the product's :class:`~curator.search.SearchTuning`. A query without
        words finds nothing."""
        tuning = tuning or SearchTuning()
        terms = query_terms(query)
        if not terms or limit <= 0:
            return []
        visible = None if everything else segment_visibility(segment) if segment is not None else visible_to(member)
        if method == "substring":
            return [SearchHit(i, 0.0, item_snippet(i.title, i.summary, i.text, terms)) for i in self._storage.list_items(
                ItemQuery(limit=limit, lang=lang, area=area, visible_to=visible, search=query.strip()))]
        depth = max(limit, 50)  # fusion needs more than the page from each side
        text_hits = ([] if method in ("semantic", "semantic-uncentred") else
                     self._storage.search_items_text(query, visible_to=visible, area=area, lang=lang, limit=depth))
        if method == "text":
            return text_hits[:limit]
        # only tagged items: their vectors are cached, so a search never encodes articles (only the query)
        candidates = [i for i in self._storage.list_items(ItemQuery(limit=self.SEMANTIC_CANDIDATES, lang=lang,
                                                                    area=area, visible_to=visible)) if i.area_scores]
        semantic = semantic_ranking(self._encoder.encode([query], kind="query")[0], candidates,
                                    self._tagging.embed(candidates), [i.lang for i in candidates],
                                    centre=method != "semantic-uncentred", limit=depth)
        if method != "semantic-uncentred":  # the gate is calibrated on centred cosines
            semantic = semantic_gate(semantic, tuning.min_similarity)
        if method != "fused":
            return [SearchHit(i, s, item_snippet(i.title, i.summary, i.text, terms)) for i, s in semantic[:limit]]
        by_id = {h.item.id: h for h in text_hits}
        items = {h.item.id: h.item for h in text_hits} | {i.id: i for i, _ in semantic}
        fused = fuse_text_and_semantic([h.item.id for h in text_hits], [(i.id, s) for i, s in semantic], tuning)
        return [SearchHit(items[i], score, by_id[i].snippet if i in by_id else
                          item_snippet(items[i].title, items[i].summary, items[i].text, terms))
                for i, score in fused[:limit]]

    def import_jsonl(self, lines: Iterable[str], *, source_id: str = "import", source_title: str | None = None,
                     visibility: str = "public") -> ImportResult:
        """Import an article archive: one JSON object per line with ``id``, ``title``, ``text`` and
        optionally ``url``, ``lang``, ``published``, ``source``. Bad lines are reported by number and
        skipped; good lines are stored. Re-importing updates changed items, never duplicates.

        Items go to the internal source ``source_id`` (or ``<source_id>-<slug>`` for lines naming
        a ``source``), created on first use with ``source_title`` and ``visibility``."""
        now = self._clock.now()
        archive = parse_archive(lines, source_id=source_id, now=now)
        new = updated = unchanged = 0
        for sid, parsed in archive.by_source.items():
            src = Source(id=sid, title=source_title or sid, url=f"https://curator.invalid/{sid}",
                         visibility=visibility, enabled=False)
            self._storage.ensure_internal_source(src, now)
            counts = self._storage.upsert_items(src, parsed, now)
            new, updated, unchanged = new + counts.new, updated + counts.updated, unchanged + counts.unchanged
        return ImportResult(new, updated, unchanged, archive.errors)
