"""Subject-area tagging by embedding similarity.

Public surface (explicit re-exports):

- :func:`load_areas` / :class:`AreaModel`: ``models/subject_areas.yaml`` validated.
- :class:`Tagger`, :class:`TagInput`, :class:`TagResult`, :class:`TaggerSettings`.
- :class:`Corrections`, :class:`Correction`, :class:`CorrectionHead`: editor verdicts
  and the head trained on them.
- :class:`Tagger`'s input from a stored item: :func:`tag_input`.
- :func:`find_duplicates`: cross-source duplicates by embedding similarity;
  :func:`group_stories` adds same-link identity, :func:`show_order` picks the copy shown.
- :func:`harmonise_story_tags` (with :func:`duplicate_groups`, :func:`story_tags`): the
  copies of one story get one decision.
- :func:`make_tagger`: a tagger from an encoder spec with the default settings.
- :func:`teaching_order` (with :func:`margins`): which items an editor should correct next.
- :func:`language_centres`: mean document vector per language, for the corrections head.
"""

from __future__ import annotations

from pathlib import Path

from curator.embeddings import EmbeddingCache, make_encoder
from curator.tagging.active import margins, probabilities_from_scores, teaching_order
from curator.tagging.areas import OFF_TOPIC, Area, AreaModel, default_areas_path, load_areas, parse_areas
from curator.tagging.corrections import Correction, CorrectionHead, Corrections, language_centres, train_head
from curator.tagging.dedupe import (
    DEFAULT_DUPLICATE_THRESHOLD,
    VISIBILITY_RANK,
    default_duplicate_threshold,
    find_duplicates,
    group_stories,
    show_order,
)
from curator.tagging.stories import duplicate_groups, harmonise_story_tags, story_tags
from curator.tagging.tagger import Tagger, TaggerSettings, TagInput, TagResult, tag_input

DEFAULT_ENCODER = "e5"
"""The encoder that measures best on the bilingual evaluation (docs/tagging.md)."""

__all__ = [
    "DEFAULT_DUPLICATE_THRESHOLD",
    "DEFAULT_ENCODER",
    "OFF_TOPIC",
    "Area",
    "AreaModel",
    "Correction",
    "CorrectionHead",
    "Corrections",
    "TagInput",
    "TagResult",
    "Tagger",
    "TaggerSettings",
    "VISIBILITY_RANK",
    "default_areas_path",
    "default_duplicate_threshold",
    "duplicate_groups",
    "find_duplicates",
    "group_stories",
    "harmonise_story_tags",
    "language_centres",
    "load_areas",
    "make_tagger",
    "margins",
    "parse_areas",
    "probabilities_from_scores",
    "show_order",
    "story_tags",
    "tag_input",
    "teaching_order",
    "train_head",
]


def make_tagger(
    encoder: str = DEFAULT_ENCODER,
    *,
    areas_path: str | Path | None = None,
    cache: EmbeddingCache | None = None,
    corrections: Corrections | None = None,
    head: CorrectionHead | None = None,
) -> Tagger:
    """A :class:`Tagger` for an encoder spec (see :func:`curator.embeddings.make_encoder`)
    and the area model at ``areas_path`` (default ``models/subject_areas.yaml``).
    Raises ConfigError for a bad area file, TaggingError for an unknown encoder."""
    return Tagger(
        load_areas(areas_path), make_encoder(encoder), cache=cache, corrections=corrections, head=head
    )
